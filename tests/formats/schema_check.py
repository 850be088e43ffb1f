#!/usr/bin/python3
"""schema_check.py - do real report.json files hold what docs/report-schema.md says?

    schema_check.py SCHEMA.md REPORT.json...

The schema document describes report.json in Markdown tables whose header
names what they describe:

    | field of `scenarios[].steps[]` | type | meaning |      fields below a path
    | field of `assertions[].evidence` (kind `split`) | ... | only for that kind
    | field of a span | type | meaning |                      a named structure

Each row gives a field path (`[]` an array element, `*` a map key is not
written: `map of T` says it) and a type: string, integer, number, boolean,
null, object, `array of T`, `map of T`, the name of a structure, or
alternatives joined by " or ". Every report is walked against these tables:

  - a field a report holds that no table documents is a problem;
  - a value whose JSON type is not the documented one is a problem;
  - a type naming a structure no table defines is a problem of the document.

Fields the document lists that no report holds are printed for information
(rare conditions leave many out of any one run); they are not problems.
Problems are printed once per documented field, with how many values have
it and the first one ("FILE: PATH"). Exit status: 0 no problem, 1 problems,
2 the check could not run.
"""
import json
import re
import sys

BASE = {"string", "integer", "number", "boolean", "null", "object"}
HEADER = re.compile(r"^field of (?:`([^`]+)`(?: \(kind `([^`]+)`\))?|an? (.+))$")


class Schema:
    """The tables of the document: rows keyed by (scope, kind, path)."""

    def __init__(self, path):
        self.rows, self.types, self.problems, self.seen = {}, set(), [], set()
        self.parse(path)

    def parse(self, path):
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        scope = None
        for n, line in enumerate(lines, 1):
            cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
            if cells is None:
                scope = None
                continue
            m = HEADER.match(cells[0])
            if m:
                if m.group(3):
                    scope = ("type:" + m.group(3), None, "")
                    self.types.add(m.group(3))
                else:
                    root = "" if m.group(1) == "report.json" else m.group(1)
                    scope = ("report", m.group(2), root)
                continue
            if scope is None or set(cells[0]) <= set("-: ") or len(cells) < 2:
                continue
            field = cells[0].strip("`")
            full = field if not scope[2] else scope[2] + "." + field
            key = (scope[0], scope[1], full)
            if key in self.rows:
                self.problems.append("%s:%d: `%s` documented twice" % (path, n, field))
            self.rows[key] = (self.parse_type(cells[1].replace("`", "")), n)
        for key, (alts, n) in self.rows.items():
            for alt in alts:
                inner = alt.split(" of ", 1)[1] if alt.startswith(("array of ", "map of ")) else alt
                if inner not in BASE and inner not in self.types:
                    self.problems.append("%s:%d: `%s`: type '%s' is no JSON type and no structure a table "
                                         "defines" % (path, n, key[2], inner))

    @staticmethod
    def parse_type(text):
        return [t.strip() for t in text.split(" or ")]

    def lookup(self, scope, kind, path):
        """Returns (alternatives, key) of a documented field, or (None, None)."""
        for k in ((scope, kind, path), (scope, None, path)):
            if k in self.rows:
                return self.rows[k][0], k
        return None, None


def json_type(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    return {str: "string", dict: "object", list: "array", type(None): "null"}[type(v)]


def below(at, key):
    """The concrete path of member key below at ("FILE: " at the top)."""
    return at + key if at.endswith(": ") else at + "." + key


def fits(value, alt):
    t = json_type(value)
    if alt.startswith("array of "):
        return t == "array"
    if alt.startswith("map of ") or alt not in BASE:
        return t == "object"
    return t == alt or (alt == "number" and t == "integer")


class Walker:
    def __init__(self, schema):
        self.s, self.problems, self.order = schema, {}, []

    def problem(self, where, why, example):
        key = (where, why)
        if key not in self.problems:
            self.problems[key] = []
            self.order.append(key)
        self.problems[key].append(example)

    def walk(self, value, alts, scope, kind, path, at):
        """Checks value against the documented alternatives, then what it holds."""
        alt = next((a for a in alts if fits(value, a)), None)
        shown = path + (" (kind %s)" % kind if kind and scope == "report" else "")
        if scope != "report":
            shown = "%s: %s" % (scope[5:], path)
        if alt is None:
            self.problem(shown, "documented as %s, is a JSON %s" % (" or ".join(alts), json_type(value)),
                         "%s = %s" % (at, json.dumps(value)[:60]))
            return
        if alt.startswith("array of "):
            inner = alt[len("array of "):]
            for i, v in enumerate(value):
                self.walk(v, [inner], scope, kind, path + "[]", "%s[%d]" % (at, i))
        elif alt.startswith("map of "):
            inner = alt[len("map of "):]
            for k, v in value.items():
                self.walk(v, [inner], scope, kind, path + ".*", below(at, k))
        elif alt == "object":
            self.members(value, scope, kind, path, at)
        elif alt not in BASE:
            self.members(value, "type:" + alt, None, "", at)

    def members(self, obj, scope, kind, path, at):
        if path == "assertions[]" and scope == "report" and isinstance(obj.get("kind"), str):
            kind = obj["kind"]
        for k, v in obj.items():
            child = k if not path else path + "." + k
            alts, key = self.s.lookup(scope, kind, child)
            if alts is None:
                where = child if scope == "report" else "%s: %s" % (scope[5:], child)
                if kind and scope == "report" and child.startswith("assertions[].evidence"):
                    where += " (kind %s)" % kind
                self.problem(where, "not documented in the schema", below(at, k))
                continue
            self.s.seen.add(key)
            self.walk(v, alts, scope, kind, child, below(at, k))

    def flush(self):
        for where, why in self.order:
            ex = self.problems[(where, why)]
            more = " (%d values, first %s)" % (len(ex), ex[0]) if len(ex) > 1 else " (%s)" % ex[0]
            print("%s: %s%s" % (where, why, more))
        return len(self.order)


def main():
    if len(sys.argv) < 3:
        print("usage: schema_check.py SCHEMA.md REPORT.json...", file=sys.stderr)
        return 2
    try:
        schema = Schema(sys.argv[1])
        docs = []
        for path in sys.argv[2:]:
            with open(path, encoding="utf-8") as f:
                docs.append((path, json.load(f)))
    except (OSError, ValueError) as e:
        print("error: cannot read input: %s" % e, file=sys.stderr)
        return 2
    for p in schema.problems:
        print(p)
    w = Walker(schema)
    for path, doc in docs:
        if not isinstance(doc, dict):
            w.problem("(document)", "not a JSON object", path)
            continue
        w.members(doc, "report", None, "", path + ": ")
    n = w.flush() + len(schema.problems)
    unseen = sorted("%s%s" % (k[2] if k[0] == "report" else k[0][5:] + ": " + k[2],
                              " (kind %s)" % k[1] if k[1] else "")
                    for k in schema.rows if k not in schema.seen)
    print("schema: %d report(s), %d documented field(s), %d seen, %d problem(s)"
          % (len(docs), len(schema.rows), len(schema.seen), n))
    if unseen:
        print("documented, in none of these reports: %s" % ", ".join(unseen))
    return 1 if n else 0


if __name__ == "__main__":
    sys.exit(main())
