// Plain single-threaded implementations of the Nexmark queries, without the
// engine: weir-bench nexmark runs one before the engine runs of a query, for
// the expected number of results (each engine run is checked against it) and
// as the baseline throughput of the same run. Each consumes the events in
// event-number order and counts the rows the query's engine version emits in
// total (for q4's updating result: one row per closed auction with a valid bid).
// Threading: a baseline is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <weir/connectors/nexmark/model.h>

namespace weir::bench {

class NexmarkBaseline {
 public:
  virtual ~NexmarkBaseline() = default;
  virtual void onEvent(const nexmark::Event& e) = 0;
  // The number of result rows, once every event was seen.
  virtual uint64_t results() = 0;
};

// Null for an unknown query.
std::unique_ptr<NexmarkBaseline> makeNexmarkBaseline(const std::string& query);

}  // namespace weir::bench
