#!/usr/bin/env python3
"""Accuracy next to cycles: sweeps block-sparse masks and EViT pruning over a real model's
attention tensors and puts the accuracy of each point (attnkit accuracy --npy-dir) next to its
speed-up on the accelerator (attnkit estimate, the cycle model).

Two families of points, kept apart:
  mask     pattern x density x block size, plus the dense baseline; accuracy = the minimum over
           layers of the total SQNR (int8 output vs float64 dense attention on the float inputs)
  pruning  dense mask, EViT pruning after layer 1 at each keep rate; the later layers run on
           fewer tokens in the cycle model, but their accuracy cannot be measured from tensors of
           the unpruned forward pass, so these points carry the CLS attention mass kept and the
           kept-set agreement with float64, not an SQNR
The Pareto frontier (speed-up vs SQNR) and the recommended operating point (the largest
speed-up whose SQNR >= --target-db) are over the mask family only. docs/accuracy-sweep.md.

Output (written into a temporary directory beside OUT and renamed when complete):
  OUT/sweep.csv, OUT/sweep.json   one row per point
  OUT/pareto.png                  speed-up vs min total SQNR; pruning points in a panel below
  OUT/summary.md                  the recommended point and the frontier
Exit status: 0 ok, 1 a run failed, 2 bad input (named), 130 interrupted.
"""
import argparse
import concurrent.futures
import csv
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import atomic_dir

PROG = "accuracy_sweep"
PATTERNS = ("window", "sinks", "strided", "random", "topk")
BLOCKS = (16, 32, 64, 128)
DEF_DENSITIES = (0.75, 0.5, 0.25, 0.12)
DEF_BLOCKS = (16, 32, 64)
DEF_KEEPS = (0.9, 0.7, 0.5)
# --quick: a smaller grid for tests and a fast look (every pattern, two densities, one block)
QUICK_DENSITIES = (0.5, 0.25)
QUICK_BLOCKS = (32,)
QUICK_KEEPS = (0.7,)

COLUMNS = ("id", "family", "pattern", "density", "block", "keep_rate", "achieved_density",
           "layers", "tokens", "cycles", "dense_cycles", "speedup",
           "min_total_sqnr_db", "worst_layer", "min_mask_sqnr_db", "min_quant_sqnr_db",
           "mass_kept_mean", "mass_kept_min_row", "out_saturation_rate",
           "prune_k", "prune_agreement", "prune_cls_mass_kept", "prune_near_ties",
           "tokens_after_prune", "frontier", "recommended", "note")


class Fail(Exception):
    def __init__(self, status, msg):
        super().__init__(msg)
        self.status = status


# ---- input ---------------------------------------------------------------------------------
def npy_shape(path):
    try:
        a = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as e:
        raise Fail(2, f"{path}: not a readable .npy file ({e})") from None
    shape = tuple(a.shape)
    if len(shape) == 4 and shape[0] == 1:
        shape = shape[1:]
    if len(shape) != 3:
        raise Fail(2, f"{path}: shape {tuple(a.shape)}, expected [heads][tokens][head_dim]")
    return shape


def tensor_info(npy_dir):
    """(layers, heads, tokens, head_dim) of DIR/layerNN/{q,k}.npy or DIR/{q,k}.npy."""
    d = Path(npy_dir)
    if not d.is_dir():
        raise Fail(2, f"--npy-dir {d}: not a directory")
    layers = 0
    while (d / f"layer{layers + 1:02d}").is_dir():
        layers += 1
    first = d / "layer01" if layers else d
    if not layers and (d / "q.npy").is_file():
        layers = 1
    if not layers:
        raise Fail(2, f"--npy-dir {d}: no layer01/q.npy (nor q.npy); see docs/realdata.md")
    for name in ("q", "k"):
        if not (first / f"{name}.npy").is_file():
            raise Fail(2, f"--npy-dir {d}: {first / (name + '.npy')} is missing")
    hq, nq, dq = npy_shape(first / "q.npy")
    hk, nk, dk = npy_shape(first / "k.npy")
    if (hq, dq) != (hk, dk):
        raise Fail(2, f"{first}: q is [{hq}][{nq}][{dq}] but k is [{hk}][{nk}][{dk}]")
    if nq != nk:
        raise Fail(2, f"{first}: q has {nq} tokens, k {nk}: this sweep takes self-attention "
                      "tensors only (as many queries as keys)")
    if not 1 <= hq <= 64 or dq not in (32, 64, 128):
        raise Fail(2, f"{first}/q.npy: {hq} heads of dimension {dq} (allowed: 1..64 heads, "
                      "head_dim 32, 64 or 128)")
    return layers, hq, nq, dq


# ---- the points ----------------------------------------------------------------------------
def workload(pt, info, seed):
    layers, heads, tokens, head_dim = info
    if pt["family"] == "mask" and pt["pattern"] != "dense":
        mask = {"pattern": pt["pattern"], "density": pt["density"]}
        if pt["pattern"] == "sinks":
            mask["causal"] = False  # an encoder: global first block + symmetric window
    else:
        mask = {"pattern": "dense"}
    w = {"format": "attnkit-workload", "version": 2, "name": pt["id"][:63], "kind": "vision",
         "tokens": tokens, "heads": heads, "head_dim": head_dim, "block": pt["block"],
         "seed": seed, "layers": [{"mask": dict(mask)} for _ in range(layers)]}
    if pt["family"] == "pruning":
        w["pruning"] = {"layers": [1], "keep_rate": pt["keep_rate"]}
    return w


def plan(a, info):
    """The list of points and the notes on what was skipped."""
    layers, _, tokens, _ = info
    notes, pts = [], []
    blocks = [b for b in a.blocks if b <= tokens]
    for b in a.blocks:
        if b > tokens:
            notes.append(f"block {b} skipped: larger than the {tokens} tokens")
    if not blocks:
        raise Fail(2, f"--blocks: none of {', '.join(map(str, a.blocks))} is <= {tokens} tokens")
    dense_block = 64 if 64 in blocks else max(blocks)
    pts.append({"id": f"dense-b{dense_block}", "family": "mask", "pattern": "dense",
                "density": 1.0, "block": dense_block, "keep_rate": None})
    patterns = list(a.patterns)
    if "sinks" in patterns and a.sinks_problem:
        patterns.remove("sinks")
        notes.append(f"pattern sinks skipped: {a.sinks_problem}")
    for p in patterns:
        for d in a.densities:
            for b in blocks:
                pts.append({"id": f"{p}-d{d:g}-b{b}", "family": "mask", "pattern": p,
                            "density": d, "block": b, "keep_rate": None})
    if a.keep_rates and layers < 2:
        notes.append("pruning points skipped: one tensor layer, so no later layer runs on the "
                     "kept tokens")
    elif a.keep_rates:
        for r in a.keep_rates:
            pts.append({"id": f"evit-keep{r:g}-b{dense_block}", "family": "pruning",
                        "pattern": "dense", "density": 1.0, "block": dense_block,
                        "keep_rate": r})
    return pts, notes


def sinks_noncausal(attnkit, tmp):
    """None if this attnkit's workload files have the non-causal (encoder) form of sinks, else
    why not. The probe: sinks at density 1 on 4 x 4 blocks, which only the non-causal form
    reaches (the causal one stops at 10/16)."""
    w = {"format": "attnkit-workload", "version": 2, "name": "probe", "kind": "vision",
         "tokens": 64, "heads": 1, "head_dim": 32, "block": 16,
         "layers": [{"mask": {"pattern": "sinks", "density": 1.0, "causal": False}}]}
    path = Path(tmp) / "probe-sinks.json"
    path.write_text(json.dumps(w) + "\n")
    est, why = run_cli([attnkit, "estimate", "--workload", str(path), "--json"])
    if est is None:
        return f"its workload files refuse sinks with \"causal\": false ({why})"
    if est["layers"][0]["density"] < 0.9:
        return ("its workload files read sinks with \"causal\": false as causal (density "
                f"{est['layers'][0]['density']:.3f} for 1); the causal form drops half of an "
                "encoder's attention")
    return None


def run_cli(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    except OSError as e:
        raise Fail(2, f"{cmd[0]}: {e.strerror}") from None
    except subprocess.TimeoutExpired:
        raise Fail(1, f"{' '.join(cmd)}: no answer in 30 minutes") from None
    if r.returncode == 2:  # the CLI refused the input: the point is skipped, with its reason
        return None, (r.stderr.strip().splitlines() or ["exit status 2"])[-1]
    if r.returncode != 0:
        raise Fail(1, f"{' '.join(cmd)}: exit status {r.returncode}: "
                      f"{(r.stderr.strip().splitlines() or [''])[-1]}")
    try:
        return json.loads(r.stdout), None
    except json.JSONDecodeError:
        raise Fail(1, f"{' '.join(cmd)}: output is not JSON") from None


def sqnr(x):
    """The CLI's SQNR: a number, or null = infinite."""
    return math.inf if x is None else float(x)


def measure(pt, a, info, tmp):
    """Runs accuracy and estimate on one point; fills its row (or its skip note)."""
    wpath = Path(tmp) / f"{pt['id']}.json"
    wpath.write_text(json.dumps(workload(pt, info, a.seed), indent=1) + "\n")
    acc_cmd = [a.attnkit, "accuracy", "--npy-dir", str(a.npy_dir), "--workload", str(wpath),
               "--json", "--threads", str(a.threads)]
    if a.input_quant:
        acc_cmd += ["--input-quant", a.input_quant]
    if a.output_scale:
        acc_cmd += ["--output-scale", a.output_scale]
    acc, why = run_cli(acc_cmd)
    if acc is None:
        return {**pt, "skipped": f"accuracy: {why}"}
    est, why = run_cli([a.attnkit, "estimate", "--workload", str(wpath), "--json"])
    if est is None:
        return {**pt, "skipped": f"estimate: {why}"}
    L = acc["layers"]
    totals = [sqnr(lay["sqnr_db_min_over_heads"]["total"]) for lay in L]
    worst = min(range(len(L)), key=lambda i: totals[i])
    quant = [min(sqnr(lay["sqnr_db_min_over_heads"][k])
                 for k in ("input_quant", "fixed_point", "output_quant")) for lay in L]
    row = {**pt, "layers": len(L), "tokens": info[2],
           "achieved_density": sum(float(lay["density"]) for lay in L) / len(L),
           "cycles": int(est["total"]["cycles"]),
           "min_mask_sqnr_db": min(sqnr(lay["sqnr_db_min_over_heads"]["mask"]) for lay in L),
           "min_quant_sqnr_db": min(quant),
           "mass_kept_mean": sum(lay["mass_kept"]["mean"] for lay in L) / len(L),
           "mass_kept_min_row": min(lay["mass_kept"]["min_row"] for lay in L),
           "out_saturation_rate": acc["summary"].get("out_saturation_rate")}
    if pt["family"] == "mask":
        row["min_total_sqnr_db"] = min(totals)
        row["worst_layer"] = L[worst]["layer"]
        if pt["pattern"] != "dense" and row["achieved_density"] >= 1.0:
            row["note"] = "all blocks active (= dense): not on the frontier"
    else:
        pr = next((lay["pruning"] for lay in L if "pruning" in lay), None)
        if pr is None:
            raise Fail(1, f"{pt['id']}: attnkit accuracy reported no pruning layer")
        row.update(prune_k=pr["k"], prune_agreement=pr["agreement"],
                   prune_cls_mass_kept=pr["cls_mass_kept"], prune_near_ties=pr["near_ties"],
                   tokens_after_prune=pr.get("next_tokens"))
    return row


# ---- analysis ------------------------------------------------------------------------------
def candidates(rows):
    """The mask family without the masks that fitted to every block (the dense baseline stands
    for them)."""
    return [r for r in rows if r["family"] == "mask" and not r.get("note")]


def frontier(rows):
    """Pareto frontier of the mask family over (speed-up, min total SQNR), both maximised;
    of equal points the first is kept. Returned in ascending speed-up."""
    pts = candidates(rows)
    order = sorted(range(len(pts)), key=lambda i: (-pts[i]["speedup"],
                                                   -pts[i]["min_total_sqnr_db"], i))
    best, front = -math.inf, []
    for i in order:
        if pts[i]["min_total_sqnr_db"] > best:
            best = pts[i]["min_total_sqnr_db"]
            front.append(pts[i])
    return front[::-1]


def recommend(rows, target):
    pts = candidates(rows)
    ok = [r for r in pts if r["min_total_sqnr_db"] >= target]
    if ok:
        return max(ok, key=lambda r: (r["speedup"], r["min_total_sqnr_db"])), True
    return max(pts, key=lambda r: (r["min_total_sqnr_db"], r["speedup"])), False


def label(r):
    if r["family"] == "pruning":
        return f"EViT keep {r['keep_rate']:g}"
    if r["pattern"] == "dense":
        return "dense"
    return f"{r['pattern']} d={r['density']:g} B={r['block']}"


def fmt_db(x):
    return "inf" if x == math.inf else f"{x:.1f}"


# ---- output --------------------------------------------------------------------------------
def cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return "inf" if v == math.inf else f"{v:.6g}"
    return v


def jvalue(v):
    if isinstance(v, float) and v == math.inf:
        return "inf"
    return v


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([cell(r.get(c)) for c in COLUMNS])


def write_json(rows, meta, path):
    doc = dict(meta)
    doc["rows"] = [{c: jvalue(r.get(c)) for c in COLUMNS} for r in rows]
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


MARKERS = {"dense": "*", "window": "s", "sinks": "^", "strided": "v", "random": "P", "topk": "o"}
COLOURS = {"dense": "black", "window": "tab:blue", "sinks": "tab:orange", "strided": "tab:green",
           "random": "tab:purple", "topk": "tab:red"}


def plot(rows, front, rec, met, target, title, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    masks = [r for r in rows if r["family"] == "mask"]
    prune = [r for r in rows if r["family"] == "pruning"]
    on = {id(r) for r in front}
    finite = [r["min_total_sqnr_db"] for r in masks if r["min_total_sqnr_db"] != math.inf]
    top = max(finite + [target]) + 3
    if prune:
        fig, (ax, bx) = plt.subplots(2, 1, figsize=(9, 8), sharex=True,
                                     gridspec_kw={"height_ratios": [3, 1.3]})
    else:
        fig, ax = plt.subplots(figsize=(9, 6))
        bx = None
    y = lambda r: min(r["min_total_sqnr_db"], top)  # noqa: E731 (infinite SQNR at the top)
    for p in MARKERS:
        sel = [r for r in masks if r["pattern"] == p and id(r) not in on]
        if sel:
            ax.scatter([r["speedup"] for r in sel], [y(r) for r in sel], marker=MARKERS[p],
                       s=28, color="0.72", zorder=2)
    ax.plot([r["speedup"] for r in front], [y(r) for r in front], "-", color="0.2",
            linewidth=1, zorder=3)
    for p in MARKERS:
        sel = [r for r in front if r["pattern"] == p]
        if sel:
            ax.scatter([r["speedup"] for r in sel], [y(r) for r in sel], marker=MARKERS[p],
                       s=48, color=COLOURS[p], edgecolor="black", linewidth=0.5, zorder=4,
                       label=f"{p} (frontier)")
    for i, r in enumerate(front):  # labels alternately above and below the line
        ax.annotate(f"{label(r)}\n{fmt_db(r['min_total_sqnr_db'])} dB, {r['speedup']:.2f}x",
                    (r["speedup"], y(r)), textcoords="offset points",
                    xytext=(6, 5) if i % 2 == 0 else (-4, -22), fontsize=6.5,
                    ha="left" if i % 2 == 0 else "right")
    ax.scatter([], [], marker="o", color="0.72", label="dominated (marker = pattern)")
    ax.axhline(target, color="tab:red", linestyle="--", linewidth=1,
               label=f"target {target:g} dB")
    if rec:
        ax.scatter([rec["speedup"]], [y(rec)], s=220, facecolor="none", edgecolor="tab:red",
                   linewidth=1.5, zorder=5,
                   label="recommended" if met else "best SQNR (target not met)")
    ax.set_ylim(min(finite + [target]) - 4, top + 1)
    ax.set_ylabel("min over layers of total SQNR (dB)")
    ax.set_title(title, fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper right")
    ax.set_xscale("log")
    last = bx if bx is not None else ax
    if bx is not None:
        xs = [r["speedup"] for r in prune]
        bx.plot(xs, [100 * r["prune_cls_mass_kept"] for r in prune], "D", color="tab:brown",
                label="CLS attention mass kept")
        bx.plot(xs, [100 * r["prune_agreement"] for r in prune], "D", mfc="none",
                color="tab:cyan", label="kept set = float64's")
        for r in prune:
            bx.annotate(f"keep {r['keep_rate']:g}", (r["speedup"], 100 * r["prune_cls_mass_kept"]),
                        textcoords="offset points", xytext=(5, -10), fontsize=6.5)
        bx.set_ylabel("pruning after layer 1 (%)\n(no SQNR: see doc)", fontsize=8)
        bx.grid(True, which="both", alpha=0.3)
        lo = min(100 * min(r["prune_cls_mass_kept"], r["prune_agreement"]) for r in prune)
        bx.set_ylim(lo - 0.25 * (100 - lo) - 2, 102)
        bx.legend(fontsize=7, loc="lower left")
    last.set_xlabel("speed-up over dense (cycle model)")
    hi = max(r["speedup"] for r in rows)
    ticks = [t for t in (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32)
             if t <= hi * 1.05]
    last.xaxis.set_major_locator(FixedLocator(ticks))
    last.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    last.xaxis.set_minor_formatter(NullFormatter())
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def summary(rows, front, rec, met, a, info, notes, meta):
    layers, heads, tokens, head_dim = info
    dense = next(r for r in rows if r["family"] == "mask" and r["pattern"] == "dense")
    masks = [r for r in rows if r["family"] == "mask"]
    prune = [r for r in rows if r["family"] == "pruning"]
    md = ["# Accuracy next to cycles", "",
          f"Tensors `{a.npy_dir}`: {layers} layers, {heads} heads, head_dim {head_dim}, "
          f"{tokens} tokens. Generated by `scripts/data/accuracy_sweep.py` "
          f"(`attnkit accuracy --npy-dir`, `attnkit estimate`); see docs/accuracy-sweep.md. "
          f"SQNR: the minimum over layers of the total SQNR (int8 output vs float64 dense "
          f"attention on the float inputs, min over heads); speed-up: dense cycles "
          f"({dense['cycles']}) / the point's cycles.", ""]
    md += ["## Recommended operating point", ""]
    if met:
        md += [f"**{label(rec)}**: {fmt_db(rec['min_total_sqnr_db'])} dB, "
               f"speed-up **{rec['speedup']:.2f}x** ({rec['cycles']} cycles), the largest "
               f"speed-up with SQNR >= {a.target_db:g} dB (achieved density "
               f"{rec['achieved_density']:.3f}, mean mass kept {rec['mass_kept_mean']:.3f}).", ""]
    else:
        md += [f"**No point reaches the target of {a.target_db:g} dB.** The best SQNR is "
               f"**{label(rec)}**: {fmt_db(rec['min_total_sqnr_db'])} dB, speed-up "
               f"**{rec['speedup']:.2f}x**.", ""]
        if dense["min_total_sqnr_db"] < a.target_db:
            md += [f"Even dense attention reaches only {fmt_db(dense['min_total_sqnr_db'])} dB "
                   f"(worst layer {dense['worst_layer']}; quantisation alone: "
                   f"{fmt_db(dense['min_quant_sqnr_db'])} dB), so no mask can meet the target: "
                   "a mask only takes attention mass away. Lower `--target-db` or improve the "
                   "quantisation (`--input-quant`, `--output-scale`).", ""]
        sparse = [r for r in candidates(rows) if r["pattern"] != "dense"]
        if sparse:
            b = max(sparse, key=lambda r: (r["min_total_sqnr_db"], r["speedup"]))
            md += [f"Best sparse point: {label(b)}, {fmt_db(b['min_total_sqnr_db'])} dB "
                   f"({b['min_total_sqnr_db'] - dense['min_total_sqnr_db']:+.1f} dB against "
                   f"dense), {b['speedup']:.2f}x.", ""]
    md += ["## Pareto frontier (mask family)", "",
           "| point | achieved density | speed-up | min total SQNR dB | worst layer | "
           "min mask SQNR dB | mean mass kept |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for r in front:
        md.append(f"| {label(r)} | {r['achieved_density']:.3f} | {r['speedup']:.2f}x | "
                  f"{fmt_db(r['min_total_sqnr_db'])} | {r['worst_layer']} | "
                  f"{fmt_db(r['min_mask_sqnr_db'])} | {r['mass_kept_mean']:.3f} |")
    md.append("")
    if prune:
        md += ["## EViT pruning after layer 1 (dense mask)", "",
               "No SQNR: the later layers' tensors come from the unpruned forward pass, so the "
               "accuracy of pruning is shown by the kept set of layer 1 alone (not on the "
               "frontier above).", "",
               "| keep rate | kept besides CLS | later layers' tokens (+CLS, +fused) | speed-up | "
               "CLS mass kept | agreement with float64 | near ties |",
               "|---:|---:|---:|---:|---:|---:|---:|"]
        for r in prune:
            md.append(f"| {r['keep_rate']:g} | {r['prune_k']} | {r['tokens_after_prune']} | "
                      f"{r['speedup']:.2f}x | {100 * r['prune_cls_mass_kept']:.1f}% | "
                      f"{100 * r['prune_agreement']:.1f}% | {r['prune_near_ties']} |")
        md.append("")
    same = [label(r) for r in masks if r.get("note")]
    if same:
        md += [f"Masks that fitted to every block, i.e. dense (left off the frontier and the "
               f"recommendation): {', '.join(same)}.", ""]
    if notes:
        md += ["## Skipped", ""] + [f"- {n}" for n in notes] + [""]
    md += ["![pareto](pareto.png)", "",
           f"{len(rows)} points ({len(masks)} mask, {len(prune)} pruning) in "
           f"{meta['seconds']:.0f} s; all rows in `sweep.csv` / `sweep.json`.", ""]
    return "\n".join(md)


def write_out(out, force, files):
    try:
        atomic_dir.publish(out, force,
                           lambda tmp: [write(tmp / name) for name, write in files.items()])
    except FileExistsError:
        raise Fail(2, f"--out {out} exists (use --force to replace it)") from None


# ---- main ----------------------------------------------------------------------------------
def floats(name, lo_open, hi):
    def parse(s):
        try:
            v = [float(x) for x in s.split(",") if x.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated numbers, got {s!r}") from None
        if not v or any(not (lo_open < x <= hi) for x in v):
            raise argparse.ArgumentTypeError(f"{name} must be in ({lo_open:g}, {hi:g}]: {s!r}")
        return tuple(v)
    return parse


def blocks_arg(s):
    try:
        v = tuple(int(x) for x in s.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {s!r}") from None
    if not v or any(b not in BLOCKS for b in v):
        raise argparse.ArgumentTypeError(f"block sizes are 16, 32, 64 or 128: {s!r}")
    return v


def patterns_arg(s):
    v = tuple(x.strip() for x in s.split(",") if x.strip())
    bad = [p for p in v if p not in PATTERNS]
    if not v or bad:
        raise argparse.ArgumentTypeError(f"patterns are {', '.join(PATTERNS)}: {s!r}")
    return v


def keeps_arg(s):
    if s.strip().lower() == "none":
        return ()
    return floats("keep rates", 0.0, 1.0)(s)


def positive_int(s):
    if not re.fullmatch(r"[0-9]+", s) or int(s) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {s!r}")
    return int(s)


def args_parser():
    doc = __doc__.split("\n\n")
    ap = argparse.ArgumentParser(
        prog="accuracy_sweep.py", description="\n\n".join(doc[:2]),
        epilog="\n\n".join(doc[2:]), formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--npy-dir", required=True, type=Path,
                    help="real tensors: DIR/layerNN/{q,k,v}.npy (docs/realdata.md)")
    ap.add_argument("--out", required=True, type=Path, help="output directory")
    ap.add_argument("--force", action="store_true", help="replace OUT if it exists")
    ap.add_argument("--attnkit", default="build/bin/attnkit", help="the CLI (default %(default)s)")
    ap.add_argument("--target-db", type=float, default=30.0,
                    help="SQNR the recommended point must reach (default %(default)g)")
    ap.add_argument("--patterns", type=patterns_arg, default=PATTERNS,
                    help=f"comma-separated (default {','.join(PATTERNS)})")
    ap.add_argument("--densities", type=floats("densities", 0.0, 1.0), default=None,
                    help="block densities (default " + ",".join(map(str, DEF_DENSITIES)) + ")")
    ap.add_argument("--blocks", type=blocks_arg, default=None,
                    help="block sizes, each <= tokens (default "
                         + ",".join(map(str, DEF_BLOCKS)) + ")")
    ap.add_argument("--keep-rates", type=keeps_arg, default=None,
                    help="EViT keep rates, pruning after layer 1, or 'none' (default "
                         + ",".join(map(str, DEF_KEEPS)) + ")")
    ap.add_argument("--quick", action="store_true",
                    help="a small grid: densities " + ",".join(map(str, QUICK_DENSITIES))
                         + ", block " + ",".join(map(str, QUICK_BLOCKS)) + ", keep "
                         + ",".join(map(str, QUICK_KEEPS))
                         + " (explicit --densities/--blocks/--keep-rates win)")
    ap.add_argument("--input-quant", help="passed to attnkit accuracy (default: its own)")
    ap.add_argument("--output-scale", help="passed to attnkit accuracy (default: its own)")
    ap.add_argument("--seed", type=int, default=1, help="workload seed (random masks; default 1)")
    ap.add_argument("--jobs", type=positive_int, default=2,
                    help="points run in parallel (default %(default)s)")
    ap.add_argument("--threads", type=int, default=1,
                    help="attnkit accuracy --threads per point (default 1; 0 = one per CPU)")
    return ap


def main(argv):
    ap = args_parser()
    a = ap.parse_args(argv)
    a.densities = a.densities or (QUICK_DENSITIES if a.quick else DEF_DENSITIES)
    a.blocks = a.blocks or (QUICK_BLOCKS if a.quick else DEF_BLOCKS)
    if a.keep_rates is None:
        a.keep_rates = QUICK_KEEPS if a.quick else DEF_KEEPS
    if not math.isfinite(a.target_db):
        ap.error("--target-db: expected a finite number")
    if a.threads < 0:
        ap.error("--threads: expected 0 or more")
    if a.seed < 0:
        ap.error("--seed: expected 0 or more")
    try:
        if not (os.path.isfile(a.attnkit) and os.access(a.attnkit, os.X_OK)):
            raise Fail(2, f"--attnkit {a.attnkit}: not an executable (make all builds it)")
        if a.out.exists() and not a.force:
            raise Fail(2, f"--out {a.out} exists (use --force to replace it)")
        info = tensor_info(a.npy_dir)
        with tempfile.TemporaryDirectory(prefix="accuracy_sweep-") as tmp:
            a.sinks_problem = "sinks" in a.patterns and sinks_noncausal(a.attnkit, tmp)
        pts, notes = plan(a, info)
        for n in notes:
            print(f"{PROG}: note: {n}", file=sys.stderr)
        layers, heads, tokens, head_dim = info
        print(f"{PROG}: {a.npy_dir}: {layers} layers x {heads} heads, d={head_dim}, "
              f"{tokens} tokens; {len(pts)} points, {a.jobs} jobs")
        t0 = time.monotonic()
        rows = [None] * len(pts)
        with tempfile.TemporaryDirectory(prefix="accuracy_sweep-") as tmp:
            # the dense baseline first: every speed-up needs its cycles
            rows[0] = measure(pts[0], a, info, tmp)
            if "skipped" in rows[0]:
                raise Fail(1, f"the dense baseline failed: {rows[0]['skipped']}")
            dense_cycles = rows[0]["cycles"]
            done = 0

            def report(i):
                nonlocal done
                done += 1
                r = rows[i]
                r["dense_cycles"] = dense_cycles
                if "skipped" in r:
                    print(f"[{done}/{len(pts)}] {label(r)}: skipped ({r['skipped']})", flush=True)
                    return
                r["speedup"] = dense_cycles / r["cycles"]
                acc = (f"{fmt_db(r['min_total_sqnr_db'])} dB" if r["family"] == "mask" else
                       f"CLS mass {100 * r['prune_cls_mass_kept']:.1f}%, "
                       f"agreement {100 * r['prune_agreement']:.1f}%")
                tag = " (all blocks: = dense)" if r.get("note") else ""
                print(f"[{done}/{len(pts)}] {label(r)}: {acc}, {r['speedup']:.1f}x{tag}",
                      flush=True)

            report(0)
            pool = concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs)
            try:
                futs = {pool.submit(measure, p, a, info, tmp): i
                        for i, p in enumerate(pts) if i > 0}
                for f in concurrent.futures.as_completed(futs):
                    rows[futs[f]] = f.result()
                    report(futs[f])
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        seconds = time.monotonic() - t0
        for r in rows:
            if "skipped" in r:
                notes.append(f"{label(r)} skipped: {r['skipped']}")
        rows = [r for r in rows if "skipped" not in r]
        front = frontier(rows)
        rec, met = recommend(rows, a.target_db)
        on = {id(r) for r in front}
        for r in rows:
            r["frontier"] = id(r) in on if r["family"] == "mask" else None
            r["recommended"] = r is rec
        meta = {"tool": "scripts/data/accuracy_sweep.py", "npy_dir": str(a.npy_dir),
                "layers": layers, "heads": heads, "tokens": tokens, "head_dim": head_dim,
                "target_db": a.target_db, "target_met": met, "dense_cycles": dense_cycles,
                "input_quant": a.input_quant, "output_scale": a.output_scale, "seed": a.seed,
                "seconds": round(seconds, 1), "notes": notes,
                "note": "SQNR in dB, \"inf\" = infinite; pruning rows have no SQNR (null)"}
        title = (f"{Path(a.npy_dir).name}: {layers} layers, {tokens} tokens: accuracy vs "
                 f"cycle-model speed-up (frontier over mask points)")
        write_out(a.out, a.force, {
            "sweep.csv": lambda p: write_csv(rows, p),
            "sweep.json": lambda p: write_json(rows, meta, p),
            "pareto.png": lambda p: plot(rows, front, rec, met, a.target_db, title, p),
            "summary.md": lambda p: p.write_text(
                summary(rows, front, rec, met, a, info, notes, meta) + "\n"),
        })
        verdict = (f"recommended {label(rec)}: {fmt_db(rec['min_total_sqnr_db'])} dB, "
                   f"{rec['speedup']:.2f}x" if met else
                   f"no point reaches {a.target_db:g} dB; best {label(rec)}: "
                   f"{fmt_db(rec['min_total_sqnr_db'])} dB, {rec['speedup']:.2f}x")
        print(f"{PROG}: {verdict}")
        print(f"{PROG}: {a.out}/{{sweep.csv,sweep.json,pareto.png,summary.md}} in {seconds:.1f} s")
        return 0
    except Fail as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return e.status
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM cleans up like Ctrl-C
    sys.exit(main(sys.argv[1:]))
