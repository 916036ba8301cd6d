// The configuration options Weir reads, with Flink's key names and defaults so
// that users bring their habits (and their config.yaml). Deprecated Flink keys
// are accepted as aliases. Each option is documented in README.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <weir/core/config.h>

namespace weir::options {

using std::chrono::milliseconds;

inline const ConfigOption<int32_t> kDefaultParallelism{
    "parallelism.default", 1, {}, "Parallelism of operators that do not set their own."};
inline const ConfigOption<int32_t> kMaxParallelism{
    "pipeline.max-parallelism", 128, {}, "Number of key groups: the upper bound for rescaling keyed state."};
inline const ConfigOption<bool> kOperatorChaining{"pipeline.operator-chaining.enabled",
                                                  true,
                                                  {"pipeline.operator-chaining"},
                                                  "Chain operators joined by forward edges into one task."};
inline const ConfigOption<milliseconds> kBufferTimeout{
    "execution.buffer-timeout",
    milliseconds(100),
    {"execution.buffer-timeout.interval"},
    "Longest time a partly filled network buffer waits before it is sent; 0 sends after every record."};
inline const ConfigOption<MemorySize> kSegmentSize{
    "taskmanager.memory.segment-size", MemorySize{32 * 1024}, {}, "Size of one network buffer."};
inline const ConfigOption<MemorySize> kNetworkMemoryMax{
    "taskmanager.memory.network.max",
    MemorySize{256ull << 20},
    {},
    "Upper bound of network buffer memory per process (allocated on use)."};
inline const ConfigOption<int32_t> kBuffersPerChannel{
    "taskmanager.network.memory.buffers-per-channel",
    2,
    {},
    "Buffers reserved per channel (exclusive buffers; per subpartition on the producer side)."};
inline const ConfigOption<int32_t> kFloatingBuffersPerGate{
    "taskmanager.network.memory.floating-buffers-per-gate",
    8,
    {},
    "Buffers shared by all channels of a gate (and of a result partition)."};

inline const ConfigOption<std::string> kLocalChannelMode{
    "taskmanager.network.local-channel-mode",
    "pointer",
    {},
    "How exchanges inside one process move buffers: 'pointer' hands the producer's buffer to the consumer; "
    "'credit-based' copies it through the credit-based transport, as a TCP exchange does."};

}  // namespace weir::options
