#include "network/credit_based.h"

#include <cstring>

#include <weir/core/check.h>

namespace weir::network {

void CreditBasedSender::notifyDataAvailable() {
  std::lock_guard lock(transport_.mu_);
  transport_.schedule(*this);
}

CreditBasedTransport::CreditBasedTransport() : thread_([this] { run(); }) {}

CreditBasedTransport::~CreditBasedTransport() { shutdown(); }

CreditBasedSender& CreditBasedTransport::connect(ResultSubpartition& source, RemoteInputChannel& target) {
  std::lock_guard lock(mu_);
  senders_.push_back(std::make_unique<CreditBasedSender>(*this, source, target));
  return *senders_.back();
}

void CreditBasedTransport::start(CreditBasedSender& sender) {
  sender.source_.setListener(&sender, /*notifyOnEveryBuffer=*/true);
}

void CreditBasedTransport::announceBufferSize(CreditBasedSender& sender, uint32_t bytes) {
  sender.source_.setDesiredBufferSize(bytes);
}

void CreditBasedTransport::addCredit(CreditBasedSender& sender, int credit) {
  if (credit <= 0) return;
  std::lock_guard lock(mu_);
  sender.credit_ += credit;
  schedule(sender);
}

void CreditBasedTransport::schedule(CreditBasedSender& sender) {
  if (sender.scheduled_ || stop_) return;
  sender.scheduled_ = true;
  ready_.push_back(&sender);
  cv_.notify_one();
}

void CreditBasedTransport::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  for (auto& s : senders_) s->source_.setListener(nullptr);
  ready_.clear();
}

uint64_t CreditBasedTransport::buffersTransferred() const {
  std::lock_guard lock(mu_);
  return transferred_;
}

bool CreditBasedTransport::transfer(CreditBasedSender& s) {
  for (int sent = 0; sent < 16; ++sent) {  // bounded, so one busy sender cannot starve the others
    bool sendable, noCredit;
    {
      std::lock_guard lock(mu_);
      if (stop_) return false;
      sendable = s.source_.isSendable(s.credit_);
      noCredit = s.credit_ == 0;
    }
    if (!sendable) {
      // Out of credit with data waiting: tell the receiver how much, once per change.
      int backlog = s.source_.dataBacklog();
      if (noCredit && backlog > 0 && backlog != s.announcedBacklog_) {
        s.announcedBacklog_ = backlog;
        s.target_.onBacklog(backlog);
      }
      return false;
    }
    BufferAndAvailability next = s.source_.poll();
    if (!next.buffer) return false;
    if (next.buffer->isEvent()) {
      std::vector<uint8_t> bytes(next.buffer->data(), next.buffer->data() + next.buffer->size());
      s.target_.onBuffer(Buffer::makeEvent(std::move(bytes), next.buffer->kind()), next.backlog,
                         std::move(next.overtaken));
    } else {
      {
        std::lock_guard lock(mu_);
        WEIR_CHECK(s.credit_ > 0);
        --s.credit_;
        ++transferred_;
      }
      BufferPtr copy = s.target_.takeBufferForTransfer(next.buffer->size());
      if (!copy) return false;  // the receiver was released (job ending): drop the data
      std::memcpy(copy->data(), next.buffer->data(), next.buffer->size());
      copy->setSize(next.buffer->size());
      next.buffer.reset();      // recycle the sender's buffer before delivering: the producer may go on
      s.announcedBacklog_ = 0;  // the buffer carries the backlog
      s.target_.onBuffer(std::move(copy), next.backlog);
    }
  }
  return true;
}

void CreditBasedTransport::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (ready_.empty()) {
      cv_.wait(lock);
      continue;
    }
    CreditBasedSender* s = ready_.front();
    ready_.pop_front();
    s->scheduled_ = false;
    lock.unlock();
    bool again = transfer(*s);
    lock.lock();
    if (again || s->source_.isSendable(s->credit_)) schedule(*s);
  }
}

RemoteInputChannel::RemoteInputChannel(InputGate& gate, int index, LocalBufferPool& gatePool,
                                       int exclusiveBuffers)
    : InputChannel(gate, index), gatePool_(gatePool), numExclusive_(exclusiveBuffers) {
  for (int i = 0; i < exclusiveBuffers; ++i) {
    BufferPtr b = gatePool_.requestBuffer();
    WEIR_CHECK_MSG(b != nullptr, "gate pool smaller than its channels' exclusive buffers");
    freeExclusive_.push_back(b->releaseSegment());
  }
}

RemoteInputChannel::~RemoteInputChannel() { release(); }

void RemoteInputChannel::connect(CreditBasedTransport& transport, ResultSubpartition& source) {
  transport_ = &transport;
  sender_ = &transport.connect(source, *this);
}

void RemoteInputChannel::requestSubpartition() {
  WEIR_CHECK_MSG(sender_ != nullptr, "remote input channel not connected");
  transport_->start(*sender_);
  announce(numExclusive_);
}

void RemoteInputChannel::announce(int credit) {
  // Credits are only computed while not released, and the transport outlives every
  // unreleased channel (the JobMaster releases gates before it shuts the transport down).
  if (credit > 0 && transport_ != nullptr) transport_->addCredit(*sender_, credit);
}

BufferAndAvailability RemoteInputChannel::popLocked() {
  BufferAndAvailability r;
  PrioritizedBufferQueue::Popped p = received_.pop();
  r.buffer = std::move(p.buffer);
  r.overtaken = std::move(p.carried);
  r.moreAvailable = !received_.empty();
  return r;
}

BufferAndAvailability RemoteInputChannel::getNextBuffer() {
  std::lock_guard lock(mu_);
  if (received_.empty()) return {};
  return popLocked();
}

BufferAndAvailability RemoteInputChannel::pollPriorityEvent() {
  std::lock_guard lock(mu_);
  if (received_.priorityEvents() == 0) return {};
  return popLocked();
}

bool RemoteInputChannel::convertToPriorityEvent(int64_t checkpointId) {
  {
    std::lock_guard lock(mu_);
    if (released_ || !received_.convertBarrierToPriority(checkpointId)) return false;
  }
  notifyPriorityEvent();
  return true;
}

BufferPtr RemoteInputChannel::takeBufferForTransfer(uint32_t minCapacity) {
  std::lock_guard lock(mu_);
  if (released_) return nullptr;
  WEIR_CHECK(minCapacity <= gatePool_.segmentSize());
  if (!freeFloating_.empty()) {
    BufferPtr b = std::move(freeFloating_.back());
    freeFloating_.pop_back();
    return b;
  }
  WEIR_CHECK_MSG(!freeExclusive_.empty(), "a buffer arrived without credit");
  uint8_t* segment = freeExclusive_.back();
  freeExclusive_.pop_back();
  return std::make_unique<Buffer>(segment, gatePool_.segmentSize(), this);
}

int RemoteInputChannel::borrowFloatingLocked() {
  int credit = 0;
  while (!released_ && backlog_ > int(freeExclusive_.size() + freeFloating_.size())) {
    BufferPtr b = gatePool_.requestBuffer();
    if (!b) break;  // the pool's availability listener calls onFloatingBuffersAvailable later
    // A floating buffer goes back to the gate pool when consumed; count it until then.
    freeFloating_.push_back(std::move(b));
    ++credit;
  }
  return credit;
}

void RemoteInputChannel::onBuffer(BufferPtr buffer, int backlog, std::vector<BufferBytes> overtakenAtSender) {
  bool wasEmpty;
  int credit;
  const bool priority = buffer->isPriorityEvent();
  {
    std::lock_guard lock(mu_);
    if (released_) return;
    wasEmpty = received_.empty();
    if (priority) {
      // It passed the received buffers, then (if converted there) the sender's: in stream order.
      std::vector<BufferBytes> overtaken = received_.copyDataBehindPriorityEvents();
      for (BufferBytes& b : overtakenAtSender) overtaken.push_back(std::move(b));
      received_.pushPriority(std::move(buffer), std::move(overtaken));
    } else {
      received_.push(std::move(buffer));
    }
    backlog_ = backlog;
    credit = borrowFloatingLocked();
  }
  announce(credit);
  if (priority) {
    notifyPriorityEvent();
  } else if (wasEmpty) {
    notifyChannelNonEmpty();
  }
}

void RemoteInputChannel::onBacklog(int backlog) {
  int credit;
  {
    std::lock_guard lock(mu_);
    if (released_) return;
    backlog_ = backlog;
    credit = borrowFloatingLocked();
  }
  announce(credit);
}

void RemoteInputChannel::recycle(uint8_t* segment) {
  bool released;
  {
    std::lock_guard lock(mu_);
    released = released_;
    if (!released) freeExclusive_.push_back(segment);
  }
  // Outside the lock: returning a segment may call the pool's listener, which calls
  // back into the gate's channels (this one included).
  if (released) {
    gatePool_.recycle(segment);
  } else {
    announce(1);
  }
}

void RemoteInputChannel::onFloatingBuffersAvailable() {
  int credit;
  {
    std::lock_guard lock(mu_);
    if (released_) return;
    credit = borrowFloatingLocked();
  }
  announce(credit);
}

int RemoteInputChannel::freeBuffers() const {
  std::lock_guard lock(mu_);
  return int(freeExclusive_.size() + freeFloating_.size());
}

size_t RemoteInputChannel::queuedBuffers() const {
  std::lock_guard lock(mu_);
  return received_.size();
}

size_t RemoteInputChannel::buffersInFlight() const {
  std::lock_guard lock(mu_);
  return received_.dataBuffers() + size_t(std::max(0, backlog_));
}

void RemoteInputChannel::announceBufferSize(uint32_t bytes) {
  if (transport_ != nullptr) transport_->announceBufferSize(*sender_, bytes);
}

int RemoteInputChannel::borrowedFloatingBuffers() const {
  std::lock_guard lock(mu_);
  return int(freeFloating_.size());
}

void RemoteInputChannel::release() {
  std::deque<BufferPtr> received;
  std::vector<BufferPtr> floating;
  std::vector<uint8_t*> exclusive;
  {
    std::lock_guard lock(mu_);
    if (released_) return;
    released_ = true;
    received = received_.takeAll();
    floating.swap(freeFloating_);
    exclusive.swap(freeExclusive_);
  }
  // Outside the lock: exclusive buffers among `received` come back through recycle().
  received.clear();
  floating.clear();
  for (uint8_t* s : exclusive) gatePool_.recycle(s);
}

}  // namespace weir::network
