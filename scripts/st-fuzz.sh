#!/bin/sh
# The long fuzzing run (make fuzz; not part of make check): every libFuzzer
# target for FUZZ_RUNS executions (default 10 million) or FUZZ_TIME seconds,
# whichever ends first, over its committed seeds and a corpus kept in
# BUILD/fuzz/NAME between runs.  Prints, per target: executions, executions
# per second, corpus size and the result; fails if any target found a
# crash, a leak or a hang (the input is kept as BUILD/fuzz/NAME-*).
#
# usage: st-fuzz.sh BUILD_DIR
#   FUZZ_RUNS=N         executions per target (default 10000000)
#   FUZZ_TIME=S         seconds per target at most (default: no limit)
#   FUZZ_TARGETS="a b"  only these targets (names as in the list below)
#   FUZZ_TIMEOUT=S      an input that runs longer is a hang (default 10;
#                       wall-clock time: raise it when the run is niced
#                       on a busy machine, where an input may wait longer)
set -eu

die() { echo "st-fuzz: $*" >&2; exit 1; }

build=$(cd "${1:?usage: st-fuzz.sh BUILD_DIR}" && pwd)
list=$build/tests/unit/fuzz-targets.txt
[ -s "$list" ] || die "$list is missing or empty: build first (make), with clang installed (make deps)"
runs=${FUZZ_RUNS:-10000000}
limit=
[ -z "${FUZZ_TIME:-}" ] || limit="-max_total_time=$FUZZ_TIME"
timeout=${FUZZ_TIMEOUT:-10}
out=$build/fuzz
mkdir -p "$out"

summary=$out/summary.$$
printf '%-18s %12s %8s %14s  %s\n' target execs exec/s corpus result >"$summary"
failed=0
while read -r name exe seeds max_len; do
    [ -n "$name" ] || continue
    if [ -n "${FUZZ_TARGETS:-}" ]; then
        case " $FUZZ_TARGETS " in *" $name "*) ;; *) continue ;; esac
    fi
    [ -x "$exe" ] || die "$exe is not built: run make first"
    corpus=$out/$name
    log=$out/$name.log
    mkdir -p "$corpus"
    echo "st-fuzz: $name: $runs runs${limit:+ or $FUZZ_TIME s} (log: $log)"
    rc=0
    # shellcheck disable=SC2086
    "$exe" -runs="$runs" $limit -timeout="$timeout" -rss_limit_mb=2048 \
        -max_len="$max_len" -print_final_stats=1 -create_missing_dirs=1 \
        -artifact_prefix="$out/$name-" "$corpus" "$seeds" >"$log" 2>&1 ||
        rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    files=$(find "$corpus" "$seeds" -type f | wc -l)
    bytes=$(cat "$corpus"/* "$seeds"/* 2>/dev/null | wc -c)
    if [ "$rc" = 0 ]; then
        result=ok
    else
        failed=1
        result="FAILED (exit $rc): $(grep -m 1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" || echo "see $log")"
    fi
    printf '%-18s %12s %8s %14s  %s\n' "$name" "${execs:-?}" "${speed:-?}" \
        "$files/${bytes}B" "$result" >>"$summary"
done <"$list"
cat "$summary"
mv "$summary" "$out/summary.txt"
exit "$failed"
