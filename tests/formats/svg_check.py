#!/usr/bin/python3
"""svg_check.py - do a mesh's split charts show what its report.json says?

    svg_check.py REPORT.json CHARTS_DIR

For every split assertion with backends in the report there must be
CHARTS_DIR/MESH_ID.svg (the id with '/' as '_'), well-formed SVG, and:
  - its <title> and heading name the mesh and the assertion;
  - its bars are shares of one denominator, the requests delivered to any
    workload: one bar per backend (observed as report.json counts it) and
    one for requests served outside the split when there were any, each
    caption "k of DELIVERED", the bars' widths adding up to the whole axis;
  - each bar's colour follows its own interval: green when the interval in
    its caption holds the expected share, red when it does not (a bound
    within rounding of the expected share is not judged);
  - no chart for anything else.
Problems are printed as "FILE: problem"; exit status 0 none, 1 problems,
2 the check could not run.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
GREEN, RED = "#2e7d32", "#c62828"
PLOT = 480.0  # the chart's 0..100% axis, in its own units
CAPTION = re.compile(r"^observed ([0-9.]+)% \[([0-9.]+), ([0-9.]+)\], ([0-9]+) of ([0-9]+); expected ([0-9.]+)%$")


def chart_name(mesh, aid):
    return "%s%s%s.svg" % (mesh, "_" if mesh else "", aid.replace("/", "_"))


def check_chart(path, mesh, a, problems):
    ev = a["evidence"]
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        problems.append("%s: not well-formed SVG: %s" % (path, e))
        return
    title = root.findtext(SVG + "title") or ""
    want = "%s: %s" % (mesh, a["id"]) if mesh else a["id"]
    if not title.startswith(want + ":"):
        problems.append("%s: title %r does not name the mesh and assertion (%r)" % (path, title, want))
    texts = [t for t in root.iter(SVG + "text")]
    if not any("".join(t.itertext()) == want for t in texts):
        problems.append("%s: no heading %r" % (path, want))
    delivered = ev.get("delivered", 0)
    outside = (ev.get("elsewhere") or {}).get("total", 0)
    want_bars = [(b["service"], b["observed"], b["expected"]) for b in ev["backends"]]
    if outside:
        want_bars.append(("outside the split", outside, 0.0))
    captions = [(t, CAPTION.match("".join(t.itertext()))) for t in texts]
    captions = [(t, m) for t, m in captions if m]
    bars = [r for r in root.iter(SVG + "rect") if r.get("fill") in (GREEN, RED)]
    if delivered == 0:
        if bars:
            problems.append("%s: bars drawn although no request was delivered" % path)
        return
    if len(captions) != len(want_bars) or len(bars) != len(want_bars):
        problems.append("%s: %d bar(s) and %d caption(s) for %d backend(s)%s" % (
            path, len(bars), len(captions), len(ev["backends"]), " and requests outside the split" if outside else ""))
        return
    width = sum(float(r.get("width")) for r in bars)
    if abs(width - PLOT) > 0.05 * len(bars):
        problems.append("%s: bars add up to %.1f%% of the axis, not 100%%: not shares of one denominator"
                        % (path, 100 * width / PLOT))
    for (name, observed, expected), (t, m), r in zip(want_bars, captions, bars):
        share, lo, hi, k, n, exp = (float(m.group(i)) for i in range(1, 7))
        if int(k) != observed or int(n) != delivered:
            problems.append("%s: %s: caption says %d of %d, report.json %d of the %d delivered"
                            % (path, name, int(k), int(n), observed, delivered))
        if abs(exp - 100 * expected) > 0.05 + 1e-9:
            problems.append("%s: %s: expected %.1f%% in the caption, %.4f in report.json" % (path, name, exp, expected))
        if abs(share - 100.0 * observed / delivered) > 0.05 + 1e-9:
            problems.append("%s: %s: share %.1f%% is not %d of %d" % (path, name, share, observed, delivered))
        if min(abs(exp - lo), abs(exp - hi)) < 0.1:
            continue  # within rounding of a bound: the caption cannot tell
        want_fill = GREEN if lo <= exp <= hi else RED
        for el, what in ((r, "bar"), (t, "caption")):
            if el.get("fill") != want_fill:
                problems.append("%s: %s: %s is %s, but [%s, %s] %s the expected %s%%" % (
                    path, name, what, el.get("fill"), m.group(2), m.group(3),
                    "holds" if want_fill == GREEN else "misses", m.group(6)))


def main():
    if len(sys.argv) != 3:
        print("usage: svg_check.py REPORT.json CHARTS_DIR", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            report = json.load(f)
        present = set(os.listdir(sys.argv[2]))
    except (OSError, ValueError) as e:
        print("error: cannot read input: %s" % e, file=sys.stderr)
        return 2
    mesh, problems, expected = report.get("mesh", ""), [], set()
    for a in report.get("assertions", []):
        if a["kind"] != "split" or not a["evidence"].get("backends"):
            continue
        name = chart_name(mesh, a["id"])
        expected.add(name)
        if name not in present:
            problems.append("%s: missing (split assertion %s)" % (os.path.join(sys.argv[2], name), a["id"]))
            continue
        check_chart(os.path.join(sys.argv[2], name), mesh, a, problems)
    for name in sorted(present - expected):
        problems.append("%s: a chart of no split assertion in the report" % os.path.join(sys.argv[2], name))
    for p in problems:
        print(p)
    print("charts: %d checked, %d problem(s)" % (len(expected), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
