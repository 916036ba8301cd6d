// Out-of-line parts of DataOutput/DataInput (buffer growth, error throwers)
// and serializer.h's error thrower, kept here so the inline fast paths stay
// small.
#include <weir/core/data_io.h>
#include <weir/core/serializer.h>

#include <algorithm>
#include <limits>
#include <new>
#include <string>

namespace weir {

namespace {
constexpr size_t kMinCapacity = 64;
}  // namespace

void DataOutput::grow(size_t n) {
  const size_t used = size();
  if (n > std::numeric_limits<size_t>::max() / 2 - used) {
    throw std::length_error("DataOutput: buffer would exceed the address space");
  }
  const size_t newCapacity = std::max({capacity() * 2, used + n, kMinCapacity});
  void* p = std::realloc(begin_, newCapacity);
  if (p == nullptr) throw std::bad_alloc();
  begin_ = static_cast<uint8_t*>(p);
  pos_ = begin_ + used;
  end_ = begin_ + newCapacity;
}

uint64_t DataInput::readVarU64Slow() {
  const uint8_t* p = pos_;
  uint64_t result = 0;
  for (size_t i = 0;; ++i) {
    if (p == end_) {
      throw SerializationError("truncated data: varint at offset " + std::to_string(position()) +
                               " runs past the end, only " + std::to_string(remaining()) + " bytes left");
    }
    const uint8_t b = *p++;
    if (i == DataOutput::kMaxVarintBytes - 1) {
      // 9 bytes carried 63 bits; the 10th may only hold the top bit.
      if (b > 1) {
        throw SerializationError("malformed data: varint at offset " + std::to_string(position()) +
                                 " is longer than 64 bits");
      }
      result |= uint64_t{b} << 63;
      break;
    }
    result |= uint64_t{b & 0x7fu} << (7 * i);
    if (b < 0x80) break;
  }
  pos_ = p;
  return result;
}

void DataInput::throwTruncated(size_t need) const {
  throw SerializationError("truncated data: need " + std::to_string(need) + " bytes at offset " +
                           std::to_string(position()) + ", only " + std::to_string(remaining()) + " left");
}

void DataInput::throwBadBool(uint8_t b) const {
  static const char kHex[] = "0123456789abcdef";
  std::string hex = {'0', 'x', kHex[b >> 4], kHex[b & 0xf]};
  throw SerializationError("malformed data: invalid bool byte " + hex + " at offset " +
                           std::to_string(position() - 1) + " (expected 0 or 1)");
}

void DataInput::throwBadLength(const uint8_t* start, uint64_t n, size_t minBytesPerElement) const {
  const std::string where = "malformed data: length " + std::to_string(n) + " at offset " +
                            std::to_string(static_cast<size_t>(start - begin_));
  if (minBytesPerElement == 0) {
    throw SerializationError(where + " exceeds the limit of " + std::to_string(kMaxZeroWidthElements) +
                             " zero-width elements");
  }
  throw SerializationError(where + " exceeds the " + std::to_string(remaining()) + " bytes left (" +
                           std::to_string(minBytesPerElement) + " or more bytes per element)");
}

namespace detail {
void throwDuplicateMapKey(const DataInput& in) {
  throw SerializationError("malformed data: duplicate map key ending at offset " +
                           std::to_string(in.position()));
}
}  // namespace detail

}  // namespace weir
