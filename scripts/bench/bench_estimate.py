#!/usr/bin/env python3
"""Cycle-model benchmark: runs `attnkit estimate --json` on presets or workload files (an
argument ending in .json) and prints, for each, the cycles it predicts and the host time of the
estimate itself (identical layers are estimated once, so "M cycles/s" is predicted cycles per
host second, not the model's stepping rate); with --sweep also the wall time of
`attnkit estimate --sweep`.

`make bench` calls it. Exit status: 0 ok, 1 an estimate failed.
"""
import argparse
import json
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--attnkit", required=True, help="the attnkit binary")
    ap.add_argument("presets", nargs="+", help="workload presets or workload files (.json)")
    ap.add_argument("--sweep", action="store_true", help="also time estimate --sweep")
    args = ap.parse_args()
    print(f"{'workload':<12} {'layers':>6} {'cycles':>11} {'estimate ms':>11} {'M cycles/s':>10}"
          + (f" {'sweep s':>8}" if args.sweep else ""))
    for p in args.presets:
        src = ["--workload", p] if p.endswith(".json") else ["--preset", p]
        r = subprocess.run([args.attnkit, "estimate", *src, "--json"],
                           capture_output=True, text=True, check=False)
        if r.returncode != 0:
            print(f"bench_estimate: {p}: {r.stderr.strip()}", file=sys.stderr)
            return 1
        d = json.loads(r.stdout)
        cycles, secs = d["total"]["cycles"], d["host_seconds"]
        sweep = ""
        if args.sweep:
            t0 = time.monotonic()
            r = subprocess.run([args.attnkit, "estimate", *src, "--sweep"],
                               capture_output=True, text=True, check=False)
            if r.returncode != 0:
                print(f"bench_estimate: {p} --sweep: {r.stderr.strip()}", file=sys.stderr)
                return 1
            sweep = f" {time.monotonic() - t0:>8.2f}"
        print(f"{d['workload']:<12} {len(d['layers']):>6} {cycles:>11} {1e3 * secs:>11.1f} "
              f"{cycles / secs / 1e6:>10.1f}{sweep}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
