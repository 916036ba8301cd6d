// WindowedStream<K, T, KS, W>: a keyed stream cut into windows
// (KeyedStream::window, countWindow), and the functions that turn each window
// into output: reduce and aggregate (incremental: a window keeps one value),
// process (a ProcessWindowFunction sees all the window's records), and reduce
// or aggregate followed by a ProcessWindowFunction that sees the one result
// together with the window and key. See weir/api/windowing.h for assigners and
// triggers, runtime/operators/window_operator.h for the semantics.
//
// Builder methods (allowedLateness, sideOutputLateData, trigger) return a
// modified copy. Not thread-safe: build a job from one thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <weir/api/data_stream.h>
#include <weir/api/windowing.h>
#include <weir/runtime/operators/window_operator.h>

namespace weir {

template <class K, class T, class KS, class W>
class WindowedStream {
 public:
  WindowedStream(StreamExecutionEnvironment* env, std::vector<detail::Upstream> ups, KS selector,
                 std::shared_ptr<const WindowAssigner<W>> assigner)
      : env_(env),
        upstreams_(std::move(ups)),
        selector_(std::move(selector)),
        assigner_(std::move(assigner)) {
    if (!assigner_) throw std::invalid_argument("window(): the window assigner is null");
    trigger_ = assigner_->defaultTrigger();
  }

  // Keeps each event-time window for `lateness` after its end: records up to that late
  // are still added (and fire the window again); later ones are late data.
  WindowedStream allowedLateness(std::chrono::milliseconds lateness) const {
    if (lateness.count() < 0) throw std::invalid_argument("allowedLateness must not be negative");
    if (!assigner_->isEventTime() && lateness.count() > 0)
      throw std::invalid_argument("allowedLateness applies to event-time windows only, not " +
                                  assigner_->describe());
    WindowedStream s = *this;
    s.lateness_ = lateness.count();
    return s;
  }
  // Records too late for all their windows go to side output `tag` (read it with getSideOutput).
  WindowedStream sideOutputLateData(const OutputTag<T>& tag) const {
    WindowedStream s = *this;
    s.lateTag_ = tag.id();
    return s;
  }
  WindowedStream trigger(std::shared_ptr<const Trigger<W>> t) const {
    if (!t) throw std::invalid_argument("trigger(): the trigger is null");
    if (assigner_->isMerging() && !t->canMerge())
      throw std::invalid_argument(assigner_->describe() + " merges windows, and " + t->describe() +
                                  " does not support merging");
    WindowedStream s = *this;
    s.trigger_ = std::move(t);
    return s;
  }

  // Folds each window's records with fn(a, b) and emits the result.
  template <class F>
  requires ReduceFunctionOf<F, T> SingleOutputStreamOperator<T> reduce(F fn)
  const {
    using Contents = detail::ReduceWindowContents<T, F>;
    return add<T>("reduce", Contents{fn}, detail::PassThroughEmitter<T>{});
  }
  // Folds each window's records with fn, then hands the result to `process`.
  template <class F, class PWF>
  requires ReduceFunctionOf<F, T> SingleOutputStreamOperator<typename PWF::OutputType> reduce(F fn,
                                                                                              PWF process)
  const {
    static_assert(std::is_base_of_v<ProcessWindowFunction<T, typename PWF::OutputType, K, W>, PWF>,
                  "reduce(f, process): process must derive from ProcessWindowFunction<T, Out, K, Window>");
    using Contents = detail::ReduceWindowContents<T, F>;
    return add<typename PWF::OutputType>("reduce+process", Contents{fn},
                                         detail::ProcessWindowEmitter<PWF>{process});
  }
  // Aggregates each window with an AggregateFunction<T, Acc, Out> and emits getResult.
  template <class AggF>
  SingleOutputStreamOperator<typename AggF::OutputType> aggregate(AggF fn) const {
    checkAggregate<AggF>();
    using Contents = detail::AggregateWindowContents<AggF>;
    return add<typename AggF::OutputType>("aggregate", Contents{fn},
                                          detail::PassThroughEmitter<typename AggF::OutputType>{});
  }
  template <class AggF, class PWF>
  SingleOutputStreamOperator<typename PWF::OutputType> aggregate(AggF fn, PWF process) const {
    checkAggregate<AggF>();
    static_assert(
        std::is_base_of_v<ProcessWindowFunction<typename AggF::OutputType, typename PWF::OutputType, K, W>,
                          PWF>,
        "aggregate(f, process): process must derive from ProcessWindowFunction<AggOut, Out, K, Window>");
    using Contents = detail::AggregateWindowContents<AggF>;
    return add<typename PWF::OutputType>("aggregate+process", Contents{fn},
                                         detail::ProcessWindowEmitter<PWF>{process});
  }
  // Hands all of each window's records to a ProcessWindowFunction<T, Out, K, Window>.
  template <class PWF>
  SingleOutputStreamOperator<typename PWF::OutputType> process(PWF process) const {
    static_assert(std::is_base_of_v<ProcessWindowFunction<T, typename PWF::OutputType, K, W>, PWF>,
                  "process: the function must derive from ProcessWindowFunction<T, Out, K, Window>");
    using Contents = detail::ListWindowContents<T>;
    return add<typename PWF::OutputType>("process", Contents{}, detail::ProcessWindowEmitter<PWF>{process});
  }

 private:
  template <class AggF>
  static constexpr void checkAggregate() {
    static_assert(
        std::is_base_of_v<AggregateFunction<T, typename AggF::AccumulatorType, typename AggF::OutputType>,
                          AggF>,
        "aggregate: the function must derive from AggregateFunction<T, Acc, Out>");
    requireSerializable<typename AggF::AccumulatorType>();
  }

  template <class Out, class Contents, class Emitter>
  SingleOutputStreamOperator<Out> add(const std::string& what, Contents contents, Emitter emitter) const {
    requireSerializable<typename Contents::Acc>();
    using Op = WindowOperator<K, W, Contents, Emitter, KS>;
    auto ks = selector_;
    auto assigner = assigner_;
    auto trigger = trigger_;
    auto lateness = lateness_;
    auto lateTag = lateTag_;
    std::string name = "Window(" + assigner_->describe() + ", " + trigger_->describe() + ", " + what + ")";
    StreamNode& n = detail::addNode(
        *env_, name,
        [=] { return std::make_unique<Op>(ks, assigner, trigger, lateness, contents, emitter, lateTag); },
        detail::typeOps<Out>(), {upstreams_});
    n.keyed = true;
    n.chaining = ChainingStrategy::kAlways;
    return SingleOutputStreamOperator<Out>(env_, n.id);
  }

  StreamExecutionEnvironment* env_;
  std::vector<detail::Upstream> upstreams_;
  KS selector_;
  std::shared_ptr<const WindowAssigner<W>> assigner_;
  std::shared_ptr<const Trigger<W>> trigger_;
  int64_t lateness_ = 0;
  std::string lateTag_;
};

template <class K, class T, class KS>
template <class W>
WindowedStream<K, T, KS, W> KeyedStream<K, T, KS>::window(
    std::shared_ptr<const WindowAssigner<W>> assigner) const {
  return WindowedStream<K, T, KS, W>(this->env_, this->upstreams_, selector_, std::move(assigner));
}

template <class K, class T, class KS>
WindowedStream<K, T, KS, GlobalWindow> KeyedStream<K, T, KS>::countWindow(int64_t size) const {
  return window(GlobalWindows::create())
      .trigger(PurgingTrigger<GlobalWindow>::of(CountTrigger<GlobalWindow>::of(size)));
}

}  // namespace weir
