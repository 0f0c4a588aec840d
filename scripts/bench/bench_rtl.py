#!/usr/bin/env python3
"""RTL performance benchmark: generates the vectors of a workload whose first layer is dense
(default vectors/workloads/rtl-n1024-d64.json), runs every layer on the Verilated accelerator
(`attnkit sim --json`, deterministic memory), and prints per layer the block density, cycles
(and the cycle model's prediction), the speed-up over the dense layer next to the ideal
(1 / density) and their ratio, and MAC utilisation.

`make bench` calls it. Exit status: 0 every layer bit-exact, 1 otherwise, 2 bad arguments.
"""
import argparse
import json
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--attnkit", required=True, help="the attnkit binary")
    ap.add_argument("--workload", default="vectors/workloads/rtl-n1024-d64.json")
    ap.add_argument("--out", required=True, help="directory for the generated vectors")
    ap.add_argument("--latency", type=int, default=20, help="memory latency (default 20)")
    args = ap.parse_args()
    if not os.path.isfile(args.workload):
        print(f"bench_rtl: --workload {args.workload}: no such file", file=sys.stderr)
        return 2

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    gen = subprocess.run([args.attnkit, "vecgen", "--workload", args.workload, "--out",
                          args.out, "--force"], capture_output=True, text=True, check=False)
    if gen.returncode != 0:
        print(f"bench_rtl: vecgen failed: {gen.stderr.strip()}", file=sys.stderr)
        return 1
    sim = subprocess.run([args.attnkit, "sim", "--vectors", args.out, "--latency",
                          str(args.latency), "--json"], capture_output=True, text=True, check=False)
    try:
        with open(args.workload) as f:
            specs = [lay["mask"] for lay in json.load(f)["layers"]]
        runs = json.loads(sim.stdout)["layers"]
        with open(os.path.join(args.out, "manifest.json")) as f:
            layers = json.load(f)["layers"]
    except (ValueError, KeyError, OSError) as e:
        print(f"bench_rtl: attnkit sim gave no results ({e}): {sim.stderr.strip()}",
              file=sys.stderr)
        return 1

    dense = runs[0]["cycles"]
    print(f"RTL cycles, {args.workload}, memory latency {args.latency} (deterministic)")
    print(f"{'layer':>5} {'pattern':<8} {'density':>8} {'cycles':>9} {'predicted':>9} "
          f"{'speed-up':>8} {'ideal':>7} {'of ideal':>8} {'MAC util':>9}  result")
    for lay, run, spec in zip(layers, runs, specs, strict=False):
        mask = lay["mask"]
        nq_blocks = -(-lay["tokens"] // lay["block"])
        density = mask["active_blocks"] / (mask["heads"] * nq_blocks * nq_blocks)
        pattern = spec.get("pattern", "mixed") if isinstance(spec, dict) else "mixed"
        speedup = dense / run["cycles"]
        print(f"{run['layer']:>5} {pattern:<8} {density:>8.4f} {run['cycles']:>9} "
              f"{run.get('predicted_cycles', 0):>9} {speedup:>8.2f} {1 / density:>7.2f} "
              f"{speedup * density:>8.3f} {100 * run['mac_utilisation']:>8.1f}%  {run['result']}")
    return 0 if sim.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
