// buildJobGraph: operator chaining and the validation of what the user asked
// for, driven through the real DataStream API; and connectSubtasks, which maps
// producer subtasks to consumer subtasks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <weir/weir.h>

#include "graph/job_graph.h"

namespace weir::graph {
namespace {

JobGraphOptions defaultOptions(int parallelism = 1) {
  JobGraphOptions o;
  o.defaultParallelism = parallelism;
  return o;
}

JobGraph build(StreamExecutionEnvironment& env, const JobGraphOptions& options = defaultOptions()) {
  Result<JobGraph> jg = buildJobGraph(env.streamGraph(), "t", options);
  EXPECT_TRUE(jg.isOk()) << jg.status().toString();
  if (!jg.isOk()) return JobGraph{};
  return std::move(jg).value();
}

std::shared_ptr<CollectSink<int64_t>> intSink() { return std::make_shared<CollectSink<int64_t>>(); }

// The names of the operators of each vertex, head first.
std::vector<std::vector<std::string>> chains(StreamExecutionEnvironment& env, const JobGraph& jg) {
  std::vector<std::vector<std::string>> out;
  for (const JobVertex& v : jg.vertices) {
    std::vector<std::string> names;
    for (int id : v.chain) names.push_back(env.streamGraph().node(id).name);
    out.push_back(names);
  }
  return out;
}

using Chains = std::vector<std::vector<std::string>>;

TEST(JobGraphTest, SourceMapFilterSinkChainIntoOneVertex) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10)
      .map([](int64_t x) { return x + 1; })
      .filter([](int64_t x) { return x > 2; })
      .sinkTo(intSink(), "Out");
  JobGraph jg = build(env);
  ASSERT_EQ(jg.vertices.size(), 1u);
  EXPECT_EQ(chains(env, jg), (Chains{{"Sequence Source", "Map", "Filter", "Out"}}));
  EXPECT_EQ(jg.vertices[0].name, "Source: Sequence Source -> Map -> Filter -> Sink: Out");
  EXPECT_TRUE(jg.edges.empty());
  EXPECT_EQ(jg.edgeChained, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(jg.jobEdgeOfStreamEdge, (std::vector<int>{-1, -1, -1}));
  EXPECT_EQ(jg.vertexOfNode, (std::vector<int>{0, 0, 0, 0}));
  EXPECT_EQ(jg.vertices[0].parallelism, 1);
  EXPECT_EQ(jg.vertices[0].maxParallelism, kDefaultMaxParallelism);
}

TEST(JobGraphTest, TwoOperatorsWithOneUidAreRefused) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10)
      .uid("numbers")
      .map([](int64_t x) { return x + 1; })
      .name("plus-one")
      .uid("numbers")
      .sinkTo(intSink());
  Result<JobGraph> jg = buildJobGraph(env.streamGraph(), "t", defaultOptions());
  ASSERT_FALSE(jg.isOk());
  EXPECT_EQ(jg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(jg.status().message().find("and 'plus-one' have the same uid 'numbers'"), std::string::npos)
      << jg.status().message();
}

TEST(JobGraphTest, DefaultParallelismComesFromTheOptions) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10).map([](int64_t x) { return x; }).sinkTo(intSink());
  JobGraph jg = build(env, defaultOptions(3));
  ASSERT_EQ(jg.vertices.size(), 1u);
  EXPECT_EQ(jg.vertices[0].parallelism, 3);
  EXPECT_EQ(jg.nodeParallelism, (std::vector<int>{3, 3, 3}));
}

TEST(JobGraphTest, KeyByBreaksTheChain) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10)
      .map([](int64_t x) { return x; })
      .keyBy([](int64_t x) { return x % 3; })
      .reduce([](int64_t a, int64_t b) { return a + b; })
      .sinkTo(intSink(), "Out");
  JobGraph jg = build(env, defaultOptions(2));
  EXPECT_EQ(chains(env, jg), (Chains{{"Sequence Source", "Map"}, {"Keyed Reduce", "Out"}}));
  ASSERT_EQ(jg.edges.size(), 1u);
  const JobEdge& e = jg.edges[0];
  EXPECT_EQ(e.partitioner.kind, PartitionerKind::kKeyGroup);
  EXPECT_EQ(e.pattern, DistributionPattern::kAllToAll);
  EXPECT_EQ(e.sourceVertex, 0);
  EXPECT_EQ(e.targetVertex, 1);
  EXPECT_EQ(env.streamGraph().node(e.sourceNode).name, "Map");
  EXPECT_EQ(env.streamGraph().node(e.targetNode).name, "Keyed Reduce");
  EXPECT_EQ(jg.vertices[0].outputEdges, (std::vector<int>{0}));
  EXPECT_EQ(jg.vertices[1].inputEdges, (std::vector<int>{0}));
  EXPECT_EQ(jg.edgeChained, (std::vector<bool>{true, false, true}));
}

TEST(JobGraphTest, RebalanceBreaksTheChain) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10).rebalance().map([](int64_t x) { return x; }).sinkTo(intSink(), "Out");
  JobGraph jg = build(env, defaultOptions(2));
  EXPECT_EQ(chains(env, jg), (Chains{{"Sequence Source"}, {"Map", "Out"}}));
  ASSERT_EQ(jg.edges.size(), 1u);
  EXPECT_EQ(jg.edges[0].partitioner.kind, PartitionerKind::kRebalance);
  EXPECT_EQ(jg.edges[0].pattern, DistributionPattern::kAllToAll);
}

TEST(JobGraphTest, RescaleIsPointwise) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10)
      .rescale()
      .map([](int64_t x) { return x; })
      .setParallelism(4)
      .sinkTo(intSink(), "Out");
  JobGraph jg = build(env, defaultOptions(2));
  ASSERT_FALSE(jg.edges.empty());
  EXPECT_EQ(jg.edges[0].partitioner.kind, PartitionerKind::kRescale);
  EXPECT_EQ(jg.edges[0].pattern, DistributionPattern::kPointwise);
}

TEST(JobGraphTest, DifferentParallelismBreaksTheChainWithRebalance) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10)
      .map([](int64_t x) { return x; })
      .name("Wide")
      .setParallelism(4)
      .filter([](int64_t) { return true; })
      .setParallelism(4)
      .sinkTo(intSink(), "Out");  // default parallelism 2
  JobGraph jg = build(env, defaultOptions(2));
  EXPECT_EQ(chains(env, jg), (Chains{{"Sequence Source"}, {"Wide", "Filter"}, {"Out"}}));
  ASSERT_EQ(jg.edges.size(), 2u);
  for (const JobEdge& e : jg.edges) {
    EXPECT_EQ(e.partitioner.kind, PartitionerKind::kRebalance)
        << "an implicit edge between parallelisms rebalances";
    EXPECT_EQ(e.pattern, DistributionPattern::kAllToAll);
  }
  EXPECT_EQ(jg.vertices[0].parallelism, 2);
  EXPECT_EQ(jg.vertices[1].parallelism, 4);
  EXPECT_EQ(jg.vertices[2].parallelism, 2);
}

TEST(JobGraphTest, DisableChainingIsolatesTheOperator) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10)
      .map([](int64_t x) { return x; })
      .disableChaining()
      .filter([](int64_t) { return true; })
      .sinkTo(intSink(), "Out");
  JobGraph jg = build(env);
  // Neither chained to its input nor chained to by its output.
  EXPECT_EQ(chains(env, jg), (Chains{{"Sequence Source"}, {"Map"}, {"Filter", "Out"}}));
  ASSERT_EQ(jg.edges.size(), 2u);
  for (const JobEdge& e : jg.edges) {
    EXPECT_EQ(e.partitioner.kind, PartitionerKind::kForward);
    EXPECT_EQ(e.pattern, DistributionPattern::kPointwise);
  }
}

TEST(JobGraphTest, SinkDisableChaining) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10).map([](int64_t x) { return x; }).sinkTo(intSink(), "Out").disableChaining();
  JobGraph jg = build(env);
  EXPECT_EQ(chains(env, jg), (Chains{{"Sequence Source", "Map"}, {"Out"}}));
}

TEST(JobGraphTest, StartNewChainBeginsAChainThatDownstreamJoins) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10)
      .map([](int64_t x) { return x; })
      .startNewChain()
      .filter([](int64_t) { return true; })
      .sinkTo(intSink(), "Out");
  JobGraph jg = build(env);
  EXPECT_EQ(chains(env, jg), (Chains{{"Sequence Source"}, {"Map", "Filter", "Out"}}));
}

TEST(JobGraphTest, ChainingDisabledInOptionsGivesOneVertexPerOperator) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10)
      .map([](int64_t x) { return x; })
      .filter([](int64_t) { return true; })
      .sinkTo(intSink(), "Out");
  JobGraphOptions o = defaultOptions(2);
  o.chainingEnabled = false;
  JobGraph jg = build(env, o);
  EXPECT_EQ(chains(env, jg), (Chains{{"Sequence Source"}, {"Map"}, {"Filter"}, {"Out"}}));
  EXPECT_EQ(jg.edges.size(), 3u);
  EXPECT_EQ(jg.edgeChained, (std::vector<bool>{false, false, false}));
  for (size_t i = 0; i < jg.edges.size(); ++i) {
    EXPECT_EQ(jg.edges[i].sourceVertex, int(i));
    EXPECT_EQ(jg.edges[i].targetVertex, int(i) + 1);
    EXPECT_EQ(jg.edges[i].pattern, DistributionPattern::kPointwise);
  }
}

TEST(JobGraphTest, OperatorAfterUnionHasTwoInputsAndHeadsItsOwnChain) {
  StreamExecutionEnvironment env;
  auto a = env.fromSequence(1, 10);
  auto b = env.fromSequence(11, 20).map([](int64_t x) { return x; }).name("B map");
  a.unionWith(b).map([](int64_t x) { return x * 2; }).name("After union").sinkTo(intSink(), "Out");
  JobGraph jg = build(env, defaultOptions(2));
  EXPECT_EQ(chains(env, jg),
            (Chains{{"Sequence Source"}, {"Sequence Source", "B map"}, {"After union", "Out"}}));
  const JobVertex& u = jg.vertices[2];
  ASSERT_EQ(u.inputEdges.size(), 2u);
  EXPECT_EQ(jg.edges[size_t(u.inputEdges[0])].sourceVertex, 0);
  EXPECT_EQ(jg.edges[size_t(u.inputEdges[1])].sourceVertex, 1);
  for (int ei : u.inputEdges) {
    EXPECT_EQ(jg.edges[size_t(ei)].targetInput, 1) << "union feeds one logical input";
    EXPECT_EQ(jg.edges[size_t(ei)].partitioner.kind, PartitionerKind::kForward);
  }
}

TEST(JobGraphTest, ConnectedStreamsUseTwoInputs) {
  StreamExecutionEnvironment env;
  auto a = env.fromSequence(1, 10);
  auto b = env.fromElements(std::string("x"), std::string("y"));
  a.connect(b)
      .map([](const int64_t& x) { return x; }, [](const std::string& s) { return int64_t(s.size()); })
      .sinkTo(intSink(), "Out");
  JobGraph jg = build(env);
  ASSERT_EQ(jg.vertices.size(), 3u);
  const JobVertex& co = jg.vertices[2];
  EXPECT_EQ(chains(env, jg)[2], (std::vector<std::string>{"Co-Map", "Out"}));
  ASSERT_EQ(co.inputEdges.size(), 2u);
  EXPECT_EQ(jg.edges[size_t(co.inputEdges[0])].targetInput, 1);
  EXPECT_EQ(jg.edges[size_t(co.inputEdges[1])].targetInput, 2);
}

TEST(JobGraphTest, ForwardWithDifferentParallelismNamesBothOperators) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10)
      .map([](int64_t x) { return x; })
      .name("Narrow")
      .forward()
      .map([](int64_t x) { return x; })
      .name("Wide")
      .setParallelism(3)
      .sinkTo(intSink(), "Out");
  Result<JobGraph> jg = buildJobGraph(env.streamGraph(), "t", defaultOptions(1));
  ASSERT_FALSE(jg.isOk());
  EXPECT_EQ(jg.status().code(), StatusCode::kInvalidArgument);
  const std::string& msg = jg.status().message();
  EXPECT_NE(msg.find("'Narrow'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'Wide'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("forward"), std::string::npos) << msg;
}

TEST(JobGraphTest, ExplicitForwardWithEqualParallelismChains) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10).forward().map([](int64_t x) { return x; }).sinkTo(intSink(), "Out");
  JobGraph jg = build(env, defaultOptions(2));
  EXPECT_EQ(chains(env, jg), (Chains{{"Sequence Source", "Map", "Out"}}));
}

TEST(JobGraphTest, JobWithoutSinkIsRejected) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10).map([](int64_t x) { return x; });
  Result<JobGraph> jg = buildJobGraph(env.streamGraph(), "t", defaultOptions());
  ASSERT_FALSE(jg.isOk());
  EXPECT_EQ(jg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(jg.status().message().find("no sink"), std::string::npos) << jg.status().message();
}

TEST(JobGraphTest, EmptyJobIsRejected) {
  StreamExecutionEnvironment env;
  Result<JobGraph> jg = buildJobGraph(env.streamGraph(), "t", defaultOptions());
  ASSERT_FALSE(jg.isOk());
  EXPECT_EQ(jg.status().code(), StatusCode::kInvalidArgument);
}

TEST(JobGraphTest, ParallelismAboveMaxParallelismIsRejected) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10)
      .map([](int64_t x) { return x; })
      .name("Big")
      .setParallelism(8)
      .setMaxParallelism(4)
      .sinkTo(intSink());
  Result<JobGraph> jg = buildJobGraph(env.streamGraph(), "t", defaultOptions());
  ASSERT_FALSE(jg.isOk());
  EXPECT_EQ(jg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(jg.status().message().find("'Big'"), std::string::npos) << jg.status().message();
  EXPECT_NE(jg.status().message().find("pipeline.max-parallelism"), std::string::npos)
      << jg.status().message();
}

TEST(JobGraphTest, KeyedOperatorMaxParallelismBecomesTheVertexMaxParallelism) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10)
      .keyBy([](int64_t x) { return x; })
      .reduce([](int64_t a, int64_t b) { return a + b; })
      .setMaxParallelism(64)
      .sinkTo(intSink());
  JobGraph jg = build(env, defaultOptions(2));
  ASSERT_EQ(jg.vertices.size(), 2u);
  EXPECT_EQ(jg.vertices[1].maxParallelism, 64);
  EXPECT_EQ(jg.nodeMaxParallelism[size_t(jg.edges[0].targetNode)], 64);
}

// Whether the user chose a max parallelism decides whether a restore may adopt the checkpoint's.
TEST(JobGraphTest, RecordsWhichMaxParallelismTheUserChose) {
  StreamExecutionEnvironment env;
  env.fromSequence(1, 10)
      .keyBy([](int64_t x) { return x; })
      .reduce([](int64_t a, int64_t b) { return a + b; })
      .setMaxParallelism(64)
      .keyBy([](int64_t x) { return x; })
      .reduce([](int64_t a, int64_t b) { return a + b; })
      .sinkTo(intSink());
  JobGraph jg = build(env, defaultOptions(2));
  ASSERT_EQ(jg.edges.size(), 2u);  // the sink is chained to the second reduce
  EXPECT_TRUE(jg.nodeMaxParallelismChosen[size_t(jg.edges[0].targetNode)]);
  EXPECT_FALSE(jg.nodeMaxParallelismChosen[size_t(jg.edges[1].targetNode)]);
  JobGraphOptions configured = defaultOptions(2);
  configured.defaultMaxParallelismChosen = true;  // pipeline.max-parallelism is set
  jg = build(env, configured);
  EXPECT_TRUE(jg.nodeMaxParallelismChosen[size_t(jg.edges[1].targetNode)]);
}

// ---- connectSubtasks ----

using Lists = std::vector<std::vector<int>>;

TEST(ConnectSubtasksTest, PointwiseFanOutTwoToFour) {
  SubtaskConnections c = connectSubtasks(DistributionPattern::kPointwise, 2, 4);
  EXPECT_EQ(c.consumersOfProducer, (Lists{{0, 1}, {2, 3}}));
  EXPECT_EQ(c.producersOfConsumer, (Lists{{0}, {0}, {1}, {1}}));
}

TEST(ConnectSubtasksTest, PointwiseFanInFourToTwo) {
  SubtaskConnections c = connectSubtasks(DistributionPattern::kPointwise, 4, 2);
  EXPECT_EQ(c.consumersOfProducer, (Lists{{0}, {0}, {1}, {1}}));
  EXPECT_EQ(c.producersOfConsumer, (Lists{{0, 1}, {2, 3}}));
}

TEST(ConnectSubtasksTest, PointwiseEqualIsOneToOne) {
  SubtaskConnections c = connectSubtasks(DistributionPattern::kPointwise, 3, 3);
  EXPECT_EQ(c.consumersOfProducer, (Lists{{0}, {1}, {2}}));
  EXPECT_EQ(c.producersOfConsumer, (Lists{{0}, {1}, {2}}));
}

TEST(ConnectSubtasksTest, AllToAll) {
  SubtaskConnections c = connectSubtasks(DistributionPattern::kAllToAll, 2, 3);
  EXPECT_EQ(c.consumersOfProducer, (Lists{{0, 1, 2}, {0, 1, 2}}));
  EXPECT_EQ(c.producersOfConsumer, (Lists{{0, 1}, {0, 1}, {0, 1}}));
}

TEST(ConnectSubtasksTest, PointwiseInvariantsForManyShapes) {
  for (int p = 1; p <= 12; ++p) {
    for (int q = 1; q <= 12; ++q) {
      SubtaskConnections c = connectSubtasks(DistributionPattern::kPointwise, p, q);
      ASSERT_EQ(c.consumersOfProducer.size(), size_t(p));
      ASSERT_EQ(c.producersOfConsumer.size(), size_t(q));
      size_t links = 0;
      for (int i = 0; i < p; ++i) {
        const auto& cs = c.consumersOfProducer[size_t(i)];
        ASSERT_FALSE(cs.empty()) << p << "->" << q << ": producer " << i << " feeds nobody";
        if (p >= q) {
          ASSERT_EQ(cs.size(), 1u) << p << "->" << q;
        }
        // Contiguous and ascending.
        for (size_t k = 1; k < cs.size(); ++k) ASSERT_EQ(cs[k], cs[k - 1] + 1) << p << "->" << q;
        links += cs.size();
        // Symmetric with producersOfConsumer.
        for (int consumer : cs) {
          const auto& ps = c.producersOfConsumer[size_t(consumer)];
          ASSERT_NE(std::find(ps.begin(), ps.end(), i), ps.end()) << p << "->" << q;
        }
      }
      size_t back = 0;
      for (int j = 0; j < q; ++j) {
        const auto& ps = c.producersOfConsumer[size_t(j)];
        ASSERT_FALSE(ps.empty()) << p << "->" << q << ": consumer " << j << " has no producer";
        if (q >= p) {
          ASSERT_EQ(ps.size(), 1u) << p << "->" << q;
        }
        for (size_t k = 1; k < ps.size(); ++k) ASSERT_EQ(ps[k], ps[k - 1] + 1) << p << "->" << q;
        back += ps.size();
      }
      EXPECT_EQ(links, size_t(std::max(p, q))) << "pointwise links each subtask of the larger side once";
      EXPECT_EQ(back, links);
      // Balanced: the larger side spreads evenly (counts differ by at most one).
      const Lists& fan = p >= q ? c.producersOfConsumer : c.consumersOfProducer;
      size_t lo = SIZE_MAX, hi = 0;
      for (const auto& l : fan) lo = std::min(lo, l.size()), hi = std::max(hi, l.size());
      EXPECT_LE(hi - lo, 1u) << p << "->" << q;
    }
  }
}

}  // namespace
}  // namespace weir::graph
