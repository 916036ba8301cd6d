#include "network/buffer_pool.h"

#include <cstdlib>

#include <weir/core/cancellation.h>
#include <weir/core/check.h>

namespace weir::network {

NetworkBufferPool::NetworkBufferPool(size_t totalSegments, uint32_t segmentSize)
    : totalSegments_(totalSegments), segmentSize_(segmentSize) {
  WEIR_CHECK(segmentSize >= 64);
}

NetworkBufferPool::~NetworkBufferPool() {
  std::lock_guard lock(mu_);
  WEIR_CHECK_MSG(free_.size() == allocated_, "network segments still in use when the pool is destroyed");
  for (uint8_t* s : free_) std::free(s);
}

size_t NetworkBufferPool::reservedSegments() const {
  std::lock_guard lock(mu_);
  return reserved_;
}

Status NetworkBufferPool::reserve(size_t n, const std::string& forWhat) {
  std::lock_guard lock(mu_);
  if (reserved_ + n > totalSegments_) {
    return Status::invalidArgument(
        "insufficient network buffers for " + forWhat + ": it needs " + std::to_string(n) + " buffers of " +
        std::to_string(segmentSize_) + " bytes but only " + std::to_string(totalSegments_ - reserved_) +
        " of " + std::to_string(totalSegments_) +
        " are free; raise taskmanager.memory.network.max, lower the parallelism or "
        "taskmanager.network.memory.buffers-per-channel");
  }
  reserved_ += n;
  return Status::ok();
}

void NetworkBufferPool::release(size_t n) {
  std::lock_guard lock(mu_);
  WEIR_CHECK(reserved_ >= n);
  reserved_ -= n;
}

uint8_t* NetworkBufferPool::allocateSegment() {
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      uint8_t* s = free_.back();
      free_.pop_back();
      return s;
    }
    ++allocated_;
  }
  void* p = std::aligned_alloc(64, segmentSize_);
  WEIR_CHECK_MSG(p != nullptr, "out of memory allocating a network segment");
  return static_cast<uint8_t*>(p);
}

void NetworkBufferPool::freeSegment(uint8_t* segment) {
  std::lock_guard lock(mu_);
  free_.push_back(segment);
}

Result<std::shared_ptr<LocalBufferPool>> LocalBufferPool::create(NetworkBufferPool& global,
                                                                 size_t maxSegments, std::string owner) {
  WEIR_RETURN_IF_ERROR(global.reserve(maxSegments, owner));
  return std::make_shared<LocalBufferPool>(global, maxSegments, std::move(owner));
}

LocalBufferPool::LocalBufferPool(NetworkBufferPool& global, size_t maxSegments, std::string owner)
    : global_(global), maxSegments_(maxSegments), owner_(std::move(owner)) {
  WEIR_CHECK(maxSegments >= 1);
}

LocalBufferPool::~LocalBufferPool() {
  std::lock_guard lock(mu_);
  WEIR_CHECK_MSG(inUse_ == 0, "a buffer outlived its pool");
  for (uint8_t* s : free_) global_.freeSegment(s);
  global_.release(maxSegments_);
}

BufferPtr LocalBufferPool::takeLocked() {
  uint8_t* segment = nullptr;
  if (!free_.empty()) {
    segment = free_.back();
    free_.pop_back();
  } else if (allocated_ < maxSegments_) {
    segment = global_.allocateSegment();
    ++allocated_;
  } else {
    return nullptr;
  }
  ++inUse_;
  return std::make_unique<Buffer>(segment, global_.segmentSize(), this);
}

BufferPtr LocalBufferPool::requestBuffer() {
  std::lock_guard lock(mu_);
  return takeLocked();
}

BufferPtr LocalBufferPool::requestBufferBlocking() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (cancelled_) throw TaskCancelledException();
    if (BufferPtr b = takeLocked()) return b;
    available_.wait(lock);
  }
}

bool LocalBufferPool::isAvailable() const {
  std::lock_guard lock(mu_);
  return !free_.empty() || allocated_ < maxSegments_;
}

void LocalBufferPool::setAvailabilityListener(std::function<void()> listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
}

void LocalBufferPool::cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  available_.notify_all();
}

size_t LocalBufferPool::segmentsInUse() const {
  std::lock_guard lock(mu_);
  return inUse_;
}

void LocalBufferPool::recycle(uint8_t* segment) {
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    WEIR_CHECK(inUse_ > 0);
    bool wasExhausted = free_.empty() && allocated_ >= maxSegments_;
    free_.push_back(segment);
    --inUse_;
    available_.notify_one();
    if (wasExhausted) notify = listener_;
  }
  // Outside the lock: the listener wakes a task's mailbox, which takes its own lock.
  if (notify) notify();
}

}  // namespace weir::network
