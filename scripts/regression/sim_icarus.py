#!/usr/bin/env python3
"""Runs vector directories through the Icarus testbench (sim/icarus/ak_tb.sv) layer by layer and,
with --attnkit, through `attnkit sim` (Verilator) too: the outputs must match o.hex on both (on
Icarus, for a layer that prunes or evicts, the pruning regions prune.hex too), and the CYCLES,
STALLS and MACS counters must be identical between the two simulators.

`make sim-icarus` calls it on the golden sets, `make bench` on two of them for the speed
figures. Prints one line a layer, a summary and the simulated cycles per second of each
simulator (Icarus: the vvp process; Verilator: the run as timed by attnkit sim, without the
process start); with --json, writes the results to a file.
Exit status: 0 all pass, 1 a failure or a difference, 2 bad arguments or unreadable vectors.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

LINE = re.compile(r"ak_tb: (PASS|FAIL) (\S+): .*CYCLES (\d+), STALLS (\d+), MACS (\d+)")


def fail_usage(msg):
    print(f"sim_icarus: {msg}", file=sys.stderr)
    sys.exit(2)


def layers_of(vdir):
    path = os.path.join(vdir, "manifest.json")
    try:
        with open(path) as f:
            manifest = json.load(f)
        return manifest["layers"]
    except (OSError, ValueError, KeyError) as e:
        fail_usage(f"{path}: not a vector manifest ({e})")


def prune_args(mem, layer, ldir):
    """The +prune plusargs of a layer that prunes or evicts: prune.hex holds the expected words
    from the score region (the first of score, kept, fused) to memory.end (vectors/README.md)."""
    regions = mem["regions"]
    pruning = [regions[r] for r in ("score", "kept", "fused") if r in regions]
    path = os.path.join(ldir, "prune.hex")
    if (not any(r["bytes"] for r in pruning) or "prune.hex" not in layer.get("files", {})
            or not os.path.isfile(path)):
        return []
    word = mem["word_bytes"]
    first = regions["score"]["addr"]
    return [f"+prune={path}", f"+prune_word={first // word}",
            f"+prune_words={(mem['end'] - first) // word}"]


def run_icarus(args, vdir, layer):
    mem = layer["memory"]
    o = mem["regions"]["o"]
    word = mem["word_bytes"]
    ldir = os.path.join(vdir, layer["dir"])
    name = f"{os.path.basename(os.path.normpath(vdir))}/{layer['dir']}"
    cmd = ["vvp", "-n", args.vvp, f"+mem={ldir}/mem.hex", f"+expect={ldir}/o.hex",
           f"+words={o['bytes'] // word}", f"+o_word={o['addr'] // word}",
           f"+desc={mem['desc_addr']}", f"+latency={args.latency}", f"+name={name}"]
    cmd += prune_args(mem, layer, ldir)
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    secs = time.monotonic() - t0
    m = LINE.search(p.stdout)
    if p.returncode != 0 or not m or m.group(1) != "PASS":
        detail = (p.stdout + p.stderr).strip().splitlines()[-3:]
        return name, None, secs, " | ".join(detail), " ".join(cmd)
    counters = {"cycles": int(m.group(3)), "stall_cycles": int(m.group(4)),
                "macs": int(m.group(5))}
    return name, counters, secs, "", " ".join(cmd)


def run_verilator(args, vdir, layer):
    cmd = [args.attnkit, "sim", "--vectors", vdir, "--layer", str(layer["layer"]),
           "--latency", str(args.latency), "--json"]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    secs = time.monotonic() - t0
    try:
        res = json.loads(p.stdout)["layers"][0]
    except (ValueError, KeyError, IndexError):
        return None, secs, (p.stderr.strip() or "no JSON from attnkit sim"), " ".join(cmd)
    if p.returncode != 0 or res.get("result") != "PASS":
        return None, secs, f"attnkit sim: {res.get('result')}", " ".join(cmd)
    # the run's own host time (attnkit sim measures it around the simulation), not the process's
    secs = res.get("host_seconds", secs)
    return {k: res[k] for k in ("cycles", "stall_cycles", "macs")}, secs, "", " ".join(cmd)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+", help="vector directories (attnkit vecgen)")
    ap.add_argument("--vvp", required=True, help="the compiled testbench (iverilog -o)")
    ap.add_argument("--attnkit", help="attnkit binary: also run Verilator and compare counters")
    ap.add_argument("--latency", type=int, default=20, help="memory latency (default 20)")
    ap.add_argument("--json", help="write the results to this file")
    args = ap.parse_args()
    if not os.path.isfile(args.vvp):
        fail_usage(f"--vvp {args.vvp}: no such file (make sim-icarus builds it)")
    if args.latency < 1:
        fail_usage(f"--latency {args.latency}: expected a cycle count >= 1")

    results, bad = [], 0
    tot = {"icarus_s": 0.0, "verilator_s": 0.0, "cycles": 0}
    for vdir in args.dirs:
        for layer in layers_of(vdir):
            name, ic, isecs, why, icmd = run_icarus(args, vdir, layer)
            row = {"layer": name, "icarus": ic, "icarus_seconds": isecs}
            ok = ic is not None
            if not ok:
                print(f"{name}: Icarus FAIL: {why}\n  reproduce: {icmd}")
            if ok and args.attnkit:
                vc, vsecs, vwhy, vcmd = run_verilator(args, vdir, layer)
                row.update(verilator=vc, verilator_seconds=vsecs)
                if vc is None:
                    ok = False
                    print(f"{name}: Verilator FAIL: {vwhy}\n  reproduce: {vcmd}")
                elif vc != ic:
                    ok = False
                    print(f"{name}: counters differ: Icarus {ic}, Verilator {vc}")
                else:
                    tot["verilator_s"] += vsecs
            if ok:
                tot["icarus_s"] += isecs
                tot["cycles"] += ic["cycles"]
                same = ", same on Verilator" if args.attnkit else ""
                print(f"{name}: PASS {ic['cycles']} cycles, {ic['stall_cycles']} stalls, "
                      f"{ic['macs']} MACs{same} ({isecs:.1f} s)")
            row["pass"] = ok
            bad += not ok
            results.append(row)
    n = len(results)
    print(f"sim-icarus: {n - bad} of {n} layers pass; {tot['cycles']} cycles simulated in "
          f"{tot['icarus_s']:.1f} s on Icarus" +
          (f", {tot['verilator_s']:.3f} s on Verilator" if args.attnkit else ""))
    if tot["cycles"] and tot["icarus_s"] > 0:
        tot["icarus_cycles_per_s"] = tot["cycles"] / tot["icarus_s"]
        line = f"simulated cycles per second: Icarus {tot['icarus_cycles_per_s']:.0f}"
        if args.attnkit and tot["verilator_s"] > 0:
            tot["verilator_cycles_per_s"] = tot["cycles"] / tot["verilator_s"]
            tot["verilator_over_icarus"] = tot["icarus_s"] / tot["verilator_s"]
            line += (f", Verilator {tot['verilator_cycles_per_s']:.0f}: Verilator is "
                     f"{tot['verilator_over_icarus']:.0f}x faster (same layers, one run)")
        print(line)
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump({"latency": args.latency, "layers": results, "totals": tot}, f, indent=1)
        os.replace(args.json + ".tmp", args.json)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
