// Nexmark q0, pass-through: every bid, unchanged. Measures the cost of reading
// and writing the stream.
//
//   SELECT auction, bidder, price, channel, url, dateTime, extra FROM bid
#include "nexmark/queries.h"

#include <weir/connectors/nexmark/csv.h>

namespace weir::examples::nexmark {

using weir::nexmark::Bid;
using weir::nexmark::EventType;

namespace {

std::string bidCsv(const Bid& b) { return weir::nexmark::toCsv(b); }

}  // namespace

void buildQ0(const DataStream<Event>& events, const ResultSink& sink) {
  // flatMap hands the event's own Bid on: no copy inside the chain.
  auto bids = events
                  .flatMap([](const Event& e, Collector<Bid>& out) {
                    if (e.type == EventType::kBid) out.collect(e.bid);
                  })
                  .name("q0-bids")
                  .uid("q0-bids");
  sinkResults<Bid>(bids, sink, bidCsv);
}

}  // namespace weir::examples::nexmark
