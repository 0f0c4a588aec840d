#!/bin/sh
# Runs each CUnit test program given as an argument, shows its output, and ends with one line
# "tests: N passed, N failed" summed over every program's CUnit "tests" row. A program that
# exits non-zero without reporting a failed test (a crash, a registration error) counts as one
# failed test, so nothing can slip through as a pass. Exit status: 0 only if nothing failed.
passed=0
failed=0
for prog in "$@"; do
    echo "== $prog"
    log=$(mktemp)
    "$prog" >"$log" 2>&1
    rc=$?
    cat "$log"
    # CUnit's summary row:  tests  <total> <ran> <passed> <failed> <inactive>
    counts=$(awk '$1 == "tests" && NF == 6 { print $4, $5 }' "$log")
    p=0
    f=0
    [ -n "$counts" ] && { p=${counts% *}; f=${counts#* }; }
    rm -f "$log"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "== $prog exited with status $rc without a CUnit failure: counted as failed"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
