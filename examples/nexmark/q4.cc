// Nexmark q4, average price for a category: the average winning bid of the
// closed auctions per category.
//
//   SELECT Q.category, AVG(Q.final)
//   FROM (SELECT MAX(B.price) AS final, A.category FROM auction A, bid B
//         WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
//         GROUP BY A.id, A.category) Q
//   GROUP BY Q.category
//
// Streaming, this is an updating result: every time an auction closes (the
// watermark passes its expiry) its winning bid updates its category's
// average, and the query emits the category's new row "category,avg,auctions"
// (AVG of BIGINT is a BIGINT, truncated, as in Flink SQL; `auctions` counts
// the closed auctions with a valid bid, so the last row of a category is the
// final one). An auction's bids are kept while it is open; bids that come
// before their auction wait for it until the watermark passes them
// (q4_winning_bids.h).
#include <weir/connectors/nexmark/csv.h>

#include "nexmark/csv_row.h"
#include "nexmark/q4_winning_bids.h"
#include "nexmark/queries.h"

namespace weir::examples::nexmark {

using weir::nexmark::EventType;

namespace {

using q4::Offer;
using q4::Opened;
using q4::Winner;
using q4::WinningBids;

struct Q4Row {
  int64_t category = 0, average = 0, auctions = 0;
};
WEIR_STRUCT(Q4Row, category, average, auctions);

std::string q4Csv(const Q4Row& r) { return (CsvRow() << r.category << r.average << r.auctions).str(); }

// Per category: the running average of the winning bids.
class CategoryAverage final : public KeyedProcessFunction<int64_t, Winner, Q4Row> {
 public:
  void open(RuntimeContext& ctx) override {
    sum_ = &ctx.getState(ValueStateDescriptor<int64_t>("sum"));
    count_ = &ctx.getState(ValueStateDescriptor<int64_t>("count"));
  }
  void processElement(const Winner& w, Context&, Collector<Q4Row>& out) override {
    const int64_t sum = sum_->value().value_or(0) + w.price, count = count_->value().value_or(0) + 1;
    sum_->update(sum);
    count_->update(count);
    out.collect({w.category, sum / count, count});
  }

 private:
  ValueState<int64_t>* sum_ = nullptr;
  ValueState<int64_t>* count_ = nullptr;
};

}  // namespace

void buildQ4(const DataStream<Event>& events, const ResultSink& sink) {
  auto auctions =
      events
          .flatMap([](const Event& e, Collector<Opened>& out) {
            if (e.type == EventType::kAuction)
              out.collect({e.auction.id, e.auction.category, e.auction.dateTime, e.auction.expires});
          })
          .name("q4-auctions")
          .uid("q4-auctions");
  auto bids = events
                  .flatMap([](const Event& e, Collector<Offer>& out) {
                    if (e.type == EventType::kBid) out.collect({e.bid.auction, e.bid.price, e.bid.dateTime});
                  })
                  .name("q4-bids")
                  .uid("q4-bids");
  auto winners = auctions.keyBy([](const Opened& a) { return a.id; })
                     .connect(bids.keyBy([](const Offer& b) { return b.auction; }))
                     .process(WinningBids{})
                     .name("q4-winning-bids")
                     .uid("q4-winning-bids");
  auto averages = winners.keyBy([](const Winner& w) { return w.category; })
                      .process(CategoryAverage{})
                      .name("q4-category-average")
                      .uid("q4-category-average");
  sinkResults<Q4Row>(averages, sink, q4Csv);
}

}  // namespace weir::examples::nexmark
