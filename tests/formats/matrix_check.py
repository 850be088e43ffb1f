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
  - matrix.md has the same rows and cells, the FAIL counts included, and
    lists every assertion that did not pass.
Problems are printed one per line; exit status 0 none, 1 problems, 2 the
check could not run.
"""
import json
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


def check_markdown(path, reports, p):
    meshes, cols, cells = expected(reports)
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        p.append("%s: cannot read: %s" % (path, e))
        return
    end = next((i for i, ln in enumerate(lines) if ln.startswith("## ")), len(lines))
    matrix = [ln for ln in lines[:end] if ln.startswith("| ") and ln.split("|")[1].strip() in meshes]
    rows = {ln.split("|")[1].strip(): [c.strip() for c in ln.strip().strip("|").split("|")] for ln in matrix}
    order = [ln.split("|")[1].strip() for ln in matrix]
    if order[:len(meshes)] != meshes:
        p.append("%s: rows %s, expected %s" % (path, order[:len(meshes)], meshes))
    for mesh in meshes:
        row = rows.get(mesh)
        if not row or len(row) != 3 + len(cols):
            p.append("%s: no matrix row for %s" % (path, mesh))
            continue
        for cell, col in zip(row[3:], cols):
            asserts = cells.get((mesh, col), [])
            want = "%s (%s)" % cell_text(asserts) if asserts else "—"
            if cell != want:
                p.append("%s: cell %s / %s %s is %r, expected %r" % (path, mesh, col[0], col[1], cell, want))
    listed = {(ln.split("|")[1].strip(), ln.split("|")[2].strip()) for ln in lines[end:] if ln.count("|") >= 5}
    for r in reports:
        for a in r["assertions"]:
            if a["verdict"] != "PASS" and (r["mesh"], a["id"]) not in listed:
                p.append("%s: %s %s (%s) is not in the list of assertions that did not pass"
                         % (path, r["mesh"], a["id"], a["verdict"]))


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
