#include "nexmark/queries.h"

#include <memory>

namespace weir::examples::nexmark {

const std::vector<Query>& queries() {
  static const std::vector<Query> all = {
      {"q0", "pass-through: every bid (auction, bidder, price, channel, url, dateTime, extra)", buildQ0},
      {"q1", "currency conversion: every bid with its price * 0.908, exact to three decimals", buildQ1},
      {"q2", "selection: auction and price of the bids on auctions whose id is a multiple of 123", buildQ2},
  };
  return all;
}

const Query* findQuery(const std::string& name) {
  for (const Query& q : queries())
    if (name == q.name) return &q;
  return nullptr;
}

std::string queryNames() {
  std::string names;
  for (const Query& q : queries()) names += (names.empty() ? "" : ", ") + std::string(q.name);
  return names;
}

void buildNexmarkJob(StreamExecutionEnvironment& env, const Query& query,
                     const weir::nexmark::NexmarkSourceOptions& source, const ResultSink& sink) {
  auto events = env.fromSource(std::shared_ptr<const Source<Event, weir::nexmark::NexmarkSplit>>(
                                   std::make_shared<weir::nexmark::NexmarkSource>(source)),
                               weir::nexmark::nexmarkWatermarks(), "nexmark-source")
                    .uid("nexmark-source");
  query.build(events, sink);
}

}  // namespace weir::examples::nexmark
