"""Reports of scripts/regression/regress: results.json, the JUnit XML that Jenkins and GitLab read
(testsuites > testsuite > testcase with failure, or skipped for a test an interrupt kept from
running, properties and system-out; the seed and the reproduce command in properties, the log
in system-out), and a markdown summary. A result's status is "passed", "failed" or "not_run"
("passed" the boolean stays for older readers). Every file is
written whole or not at all (a temporary file renamed into place), so a full disk or an
unwritable directory leaves the previous report and every finished test's result.json intact.
"""
import json
import os
import socket
import sys
import time
import xml.etree.ElementTree as ET

import func_coverage


def _atomic(path, text):
    tmp = path + ".tmp"
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.remove(tmp)
        except OSError:
            pass
        print(f"regress: {path}: cannot write it ({e.strerror}); the tests' own results stay "
              f"in their directories", file=sys.stderr)
        raise SystemExit(1) from None


def write_json(path, obj):
    _atomic(path, json.dumps(obj, indent=1) + "\n")


def _describe(t):
    m = t["mask"]
    mask = m["pattern"] + (f" d={m['density']}" if "density" in m else "") + \
        (f" stride={m['stride']}" if "stride" in m else "") + (" causal" if m.get("causal") else "")
    return (f"N={t['tokens']} H={t['heads']} d={t['head_dim']} B={t['block']} {mask}"
            f"{' keep=' + str(t['keep']) if t.get('keep') else ''} L={t['latency']}"
            f"{' bw=' + str(t['mem_bw']) if t.get('mem_bw', 64) != 64 else ''}"
            f"{' jitter' if t.get('jitter') else ''}")


def status(r):
    return r.get("status") or ("passed" if r["passed"] else "failed")


def count(results, st):
    return sum(status(r) == st for r in results)


def junit(results, wall, sim):
    failures = str(count(results, "failed"))
    suites = ET.Element("testsuites", name="attnkit regression", tests=str(len(results)),
                        failures=failures, errors="0", time=f"{wall:.3f}")
    suite = ET.SubElement(suites, "testsuite", name=f"attnkit.regress.{sim}",
                          tests=str(len(results)), failures=failures, errors="0",
                          skipped=str(count(results, "not_run")),
                          time=f"{sum(r['seconds'] for r in results):.3f}",
                          timestamp=time.strftime("%Y-%m-%dT%H:%M:%S"),
                          hostname=socket.gethostname())
    for r in results:
        t = r["test"]
        case = ET.SubElement(suite, "testcase", classname=f"attnkit.regress.{sim}",
                             name=f"{r['id']} {_describe(t)}", time=f"{r['seconds']:.3f}")
        props = ET.SubElement(case, "properties")
        for k, v in (("seed", t["seed"]), ("reproduce", r["reproduce"]),
                     ("cycles", r.get("cycles")), ("predicted_cycles", r.get("predicted_cycles")),
                     ("wave", r.get("wave"))):
            if v is not None:
                ET.SubElement(props, "property", name=k, value=str(v))
        if status(r) == "not_run":
            ET.SubElement(case, "skipped", message="interrupted", type="not_run").text = \
                r["message"]
        elif status(r) == "failed":
            f = ET.SubElement(case, "failure", message=r["message"] or "failed", type="failure")
            f.text = r["message"]
        out = ET.SubElement(case, "system-out")
        try:
            with open(r["log"]) as lf:
                log = lf.read()
        except (OSError, TypeError):
            log = "(no log: not started)" if status(r) == "not_run" else "(log missing)"
        out.text = f"reproduce: {r['reproduce']}\nconfig: {json.dumps(t)}\n{log[-20000:]}"
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def summary(results, wall, sim, jobs):
    passed, failed, skipped = (count(results, s) for s in ("passed", "failed", "not_run"))
    lines = [f"# Regression: {passed} passed, {failed} failed"
             f"{f', {skipped} not run (interrupted)' if skipped else ''}", "",
             f"{len(results)} tests on {sim}, -j {jobs}, {wall:.1f} s wall "
             f"({sum(r['seconds'] for r in results):.1f} s of test time).", ""]
    failed = [r for r in results if status(r) == "failed"]
    if failed:
        lines += ["## Failures", "", "| test | configuration | message | reproduce |",
                  "|---|---|---|---|"]
        for r in failed:
            lines.append(f"| {r['id']} | {_describe(r['test'])} | {r['message']} | "
                         f"`{r['reproduce']}` |")
        lines.append("")
    if skipped:
        lines += [f"{skipped} tests not run (interrupted): "
                  f"{', '.join(r['id'] for r in results if status(r) == 'not_run')}; "
                  "`--resume` runs them, `--rerun-failed` them and the failures.", ""]
    by = {}
    for r in results:
        p = r["test"]["mask"]["pattern"]
        b = by.setdefault(p, [0, 0, 0])
        b[0] += status(r) == "passed"
        b[1] += status(r) == "not_run"
        b[2] += 1
    lines += ["## By mask pattern", "", "| pattern | passed | not run | tests |",
              "|---|---:|---:|---:|"]
    lines += [f"| {p} | {v[0]} | {v[1]} | {v[2]} |" for p, v in sorted(by.items())]
    lines += [""] + func_coverage.summary_lines(passed_coverage(results))
    return "\n".join(lines) + "\n"


def passed_coverage(results):
    """Functional coverage of the tests that passed (a failed test verified nothing)."""
    return func_coverage.report([r["test"] for r in results if status(r) == "passed"])


def write_all(out, results, wall, source, sim, jobs):
    """source: the options that make the test list (--seed S --count N, or --tests FILE)."""
    results = sorted(results, key=lambda r: r["id"])
    write_json(os.path.join(out, "results.json"),
               {"sim": sim, "jobs": jobs, "wall_seconds": round(wall, 3), "source": source,
                "passed": count(results, "passed"), "failed": count(results, "failed"),
                "not_run": count(results, "not_run"),
                "functional_coverage": passed_coverage(results), "results": results})
    _atomic(os.path.join(out, "junit.xml"), junit(results, wall, sim))
    _atomic(os.path.join(out, "summary.md"), summary(results, wall, sim, jobs))
