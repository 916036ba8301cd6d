// CollectSink: gathers every record in memory, for tests and small examples.
// The results object is shared by all subtasks and thread-safe; read it after
// the job ended (or while it runs, for progress). Records of one subtask keep
// their order; records of different subtasks interleave.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include <weir/connectors/sink.h>

namespace weir {

template <class T>
class CollectSink final : public Sink<T> {
 public:
  class Results {
   public:
    void add(std::vector<T>& batch) {
      std::lock_guard lock(mu_);
      values_.insert(values_.end(), std::make_move_iterator(batch.begin()),
                     std::make_move_iterator(batch.end()));
      batch.clear();
    }
    std::vector<T> values() const {
      std::lock_guard lock(mu_);
      return values_;
    }
    size_t size() const {
      std::lock_guard lock(mu_);
      return values_.size();
    }

   private:
    mutable std::mutex mu_;
    std::vector<T> values_;
  };

  CollectSink() : results_(std::make_shared<Results>()) {}
  std::shared_ptr<Results> results() const { return results_; }

  std::unique_ptr<SinkWriter<T>> createWriter(StreamingRuntimeContext&) const override {
    return std::make_unique<Writer>(results_);
  }

 private:
  class Writer final : public SinkWriter<T> {
   public:
    explicit Writer(std::shared_ptr<Results> r) : results_(std::move(r)) {}
    void write(const T& value, Timestamp) override {
      batch_.push_back(value);
      if (batch_.size() >= 1024) results_->add(batch_);
    }
    void flush(FlushReason) override { results_->add(batch_); }
    void close() override { results_->add(batch_); }

   private:
    std::shared_ptr<Results> results_;
    std::vector<T> batch_;
  };
  std::shared_ptr<Results> results_;
};

}  // namespace weir
