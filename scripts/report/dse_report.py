#!/usr/bin/env python3
"""Design-space report: turns the CSVs of `attnkit estimate --sweep` into PNG plots and a
markdown summary.

For each CSV (one workload): throughput against block density with the ideal 1/density line,
throughput against the EViT keep rate (if the workload prunes), and every point of the sweep on
the roofline of the configurations it covers (peak MACs a cycle, memory bandwidth); the
summary has a table per sweep. `make dse` calls it. Exit status: 0 ok, 2 bad input (a file
that is missing or not a sweep CSV, named with what was expected).
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NEEDED = ("workload", "sweep", "rows", "block", "density", "keep", "mem_bw", "fits",
          "active_density", "cycles", "mac_utilisation", "seconds", "images_per_s",
          "tokens_per_s", "intensity", "macs_per_cycle", "peak_macs_per_cycle",
          "bound_macs_per_cycle", "memory_bound")


def load(path):
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise SystemExit(f"dse_report: {path}: {e.strerror}") from None
    if not rows or any(k not in rows[0] for k in NEEDED):
        print(f"dse_report: {path}: not a CSV of attnkit estimate --sweep "
              f"(columns {', '.join(NEEDED)})",
              file=sys.stderr)
        sys.exit(2)
    for r in rows:
        for k in NEEDED[2:]:
            r[k] = float(r[k])
    return rows


def throughput(r):
    """Images/s for a vision workload, decode tokens/s for a decoder; 0 if it did not fit."""
    return r["images_per_s"] or r["tokens_per_s"]


def save(fig, out, name, what):
    path = os.path.join(out, f"{name}-{what}.png")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_density(rows, name, out):
    pts = [r for r in rows if r["sweep"] == "density" and r["fits"]]
    dense = [r for r in pts if r["density"] >= 1]
    if not pts or not dense:
        return None
    base = dense[0]["cycles"]
    xs = [r["active_density"] for r in pts]
    ys = [base / r["cycles"] for r in pts]
    fig, ax = plt.subplots(figsize=(5.5, 4))
    lo = min(xs) * 0.8
    ax.plot([lo, 1], [1 / lo, 1], "k--", label="ideal: 1 / density")
    ax.plot(xs, ys, "o-", label="cycle model")
    for x, y in zip(xs, ys, strict=False):
        ax.annotate(f"{y * x:.2f}", (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("block density (active blocks / all)")
    ax.set_ylabel("speed-up over dense")
    ax.set_title(f"{name}: sparse scaling (labels: fraction of ideal)", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return save(fig, out, name, "density")


def plot_keep(rows, name, out):
    pts = [r for r in rows if r["sweep"] == "keep" and r["fits"]]
    if not pts:
        return None
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.plot([r["keep"] for r in pts], [throughput(r) for r in pts], "o-")
    ax.set_xlabel("EViT keep rate")
    ax.set_ylabel("images/s (attention)" if pts[0]["images_per_s"] else "tokens/s")
    ax.set_title(f"{name}: throughput against keep rate", fontsize=9)
    ax.grid(True, alpha=0.3)
    return save(fig, out, name, "keep")


def plot_roofline(rows, name, out):
    pts = [r for r in rows if r["fits"] and r["intensity"] > 0]
    if not pts:
        return None
    fig, ax = plt.subplots(figsize=(5.5, 4))
    xs = [r["intensity"] for r in pts]
    lo, hi = min(xs) / 4, max(xs) * 4
    for bw in sorted({r["mem_bw"] for r in pts}, reverse=True):
        for peak in sorted({r["peak_macs_per_cycle"] for r in pts if r["mem_bw"] == bw}):
            grid = [lo * (hi / lo) ** (i / 100) for i in range(101)]
            ax.plot(grid, [min(peak, bw * x) for x in grid], "-", alpha=0.5, linewidth=1,
                    label=f"roof: {peak:.0f} MACs/cycle, {bw:.0f} B/cycle")
    for sweep, marker in (("rows", "s"), ("block", "^"), ("density", "o"), ("keep", "D"),
                          ("mem_bw", "v")):
        sel = [r for r in pts if r["sweep"] == sweep]
        if sel:
            ax.scatter([r["intensity"] for r in sel], [r["macs_per_cycle"] for r in sel],
                       marker=marker, s=18, label=f"{sweep} sweep", zorder=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("intensity (MACs per byte moved)")
    ax.set_ylabel("attained MACs per cycle")
    ax.set_title(f"{name}: roofline", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=6, loc="lower right")
    return save(fig, out, name, "roofline")


def table(rows, sweep):
    pts = [r for r in rows if r["sweep"] == sweep]
    if not pts:
        return []
    col = {"rows": "rows", "block": "block", "density": "density", "keep": "keep",
           "mem_bw": "mem_bw"}[sweep]
    lines = [f"| {sweep} | fits | density reached | cycles | MAC util | throughput | bound |",
             "|---:|:---:|---:|---:|---:|---:|:---|"]
    for r in pts:
        unit = "images/s" if r["images_per_s"] else "tokens/s"
        lines.append(f"| {r[col]:g} | {'yes' if r['fits'] else 'no'} | {r['active_density']:.3f} | "
                     f"{r['cycles']:.0f} | {100 * r['mac_utilisation']:.1f}% | "
                     f"{throughput(r):.0f} {unit} | "
                     f"{'memory' if r['memory_bound'] else 'compute'} |")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="+", help="CSV files of attnkit estimate --sweep")
    ap.add_argument("--out", required=True, help="directory for the PNGs and summary.md")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    md = ["# Design-space sweeps", "",
          "Generated by `make dse` (`attnkit estimate --sweep`, `scripts/report/dse_report.py`): "
          "one-at-a-time sweeps around the default configuration (16 x 16 + 256 PEs, memory "
          "latency 20, 64 B/cycle, 250 MHz), predicted by the cycle model.", ""]
    for path in args.csv:
        rows = load(path)
        name = rows[0]["workload"]
        md += [f"## {name}", ""]
        for plot in (plot_density, plot_keep, plot_roofline):
            p = plot(rows, name, args.out)
            if p:
                md += [f"![{os.path.basename(p)}]({os.path.basename(p)})", ""]
        for sweep in ("rows", "block", "density", "keep", "mem_bw"):
            t = table(rows, sweep)
            if t:
                md += t + [""]
    summary = os.path.join(args.out, "summary.md")
    with open(summary + ".tmp", "w") as f:
        f.write("\n".join(md) + "\n")
    os.replace(summary + ".tmp", summary)
    print(f"dse_report: {summary} and plots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
