// Nexmark q1, currency conversion: every bid with its price in euros.
//
//   SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid
//
// As in Flink, where 0.908 * price is a DECIMAL, the result is exact: the price
// is kept in thousandths (price * 908) and written with three decimals,
// "<price * 908 / 1000>.<price * 908 % 1000, three digits>" (prices are
// positive). Nothing is rounded.
#include "nexmark/queries.h"

#include <cstdio>

#include <weir/connectors/nexmark/csv.h>

namespace weir::examples::nexmark {

using weir::nexmark::Bid;
using weir::nexmark::EventType;

namespace {

struct EuroBid {
  int64_t auction = 0;
  int64_t bidder = 0;
  int64_t priceThousandths = 0;  // price * 0.908, in thousandths of a cent
  int64_t dateTime = 0;
  std::string extra;
};
WEIR_STRUCT(EuroBid, auction, bidder, priceThousandths, dateTime, extra);

std::string euroBidCsv(const EuroBid& b) {
  std::string line;
  weir::nexmark::appendCsvField(line, b.auction);
  line += ',';
  weir::nexmark::appendCsvField(line, b.bidder);
  line += ',';
  char price[40];
  std::snprintf(price, sizeof price, "%lld.%03lld", static_cast<long long>(b.priceThousandths / 1000),
                static_cast<long long>(b.priceThousandths % 1000));
  line += price;
  line += ',';
  weir::nexmark::appendCsvField(line, b.dateTime);
  line += ',';
  weir::nexmark::appendCsvField(line, b.extra);
  return line;
}

// Converts into one reused record, so that the hot path allocates nothing.
class ToEuros final : public ProcessFunction<Event, EuroBid> {
 public:
  void processElement(const Event& e, Context&, Collector<EuroBid>& out) override {
    if (e.type != EventType::kBid) return;
    const Bid& b = e.bid;
    result_.auction = b.auction;
    result_.bidder = b.bidder;
    result_.priceThousandths = b.price * 908;
    result_.dateTime = b.dateTime;
    result_.extra.assign(b.extra);
    out.collect(result_);
  }

 private:
  EuroBid result_;
};

}  // namespace

void buildQ1(const DataStream<Event>& events, const ResultSink& sink) {
  auto euros = events.process(ToEuros{}).name("q1-to-euros").uid("q1-to-euros");
  sinkResults<EuroBid>(euros, sink, euroBidCsv);
}

}  // namespace weir::examples::nexmark
