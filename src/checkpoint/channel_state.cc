#include "checkpoint/channel_state.h"

#include <cstring>

namespace weir::checkpoint {
namespace {

constexpr std::string_view kMagic = "WEIRCHAN";
constexpr size_t kHeaderBytes = kMagic.size() + sizeof(uint32_t);

void putU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(char(uint8_t(v >> (8 * i))));
}

uint32_t getU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(uint8_t(p[i])) << (8 * i);
  return v;
}

void appendSections(std::string& out, const std::vector<ChannelData>& channels,
                    std::vector<ChannelStateSection>& sections) {
  for (const ChannelData& c : channels) {
    if (c.buffers.empty()) continue;
    ChannelStateSection s{c.index, c.channel, out.size(), 0};
    for (const std::vector<uint8_t>& b : c.buffers) {
      putU32(out, uint32_t(b.size()));
      out.append(reinterpret_cast<const char*>(b.data()), b.size());
    }
    s.size = out.size() - s.offset;
    sections.push_back(s);
  }
}

}  // namespace

std::string channelStateHeader() {
  std::string out(kMagic);
  putU32(out, kChannelStateVersion);
  return out;
}

void appendChannelState(std::string& stream, const std::vector<ChannelData>& inputChannels,
                        const std::vector<ChannelData>& resultSubpartitions, ChannelStateHandle& handle) {
  handle.inputChannels.clear();
  handle.resultSubpartitions.clear();
  appendSections(stream, inputChannels, handle.inputChannels);
  appendSections(stream, resultSubpartitions, handle.resultSubpartitions);
}

std::string encodeChannelState(const std::vector<ChannelData>& inputChannels,
                               const std::vector<ChannelData>& resultSubpartitions,
                               ChannelStateHandle& handle) {
  std::string out = channelStateHeader();
  appendChannelState(out, inputChannels, resultSubpartitions, handle);
  return out;
}

Result<std::vector<std::vector<uint8_t>>> decodeChannelSection(std::string_view stream,
                                                               const ChannelStateSection& section,
                                                               const std::string& origin) {
  auto corrupt = [&](const std::string& what) {
    return Status::corruption(origin + ": channel state of channel " + std::to_string(section.channel) +
                              " of " + std::to_string(section.index) + ": " + what);
  };
  if (stream.size() < kHeaderBytes || stream.substr(0, kMagic.size()) != kMagic)
    return corrupt("not a Weir channel state stream (bad magic)");
  const uint32_t version = getU32(stream.data() + kMagic.size());
  if (version != kChannelStateVersion) {
    return corrupt("channel state format version " + std::to_string(version) + " (this Weir reads " +
                   std::to_string(kChannelStateVersion) + ")");
  }
  if (section.offset < kHeaderBytes || section.offset > stream.size() ||
      section.size > stream.size() - section.offset) {
    return corrupt("section [" + std::to_string(section.offset) + ", +" + std::to_string(section.size) +
                   ") lies outside the " + std::to_string(stream.size()) + "-byte stream");
  }
  std::vector<std::vector<uint8_t>> buffers;
  const char* p = stream.data() + section.offset;
  uint64_t left = section.size;
  while (left > 0) {
    if (left < 4) return corrupt("truncated buffer size");
    const uint32_t n = getU32(p);
    p += 4;
    left -= 4;
    if (n > left) {
      return corrupt("a buffer of " + std::to_string(n) + " bytes exceeds the " + std::to_string(left) +
                     " bytes left in its section");
    }
    buffers.emplace_back(reinterpret_cast<const uint8_t*>(p), reinterpret_cast<const uint8_t*>(p) + n);
    p += n;
    left -= n;
  }
  return buffers;
}

}  // namespace weir::checkpoint
