// Nexmark q2, selection: the bids on a few auctions (Flink's variant, where
// the auctions are those whose id is a multiple of 123).
//
//   SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0
#include "nexmark/queries.h"

#include <weir/connectors/nexmark/csv.h>

namespace weir::examples::nexmark {

using weir::nexmark::EventType;

namespace {

struct AuctionPrice {
  int64_t auction = 0;
  int64_t price = 0;
};
WEIR_STRUCT(AuctionPrice, auction, price);

std::string auctionPriceCsv(const AuctionPrice& r) {
  std::string line;
  weir::nexmark::appendCsvField(line, r.auction);
  line += ',';
  weir::nexmark::appendCsvField(line, r.price);
  return line;
}

}  // namespace

void buildQ2(const DataStream<Event>& events, const ResultSink& sink) {
  auto selected = events
                      .flatMap([](const Event& e, Collector<AuctionPrice>& out) {
                        if (e.type == EventType::kBid && e.bid.auction % 123 == 0)
                          out.collect(AuctionPrice{e.bid.auction, e.bid.price});
                      })
                      .name("q2-select")
                      .uid("q2-select");
  sinkResults<AuctionPrice>(selected, sink, auctionPriceCsv);
}

}  // namespace weir::examples::nexmark
