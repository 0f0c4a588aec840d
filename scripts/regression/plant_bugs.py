#!/usr/bin/env python3
"""The planted-bug campaign: how many realistic bugs the test tiers and the regression catch.

Each bug of tests/plants/ (a patch, one line of plants.tsv) is applied alone to a scratch copy
of a tree (a git revision, default HEAD), and the copy is put through, in order, until one
fails:
  check    `make check`            (the fast tier)
  regress  `make regress COUNT=N`  (a seeded N-test RTL regression, default 100)
  test     `make test`             (the full tier; run only for a bug the two above missed)
The first stage that fails catches the bug; a bug none of them catches is `missed`, and a patch
that no longer applies or does not build is reported as such (not counted either way). The
unpatched copy is put through the same stages first: a stage that fails without a bug would
catch every bug, so the campaign stops there (--baseline chooses the stages it runs).

Builds are incremental: the unpatched copy is built once (or its build is taken from --build-from,
a build directory of the same revision) and each bug's copy starts from a copy of it with every
file dated now, so make rebuilds what the patch touches and nothing else.

Writes OUT/plants.json (one record per bug: stage, seconds, the failing tests' lines) and
OUT/plants.md (the table), and prints a line per bug as it ends. Ctrl-C stops after cleaning
the current copy; --only runs a subset (ids or prefixes).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
STAGES = ("check", "regress", "test")
STAGE_TIMEOUT = {"build": 3600, "check": 1800, "regress": 1800, "test": 3600}


def run(cmd, cwd, log, timeout):
    """cmd in cwd, its output appended to log; (exit status or "timeout", seconds)."""
    start = time.monotonic()
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"\n$ {' '.join(cmd)}\n")
        f.flush()
        try:
            rc = subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT,
                                timeout=timeout, check=False).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
    return rc, round(time.monotonic() - start)


def stage_cmd(stage, count):
    if stage == "regress":
        return ["make", "--no-print-directory", "regress", f"COUNT={count}", "SEED=1"]
    return ["make", "-j2", "--no-print-directory", stage]


def failures(log, since):
    """What failed, from log (from byte since): each failed CUnit test as "program: test", a
    program counted as failed, a failed regression test, a compiler error."""
    with open(log, encoding="utf-8", errors="replace") as f:
        f.seek(since)
        lines = f.read().splitlines()
    prog, test, out = "", "", []
    for ln in lines:
        m = re.match(r"== \S*/(test_\w+) \(", ln)
        if m:
            prog, test = m.group(1), ""
            continue
        m = re.match(r"\s+Test: (.*?) \.\.\.", ln)
        if m:
            test = m.group(1)
        if ln.rstrip().endswith("FAILED") and test:
            out.append(f"{prog}: {test}")
            test = ""
        elif re.search(r"counted as failed|\berror: |^FAIL t\d+|RTL assertion \w+ failed", ln):
            out.append(ln.strip())
    return list(dict.fromkeys(out))[:12]


def fresh_copy(tree, build, dest):
    """dest: the tree's files plus a copy of build, every file dated now (up to date)."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(tree, dest, symlinks=True, ignore=shutil.ignore_patterns("build"))
    if build:
        shutil.copytree(build, os.path.join(dest, "build"), symlinks=True)
        now = time.time()
        for d, _, files in os.walk(os.path.join(dest, "build")):
            for name in files:
                os.utime(os.path.join(d, name), (now, now), follow_symlinks=False)
        # the build's flags record is older than anything (as a fresh build sees it)
        flags = os.path.join(dest, "build", "flags.txt")
        if os.path.exists(flags):
            os.utime(flags, (0, 0))


def read_plants(plants_dir):
    rows = []
    with open(os.path.join(plants_dir, "plants.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for n, line in enumerate(f, 2):
            if not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != len(header):
                raise ValueError(f"plants.tsv line {n}: {len(cols)} columns, expected "
                                 f"{len(header)} ({', '.join(header)})")
            row = dict(zip(header, cols, strict=True))
            patch = os.path.join(plants_dir, row["id"] + ".patch")
            if not os.path.exists(patch):
                raise ValueError(f"plants.tsv line {n}: no patch {patch}")
            row["patch"] = patch
            rows.append(row)
    return rows


def table(results, count):
    caught = [r for r in results if r["stage"] in STAGES]
    missed = [r for r in results if r["stage"] == "missed"]
    eq = [r for r in missed if r.get("equivalent") == "yes"]
    lines = ["| id | area | bug | caught by | first failures | s |", "|---|---|---|---|---|---:|"]
    for r in results:
        first = "; ".join(r["failures"][:2]).replace("|", "\\|")[:160]
        bug = r["bug"].replace("|", "\\|")
        lines.append(f"| {r['id']} | {r['area']} | {bug} | {r['stage']} | {first} | "
                     f"{r['seconds']} |")
    lines += ["", f"{len(caught)} of {len(results)} caught (`make check`, then a {count}-test "
              f"regression, then `make test`); {len(missed)} missed, {len(eq)} of them marked "
              "equivalent."]
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rev", default="HEAD", help="the git revision to plant into (HEAD)")
    ap.add_argument("--plants", default=os.path.join(ROOT, "tests", "plants"),
                    help="the bugs: plants.tsv and one patch per id (tests/plants)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "plants"),
                    help="results and scratch copies (build/plants)")
    ap.add_argument("--build-from", metavar="DIR",
                    help="a build directory of the same revision to start from")
    ap.add_argument("--count", type=int, default=100, help="tests of the regression stage")
    ap.add_argument("--only", nargs="*", default=None, metavar="ID",
                    help="run only these bugs (ids or prefixes), in this order")
    ap.add_argument("--baseline", default=",".join(STAGES), metavar="STAGES",
                    help="the stages the unpatched copy runs first, comma-separated (all: "
                         "check,regress,test; '' trusts an earlier run, e.g. CI's make test)")
    args = ap.parse_args()
    if args.count < 1:
        ap.error("--count: expected a positive number of tests")
    baseline = [b for b in args.baseline.split(",") if b]
    if any(b not in STAGES for b in baseline):
        ap.error(f"--baseline {args.baseline}: expected stages among {','.join(STAGES)}")
    try:
        plants = read_plants(args.plants)
    except (OSError, ValueError) as e:
        print(f"plant_bugs: {e}", file=sys.stderr)
        return 2
    if args.only:
        plants = [p for o in args.only for p in plants if p["id"].startswith(o)]
        if not plants:
            print(f"plant_bugs: --only {' '.join(args.only)}: no such bug", file=sys.stderr)
            return 2
    os.makedirs(args.out, exist_ok=True)
    base = os.path.join(args.out, "base")
    tree = os.path.join(args.out, "tree")
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    archive = subprocess.run(["git", "-C", ROOT, "archive", args.rev], capture_output=True,
                             check=False)
    if archive.returncode != 0:
        print(f"plant_bugs: --rev {args.rev}: {archive.stderr.decode().strip()}",
              file=sys.stderr)
        return 2
    subprocess.run(["tar", "-x", "-C", tree], input=archive.stdout, check=True)

    # the unpatched copy: built, and (unless --no-baseline) passing every stage
    fresh_copy(tree, args.build_from, base)
    log = os.path.join(args.out, "base.log")
    open(log, "w").close()
    rc, s = run(["make", "-j2", "--no-print-directory", "all"], base, log,
                STAGE_TIMEOUT["build"])
    print(f"base: build {rc} ({s} s)", flush=True)
    if rc != 0:
        print(f"plant_bugs: the unpatched revision does not build: {log}", file=sys.stderr)
        return 1
    for stage in baseline:
        rc, s = run(stage_cmd(stage, args.count), base, log, STAGE_TIMEOUT[stage])
        print(f"base: {stage} {rc} ({s} s)", flush=True)
        if rc != 0:
            print(f"plant_bugs: the unpatched revision fails `{stage}`: {log}", file=sys.stderr)
            return 1
    base_build = os.path.join(base, "build")

    results = []
    for p in plants:
        work = os.path.join(args.out, "scratch")
        log = os.path.join(args.out, p["id"] + ".log")
        open(log, "w").close()
        rec = {k: p[k] for k in ("id", "area", "bug", "equivalent")}
        start = time.monotonic()
        try:
            fresh_copy(tree, base_build, work)
            applied = subprocess.run(["git", "apply", os.path.abspath(p["patch"])], cwd=work,
                                     capture_output=True, text=True, check=False)
            if applied.returncode != 0:
                rec.update(stage="does-not-apply", failures=[applied.stderr.strip()])
            else:
                since = os.path.getsize(log)
                rc, _ = run(["make", "-j2", "--no-print-directory", "all"], work, log,
                            STAGE_TIMEOUT["build"])
                rec.update(stage="missed", failures=[])
                if rc != 0:
                    rec.update(stage="does-not-build", failures=failures(log, since))
                else:
                    for stage in STAGES:
                        since = os.path.getsize(log)
                        rc, _ = run(stage_cmd(stage, args.count), work, log,
                                    STAGE_TIMEOUT[stage])
                        if rc != 0:
                            rec.update(stage=stage, failures=failures(log, since))
                            break
        except KeyboardInterrupt:
            shutil.rmtree(work, ignore_errors=True)
            print("plant_bugs: interrupted", file=sys.stderr)
            return 130
        rec["seconds"] = round(time.monotonic() - start)
        results.append(rec)
        print(f"{p['id']}: {rec['stage']} ({rec['seconds']} s) "
              f"{rec['failures'][0] if rec['failures'] else ''}", flush=True)
        with open(os.path.join(args.out, "plants.json"), "w", encoding="utf-8") as f:
            json.dump({"rev": args.rev, "count": args.count, "plants": results}, f, indent=1)
        with open(os.path.join(args.out, "plants.md"), "w", encoding="utf-8") as f:
            f.write("\n".join(table(results, args.count)) + "\n")
    shutil.rmtree(os.path.join(args.out, "scratch"), ignore_errors=True)
    print("\n".join(table(results, args.count)[-1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
