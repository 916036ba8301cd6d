// The Nexmark queries as Weir jobs (one query per file: q0.cc, q1.cc, ...),
// shared by `weir run nexmark` and `weir-bench nexmark`.
//
// A query reads the event stream of a NexmarkSource (with event time from
// nexmarkWatermarks()) and sends its results to a ResultSink: printed, written
// as CSV lines to exactly-once part files, or discarded. Every query renders
// its result rows as CSV (csv.h's rules), the same columns as its SQL
// formulation in docs/nexmark.md, so the SQLite oracle of the tests can
// compare them.
//
// Adding a query: a file qN.cc defining buildQN(events, sink) and an entry in
// queries.cc's table.
#pragma once

#include <string>
#include <vector>

#include <weir/connectors/nexmark/nexmark_source.h>
#include <weir/weir.h>

namespace weir::examples::nexmark {

using weir::nexmark::Event;

enum class ResultSinkKind {
  kPrint,      // one CSV line per result on stdout
  kFile,       // CSV lines in part files under `dir` (FileSink: exactly once, committed at checkpoints)
  kBlackhole,  // discarded (benchmarks)
};

struct ResultSink {
  ResultSinkKind kind = ResultSinkKind::kPrint;
  std::string dir;  // kFile only
};

struct Query {
  const char* name;         // "q0"
  const char* description;  // one line
  // Adds the query's operators and its sink to the job of `events`.
  void (*build)(const DataStream<Event>& events, const ResultSink& sink);
};

// Every query, in order.
const std::vector<Query>& queries();
// nullptr when there is no query of that name.
const Query* findQuery(const std::string& name);
// "q0, q1, q2": for error messages.
std::string queryNames();

// Builds the whole job: the Nexmark source (uid "nexmark-source", event time per split), then `query`.
// Throws std::invalid_argument if the source options are invalid.
void buildNexmarkJob(StreamExecutionEnvironment& env, const Query& query,
                     const weir::nexmark::NexmarkSourceOptions& source, const ResultSink& sink);

// Sends `results` to `sink`, each rendered by `csv` (a CSV line without terminator).
template <class T>
void sinkResults(const DataStream<T>& results, const ResultSink& sink, std::string (*csv)(const T&)) {
  switch (sink.kind) {
    case ResultSinkKind::kPrint:
      results.map([csv](const T& r) { return csv(r); }).name("to-csv").uid("to-csv").print().uid("results");
      return;
    case ResultSinkKind::kFile:
      results.sinkTo(std::make_shared<FileSink<T>>(sink.dir, csv), "results").uid("results");
      return;
    case ResultSinkKind::kBlackhole:
      results.sinkTo(std::make_shared<DiscardingSink<T>>(), "results").uid("results");
      return;
  }
}

void buildQ0(const DataStream<Event>& events, const ResultSink& sink);
void buildQ1(const DataStream<Event>& events, const ResultSink& sink);
void buildQ2(const DataStream<Event>& events, const ResultSink& sink);
void buildQ3(const DataStream<Event>& events, const ResultSink& sink);
void buildQ4(const DataStream<Event>& events, const ResultSink& sink);
void buildQ5(const DataStream<Event>& events, const ResultSink& sink);
void buildQ7(const DataStream<Event>& events, const ResultSink& sink);
void buildQ8(const DataStream<Event>& events, const ResultSink& sink);

}  // namespace weir::examples::nexmark
