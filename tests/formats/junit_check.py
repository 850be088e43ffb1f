#!/usr/bin/python3
"""junit_check.py - does a CI reader see in junit.xml what the run found?

    junit_check.py [--report REPORT.json] JUNIT.xml
    junit_check.py --aggregate JUNIT.xml JUNIT.xml...

The files are read with junitparser (Debian's python3-junitparser), the parser
behind a widely used CI step that publishes JUnit results; what it reads is
then compared with what a reader needs:
  - the counts it shows (each suite's and the total tests, failures, errors,
    skipped) are the counts of the test cases the file holds;
  - every suite name carries the mesh, so that results of several meshes can
    be published side by side;
  - a failure or error has a message, and its body is text a person reads:
    the reason on the first line, then evidence lines, not a JSON document;
  - with --report (report.json of the same run): the suites are the report's
    scenarios and the test cases its assertions, in order, with the same
    outcome (PASS: none, FAIL: failure, INCONCLUSIVE: error) and reason; a
    test case's time is its step's duration: the same for every test case of
    one step, no shorter than the step's traffic window in report.json, and
    equal to the step's elapsed time where the report has it; a suite's
    time, its scenario's, is no shorter than all its steps together and
    equal to the scenario's elapsed time where the report has it.
With --aggregate, the files are merged as a CI job that collects several
meshes' reports would merge them: no suite name and no (classname, name) pair
may occur twice, since readers merge equal suites and equal test cases.

Problems are printed as "FILE: WHERE: problem"; one problem shared by several
test cases or suites is printed once with their number and the first of them.
Exit status: 0 no problem, 1 problems found, 2 the check could not run.
"""
import argparse
import json
import sys

try:
    from junitparser import JUnitXml, Failure, Error, Skipped
except ImportError as e:
    print("error: %s (Debian package python3-junitparser; run with /usr/bin/python3)" % e, file=sys.stderr)
    sys.exit(2)

TIME_SLACK = 0.0005  # times are written with three decimals


class Problems:
    """Collects (where-kind, index, problem, example) and prints them folded."""

    def __init__(self, fname):
        self.fname, self.items, self.order = fname, {}, []

    def add(self, kind, index, why, example=None):
        key = (kind, why)
        if key not in self.items:
            self.items[key] = []
            self.order.append(key)
        self.items[key].append((index, example))

    def flush(self, totals):
        """Prints every problem; returns how many distinct ones there were."""
        for kind, why in self.order:
            hits = self.items[(kind, why)]
            index, example = hits[0]
            if index is None:
                where = kind
            elif len(hits) == 1:
                where = "%s[%d]" % (kind, index)
            else:
                where = "%s[*] (%d of %d, first %s[%d])" % (kind, len(hits), totals.get(kind, 0), kind, index)
            tail = "" if example is None else ": %s" % example
            print("%s: %s: %s%s" % (self.fname, where, why, tail))
        return len(self.order)


def outcome(case):
    """Returns 'failure', 'error', 'skipped' or None for a test case, as the reader sees it."""
    kinds = [r for r in case.result if isinstance(r, (Failure, Error, Skipped))]
    for cls, name in ((Failure, "failure"), (Error, "error"), (Skipped, "skipped")):
        if any(isinstance(r, cls) for r in kinds):
            return name
    return None


def load(path):
    """Parses a JUnit file; returns (suites, cases per suite) or exits 2 when unreadable."""
    try:
        xml = JUnitXml.fromfile(path)
    except Exception as e:  # junitparser raises lxml/ElementTree errors of several kinds
        print("error: cannot read '%s': %s" % (path, e), file=sys.stderr)
        sys.exit(2)
    suites = [xml] if xml._tag == "testsuite" else list(xml)
    return xml, suites, [list(s) for s in suites]


def check_counts(p, xml, suites, cases):
    """The counts a reader shows are those of the cases the file holds."""
    total = {"tests": 0, "failures": 0, "errors": 0}
    for i, (s, cs) in enumerate(zip(suites, cases)):
        got = {"tests": len(cs),
               "failures": sum(outcome(c) == "failure" for c in cs),
               "errors": sum(outcome(c) == "error" for c in cs),
               "skipped": sum(outcome(c) == "skipped" for c in cs)}
        for attr, n in got.items():
            if s._elem.get(attr) is None:  # absent: junit.xsd decides whether it may be
                continue
            shown = getattr(s, attr)
            if shown != n:
                p.add("testsuite", i, "%s=%s but the suite holds %d such test case(s)" % (attr, shown, n))
        for attr in total:
            total[attr] += got[attr]
    if xml._tag == "testsuites":
        for attr, n in total.items():
            if xml._elem.get(attr) is not None and getattr(xml, attr) != n:
                p.add("testsuites", None, "%s=%s but the suites hold %d" % (attr, getattr(xml, attr), n))


def check_bodies(p, cases):
    """A failure or error has a message and a readable body: reason first, then evidence lines."""
    k = 0
    for cs in cases:
        for c in cs:
            for r in c.result:
                if not isinstance(r, (Failure, Error)):
                    continue
                tag = r._tag
                if not r.message:
                    p.add("testcase", k, "%s without a message" % tag)
                body = (r.text or "").strip()
                lines = [ln for ln in body.splitlines() if ln.strip()]
                try:
                    json.loads(body)
                    p.add("testcase", k, "%s body is a JSON document, not text a person reads" % tag,
                          body[:60] + "...")
                    continue
                except ValueError:
                    pass
                if not lines:
                    p.add("testcase", k, "%s with an empty body (no evidence)" % tag)
                    continue
                if r.message and lines[0].strip() != r.message.strip():
                    p.add("testcase", k, "%s body does not begin with the reason (its message)" % tag,
                          repr(lines[0][:60]))
                if len(lines) < 2:
                    p.add("testcase", k, "%s body has the reason but no evidence line" % tag)
            k += 1


def step_spans(report, key):
    """Maps (scenario, step index) to the duration of the step's span `key` (window, elapsed), where there is one."""
    out = {}
    for sc in report.get("scenarios", []):
        for st in sc.get("steps", []):
            w = st.get(key) or {}
            if isinstance(w.get("duration_s"), (int, float)):
                out[(sc["name"], st["index"])] = float(w["duration_s"])
    return out


def scenario_elapsed(report):
    """Maps a scenario name to its elapsed duration, where the report has one."""
    return {sc["name"]: float(sc["elapsed"]["duration_s"]) for sc in report.get("scenarios", [])
            if isinstance((sc.get("elapsed") or {}).get("duration_s"), (int, float))}


def check_against_report(p, suites, cases, report):
    """Suites are the report's scenarios, cases its assertions, with outcome, reason and times."""
    mesh = report.get("mesh", "")
    order, by_scenario = [], {}
    for a in report.get("assertions", []):
        if a["scenario"] not in by_scenario:
            order.append(a["scenario"])
            by_scenario[a["scenario"]] = []
        by_scenario[a["scenario"]].append(a)
    if len(suites) != len(order):
        p.add("testsuites", None, "%d suite(s) for the report's %d scenario(s)" % (len(suites), len(order)))
        return
    windows, elapsed, sc_elapsed = step_spans(report, "window"), step_spans(report, "elapsed"), scenario_elapsed(report)
    want_outcome = {"PASS": None, "FAIL": "failure", "INCONCLUSIVE": "error"}
    k = 0
    for i, (s, cs, name) in enumerate(zip(suites, cases, order)):
        if mesh not in (s.name or ""):
            p.add("testsuite", i, "name does not carry the mesh %r" % mesh, repr(s.name))
        if name not in (s.name or ""):
            p.add("testsuite", i, "name does not carry its scenario", "%r for scenario %r" % (s.name, name))
        asserts = by_scenario[name]
        if len(cs) != len(asserts):
            p.add("testsuite", i, "%d test case(s) for the scenario's %d assertion(s)" % (len(cs), len(asserts)))
            k += len(cs)
            continue
        step_time = {}  # step index -> the time its first test case gives
        for c, a in zip(cs, asserts):
            got, want = outcome(c), want_outcome.get(a["verdict"])
            if got != want:
                p.add("testcase", k, "outcome %s where the verdict is %s" % (got or "passed", a["verdict"]), a["id"])
            for r in c.result:
                if isinstance(r, (Failure, Error)) and (r.message or "").strip() != a["reason"].strip():
                    p.add("testcase", k, "message is not the assertion's reason", a["id"])
            st = a["step_index"]
            if c.time is None:
                p.add("testcase", k, "no time", a["id"])
            elif st not in step_time:
                step_time[st] = c.time
            elif abs(c.time - step_time[st]) > TIME_SLACK:
                p.add("testcase", k, "time differs from that of another test case of the same step",
                      "%s s vs %s s (%s)" % (c.time, step_time[st], a["id"]))
            w = windows.get((name, st))
            if w is not None and c.time is not None and c.time + TIME_SLACK < w:
                p.add("testcase", k, "time is shorter than its step's traffic window",
                      "%s s < %.3f s (%s)" % (c.time, w, a["id"]))
            e = elapsed.get((name, st))
            if e is not None and c.time is not None and abs(c.time - e) > TIME_SLACK:
                p.add("testcase", k, "time is not its step's elapsed time",
                      "%s s vs %.3f s (%s)" % (c.time, e, a["id"]))
            k += 1
        steps = sorted({a["step_index"] for a in asserts})
        known = [windows[(name, st)] for st in steps if (name, st) in windows]
        floor = max(sum(known), sum(step_time.values()))
        if s.time is not None and s.time + TIME_SLACK * len(steps) < floor:
            p.add("testsuite", i, "time is shorter than its steps together", "%.3f s < %.3f s" % (s.time, floor))
        if s.time is not None and name in sc_elapsed and abs(s.time - sc_elapsed[name]) > TIME_SLACK:
            p.add("testsuite", i, "time is not its scenario's elapsed time",
                  "%.3f s vs %.3f s" % (s.time, sc_elapsed[name]))


def check_one(path, report_path):
    p = Problems(path)
    xml, suites, cases = load(path)
    if xml._tag != "testsuites":
        p.add("(document)", None, "root element is <%s>, not <testsuites>" % xml._tag)
    check_counts(p, xml, suites, cases)
    check_bodies(p, cases)
    if report_path:
        try:
            with open(report_path, encoding="utf-8") as f:
                report = json.load(f)
        except (OSError, ValueError) as e:
            print("error: cannot read '%s': %s" % (report_path, e), file=sys.stderr)
            return 2
        check_against_report(p, suites, cases, report)
    else:  # without a report, the mesh comes from the suites' own "mesh" property
        for i, s in enumerate(suites):
            mesh = next((pr.value for pr in s.properties() if pr.name == "mesh"), None)
            if not mesh:
                p.add("testsuite", i, "no mesh property to tell which mesh it judged")
            elif mesh not in (s.name or ""):
                p.add("testsuite", i, "name does not carry the mesh %r" % mesh, repr(s.name))
    n = p.flush({"testsuite": len(suites), "testcase": sum(len(cs) for cs in cases)})
    if n:
        print("%s: %d problem(s)" % (path, n))
    return 1 if n else 0


def check_aggregate(paths):
    """Merged as a CI job merges them, no two suites and no two test cases may share a name."""
    p = Problems("merged %s" % ", ".join(paths))
    suites_at, cases_at = {}, {}
    for path in paths:
        _, suites, cases = load(path)
        for s, cs in zip(suites, cases):
            suites_at.setdefault(s.name, []).append(path)
            for c in cs:
                cases_at.setdefault((c.classname, c.name), []).append(path)
    for what, seen in (("testsuite", suites_at), ("testcase", cases_at)):
        dup = {k: v for k, v in seen.items() if len(v) > 1}
        if dup:
            first = next(iter(dup))
            p.add(what, None, "%d of %d %s occur more than once, so readers merge or overwrite those results"
                  % (len(dup), len(seen), "suite names" if what == "testsuite" else "(classname, name) pairs"),
                  "first %r in %s" % (first, ", ".join(dup[first])))
    n = p.flush({})
    if n:
        print("%s: %d problem(s)" % (p.fname, n))
    return 1 if n else 0


def main():
    ap = argparse.ArgumentParser(description="What a CI JUnit reader sees in junit.xml.")
    ap.add_argument("--report", help="report.json of the same run, for the cross-check")
    ap.add_argument("--aggregate", action="store_true", help="check that the files merge without collisions")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    if args.aggregate:
        if args.report or len(args.files) < 2:
            ap.error("--aggregate takes two or more files and no --report")
        return check_aggregate(args.files)
    if len(args.files) != 1:
        ap.error("one file at a time, or --aggregate")
    return check_one(args.files[0], args.report)


if __name__ == "__main__":
    sys.exit(main())
