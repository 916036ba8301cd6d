// OutputTag<T>: names a side output of record type T (Flink's OutputTag).
//
// An operator can emit records to side outputs besides its main output:
// process functions with ctx.output(tag, value), windows with their late data
// (WindowedStream::sideOutputLateData). getSideOutput(tag) on the operator's
// stream is a stream of those records; a side output nobody consumes costs
// nothing and its records are dropped. Side outputs receive the operator's
// watermarks too. The id identifies the side output within its operator; one
// id must always be used with one type.
//
// A value type; copy freely.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace weir {

template <class T>
class OutputTag {
 public:
  using ValueType = T;
  explicit OutputTag(std::string id) : id_(std::move(id)) {
    if (id_.empty()) throw std::invalid_argument("an OutputTag needs a non-empty id");
  }
  const std::string& id() const { return id_; }

 private:
  std::string id_;
};

}  // namespace weir
