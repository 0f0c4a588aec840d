"""SLURM for scripts/regression/regress: the test list as a job array (`sbatch --array`, then
squeue until it has left the queue), each task running its share (--shard K/N) with
scripts/regression/regress on its node, then the per-test results gathered from the shared
output directory. A task that died leaves tests without a result: each of them becomes a failure
naming the task and the tail of its output file. An interrupt (Ctrl-C, SIGTERM) cancels the
array (scancel; each task's runner then kills its simulation and leaves no result for it) and
the tests without a result are "not run". sacct needs slurmdbd, which small clusters lack, so
completion is read from the queue and the files, not the accounting.
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import time

TASK_DONE = "regress: shard done"


class SlurmError(Exception):
    pass


POLL = 2.0  # seconds between two looks at the queue


def _run(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, check=False,
                           start_new_session=True)  # Ctrl-C is ours to handle, not theirs
    except OSError as e:
        raise SlurmError(f"{cmd[0]}: cannot run it ({e.strerror}); is SLURM installed?") from None
    return p


def _queued(job):
    """True while the job array has a task in the queue (pending, running, completing)."""
    p = _run(["squeue", "-h", "-j", job, "-o", "%i"])
    return p.returncode == 0 and bool(p.stdout.strip())


def _wait(ctx, job, limit=None):
    t0 = time.monotonic()
    while _queued(job):
        if limit is not None and time.monotonic() - t0 > limit:
            return
        if ctx.children.interrupted.wait(POLL) and limit is None:
            return


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
            "--timeout", str(ctx.timeout), "--wave-limit", f"{ctx.wave_limit:g}",
            "--wave-window", str(ctx.wave_window),
            "-j", "1"] + (["--no-wave"] if not ctx.waves else []) + (
                ["--no-ofx"] if ctx.no_ofx else [])
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
    cmd = ["sbatch", "--parsable", script]
    print(f"regress: submitting {len(tests)} tests as {shards} array tasks: {' '.join(cmd)}",
          file=sys.stderr, flush=True)
    p = _run(cmd)
    if p.returncode != 0 or not p.stdout.strip():
        print(f"regress: --slurm: `{' '.join(cmd)}` failed (exit {p.returncode}):\n"
              f"{(p.stderr or p.stdout).strip()}", file=sys.stderr)
        raise SystemExit(1)
    job = p.stdout.strip().split(";")[0]
    cancelled = []

    def cancel():
        if not cancelled:
            cancelled.append(_run(["scancel", job]))
            print(f"regress: cancelled SLURM job {job} (scancel {job})", file=sys.stderr,
                  flush=True)

    ctx.children.on_interrupt.append(cancel)
    if ctx.children.interrupted.is_set():  # came while sbatch ran
        cancel()
    print(f"regress: SLURM job {job}; waiting for it", file=sys.stderr, flush=True)
    _wait(ctx, job)
    if ctx.children.interrupted.is_set():
        cancel()
        _wait(ctx, job, limit=30)  # the tasks' runners kill their simulations and stop
    # gather: every test's result.json, and which tasks finished their share
    dead = {}
    for k in range(shards):
        out = os.path.join(sdir, f"task-{k}.out")
        try:
            with open(out) as f:
                text = f.read()
        except OSError:
            text = ""
        if TASK_DONE not in text and not ctx.children.interrupted.is_set():
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
            if ctx.children.interrupted.is_set():
                results.append(ctx.not_run(t, f"interrupted: SLURM job {job} cancelled"))
                continue
            msg = dead.get(k, f"SLURM job {job} task {k}: no result for {t['id']}")
            log = os.path.join(ctx.out, "tests", t["id"], "log.txt")
            results.append({"id": t["id"], "test": t, "status": "failed", "passed": False,
                            "message": msg, "seconds": 0.0, "log": log, "wave": None,
                            "reproduce": ctx.reproduce(t)})
    for msg in dead.values():
        print(f"regress: {msg}", file=sys.stderr)
    return results
