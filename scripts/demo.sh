#!/usr/bin/env bash
# The Weir demo: runs the wordcount job on the embedded cluster with parallelism 2
# and explains what happened. Called by `make demo` after the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
WEIR=build/release/bin/weir
DEMO=build/demo
rm -rf "$DEMO"
mkdir -p "$DEMO/input"

# Input: two files of generated prose (about 120,000 lines together).
base='The river does not stop to count its water, yet every drop arrives exactly once.
A weir holds the stream back, measures it, and lets it pass without losing a single drop.
Barriers flow with the records; when a barrier passes, the state behind it is safe.
If a task crashes, the job rewinds to the last barrier and replays what came after.
Keys are hashed into key groups, and key groups decide which subtask keeps which state.
Backpressure is not a failure: a slow sink makes the source wait, and memory stays bounded.'
for f in 1 2; do
  awk -v seed="$f" 'BEGIN { srand(seed) } { lines[NR] = $0 } END {
      for (i = 0; i < 10000; i++) for (j = 1; j <= NR; j++) {
        w = lines[j]; if (rand() < 0.3) w = toupper(substr(w, 1, 1)) substr(w, 2) " (" int(rand() * 100) ")";
        print w } }' <<<"$base" >"$DEMO/input/part-$f.txt"
done
lines=$(cat "$DEMO"/input/*.txt | wc -l)

CKPT_OPTS=(-D execution.checkpointing.interval=500ms -D "execution.checkpointing.dir=$DEMO/ckpt"
  -D execution.checkpointing.externalized-checkpoint-retention=RETAIN_ON_CANCELLATION)

cat <<MSG

== Weir demo: wordcount, exactly once across a crash ==
Input: $lines lines of text in $DEMO/input (2 files).
The job reads the files, splits lines into lowercase words, routes every word to a
subtask by its key group (keyBy), keeps a running count per word in keyed state, and
writes "word,count" for every occurrence through the exactly-once file sink. It runs at
parallelism 2 on an embedded local cluster, checkpoints every 500 ms, and its source is
throttled to 40,000 lines/s.

Step 1: start the job and kill the process with SIGKILL after 1.5 s (no cleanup at all).
\$ weir run -p 2 -D execution.checkpointing.interval=500ms -D execution.checkpointing.dir=$DEMO/ckpt \\
    -D execution.checkpointing.externalized-checkpoint-retention=RETAIN_ON_CANCELLATION \\
    wordcount --input $DEMO/input --output $DEMO/output --rate 40000 &
\$ sleep 1.5; kill -9 \$!
MSG
"$WEIR" run -p 2 "${CKPT_OPTS[@]}" wordcount --input "$DEMO/input" --output "$DEMO/output" --rate 40000 \
  >"$DEMO/run1.log" 2>&1 &
pid=$!
sleep 1.5
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
latest=$(for d in "$DEMO"/ckpt/*/chk-*; do if [ -f "$d/_metadata" ]; then echo "${d##*chk-} $d"; fi; done |
  sort -n | tail -1 | cut -d' ' -f2)
if [ -z "$latest" ]; then
  echo "  no checkpoint was retained before the kill; see $DEMO/run1.log" >&2
  exit 1
fi
echo
echo "Killed. Committed part files (visible) and in-progress files (hidden, names start with '.'):"
ls -lA "$DEMO/output" | tail -n +2 | sed 's/^/  /'
echo "Latest retained checkpoint: $latest"

cat <<MSG

Step 2: resume from that checkpoint. Sources rewind to the checkpoint's positions, keyed
counts come back, the sink commits what the checkpoint had pre-committed and discards the
rest; the job ends with a final checkpoint, so everything is committed.
\$ weir run -p 2 ... -s $latest wordcount --input $DEMO/input --output $DEMO/output --rate 40000
MSG
"$WEIR" run -p 2 "${CKPT_OPTS[@]}" -s "$latest" wordcount --input "$DEMO/input" --output "$DEMO/output" \
  --rate 40000

echo
echo "The ten most frequent words (the last count written for each word):"
cat "$DEMO"/output/* | awk -F, '{ if ($2 > max[$1]) max[$1] = $2 } END { for (w in max) print max[w], w }' |
  sort -rn | head -10 | awk '{ printf "  %-10s %s\n", $2, $1 }'

echo
echo "Cross-check against an independent count (tr | grep -o | sort | uniq -c): for every word,"
echo "the committed output of both runs together must hold exactly the counts 1..n, each once."
cat "$DEMO"/input/*.txt | LC_ALL=C tr 'A-Z' 'a-z' | LC_ALL=C grep -oE "[a-z0-9']+" | LC_ALL=C sort | LC_ALL=C uniq -c |
  awk '{ print $2, $1, $1, $1 }' | LC_ALL=C sort >"$DEMO/expected.txt"
# Per word: committed lines, distinct counts and the highest count (all three must be n).
cat "$DEMO"/output/* | awk -F, '{ n[$1]++; if (!seen[$0]++) d[$1]++; if ($2 > max[$1]) max[$1] = $2 }
  END { for (w in n) print w, n[w], d[w], max[w] }' | LC_ALL=C sort >"$DEMO/actual.txt"
if cmp -s "$DEMO/expected.txt" "$DEMO/actual.txt"; then
  echo "  equal: $(wc -l <"$DEMO/actual.txt") distinct words, $(cat "$DEMO"/output/* | wc -l) committed lines;"
  echo "  no count lost, none written twice, despite the crash."
else
  echo "  MISMATCH: diff $DEMO/expected.txt $DEMO/actual.txt" >&2
  exit 1
fi
cat <<MSG

What to try next:
  $WEIR run --list                  # the built-in jobs
  $WEIR run wordcount --help        # a job's own options
  $WEIR run -p 4 -D execution.buffer-timeout=0 wordcount --input ... --output ...
MSG
