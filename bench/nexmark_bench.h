// weir-bench nexmark: the Nexmark queries of examples/nexmark over the
// deterministic Nexmark generator, each run twice, without checkpoints and
// with a checkpoint every 10 s (in-memory checkpoint storage, heap state).
//
//   weir-bench nexmark --query <q0|...|q8|all> [--events N] [--parallelism P]
//
// Per run it prints a human line, then
//   nexmark-<q> events_per_sec=<N> cores=<C> checkpointing=<off|10s>
// where events_per_sec is source events divided by the wall time of execute()
// and cores is how many cores the job kept busy on average (process CPU time
// during execute() over its wall time: q0-q2 are one chained task per
// subtask, the others a source task and one or two keyed tasks). Before the
// runs, a plain single-threaded loop generates the same events and applies the
// query without the engine (nexmark_baselines.h), which gives the expected
// result count (each run is checked against it) and the baseline throughput.
#pragma once

namespace weir::bench {

// argv[0] is "nexmark"; returns the process exit code.
int runNexmarkBench(int argc, char** argv);

}  // namespace weir::bench
