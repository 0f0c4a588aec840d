#!/usr/bin/env python3
"""Design-space report: turns the CSVs of `attnkit estimate --sweep` into PNG plots and a
markdown summary.

For each CSV (one workload): throughput against the block density reached, with the ideal
1/density line (requested densities the mask could not reach are merged into one point marked
"saturates at"), throughput against the EViT keep rate (if the workload prunes; its own keep
rate marked), and every point of the sweep on the roofline of the configurations it covers
(peak MACs a cycle, memory bandwidth); the summary has a table per sweep, where a point that
does not fit the hardware says so and why. `make dse` calls it.

The CSV is read with the csv module (the sweep writes RFC 4180: a workload name may hold
commas and quotes). PNG names come from the workload's name made safe for a file name (only
[A-Za-z0-9._-], others replaced by _, no leading dots, a suffix -2, -3... if two workloads map
to the same name); nothing is written outside --out. Exit status: 0 ok, 2 bad input (a file
that is missing or not a sweep CSV, named with what was expected).
"""
import argparse
import csv
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

NEEDED = ("workload", "kind", "sweep", "rows", "block", "mask", "density", "active_density",
          "saturated", "keep", "mem_bw", "fits", "why", "cycles", "mac_utilisation", "seconds",
          "images_per_s", "tokens_per_s", "intensity", "macs_per_cycle", "peak_macs_per_cycle",
          "bound_macs_per_cycle", "memory_bound")
TEXT = ("workload", "kind", "sweep", "mask", "why")
SWEEPS = ("rows", "block", "density", "keep", "mem_bw")

# Points (sweeps) in saturated colours with markers; roofs in greys, dashed: never the same.
POINT_STYLE = {"rows": ("tab:blue", "s"), "block": ("tab:orange", "^"),
               "density": ("tab:green", "o"), "keep": ("tab:red", "D"),
               "mem_bw": ("tab:purple", "v")}
ROOF_STYLES = ("-", "--", "-.", ":")


def fail(msg):
    print(f"dse_report: {msg}", file=sys.stderr)
    sys.exit(2)


def load(path):
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        fail(f"{path}: {e.strerror}")
    except csv.Error as e:
        fail(f"{path}: not a CSV ({e})")
    if not rows or any(k not in rows[0] for k in NEEDED):
        fail(f"{path}: not a CSV of attnkit estimate --sweep (columns {', '.join(NEEDED)})")
    for r in rows:
        for k in NEEDED:
            if k in TEXT:
                continue
            v = r[k]
            try:
                r[k] = float(v) if v != "" else None  # empty: not estimated (fits = 0)
            except (TypeError, ValueError):
                fail(f"{path}: column {k}: '{v}' is not a number")
        r["fits"] = bool(r["fits"])
        r["saturated"] = bool(r["saturated"])
    return rows


def safe_name(name, used):
    """A file-name stem from a workload name: [A-Za-z0-9._-] kept, others replaced by _, no
    leading dots, never empty, -2, -3... appended if an earlier workload took it."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "workload"
    cand, n = stem, 2
    while cand in used:
        cand, n = f"{stem}-{n}", n + 1
    used.add(cand)
    return cand


def inside(out, path):
    out, path = os.path.realpath(out), os.path.realpath(path)
    return os.path.commonpath([out, path]) == out


def throughput(r):
    """Images/s for a vision workload, decode tokens/s for a decoder; None if it did not fit."""
    return r["images_per_s"] if r["kind"] == "vision" else r["tokens_per_s"]


def unit(r):
    return "images/s" if r["kind"] == "vision" else "tokens/s"


def plain(v, _pos=None):
    """Tick labels as plain numbers: 2, 4, 8, 0.5, 0.05, 1000 (not 2x10^0)."""
    return f"{v:g}"


def plain_log(ax, axis):
    """A log axis with plain labels on the decades and on 2 and 5 between them."""
    a = ax.xaxis if axis == "x" else ax.yaxis
    a.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    a.set_major_formatter(FuncFormatter(plain))
    a.set_minor_formatter(NullFormatter())


def save(fig, out, stem, what):
    path = os.path.join(out, f"{stem}-{what}.png")
    if not inside(out, path):
        fail(f"{path}: outside --out {out}: refused")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_density(rows, name, stem, out):
    pts = [r for r in rows if r["sweep"] == "density" and r["fits"]]
    dense = [r for r in pts if r["density"] >= 1]
    if not pts or not dense:
        return None
    base = dense[0]["cycles"]
    # requested densities that reached the same mask are one point, not a stack of labels
    groups = {}
    for r in pts:
        groups.setdefault(round(r["active_density"], 6), []).append(r)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    xs = sorted(groups)
    ys = [base / groups[x][0]["cycles"] for x in xs]
    lo = min(xs) * 0.8
    ax.plot([lo, 1], [1 / lo, 1], "k--", label="ideal: 1 / density")
    ax.plot(xs, ys, "o-", color="tab:green", label="cycle model")
    for x, y in zip(xs, ys, strict=True):
        g = groups[x]
        text = f"{y * x:.2f} of ideal"
        if any(r["saturated"] for r in g):
            asked = ", ".join(f"{r['density']:g}" for r in g)
            text += f"\nsaturates at {x:.2f}\n(requested {asked})"
            ax.plot([x], [y], "o", markersize=11, markerfacecolor="none", color="tab:red",
                    label=f"saturated: requested {asked}")
        ax.annotate(text, (x, y), textcoords="offset points", xytext=(6, -4), fontsize=8,
                    va="top")
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain_log(ax, "x")
    plain_log(ax, "y")
    ax.set_xlabel("block density reached (active blocks / all)")
    ax.set_ylabel("speed-up over dense")
    ax.set_title(f"{name}: sparse scaling (random block masks)", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=9, loc="upper right")
    return save(fig, out, stem, "density")


def plot_keep(rows, name, stem, out):
    pts = sorted((r for r in rows if r["sweep"] == "keep" and r["fits"]), key=lambda r: r["keep"])
    if not pts:
        return None
    own = next((r["keep"] for r in rows if r["sweep"] != "keep"), None)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot([r["keep"] for r in pts], [throughput(r) for r in pts], "o-", color="tab:red",
            label="cycle model")
    mine = [r for r in pts if own is not None and abs(r["keep"] - own) < 1e-6]
    if mine:
        ax.plot([mine[0]["keep"]], [throughput(mine[0])], "*", markersize=16, color="tab:blue",
                label=f"the workload's own keep rate ({own:g})")
    for r in pts:
        ax.annotate(f"{throughput(r):.0f}", (r["keep"], throughput(r)),
                    textcoords="offset points", xytext=(5, 5), fontsize=8)
    ax.set_xlabel("EViT keep rate (1: no pruning)")
    ax.set_ylabel(f"{unit(pts[0])} (attention)")
    ax.xaxis.set_major_formatter(FuncFormatter(plain))
    ax.set_title(f"{name}: throughput against keep rate", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9)
    return save(fig, out, stem, "keep")


def plot_roofline(rows, name, stem, out):
    pts = [r for r in rows if r["fits"] and r["intensity"] and r["intensity"] > 0]
    if not pts:
        return None
    fig, ax = plt.subplots(figsize=(9, 5))
    xs = [r["intensity"] for r in pts]
    lo, hi = min(xs) / 4, max(xs) * 4
    grid = [lo * (hi / lo) ** (i / 100) for i in range(101)]
    roofs = sorted({(r["peak_macs_per_cycle"], r["mem_bw"]) for r in pts},
                   key=lambda pb: (-pb[1], pb[0]))
    for i, (peak, bw) in enumerate(roofs):
        grey = 0.15 + 0.55 * i / max(1, len(roofs) - 1)
        ax.plot(grid, [min(peak, bw * x) for x in grid], ROOF_STYLES[i % len(ROOF_STYLES)],
                color=str(grey), linewidth=1.3,
                label=f"roof: {peak:.0f} MACs/cycle, {bw:.0f} B/cycle")
    for sweep in SWEEPS:
        sel = [r for r in pts if r["sweep"] == sweep]
        if sel:
            colour, marker = POINT_STYLE[sweep]
            ax.scatter([r["intensity"] for r in sel], [r["macs_per_cycle"] for r in sel],
                       marker=marker, s=45, color=colour, edgecolors="black", linewidths=0.5,
                       label=f"{sweep} sweep", zorder=3)
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain_log(ax, "x")
    plain_log(ax, "y")
    ax.set_xlabel("intensity (MACs per byte moved)")
    ax.set_ylabel("attained MACs per cycle")
    ax.set_title(f"{name}: roofline", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=9, loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=True)
    return save(fig, out, stem, "roofline")


def table(rows, sweep):
    pts = [r for r in rows if r["sweep"] == sweep]
    if not pts:
        return []
    lines = [f"| {sweep} | mask | density reached | keep | cycles | MAC util | throughput "
             "| bound |",
             "|---:|:---|---:|---:|---:|---:|---:|:---|"]
    for r in pts:
        if sweep == "density":
            mask = f"{r['mask']} {r['density']:g}"
            if r["saturated"]:
                mask += " (saturated)"
        else:
            mask = r["mask"]
        head = f"| {r[sweep]:g} | {mask} |"
        if not r["fits"]:
            why = r["why"].replace("|", "\\|")
            lines.append(f"{head} | {r['keep']:g} | does not fit: {why} | | | |")
            continue
        lines.append(f"{head} {r['active_density']:.3f} | {r['keep']:g} | {r['cycles']:.0f} | "
                     f"{100 * r['mac_utilisation']:.1f}% | {throughput(r):.0f} {unit(r)} | "
                     f"{'memory' if r['memory_bound'] else 'compute'} |")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", nargs="+", help="CSV files of attnkit estimate --sweep")
    ap.add_argument("--out", required=True, help="directory for the PNGs and summary.md")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    md = ["# Design-space sweeps", "",
          "Generated by `make dse` (`attnkit estimate --sweep`, `scripts/report/dse_report.py`): "
          "one-at-a-time sweeps around the default configuration (16 x 16 + 256 PEs, memory "
          "latency 20, 64 B/cycle, 250 MHz), predicted by the cycle model. `keep` is the keep "
          "rate estimated (the workload's own outside the keep sweep); a density the random "
          "mask could not reach is marked saturated.", ""]
    used = set()
    for path in args.csv:
        rows = load(path)
        name = rows[0]["workload"]
        stem = safe_name(name, used)
        md += [f"## {name}", ""]
        for plot in (plot_density, plot_keep, plot_roofline):
            p = plot(rows, name, stem, args.out)
            if p:
                md += [f"![{os.path.basename(p)}]({os.path.basename(p)})", ""]
        for sweep in SWEEPS:
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
