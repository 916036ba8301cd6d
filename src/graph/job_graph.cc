#include "graph/job_graph.h"

#include <map>

#include <weir/core/check.h>

namespace weir::graph {

namespace {

std::string quoted(const StreamNode& n) { return "'" + n.name + "'"; }

}  // namespace

Result<JobGraph> buildJobGraph(const StreamGraph& g, const std::string& jobName,
                               const JobGraphOptions& options) {
  JobGraph jg;
  jg.name = jobName;
  const size_t numNodes = g.nodes().size();
  if (numNodes == 0) return Status::invalidArgument("the job has no operators: add a source and a sink");
  if (options.defaultParallelism < 1)
    return Status::invalidArgument("parallelism.default must be at least 1");

  // Resolve parallelism and validate every node.
  jg.nodeParallelism.resize(numNodes);
  jg.nodeMaxParallelism.resize(numNodes);
  jg.nodeMaxParallelismChosen.resize(numNodes);
  bool hasSink = false;
  // A uid names an operator's state in checkpoints and savepoints: two operators with one
  // uid would overwrite each other's state.
  std::map<std::string, const StreamNode*> byUid;
  for (const StreamNode& n : g.nodes()) {
    if (n.uid.empty()) continue;
    auto [it, fresh] = byUid.emplace(n.uid, &n);
    if (!fresh) {
      return Status::invalidArgument("operators " + quoted(*it->second) + " and " + quoted(n) +
                                     " have the same uid '" + n.uid +
                                     "'; a uid names one operator's state in checkpoints and savepoints");
    }
  }
  for (const StreamNode& n : g.nodes()) {
    int p = n.parallelism > 0 ? n.parallelism : options.defaultParallelism;
    int maxP = n.maxParallelism > 0 ? n.maxParallelism : options.defaultMaxParallelism;
    if (maxP > kUpperBoundMaxParallelism) {
      return Status::invalidArgument("operator " + quoted(n) + ": max parallelism " + std::to_string(maxP) +
                                     " exceeds the upper bound " + std::to_string(kUpperBoundMaxParallelism));
    }
    if (p > maxP) {
      return Status::invalidArgument("operator " + quoted(n) + ": parallelism " + std::to_string(p) +
                                     " is larger than its max parallelism " + std::to_string(maxP) +
                                     " (the number of key groups); raise pipeline.max-parallelism");
    }
    if (!n.isSource && n.inEdges.empty()) {
      return Status::invalidArgument("operator " + quoted(n) + " has no input");
    }
    hasSink |= n.isSink;
    jg.nodeParallelism[size_t(n.id)] = p;
    jg.nodeMaxParallelism[size_t(n.id)] = maxP;
    jg.nodeMaxParallelismChosen[size_t(n.id)] = n.maxParallelism > 0 || options.defaultMaxParallelismChosen;
  }
  if (!hasSink) {
    return Status::invalidArgument(
        "the job has no sink, so it would compute nothing visible: add a sink (sinkTo, "
        "print, writeAsText) to a stream");
  }

  // Chaining: a node joins its input's chain when that is its only input, the
  // edge is forward, parallelism is equal and neither side forbids it.
  jg.edgeChained.assign(g.edges().size(), false);
  std::vector<int> headOf(numNodes);
  for (const StreamNode& n : g.nodes()) {
    headOf[size_t(n.id)] = n.id;
    for (int ei : n.inEdges) {
      const StreamEdge& e = g.edge(ei);
      const StreamNode& src = g.node(e.sourceId);
      int ps = jg.nodeParallelism[size_t(src.id)], pt = jg.nodeParallelism[size_t(n.id)];
      bool forward = e.partitioner.kind == PartitionerKind::kForward;
      if (forward && e.partitionerExplicit && ps != pt) {
        return Status::invalidArgument("forward partitioning from " + quoted(src) + " (parallelism " +
                                       std::to_string(ps) + ") to " + quoted(n) + " (parallelism " +
                                       std::to_string(pt) +
                                       ") needs equal parallelism; use rebalance() or rescale() instead");
      }
    }
    if (n.inEdges.size() != 1) continue;
    const StreamEdge& e = g.edge(n.inEdges[0]);
    const StreamNode& src = g.node(e.sourceId);
    bool chainable = options.chainingEnabled && e.partitioner.kind == PartitionerKind::kForward &&
                     jg.nodeParallelism[size_t(src.id)] == jg.nodeParallelism[size_t(n.id)] &&
                     n.chaining == ChainingStrategy::kAlways && src.chaining != ChainingStrategy::kNever &&
                     !n.isSource;
    if (chainable) {
      jg.edgeChained[size_t(n.inEdges[0])] = true;
      headOf[size_t(n.id)] = headOf[size_t(src.id)];
    }
  }

  // One vertex per chain head, in node (topological) order.
  jg.vertexOfNode.assign(numNodes, -1);
  for (const StreamNode& n : g.nodes()) {
    int head = headOf[size_t(n.id)];
    if (head == n.id) {
      JobVertex v;
      v.id = int(jg.vertices.size());
      v.parallelism = jg.nodeParallelism[size_t(n.id)];
      v.maxParallelism = jg.nodeMaxParallelism[size_t(n.id)];
      jg.vertices.push_back(v);
    }
    int vid =
        jg.vertexOfNode[size_t(head)] >= 0 ? jg.vertexOfNode[size_t(head)] : int(jg.vertices.size()) - 1;
    jg.vertexOfNode[size_t(n.id)] = vid;
    JobVertex& v = jg.vertices[size_t(vid)];
    v.chain.push_back(n.id);
    // A keyed operator inside a chain keeps its own max parallelism for its state; the vertex's
    // max parallelism is its head's (used for key-group ranges of keyed heads).
  }
  for (JobVertex& v : jg.vertices) {
    std::string name;
    for (int id : v.chain) {
      const StreamNode& n = g.node(id);
      if (!name.empty()) name += " -> ";
      name += n.isSource ? "Source: " + n.name : n.isSink ? "Sink: " + n.name : n.name;
    }
    v.name = name;
    // Keyed operators in a chain must agree with the head on max parallelism, since the key-group
    // range is computed per subtask of the vertex.
    for (int id : v.chain) {
      if (g.node(id).keyed) v.maxParallelism = jg.nodeMaxParallelism[size_t(id)];
    }
  }

  // Network edges.
  jg.jobEdgeOfStreamEdge.assign(g.edges().size(), -1);
  for (size_t ei = 0; ei < g.edges().size(); ++ei) {
    if (jg.edgeChained[ei]) continue;
    const StreamEdge& e = g.edges()[ei];
    JobEdge je;
    je.id = int(jg.edges.size());
    je.sourceNode = e.sourceId;
    je.targetNode = e.targetId;
    je.sourceVertex = jg.vertexOfNode[size_t(e.sourceId)];
    je.targetVertex = jg.vertexOfNode[size_t(e.targetId)];
    je.targetInput = e.targetInput;
    je.partitioner = e.partitioner;
    je.sideOutputTag = e.sideOutputTag;
    je.type = e.type(g.node(e.sourceId));
    int ps = jg.nodeParallelism[size_t(e.sourceId)], pt = jg.nodeParallelism[size_t(e.targetId)];
    if (je.partitioner.kind == PartitionerKind::kForward && ps != pt) {
      je.partitioner.kind = PartitionerKind::kRebalance;  // the default edge between different parallelisms
    }
    if (je.partitioner.kind == PartitionerKind::kKeyGroup &&
        jg.nodeMaxParallelism[size_t(e.targetId)] != jg.vertices[size_t(je.targetVertex)].maxParallelism) {
      return Status::internal("keyed edge into a vertex with another max parallelism");
    }
    je.pattern =
        (je.partitioner.kind == PartitionerKind::kForward || je.partitioner.kind == PartitionerKind::kRescale)
            ? DistributionPattern::kPointwise
            : DistributionPattern::kAllToAll;
    WEIR_CHECK(headOf[size_t(e.targetId)] == e.targetId);
    jg.jobEdgeOfStreamEdge[ei] = je.id;
    jg.vertices[size_t(je.sourceVertex)].outputEdges.push_back(je.id);
    jg.vertices[size_t(je.targetVertex)].inputEdges.push_back(je.id);
    jg.edges.push_back(std::move(je));
  }
  return jg;
}

SubtaskConnections connectSubtasks(DistributionPattern pattern, int producers, int consumers) {
  SubtaskConnections c;
  c.producersOfConsumer.resize(size_t(consumers));
  c.consumersOfProducer.resize(size_t(producers));
  auto link = [&](int p, int q) {
    c.consumersOfProducer[size_t(p)].push_back(q);
    c.producersOfConsumer[size_t(q)].push_back(p);
  };
  if (pattern == DistributionPattern::kAllToAll) {
    for (int p = 0; p < producers; ++p)
      for (int q = 0; q < consumers; ++q) link(p, q);
  } else if (producers >= consumers) {
    for (int p = 0; p < producers; ++p) link(p, int(int64_t(p) * consumers / producers));
  } else {
    for (int q = 0; q < consumers; ++q) link(int(int64_t(q) * producers / consumers), q);
  }
  // link() in the fan-out case appends producers' consumers in consumer order already; the
  // all-to-all and fan-in cases append in producer order, which is channel order.
  return c;
}

}  // namespace weir::graph
