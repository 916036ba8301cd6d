// TaskCancelledException: unwinds a task thread that was cancelled while it was
// blocked (waiting for a network buffer, for input, in a sleep of a source).
// The task loop catches it and ends the task as CANCELED, not FAILED.
#pragma once

#include <stdexcept>

namespace weir {

class TaskCancelledException : public std::runtime_error {
 public:
  TaskCancelledException() : std::runtime_error("task cancelled") {}
};

}  // namespace weir
