// Buffer: one fixed-size memory segment holding serialized stream data or one
// serialized event, handed from producer to consumer by pointer.
//
// Ownership: a Buffer is owned by exactly one party at a time through a
// BufferPtr (unique ownership); destroying it returns the segment to its
// recycler (the LocalBufferPool it came from). The recycler must outlive every
// buffer it handed out; the deployment that owns pools destroys them last.
// A Buffer is not thread-safe; handing it over (through a locked queue)
// transfers it to the consumer thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace weir::network {

class BufferRecycler {
 public:
  virtual ~BufferRecycler() = default;
  virtual void recycle(uint8_t* segment) = 0;
};

enum class BufferKind : uint8_t {
  kData,           // serialized records, each prefixed by a u32 length; may end mid-record
  kEvent,          // exactly one serialized TaskEvent (see events.h)
  kPriorityEvent,  // an event that overtakes queued data (an unaligned checkpoint's barrier)
};

class Buffer {
 public:
  Buffer(uint8_t* segment, uint32_t capacity, BufferRecycler* recycler, BufferKind kind = BufferKind::kData)
      : data_(segment), capacity_(capacity), recycler_(recycler), kind_(kind) {}
  // An event buffer owning its bytes (events are small and rare); `kind` is kEvent or kPriorityEvent.
  static std::unique_ptr<Buffer> makeEvent(std::vector<uint8_t> bytes, BufferKind kind = BufferKind::kEvent);
  // A data buffer owning its bytes, outside every pool: in-flight data restored from a checkpoint.
  static std::unique_ptr<Buffer> makeOwnedData(std::vector<uint8_t> bytes);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  uint32_t capacity() const { return capacity_; }
  uint32_t size() const { return size_; }
  void setSize(uint32_t size) { size_ = size; }
  BufferKind kind() const { return kind_; }
  // Detaches the segment: the buffer no longer recycles it, the caller owns it.
  uint8_t* releaseSegment() {
    recycler_ = nullptr;
    return data_;
  }
  bool isEvent() const { return kind_ != BufferKind::kData; }
  bool isPriorityEvent() const { return kind_ == BufferKind::kPriorityEvent; }

 private:
  uint8_t* data_;
  uint32_t capacity_;
  uint32_t size_ = 0;
  BufferRecycler* recycler_;  // null for buffers owning `owned_`
  BufferKind kind_;
  std::vector<uint8_t> owned_;
};

using BufferPtr = std::unique_ptr<Buffer>;

// A copy of one data buffer's bytes: in-flight data captured for an unaligned checkpoint.
using BufferBytes = std::vector<uint8_t>;

}  // namespace weir::network
