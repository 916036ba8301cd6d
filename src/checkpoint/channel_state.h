// The stream format of a subtask's in-flight data (unaligned checkpoints' channel
// state; see ChannelStateHandle in state_handles.h).
//
// Format: magic "WEIRCHAN" (8 bytes), u32 format version, then one section per
// channel, back to back; a section is a sequence of data buffers, each a u32
// little-endian size and that many bytes (exactly as the buffer travelled: records
// with their length prefixes, the first possibly continuing a record of an earlier
// buffer). The handle records each section's offset and size; its stream handle's
// size and XXH64 cover the whole stream, so a reader verifies them first
// (StateReader::readAll does) and decodeChannelSection then checks the header and
// every size against the section's bounds: corrupt input is refused with a
// Corruption status naming `origin`, never trusted for an allocation.
//
// Pure functions; callable from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <weir/core/status.h>

#include "checkpoint/state_handles.h"

namespace weir::checkpoint {

inline constexpr uint32_t kChannelStateVersion = 1;

// The buffers of one channel, oldest first.
struct ChannelData {
  int index = 0;    // gate or partition
  int channel = 0;  // channel or subpartition
  std::vector<std::vector<uint8_t>> buffers;
};

// Encodes the channels into one stream; fills `handle`'s sections (not its stream
// handle, which the caller sets once the bytes are stored). Channels without
// buffers get no section.
std::string encodeChannelState(const std::vector<ChannelData>& inputChannels,
                               const std::vector<ChannelData>& resultSubpartitions,
                               ChannelStateHandle& handle);

// The same in steps, for a stream that several subtasks share
// (execution.checkpointing.unaligned.max-subtasks-per-channel-state-file): the
// header once, then each subtask's channels, each into its own handle's sections.
std::string channelStateHeader();
void appendChannelState(std::string& stream, const std::vector<ChannelData>& inputChannels,
                        const std::vector<ChannelData>& resultSubpartitions, ChannelStateHandle& handle);

// The buffers of one section of `stream` (the whole stream a handle names).
Result<std::vector<std::vector<uint8_t>>> decodeChannelSection(std::string_view stream,
                                                               const ChannelStateSection& section,
                                                               const std::string& origin);

}  // namespace weir::checkpoint
