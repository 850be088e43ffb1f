#!/usr/bin/python3
"""meshery_check.py - is a meshery.json file the SMI conformance result Meshery uses?

    meshery_check.py [--report REPORT.json] MESHERY.json

Three layers, whose problems are printed as lines "FILE: FIELD: problem":
  1. protobuf JSON parsing against meshery_result.proto with unknown fields
     rejected: a field the result does not define, a number where it expects
     text, a word that is no enum value, a plain string where it expects a
     message. When the document does not parse, every top-level field and
     every field of every detail is parsed on its own, so that all problems
     are listed, not only the first.
  2. the rules the conformance handler's output always satisfies: counters as
     decimal text, passpercent = 100 * casespassed / (sum of the details' step
     counts) with two decimals, one detail per SMI spec, specversion as
     RELEASE/APIVERSION, status, result and capability consistent (and, with
     a single detail, the capability the handler's rule gives its counts).
  3. with --report: the details agree with report.json's assertions (the same
     SMI specs, traffic-specs spelled traffic-spec as Meshery does; FAILED
     exactly where an assertion is not PASS; each spec's step count, and the
     steps whose assertions all passed as casespassed; the mesh version).
Layers 2 and 3 also run when layer 1 fails, on the fields that did parse, so
that one run shows everything that is wrong. A problem shared by several
details is printed once, with how many details have it and a first example.

Exit status: 0 no problem, 1 problems found, 2 the check could not run
(protoc or python3-protobuf missing, unreadable input).

Runs under Debian's /usr/bin/python3 with python3-protobuf; the .proto is
compiled with Debian's protoc into a temporary directory at every run.
"""
import argparse
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = "meshery_result.proto"
JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean",
              int: "number", float: "number", type(None): "null"}
DECIMAL_2 = re.compile(r"^[0-9]+\.[0-9]{2}$")
INTEGER = re.compile(r"^(0|[1-9][0-9]*)$")
POSITIVE = re.compile(r"^[1-9][0-9]*$")
# The SMI release, then the API version of the spec's group: v0.6.0/v1alpha4. API
# versions older than SMI's first numbered release, or only in its working draft,
# have no release: "unversioned" and "draft" stand in for it (docs/report-schema.md).
SPECVERSION = re.compile(r"^(v[0-9]+\.[0-9]+\.[0-9]+|unversioned|draft)/v[0-9]+(alpha|beta)[0-9]+$")
# Meshery's handler names the Traffic Specs test after its test directory.
MESHERY_SPEC = {"traffic-specs": "traffic-spec"}


def load_messages():
    """Compiles the .proto; returns the generated module (exits 2 when a tool is missing)."""
    out = tempfile.mkdtemp(prefix="meshery-proto.")
    try:
        subprocess.run(["protoc", "-I", HERE, "--python_out", out, PROTO],
                       check=True, capture_output=True, text=True)
        sys.path.insert(0, out)
        importlib.import_module("google.protobuf.json_format")  # fail here, with a hint, when absent
        return importlib.import_module("meshery_result_pb2")  # generated just above
    except FileNotFoundError:
        print("error: protoc not found (Debian package protobuf-compiler)", file=sys.stderr)
    except subprocess.CalledProcessError as e:
        print("error: protoc rejected %s: %s" % (PROTO, e.stderr.strip()), file=sys.stderr)
    except ImportError as e:
        print("error: %s (Debian package python3-protobuf; run with /usr/bin/python3)" % e,
              file=sys.stderr)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    sys.exit(2)


def parse_strict(doc, msg_class):
    """Returns (message, None) when doc parses into msg_class with nothing unknown, else (None, error)."""
    from google.protobuf import json_format
    msg = msg_class()
    try:
        json_format.ParseDict(doc, msg, ignore_unknown_fields=False)
        return msg, None
    except json_format.ParseError as e:
        return None, str(e).splitlines()[0]


def class_of(descriptor):
    """Returns the generated class of a message descriptor (the call differs across protobuf releases)."""
    from google.protobuf import message_factory, symbol_database
    if hasattr(message_factory, "GetMessageClass"):  # protobuf 4.22 and later
        return message_factory.GetMessageClass(descriptor)
    return symbol_database.Default().GetSymbol(descriptor.full_name)  # Debian 12 ships 4.21


def why_not(key, value, msg_class):
    """Says in plain words why {key: value} does not parse into msg_class.

    Returns a list of (path below key, problem); empty when it parses. A nested
    message is looked into field by field, so that the path names the field."""
    from google.protobuf.descriptor import FieldDescriptor as FD
    _, err = parse_strict({key: value}, msg_class)
    if err is None:
        return []
    desc = msg_class.DESCRIPTOR
    field = desc.fields_by_camelcase_name.get(key) or desc.fields_by_name.get(key)
    jtype = JSON_TYPES.get(type(value), type(value).__name__)
    if field is None:
        return [("", "not a field of %s (its fields: %s)"
                 % (desc.name, ", ".join(f.json_name for f in desc.fields)))]
    if field.type == FD.TYPE_MESSAGE and not isinstance(value, dict):
        return [("", "a JSON %s where a %s message is expected" % (jtype, field.message_type.name))]
    if field.type == FD.TYPE_STRING and not isinstance(value, str):
        return [("", "a JSON %s where text (a JSON string) is expected" % jtype)]
    if field.type == FD.TYPE_ENUM and isinstance(value, str):
        names = ", ".join(v.name for v in field.enum_type.values)
        return [("", "%r is no %s value (%s)" % (value, field.enum_type.name, names))]
    if (field.type == FD.TYPE_MESSAGE and field.label != FD.LABEL_REPEATED
            and not field.message_type.GetOptions().map_entry):
        sub = class_of(field.message_type)
        found = [("." + k + path, why) for k, v in value.items() for path, why in why_not(k, v, sub)]
        if found:
            return found
    return [("", err)]


def layer1(doc, pb):
    """Per-field strict parsing. Returns (problems, salvaged doc of the fields that parse, failed paths)."""
    problems, salvaged, failed = [], {}, set()
    for key, value in doc.items():
        if key == "details" and isinstance(value, list):
            salvaged["details"] = []
            for i, det in enumerate(value):
                if not isinstance(det, dict):
                    problems.append(("details[%d]" % i, "a JSON %s where a Detail object is expected"
                                     % JSON_TYPES.get(type(det)), None))
                    failed.add("details[%d]" % i)
                    salvaged["details"].append({})
                    continue
                keep = {}
                for dkey, dval in det.items():
                    found = why_not(dkey, dval, pb.Detail)
                    for path, why in found:
                        problems.append(("details[%d].%s%s" % (i, dkey, path), why, None))
                        failed.add("details[%d].%s" % (i, dkey))
                    if not found:
                        keep[dkey] = dval
                salvaged["details"].append(keep)
            continue
        found = why_not(key, value, pb.Response)
        for path, why in found:
            problems.append((key + path, why, None))
            failed.add(key)
        if not found:
            salvaged[key] = value
    return problems, salvaged, failed


def layer2(resp, pb):
    """The rules the conformance handler's output always satisfies; returns (field, problem, example)."""
    p = []
    if not resp.HasField("mesh"):
        p.append(("mesh", "missing: the mesh under test (type and version)", None))
    elif not resp.mesh.version:
        p.append(("mesh.version", "empty: the version of the mesh under test", None))
    if not DECIMAL_2.match(resp.passpercent):
        p.append(("passpercent", "not a decimal with exactly two decimals", resp.passpercent))
    if not INTEGER.match(resp.casespassed):
        p.append(("casespassed", "not a decimal integer", resp.casespassed))
    if not resp.details:
        p.append(("details", "empty: one detail per SMI spec is expected", None))
    seen, total = {}, 0
    for i, d in enumerate(resp.details):
        at = "details[%d]" % i
        if not d.smispec:
            p.append((at + ".smispec", "empty", None))
        elif d.smispec in seen:
            p.append((at + ".smispec", "an SMI spec already given by an earlier detail: one detail per spec is "
                      "expected", d.smispec))
        else:
            seen[d.smispec] = i
        if not SPECVERSION.match(d.specversion):
            p.append((at + ".specversion", "not RELEASE/APIVERSION such as v0.6.0/v1alpha4", d.specversion))
        if POSITIVE.match(d.assertion):
            total += int(d.assertion)
        else:
            p.append((at + ".assertion", "not a step count (a positive decimal integer)", d.assertion))
        if not d.duration:
            p.append((at + ".duration", "empty", None))
        kind = d.result.WhichOneof("result") if d.HasField("result") else None
        if kind is None:
            p.append((at + ".result", "missing: a message or an error", None))
        elif kind == "error" and not d.result.error.shortDescription:
            p.append((at + ".result.error.shortDescription", "empty: the reason the spec failed", None))
        if d.status == pb.PASSED:
            if kind == "error":
                p.append((at + ".status", "PASSED with an error result", None))
            if d.capability != pb.FULL:
                p.append((at + ".capability", "not FULL although the status is PASSED",
                          pb.Capability.Name(d.capability)))
        else:
            if kind == "message":
                p.append((at + ".status", "FAILED with a message result (the handler gives an error)", None))
            if d.capability == pb.FULL:
                p.append((at + ".capability", "FULL although the status is FAILED (HALF or NONE expected)", None))
    if (len(resp.details) == 1 and POSITIVE.match(resp.details[0].assertion)
            and INTEGER.match(resp.casespassed)):
        # one spec: its passed steps are casespassed, so the handler's rule fixes its capability
        d = resp.details[0]
        want = capability(min(int(resp.casespassed), int(d.assertion)), int(d.assertion))
        if pb.Capability.Name(d.capability) != want:
            p.append(("details[0].capability", "not %s, which casespassed %s of %s step(s) give"
                      % (want, resp.casespassed, d.assertion), pb.Capability.Name(d.capability)))
    if total and INTEGER.match(resp.casespassed) and DECIMAL_2.match(resp.passpercent):
        passed = int(resp.casespassed)
        want = "%.2f" % (100.0 * passed / total)
        if passed > total:
            p.append(("casespassed", "more than the %d steps the details count" % total, resp.casespassed))
        elif resp.passpercent != want:
            p.append(("passpercent", "not 100 * casespassed %d / %d steps = %s" % (passed, total, want),
                      resp.passpercent))
    return p


def capability(passed, steps):
    """Meshery's handler's rule: FULL all steps passed, HALF at least half (rounded down; here also
    at least one, since its specs have 6 to 11 steps and half of one rounds to none), else NONE."""
    if passed == steps:
        return "FULL"
    return "HALF" if passed and passed >= steps // 2 else "NONE"


def report_specs(report):
    """Per SMI spec (in Meshery's spelling): API versions, assertions, bad ones, steps, passed steps."""
    specs, steps = {}, {}
    for a in report.get("assertions", []):
        name = MESHERY_SPEC.get(a["smispec"], a["smispec"])
        s = specs.setdefault(name, {"versions": set(), "bad": 0, "n": 0, "steps": {}})
        s["versions"].add(a["specversion"])
        s["n"] += 1
        s["bad"] += a["verdict"] != "PASS"
        step = (a["scenario"], a["step_index"])
        s["steps"][step] = s["steps"].get(step, True) and a["verdict"] == "PASS"
    return specs


def layer3(resp, pb, report):
    """Agreement of the details with report.json's assertions; returns (field, problem, example)."""
    p, specs = [], report_specs(report)
    given = {}
    for i, d in enumerate(resp.details):
        given.setdefault(d.smispec, i)
    for name in sorted(set(specs) - set(given)):
        p.append(("details", "no detail for an SMI spec that report.json has %d assertion(s) of"
                  % specs[name]["n"], name))
    for name in sorted(set(given) - set(specs)):
        p.append(("details[%d].smispec" % given[name], "an SMI spec with no assertion in report.json", name))
    passed = 0
    for name, i in given.items():
        if name not in specs:
            continue
        d, s = resp.details[i], specs[name]
        passed += sum(s["steps"].values())
        if d.status != (pb.FAILED if s["bad"] else pb.PASSED):
            p.append(("details[%d].status" % i, "disagrees with report.json, where %d of the %d assertion(s) "
                      "of this spec are not PASS" % (s["bad"], s["n"]), pb.ResultStatus.Name(d.status)))
        want = capability(sum(s["steps"].values()), len(s["steps"]))
        if pb.Capability.Name(d.capability) != want:
            p.append(("details[%d].capability" % i, "not %s, which %d of %d passed step(s) give"
                      % (want, sum(s["steps"].values()), len(s["steps"])), pb.Capability.Name(d.capability)))
        if d.assertion != str(len(s["steps"])):
            p.append(("details[%d].assertion" % i, "not the %d step(s) report.json has of this spec"
                      % len(s["steps"]), d.assertion))
        api = d.specversion.split("/")[-1]
        if len(s["versions"]) == 1 and api not in s["versions"]:
            p.append(("details[%d].specversion" % i, "API version differs from report.json's %s"
                      % next(iter(s["versions"])), d.specversion))
    if not set(specs) - set(given) and resp.casespassed != str(passed):
        p.append(("casespassed", "not the %d step(s) whose assertions all passed in report.json" % passed,
                  resp.casespassed))
    if report.get("mesh_version") and resp.mesh.version != report["mesh_version"]:
        p.append(("mesh.version", "not report.json's mesh_version %r" % report["mesh_version"], resp.mesh.version))
    return p


DETAIL = re.compile(r"^details\[(\d+)\](.*)$")


def masked(path, failed):
    """True when a later-layer problem only echoes a field that layer 1 already rejected."""
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    if head in failed:
        return True
    m = DETAIL.match(path)
    if not m:
        return False
    at = "details[%s]" % m.group(1)
    # status, capability and result are judged together: one rejected, all three are moot
    linked = {".status", ".capability", ".result"}
    field = "." + m.group(2).lstrip(".").split(".")[0]
    return (at in failed or at + field in failed or
            (field in linked and any(at + f in failed for f in linked)))


def print_grouped(fname, problems, n_details):
    """Prints problems, folding one problem shared by several details into one line; returns the count."""
    groups, order = {}, []
    for path, why, example in problems:
        m = DETAIL.match(path)
        key = ("details[*]" + m.group(2), why) if m else (path, why)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((int(m.group(1)) if m else None, example))
    for key in order:
        path, why = key
        hits = groups[key]
        idx, example = hits[0]
        if idx is not None and len(hits) == 1:
            path = path.replace("details[*]", "details[%d]" % idx)
        elif idx is not None:
            path = "%s (%d of %d details, first details[%d])" % (path, len(hits), n_details, idx)
        tail = "" if example is None else ": %r" % example
        print("%s: %s: %s%s" % (fname, path, why, tail))
    return len(order)


def main():
    ap = argparse.ArgumentParser(description="Strict check of a Meshery SMI conformance result.")
    ap.add_argument("--report", help="report.json of the same run, for the cross-check")
    ap.add_argument("file")
    args = ap.parse_args()
    pb = load_messages()
    try:
        with open(args.file, encoding="utf-8") as f:
            doc = json.load(f)
        report = None
        if args.report:
            with open(args.report, encoding="utf-8") as f:
                report = json.load(f)
    except (OSError, ValueError) as e:
        print("error: cannot read input: %s" % e, file=sys.stderr)
        return 2
    if not isinstance(doc, dict):
        print("%s: (document): a JSON %s where a Response object is expected"
              % (args.file, JSON_TYPES.get(type(doc))))
        return 1

    problems, salvaged, failed = layer1(doc, pb)
    resp, err = parse_strict(salvaged, pb.Response)
    if resp is None:  # cannot happen when every field parsed alone, but never hide it
        problems.append(("(document)", err, None))
    else:
        later = layer2(resp, pb) + (layer3(resp, pb, report) if report is not None else [])
        problems += [p for p in later if not masked(p[0], failed)]
    n_details = len(doc.get("details", [])) if isinstance(doc.get("details"), list) else 0
    shown = print_grouped(args.file, problems, n_details)
    if problems:
        print("%s: not the Meshery SMI conformance result: %d problem(s)" % (args.file, shown))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
