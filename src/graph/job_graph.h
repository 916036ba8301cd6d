// JobGraph: the StreamGraph after operator chaining (Flink's JobGraph).
//
// Operators joined by forward edges of equal parallelism (where chaining is
// allowed) form one JobVertex, executed by one task per parallel subtask and
// connected by direct calls. Edges between vertices become JobEdges that go
// through the network. buildJobGraph resolves default parallelism, validates
// what the user asked for, and reports mistakes as InvalidArgument with the
// operator names involved.
//
// Values; not thread-safe while built, read-only afterwards.
#pragma once

#include <string>
#include <vector>

#include <weir/core/config.h>
#include <weir/core/status.h>
#include <weir/graph/stream_graph.h>

namespace weir::graph {

enum class DistributionPattern {
  kAllToAll,   // every producer subtask feeds every consumer subtask
  kPointwise,  // each producer feeds a contiguous subset (forward, rescale)
};

struct JobEdge {
  int id = -1;
  int sourceVertex = -1;
  int targetVertex = -1;
  int sourceNode = -1;  // the stream node producing the records
  int targetNode = -1;  // the chain head consuming them
  int targetInput = 1;
  PartitionerSpec partitioner;
  DistributionPattern pattern = DistributionPattern::kAllToAll;
  std::string sideOutputTag;                  // empty: the source node's main output
  std::shared_ptr<const StreamTypeOps> type;  // of the records on this edge
};

struct JobVertex {
  int id = -1;
  std::string name;  // "Source: lines -> Tokenizer"
  int parallelism = 1;
  int maxParallelism = kDefaultMaxParallelism;
  std::vector<int> chain;        // stream node ids, head first, topological order
  std::vector<int> inputEdges;   // JobEdge ids, in the head's input order
  std::vector<int> outputEdges;  // JobEdge ids
  int headNode() const { return chain.front(); }
};

struct JobGraph {
  std::string name;
  std::vector<JobVertex> vertices;  // topological order
  std::vector<JobEdge> edges;
  // For every stream node: its vertex, and whether each out edge is chained.
  std::vector<int> vertexOfNode;
  std::vector<bool> edgeChained;         // indexed like StreamGraph::edges
  std::vector<int> jobEdgeOfStreamEdge;  // -1 for chained edges
  std::vector<int> nodeParallelism;
  std::vector<int> nodeMaxParallelism;
  // Whether the user chose it (setMaxParallelism on the operator, or pipeline.max-parallelism):
  // a restore adopts the checkpoint's max parallelism for operators where it is not chosen.
  std::vector<bool> nodeMaxParallelismChosen;
};

struct JobGraphOptions {
  int defaultParallelism = 1;
  int defaultMaxParallelism = kDefaultMaxParallelism;
  bool defaultMaxParallelismChosen = false;  // pipeline.max-parallelism is set
  bool chainingEnabled = true;
};

Result<JobGraph> buildJobGraph(const StreamGraph& graph, const std::string& jobName,
                               const JobGraphOptions& options);

// For a pointwise edge, the consumer subtask that producer subtask `i` feeds
// first and how many; for all-to-all every producer feeds every consumer.
struct SubtaskConnections {
  // producers[c] = producer subtasks of consumer c, in channel order
  std::vector<std::vector<int>> producersOfConsumer;
  // consumers[p] = consumer subtasks of producer p, in subpartition order
  std::vector<std::vector<int>> consumersOfProducer;
};
SubtaskConnections connectSubtasks(DistributionPattern pattern, int producers, int consumers);

}  // namespace weir::graph
