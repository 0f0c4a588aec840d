#!/usr/bin/env python3
"""Coverage report of `make coverage`: merges the Verilator coverage files of a regression
(line and toggle points of the RTL), turns them into lcov data, captures the C code coverage
(gcov) of the same runs, and renders both with genhtml into one HTML report. Prints and
writes (summary.txt) the RTL line and toggle coverage and the C line coverage.

Exit status: 0 ok, 1 a tool failed (its command and output are shown), 2 bad arguments.
"""
import argparse
import glob
import os
import re
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        print(f"coverage_report: `{' '.join(cmd)}` failed (exit {p.returncode}):\n"
              f"{(p.stderr or p.stdout).strip()[-2000:]}", file=sys.stderr)
        sys.exit(1)
    return p.stdout


def rtl_points(dat):
    """(covered, total) per point type (line, toggle, ...) of a merged Verilator .dat file.
    Each point is a line C '<key>' <count>; its type is the page field, v_<type>/<module>."""
    kinds = {}
    page = re.compile(r"\x01page\x02v_([a-z]+)/")
    with open(dat, encoding="latin-1") as f:
        for line in f:
            if not line.startswith("C '"):
                continue
            m = page.search(line)
            if not m:
                continue
            count = int(line.rsplit(" ", 1)[1])
            c = kinds.setdefault(m.group(1), [0, 0])
            c[0] += count > 0
            c[1] += 1
    return kinds


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dat", required=True, help="directory of the runs' Verilator .dat files")
    ap.add_argument("--gcov-dir", required=True, help="object directory of the --coverage build")
    ap.add_argument("--out", required=True, help="report directory")
    args = ap.parse_args()
    dats = sorted(glob.glob(os.path.join(args.dat, "*.dat")))
    if not dats:
        print(f"coverage_report: --dat {args.dat}: no .dat files (did the regression run on "
              f"the coverage build?)", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    merged = os.path.join(args.out, "rtl_merged.dat")
    run(["verilator_coverage", "--write", merged] + dats)
    rtl_info = os.path.join(args.out, "rtl.info")
    run(["verilator_coverage", "--write-info", rtl_info, merged])
    c_info = os.path.join(args.out, "c.info")
    run(["lcov", "--quiet", "--capture", "--directory", args.gcov_dir, "--output-file", c_info])
    c_src = os.path.join(args.out, "c_src.info")
    run(["lcov", "--quiet", "--extract", c_info, "*/refmodel/*", "*/host/*", "*/sim/mem_model.c",
         "--output-file", c_src])
    run(["genhtml", "--quiet", "--output-directory", args.out, "--title",
         "attnkit regression coverage (RTL: Verilator line+toggle; C: gcov)", rtl_info, c_src])
    kinds = rtl_points(merged)
    c_lines = run(["lcov", "--summary", c_src])
    m = re.search(r"lines\.*: ([0-9.]+)% \((\d+) of (\d+)", c_lines)
    lines = [f"RTL coverage over {len(dats)} simulations:"]
    for k in sorted(kinds):
        cov, tot = kinds[k]
        lines.append(f"  {k:<7} {cov:>6} of {tot:>6} points ({100 * cov / tot:.1f}%)")
    if m:
        lines.append(f"C line coverage (refmodel, host, memory model): {m.group(1)}% "
                     f"({m.group(2)} of {m.group(3)} lines)")
    lines.append(f"HTML: {os.path.join(args.out, 'index.html')}")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "summary.txt"), "w") as f:
        f.write(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
