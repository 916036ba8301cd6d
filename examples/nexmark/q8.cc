// Nexmark q8, monitor new users: the people who registered and put up an
// auction within the same 10 s tumbling window.
//
//   SELECT P.id, P.name, P.starttime
//   FROM (SELECT id, name, TUMBLE_START(dateTime, INTERVAL '10' SECOND) AS starttime, TUMBLE_END(...) AS
//   endtime
//         FROM person GROUP BY id, name, TUMBLE(dateTime, INTERVAL '10' SECOND)) P
//   JOIN (SELECT seller, TUMBLE_START(...) AS starttime, TUMBLE_END(...) AS endtime
//         FROM auction GROUP BY seller, TUMBLE(dateTime, INTERVAL '10' SECOND)) A
//   ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime
//
// A window join of people and auctions on id = seller (both sides grouped, so
// one row per person and window however many auctions): a keyed tumbling
// window over the union of both, emitting when it has a person and an auction.
#include "nexmark/csv_row.h"
#include "nexmark/queries.h"

namespace weir::examples::nexmark {

using weir::nexmark::EventType;

namespace {

constexpr int64_t kWindowMs = 10'000;

struct NewPerson {
  int64_t id = 0;
  std::string name;
};
WEIR_STRUCT(NewPerson, id, name);

struct Q8Row {
  int64_t id = 0;
  std::string name;
  int64_t start = 0;
};
WEIR_STRUCT(Q8Row, id, name, start);

std::string q8Csv(const Q8Row& r) { return (CsvRow() << r.id << r.name << r.start).str(); }

using Side = TaggedUnion<NewPerson, int64_t>;  // a person, or an auction's seller

struct SellersWhoJoined final : ProcessWindowFunction<Side, Q8Row, int64_t, TimeWindow> {
  void process(const int64_t& id, Context& ctx, std::span<const Side> elements,
               Collector<Q8Row>& out) override {
    const NewPerson* person = nullptr;
    bool auctioned = false;
    for (const Side& s : elements) {
      if (s.isLeft) {
        person = &s.left;
      } else {
        auctioned = true;
      }
    }
    if (person != nullptr && auctioned) out.collect({id, person->name, ctx.window().start});
  }
};

}  // namespace

void buildQ8(const DataStream<Event>& events, const ResultSink& sink) {
  auto sides = events
                   .flatMap([](const Event& e, Collector<Side>& out) {
                     if (e.type == EventType::kPerson)
                       out.collect(Side::ofLeft({e.person.id, e.person.name}));
                     if (e.type == EventType::kAuction) out.collect(Side::ofRight(e.auction.seller));
                   })
                   .name("q8-people-and-sellers")
                   .uid("q8-people-and-sellers");
  auto joined = sides.keyBy([](const Side& s) { return s.isLeft ? s.left.id : s.right; })
                    .window(TumblingEventTimeWindows::of(std::chrono::milliseconds(kWindowMs)))
                    .process(SellersWhoJoined{})
                    .name("q8-new-sellers")
                    .uid("q8-new-sellers");
  sinkResults<Q8Row>(joined, sink, q8Csv);
}

}  // namespace weir::examples::nexmark
