#!/usr/bin/env bash
# Fuzzes DriverDesk's parsers with libFuzzer (issue 7).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      each target for SECONDS (default 180); targets default to all five:
#                                              fuzz-plate fuzz-idnumber fuzz-time fuzz-csv fuzz-violationfile
#
# The targets are built with `swift build --sanitize=fuzzer --sanitize=address` in their own scratch folder
# (.build/fuzz), so the normal debug build in .build is not rebuilt with sanitizers. Note: `-Xswiftc
# -sanitize=fuzzer,address` does NOT work with SwiftPM on Linux: SwiftPM then links the executable with
# `--defsym main=<module>_main`, so Swift's (empty) entry point replaces libFuzzer's `main` and the binary exits 0
# at once without fuzzing. `--sanitize=fuzzer` makes SwiftPM leave `main` to libFuzzer. And with Swift 6.3.1
# `-sanitize=fuzzer` no longer instruments coverage by itself (libFuzzer says "no interesting inputs were found... Is
# the code instrumented for coverage?" and the corpus never grows), so the coverage flags are given explicitly.
#
# The corpus starts from Tests/ReliabilityTests/Fuzz/<name>/ (seeds and earlier crashes) and grows in
# .build/fuzz/corpus/<name>/. A crash, leak-free timeout or out-of-memory input is copied to
# Tests/ReliabilityTests/Fuzz/<name>/ (where ReliabilityTests replays it) and the script exits 1.
set -u
cd "$(dirname "$0")/.."
mkdir -p .build/fuzz  # for the build logs

SECONDS_EACH=${1:-180}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(fuzz-plate fuzz-idnumber fuzz-time fuzz-csv fuzz-violationfile)
fi
SWIFT=${SWIFT:-swift}
# Fewer executed inputs than this means the target did not really fuzz (the slowest parser runs ~6,000 a second).
MIN_UNITS=${FUZZ_MIN_UNITS:-1000}
SCRATCH=.build/fuzz
REGRESSIONS=Tests/ReliabilityTests/Fuzz

folder_of() {
    case "$1" in
        fuzz-plate) echo plate ;;
        fuzz-idnumber) echo idnumber ;;
        fuzz-time) echo time ;;
        fuzz-csv) echo csv ;;
        fuzz-violationfile) echo violationfile ;;
        *) echo "unknown fuzz target $1" >&2; exit 2 ;;
    esac
}

status=0
for target in "${TARGETS[@]}"; do
    name=$(folder_of "$target")
    echo "== $target: building (sanitizers fuzzer + address, scratch $SCRATCH)"
    # A failed build stops the run: a binary left by an earlier build would otherwise be fuzzed in its place.
    $SWIFT build -c debug --scratch-path "$SCRATCH" --sanitize=fuzzer --sanitize=address \
        -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table --product "$target" >"$SCRATCH/build-$name.log" 2>&1
    built=$?
    grep -v "ld.gold: warning: Cannot export local symbol" "$SCRATCH/build-$name.log" | tail -5
    binary="$SCRATCH/debug/$target"
    if [ "$built" -ne 0 ] || [ ! -x "$binary" ]; then
        echo "error: building $target failed (exit $built); log: $SCRATCH/build-$name.log" >&2
        exit 3
    fi
    corpus="$SCRATCH/corpus/$name"
    artifacts="$SCRATCH/artifacts/$name"
    mkdir -p "$corpus" "$artifacts" "$REGRESSIONS/$name"
    before=$(ls "$artifacts" | wc -l)
    echo "== $target: fuzzing for ${SECONDS_EACH}s (corpus $corpus, seeds $REGRESSIONS/$name)"
    # Swift's own crash reporter would wait on a crashing child; libFuzzer reports crashes itself.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:symbolize=1 \
        "$binary" -max_total_time="$SECONDS_EACH" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$REGRESSIONS/$name" \
        >"$SCRATCH/$name.log" 2>&1
    result=$?
    grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::new_units_added|SUMMARY|==[0-9]+==ERROR)" "$SCRATCH/$name.log" | head -8
    after=$(ls "$artifacts" | wc -l)
    # libFuzzer exits 0 without fuzzing when the binary's main is not libFuzzer's (see above): require that it ran.
    executed=$(sed -n 's/^stat::number_of_executed_units: *\([0-9][0-9]*\).*/\1/p' "$SCRATCH/$name.log" | tail -1)
    if [ "$result" -eq 0 ] && [ "${executed:-0}" -lt "$MIN_UNITS" ]; then
        echo "!! $target executed ${executed:-no} inputs in ${SECONDS_EACH}s (at least $MIN_UNITS expected): it did not fuzz; log: $SCRATCH/$name.log" >&2
        tail -20 "$SCRATCH/$name.log" >&2
        status=1
        continue
    fi
    if [ "$result" -ne 0 ] || [ "$after" -gt "$before" ]; then
        echo "!! $target found a problem (exit $result); log: $SCRATCH/$name.log" >&2
        tail -40 "$SCRATCH/$name.log" >&2
        for file in "$artifacts"/*; do
            [ -f "$file" ] || continue
            cp -n "$file" "$REGRESSIONS/$name/" && echo "   saved $(basename "$file") to $REGRESSIONS/$name/ (a regression input now)" >&2
        done
        status=1
    fi
done
exit $status
