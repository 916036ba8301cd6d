#include "nexmark/queries.h"

#include <memory>

namespace weir::examples::nexmark {

const std::vector<Query>& queries() {
  static const std::vector<Query> all = {
      {"q0", "pass-through: every bid (auction, bidder, price, channel, url, dateTime, extra)", buildQ0},
      {"q1", "currency conversion: every bid with its price * 0.908, exact to three decimals", buildQ1},
      {"q2", "selection: auction and price of the bids on auctions whose id is a multiple of 123", buildQ2},
      {"q3", "local item suggestion: sellers from OR, ID or CA of category-10 auctions (incremental join)",
       buildQ3},
      {"q4", "average winning bid per category of closed auctions (updating: category,avg,auctions)",
       buildQ4},
      {"q5", "hot items: the auctions with the most bids per 10 s window sliding by 2 s", buildQ5},
      {"q7", "highest bid: the bids with the highest price per 10 s tumbling window", buildQ7},
      {"q8", "monitor new users: people who registered and auctioned in the same 10 s window", buildQ8},
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
