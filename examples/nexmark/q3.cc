// Nexmark q3, local item suggestion: who sells in category 10 from Oregon,
// Idaho or California.
//
//   SELECT P.name, P.city, P.state, A.id
//   FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
//   WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')
//
// An incremental join keyed by person id (keyed connect), as Flink runs this
// SQL (a regular join, no time bound): every person is remembered, with its
// name, city and state if it is from OR, ID or CA and as a bare "does not
// qualify" otherwise; an auction whose seller arrived is emitted at once (or
// dropped), else it waits for its seller. Waiting is needed: Nexmark lets an
// auction name a seller that registers a little later (its id "lead"), so no
// watermark says the seller will not come. The state grows with the number of
// people, as Flink's does for this query.
#include <weir/connectors/nexmark/csv.h>

#include "nexmark/csv_row.h"
#include "nexmark/queries.h"

namespace weir::examples::nexmark {

using weir::nexmark::EventType;

namespace {

struct Seller {
  int64_t id = 0;
  bool local = false;  // from OR, ID or CA; the strings are empty otherwise
  std::string name, city, state;
};
WEIR_STRUCT(Seller, id, local, name, city, state);

struct Listing {
  int64_t id = 0;
  int64_t seller = 0;
};
WEIR_STRUCT(Listing, id, seller);

struct Q3Row {
  std::string name, city, state;
  int64_t auction = 0;
};
WEIR_STRUCT(Q3Row, name, city, state, auction);

std::string q3Csv(const Q3Row& r) { return (CsvRow() << r.name << r.city << r.state << r.auction).str(); }

class JoinSellers final : public KeyedCoProcessFunction<int64_t, Seller, Listing, Q3Row> {
 public:
  void open(RuntimeContext& ctx) override {
    seller_ = &ctx.getState(ValueStateDescriptor<Seller>("seller"));
    waiting_ = &ctx.getListState(ListStateDescriptor<int64_t>("waiting-auctions"));
  }
  void processElement1(const Seller& s, Context&, Collector<Q3Row>& out) override {
    seller_->update(s);
    if (s.local) {
      for (int64_t auction : waiting_->get()) out.collect({s.name, s.city, s.state, auction});
    }
    waiting_->clear();
  }
  void processElement2(const Listing& a, Context&, Collector<Q3Row>& out) override {
    if (auto s = seller_->value()) {
      if (s->local) out.collect({s->name, s->city, s->state, a.id});
      return;
    }
    waiting_->add(a.id);
  }

 private:
  ValueState<Seller>* seller_ = nullptr;
  ListState<int64_t>* waiting_ = nullptr;
};

}  // namespace

void buildQ3(const DataStream<Event>& events, const ResultSink& sink) {
  auto sellers = events
                     .flatMap([](const Event& e, Collector<Seller>& out) {
                       if (e.type != EventType::kPerson) return;
                       const auto& p = e.person;
                       if (p.state == "OR" || p.state == "ID" || p.state == "CA") {
                         out.collect({p.id, true, p.name, p.city, p.state});
                       } else {
                         out.collect({p.id, false, {}, {}, {}});
                       }
                     })
                     .name("q3-sellers")
                     .uid("q3-sellers");
  auto listings = events
                      .flatMap([](const Event& e, Collector<Listing>& out) {
                        if (e.type == EventType::kAuction && e.auction.category == 10)
                          out.collect({e.auction.id, e.auction.seller});
                      })
                      .name("q3-category-10")
                      .uid("q3-category-10");
  auto joined = sellers.keyBy([](const Seller& s) { return s.id; })
                    .connect(listings.keyBy([](const Listing& a) { return a.seller; }))
                    .process(JoinSellers{})
                    .name("q3-join")
                    .uid("q3-join");
  sinkResults<Q3Row>(joined, sink, q3Csv);
}

}  // namespace weir::examples::nexmark
