#!/bin/sh
# Build the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang, ASan and
# UBSan into build-fuzz, then run each for N seconds (default 60).
# Exits non-zero when any target finds a crash, a leak or a timeout; the
# reproducer is left in build-fuzz/artifacts/<target>/.
# usage: scripts/fuzz.sh [SECONDS]
set -eu

secs=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-fuzz
cc=${CC:-clang}

generator=
command -v ninja >/dev/null 2>&1 && generator="-G Ninja"
# shellcheck disable=SC2086 # generator is one or two words, or nothing
cmake -S "$root" -B "$build" $generator -DCMAKE_C_COMPILER="$cc" \
	-DBPFVM_FUZZ=ON -DBPFVM_SANITIZE=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

targets=
for src in "$root"/tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	targets="$targets $(basename "$src" .c)"
done
if [ -z "$targets" ]; then
	echo "fuzz: no tests/fuzz/fuzz_*.c targets" >&2
	exit 1
fi
# shellcheck disable=SC2086
cmake --build "$build" --target $targets
# the object zoo (tests/objs) seeds fuzz_loader
cmake --build "$build" --target bpfvm_test_objs

status=0
for t in $targets; do
	bin=$(find "$build" -type f -name "$t" -perm -u+x | head -n 1)
	corpus=$build/corpus/$t
	artifacts=$build/artifacts/$t/
	mkdir -p "$corpus" "$artifacts"
	# seeds: tests/fuzz/corpus_<target>/; fuzz_loader: the built objects
	if [ -d "$root/tests/fuzz/corpus_$t" ]; then
		cp -n "$root/tests/fuzz/corpus_$t"/* "$corpus"/ 2>/dev/null || true
	fi
	if [ "$t" = fuzz_loader ]; then
		cp -n "$build"/tests/objs/*.o "$corpus"/ 2>/dev/null || true
	fi
	echo "== $t: ${secs}s"
	if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$artifacts" \
		"$corpus" >"$build/$t.log" 2>&1; then
		echo "fuzz: $t FAILED; see $build/$t.log and $artifacts" >&2
		tail -n 40 "$build/$t.log" >&2
		status=1
	else
		grep -E "^stat::number_of_executed_units|^Done" \
			"$build/$t.log" || true
	fi
done
exit $status
