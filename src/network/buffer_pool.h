// NetworkBufferPool and LocalBufferPool: the bounded memory of the network stack.
//
// NetworkBufferPool is the process-wide budget of fixed-size segments
// (`taskmanager.memory.network.max` / `taskmanager.memory.segment-size`).
// Each ResultPartition (and, with credit-based channels, each InputGate) gets a
// LocalBufferPool that reserves its maximum number of segments from that budget
// when it is created; creation fails with a clear message when the budget is too
// small. Reserving up front means a pool never waits on another pool, so the
// network cannot deadlock on memory, and the total stays bounded whatever the
// input size. Segments are allocated lazily and reused.
//
// Threading: LocalBufferPool is used by one producer thread (request*) and any
// number of consumer threads (recycle, through Buffer destruction); all of its
// methods are thread-safe. NetworkBufferPool is thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <weir/core/status.h>

#include "network/buffer.h"

namespace weir::network {

class NetworkBufferPool {
 public:
  NetworkBufferPool(size_t totalSegments, uint32_t segmentSize);
  ~NetworkBufferPool();
  NetworkBufferPool(const NetworkBufferPool&) = delete;
  NetworkBufferPool& operator=(const NetworkBufferPool&) = delete;

  uint32_t segmentSize() const { return segmentSize_; }
  size_t totalSegments() const { return totalSegments_; }
  size_t reservedSegments() const;

  // Reserves `n` segments of the budget; fails when fewer remain.
  Status reserve(size_t n, const std::string& forWhat);
  void release(size_t n);

  // Segment memory; only called by LocalBufferPools within their reservation.
  uint8_t* allocateSegment();
  void freeSegment(uint8_t* segment);

 private:
  const size_t totalSegments_;
  const uint32_t segmentSize_;
  mutable std::mutex mu_;
  size_t reserved_ = 0;         // guarded by mu_
  std::vector<uint8_t*> free_;  // guarded by mu_: allocated, currently unused segments
  size_t allocated_ = 0;        // guarded by mu_
};

class LocalBufferPool : public BufferRecycler {
 public:
  // Reserves `maxSegments` from `global`; returns an error naming `owner` when the budget is too small.
  static Result<std::shared_ptr<LocalBufferPool>> create(NetworkBufferPool& global, size_t maxSegments,
                                                         std::string owner);
  ~LocalBufferPool() override;

  // A buffer, or nullptr when every segment of this pool is in use.
  BufferPtr requestBuffer();
  // Waits until a buffer is recycled. Throws TaskCancelledException after cancel().
  BufferPtr requestBufferBlocking();
  bool isAvailable() const;
  // Called (from the recycling thread) each time the pool goes from exhausted to available.
  void setAvailabilityListener(std::function<void()> listener);
  // Wakes and fails every blocked requester; later blocking requests fail too.
  void cancel();

  void recycle(uint8_t* segment) override;

  size_t maxSegments() const { return maxSegments_; }
  size_t segmentsInUse() const;
  uint32_t segmentSize() const { return global_.segmentSize(); }

  LocalBufferPool(NetworkBufferPool& global, size_t maxSegments, std::string owner);

 private:
  BufferPtr takeLocked();  // REQUIRES: mu_ held

  NetworkBufferPool& global_;
  const size_t maxSegments_;
  const std::string owner_;
  mutable std::mutex mu_;
  std::condition_variable available_;
  std::vector<uint8_t*> free_;      // guarded by mu_
  size_t inUse_ = 0;                // guarded by mu_
  size_t allocated_ = 0;            // guarded by mu_
  bool cancelled_ = false;          // guarded by mu_
  std::function<void()> listener_;  // guarded by mu_
};

}  // namespace weir::network
