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

cat <<MSG

== Weir demo: wordcount ==
Input: $lines lines of text in $DEMO/input (2 files).
The job reads the files (one split per file), splits lines into lowercase words,
routes every word to a subtask by its key group (keyBy), keeps a running count per
word in keyed state, and writes "word,count" for every occurrence to one file per
sink subtask. Everything runs at parallelism 2 on an embedded local cluster; the
source is throttled to 40,000 lines/s so you can watch the progress line.

\$ weir run -p 2 wordcount --input $DEMO/input --output $DEMO/output --rate 40000
MSG
"$WEIR" run -p 2 wordcount --input "$DEMO/input" --output "$DEMO/output" --rate 40000

echo
echo "Output files (one per sink subtask):"
ls -l "$DEMO/output" | tail -n +2
echo
echo "The ten most frequent words (the last count written for each word):"
cat "$DEMO"/output/* | awk -F, '{ if ($2 > max[$1]) max[$1] = $2 } END { for (w in max) print max[w], w }' |
  sort -rn | head -10 | awk '{ printf "  %-10s %s\n", $2, $1 }'

echo
echo "Cross-check against an independent count (tr | grep -o | sort | uniq -c):"
cat "$DEMO"/input/*.txt | LC_ALL=C tr 'A-Z' 'a-z' | LC_ALL=C grep -oE "[a-z0-9']+" | LC_ALL=C sort | LC_ALL=C uniq -c |
  awk '{ print $2, $1 }' | LC_ALL=C sort >"$DEMO/expected.txt"
cat "$DEMO"/output/* | awk -F, '{ if ($2 > max[$1]) max[$1] = $2 } END { for (w in max) print w, max[w] }' |
  LC_ALL=C sort >"$DEMO/actual.txt"
if cmp -s "$DEMO/expected.txt" "$DEMO/actual.txt"; then
  echo "  equal: $(wc -l <"$DEMO/actual.txt") distinct words, every final count matches."
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
