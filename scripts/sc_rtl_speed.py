#!/usr/bin/env python3
"""The cost of the SystemC platform around the Verilated RTL (docs/systemc.md, "RTL inside
SystemC"): the same vector layers through `attnkit sim --backend verilator` (the plain C++
harness) and `--backend sc-rtl` (the same RTL built with `verilator --sc` in a SystemC platform,
CSRs over TLM-2.0), side by side in one run, each set REPEAT times with the two backends in
alternating order (so a drift in the machine's load falls on both alike). Every layer must pass
on both with the same cycle, stall and MAC counts. Host time is what `attnkit sim` times per
layer (loading the job, simulating, reading the output back), without the process start; the
ratio is sc-rtl / verilator over the sums.

Prints a table; --json FILE writes the figures. Exit status: 0 measured, 1 a run failed or the
counters differ, 2 bad arguments.
"""
import argparse
import glob
import json
import os
import subprocess
import sys

BACKENDS = ("verilator", "sc-rtl")


def run_sim(attnkit, vdir, backend, layer):
    cmd = [attnkit, "sim", "--vectors", vdir, "--backend", backend, "--json"]
    if layer:
        cmd += ["--layer", str(layer)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError:
        doc = None
    if p.returncode != 0 or not doc or doc.get("failed", 1) != 0:
        print(f"sc_rtl_speed: {' '.join(cmd)} failed (exit {p.returncode})\n{p.stdout[-2000:]}"
              f"{p.stderr[-2000:]}", file=sys.stderr)
        sys.exit(1)
    return doc["layers"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--attnkit", default="build/bin/attnkit")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each set per backend (default 3)")
    ap.add_argument("--layer", type=int, default=0, help="only this layer of each set")
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("vectors", nargs="*",
                    help="vector directories (default: every vectors/golden set)")
    a = ap.parse_args()
    dirs = a.vectors or sorted(os.path.dirname(m) for m in glob.glob("vectors/golden/*/manifest.json"))
    if a.repeat < 1 or not dirs:
        print("sc_rtl_speed: --repeat >= 1 and at least one vector directory", file=sys.stderr)
        sys.exit(2)
    rows = []
    for d in dirs:
        secs = {b: 0.0 for b in BACKENDS}
        first = {}
        for r in range(a.repeat):
            for b in (BACKENDS if r % 2 == 0 else BACKENDS[::-1]):
                layers = run_sim(a.attnkit, d, b, a.layer)
                secs[b] += sum(l["host_seconds"] for l in layers)
                first.setdefault(b, layers)
        for lv, ls in zip(first["verilator"], first["sc-rtl"]):
            for k in ("layer", "cycles", "stall_cycles", "macs", "mismatches"):
                if lv[k] != ls[k]:
                    print(f"sc_rtl_speed: {d} layer {lv['layer']}: {k} {lv[k]} on verilator, "
                          f"{ls[k]} on sc-rtl", file=sys.stderr)
                    sys.exit(1)
        cycles = sum(l["cycles"] for l in first["verilator"]) * a.repeat
        rows.append({"vectors": d, "layers": len(first["verilator"]), "cycles": cycles,
                     "verilator_seconds": secs["verilator"], "sc_rtl_seconds": secs["sc-rtl"]})
    print(f"{'vectors':40} {'layers':>6} {'cycles':>9} {'verilator s':>12} {'sc-rtl s':>9} "
          f"{'ratio':>6}   (x{a.repeat} runs each)")
    for r in rows:
        print(f"{r['vectors']:40} {r['layers']:6d} {r['cycles']:9d} {r['verilator_seconds']:12.2f} "
              f"{r['sc_rtl_seconds']:9.2f} {r['sc_rtl_seconds'] / r['verilator_seconds']:6.2f}")
    cyc = sum(r["cycles"] for r in rows)
    vs = sum(r["verilator_seconds"] for r in rows)
    ss = sum(r["sc_rtl_seconds"] for r in rows)
    print(f"{'all':40} {sum(r['layers'] for r in rows):6d} {cyc:9d} {vs:12.2f} {ss:9.2f} "
          f"{ss / vs:6.2f}")
    print(f"verilator {cyc / vs / 1e3:.1f} k cycles/s, sc-rtl {cyc / ss / 1e3:.1f} k cycles/s; "
          f"the SystemC platform costs {100 * (ss / vs - 1):+.0f}% host time; the same cycle, "
          f"stall and MAC counts on every layer")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"repeat": a.repeat, "sets": rows, "cycles": cyc, "verilator_seconds": vs,
                       "sc_rtl_seconds": ss, "ratio": ss / vs}, f, indent=2)


if __name__ == "__main__":
    main()
