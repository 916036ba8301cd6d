#include "runtime/channel_state_file_groups.h"

#include <algorithm>
#include <utility>

#include <weir/core/check.h>

#include "checkpoint/channel_state.h"
#include "checkpoint/state_bytes.h"

namespace weir::runtime {
namespace {

Status abortedStatus(int64_t checkpointId) {
  return Status::cancelled("checkpoint " + std::to_string(checkpointId) +
                           " was aborted before its channel state was written");
}

}  // namespace

ChannelStateFileGroups::ChannelStateFileGroups(checkpoint::CheckpointStorage& storage, int maxSubtasksPerFile)
    : storage_(storage), maxSubtasksPerFile_(maxSubtasksPerFile) {
  WEIR_CHECK(maxSubtasksPerFile >= 1);
}

void ChannelStateFileGroups::add(int vertex, int parallelism, int subtask, int64_t checkpointId,
                                 std::unique_ptr<ChannelStateCollector> data, Done done) {
  WEIR_CHECK(subtask >= 0 && subtask < parallelism);
  const int group = subtask / maxSubtasksPerFile_;
  std::vector<Member> complete;
  {
    std::lock_guard lock(mu_);
    const bool over = aborted_.count(checkpointId) > 0;
    if (!over) {
      const Key key{checkpointId, vertex, group};
      Pending& p = pending_[key];
      p.expected = std::min(maxSubtasksPerFile_, parallelism - group * maxSubtasksPerFile_);
      p.members.push_back({subtask, std::move(data), std::move(done)});
      WEIR_CHECK(int(p.members.size()) <= p.expected);
      if (int(p.members.size()) < p.expected) return;
      complete = std::move(p.members);
      pending_.erase(key);
    }
  }
  if (complete.empty()) {
    done(abortedStatus(checkpointId));
    return;
  }
  write(checkpointId, std::move(complete));
}

void ChannelStateFileGroups::write(int64_t checkpointId, std::vector<Member> members) {
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return a.subtask < b.subtask; });
  std::string stream = checkpoint::channelStateHeader();
  std::vector<std::optional<checkpoint::ChannelStateHandle>> handles(members.size());
  size_t withData = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    ChannelStateCollector* c = members[i].data.get();
    if (c == nullptr || c->empty()) continue;
    handles[i].emplace();
    checkpoint::appendChannelState(stream, c->inputChannels(), c->resultSubpartitions(), *handles[i]);
    ++withData;
  }
  if (withData == 0) {
    for (Member& m : members) m.done(std::optional<checkpoint::ChannelStateHandle>());
    return;
  }
  Result<checkpoint::StreamStateHandle> stored = [&]() -> Result<checkpoint::StreamStateHandle> {
    auto out = storage_.createOutputStream(checkpointId, checkpoint::StateScope::kExclusive);
    if (!out.isOk()) return out.status();
    Status written = (*out)->write(stream.data(), stream.size());
    if (!written.isOk()) {
      (*out)->discard();
      return written;
    }
    return (*out)->closeAndGetHandle();
  }();
  if (!stored.isOk()) {
    for (Member& m : members) m.done(stored.status());
    return;
  }
  for (size_t i = 0; i < members.size(); ++i) {
    if (!handles[i]) continue;
    if (stored->isInline && withData > 1) {
      // Small enough for the metadata: each member carries only its own bytes.
      ChannelStateCollector& c = *members[i].data;
      checkpoint::StreamStateHandle own;
      own.isInline = true;
      own.inlineBytes =
          checkpoint::encodeChannelState(c.inputChannels(), c.resultSubpartitions(), *handles[i]);
      own.size = own.inlineBytes.size();
      own.checksum = checkpoint::stateChecksum(own.inlineBytes);
      handles[i]->stream = std::move(own);
    } else {
      handles[i]->stream = *stored;
    }
  }
  stream.clear();
  stream.shrink_to_fit();
  for (size_t i = 0; i < members.size(); ++i) {
    members[i].data.reset();
    members[i].done(std::move(handles[i]));
  }
}

void ChannelStateFileGroups::checkpointAborted(int64_t checkpointId) {
  std::vector<Member> dropped;
  {
    std::lock_guard lock(mu_);
    aborted_.insert(checkpointId);
    // Bounded: a part arriving after more than kAbortedRemembered newer aborts would
    // wait (and hold its data) until the job ends; async parts do not lag that far.
    while (aborted_.size() > kAbortedRemembered) aborted_.erase(aborted_.begin());
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (std::get<0>(it->first) == checkpointId) {
        for (Member& m : it->second.members) dropped.push_back(std::move(m));
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (Member& m : dropped) m.done(abortedStatus(checkpointId));
}

size_t ChannelStateFileGroups::pendingGroups() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

}  // namespace weir::runtime
