// The byte-level boundary between typed operator code and the network stack.
//
// Typed glue (templates in the public headers, instantiated in user code)
// serializes a record into bytes and hands them to a RecordWriter, or takes the
// bytes of the next record from a RecordReader and deserializes them. The
// network part implements both without knowing any record type, so the stack
// (buffers, credits, local or TCP channels) never changes when types do.
//
// Threading: a RecordWriter and a RecordReader are used only by the task
// thread that owns them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace weir {

class DataInput;

// Every serialized stream element starts with a tag byte saying what follows.
enum class StreamElementTag : uint8_t {
  kRecord = 0,               // payload: the record
  kRecordWithTimestamp = 1,  // payload: i64 timestamp, then the record
  kWatermark = 2,            // payload: i64 watermark
  kWatermarkStatus = 3,      // payload: u8 WatermarkStatus (0 active, 1 idle)
};

// Writes serialized records into the subpartitions of one result partition.
class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  // Appends one serialized record to subpartition `channel`. May block while
  // the partition's buffer pool is exhausted (backpressure); throws
  // TaskCancelledException if the task is cancelled meanwhile.
  virtual void emit(const uint8_t* data, size_t size, int channel) = 0;
  // Appends the record to every subpartition.
  virtual void broadcastEmit(const uint8_t* data, size_t size) = 0;
  virtual int numberOfChannels() const = 0;
};

// Reads serialized records from all channels of one input gate.
class RecordReader {
 public:
  enum class ReadStatus {
    kRecord,            // `record` views the next record's bytes until the next call: deserialize it now
    kNothingAvailable,  // no complete record buffered: wait for the gate's availability signal
    kEndOfData,         // every channel has sent its last record (returned once); barriers may still follow
    kEndOfInput,        // every channel has ended: never call next again
    kInterrupted,       // the task asked for control back (a priority event, full outputs): call again later
  };
  virtual ~RecordReader() = default;
  virtual ReadStatus next(DataInput& record) = 0;
  // Index of the channel the last record came from (for watermark valves).
  virtual int lastChannel() const = 0;
  virtual int numberOfChannels() const = 0;
};

}  // namespace weir
