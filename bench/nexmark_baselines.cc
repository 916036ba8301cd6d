#include "nexmark_baselines.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace weir::bench {

namespace {

using nexmark::Event;
using nexmark::EventType;

int64_t floorTo(int64_t t, int64_t size) { return t - ((t % size) + size) % size; }

struct PairHash {
  size_t operator()(const std::pair<int64_t, int64_t>& p) const {
    return std::hash<int64_t>()(p.first * 0x9E3779B97F4A7C15ll ^ p.second);
  }
};

// q0, q1: every bid; q2: bids on auctions % 123 == 0.
class Bids final : public NexmarkBaseline {
 public:
  explicit Bids(bool selective) : selective_(selective) {}
  void onEvent(const Event& e) override {
    if (e.type == EventType::kBid && (!selective_ || e.bid.auction % 123 == 0)) ++n_;
  }
  uint64_t results() override { return n_; }

 private:
  bool selective_;
  uint64_t n_ = 0;
};

// q3: category-10 auctions of sellers from OR, ID or CA. An auction may name a
// seller that comes a little later (Nexmark's id lead): its count waits for it.
class Q3 final : public NexmarkBaseline {
 public:
  void onEvent(const Event& e) override {
    if (e.type == EventType::kPerson) {
      const bool local = e.person.state == "OR" || e.person.state == "ID" || e.person.state == "CA";
      people_[e.person.id] = local;
      auto w = waiting_.find(e.person.id);
      if (w != waiting_.end()) {
        if (local) n_ += w->second;
        waiting_.erase(w);
      }
    }
    if (e.type == EventType::kAuction && e.auction.category == 10) {
      auto p = people_.find(e.auction.seller);
      if (p == people_.end()) {
        ++waiting_[e.auction.seller];
      } else if (p->second) {
        ++n_;
      }
    }
  }
  uint64_t results() override { return n_; }

 private:
  std::unordered_map<int64_t, bool> people_;       // id -> from OR, ID or CA
  std::unordered_map<int64_t, uint64_t> waiting_;  // seller not seen yet -> category-10 auctions
  uint64_t n_ = 0;
};

// q4: auctions with at least one bid within [dateTime, expires] (a bid may come
// before its auction: Nexmark's id lead).
class Q4 final : public NexmarkBaseline {
 public:
  void onEvent(const Event& e) override {
    if (e.type == EventType::kAuction) {
      const std::pair<int64_t, int64_t> span{e.auction.dateTime, e.auction.expires};
      open_[e.auction.id] = span;
      auto early = early_.find(e.auction.id);
      if (early != early_.end()) {
        for (int64_t t : early->second) consider(e.auction.id, span, t);
        early_.erase(early);
      }
    }
    if (e.type != EventType::kBid) return;
    auto it = open_.find(e.bid.auction);
    if (it == open_.end()) {
      early_[e.bid.auction].push_back(e.bid.dateTime);
    } else {
      consider(e.bid.auction, it->second, e.bid.dateTime);
    }
  }
  uint64_t results() override { return won_.size(); }

 private:
  void consider(int64_t auction, const std::pair<int64_t, int64_t>& span, int64_t t) {
    if (t >= span.first && t <= span.second) won_.insert(auction);
  }
  std::unordered_map<int64_t, std::pair<int64_t, int64_t>> open_;
  std::unordered_map<int64_t, std::vector<int64_t>> early_;
  std::unordered_set<int64_t> won_;
};

// q5: per sliding window (10 s, 2 s), the auctions with the most bids.
class Q5 final : public NexmarkBaseline {
 public:
  void onEvent(const Event& e) override {
    if (e.type != EventType::kBid) return;
    const int64_t last = floorTo(e.bid.dateTime, 2000);
    for (int64_t start = last; start > e.bid.dateTime - 10000; start -= 2000)
      ++counts_[{start, e.bid.auction}];
  }
  uint64_t results() override {
    std::unordered_map<int64_t, std::pair<int64_t, uint64_t>> best;  // start -> (max, how many at max)
    for (const auto& [key, count] : counts_) {
      auto& b = best[key.first];
      if (count > b.first) {
        b = {count, 1};
      } else if (count == b.first) {
        ++b.second;
      }
    }
    uint64_t n = 0;
    for (const auto& [start, b] : best) n += b.second;
    return n;
  }

 private:
  std::unordered_map<std::pair<int64_t, int64_t>, int64_t, PairHash> counts_;
};

// q7: per 10 s window, the bids of [start - 1, start + 9999] at the window's highest price.
class Q7 final : public NexmarkBaseline {
 public:
  void onEvent(const Event& e) override {
    if (e.type != EventType::kBid) return;
    const int64_t start = floorTo(e.bid.dateTime, 10000);
    windows_[start].bids.emplace_back(e.bid.dateTime, e.bid.price);
    auto& max = windows_[start].max;
    max = std::max(max, e.bid.price);
  }
  uint64_t results() override {
    uint64_t n = 0;
    for (const auto& [start, w] : windows_) {
      for (const auto& [time, price] : w.bids) n += price == w.max;
      // The previous window's last millisecond joins this window too.
      auto prev = windows_.find(start - 10000);
      if (prev == windows_.end()) continue;
      for (const auto& [time, price] : prev->second.bids) n += time == start - 1 && price == w.max;
    }
    return n;
  }

 private:
  struct Window {
    int64_t max = 0;
    std::vector<std::pair<int64_t, int64_t>> bids;  // (time, price)
  };
  std::map<int64_t, Window> windows_;
};

// q8: people who registered and auctioned within one 10 s window.
class Q8 final : public NexmarkBaseline {
 public:
  void onEvent(const Event& e) override {
    if (e.type == EventType::kPerson) people_.insert({e.person.id, floorTo(e.person.dateTime, 10000)});
    if (e.type == EventType::kAuction)
      sellers_.insert({e.auction.seller, floorTo(e.auction.dateTime, 10000)});
  }
  uint64_t results() override {
    uint64_t n = 0;
    for (const auto& p : people_) n += sellers_.count(p);
    return n;
  }

 private:
  std::unordered_set<std::pair<int64_t, int64_t>, PairHash> people_, sellers_;
};

}  // namespace

std::unique_ptr<NexmarkBaseline> makeNexmarkBaseline(const std::string& query) {
  if (query == "q0" || query == "q1") return std::make_unique<Bids>(false);
  if (query == "q2") return std::make_unique<Bids>(true);
  if (query == "q3") return std::make_unique<Q3>();
  if (query == "q4") return std::make_unique<Q4>();
  if (query == "q5") return std::make_unique<Q5>();
  if (query == "q7") return std::make_unique<Q7>();
  if (query == "q8") return std::make_unique<Q8>();
  return nullptr;
}

}  // namespace weir::bench
