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
inline const ConfigOption<milliseconds> kAutoWatermarkInterval{
    "pipeline.auto-watermark-interval",
    milliseconds(200),
    {},
    "How often sources (and assignTimestampsAndWatermarks) ask their watermark generators for a watermark; "
    "0 turns periodic watermarks off."};
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
inline const ConfigOption<bool> kBufferDebloatEnabled{
    "taskmanager.network.memory.buffer-debloat.enabled",
    false,
    {},
    "Buffer debloating: each input measures its throughput and asks its producers to fill only as much of "
    "each buffer as drains within the target, so that aligned barriers wait behind less data."};
inline const ConfigOption<milliseconds> kBufferDebloatTarget{
    "taskmanager.network.memory.buffer-debloat.target",
    milliseconds(1000),
    {},
    "How long the data in flight towards an input should take to process (buffer debloating)."};
inline const ConfigOption<milliseconds> kBufferDebloatPeriod{
    "taskmanager.network.memory.buffer-debloat.period",
    milliseconds(200),
    {},
    "How often buffer debloating measures throughput and recomputes the buffer size."};
inline const ConfigOption<int32_t> kBufferDebloatSamples{
    "taskmanager.network.memory.buffer-debloat.samples",
    20,
    {},
    "Periods the buffer size is averaged over (exponential moving average)."};
inline const ConfigOption<int32_t> kBufferDebloatThreshold{
    "taskmanager.network.memory.buffer-debloat.threshold-percentages",
    25,
    {},
    "A new buffer size is announced only when it differs from the current one by at least this percentage."};
inline const ConfigOption<MemorySize> kMinSegmentSize{"taskmanager.memory.min-segment-size",
                                                      MemorySize{256},
                                                      {},
                                                      "Smallest buffer size debloating may choose."};

inline const ConfigOption<std::string> kLocalChannelMode{
    "taskmanager.network.local-channel-mode",
    "pointer",
    {},
    "How exchanges inside one process move buffers: 'pointer' hands the producer's buffer to the consumer; "
    "'credit-based' copies it through the credit-based transport, as a TCP exchange does."};

// ---- checkpointing (Flink's keys and defaults) ----
inline const OptionalConfigOption<milliseconds> kCheckpointInterval{
    "execution.checkpointing.interval", {}, "Time between checkpoints; checkpointing is off when unset."};
inline const ConfigOption<std::string> kCheckpointMode{
    "execution.checkpointing.mode",
    "EXACTLY_ONCE",
    {},
    "EXACTLY_ONCE (tasks align barriers) or AT_LEAST_ONCE (no channel is ever blocked; after a recovery "
    "records may "
    "be processed twice, never lost)."};
inline const ConfigOption<bool> kUnalignedCheckpoints{
    "execution.checkpointing.unaligned.enabled",
    false,
    {"execution.checkpointing.unaligned"},
    "Unaligned checkpoints (EXACTLY_ONCE only): barriers overtake the buffered data, which is stored in the "
    "checkpoint, so checkpoints stay fast under backpressure. Savepoints and checkpoints after the data "
    "ended stay aligned."};
inline const ConfigOption<int32_t> kMaxSubtasksPerChannelStateFile{
    "execution.checkpointing.unaligned.max-subtasks-per-channel-state-file",
    5,
    {},
    "With unaligned checkpoints: how many subtasks of one vertex write their in-flight data into one "
    "file per checkpoint (fewer files; 1 means a file per subtask)."};
inline const ConfigOption<milliseconds> kAlignedCheckpointTimeout{
    "execution.checkpointing.aligned-checkpoint-timeout",
    milliseconds(0),
    {"execution.checkpointing.alignment-timeout"},
    "With unaligned checkpoints: a checkpoint starts aligned and switches to unaligned once its alignment "
    "has taken this long since the trigger; 0 means always unaligned."};
inline const ConfigOption<milliseconds> kCheckpointTimeout{"execution.checkpointing.timeout",
                                                           milliseconds(10 * 60 * 1000),
                                                           {},
                                                           "A checkpoint not complete by then is aborted."};
inline const ConfigOption<milliseconds> kCheckpointMinPause{
    "execution.checkpointing.min-pause",
    milliseconds(0),
    {},
    "Least time between the end of one checkpoint and the start of the next."};
inline const ConfigOption<int32_t> kMaxConcurrentCheckpoints{
    "execution.checkpointing.max-concurrent-checkpoints",
    1,
    {},
    "Checkpoints that may be in progress at once."};
inline const ConfigOption<int32_t> kTolerableFailedCheckpoints{
    "execution.checkpointing.tolerable-failed-checkpoints",
    0,
    {},
    "Consecutive checkpoint failures tolerated before the job fails."};
inline const ConfigOption<std::string> kExternalizedCheckpointRetention{
    "execution.checkpointing.externalized-checkpoint-retention",
    "NO_EXTERNALIZED_CHECKPOINTS",
    {},
    "NO_EXTERNALIZED_CHECKPOINTS | DELETE_ON_CANCELLATION | RETAIN_ON_CANCELLATION."};
inline const ConfigOption<int32_t> kNumRetainedCheckpoints{
    "execution.checkpointing.num-retained",
    1,
    {"state.checkpoints.num-retained"},
    "Completed checkpoints kept; older ones are deleted."};
inline const OptionalConfigOption<std::string> kCheckpointDir{
    "execution.checkpointing.dir",
    {"state.checkpoints.dir"},
    "Directory for checkpoints (<dir>/<job-id>/chk-N)."};
inline const OptionalConfigOption<std::string> kSavepointDir{
    "execution.checkpointing.savepoint-dir",
    {"state.savepoints.dir"},
    "Default directory for savepoints (<dir>/savepoint-<job id prefix>-<random>), when `weir savepoint` "
    "or the REST request names none."};
inline const ConfigOption<MemorySize> kCheckpointInlineThreshold{
    "execution.checkpointing.data-inline-threshold",
    MemorySize{20 * 1024},
    {"state.storage.fs.memory-threshold"},
    "State smaller than this is stored inside the checkpoint's _metadata."};

// ---- recovery ----
inline const OptionalConfigOption<std::string> kStateRecoveryPath{
    "execution.state-recovery.path",
    {"execution.savepoint.path"},
    "Checkpoint (chk-N directory or its _metadata) to start the job from (`weir run -s`)."};
inline const ConfigOption<bool> kIgnoreUnclaimedState{
    "execution.state-recovery.ignore-unclaimed-state",
    false,
    {"execution.savepoint.ignore-unclaimed-state"},
    "Start even if the checkpoint has state for operators the job no longer has (that state is dropped)."};
inline const ConfigOption<std::string> kStateRecoveryClaimMode{
    "execution.state-recovery.claim-mode",
    "NO_CLAIM",
    {"execution.savepoint-restore-mode"},
    "Who owns the snapshot the job starts from: NO_CLAIM (the user: the job never deletes it) or CLAIM "
    "(the job: it is retained and deleted like the job's own checkpoints once subsumed)."};

// ---- REST API and web dashboard (`weir run`) ----
inline const ConfigOption<bool> kRestEnabled{
    "rest.enabled",
    true,
    {},
    "Serve the REST API, the metrics and the web dashboard while `weir run` runs a job."};
inline const ConfigOption<std::string> kRestAddress{
    "rest.address",
    "127.0.0.1",
    {"rest.bind-address"},
    "Address the REST server binds to. Anything but loopback needs rest.auth.token."};
inline const ConfigOption<int32_t> kRestPort{
    "rest.port", 8081, {"rest.bind-port"}, "Port of the REST server; 0 picks a free one (printed at start)."};
inline const OptionalConfigOption<std::string> kRestAuthToken{
    "rest.auth.token",
    {},
    "Bearer token that mutating requests (cancel, trigger a checkpoint) must carry; required when "
    "rest.address is not a loopback address."};
inline const ConfigOption<MemorySize> kRestMaxContentLength{"rest.server.max-content-length",
                                                            MemorySize{1 << 20},
                                                            {},
                                                            "Largest request body the REST server accepts."};
inline const ConfigOption<int32_t> kWebCheckpointsHistory{
    "web.checkpoints.history", 10, {}, "How many recent checkpoints the REST API and the dashboard list."};
inline const ConfigOption<int32_t> kWebExceptionHistorySize{
    "web.exception-history-size", 16, {}, "How many recent failures a job's exception history keeps."};

}  // namespace weir::options
