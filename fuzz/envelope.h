// The `_metadata` envelope around a payload (magic "WEIRCKPT", u32 version,
// u64 payload length, payload, XXH64 of all before it; checkpoint/metadata.cc),
// for the fuzz targets and their seed writer. Host byte order, as DataOutput
// writes it on the little-endian machines Weir runs on.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace weir::fuzz {

inline constexpr std::string_view kMetadataMagic = "WEIRCKPT";
inline constexpr size_t kMetadataHeaderBytes = kMetadataMagic.size() + 4 + 8;

inline std::string metadataEnvelope(uint32_t version, std::string_view payload) {
  std::string out(kMetadataMagic);
  const uint64_t length = payload.size();
  out.append(reinterpret_cast<const char*>(&version), 4);
  out.append(reinterpret_cast<const char*>(&length), 8);
  out.append(payload);
  const uint64_t checksum = XXH64(out.data(), out.size(), 0);
  out.append(reinterpret_cast<const char*>(&checksum), 8);
  return out;
}

// The inverse, for seeds: "u32 version + payload" of a well-formed file.
inline std::string versionAndPayload(std::string_view file) {
  std::string out(file.substr(kMetadataMagic.size(), 4));
  out.append(file.substr(kMetadataHeaderBytes, file.size() - kMetadataHeaderBytes - 8));
  return out;
}

}  // namespace weir::fuzz
