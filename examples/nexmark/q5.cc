// Nexmark q5, hot items: per 10 s window sliding every 2 s, the auctions with
// the most bids.
//
//   SELECT AuctionBids.auction, AuctionBids.num
//   FROM (SELECT auction, count(*) AS num, HOP_START(...) AS starttime, HOP_END(...) AS endtime
//         FROM bid GROUP BY auction, HOP(dateTime, INTERVAL '2' SECOND, INTERVAL '10' SECOND)) AuctionBids
//   JOIN (SELECT max(num) AS maxn, starttime, endtime FROM (<the same counts>) GROUP BY starttime, endtime)
//   MaxBids ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime
//      AND AuctionBids.num >= MaxBids.maxn
//
// Bids counted per auction in sliding event-time windows; the counts of one
// window, from all subtasks, meet keyed by the window's start, and when the
// watermark passes the window's end (every count has arrived: they carry the
// window's end - 1 as timestamp) the ones equal to the maximum go out.
#include "nexmark/csv_row.h"
#include "nexmark/queries.h"

namespace weir::examples::nexmark {

using weir::nexmark::EventType;

namespace {

constexpr int64_t kSizeMs = 10'000, kSlideMs = 2'000;

struct AuctionCount {
  int64_t auction = 0, count = 0, windowStart = 0;
};
WEIR_STRUCT(AuctionCount, auction, count, windowStart);

struct Q5Row {
  int64_t auction = 0, num = 0;
};
WEIR_STRUCT(Q5Row, auction, num);

std::string q5Csv(const Q5Row& r) { return (CsvRow() << r.auction << r.num).str(); }

struct CountBids final : AggregateFunction<int64_t, int64_t, int64_t> {
  int64_t createAccumulator() const override { return 0; }
  void add(const int64_t&, int64_t& acc) const override { ++acc; }
  int64_t getResult(const int64_t& acc) const override { return acc; }
  int64_t merge(const int64_t& a, const int64_t& b) const override { return a + b; }
};

struct WithWindow final : ProcessWindowFunction<int64_t, AuctionCount, int64_t, TimeWindow> {
  void process(const int64_t& auction, Context& ctx, std::span<const int64_t> counts,
               Collector<AuctionCount>& out) override {
    out.collect({auction, counts[0], ctx.window().start});
  }
};

// Per window start: the counts of every auction; at the window's end, the top ones.
class HottestPerWindow final : public KeyedProcessFunction<int64_t, AuctionCount, Q5Row> {
 public:
  void open(RuntimeContext& ctx) override {
    counts_ = &ctx.getListState(ListStateDescriptor<AuctionCount>("counts"));
    max_ = &ctx.getState(ValueStateDescriptor<int64_t>("max"));
  }
  void processElement(const AuctionCount& c, Context& ctx, Collector<Q5Row>&) override {
    const int64_t max = max_->value().value_or(0);
    if (c.count < max) return;  // never among the hottest
    max_->update(c.count);
    counts_->add(c);
    ctx.timerService().registerEventTimeTimer(c.windowStart + kSizeMs - 1);
  }
  void onTimer(int64_t, OnTimerContext&, Collector<Q5Row>& out) override {
    const int64_t max = max_->value().value_or(0);
    for (const AuctionCount& c : counts_->get())
      if (c.count >= max) out.collect({c.auction, c.count});
    counts_->clear();
    max_->clear();
  }

 private:
  ListState<AuctionCount>* counts_ = nullptr;
  ValueState<int64_t>* max_ = nullptr;
};

}  // namespace

void buildQ5(const DataStream<Event>& events, const ResultSink& sink) {
  auto bids = events
                  .flatMap([](const Event& e, Collector<int64_t>& out) {
                    if (e.type == EventType::kBid) out.collect(e.bid.auction);
                  })
                  .name("q5-bids")
                  .uid("q5-bids");
  auto counts = bids.keyBy([](const int64_t& auction) { return auction; })
                    .window(SlidingEventTimeWindows::of(std::chrono::milliseconds(kSizeMs),
                                                        std::chrono::milliseconds(kSlideMs)))
                    .aggregate(CountBids{}, WithWindow{})
                    .name("q5-count-per-window")
                    .uid("q5-count-per-window");
  auto hottest = counts.keyBy([](const AuctionCount& c) { return c.windowStart; })
                     .process(HottestPerWindow{})
                     .name("q5-hottest")
                     .uid("q5-hottest");
  sinkResults<Q5Row>(hottest, sink, q5Csv);
}

}  // namespace weir::examples::nexmark
