// FakeReaderContext: a SourceReaderContext for unit tests of source readers
// outside any task: subtask 0 of 1, a clock standing at 0, and a count of the
// split requests the reader sent. Single-threaded, like the task thread.
#pragma once

#include <cstdint>

#include <weir/connectors/source.h>

namespace weir::testing {

class FakeReaderContext final : public SourceReaderContext {
 public:
  int indexOfSubtask() const override { return 0; }
  int parallelism() const override { return 1; }
  void sendSplitRequest() override { ++splitRequests; }
  int64_t currentTimeMillis() const override { return 0; }
  void wakeUpAt(int64_t) override {}
  void wakeUp() override {}
  int splitRequests = 0;
};

}  // namespace weir::testing
