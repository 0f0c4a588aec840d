#!/usr/bin/env python3
"""Simulation speed of the TLM-2.0 model against the Verilated RTL, measured side by side in one
run (docs/systemc.md): a whole network (default DeiT-Base, 12 layers, EViT) through
`attnkit sim --backend tlm`, and two of its layers (default the largest and the smallest,
1 and 12) through `attnkit sim --backend verilator`; the RTL's time for the whole network is
extrapolated from those two layers at their simulated cycles per second (said so in the
output). Both must pass (bytes, and the cycle model's cycles); the TLM run's cycles of the two
layers must equal the RTL's. Host time is what `attnkit sim` times per layer (loading the job
into the device's memory, simulating, reading the output back), without the process start.
The TLM model runs once per --threads count (default 1 and 2: with 2 its cycle model runs beside
the reference model); the RTL always on one thread.

Prints a table; --json FILE writes the figures. Exit status: 0 measured, 1 a run failed,
2 bad arguments.
"""
import argparse
import json
import os
import subprocess
import sys
import time


def run_sim(attnkit, vdir, backend, layer=None, threads=None):
    cmd = [attnkit, "sim", "--vectors", vdir, "--backend", backend, "--json"]
    if layer:
        cmd += ["--layer", str(layer)]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.monotonic() - t0
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError:
        doc = None
    if p.returncode != 0 or not doc or doc.get("failed", 1) != 0:
        print(f"systemc_speed: {' '.join(cmd)} failed (exit {p.returncode})\n{p.stdout[-2000:]}"
              f"{p.stderr[-2000:]}", file=sys.stderr)
        sys.exit(1)
    return doc, wall


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--attnkit", default="build/bin/attnkit")
    ap.add_argument("--vectors", default="build/vectors/deit-base",
                    help="vector directory (made with attnkit vecgen --preset deit-base if absent)")
    ap.add_argument("--rtl-layers", default="1,12", help="layers run on the RTL (default 1,12)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="TLM runs of the whole network; the median is reported (default 3)")
    ap.add_argument("--threads", default="1,2",
                    help="TLM host threads, a run each, comma-separated (default 1,2: one thread "
                         "for everything, then the cycle model beside the reference model)")
    ap.add_argument("--json", help="write the figures to this file")
    a = ap.parse_args()
    try:
        rtl_layers = [int(x) for x in a.rtl_layers.split(",") if x]
    except ValueError:
        print("systemc_speed: --rtl-layers: comma-separated layer numbers", file=sys.stderr)
        sys.exit(2)
    try:
        thread_counts = [int(x) for x in a.threads.split(",") if x]
    except ValueError:
        thread_counts = []
    if not thread_counts or min(thread_counts) < 0:
        print("systemc_speed: --threads: comma-separated thread counts (0 = one per CPU)",
              file=sys.stderr)
        sys.exit(2)
    if a.repeat < 1 or not rtl_layers:
        print("systemc_speed: --repeat >= 1 and at least one RTL layer", file=sys.stderr)
        sys.exit(2)
    if not os.path.exists(os.path.join(a.vectors, "manifest.json")):
        p = subprocess.run([a.attnkit, "vecgen", "--preset", "deit-base", "--out", a.vectors],
                           capture_output=True, text=True, check=False)
        if p.returncode != 0:
            print(f"systemc_speed: vecgen failed\n{p.stderr}", file=sys.stderr)
            sys.exit(1)

    tlm_runs = []  # per thread count: (median host seconds, process seconds, document)
    for threads in thread_counts:
        runs = []
        for _ in range(a.repeat):
            doc, wall = run_sim(a.attnkit, a.vectors, "tlm", threads=threads)
            runs.append((sum(lay["host_seconds"] for lay in doc["layers"]), wall, doc))
        runs.sort(key=lambda r: r[0])
        tlm_runs.append((threads,) + runs[len(runs) // 2])
    tlm = tlm_runs[0][3]
    net_cycles = sum(lay["cycles"] for lay in tlm["layers"])
    by_layer = {lay["layer"]: lay for lay in tlm["layers"]}

    rtl_cycles = rtl_s = 0
    rtl_rows = []
    for n in rtl_layers:
        doc, _ = run_sim(a.attnkit, a.vectors, "verilator", layer=n)
        lay = doc["layers"][0]
        if lay["cycles"] != by_layer[n]["cycles"]:
            print(f"systemc_speed: layer {n}: RTL {lay['cycles']} cycles, "
                  f"TLM {by_layer[n]['cycles']}",
                  file=sys.stderr)
            sys.exit(1)
        rtl_cycles += lay["cycles"]
        rtl_s += lay["host_seconds"]
        rtl_rows.append((n, lay["nq"], lay["cycles"], lay["host_seconds"]))

    rtl_rate = rtl_cycles / rtl_s
    rtl_net_s = net_cycles / rtl_rate
    print(f"{a.vectors}: {len(tlm['layers'])} layers, {net_cycles} cycles "
          f"({net_cycles * 4e-3:.1f} us at 250 MHz)")
    rows = []
    for threads, tlm_s, tlm_wall, doc in tlm_runs:
        rate = net_cycles / tlm_s
        t = doc.get("tlm", {})
        how = ("one thread for everything" if threads == 1 else
               f"{threads or 'one per CPU'} threads: the cycle model beside the reference model")
        print(f"TLM model, whole network (median of {a.repeat} runs, {how}): {tlm_s:.3f} s host "
              f"({tlm_wall:.2f} s for the whole process), {rate / 1e6:.2f} M cycles/s")
        if t:
            print(f"  of which reference model {t['host_reference_model_seconds']:.3f} s, cycle "
                  f"model {t['host_cycle_model_seconds']:.3f} s, reads through the socket "
                  f"{t['host_read_seconds']:.4f} s ({t['dmi_accesses']:.0f} DMI accesses, "
                  f"{t['transactions']:.0f} b_transport)")
        rows.append({"threads": threads, "host_seconds": tlm_s, "process_seconds": tlm_wall,
                     "cycles_per_second": rate, "breakdown": t, "ratio": rate / rtl_rate})
    for n, nq, c, s in rtl_rows:
        print(f"Verilated RTL, layer {n} ({nq} tokens): {c} cycles in {s:.2f} s, "
              f"{c / s / 1e3:.1f} k cycles/s")
    print(f"Verilated RTL, whole network EXTRAPOLATED from layers {a.rtl_layers}: "
          f"{rtl_net_s:.1f} s at {rtl_rate / 1e3:.1f} k cycles/s (one thread)")
    for r in rows:
        print(f"TLM ({r['threads']} thread{'s' if r['threads'] != 1 else ''}) / RTL: "
              f"{r['ratio']:.0f}x in simulated cycles per second")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"vectors": a.vectors, "network_cycles": net_cycles, "tlm": rows,
                       "rtl_layers": [{"layer": n, "tokens": nq, "cycles": c, "host_seconds": s}
                                      for n, nq, c, s in rtl_rows],
                       "rtl_cycles_per_second": rtl_rate,
                       "rtl_network_seconds_extrapolated": rtl_net_s}, f, indent=2)


if __name__ == "__main__":
    main()
