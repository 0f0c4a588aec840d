#!/usr/bin/env python3
"""The cost of the SystemC platform around the Verilated RTL (docs/systemc.md, "RTL inside
SystemC"): the same vector layers through `attnkit sim --backend verilator` (the plain C++
harness) and `--backend sc-rtl` (the same RTL built with `verilator --sc` in a SystemC platform,
CSRs over TLM-2.0), side by side in one run, each set REPEAT times with the two backends in
alternating order (so a drift in the machine's load falls on both alike). Every layer must pass
on both with the same cycle, stall and MAC counts. Host time is what `attnkit sim` times per
layer (loading the job, simulating, reading the output back), without the process start; the
ratio is sc-rtl / verilator over the sums. CPU time (user + system of each whole `attnkit sim`
process, start and vector loading included) is given next to it: on a machine shared with
other jobs it varies less than wall time.

Prints a table; --json FILE writes the figures. Exit status: 0 measured, 1 a run failed or the
counters differ, 2 bad arguments.
"""
import argparse
import glob
import json
import os
import resource
import subprocess
import sys

BACKENDS = ("verilator", "sc-rtl")


def run_sim(attnkit, vdir, backend, layer):
    cmd = [attnkit, "sim", "--vectors", vdir, "--backend", backend, "--json"]
    if layer:
        cmd += ["--layer", str(layer)]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError:
        doc = None
    if p.returncode != 0 or not doc or doc.get("failed", 1) != 0:
        print(f"sc_rtl_speed: {' '.join(cmd)} failed (exit {p.returncode})\n{p.stdout[-2000:]}"
              f"{p.stderr[-2000:]}", file=sys.stderr)
        sys.exit(1)
    return doc["layers"], cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--attnkit", default="build/bin/attnkit")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each set per backend (default 3)")
    ap.add_argument("--layer", type=int, default=0, help="only this layer of each set")
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("vectors", nargs="*",
                    help="vector directories (default: every vectors/golden set)")
    a = ap.parse_args()
    dirs = a.vectors or sorted(os.path.dirname(m)
                               for m in glob.glob("vectors/golden/*/manifest.json"))
    if a.repeat < 1 or not dirs:
        print("sc_rtl_speed: --repeat >= 1 and at least one vector directory", file=sys.stderr)
        sys.exit(2)
    rows = []
    for d in dirs:
        secs = {b: 0.0 for b in BACKENDS}
        cpus = {b: 0.0 for b in BACKENDS}
        first = {}
        for r in range(a.repeat):
            for b in (BACKENDS if r % 2 == 0 else BACKENDS[::-1]):
                layers, cpu = run_sim(a.attnkit, d, b, a.layer)
                secs[b] += sum(lay["host_seconds"] for lay in layers)
                cpus[b] += cpu
                first.setdefault(b, layers)
        for lv, ls in zip(first["verilator"], first["sc-rtl"], strict=False):
            for k in ("layer", "cycles", "stall_cycles", "macs", "mismatches"):
                if lv[k] != ls[k]:
                    print(f"sc_rtl_speed: {d} layer {lv['layer']}: {k} {lv[k]} on verilator, "
                          f"{ls[k]} on sc-rtl", file=sys.stderr)
                    sys.exit(1)
        cycles = sum(lay["cycles"] for lay in first["verilator"]) * a.repeat
        rows.append({"vectors": d, "layers": len(first["verilator"]), "cycles": cycles,
                     "verilator_seconds": secs["verilator"], "sc_rtl_seconds": secs["sc-rtl"],
                     "verilator_cpu_seconds": cpus["verilator"],
                     "sc_rtl_cpu_seconds": cpus["sc-rtl"]})
    print(f"{'vectors':34} {'layers':>6} {'cycles':>8} {'host s: verilator':>17} {'sc-rtl':>7} "
          f"{'ratio':>5} {'CPU s: verilator':>16} {'sc-rtl':>7} {'ratio':>5}   (x{a.repeat} runs)")

    def line(name, n, cyc, vs, ss, vc, sc):
        print(f"{name:34} {n:6d} {cyc:8d} {vs:17.2f} {ss:7.2f} {ss / vs:5.2f} {vc:16.2f} "
              f"{sc:7.2f} {sc / vc:5.2f}")

    for r in rows:
        line(r["vectors"], r["layers"], r["cycles"], r["verilator_seconds"], r["sc_rtl_seconds"],
             r["verilator_cpu_seconds"], r["sc_rtl_cpu_seconds"])
    tot = {k: sum(r[k] for r in rows) for k in ("layers", "cycles", "verilator_seconds",
                                               "sc_rtl_seconds", "verilator_cpu_seconds",
                                               "sc_rtl_cpu_seconds")}
    cyc, vs, ss = tot["cycles"], tot["verilator_seconds"], tot["sc_rtl_seconds"]
    vc, sc = tot["verilator_cpu_seconds"], tot["sc_rtl_cpu_seconds"]
    line("all", tot["layers"], cyc, vs, ss, vc, sc)
    print(f"host time: verilator {cyc / vs / 1e3:.1f} k cycles/s, sc-rtl {cyc / ss / 1e3:.1f} k "
          f"cycles/s: the SystemC platform costs {100 * (ss / vs - 1):+.0f}% "
          f"({100 * (sc / vc - 1):+.0f}% in CPU time of the whole processes); "
          f"the same cycle, stall and MAC counts on every layer")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"repeat": a.repeat, "sets": rows, **tot, "ratio": ss / vs,
                       "cpu_ratio": sc / vc}, f, indent=2)


if __name__ == "__main__":
    main()
