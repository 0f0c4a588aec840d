#!/usr/bin/env python3
"""Cycle-model benchmark: runs `attnkit estimate --json` on presets and prints, for each, the
cycles it predicts and the host time of the estimate itself (the model's own speed).

`make bench` calls it. Exit status: 0 ok, 1 an estimate failed.
"""
import argparse
import json
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--attnkit", required=True, help="the attnkit binary")
    ap.add_argument("presets", nargs="+", help="workload presets")
    args = ap.parse_args()
    print(f"{'workload':<12} {'layers':>6} {'cycles':>11} {'estimate ms':>11} {'M cycles/s':>10}")
    for p in args.presets:
        r = subprocess.run([args.attnkit, "estimate", "--preset", p, "--json"],
                           capture_output=True, text=True, check=False)
        if r.returncode != 0:
            print(f"bench_estimate: {p}: {r.stderr.strip()}", file=sys.stderr)
            return 1
        d = json.loads(r.stdout)
        cycles, secs = d["total"]["cycles"], d["host_seconds"]
        print(f"{p:<12} {len(d['layers']):>6} {cycles:>11} {1e3 * secs:>11.1f} "
              f"{cycles / secs / 1e6:>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
