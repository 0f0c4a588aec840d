"""SLURM for scripts/regression/regress: the test list as a job array (`sbatch --array --wait`),
each task running its share (--shard K/N) with scripts/regression/regress on its node, then the
per-test results gathered from the shared output directory. A task that died leaves tests
without a result: each of them becomes a failure naming the task and the tail of its output
file. sacct needs slurmdbd, which small clusters lack, so completion is read from the files, not
the accounting.
"""
import json
import os
import shlex
import shutil
import subprocess
import sys

TASK_DONE = "regress: shard done"


class SlurmError(Exception):
    pass


def _run(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as e:
        raise SlurmError(f"{cmd[0]}: cannot run it ({e.strerror}); is SLURM installed?") from None
    return p


def run(ctx, args, tests):
    """Runs `tests` as a job array; returns the results in the order of the list."""
    if not shutil.which("sbatch"):
        print("regress: --slurm: sbatch is not on PATH (install slurm-wlm, or run without "
              "--slurm)", file=sys.stderr)
        raise SystemExit(1)
    sdir = os.path.join(ctx.out, "slurm")
    os.makedirs(sdir, exist_ok=True)
    shards = min(args.shards, len(tests))
    listing = os.path.join(ctx.out, "tests.json")
    with open(listing, "w") as f:
        json.dump(tests, f, indent=1)
    me = os.path.abspath(sys.argv[0])
    task = [sys.executable, me, "--tests", listing,
            "--shard", "${SLURM_ARRAY_TASK_ID}/" + str(shards),
            "--out", ctx.out, "--attnkit", ctx.attnkit, "--sim", ctx.sim, "--vvp", ctx.vvp,
            "--timeout", str(ctx.timeout), "-j", "1"] + (["--no-wave"] if not ctx.waves else [])
    script = os.path.join(sdir, "job.sh")
    opts = [f"--array=0-{shards - 1}", f"--time={args.time}", f"--mem={args.mem}",
            "--job-name=attnkit-regress", f"--output={sdir}/task-%a.out", "--ntasks=1",
            "--cpus-per-task=1"]
    if args.partition:
        opts.append(f"--partition={args.partition}")
    with open(script, "w") as f:
        f.write("#!/bin/sh\n" + "".join(f"#SBATCH {o}\n" for o in opts) +
                f"cd {shlex.quote(os.getcwd())}\n" +
                " ".join(c if c.startswith("${") or "${" in c else shlex.quote(c)
                         for c in task) + "\n")
    for old in os.listdir(sdir):
        if old.startswith("task-"):
            os.remove(os.path.join(sdir, old))
    for t in tests:  # results of an earlier run must not pass for this one
        stale = os.path.join(ctx.out, "tests", t["id"], "result.json")
        if os.path.exists(stale):
            os.remove(stale)
    cmd = ["sbatch", "--wait", "--parsable", script]
    print(f"regress: submitting {len(tests)} tests as {shards} array tasks: {' '.join(cmd)}",
          file=sys.stderr, flush=True)
    p = _run(cmd)
    if p.returncode != 0 and not p.stdout.strip():
        print(f"regress: --slurm: `{' '.join(cmd)}` failed (exit {p.returncode}):\n"
              f"{(p.stderr or p.stdout).strip()}", file=sys.stderr)
        raise SystemExit(1)
    job = p.stdout.strip().split(";")[0]
    # gather: every test's result.json, and which tasks finished their share
    dead = {}
    for k in range(shards):
        out = os.path.join(sdir, f"task-{k}.out")
        try:
            with open(out) as f:
                text = f.read()
        except OSError:
            text = ""
        if TASK_DONE not in text:
            tail = "\n".join(text.strip().splitlines()[-5:]) or "(no output)"
            dead[k] = f"SLURM job {job} task {k} died before finishing its share; {out}: {tail}"
    results = []
    for i, t in enumerate(tests):
        path = os.path.join(ctx.out, "tests", t["id"], "result.json")
        try:
            with open(path) as f:
                results.append(json.load(f))
        except (OSError, ValueError):
            k = i % shards
            msg = dead.get(k, f"SLURM job {job} task {k}: no result for {t['id']}")
            log = os.path.join(ctx.out, "tests", t["id"], "log.txt")
            results.append({"id": t["id"], "test": t, "passed": False, "message": msg,
                            "seconds": 0.0, "log": log, "wave": None,
                            "reproduce": f"{ctx.reproduce_base} --only {t['id']}"})
    for msg in dead.values():
        print(f"regress: {msg}", file=sys.stderr)
    return results
