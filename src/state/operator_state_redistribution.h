// Redistribution of operator list state when an operator's parallelism changes
// (Flink's RoundRobinOperatorStateRepartitioner), done by the JobMaster before
// it deploys the subtasks of a restored job.
//
// Nothing is read or rewritten: a redistributed handle names the stream of an
// old subtask's handle and, per list, the subset of that stream's element
// offsets that the new subtask gets (restoreOperatorState reads exactly those
// elements). A new subtask may so get several handles, one per old stream it
// takes elements from; it gets no handle for a stream it takes nothing from,
// and a list of which it gets no element does not appear in its handles.
//
// Per list, by the distribution mode recorded in the handles:
// - kSplitDistribute: the elements of all old subtasks, in (old subtask,
//   element) order, are dealt round robin: element k goes to new subtask
//   k % newParallelism, so the shares differ by at most one element. With an
//   unchanged parallelism every subtask keeps exactly its own elements.
// - kUnion: every new subtask gets every element of every old subtask.
// - kBroadcast: every new subtask gets the elements of the first old subtask
//   that has the list (all old subtasks held the same elements).
//
// Pure function; callable from any thread.
#pragma once

#include <vector>

#include "checkpoint/state_handles.h"

namespace weir::state {

// `old[i]` is the handle of old subtask i (a handle without states for a subtask
// that had no operator state). Returns `newParallelism` lists: entry j holds the
// handles new subtask j passes to restoreOperatorState. REQUIRES: newParallelism > 0.
std::vector<std::vector<checkpoint::OperatorStateHandle>> redistributeOperatorState(
    const std::vector<checkpoint::OperatorStateHandle>& old, int newParallelism);

}  // namespace weir::state
