// User function interfaces of the DataStream API (Flink's RichFunction,
// ProcessFunction, KeyedProcessFunction, CoProcessFunction, Collector) and the
// concepts that make a lambda with the wrong signature a readable compile error.
//
// A function object is copied once per parallel subtask, so it must be copyable;
// state belongs in keyed or operator state (or members set up in open()), never
// in globals. Every method runs on the task thread of its subtask.
#pragma once

#include <concepts>
#include <cstdint>
#include <stdexcept>
#include <type_traits>

#include <weir/api/output_tag.h>
#include <weir/runtime/runtime_context.h>
#include <weir/runtime/stream_operator.h>

namespace weir {

template <class T>
class Collector {
 public:
  virtual ~Collector() = default;
  virtual void collect(const T& value) = 0;
};

// Functions that need setup and teardown derive from RichFunction.
class RichFunction {
 public:
  virtual ~RichFunction() = default;
  // Called once per subtask before the first record; obtain state here.
  virtual void open(RuntimeContext& context) { (void)context; }
  virtual void close() {}
};

// Timers and time as a keyed process function sees them.
class TimerService {
 public:
  virtual ~TimerService() = default;
  virtual int64_t currentProcessingTime() const = 0;
  // The operator's current event time: the last watermark it received
  // (kMinWatermark before the first).
  virtual Timestamp currentWatermark() const = 0;
  // Calls onTimer(timestamp) for the current key once processing time reaches it; a
  // second registration of the same (key, timestamp) is ignored.
  virtual void registerProcessingTimeTimer(int64_t timestamp) = 0;
  virtual void deleteProcessingTimeTimer(int64_t timestamp) = 0;
  // Calls onTimer(timestamp) for the current key once the watermark reaches it
  // (watermark >= timestamp); a second registration of the same (key, timestamp)
  // is ignored. Event-time timers are checkpointed like processing-time ones.
  virtual void registerEventTimeTimer(int64_t timestamp) = 0;
  virtual void deleteEventTimeTimer(int64_t timestamp) = 0;
};

// Which clock fired a timer.
enum class TimeDomain { kEventTime, kProcessingTime };

namespace detail {
// What every process function context offers: emitting to side outputs.
class SideOutputContext {
 public:
  virtual ~SideOutputContext() = default;
  // Emits `value` to the side output `tag`, with the current record's (or
  // timer's) timestamp; dropped when nobody consumes that side output.
  template <class X>
  void output(const OutputTag<X>& tag, const X& value) {
    if (InputBase* out = sideOutput(tag.id()))
      inputCast<X>(out)->processElement(value, sideOutputTimestamp());
  }

 protected:
  virtual InputBase* sideOutput(const std::string& tag) const = 0;
  virtual Timestamp sideOutputTimestamp() const = 0;
};
}  // namespace detail

template <class In, class Out>
class ProcessFunction : public RichFunction {
 public:
  using InputType = In;
  using OutputType = Out;
  class Context : public detail::SideOutputContext {
   public:
    // The record's event timestamp, or kNoTimestamp.
    virtual Timestamp timestamp() const = 0;
    virtual int64_t currentProcessingTime() const = 0;
    // The operator's last watermark (kMinWatermark before the first).
    virtual Timestamp currentWatermark() const = 0;

   protected:
    Timestamp sideOutputTimestamp() const override { return timestamp(); }
  };
  virtual void processElement(const In& value, Context& ctx, Collector<Out>& out) = 0;
};

template <class K, class In, class Out>
class KeyedProcessFunction : public RichFunction {
 public:
  using KeyType = K;
  using InputType = In;
  using OutputType = Out;
  class Context : public detail::SideOutputContext {
   public:
    // The record's event timestamp (kNoTimestamp if it has none); in onTimer, the
    // timer's time for an event-time timer and kNoTimestamp for a processing-time one.
    virtual Timestamp timestamp() const = 0;
    virtual const K& getCurrentKey() const = 0;
    virtual TimerService& timerService() = 0;

   protected:
    Timestamp sideOutputTimestamp() const override { return timestamp(); }
  };
  class OnTimerContext : public Context {
   public:
    virtual TimeDomain timeDomain() const = 0;
  };
  virtual void processElement(const In& value, Context& ctx, Collector<Out>& out) = 0;
  virtual void onTimer(int64_t timestamp, OnTimerContext& ctx, Collector<Out>& out) {
    (void)timestamp, (void)ctx, (void)out;
  }
};

template <class In1, class In2, class Out>
class CoProcessFunction : public RichFunction {
 public:
  using FirstInputType = In1;
  using SecondInputType = In2;
  using OutputType = Out;
  using Context = typename ProcessFunction<In1, Out>::Context;
  virtual void processElement1(const In1& value, Context& ctx, Collector<Out>& out) = 0;
  virtual void processElement2(const In2& value, Context& ctx, Collector<Out>& out) = 0;
};

// ---- concepts: what a lambda or function object must look like ----

template <class F, class In>
concept MapFunctionOf = std::copy_constructible<F> && std::invocable<const F&, const In&> &&
    !std::is_void_v<std::invoke_result_t<const F&, const In&>>;

template <class F, class In>
concept FilterFunctionOf = std::copy_constructible<F> && std::predicate<const F&, const In&>;

template <class F, class In, class Out>
concept FlatMapFunctionOf = std::copy_constructible<F> && std::invocable < const F&,
        const In&, Collector<Out>
& > ;

template <class F, class In>
concept KeySelectorOf = std::copy_constructible<F> && std::invocable<const F&, const In&> &&
    !std::is_void_v<std::invoke_result_t<const F&, const In&>>;

template <class F, class T>
concept ReduceFunctionOf = std::copy_constructible<F> && std::invocable<const F&, const T&, const T&> &&
    std::convertible_to<std::invoke_result_t<const F&, const T&, const T&>, T>;

namespace detail {
// Calls open/close on functions that are RichFunctions; plain lambdas have neither.
template <class F>
void openFunction(F& f, RuntimeContext& ctx) {
  if constexpr (std::is_base_of_v<RichFunction, F>) f.open(ctx);
}
template <class F>
void closeFunction(F& f) {
  if constexpr (std::is_base_of_v<RichFunction, F>) f.close();
}

// The Out of a lambda `(const In&, Collector<Out>&)`, deduced from its call
// operator; void when it cannot be deduced (generic lambda, other signature), so
// that the caller can say so readably.
template <class T>
struct CollectorArg {
  using type = void;
};
template <class T>
struct CollectorArg<Collector<T>&> {
  using type = T;
};
template <class M>
struct SecondArgOf {
  using type = void;
};
template <class C, class R, class A, class B>
struct SecondArgOf<R (C::*)(A, B) const> {
  using type = B;
};
template <class C, class R, class A, class B>
struct SecondArgOf<R (C::*)(A, B)> {
  using type = B;
};
template <class F, class = void>
struct CallOperatorSecondArg {
  using type = void;
};
template <class F>
struct CallOperatorSecondArg<F, std::void_t<decltype(&F::operator())>> {
  using type = typename SecondArgOf<decltype(&F::operator())>::type;
};
template <class F>
using DeducedCollectorType = typename CollectorArg<typename CallOperatorSecondArg<F>::type>::type;

// Out as given, or deduced from F when not given (void).
template <class Out, class F>
struct FlatMapOutput {
  using type = Out;
};
template <class F>
struct FlatMapOutput<void, F> {
  using type = DeducedCollectorType<F>;
};
template <class F, class In, class Out>
constexpr bool isFlatMapFunction() {
  if constexpr (std::is_void_v<Out>) {
    return true;  // reported by the deduction check
  } else {
    return FlatMapFunctionOf<F, In, Out>;
  }
}
}  // namespace detail

}  // namespace weir
