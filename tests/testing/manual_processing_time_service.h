// ManualProcessingTimeService: a ProcessingTimeService whose clock only moves
// when a test says so. Callbacks wait until advanceTo() (or runDue()) runs the
// due ones, in timestamp order (then registration order), on the calling thread,
// including callbacks that the callbacks register and that are already due, as a
// task's mailbox would run them. A timer registered for a past time is due at
// once, like on the real timer thread.
// Single-threaded, like the task thread it stands in for.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include <weir/runtime/runtime_context.h>

namespace weir::testing {

class ManualProcessingTimeService final : public ProcessingTimeService {
 public:
  explicit ManualProcessingTimeService(int64_t now = 0) : now_(now) {}

  int64_t currentProcessingTime() const override { return now_; }
  void registerTimer(int64_t timestamp, std::function<void(int64_t)> callback) override {
    pending_.emplace(std::make_pair(timestamp, nextSeq_++), std::move(callback));
  }

  // Sets the clock (never backwards) and runs every due callback; returns how many ran.
  int advanceTo(int64_t now) {
    if (now > now_) now_ = now;
    return runDue();
  }
  // Runs every callback due at the current time; returns how many ran.
  int runDue() {
    int ran = 0;
    while (!pending_.empty() && pending_.begin()->first.first <= now_) {
      auto node = pending_.extract(pending_.begin());
      node.mapped()(node.key().first);
      ++ran;
    }
    return ran;
  }
  // Number of callbacks due now but not run yet.
  size_t numDue() const {
    size_t n = 0;
    for (auto it = pending_.begin(); it != pending_.end() && it->first.first <= now_; ++it) ++n;
    return n;
  }
  size_t numPending() const { return pending_.size(); }

 private:
  int64_t now_;
  uint64_t nextSeq_ = 0;
  std::map<std::pair<int64_t, uint64_t>, std::function<void(int64_t)>> pending_;
};

}  // namespace weir::testing
