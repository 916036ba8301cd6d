// Credit-based flow control (Flink's CreditBasedPartitionRequestClientHandler,
// CreditBasedSequenceNumberingViewReader and RemoteInputChannel), with an
// in-process transport.
//
// A RemoteInputChannel owns `buffers-per-channel` exclusive buffers and may
// borrow floating buffers from its gate's pool (`floating-buffers-per-gate`,
// shared by the gate's channels). It announces one credit per free buffer. The
// sender for its subpartition sends a data buffer only against a credit, and
// tells the receiver its backlog with every buffer; a receiver whose backlog
// exceeds its free buffers borrows floating buffers and announces them. A sender
// without credit announces a growing backlog on its own (Flink's
// BacklogAnnouncement), so a receiver learns it may borrow before data flows
// again. Events need no credit. So a slow consumer holds at most exclusive + borrowed buffers,
// and the rest stays in the producer's bounded pool: backpressure without a
// queue that can grow.
//
// CreditBasedTransport moves buffers on one I/O thread, copying each data
// buffer into a buffer of the receiver: what a TCP transport does (with a
// socket between the copy's two ends). In one process it is used when
// `taskmanager.network.local-channel-mode: credit-based`; the default mode
// hands buffers over by pointer (LocalInputChannel).
//
// Threading: RemoteInputChannel::getNextBuffer on the consumer task thread;
// onBuffer/takeBufferForTransfer on the transport thread; recycle on whichever
// thread drops a buffer; addCredit from any thread. Everything is locked.
// Lifecycle: shut the transport down (joining its thread) before releasing the
// gates and partitions it connects.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "network/buffer_pool.h"
#include "network/input_gate.h"
#include "network/prioritized_buffer_queue.h"
#include "network/result_partition.h"

namespace weir::network {

class CreditBasedTransport;
class RemoteInputChannel;

// Producer side of one connection: one subpartition to one RemoteInputChannel.
class CreditBasedSender final : private BufferAvailabilityListener {
 public:
  CreditBasedSender(CreditBasedTransport& transport, ResultSubpartition& source, RemoteInputChannel& target)
      : transport_(transport), source_(source), target_(target) {}

 private:
  friend class CreditBasedTransport;
  void notifyDataAvailable() override;

  CreditBasedTransport& transport_;
  ResultSubpartition& source_;
  RemoteInputChannel& target_;
  int credit_ = 0;            // guarded by the transport's mutex
  bool scheduled_ = false;    // guarded by the transport's mutex
  int announcedBacklog_ = 0;  // transport thread only: the backlog last announced without a buffer
};

class CreditBasedTransport {
 public:
  CreditBasedTransport();
  ~CreditBasedTransport();
  CreditBasedTransport(const CreditBasedTransport&) = delete;
  CreditBasedTransport& operator=(const CreditBasedTransport&) = delete;

  // Buffer debloating: the receiver of `sender` asks for buffers of `bytes`.
  void announceBufferSize(CreditBasedSender& sender, uint32_t bytes);
  // Creates the sender for `source` -> `target`; the channel calls requestSubpartition to start it.
  CreditBasedSender& connect(ResultSubpartition& source, RemoteInputChannel& target);
  // Starts forwarding `sender`'s subpartition (its listener is registered).
  void start(CreditBasedSender& sender);
  void addCredit(CreditBasedSender& sender, int credit);
  // Stops the I/O thread and detaches from every subpartition. Idempotent.
  void shutdown();

  uint64_t buffersTransferred() const;

 private:
  friend class CreditBasedSender;
  void schedule(CreditBasedSender& sender);  // REQUIRES: mu_ held
  void run();
  // Sends what `sender` may send now; returns true if it should be scheduled again.
  bool transfer(CreditBasedSender& sender);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<CreditBasedSender*> ready_;                     // guarded by mu_
  std::vector<std::unique_ptr<CreditBasedSender>> senders_;  // guarded by mu_
  bool stop_ = false;                                        // guarded by mu_
  uint64_t transferred_ = 0;                                 // guarded by mu_
  std::thread thread_;
};

class RemoteInputChannel final : public InputChannel, public BufferRecycler {
 public:
  // Takes `exclusiveBuffers` buffers from `gatePool` for good; floating ones are borrowed on demand.
  RemoteInputChannel(InputGate& gate, int index, LocalBufferPool& gatePool, int exclusiveBuffers);
  ~RemoteInputChannel() override;

  void connect(CreditBasedTransport& transport, ResultSubpartition& source);
  void requestSubpartition() override;
  BufferAndAvailability getNextBuffer() override;
  BufferAndAvailability pollPriorityEvent() override;
  void release() override;

  // Transport thread: a free buffer to copy the next data buffer into (one is
  // always there for an announced credit), or null after release().
  BufferPtr takeBufferForTransfer(uint32_t minCapacity);
  // Transport thread: a received data or event buffer, and the sender's backlog. A
  // priority event goes ahead of the received buffers but earlier priority events, and
  // carries copies of the data buffers it overtook (see BufferAndAvailability::overtaken):
  // the received ones, then `overtakenAtSender` (what it overtook in the subpartition, if
  // it was converted there).
  void onBuffer(BufferPtr buffer, int backlog, std::vector<BufferBytes> overtakenAtSender = {});
  bool convertToPriorityEvent(int64_t checkpointId) override;
  // Transport thread: the sender has `backlog` buffers waiting and no credit.
  void onBacklog(int backlog);
  // A consumed exclusive buffer comes back: it becomes a credit again.
  void recycle(uint8_t* segment) override;
  // The gate pool has buffers again: borrow what the backlog asks for.
  void onFloatingBuffersAvailable();

  int freeBuffers() const;
  int borrowedFloatingBuffers() const;
  size_t queuedBuffers() const override;
  size_t unusedPoolBuffers() const override { return size_t(freeBuffers()); }
  // Received and not yet read, plus the sender's last reported backlog.
  size_t buffersInFlight() const override;
  // Tells the sender's subpartition (a message over TCP; a store in one process).
  void announceBufferSize(uint32_t bytes) override;

 private:
  // Borrows floating buffers while the backlog exceeds the free buffers; returns new credits. REQUIRES: mu_.
  int borrowFloatingLocked();
  void announce(int credit);
  BufferAndAvailability popLocked();  // REQUIRES: mu_ held, received_ not empty

  LocalBufferPool& gatePool_;
  CreditBasedTransport* transport_ = nullptr;
  CreditBasedSender* sender_ = nullptr;
  mutable std::mutex mu_;
  PrioritizedBufferQueue received_;      // guarded by mu_
  std::vector<uint8_t*> freeExclusive_;  // guarded by mu_
  std::vector<BufferPtr> freeFloating_;  // guarded by mu_
  int numExclusive_ = 0;
  int backlog_ = 0;        // guarded by mu_: the sender's last reported backlog
  bool released_ = false;  // guarded by mu_
};

}  // namespace weir::network
