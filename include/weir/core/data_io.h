// DataOutput and DataInput: the byte-level writer and reader under every Weir
// serializer (network records, checkpointed state, metadata).
//
// DataOutput is a growable byte buffer that owns its memory. Writes append at
// the end; the inline fast path is one bounds compare plus a memcpy, growth is
// geometric and out of line. DataInput reads a contiguous byte range it does
// not own and never reads outside it: reading past the end, a malformed varint,
// an invalid bool byte or a length larger than the bytes left throws
// SerializationError with the offset, so a corrupt or truncated buffer is an
// error a caller can report, never a crash or a huge allocation.
//
// Wire format: fixed-width values are little endian (the host order; see the
// static_assert), varints are unsigned LEB128 (at most 10 bytes), strings are a
// varint byte length followed by the bytes.
//
// Thread-safety: neither class is thread-safe; each instance belongs to one
// thread at a time (they are cheap to create, give each thread its own).
// Ownership: DataOutput owns its buffer (move-only). DataInput borrows its
// range: REQUIRES the bytes outlive the DataInput and every string_view it
// returned.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include <weir/core/check.h>

namespace weir {

static_assert(std::endian::native == std::endian::little,
              "weir: the wire format is little endian and written with memcpy; big-endian hosts are "
              "unsupported");

// Thrown by DataInput (and so by every deserializer) when the bytes cannot be
// decoded: truncated, malformed or absurd. The message says what was expected
// and at which offset.
class SerializationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DataOutput {
 public:
  DataOutput() = default;
  explicit DataOutput(size_t initialCapacity) { reserve(initialCapacity); }
  ~DataOutput() { std::free(begin_); }

  DataOutput(DataOutput&& other) noexcept : begin_(other.begin_), pos_(other.pos_), end_(other.end_) {
    other.begin_ = other.pos_ = other.end_ = nullptr;
  }
  DataOutput& operator=(DataOutput&& other) noexcept {
    if (this != &other) {
      std::free(begin_);
      begin_ = other.begin_;
      pos_ = other.pos_;
      end_ = other.end_;
      other.begin_ = other.pos_ = other.end_ = nullptr;
    }
    return *this;
  }
  // Copies are almost always accidental on the paths that use this class.
  DataOutput(const DataOutput&) = delete;
  DataOutput& operator=(const DataOutput&) = delete;

  void writeBytes(const void* p, size_t n) {
    ensure(n);
    if (n != 0) std::memcpy(pos_, p, n);  // guard: memcpy from/to nullptr is UB even for n == 0
    pos_ += n;
  }

  template <class T>
  void writeRaw(T v) {
    static_assert(std::is_trivially_copyable_v<T>, "writeRaw needs a trivially copyable type");
    ensure(sizeof(T));
    std::memcpy(pos_, &v, sizeof(T));
    pos_ += sizeof(T);
  }

  void writeU8(uint8_t v) { writeRaw(v); }
  void writeU16(uint16_t v) { writeRaw(v); }
  void writeU32(uint32_t v) { writeRaw(v); }
  void writeU64(uint64_t v) { writeRaw(v); }
  void writeI32(int32_t v) { writeRaw(v); }
  void writeI64(int64_t v) { writeRaw(v); }
  void writeF32(float v) { writeRaw(v); }
  void writeF64(double v) { writeRaw(v); }
  void writeBool(bool v) { writeRaw<uint8_t>(v ? 1 : 0); }

  // Unsigned LEB128: 7 bits per byte, low bits first, high bit = "more follows".
  void writeVarU64(uint64_t v) {
    ensure(kMaxVarintBytes);
    while (v >= 0x80) {
      *pos_++ = static_cast<uint8_t>(v | 0x80);
      v >>= 7;
    }
    *pos_++ = static_cast<uint8_t>(v);
  }

  // Varint byte length, then the bytes.
  void writeString(std::string_view s) {
    writeVarU64(s.size());
    writeBytes(s.data(), s.size());
  }

  const uint8_t* data() const { return begin_; }
  uint8_t* mutableData() { return begin_; }
  size_t size() const { return static_cast<size_t>(pos_ - begin_); }
  size_t capacity() const { return static_cast<size_t>(end_ - begin_); }
  std::string_view view() const { return {reinterpret_cast<const char*>(begin_), size()}; }

  // Empties the buffer, keeping its capacity for reuse.
  void clear() { pos_ = begin_; }

  // Makes room for at least `n` bytes in total (not n more).
  void reserve(size_t n) {
    if (n > capacity()) grow(n - size());
  }

  // Appends `n` uninitialized bytes and returns a pointer to them, e.g. to
  // patch a length prefix once the payload is written. The pointer is
  // invalidated by the next write that grows the buffer, so to patch after more
  // writes remember the offset (size() before skip) and use mutableData().
  uint8_t* skip(size_t n) {
    ensure(n);
    uint8_t* p = pos_;
    pos_ += n;
    return p;
  }

  // Drops everything after the first `newSize` bytes.
  // REQUIRES: newSize <= size().
  void truncate(size_t newSize) {
    WEIR_CHECK_MSG(newSize <= size(), "DataOutput::truncate beyond the end");
    pos_ = begin_ + newSize;
  }

  static constexpr size_t kMaxVarintBytes = 10;

 private:
  void ensure(size_t n) {
    if (static_cast<size_t>(end_ - pos_) < n) [[unlikely]]
      grow(n);
  }
  // Reallocates so that at least `n` more bytes fit; at least doubles.
  void grow(size_t n);

  uint8_t* begin_ = nullptr;  // malloc'ed; nullptr until the first write or reserve
  uint8_t* pos_ = nullptr;    // next byte to write
  uint8_t* end_ = nullptr;    // one past the allocation
};

class DataInput {
 public:
  DataInput() = default;
  DataInput(const uint8_t* p, size_t n) : begin_(p), pos_(p), end_(p + n) {}
  explicit DataInput(std::string_view s) : DataInput(reinterpret_cast<const uint8_t*>(s.data()), s.size()) {}

  void readBytes(void* dst, size_t n) {
    require(n);
    if (n != 0) std::memcpy(dst, pos_, n);
    pos_ += n;
  }

  template <class T>
  T readRaw() {
    static_assert(std::is_trivially_copyable_v<T>, "readRaw needs a trivially copyable type");
    static_assert(!std::is_same_v<T, bool>, "use readBool: not every byte is a valid bool");
    require(sizeof(T));
    T v;
    std::memcpy(&v, pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  uint8_t readU8() { return readRaw<uint8_t>(); }
  uint16_t readU16() { return readRaw<uint16_t>(); }
  uint32_t readU32() { return readRaw<uint32_t>(); }
  uint64_t readU64() { return readRaw<uint64_t>(); }
  int32_t readI32() { return readRaw<int32_t>(); }
  int64_t readI64() { return readRaw<int64_t>(); }
  float readF32() { return readRaw<float>(); }
  double readF64() { return readRaw<double>(); }

  // Throws unless the byte is 0 or 1.
  bool readBool() {
    uint8_t b = readU8();
    if (b > 1) [[unlikely]]
      throwBadBool(b);
    return b == 1;
  }

  // Throws on truncation and on encodings longer than 64 bits.
  uint64_t readVarU64() {
    if (pos_ != end_ && *pos_ < 0x80) [[likely]]
      return *pos_++;
    return readVarU64Slow();
  }

  // A container length: a varint checked against the bytes left, assuming
  // each element takes at least `minBytesPerElement` bytes on the wire, so a
  // corrupt length throws here instead of triggering a huge allocation.
  // Elements that may take 0 bytes (minBytesPerElement == 0) are capped at
  // kMaxZeroWidthElements.
  size_t readLength(size_t minBytesPerElement = 1) {
    const uint8_t* start = pos_;
    uint64_t n = readVarU64();
    bool ok = minBytesPerElement == 0 ? n <= kMaxZeroWidthElements : n <= remaining() / minBytesPerElement;
    if (!ok) [[unlikely]]
      throwBadLength(start, n, minBytesPerElement);
    return static_cast<size_t>(n);
  }

  // Reads a varint-length-prefixed string into `s`, reusing its capacity.
  void readString(std::string& s) {
    std::string_view v = readStringView();
    s.assign(v.data(), v.size());
  }

  // Like readString but without a copy: the view points into the input.
  std::string_view readStringView() {
    size_t n = readLength(1);
    std::string_view v(reinterpret_cast<const char*>(pos_), n);
    pos_ += n;
    return v;
  }

  void skip(size_t n) {
    require(n);
    pos_ += n;
  }

  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
  size_t position() const { return static_cast<size_t>(pos_ - begin_); }
  bool atEnd() const { return pos_ == end_; }
  const uint8_t* current() const { return pos_; }

  static constexpr uint64_t kMaxZeroWidthElements = uint64_t{1} << 24;

 private:
  void require(size_t n) const {
    if (remaining() < n) [[unlikely]]
      throwTruncated(n);
  }
  uint64_t readVarU64Slow();
  [[noreturn]] void throwTruncated(size_t need) const;
  [[noreturn]] void throwBadBool(uint8_t b) const;
  [[noreturn]] void throwBadLength(const uint8_t* start, uint64_t n, size_t minBytesPerElement) const;

  const uint8_t* begin_ = nullptr;
  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
};

}  // namespace weir
