// DataStream<T>, KeyedStream<K,T> and ConnectedStreams<A,B>: the typed, fluent
// API that builds a job's StreamGraph (Flink's DataStream API).
//
// Every transformation adds a node to the environment's StreamGraph and returns
// a stream of the node's output type; nothing runs until execute(). Function
// arguments are copied into every parallel subtask. Partitioning calls
// (keyBy, rebalance, rescale, shuffle, broadcast, forward) decide how records
// travel to the next operator and add no node. `unionWith` is Flink's union
// (`union` is a C++ keyword).
//
// Not thread-safe: build a job from one thread.
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <weir/api/environment.h>
#include <weir/api/functions.h>
#include <weir/api/output_tag.h>
#include <weir/api/watermark_strategy.h>
#include <weir/connectors/collection_source.h>
#include <weir/connectors/print_sink.h>
#include <weir/connectors/sink.h>
#include <weir/connectors/source.h>
#include <weir/runtime/network_glue.h>
#include <weir/runtime/operators/co_process_operator.h>
#include <weir/runtime/operators/filter_operator.h>
#include <weir/runtime/operators/flat_map_operator.h>
#include <weir/runtime/operators/keyed_co_process_operator.h>
#include <weir/runtime/operators/keyed_process_operator.h>
#include <weir/runtime/operators/map_operator.h>
#include <weir/runtime/operators/process_operator.h>
#include <weir/runtime/operators/reduce_operator.h>
#include <weir/runtime/operators/sink_operator.h>
#include <weir/runtime/operators/source_operator.h>
#include <weir/runtime/operators/timestamps_and_watermarks_operator.h>

namespace weir {

template <class T>
class SingleOutputStreamOperator;
template <class K, class T, class KS = std::function<K(const T&)>>
class KeyedStream;
template <class A, class B>
class ConnectedStreams;
template <class K, class A, class KSA, class B, class KSB>
class KeyedConnectedStreams;
template <class T>
class DataStreamSink;
template <class K, class T, class KS, class W>
class WindowedStream;
template <class W>
class WindowAssigner;
struct GlobalWindow;
template <class K, class A, class KSA, class B, class KSB>
class IntervalJoin;
template <class A, class B>
class JoinedStreams;

namespace detail {

// Where a stream's records come from, and how they are partitioned to the next operator.
struct Upstream {
  int nodeId;
  PartitionerSpec partitioner;
  bool explicitPartitioner = false;
  std::string sideOutputTag;  // empty: the node's main output
  std::shared_ptr<const StreamTypeOps> sideOutputType;
};

template <class T>
std::shared_ptr<const StreamTypeOps> typeOps() {
  requireSerializable<T>();
  static const auto ops = std::make_shared<const StreamTypeOpsImpl<T>>();
  return ops;
}

// Adds a node fed by `inputs` (each list feeds input 1, 2, ...).
inline StreamNode& addNode(StreamExecutionEnvironment& env, std::string name,
                           std::function<std::unique_ptr<StreamOperator>()> factory,
                           std::shared_ptr<const StreamTypeOps> outputType,
                           const std::vector<std::vector<Upstream>>& inputs) {
  StreamGraph& g = env.streamGraph();
  StreamNode& n = g.addNode(std::move(name));
  n.operatorFactory = std::move(factory);
  n.outputType = std::move(outputType);
  int id = n.id;
  for (size_t i = 0; i < inputs.size(); ++i) {
    for (const Upstream& u : inputs[i]) {
      StreamEdge e;
      e.sourceId = u.nodeId;
      e.targetId = id;
      e.targetInput = int(i) + 1;
      e.partitioner = u.partitioner;
      e.partitionerExplicit = u.explicitPartitioner;
      e.sideOutputTag = u.sideOutputTag;
      e.sideOutputType = u.sideOutputType;
      g.addEdge(std::move(e));
    }
  }
  return g.node(id);
}

}  // namespace detail

template <class T>
class DataStream {
 public:
  using ValueType = T;

  DataStream(StreamExecutionEnvironment* env, std::vector<detail::Upstream> upstreams)
      : env_(env), upstreams_(std::move(upstreams)) {}

  // One record out per record in.
  template <class F>
  requires MapFunctionOf<F, T>
      SingleOutputStreamOperator<std::decay_t<std::invoke_result_t<const F&, const T&>>> map(F fn)
  const {
    using Out = std::decay_t<std::invoke_result_t<const F&, const T&>>;
    return add<Out>("Map", [fn] { return std::make_unique<MapOperator<T, Out, F>>(fn); });
  }

  // The records for which `fn` returns true.
  template <class F>
  requires FilterFunctionOf<F, T> SingleOutputStreamOperator<T> filter(F fn)
  const {
    return add<T>("Filter", [fn] { return std::make_unique<FilterOperator<T, F>>(fn); });
  }

  // Zero or more records out per record in: fn(const T&, Collector<Out>&). Out is deduced from a
  // lambda's Collector parameter, or given explicitly: flatMap<std::string>(fn).
  template <class Out = void, class F>
  auto flatMap(F fn) const {
    using O = typename detail::FlatMapOutput<Out, F>::type;
    static_assert(!std::is_void_v<O>,
                  "flatMap cannot deduce the output type: give it explicitly, flatMap<Out>(f), with "
                  "f(const T& value, weir::Collector<Out>& out)");
    static_assert(detail::isFlatMapFunction<F, T, O>(),
                  "flatMap expects a function (const T& value, weir::Collector<Out>& out)");
    return add<O>("Flat Map", [fn] { return std::make_unique<FlatMapOperator<T, O, F>>(fn); });
  }

  // Runs a ProcessFunction<T, Out> subclass.
  template <class F>
  requires std::is_base_of_v<ProcessFunction<T, typename F::OutputType>, F>
      SingleOutputStreamOperator<typename F::OutputType> process(F fn)
  const {
    return add<typename F::OutputType>("Process", [fn] { return std::make_unique<ProcessOperator<F>>(fn); });
  }

  // Assigns event timestamps and watermarks here (see watermark_strategy.h);
  // upstream watermarks are dropped. A strategy on the source is better: it
  // tracks event time per split.
  SingleOutputStreamOperator<T> assignTimestampsAndWatermarks(WatermarkStrategy<T> strategy) const {
    return add<T>("Timestamps/Watermarks",
                  [strategy] { return std::make_unique<TimestampsAndWatermarksOperator<T>>(strategy); });
  }

  // Partitions by key: records with equal keys go to the same subtask.
  template <class KS>
  requires KeySelectorOf<KS, T> KeyedStream<std::decay_t<std::invoke_result_t<const KS&, const T&>>, T, KS>
  keyBy(KS selector)
  const {
    using K = std::decay_t<std::invoke_result_t<const KS&, const T&>>;
    requireSerializable<K>();
    PartitionerSpec spec{PartitionerKind::kKeyGroup,
                         std::make_shared<const KeyGroupSelectorFactory<T, K, KS>>(selector)};
    return KeyedStream<K, T, KS>(env_, withPartitioner(spec), selector);
  }

  DataStream forward() const {
    return DataStream(env_, withPartitioner({PartitionerKind::kForward, nullptr}));
  }
  DataStream rebalance() const {
    return DataStream(env_, withPartitioner({PartitionerKind::kRebalance, nullptr}));
  }
  DataStream rescale() const {
    return DataStream(env_, withPartitioner({PartitionerKind::kRescale, nullptr}));
  }
  DataStream shuffle() const {
    return DataStream(env_, withPartitioner({PartitionerKind::kShuffle, nullptr}));
  }
  DataStream broadcast() const {
    return DataStream(env_, withPartitioner({PartitionerKind::kBroadcast, nullptr}));
  }

  // Flink's union: the records of this stream and of `others`, in one stream.
  template <class... Streams>
  DataStream unionWith(const Streams&... others) const {
    std::vector<detail::Upstream> all = upstreams_;
    (all.insert(all.end(), others.upstreams().begin(), others.upstreams().end()), ...);
    return DataStream(env_, std::move(all));
  }

  template <class B>
  ConnectedStreams<T, B> connect(const DataStream<B>& other) const {
    return ConnectedStreams<T, B>(env_, upstreams_, other.upstreams());
  }
  // A window join with `other` (see weir/api/joining.h):
  // join(other).where(k1).equalTo(k2).window(w).apply(f).
  template <class B>
  JoinedStreams<T, B> join(const DataStream<B>& other) const;

  DataStreamSink<T> sinkTo(std::shared_ptr<const Sink<T>> sink, const std::string& name = "Unnamed") const;
  // Prints every record to stdout ("prefix:subtask> record" when parallel).
  DataStreamSink<T> print(const std::string& prefix = "") const {
    return sinkTo(std::make_shared<PrintSink<T>>(prefix), "Print to Std. Out");
  }

  const std::vector<detail::Upstream>& upstreams() const { return upstreams_; }
  StreamExecutionEnvironment& environment() const { return *env_; }

 protected:
  template <class Out>
  SingleOutputStreamOperator<Out> add(std::string name,
                                      std::function<std::unique_ptr<StreamOperator>()> factory) const {
    StreamNode& n =
        detail::addNode(*env_, std::move(name), std::move(factory), detail::typeOps<Out>(), {upstreams_});
    return SingleOutputStreamOperator<Out>(env_, n.id);
  }
  std::vector<detail::Upstream> withPartitioner(const PartitionerSpec& spec) const {
    std::vector<detail::Upstream> ups = upstreams_;
    for (auto& u : ups) {
      u.partitioner = spec;
      u.explicitPartitioner = true;
    }
    return ups;
  }

  StreamExecutionEnvironment* env_;
  std::vector<detail::Upstream> upstreams_;
};

// The stream produced by one operator, with that operator's settings.
template <class T>
class SingleOutputStreamOperator : public DataStream<T> {
 public:
  SingleOutputStreamOperator(StreamExecutionEnvironment* env, int nodeId)
      : DataStream<T>(env, {detail::Upstream{nodeId, {PartitionerKind::kForward, nullptr}, false}}),
        nodeId_(nodeId) {}

  SingleOutputStreamOperator& name(const std::string& n) {
    node().name = n;
    return *this;
  }
  // A stable id: savepoints map state to operators by uid.
  SingleOutputStreamOperator& uid(const std::string& u) {
    node().uid = u;
    return *this;
  }
  SingleOutputStreamOperator& setParallelism(int p) {
    if (p < 1) throw std::invalid_argument("operator '" + node().name + "': parallelism must be at least 1");
    node().parallelism = p;
    return *this;
  }
  SingleOutputStreamOperator& setMaxParallelism(int p) {
    if (p < 1)
      throw std::invalid_argument("operator '" + node().name + "': max parallelism must be at least 1");
    node().maxParallelism = p;
    return *this;
  }
  SingleOutputStreamOperator& disableChaining() {
    node().chaining = ChainingStrategy::kNever;
    return *this;
  }
  SingleOutputStreamOperator& startNewChain() {
    node().chaining = ChainingStrategy::kHead;
    return *this;
  }
  int nodeId() const { return nodeId_; }

  // The records this operator emitted to side output `tag`.
  template <class X>
  DataStream<X> getSideOutput(const OutputTag<X>& tag) const {
    auto type = detail::typeOps<X>();
    // One id, one type: two getSideOutput calls must agree.
    for (const auto& [id, name] : sideOutputTypes()) {
      if (id == tag.id() && name != type->typeName()) {
        throw std::invalid_argument("side output '" + tag.id() + "' of operator '" + nodeConst().name +
                                    "' is used with two types: " + name + " and " + type->typeName());
      }
    }
    sideOutputTypes().emplace_back(tag.id(), type->typeName());
    detail::Upstream up{nodeId_, {PartitionerKind::kForward, nullptr}, false, tag.id(), type};
    return DataStream<X>(this->env_, {up});
  }

 private:
  StreamNode& node() { return this->env_->streamGraph().node(nodeId_); }
  const StreamNode& nodeConst() const { return this->env_->streamGraph().node(nodeId_); }
  std::vector<std::pair<std::string, std::string>>& sideOutputTypes() const {
    return this->env_->streamGraph().node(nodeId_).sideOutputTypeNames;
  }
  int nodeId_;
};

template <class T>
class DataStreamSink {
 public:
  DataStreamSink(StreamExecutionEnvironment* env, int nodeId) : env_(env), nodeId_(nodeId) {}
  DataStreamSink& name(const std::string& n) {
    node().name = n;
    return *this;
  }
  DataStreamSink& uid(const std::string& u) {
    node().uid = u;
    return *this;
  }
  DataStreamSink& setParallelism(int p) {
    if (p < 1) throw std::invalid_argument("sink '" + node().name + "': parallelism must be at least 1");
    node().parallelism = p;
    return *this;
  }
  DataStreamSink& disableChaining() {
    node().chaining = ChainingStrategy::kNever;
    return *this;
  }

 private:
  StreamNode& node() { return env_->streamGraph().node(nodeId_); }
  StreamExecutionEnvironment* env_;
  int nodeId_;
};

template <class T>
DataStreamSink<T> DataStream<T>::sinkTo(std::shared_ptr<const Sink<T>> sink, const std::string& name) const {
  StreamNode& n = detail::addNode(*env_, name, [sink] { return std::make_unique<SinkOperator<T>>(sink); },
                                  nullptr, {upstreams_});
  n.isSink = true;
  return DataStreamSink<T>(env_, n.id);
}

// A stream partitioned by key. KS is the key selector's type, so that the keyed
// operator calls it directly; KeyedStream<K, T> (KS = std::function) accepts any
// KeyedStream<K, T, KS> when a named type is needed.
template <class K, class T, class KS>
class KeyedStream : public DataStream<T> {
 public:
  using KeySelector = KS;

  KeyedStream(StreamExecutionEnvironment* env, std::vector<detail::Upstream> ups, KS selector)
      : DataStream<T>(env, std::move(ups)), selector_(std::move(selector)) {}
  template <class OtherKS>
  requires(!std::is_same_v<OtherKS, KS>) KeyedStream(
      const KeyedStream<K, T, OtherKS>& other)  // NOLINT: implicit, to name the type as KeyedStream<K, T>
      : DataStream<T>(&other.environment(), other.upstreams()), selector_(other.keySelector()) {}
  const KS& keySelector() const { return selector_; }

  // Runs a KeyedProcessFunction<K, T, Out> subclass with keyed state and timers.
  template <class F>
  requires std::is_base_of_v<KeyedProcessFunction<K, T, typename F::OutputType>, F>
      SingleOutputStreamOperator<typename F::OutputType> process(F fn)
  const {
    using Out = typename F::OutputType;
    auto ks = selector_;
    return addKeyed<Out>("KeyedProcess",
                         [fn, ks] { return std::make_unique<KeyedProcessOperator<F, KeySelector>>(fn, ks); });
  }

  // Cuts the keyed stream into windows (see weir/api/windowing.h and windowed_stream.h).
  template <class W>
  WindowedStream<K, T, KS, W> window(std::shared_ptr<const WindowAssigner<W>> assigner) const;
  // Tumbling count windows: every `size` records of a key form a window.
  WindowedStream<K, T, KS, GlobalWindow> countWindow(int64_t size) const;
  // Connects with another stream keyed by the same key type: a KeyedCoProcessFunction sees both,
  // with keyed state and timers shared per key. (connect with a non-keyed stream: DataStream::connect.)
  using DataStream<T>::connect;
  template <class B, class KSB>
  auto connect(const KeyedStream<K, B, KSB>& other) const {
    return KeyedConnectedStreams<K, T, KS, B, KSB>(*this, other);
  }
  // An interval join with another stream keyed by the same key type (see weir/api/joining.h).
  template <class B, class KSB>
  IntervalJoin<K, T, KS, B, KSB> intervalJoin(const KeyedStream<K, B, KSB>& other) const;

  // A running reduce per key; emits the new result for every record.
  template <class F>
  requires ReduceFunctionOf<F, T> SingleOutputStreamOperator<T> reduce(F fn)
  const {
    auto ks = selector_;
    return addKeyed<T>("Keyed Reduce", [fn, ks] {
      return std::make_unique<GroupedReduceOperator<K, T, F, KeySelector>>(fn, ks);
    });
  }

  // Running sum / min / max of the records per key (T arithmetic).
  SingleOutputStreamOperator<T> sum() const {
    static_assert(std::is_arithmetic_v<T>, "sum() needs an arithmetic record type; use sum(&Type::field)");
    return reduce([](const T& a, const T& b) { return T(a + b); }).name("Keyed Sum");
  }
  SingleOutputStreamOperator<T> min() const {
    static_assert(std::is_arithmetic_v<T>, "min() needs an arithmetic record type; use min(&Type::field)");
    return reduce([](const T& a, const T& b) { return b < a ? b : a; }).name("Keyed Min");
  }
  SingleOutputStreamOperator<T> max() const {
    static_assert(std::is_arithmetic_v<T>, "max() needs an arithmetic record type; use max(&Type::field)");
    return reduce([](const T& a, const T& b) { return a < b ? b : a; }).name("Keyed Max");
  }
  // Running aggregate of one field (a data member pointer, e.g. &WordCount::count, or for pairs
  // &std::pair<A,B>::second); the other fields are those of the first record of the key.
  // The class type is a parameter of its own (U, which is T) so that `M T::*` is not formed when
  // the KeyedStream of a scalar type is instantiated: that is ill-formed and broke keyBy on them.
  template <class M, class U = T>
  requires std::is_class_v<U> SingleOutputStreamOperator<T> sum(M U::*field)
  const {
    return reduce([field](const T& a, const T& b) {
             T r = a;
             r.*field = a.*field + b.*field;
             return r;
           })
        .name("Keyed Sum");
  }
  template <class M, class U = T>
  requires std::is_class_v<U> SingleOutputStreamOperator<T> min(M U::*field)
  const {
    return reduce([field](const T& a, const T& b) {
             T r = a;
             if (b.*field < a.*field) r.*field = b.*field;
             return r;
           })
        .name("Keyed Min");
  }
  template <class M, class U = T>
  requires std::is_class_v<U> SingleOutputStreamOperator<T> max(M U::*field)
  const {
    return reduce([field](const T& a, const T& b) {
             T r = a;
             if (a.*field < b.*field) r.*field = b.*field;
             return r;
           })
        .name("Keyed Max");
  }

 private:
  template <class Out>
  SingleOutputStreamOperator<Out> addKeyed(std::string name,
                                           std::function<std::unique_ptr<StreamOperator>()> factory) const {
    StreamNode& n = detail::addNode(*this->env_, std::move(name), std::move(factory), detail::typeOps<Out>(),
                                    {this->upstreams_});
    n.keyed = true;
    n.chaining = ChainingStrategy::kAlways;
    return SingleOutputStreamOperator<Out>(this->env_, n.id);
  }

  KeySelector selector_;
};

// Two streams keyed by the same key type feeding a KeyedCoProcessFunction.
template <class K, class A, class KSA, class B, class KSB>
class KeyedConnectedStreams {
 public:
  KeyedConnectedStreams(KeyedStream<K, A, KSA> first, KeyedStream<K, B, KSB> second)
      : first_(std::move(first)), second_(std::move(second)) {}
  template <class F>
  requires std::is_base_of_v<KeyedCoProcessFunction<K, A, B, typename F::OutputType>, F>
      SingleOutputStreamOperator<typename F::OutputType> process(F fn)
  const {
    using Out = typename F::OutputType;
    using Op = KeyedCoProcessOperator<F, KSA, KSB>;
    KSA k1 = first_.keySelector();
    KSB k2 = second_.keySelector();
    StreamNode& n = detail::addNode(first_.environment(), "KeyedCoProcess",
                                    [=] { return std::make_unique<Op>(fn, k1, k2); }, detail::typeOps<Out>(),
                                    {first_.upstreams(), second_.upstreams()});
    n.keyed = true;
    return SingleOutputStreamOperator<Out>(&first_.environment(), n.id);
  }

 private:
  KeyedStream<K, A, KSA> first_;
  KeyedStream<K, B, KSB> second_;
};

// Two streams of possibly different types feeding one two-input operator.
template <class A, class B>
class ConnectedStreams {
 public:
  ConnectedStreams(StreamExecutionEnvironment* env, std::vector<detail::Upstream> first,
                   std::vector<detail::Upstream> second)
      : env_(env), first_(std::move(first)), second_(std::move(second)) {}

  template <class F>
  requires std::is_base_of_v<CoProcessFunction<A, B, typename F::OutputType>, F>
      SingleOutputStreamOperator<typename F::OutputType> process(F fn)
  const {
    return add<typename F::OutputType>("Co-Process",
                                       [fn] { return std::make_unique<CoProcessOperator<F>>(fn); });
  }
  // CoMap: f1 maps records of the first stream, f2 of the second, to one output type.
  template <class F1, class F2>
  auto map(F1 f1, F2 f2) const {
    using Out = std::decay_t<std::invoke_result_t<const F1&, const A&>>;
    static_assert(std::is_convertible_v<std::invoke_result_t<const F2&, const B&>, Out>,
                  "ConnectedStreams::map: both functions must return the same type");
    using Fn = CoMapAdapter<A, B, Out, F1, F2>;
    return add<Out>("Co-Map", [f1, f2] { return std::make_unique<CoProcessOperator<Fn>>(Fn(f1, f2)); });
  }
  // CoFlatMap: f1(const A&, Collector<Out>&) and f2(const B&, Collector<Out>&).
  template <class Out, class F1, class F2>
  SingleOutputStreamOperator<Out> flatMap(F1 f1, F2 f2) const {
    using Fn = CoFlatMapAdapter<A, B, Out, F1, F2>;
    return add<Out>("Co-Flat Map", [f1, f2] { return std::make_unique<CoProcessOperator<Fn>>(Fn(f1, f2)); });
  }

 private:
  template <class Out>
  SingleOutputStreamOperator<Out> add(std::string name,
                                      std::function<std::unique_ptr<StreamOperator>()> f) const {
    StreamNode& n =
        detail::addNode(*env_, std::move(name), std::move(f), detail::typeOps<Out>(), {first_, second_});
    return SingleOutputStreamOperator<Out>(env_, n.id);
  }
  StreamExecutionEnvironment* env_;
  std::vector<detail::Upstream> first_;
  std::vector<detail::Upstream> second_;
};

template <class T, class Split>
SingleOutputStreamOperator<T> StreamExecutionEnvironment::fromSource(
    std::shared_ptr<const Source<T, Split>> source, const std::string& name) {
  return fromSourceWith<T, Split>(std::move(source), nullptr, name);
}

template <class T, class Split>
SingleOutputStreamOperator<T> StreamExecutionEnvironment::fromSource(
    std::shared_ptr<const Source<T, Split>> source, const WatermarkStrategy<T>& strategy,
    const std::string& name) {
  return fromSourceWith<T, Split>(std::move(source), std::make_shared<const WatermarkStrategy<T>>(strategy),
                                  name);
}

template <class T, class Split>
SingleOutputStreamOperator<T> StreamExecutionEnvironment::fromSourceWith(
    std::shared_ptr<const Source<T, Split>> source, std::shared_ptr<const WatermarkStrategy<T>> strategy,
    const std::string& name) {
  requireSerializable<Split>();
  StreamNode& n = detail::addNode(
      *this, name,
      [source, strategy] { return std::make_unique<SourceOperator<T, Split>>(source, strategy); },
      detail::typeOps<T>(), {});
  n.isSource = true;
  n.chaining = ChainingStrategy::kHead;
  n.coordinatorFactory = [source](OperatorCoordinatorContext& ctx) {
    return std::make_unique<SourceCoordinator<T, Split>>(source, ctx);
  };
  return SingleOutputStreamOperator<T>(this, n.id);
}

template <class T>
SingleOutputStreamOperator<T> StreamExecutionEnvironment::fromCollection(std::vector<T> values,
                                                                         const std::string& name) {
  return fromSource<T, CollectionSplit>(std::make_shared<const CollectionSource<T>>(std::move(values)), name);
}

}  // namespace weir

#include <weir/api/joining.h>          // DataStream::join, KeyedStream::intervalJoin
#include <weir/api/windowed_stream.h>  // KeyedStream::window
