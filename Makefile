# Weir build entry points (in the style of DuckDB's Makefile).
#   make          release build into build/release (binaries in build/release/bin)
#   make debug    debug build into build/debug
#   make test     release build + whole CTest suite, then the ASan/UBSan and TSan runs
#   make demo     release build + the demo job, explained
#   make bench    release build + benchmarks
#   make bench-checkpoints  release build + the checkpoint benchmarks (two to three minutes)
#   make sanitize ASan+UBSan build into build/sanitize + its unit-test run
#   make tsan     ThreadSanitizer build of the network, runtime, state and REST tests + their run
#   make fuzz     libFuzzer build (clang) of the readers of persisted formats + FUZZ_SECONDS (30) per target
# Every target first runs scripts/install-deps.sh (Debian packages only).

.PHONY: all release debug test demo bench bench-checkpoints sanitize sanitize-build tsan tsan-build fuzz fuzz-build deps format clean

CMAKE_COMMON := -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
JOBS ?= $(shell nproc)

all: release

deps:
	@bash scripts/install-deps.sh

release: deps
	@cmake -S . -B build/release $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build/release -j $(JOBS)

debug: deps
	@cmake -S . -B build/debug $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build/debug -j $(JOBS)

sanitize-build: deps
	@cmake -S . -B build/sanitize $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWEIR_SANITIZE=ON \
	  -DWEIR_BUILD_BENCH=OFF >/dev/null
	@cmake --build build/sanitize -j $(JOBS)

# The sanitizer run covers the unit tests (label 'unit'); end-to-end tests run in the release build.
sanitize: sanitize-build
	@cd build/sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest -L unit --output-on-failure -j $(JOBS)

# ThreadSanitizer over the concurrent parts: the network stack, the task runtime,
# the state backend (copy-on-write views read on the snapshot thread while
# the task writes) and the REST API (requests read running jobs).
tsan-build: deps
	@cmake -S . -B build/tsan $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWEIR_TSAN=ON \
	  -DWEIR_BUILD_BENCH=OFF >/dev/null
	@cmake --build build/tsan -j $(JOBS) --target network_test runtime_test state_test rest_test

tsan: tsan-build
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build/tsan/bin/state_test --gtest_brief=1
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build/tsan/bin/network_test --gtest_brief=1
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build/tsan/bin/runtime_test --gtest_brief=1
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build/tsan/bin/rest_test --gtest_brief=1

# libFuzzer needs clang; only the parts the fuzz targets read with are built (fuzz/, docs/fuzzing.md).
FUZZ_SECONDS ?= 30
fuzz-build: deps
	@cmake -S . -B build/fuzz $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DWEIR_FUZZ=ON -DWEIR_BUILD_TESTS=OFF -DWEIR_BUILD_BENCH=OFF >/dev/null
	@cmake --build build/fuzz -j $(JOBS)

fuzz: fuzz-build
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

test: release
	@cd build/release && ctest -LE soak --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory sanitize
	@$(MAKE) --no-print-directory tsan
	@$(MAKE) --no-print-directory fuzz

demo: release
	@bash scripts/demo.sh

bench: release
	@bash scripts/bench.sh

bench-checkpoints: release
	@bash scripts/bench.sh --checkpoints

format:
	@find include src tests bench examples -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf build
