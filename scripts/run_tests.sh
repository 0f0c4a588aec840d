#!/bin/bash
# Runs each CUnit test program given as an argument, AK_TEST_JOBS (default: the number of
# cores) at a time in the order given (so put the longest first), shows each one's output as it
# ends, and ends with one line "tests: N passed, N failed" summed over every program's CUnit
# "tests" row. A program that exits non-zero without reporting a failed test (a crash, a
# registration error) counts as one failed test, so nothing can slip through as a pass.
# A program still running after AK_TEST_TIMEOUT seconds (default 1800; the longest, test_rtl_lint,
# takes about 600 on an idle machine) is killed and counted the same way: a hang is a failure
# with its name, not a run that never ends.
# Exit status: 0 only if nothing failed.
jobs_max=${AK_TEST_JOBS:-$(nproc)}
limit=${AK_TEST_TIMEOUT:-1800}
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT

run_one() { # program, its index
    local start=$SECONDS
    timeout --kill-after=30 "$limit" "$1" >"$dir/$2.log" 2>&1
    local rc=$?
    [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] &&
        echo "== $1 did not end within $limit s (AK_TEST_TIMEOUT): killed" >>"$dir/$2.log"
    echo "$rc" >"$dir/$2.rc"
    # one program's output at a time, even when two end together
    flock "$dir/lock" sh -c 'echo "== $1 ($2 s)"; cat "$3"' _ "$1" $((SECONDS - start)) "$dir/$2.log"
}

i=0
for prog in "$@"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
        wait -n
    done
    run_one "$prog" "$i" &
    i=$((i + 1))
done
wait

passed=0
failed=0
i=0
for prog in "$@"; do
    rc=$(cat "$dir/$i.rc" 2>/dev/null || echo 1)
    # CUnit's summary row:  tests  <total> <ran> <passed> <failed> <inactive>
    counts=$(awk '$1 == "tests" && NF == 6 { print $4, $5 }' "$dir/$i.log")
    p=0
    f=0
    [ -n "$counts" ] && { p=${counts% *}; f=${counts#* }; }
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "== $prog exited with status $rc without a CUnit failure: counted as failed"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    i=$((i + 1))
done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
