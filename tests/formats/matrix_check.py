#!/usr/bin/python3
"""matrix_check.py - do matrix.html and matrix.md show what the reports say?

    matrix_check.py MATRIX.html MATRIX.md REPORT.json...

The reports are the results the matrix was made of (one per mesh). Checked:
  - matrix.html is well-formed XHTML; its first table has a column per SMI
    spec and API version the reports hold (sorted) and a row per mesh, the
    reference mesh first, then the others by name;
  - each row header names the mesh's version and data plane (or says they
    were not recorded);
  - each cell: the capability (FULL all passed, HALF some, NONE none) and
    the counts, what did not pass first ("9 FAIL, 1 INCONCLUSIVE, 2/12
    PASS"); a tested cell links to an element of the page that lists
    exactly that cell's assertions, FAIL first, then INCONCLUSIVE, then PASS;
  - the page says when the results were observed and which program
    versions judged them;
  - matrix.md, rendered by cmark-gfm (GitHub's Markdown library, with the
    extensions GitHub enables), shows the same opening line, rows and cells,
    the FAIL counts included, and lists every assertion that did not pass
    with its reason, each text exactly as the reports have it: a reason or
    name holding Markdown syntax must be escaped, not rendered.
Problems are printed one per line; exit status 0 none, 1 problems, 2 the
check could not run.
"""
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

X = "{http://www.w3.org/1999/xhtml}"
REFERENCE = "reference"
ORDER = {"FAIL": 0, "INCONCLUSIVE": 1, "PASS": 2}


def text(el):
    return " ".join(" ".join(el.itertext()).split())


def expected(reports):
    """Meshes in matrix order, columns, and per (mesh, column) the assertions."""
    meshes = sorted({r["mesh"] for r in reports}, key=lambda m: (m != REFERENCE, m))
    cols = sorted({(a["smispec"], a["specversion"]) for r in reports for a in r["assertions"]})
    cells = {}
    for r in reports:
        for a in r["assertions"]:
            cells.setdefault((r["mesh"], (a["smispec"], a["specversion"])), []).append(a)
    return meshes, cols, cells


def cell_text(asserts):
    n = {v: sum(a["verdict"] == v for a in asserts) for v in ORDER}
    level = "FULL" if n["PASS"] == len(asserts) else "HALF" if n["PASS"] else "NONE"
    counts = "".join("%d %s, " % (n[v], v) for v in ("FAIL", "INCONCLUSIVE") if n[v])
    return level, "%s%d/%d PASS" % (counts, n["PASS"], len(asserts))


def date(iso):
    return "%s %s UTC" % (iso[:10], iso[11:16]) if len(iso) >= 17 and iso[10] == "T" and iso.endswith("Z") else iso


def check_html(path, reports, p):
    meshes, cols, cells = expected(reports)
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        p.append("%s: not well-formed XHTML: %s" % (path, e))
        return
    body = root.find(X + "body")
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    by_id[None] = {child: parent for parent in root.iter() for child in parent}  # parents, for sections
    intro = text(body.find(X + "p"))
    gens = sorted(r["generated"] for r in reports if r["generated"])
    for want in [date(gens[0]), date(gens[-1])] + sorted({r["tool"] for r in reports}):
        if want not in intro:
            p.append("%s: the opening line %r does not say %r" % (path, intro, want))
    table = body.find(X + "table")
    rows = table.findall(X + "tr")
    heads = [text(th) for th in rows[0].findall(X + "th")[1:]]
    want_heads = ["%s %s" % c for c in cols]
    if [h[:len(w)] for h, w in zip(heads, want_heads)] != want_heads or len(heads) != len(want_heads):
        p.append("%s: columns %s, expected %s" % (path, heads, want_heads))
        return
    names = [text(tr.find(X + "th")).split(" ")[0] for tr in rows[1:]]
    if names != meshes:
        p.append("%s: rows %s, expected %s (the reference first, then by name)" % (path, names, meshes))
        return
    for tr, mesh in zip(rows[1:], meshes):
        head = text(tr.find(X + "th"))
        rep = next(r for r in reports if r["mesh"] == mesh)
        for field, label in (("mesh_version", "mesh version"), ("data_plane", "data plane")):
            want = "%s %s" % (label, rep.get(field) or "not recorded")
            if want not in head:
                p.append("%s: row %s: %r does not say %r" % (path, mesh, head, want))
        for td, col in zip(tr.findall(X + "td"), cols):
            check_cell(path, mesh, col, td, cells.get((mesh, col), []), by_id, p)


def check_cell(path, mesh, col, td, asserts, by_id, p):
    where = "%s: cell %s / %s %s" % (path, mesh, col[0], col[1])
    if not asserts:
        if text(td) != "not tested":
            p.append("%s: %r for a cell with no assertion" % (where, text(td)))
        return
    level, counts = cell_text(asserts)
    if td.get("class") != level or text(td) != "%s %s" % (level, counts):
        p.append("%s: %r (class %s), expected %r" % (where, text(td), td.get("class"), "%s %s" % (level, counts)))
    link = td.find(X + "a")
    target = by_id.get((link.get("href") or "#")[1:] or "-") if link is not None else None
    if target is None:
        p.append("%s: no link to its assertions" % where)
        return
    section = following_table(target, by_id)
    ids = [text(tr.findall(X + "td")[1]) for tr in section.findall(X + "tr")[1:]] if section is not None else []
    want = [a["id"] for a in sorted(asserts, key=lambda a: ORDER[a["verdict"]])]
    verdicts = {a["id"]: a["verdict"] for a in asserts}
    if sorted(ids) != sorted(want):
        p.append("%s: its section lists %d assertion(s), the reports have %d" % (where, len(ids), len(want)))
    elif [ORDER[verdicts[i]] for i in ids] != sorted(ORDER[a["verdict"]] for a in asserts):
        p.append("%s: its section does not list FAIL, then INCONCLUSIVE, then PASS: %s" % (where, ids))


def following_table(heading, by_id):
    """The table right after the element the cell links to (its section)."""
    parent = by_id[None].get(heading)
    if parent is None:
        return None
    kids = list(parent)
    for el in kids[kids.index(heading) + 1:]:
        if el.tag == X + "table":
            return el
    return None


def render_markdown(path, p):
    """matrix.md as GitHub renders it: cmark-gfm (GitHub's own Markdown library) with tables,
    raw HTML left out as GitHub leaves it out. Returns the element tree, or None."""
    try:
        with open(path, encoding="utf-8") as f:
            src = f.read()
    except OSError as e:
        p.append("%s: cannot read: %s" % (path, e))
        return None
    try:
        out = subprocess.run(["cmark-gfm", "--extension", "table", "--extension", "strikethrough",
                              "--extension", "autolink", "--extension", "tagfilter"], input=src,
                             capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        print("error: cmark-gfm not found (Debian package cmark-gfm)", file=sys.stderr)
        sys.exit(2)
    except subprocess.CalledProcessError as e:
        p.append("%s: cmark-gfm failed: %s" % (path, e.stderr.strip()))
        return None
    try:
        return ET.fromstring("<body>%s</body>" % out)
    except ET.ParseError as e:
        p.append("%s: cmark-gfm's rendering is not well-formed (%s): %s" % (path, e, out[:200]))
        return None


def md_rows(table):
    """The rows of a rendered table as lists of cell texts, the header row first."""
    # a cell's text as one string: GitHub turns URLs into links, which must not split it
    return [[" ".join("".join(c.itertext()).split()) for c in tr if c.tag in ("th", "td")]
            for tr in table.iter("tr")]


def check_markdown(path, reports, p):
    """matrix.md as rendered: the opening line, the matrix with its FAIL counts and the list of
    what did not pass, each text exactly as the reports have it (Markdown syntax escaped)."""
    meshes, cols, cells = expected(reports)
    body = render_markdown(path, p)
    if body is None:
        return
    if body.find("p") is None or len(body.findall("table")) < 1:
        p.append("%s: renders without an opening line or a matrix table" % path)
        return
    intro = " ".join("".join(body.find("p").itertext()).split())
    gens = sorted(r["generated"] for r in reports if r["generated"])
    for want in [date(gens[0]), date(gens[-1])] + sorted({r["tool"] for r in reports}):
        if want not in intro:
            p.append("%s: the opening line %r does not say %r" % (path, intro, want))
    tables = body.findall("table")
    rows = md_rows(tables[0])
    want_head = ["mesh", "mesh version", "data plane"] + ["%s %s" % c for c in cols]
    if rows[0] != want_head:
        p.append("%s: the matrix renders with columns %s, expected %s" % (path, rows[0], want_head))
        return
    if [r[0] for r in rows[1:]] != meshes:
        p.append("%s: rows %s, expected %s (the reference first, then by name)"
                 % (path, [r[0] for r in rows[1:]], meshes))
        return
    for row, mesh in zip(rows[1:], meshes):
        rep = next(r for r in reports if r["mesh"] == mesh)
        want = [mesh, rep.get("mesh_version") or "\u2014", rep.get("data_plane") or "\u2014"]
        for col in cols:
            asserts = cells.get((mesh, col), [])
            want.append("%s (%s)" % cell_text(asserts) if asserts else "\u2014")
        for got, exp, head in zip(row, want, want_head):
            if got != " ".join(exp.split()):
                p.append("%s: row %s, column %s renders as %r, expected %r" % (path, mesh, head, got, exp))
    want = [[m, a["id"], a["verdict"], " ".join(a["reason"].split())]
            for m in meshes for v in ("FAIL", "INCONCLUSIVE") for r in reports if r["mesh"] == m
            for a in r["assertions"] if a["verdict"] == v]
    got = md_rows(tables[1])[1:] if len(tables) > 1 else []
    if len(got) != len(want):
        p.append("%s: %d assertion(s) listed as not passed, the reports have %d" % (path, len(got), len(want)))
    for g, w in zip(got, want):
        if g != w:
            p.append("%s: the list of what did not pass renders %r where the reports say %r" % (path, g, w))
            break


def main():
    if len(sys.argv) < 4:
        print("usage: matrix_check.py MATRIX.html MATRIX.md REPORT.json...", file=sys.stderr)
        return 2
    try:
        reports = []
        for path in sys.argv[3:]:
            with open(path, encoding="utf-8") as f:
                reports.append(json.load(f))
    except (OSError, ValueError) as e:
        print("error: cannot read input: %s" % e, file=sys.stderr)
        return 2
    p = []
    check_html(sys.argv[1], reports, p)
    check_markdown(sys.argv[2], reports, p)
    for line in p:
        print(line)
    print("matrix: %d mesh(es), %d problem(s)" % (len({r["mesh"] for r in reports}), len(p)))
    return 1 if p else 0


if __name__ == "__main__":
    sys.exit(main())
