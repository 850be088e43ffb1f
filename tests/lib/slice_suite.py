#!/usr/bin/python3
"""slice_suite.py - a shipped suite cut down to some of its steps.

    slice_suite.py SUITE.yaml OUT.yaml STEP...

Writes to OUT.yaml the scenario of SUITE.yaml with only the named steps, in
the suite's order, each as it is in the suite. A step is run against the
policy the whole suite would have in force there: the first step kept
applies, instead of its own apply and delete, the manifest files whose
objects are in force once the suite reached it (an object is known by kind,
namespace and name: a later apply replaces it, a delete takes it out), so
its verdicts are those of the full suite's step. The names of the scenario and of its steps stay, so the
assertion ids are the full suite's. OUT.yaml must sit where the suite's
relative manifest paths resolve (beside it, or in a copy of its directory).
Exit status: 0, or 2 when a step is not in the suite, an input cannot be
read, or the policy in force is not a set of whole files.
"""
import os
import sys

import yaml


def objects(base, path):
    """(kind, namespace, name) of every object of manifest file `path`."""
    with open(os.path.join(base, path), encoding="utf-8") as f:
        return [(d.get("kind"), (d.get("metadata") or {}).get("namespace", "default"),
                 (d.get("metadata") or {}).get("name")) for d in yaml.safe_load_all(f) if d]


def main():
    if len(sys.argv) < 4:
        print("usage: slice_suite.py SUITE.yaml OUT.yaml STEP...", file=sys.stderr)
        return 2
    src, out, want = sys.argv[1], sys.argv[2], sys.argv[3:]
    base = os.path.dirname(os.path.abspath(src))
    try:
        with open(src, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        steps = doc.get("steps") or []
        names = [s.get("name") for s in steps]
        missing = [w for w in want if w not in names]
        if missing:
            raise ValueError("no step %s (it has %s)" % (", ".join(missing), ", ".join(names)))
        owner, kept = {}, []  # object -> the file that put it in force, in apply order
        for step in steps:
            for f in step.get("delete") or []:
                for o in objects(base, f):
                    owner.pop(o, None)
            for f in step.get("apply") or []:
                for o in objects(base, f):
                    owner.pop(o, None)
                    owner[o] = f
            if step.get("name") in want and not kept:
                files = list(dict.fromkeys(owner.values()))
                for f in files:
                    if set(objects(base, f)) - {o for o, g in owner.items() if g == f}:
                        raise ValueError("step %s: only part of %s is in force" % (step["name"], f))
                first = {}
                for k, v in step.items():
                    if k == "traffic" and files:
                        first["apply"] = files
                    if k not in ("apply", "delete"):
                        first[k] = v
                kept.append(first)
            elif step.get("name") in want:
                kept.append(step)
    except (OSError, yaml.YAMLError, ValueError, AttributeError) as e:
        print("error: %s: %s" % (src, e), file=sys.stderr)
        return 2
    doc["steps"] = kept
    with open(out, "w", encoding="utf-8") as f:
        yaml.safe_dump(doc, f, sort_keys=False, default_flow_style=False, width=1000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
