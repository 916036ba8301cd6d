#include "checkpoint/state_bytes.h"

#include <cstdio>

#define XXH_INLINE_ALL  // header-only XXH64: no call through the shared library
#include <xxhash.h>

namespace weir::checkpoint {
namespace {

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

uint64_t stateChecksum(std::string_view bytes) { return XXH64(bytes.data(), bytes.size(), 0); }

Status verifyStateBytes(std::string_view bytes, const StreamStateHandle& handle, const std::string& what) {
  if (bytes.size() != handle.size) {
    return Status::corruption(what + ": expected " + std::to_string(handle.size) + " bytes, found " +
                              std::to_string(bytes.size()));
  }
  const uint64_t actual = stateChecksum(bytes);
  if (actual != handle.checksum) {
    return Status::corruption(what + ": bad checksum (expected " + hex(handle.checksum) + ", found " +
                              hex(actual) + ")");
  }
  return Status::ok();
}

}  // namespace weir::checkpoint
