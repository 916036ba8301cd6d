// Nexmark q4's first stage: per auction, the highest bid placed while it was
// open, emitted when it closes (the watermark passes its expiry). Bids and
// auctions come on two inputs keyed by auction id; in Nexmark a bid may name
// an auction generated a little later (the id lead), so a bid whose auction
// has not come yet waits for it. Such an "early" bid can be dropped once the
// watermark passes its own time: every auction still to come is newer than
// the watermark, so it started after the bid (and the bid does not count).
// Exposed in a header for tests/runtime/nexmark_q4_test.cc.
// Threading: a user function, called on its subtask's task thread only.
#pragma once

#include <algorithm>
#include <vector>

#include <weir/weir.h>

namespace weir::examples::nexmark::q4 {

struct Opened {
  int64_t id = 0, category = 0, dateTime = 0, expires = 0;
};
WEIR_STRUCT(Opened, id, category, dateTime, expires);

struct Offer {
  int64_t auction = 0, price = 0, dateTime = 0;
};
WEIR_STRUCT(Offer, auction, price, dateTime);

struct Winner {
  int64_t category = 0, price = 0;
  bool operator==(const Winner&) const = default;
};
WEIR_STRUCT(Winner, category, price);

class WinningBids final : public KeyedCoProcessFunction<int64_t, Opened, Offer, Winner> {
 public:
  void open(RuntimeContext& ctx) override {
    auction_ = &ctx.getState(ValueStateDescriptor<Opened>("auction"));
    best_ = &ctx.getState(ValueStateDescriptor<int64_t>("best-price"));
    early_ = &ctx.getListState(ListStateDescriptor<Offer>("early-bids"));
  }
  void processElement1(const Opened& a, Context& ctx, Collector<Winner>&) override {
    auction_->update(a);
    for (const Offer& b : early_->get()) consider(a, b);
    early_->clear();
    ctx.timerService().registerEventTimeTimer(a.expires);
  }
  void processElement2(const Offer& b, Context& ctx, Collector<Winner>&) override {
    if (auto a = auction_->value()) {
      consider(*a, b);
      return;
    }
    early_->add(b);
    ctx.timerService().registerEventTimeTimer(b.dateTime);
  }
  void onTimer(int64_t t, OnTimerContext&, Collector<Winner>& out) override {
    auto a = auction_->value();
    if (!a) {
      // Only the early bids at or before t are useless now; newer ones may still meet their auction.
      std::vector<Offer> early = early_->get();
      std::erase_if(early, [t](const Offer& b) { return b.dateTime <= t; });
      early_->update(early);
      return;
    }
    if (t < a->expires) return;  // an early bid's timer: its auction came meanwhile
    if (auto price = best_->value()) out.collect({a->category, *price});
    auction_->clear();
    best_->clear();
  }

 private:
  void consider(const Opened& a, const Offer& b) {
    if (b.dateTime < a.dateTime || b.dateTime > a.expires) return;
    if (!best_->value() || b.price > *best_->value()) best_->update(b.price);
  }
  ValueState<Opened>* auction_ = nullptr;
  ValueState<int64_t>* best_ = nullptr;
  ListState<Offer>* early_ = nullptr;
};

}  // namespace weir::examples::nexmark::q4
