// libFuzzer target for the `_metadata` reader (checkpoint/metadata.h).
//
// Each input is tried twice: as a whole file, which exercises the envelope's
// checks (magic, length, checksum); and as "u32 version + payload" wrapped in a
// valid envelope, so that mutations reach the payload readers instead of
// stopping at the checksum. The reader must return a Corruption (never crash,
// never allocate far more than the input's size: run with -malloc_limit_mb), and
// whatever it accepts must survive a round trip: written again and read back,
// it is the same metadata.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "checkpoint/metadata.h"
#include "fuzz/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace weir::checkpoint;
  const std::string raw(reinterpret_cast<const char*>(data), size);
  (void)deserializeMetadata(raw, "fuzz input");

  if (size < 4) return 0;
  uint32_t version;
  std::memcpy(&version, data, 4);
  const std::string file = weir::fuzz::metadataEnvelope(version, raw.substr(4));
  weir::Result<CheckpointMetadata> read = deserializeMetadata(file, "fuzz payload");
  if (!read.isOk()) {
    if (read.status().code() != weir::StatusCode::kCorruption) {
      std::fprintf(stderr, "rejected with a non-corruption status: %s\n", read.status().toString().c_str());
      std::abort();
    }
    return 0;
  }
  weir::Result<CheckpointMetadata> again = deserializeMetadata(serializeMetadata(*read), "round trip");
  if (!again.isOk() || !(*again == *read)) {
    std::fprintf(stderr, "accepted metadata does not survive a round trip: %s\n",
                 again.isOk() ? "it reads back different" : again.status().toString().c_str());
    std::abort();
  }
  return 0;
}
