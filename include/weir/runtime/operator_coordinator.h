// OperatorCoordinator: job-wide logic of one operator that runs in the
// JobMaster and exchanges events with the operator's subtasks (Flink's
// OperatorCoordinator; a source's SplitEnumerator runs inside one).
//
// Events are bytes, so the same code works in-process and over RPC. The
// coordinator serialises its own calls: handleEventFromOperator may be called
// from several task threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace weir {

class OperatorCoordinatorContext {
 public:
  virtual ~OperatorCoordinatorContext() = default;
  virtual int currentParallelism() const = 0;
  // Delivers an event to subtask `subtask` (as a mail on its task thread). Thread-safe.
  virtual void sendEventToOperator(int subtask, std::vector<uint8_t> event) = 0;
};

class OperatorCoordinator {
 public:
  virtual ~OperatorCoordinator() = default;
  virtual void start() = 0;
  virtual void handleEventFromOperator(int subtask, const std::vector<uint8_t>& event) = 0;
  virtual void close() {}
  // Snapshots the coordinator for checkpoint `checkpointId`, then calls
  // `triggerSubtasks` before any further event can reach a subtask: an event sent
  // after the snapshot is then delivered after the subtask's own snapshot, so that
  // no split is in both the coordinator's and a reader's state, nor in neither.
  virtual std::string checkpointCoordinator(int64_t checkpointId,
                                            const std::function<void()>& triggerSubtasks) = 0;
  // Before start(): restore the state of a checkpoint.
  virtual void resetToCheckpoint(const std::string& state) = 0;
};

}  // namespace weir
