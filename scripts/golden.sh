#!/bin/sh
# The golden vector sets listed in vectors/golden/cases.txt.
#   golden.sh write CLI            regenerate every set into vectors/golden/ (after a deliberate
#                                  numerics change; review the diff, then commit)
#   golden.sh check CLI OUT [NAME] regenerate into OUT/ and fail on any byte difference from the
#                                  committed set (one case, or all)
set -eu
mode=$1
cli=$2
here=$(cd "$(dirname "$0")/.." && pwd)
golden=$here/vectors/golden
status=0
grep -v '^#' "$golden/cases.txt" | while read -r name workload logits; do
    [ -n "$name" ] || continue
    case "$mode" in
    write)
        "$cli" vecgen --workload "$golden/workloads/$workload" --logits "$logits" \
            --out "$golden/$name" --force
        ;;
    check)
        out=$3
        [ $# -ge 4 ] && [ "$4" != "$name" ] && continue
        mkdir -p "$out"
        "$cli" vecgen --workload "$golden/workloads/$workload" --logits "$logits" \
            --out "$out/$name" --force >/dev/null
        # the manifest names the workload file's path only through its content, so the
        # directories must match byte for byte
        if diff -r "$golden/$name" "$out/$name" >/dev/null; then
            echo "golden $name: identical"
        else
            echo "golden $name: DIFFERS from vectors/golden/$name:"
            diff -rq "$golden/$name" "$out/$name" || true
            exit 1
        fi
        ;;
    *)
        echo "golden.sh: mode must be write or check" >&2
        exit 2
        ;;
    esac
done
