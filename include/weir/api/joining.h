// Joins of two streams on event time (Flink's interval join and window join).
//
// Interval join of two keyed streams: each left record a joins every right
// record b of the same key with a.ts + lower <= b.ts <= a.ts + upper
// (bounds in milliseconds, inclusive unless made exclusive):
//
//   orders.keyBy(&Order::user).intervalJoin(clicks.keyBy(&Click::user))
//         .between(-5s, 10s)
//         .process(MatchOrdersAndClicks{});   // a ProcessJoinFunction<Order, Click, Out>
//
// Window join: records of both streams whose keys are equal and that fall
// into the same window join, pairwise, when the window fires (an inner join
// per window, Flink's JoinedStreams):
//
//   persons.join(auctions)
//          .where([](const Person& p) { return p.id; })
//          .equalTo([](const Auction& a) { return a.seller; })
//          .window(TumblingEventTimeWindows::of(10s))
//          .apply([](const Person& p, const Auction& a) { return ...; });
//
// A window join is a keyed window over the union of both streams (each record
// tagged with its side); a window holds the records of both sides until it
// fires, then the function sees each matching pair, left records in arrival
// order, each with every right record in arrival order. Semantics of
// windows, lateness and triggers are those of weir/api/windowed_stream.h.
//
// Builders are values (build a job from one thread); the join functions run on
// their subtask's task thread, like every user function.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <weir/api/data_stream.h>
#include <weir/api/windowed_stream.h>
#include <weir/api/windowing.h>
#include <weir/runtime/operators/interval_join_operator.h>

namespace weir {

// A record of either side of a window join.
template <class A, class B>
struct TaggedUnion {
  bool isLeft = true;
  A left{};
  B right{};
  static TaggedUnion ofLeft(const A& a) { return {true, a, B{}}; }
  static TaggedUnion ofRight(const B& b) { return {false, A{}, b}; }
};

template <class A, class B>
struct TypeSerializer<TaggedUnion<A, B>, void> {
  static void serialize(const TaggedUnion<A, B>& v, DataOutput& out) {
    out.writeU8(v.isLeft ? 1 : 0);
    if (v.isLeft) {
      TypeSerializer<A>::serialize(v.left, out);
    } else {
      TypeSerializer<B>::serialize(v.right, out);
    }
  }
  static void deserialize(TaggedUnion<A, B>& v, DataInput& in) {
    const uint8_t tag = in.readU8();
    if (tag > 1) throw SerializationError("tagged union: bad side tag " + std::to_string(tag));
    v.isLeft = tag == 1;
    if (v.isLeft) {
      TypeSerializer<A>::deserialize(v.left, in);
    } else {
      TypeSerializer<B>::deserialize(v.right, in);
    }
  }
  static std::string name() {
    return "union<" + TypeSerializer<A>::name() + "," + TypeSerializer<B>::name() + ">";
  }
  static constexpr uint32_t kVersion = 1;
};

// ---- interval join ----

template <class K, class A, class KSA, class B, class KSB>
class IntervalJoined {
 public:
  IntervalJoined(KeyedStream<K, A, KSA> left, KeyedStream<K, B, KSB> right, int64_t lower, int64_t upper)
      : left_(std::move(left)), right_(std::move(right)), lower_(lower), upper_(upper) {}
  // Excludes a.ts + lower itself.
  IntervalJoined lowerBoundExclusive() const { return bounds(lower_ + 1, upper_); }
  // Excludes a.ts + upper itself.
  IntervalJoined upperBoundExclusive() const { return bounds(lower_, upper_ - 1); }

  // Runs a ProcessJoinFunction<A, B, Out> on every joined pair.
  template <class F>
  SingleOutputStreamOperator<typename F::OutputType> process(F fn) const {
    static_assert(
        std::is_base_of_v<ProcessJoinFunction<A, B, typename F::OutputType>, F>,
        "intervalJoin(...).process: the function must derive from ProcessJoinFunction<Left, Right, Out>");
    using Out = typename F::OutputType;
    using Op = IntervalJoinOperator<K, F, KSA, KSB>;
    KSA ka = left_.keySelector();
    KSB kb = right_.keySelector();
    int64_t lower = lower_, upper = upper_;
    StreamNode& n =
        detail::addNode(left_.environment(),
                        "IntervalJoin(" + std::to_string(lower) + " ms, " + std::to_string(upper) + " ms)",
                        [=] { return std::make_unique<Op>(fn, ka, kb, lower, upper); },
                        detail::typeOps<Out>(), {left_.upstreams(), right_.upstreams()});
    n.keyed = true;
    return SingleOutputStreamOperator<Out>(&left_.environment(), n.id);
  }

 private:
  IntervalJoined bounds(int64_t lower, int64_t upper) const {
    if (lower > upper)
      throw std::invalid_argument("interval join: the exclusive bounds leave an empty interval");
    return IntervalJoined(left_, right_, lower, upper);
  }
  KeyedStream<K, A, KSA> left_;
  KeyedStream<K, B, KSB> right_;
  int64_t lower_, upper_;
};

template <class K, class A, class KSA, class B, class KSB>
class IntervalJoin {
 public:
  IntervalJoin(KeyedStream<K, A, KSA> left, KeyedStream<K, B, KSB> right)
      : left_(std::move(left)), right_(std::move(right)) {}
  // Joins a with every b of its key where a.ts + lower <= b.ts <= a.ts + upper.
  IntervalJoined<K, A, KSA, B, KSB> between(std::chrono::milliseconds lower,
                                            std::chrono::milliseconds upper) const {
    if (lower > upper)
      throw std::invalid_argument("intervalJoin: the lower bound (" + std::to_string(lower.count()) +
                                  " ms) must not be above the upper bound (" + std::to_string(upper.count()) +
                                  " ms)");
    return IntervalJoined<K, A, KSA, B, KSB>(left_, right_, lower.count(), upper.count());
  }

 private:
  KeyedStream<K, A, KSA> left_;
  KeyedStream<K, B, KSB> right_;
};

template <class K, class T, class KS>
template <class B, class KSB>
IntervalJoin<K, T, KS, B, KSB> KeyedStream<K, T, KS>::intervalJoin(
    const KeyedStream<K, B, KSB>& other) const {
  return IntervalJoin<K, T, KS, B, KSB>(*this, other);
}

// ---- window join ----

namespace detail {
// The key of either side of a tagged union.
template <class A, class B, class KSA, class KSB>
struct UnionKeySelector {
  KSA left;
  KSB right;
  auto operator()(const TaggedUnion<A, B>& v) const { return v.isLeft ? left(v.left) : right(v.right); }
};

// Joins a window's left and right records pairwise.
template <class A, class B, class K, class W, class F>
class WindowJoinFunction final
    : public ProcessWindowFunction<TaggedUnion<A, B>, std::invoke_result_t<const F&, const A&, const B&>, K,
                                   W> {
  using Out = std::invoke_result_t<const F&, const A&, const B&>;
  using Base = ProcessWindowFunction<TaggedUnion<A, B>, Out, K, W>;

 public:
  explicit WindowJoinFunction(F fn) : fn_(std::move(fn)) {}
  void process(const K&, typename Base::Context&, std::span<const TaggedUnion<A, B>> elements,
               Collector<Out>& out) override {
    for (const auto& l : elements) {
      if (!l.isLeft) continue;
      for (const auto& r : elements) {
        if (!r.isLeft) out.collect(fn_(l.left, r.right));
      }
    }
  }

 private:
  F fn_;
};
}  // namespace detail

template <class A, class B, class KSA, class KSB, class W>
class WindowedJoin {
 public:
  using K = std::decay_t<std::invoke_result_t<const KSA&, const A&>>;
  WindowedJoin(DataStream<A> left, DataStream<B> right, KSA ka, KSB kb,
               std::shared_ptr<const WindowAssigner<W>> assigner)
      : left_(std::move(left)),
        right_(std::move(right)),
        ka_(std::move(ka)),
        kb_(std::move(kb)),
        assigner_(std::move(assigner)) {}
  WindowedJoin allowedLateness(std::chrono::milliseconds lateness) const {
    WindowedJoin j = *this;
    j.lateness_ = lateness;
    return j;
  }
  // fn(const A&, const B&) -> Out for every pair of records with equal keys in one window.
  template <class F>
  SingleOutputStreamOperator<std::invoke_result_t<const F&, const A&, const B&>> apply(F fn) const {
    using U = TaggedUnion<A, B>;
    requireSerializable<A>();
    requireSerializable<B>();
    auto tagLeft = left_.map([](const A& a) { return U::ofLeft(a); }).name("Join: left");
    auto tagRight = right_.map([](const B& b) { return U::ofRight(b); }).name("Join: right");
    auto keyed = tagLeft.unionWith(tagRight).keyBy(detail::UnionKeySelector<A, B, KSA, KSB>{ka_, kb_});
    auto windowed = keyed.window(assigner_);
    if (lateness_.count() > 0) windowed = windowed.allowedLateness(lateness_);
    return windowed.process(detail::WindowJoinFunction<A, B, K, W, F>(fn)).name("Window Join");
  }

 private:
  DataStream<A> left_;
  DataStream<B> right_;
  KSA ka_;
  KSB kb_;
  std::shared_ptr<const WindowAssigner<W>> assigner_;
  std::chrono::milliseconds lateness_{0};
};

template <class A, class B, class KSA, class KSB>
class JoinedStreamsWhereEqual {
 public:
  JoinedStreamsWhereEqual(DataStream<A> left, DataStream<B> right, KSA ka, KSB kb)
      : left_(std::move(left)), right_(std::move(right)), ka_(std::move(ka)), kb_(std::move(kb)) {}
  template <class W>
  WindowedJoin<A, B, KSA, KSB, W> window(std::shared_ptr<const WindowAssigner<W>> assigner) const {
    return WindowedJoin<A, B, KSA, KSB, W>(left_, right_, ka_, kb_, std::move(assigner));
  }

 private:
  DataStream<A> left_;
  DataStream<B> right_;
  KSA ka_;
  KSB kb_;
};

template <class A, class B, class KSA>
class JoinedStreamsWhere {
 public:
  JoinedStreamsWhere(DataStream<A> left, DataStream<B> right, KSA ka)
      : left_(std::move(left)), right_(std::move(right)), ka_(std::move(ka)) {}
  template <class KSB>
  JoinedStreamsWhereEqual<A, B, KSA, KSB> equalTo(KSB kb) const {
    static_assert(std::is_same_v<std::decay_t<std::invoke_result_t<const KSA&, const A&>>,
                                 std::decay_t<std::invoke_result_t<const KSB&, const B&>>>,
                  "join: where() and equalTo() must select keys of the same type");
    return JoinedStreamsWhereEqual<A, B, KSA, KSB>(left_, right_, ka_, std::move(kb));
  }

 private:
  DataStream<A> left_;
  DataStream<B> right_;
  KSA ka_;
};

template <class A, class B>
class JoinedStreams {
 public:
  JoinedStreams(DataStream<A> left, DataStream<B> right) : left_(std::move(left)), right_(std::move(right)) {}
  template <class KSA>
  JoinedStreamsWhere<A, B, KSA> where(KSA ka) const {
    return JoinedStreamsWhere<A, B, KSA>(left_, right_, std::move(ka));
  }

 private:
  DataStream<A> left_;
  DataStream<B> right_;
};

template <class T>
template <class B>
JoinedStreams<T, B> DataStream<T>::join(const DataStream<B>& other) const {
  return JoinedStreams<T, B>(*this, other);
}

}  // namespace weir
