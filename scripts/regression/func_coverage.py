"""Functional coverage of the regression's job space: which kinds of job a regression ran, as
coverpoints (one feature of a test each: mask pattern, causality, ragged edges, head dim, block
size, pruning, memory regime, ...) and crosses of them, each a set of bins. A test hits one bin
of every coverpoint and of every cross; a bin is a hole until a passed test hits it.

The bins are derived from a test's configuration (scripts/regression/regress's test objects),
not from the simulator, so the generator can steer toward holes before anything runs
(`steer`): it draws a few candidate tests and keeps the one that hits the most bins not yet
hit. Impossible combinations (a dense mask that is causal, eviction on more keys than the
pruning unit holds) are left out of the crosses, so 100% is reachable. docs/testplan.md says
which feature each bin stands for and which tests cover what the regression cannot (error
codes, abort, reset).
"""
import itertools
import json

import hw_constants

ROWS = hw_constants.get("AK_DEFAULT_ROWS")  # query rows of a tile
# the pruning unit's key limit (a longer eviction job ends in ERR PRUNE)
EVICT_MAX_KEYS = hw_constants.get("AK_MAX_PRUNE_TOKENS")

# coverpoint: its bins, in report order
POINTS = {
    "pattern": ("dense", "causal", "window", "sinks", "strided", "random", "topk"),
    "causality": ("full", "causal"),
    # one_tile: every token in the first query tile; aligned: tokens a whole number of blocks;
    # ragged: a partial last block (and so a partial last tile of keys)
    "edge": ("one_tile", "aligned", "ragged"),
    "head_dim": ("32", "64", "128"),
    "block": ("16", "32", "64", "128"),
    "pruning": ("none", "evit", "evict"),
    # fast: latency <= 5, full bandwidth, no jitter; latency: a slow deterministic memory;
    # bandwidth: below 64 bytes a cycle; jitter: seeded delays and backpressure
    "memory": ("fast", "latency", "bandwidth", "jitter"),
    "heads": ("one", "several"),
    "size": ("small", "medium", "large"),  # <= 64, <= 300, more tokens
}

CROSSES = (
    ("pattern", "causality"),
    ("pattern", "head_dim"),
    ("pattern", "block"),
    ("pattern", "pruning"),
    ("pattern", "edge"),
    ("block", "edge"),
    ("causality", "edge", "block"),
    ("head_dim", "block"),
    ("head_dim", "pruning"),
    ("pruning", "memory"),
    ("memory", "head_dim"),
    ("pruning", "size"),
    ("pattern", "causality", "edge"),
    ("pattern", "causality", "head_dim"),
    ("block", "head_dim", "edge"),
    ("pruning", "memory", "heads"),
    ("pruning", "causality", "edge"),
)


def point_values(t):
    """The bin a test hits in each coverpoint."""
    m = t["mask"]
    n, block = t["tokens"], t["block"]
    if n <= ROWS:
        edge = "one_tile"
    elif n % block == 0:
        edge = "aligned"
    else:
        edge = "ragged"
    if t.get("jitter"):
        memory = "jitter"
    elif t.get("mem_bw", 64) < 64:
        memory = "bandwidth"
    elif t["latency"] > 5:
        memory = "latency"
    else:
        memory = "fast"
    return {
        "pattern": m["pattern"],
        "causality": "causal" if m["pattern"] == "causal" or m.get("causal") else "full",
        "edge": edge,
        "head_dim": str(t["head_dim"]),
        "block": str(block),
        "pruning": "evict" if t.get("evict") else ("evit" if t.get("keep") else "none"),
        "memory": memory,
        "heads": "one" if t["heads"] == 1 else "several",
        "size": "small" if n <= 64 else ("medium" if n <= 300 else "large"),
    }


def _possible(combo):
    """False for a combination no legal test has."""
    c = dict(combo)
    if c.get("pattern") == "dense" and c.get("causality") == "causal":
        return False
    if c.get("pattern") == "sinks" and c.get("causality") == "causal":
        return False
    if c.get("pattern") == "causal" and c.get("causality") == "full":
        return False
    return not (c.get("pruning") == "evict" and c.get("size") == "large")


def bins():
    """Every bin: (group, bin) with group a coverpoint or cross name ("a x b")."""
    out = [(p, v) for p, vals in POINTS.items() for v in vals]
    for cross in CROSSES:
        for combo in itertools.product(*(POINTS[p] for p in cross)):
            if _possible(zip(cross, combo, strict=True)):
                out.append((" x ".join(cross), "/".join(combo)))
    return out


def hits(t):
    """The bins a test hits."""
    v = point_values(t)
    out = [(p, v[p]) for p in POINTS]
    out += [(" x ".join(c), "/".join(v[p] for p in c)) for c in CROSSES]
    return out


def steer(draw, count, candidates=8):
    """`count` tests from draw(i) (a seeded generator of the i-th test), each the first of
    `candidates` draws that hits the most bins no earlier test hit: the same draws give the
    same list, and the list fills holes before repeating what it has."""
    seen = set()
    tests = []
    for i in range(count):
        best, best_new = None, -1
        for _ in range(candidates):
            t = draw(i)
            new = len(set(hits(t)) - seen)
            if new > best_new:
                best, best_new = t, new
        seen.update(hits(best))
        tests.append(best)
    return tests


def report(tests):
    """Coverage of these tests (those that passed, say): totals, per group, and the holes."""
    all_bins = bins()
    hit = {}
    for t in tests:
        for b in hits(t):
            hit[b] = hit.get(b, 0) + 1
    groups = {}
    for g, b in all_bins:
        s = groups.setdefault(g, {"bins": 0, "hit": 0, "holes": []})
        s["bins"] += 1
        if hit.get((g, b)):
            s["hit"] += 1
        else:
            s["holes"].append(b)
    total = len(all_bins)
    covered = sum(1 for b in all_bins if hit.get(b))
    return {"tests": len(tests), "bins": total, "hit": covered,
            "percent": round(100.0 * covered / total, 1), "groups": groups}


def summary_lines(cov):
    """The markdown section of the regression's summary."""
    lines = ["## Functional coverage", "",
             f"{cov['hit']} of {cov['bins']} bins hit ({cov['percent']}%) by "
             f"{cov['tests']} passed tests (scripts/regression/func_coverage.py, "
             "docs/testplan.md).", "",
             "| group | hit | bins | holes |", "|---|---:|---:|---|"]
    for g, s in cov["groups"].items():
        holes = ", ".join(s["holes"][:8]) + (" ..." if len(s["holes"]) > 8 else "")
        lines.append(f"| {g} | {s['hit']} | {s['bins']} | {holes} |")
    return lines + [""]


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(prog="scripts/regression/func_coverage.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tests", help="a regression's tests.json (or results.json: its passed tests)")
    args = ap.parse_args(argv)
    try:
        with open(args.tests) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        ap.error(f"{args.tests}: cannot read it as JSON ({e})")
    if isinstance(data, dict):
        data = [r["test"] for r in data.get("results", []) if r.get("status") == "passed"]
    print(json.dumps(report(data), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
