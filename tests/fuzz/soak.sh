#!/bin/bash
# Long libFuzzer runs (tests/fuzz/README.md): every harness named runs in parallel under
# `nice -n 19` until the given end time (seconds since the epoch), each on a working copy of
# its kept corpus in $BUILD/fuzz/soak/<name>/corpus. A run that stops on a crash leaves the
# input as $BUILD/fuzz/soak/<name>/crash-* and starts again with the harness as it is then
# (rebuild it with the fix meanwhile: each start copies the binary). Each run's output is
# appended to $BUILD/fuzz/soak/<name>/log; `tests/fuzz/soak.sh --report` sums, per harness,
# wall time, CPU time, runs, executions (stat::number_of_executed_units) and crashes.
# usage: tests/fuzz/soak.sh END_EPOCH_SECONDS NAME...   |   tests/fuzz/soak.sh --report NAME...
BUILD=${BUILD:-build}
root=$BUILD/fuzz/soak

report() {
    printf '%-12s %8s %8s %5s %14s %7s %7s\n' harness wall_s cpu_s runs executions corpus crashes
    for t in "$@"; do
        d=$root/$t
        [ -d "$d" ] || continue
        awk -v t="$t" -v corpus="$(find "$d/corpus" -type f | wc -l)" \
            -v crashes="$(find "$d" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'leak-*' -o -maxdepth 1 -name 'timeout-*' -o -maxdepth 1 -name 'oom-*' | wc -l)" '
            /^SOAK start/ { runs++ }
            /^SOAK wall/ { wall += $3; cpu += $5 + $7 }
            /^stat::number_of_executed_units:/ { ex += $2 }
            END { printf "%-12s %8d %8d %5d %14d %7d %7d\n", t, wall, cpu, runs, ex, corpus, crashes }' "$d/log"
    done
}

if [ "$1" = --report ]; then
    shift
    report "$@"
    exit 0
fi

end=$1
shift
for t in "$@"; do
    d=$root/$t
    mkdir -p "$d/corpus"
    [ -n "$(ls -A "$d/corpus")" ] || cp tests/fuzz/corpus_"$t"/* "$d/corpus/"
    (
        while left=$((end - $(date +%s))); [ "$left" -gt 30 ]; do
            cp "$BUILD/fuzz/fuzz_$t" "$d/bin"
            echo "SOAK start $(date -u +%FT%TZ) for $left s" >>"$d/log"
            # bash's time: wall, user and system seconds of the run
            TIMEFORMAT='SOAK wall %R user %U sys %S'
            { time nice -n 19 "$d/bin" -max_total_time="$left" -timeout=30 -print_final_stats=1 \
                -artifact_prefix="$d/" "$d/corpus" >>"$d/log" 2>&1; } 2>>"$d/log"
            sleep 5
        done
    ) &
done
wait
