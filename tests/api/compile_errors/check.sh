#!/usr/bin/env bash
# Compiles one snippet that must NOT compile, and checks that the compiler's
# message contains the readable text named on the snippet's "// EXPECT:" line.
# Usage: check.sh <c++ compiler> <include dir> <snippet.cc>
set -u
cxx=$1 inc=$2 src=$3
expect=$(sed -n 's|^// EXPECT: ||p' "$src" | head -1)
out=$("$cxx" -std=c++20 -fsyntax-only -I"$inc" "$src" 2>&1)
if [ $? -eq 0 ]; then
  echo "FAIL: $src compiled, but it must be rejected"
  exit 1
fi
if ! grep -qF -- "$expect" <<<"$out"; then
  echo "FAIL: the error for $src does not mention: $expect"
  echo "$out" | head -40
  exit 1
fi
echo "ok: $(basename "$src") is rejected with '$expect'"
