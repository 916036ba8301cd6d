// Typed glue between operators and the byte-level network stack.
//
// At a chain boundary, RecordWriterOutput<T> serializes each record (tag,
// optional timestamp, value) and picks the subpartition with the edge's
// partitioner, and sends watermarks and watermark statuses to every
// subpartition; NetworkInput<T> reads records back from a gate and pushes them
// into the first operator of the consuming chain, and hands watermarks and
// statuses to the input's StatusWatermarkValve, which forwards the minimum over
// the input's channels. StreamTypeOps<T> lets the
// type-agnostic runtime create these for an edge of any record type.
//
// Threading: task thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <weir/connectors/source.h>
#include <weir/core/data_io.h>
#include <weir/core/hash.h>
#include <weir/core/serializer.h>
#include <weir/network/record_io.h>
#include <weir/runtime/runtime_context.h>
#include <weir/runtime/status_watermark_valve.h>
#include <weir/runtime/stream_operator.h>
#include <weir/state/key_groups.h>

namespace weir {

enum class PartitionerKind {
  kForward,    // subtask i -> subtask i (same parallelism, chainable)
  kRebalance,  // round robin over all consumers
  kRescale,    // round robin over a local subset of consumers (pointwise)
  kShuffle,    // uniformly random consumer
  kBroadcast,  // every consumer gets every record
  kKeyGroup,   // by the key's key group (keyBy)
};

const char* partitionerName(PartitionerKind kind);

// Chooses a channel by key for keyBy edges: key -> stable hash -> key group -> subtask.
template <class T>
class KeyChannelSelector {
 public:
  virtual ~KeyChannelSelector() = default;
  virtual int select(const T& value, int numChannels) = 0;
};

class KeySelectorFactoryBase {
 public:
  virtual ~KeySelectorFactoryBase() = default;
  virtual std::string keyTypeName() const = 0;
};

template <class T>
class KeySelectorFactory : public KeySelectorFactoryBase {
 public:
  virtual std::unique_ptr<KeyChannelSelector<T>> create(int maxParallelism) const = 0;
};

template <class T, class K, class KS>
class KeyGroupSelectorFactory final : public KeySelectorFactory<T> {
 public:
  explicit KeyGroupSelectorFactory(KS selector) : selector_(std::move(selector)) {}
  std::string keyTypeName() const override { return TypeSerializer<K>::name(); }
  std::unique_ptr<KeyChannelSelector<T>> create(int maxParallelism) const override {
    return std::make_unique<Selector>(selector_, maxParallelism);
  }

 private:
  class Selector final : public KeyChannelSelector<T> {
   public:
    Selector(KS ks, int maxParallelism) : ks_(std::move(ks)), maxParallelism_(maxParallelism) {}
    int select(const T& value, int numChannels) override {
      buf_.clear();
      TypeSerializer<K>::serialize(ks_(value), buf_);
      int keyGroup = keyGroupForHash(stableHash(buf_.data(), buf_.size()), maxParallelism_);
      return operatorIndexForKeyGroup(maxParallelism_, numChannels, keyGroup);
    }

   private:
    KS ks_;
    int maxParallelism_;
    DataOutput buf_;
  };
  KS selector_;
};

struct PartitionerSpec {
  PartitionerKind kind = PartitionerKind::kForward;
  std::shared_ptr<const KeySelectorFactoryBase> keySelector;  // for kKeyGroup
};

template <class T>
class RecordWriterOutput final : public Input<T> {
 public:
  RecordWriterOutput(RecordWriter& writer, const PartitionerSpec& spec, int subtaskIndex, int maxParallelism,
                     Counter* recordsOut)
      : writer_(writer), kind_(spec.kind), numChannels_(writer.numberOfChannels()), recordsOut_(recordsOut) {
    if (kind_ == PartitionerKind::kKeyGroup) {
      auto* f = dynamic_cast<const KeySelectorFactory<T>*>(spec.keySelector.get());
      WEIR_CHECK_MSG(f != nullptr, "keyBy edge without a key selector of the edge's type");
      keySelector_ = f->create(maxParallelism);
    }
    // Start round robin at a subtask-specific channel so that producers do not all hit consumer 0 first.
    next_ = numChannels_ > 0 ? subtaskIndex % numChannels_ : 0;
    rng_.seed(uint64_t(subtaskIndex) * 7919 + 17);
  }

  void processElement(const T& value, Timestamp ts) override {
    buf_.clear();
    if (ts == kNoTimestamp) {
      buf_.writeU8(uint8_t(StreamElementTag::kRecord));
    } else {
      buf_.writeU8(uint8_t(StreamElementTag::kRecordWithTimestamp));
      buf_.writeI64(ts);
    }
    TypeSerializer<T>::serialize(value, buf_);
    recordsOut_->inc();
    switch (kind_) {
      case PartitionerKind::kForward:
        writer_.emit(buf_.data(), buf_.size(), 0);
        return;
      case PartitionerKind::kRebalance:
      case PartitionerKind::kRescale:
        writer_.emit(buf_.data(), buf_.size(), next_);
        if (++next_ == numChannels_) next_ = 0;
        return;
      case PartitionerKind::kShuffle:
        writer_.emit(buf_.data(), buf_.size(), int(rng_() % uint64_t(numChannels_)));
        return;
      case PartitionerKind::kBroadcast:
        writer_.broadcastEmit(buf_.data(), buf_.size());
        return;
      case PartitionerKind::kKeyGroup:
        writer_.emit(buf_.data(), buf_.size(), keySelector_->select(value, numChannels_));
        return;
    }
  }
  // Watermarks and statuses go to every consumer, whatever the partitioner.
  void processWatermark(Timestamp watermark) override {
    buf_.clear();
    buf_.writeU8(uint8_t(StreamElementTag::kWatermark));
    buf_.writeI64(watermark);
    writer_.broadcastEmit(buf_.data(), buf_.size());
  }
  void processWatermarkStatus(WatermarkStatus status) override {
    buf_.clear();
    buf_.writeU8(uint8_t(StreamElementTag::kWatermarkStatus));
    buf_.writeU8(uint8_t(status));
    writer_.broadcastEmit(buf_.data(), buf_.size());
  }

 private:
  RecordWriter& writer_;
  const PartitionerKind kind_;
  const int numChannels_;
  Counter* recordsOut_;
  std::unique_ptr<KeyChannelSelector<T>> keySelector_;
  int next_ = 0;
  std::minstd_rand rng_;
  DataOutput buf_;
};

enum class TaskInputStatus {
  kMoreAvailable,
  kNothingAvailable,  // wait for the input's availability signal
  kEndOfData,         // the last record was delivered (reported once); checkpoints may still pass
  kEndOfInput,        // the input has ended: never poll it again
};

// An input of a task that its mailbox loop polls: a network gate or a source.
class TaskInput {
 public:
  virtual ~TaskInput() = default;
  virtual TaskInputStatus processInput(int maxRecords) = 0;
  // 1 or 2: which input of the head operator this feeds.
  virtual int inputIndex() const = 0;
};

// Reads one gate. `valve` combines the watermarks of all channels of the
// target's input (several gates for a union: this gate's channels start at
// `channelOffset`).
template <class T>
class NetworkInput final : public TaskInput {
 public:
  NetworkInput(RecordReader& reader, Input<T>* target, int inputIndex, Counter* recordsIn,
               StatusWatermarkValve& valve, int channelOffset)
      : reader_(reader),
        target_(target),
        inputIndex_(inputIndex),
        recordsIn_(recordsIn),
        valve_(valve),
        channelOffset_(channelOffset) {}

  TaskInputStatus processInput(int maxRecords) override {
    DataInput in;
    int n = 0;
    TaskInputStatus status = TaskInputStatus::kMoreAvailable;
    while (n < maxRecords) {
      RecordReader::ReadStatus s = reader_.next(in);
      if (s == RecordReader::ReadStatus::kNothingAvailable) {
        status = TaskInputStatus::kNothingAvailable;
        break;
      }
      if (s == RecordReader::ReadStatus::kInterrupted) break;  // kMoreAvailable: the task loop comes back
      if (s == RecordReader::ReadStatus::kEndOfData) {
        status = TaskInputStatus::kEndOfData;
        break;
      }
      if (s == RecordReader::ReadStatus::kEndOfInput) {
        status = TaskInputStatus::kEndOfInput;
        break;
      }
      auto tag = StreamElementTag(in.readU8());
      Timestamp ts = kNoTimestamp;
      if (tag == StreamElementTag::kRecordWithTimestamp) {
        ts = in.readI64();
      } else if (tag == StreamElementTag::kWatermark) [[unlikely]] {
        valve_.inputWatermark(channelOffset_ + reader_.lastChannel(), in.readI64());
        continue;
      } else if (tag == StreamElementTag::kWatermarkStatus) [[unlikely]] {
        valve_.inputWatermarkStatus(channelOffset_ + reader_.lastChannel(), WatermarkStatus(in.readU8()));
        continue;
      }
      TypeSerializer<T>::deserialize(scratch_, in);
      ++n;
      target_->processElement(scratch_, ts);
    }
    recordsIn_->inc(uint64_t(n));
    return status;
  }
  int inputIndex() const override { return inputIndex_; }

 private:
  RecordReader& reader_;
  Input<T>* target_;
  const int inputIndex_;
  Counter* recordsIn_;
  StatusWatermarkValve& valve_;
  const int channelOffset_;
  T scratch_{};
};

// Creates the typed pieces the runtime needs for edges that carry T.
class StreamTypeOps {
 public:
  virtual ~StreamTypeOps() = default;
  virtual std::string typeName() const = 0;
  virtual std::unique_ptr<InputBase> createBroadcastingOutput(std::vector<InputBase*> outputs) const = 0;
  virtual std::unique_ptr<InputBase> createDiscardingOutput() const = 0;
  virtual std::unique_ptr<InputBase> createNetworkOutput(RecordWriter& writer, const PartitionerSpec& spec,
                                                         int subtaskIndex, int maxParallelism,
                                                         Counter* recordsOut) const = 0;
  virtual std::unique_ptr<TaskInput> createNetworkInput(RecordReader& reader, InputBase* target,
                                                        int inputIndex, Counter* recordsIn,
                                                        StatusWatermarkValve& valve,
                                                        int channelOffset) const = 0;
};

template <class T>
class StreamTypeOpsImpl final : public StreamTypeOps {
 public:
  std::string typeName() const override { return TypeSerializer<T>::name(); }
  std::unique_ptr<InputBase> createBroadcastingOutput(std::vector<InputBase*> outputs) const override {
    std::vector<Input<T>*> typed;
    for (InputBase* o : outputs) typed.push_back(inputCast<T>(o));
    return std::make_unique<BroadcastingOutput<T>>(std::move(typed));
  }
  std::unique_ptr<InputBase> createDiscardingOutput() const override {
    return std::make_unique<DiscardingOutput<T>>();
  }
  std::unique_ptr<InputBase> createNetworkOutput(RecordWriter& writer, const PartitionerSpec& spec,
                                                 int subtaskIndex, int maxParallelism,
                                                 Counter* recordsOut) const override {
    return std::make_unique<RecordWriterOutput<T>>(writer, spec, subtaskIndex, maxParallelism, recordsOut);
  }
  std::unique_ptr<TaskInput> createNetworkInput(RecordReader& reader, InputBase* target, int inputIndex,
                                                Counter* recordsIn, StatusWatermarkValve& valve,
                                                int channelOffset) const override {
    return std::make_unique<NetworkInput<T>>(reader, inputCast<T>(target), inputIndex, recordsIn, valve,
                                             channelOffset);
  }
};

}  // namespace weir
