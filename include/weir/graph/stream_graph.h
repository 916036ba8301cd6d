// StreamGraph: the logical dataflow the DataStream API builds, one StreamNode
// per operator and one StreamEdge per connection, before chaining and
// parallel expansion (Flink's StreamGraph).
//
// Nodes are created in API order, so a node's inputs always have smaller ids:
// node order is a topological order. Types are erased here: a node carries a
// factory for its operator and StreamTypeOps for its output record type.
//
// Not thread-safe; built on the user's thread, then read-only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <weir/core/config.h>
#include <weir/runtime/network_glue.h>
#include <weir/runtime/operator_coordinator.h>
#include <weir/runtime/stream_operator.h>

namespace weir {

enum class ChainingStrategy {
  kAlways,  // chain with the upstream operator when the edge allows it
  kHead,    // start a new chain here, downstream operators may chain to it
  kNever,   // neither chain to upstream nor let downstream chain
};

struct StreamEdge {
  int sourceId = -1;
  int targetId = -1;
  int targetInput = 1;  // 1 or 2
  PartitionerSpec partitioner;
  bool partitionerExplicit = false;  // false: forward if parallelism matches, else rebalance
  // Empty: the edge carries the source node's main output. Otherwise the id of
  // the side output (OutputTag) it carries, whose record type is sideOutputType.
  std::string sideOutputTag;
  std::shared_ptr<const StreamTypeOps> sideOutputType;
  // The record type this edge carries.
  const std::shared_ptr<const StreamTypeOps>& type(const struct StreamNode& source) const;
};

struct StreamNode {
  int id = -1;
  std::string name;
  std::string uid;       // stable id for savepoints; empty = derived from the topology
  int parallelism = -1;  // -1: the environment's default
  int maxParallelism = -1;
  bool isSource = false;
  bool isSink = false;
  bool keyed = false;  // needs a keyed state backend
  ChainingStrategy chaining = ChainingStrategy::kAlways;
  std::function<std::unique_ptr<StreamOperator>()> operatorFactory;
  std::function<std::unique_ptr<OperatorCoordinator>(OperatorCoordinatorContext&)> coordinatorFactory;
  std::shared_ptr<const StreamTypeOps> outputType;  // null for sinks
  std::vector<int> inEdges;                         // indices into StreamGraph::edges
  std::vector<int> outEdges;
  // (id, type name) of the side outputs the job reads, to reject one id used with two types.
  std::vector<std::pair<std::string, std::string>> sideOutputTypeNames;
};

inline const std::shared_ptr<const StreamTypeOps>& StreamEdge::type(const StreamNode& source) const {
  return sideOutputTag.empty() ? source.outputType : sideOutputType;
}

class StreamGraph {
 public:
  StreamNode& addNode(std::string name) {
    StreamNode n;
    n.id = int(nodes_.size());
    n.name = std::move(name);
    nodes_.push_back(std::move(n));
    return nodes_.back();
  }
  void addEdge(StreamEdge e) {
    int idx = int(edges_.size());
    nodes_[size_t(e.sourceId)].outEdges.push_back(idx);
    nodes_[size_t(e.targetId)].inEdges.push_back(idx);
    edges_.push_back(std::move(e));
  }
  StreamNode& node(int id) { return nodes_[size_t(id)]; }
  const StreamNode& node(int id) const { return nodes_[size_t(id)]; }
  const std::vector<StreamNode>& nodes() const { return nodes_; }
  const std::vector<StreamEdge>& edges() const { return edges_; }
  const StreamEdge& edge(int i) const { return edges_[size_t(i)]; }

 private:
  std::vector<StreamNode> nodes_;
  std::vector<StreamEdge> edges_;
};

}  // namespace weir
