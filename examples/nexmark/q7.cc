// Nexmark q7, highest bid: per 10 s tumbling window, the bids with the
// highest price.
//
//   SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra
//   FROM bid B JOIN (SELECT MAX(price) AS maxprice, TUMBLE_ROWTIME(dateTime, INTERVAL '10' SECOND) AS
//   dateTime
//                    FROM bid GROUP BY TUMBLE(dateTime, INTERVAL '10' SECOND)) B1
//   ON B.price = B1.maxprice
//   WHERE B.dateTime BETWEEN B1.dateTime - INTERVAL '10' SECOND AND B1.dateTime
//
// The window [s, s + 10 s) has rowtime s + 9999, so the join takes the bids of
// [s - 1, s + 9999] whose price is the window's maximum: a bid in the last
// millisecond of the previous window counts too (as the SQL says). Bids go to
// the key of their window, and those of a window's last millisecond also to
// the next window's key as candidates only; at the window's rowtime the
// candidates at the maximum go out.
#include "nexmark/csv_row.h"
#include "nexmark/queries.h"

namespace weir::examples::nexmark {

using weir::nexmark::EventType;

namespace {

constexpr int64_t kWindowMs = 10'000;

struct Candidate {
  int64_t window = 0;    // start of the window this copy is for
  bool inWindow = true;  // false: from the previous window's last millisecond (candidate only)
  int64_t auction = 0, price = 0, bidder = 0, dateTime = 0;
  std::string extra;
};
WEIR_STRUCT(Candidate, window, inWindow, auction, price, bidder, dateTime, extra);

std::string q7Csv(const Candidate& c) {
  return (CsvRow() << c.auction << c.price << c.bidder << c.dateTime << c.extra).str();
}

class HighestBids final : public KeyedProcessFunction<int64_t, Candidate, Candidate> {
 public:
  void open(RuntimeContext& ctx) override {
    max_ = &ctx.getState(ValueStateDescriptor<int64_t>("max"));
    best_ = &ctx.getListState(ListStateDescriptor<Candidate>("best"));
  }
  void processElement(const Candidate& c, Context& ctx, Collector<Candidate>&) override {
    const auto max = max_->value();
    if (c.inWindow && (!max || c.price > *max)) {
      max_->update(c.price);
      // Drop the candidates below the new maximum.
      std::vector<Candidate> kept;
      for (Candidate& k : best_->get())
        if (k.price >= c.price) kept.push_back(std::move(k));
      best_->update(kept);
    }
    if (!max_->value() || c.price >= *max_->value()) best_->add(c);
    ctx.timerService().registerEventTimeTimer(c.window + kWindowMs - 1);
  }
  void onTimer(int64_t, OnTimerContext&, Collector<Candidate>& out) override {
    if (auto max = max_->value()) {
      for (const Candidate& c : best_->get())
        if (c.price == *max) out.collect(c);
    }
    max_->clear();
    best_->clear();
  }

 private:
  ValueState<int64_t>* max_ = nullptr;
  ListState<Candidate>* best_ = nullptr;
};

}  // namespace

void buildQ7(const DataStream<Event>& events, const ResultSink& sink) {
  auto candidates =
      events
          .flatMap([](const Event& e, Collector<Candidate>& out) {
            if (e.type != EventType::kBid) return;
            const auto& b = e.bid;
            const int64_t start = TimeWindow::windowStart(b.dateTime, 0, kWindowMs);
            out.collect({start, true, b.auction, b.price, b.bidder, b.dateTime, b.extra});
            if (b.dateTime == start + kWindowMs - 1)
              out.collect({start + kWindowMs, false, b.auction, b.price, b.bidder, b.dateTime, b.extra});
          })
          .name("q7-bids")
          .uid("q7-bids");
  auto highest = candidates.keyBy([](const Candidate& c) { return c.window; })
                     .process(HighestBids{})
                     .name("q7-highest")
                     .uid("q7-highest");
  sinkResults<Candidate>(highest, sink, q7Csv);
}

}  // namespace weir::examples::nexmark
