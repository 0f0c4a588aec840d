#!/bin/bash
# The attnkit programs under Valgrind's memcheck on the golden sets (vectors/golden/cases.txt):
# for each set, attnkit vecgen of its workload into a temporary directory (then compared byte
# for byte with the committed set), vecgen --check, workload, estimate, accuracy, mask and
# prune of its shape, and attnkit sim on the committed vectors with the verilator and tlm
# backends (attnkit-sim, which attnkit runs, is traced too); once, the sc-rtl backend on the
# smallest set and accuracy --npy-dir on the committed real tensors. Every run must exit as
# it does without Valgrind (0) with no memcheck error (--error-exitcode=99) and no leak
# (definite or indirect; --errors-for-leak-kinds). Prints a line a run and a summary.
# usage: scripts/valgrind_golden.sh CLI [SET...]   (CLI: build/bin/attnkit; default: every set)
set -u
cli=$(realpath "$1")
shift
here=$(cd "$(dirname "$0")/.." && pwd)
golden=$here/vectors/golden
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --trace-children=yes --num-callers=30)
runs=0
failed=0
start=$SECONDS

run() { # label, command...
    local label=$1 t0=$SECONDS
    shift
    runs=$((runs + 1))
    if "${vg[@]}" --log-file="$tmp/vg.%p.log" "$@" >"$tmp/out.log" 2>&1; then
        echo "valgrind: ok    $label ($((SECONDS - t0)) s)"
    else
        failed=$((failed + 1))
        echo "valgrind: FAIL  $label (exit status $?; $((SECONDS - t0)) s)"
        tail -20 "$tmp/out.log"
        cat "$tmp"/vg.*.log
    fi
    rm -f "$tmp"/vg.*.log
}

sets=("$@")
if [ ${#sets[@]} -eq 0 ]; then
    mapfile -t sets < <(awk '!/^#/ && NF { print $1 }' "$golden/cases.txt")
fi
for name in "${sets[@]}"; do
    read -r workload logits < <(awk -v n="$name" '$1 == n { print $2, $3 }' "$golden/cases.txt")
    wl=$golden/workloads/$workload
    run "$name: vecgen" "$cli" vecgen --workload "$wl" --logits "$logits" --out "$tmp/$name" --threads 2
    if ! diff -r "$golden/$name" "$tmp/$name" >/dev/null; then
        echo "valgrind: FAIL  $name: vecgen under valgrind wrote other vectors than vectors/golden/$name"
        failed=$((failed + 1))
    fi
    rm -rf "${tmp:?}/$name"
    run "$name: vecgen --check" "$cli" vecgen --check "$golden/$name"
    run "$name: workload" "$cli" workload --workload "$wl"
    run "$name: estimate" "$cli" estimate --workload "$wl"
    # the set's shape and first layer's mask pattern for the shape-flag commands
    shape=$(jq -r '"--n \(.tokens) --d \(.head_dim) --heads \(.heads) --block \(.block)"' "$wl")
    pattern=$(jq -r '.layers[0].mask.pattern // "dense"' "$wl")
    # shellcheck disable=SC2086  # shape is several flags
    run "$name: accuracy" "$cli" accuracy $shape --logits "$logits" --threads 2
    # shellcheck disable=SC2086
    run "$name: mask ($pattern)" "$cli" mask $shape --pattern "$pattern"
    # shellcheck disable=SC2086
    run "$name: prune" "$cli" prune $shape --logits "$logits" --keep 0.7
    run "$name: sim (verilator)" "$cli" sim --vectors "$golden/$name"
    run "$name: sim (tlm)" "$cli" sim --vectors "$golden/$name" --backend tlm --threads 1
done
run "n1: sim (sc-rtl)" "$cli" sim --vectors "$golden/n1" --backend sc-rtl
run "minilm-l6-n128: accuracy --npy-dir" "$cli" accuracy --npy-dir "$here/vectors/real/minilm-l6-n128" \
    --threads 2
echo "valgrind: $runs runs, $failed failed, $((SECONDS - start)) s"
[ "$failed" -eq 0 ]
