#!/usr/bin/env python3
"""tests/fidelity.py - byte fidelity of what the function does not change.

Usage: fidelity.py check IN OUT
           exit 0 when OUT is IN byte for byte once exactly what the
           function adds is taken out; else print every offending line.
       fidelity.py same-but-results A B
           exit 0 when A and B are the same bytes once a top-level
           `results` entry is taken out of each.
       fidelity.py data IN OUT [--stream]
           exit 0 when every item (document) of OUT holds the data of the
           one of IN once the cost labels and budget annotations are
           taken out of every metadata (the value of a label it
           overwrote put back), and every item got them.
       fidelity.py comments IN OUT
           exit 0 when every comment of IN is in OUT, in order.
       fidelity.py variant KIND IN OUT
           write IN as KIND: crlf (CR LF line endings), bom (a UTF-8
           byte-order mark first), bom-crlf (both).

What "what the function adds" means, checked line by line against a
difflib alignment of the two texts (lines kept with their line endings):
  - whole lines that hold a cost label or budget annotation entry
    ("cost.team: x", "costmon.dev/budget: '...'"), or a `metadata:`,
    `labels:` or `annotations:` key line opening such entries, or the
    `results:` block the function writes at the end of a ResourceList;
  - in a line of a flow mapping or JSON, entries with such keys inserted
    into the line (", cost.team: x", or "k: v" into "{}"), nothing else
    of the line changed;
  - a label value the function overwrites ("cost.team: old" becomes
    "cost.team: new", the rest of the line, comment included, kept);
  - a null value it makes a mapping ("labels: null" becomes "labels:");
  - a line break after the last line, when the text ended without one
    and the function adds lines after it.
Everything else must be identical bytes, line endings included, and
every inserted line must end the way the input's lines do (CR LF or LF).
This is independent of the C code: it knows only the texts.
"""
import difflib
import re
import sys

OWNED = (r'"?(?:cost\.[A-Za-z]+|monitoring\.profile|costmon\.dev/[a-z-]+|'
         r'labels|annotations|metadata)"?')
OWNED_KEY = re.compile(OWNED + r':')
OWNED_LINE = re.compile(r'^ *' + OWNED + r':( .*)?\r?\n?$')
LABEL_LINE = re.compile(r'^( *"?(?:cost\.[A-Za-z]+|monitoring\.profile)"?: )'
                        r'("[^"]*"|\'[^\']*\'|[^ #]+)(.*)$', re.S)
NULL_LINE = re.compile(r'^( *' + OWNED + r':)( +(?:null|~|Null|NULL))?'
                       r'(\r?\n)$')


def lines_of(data):
    """Lines split at LF only (a CR stays with its line), endings kept."""
    return re.findall(r"[^\n]*\n|[^\n]+$", data)


def ending(line):
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith("\n"):
        return "\n"
    return ""


def flow_inserted_ok(a, b):
    """b is a with owned flow entries inserted, nothing else changed."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    inserted = 0
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        if op != "insert":
            return False
        chunk = b[j1:j2]
        before = b[j1 - 1] if j1 > 0 else ""
        if not OWNED_KEY.search(chunk):
            return False
        if not (chunk.startswith(", ") or chunk.endswith(", ")
                or before == "{"):
            return False
        inserted += 1
    return inserted > 0


def pair_ok(a, b):
    """One input line a and the output line b standing for it."""
    if a == b:
        return True
    if ending(a) == "" and a == b.rstrip("\r\n"):
        return True  # a line break added after the input's last line
    m = NULL_LINE.match(a)
    if m and b == m.group(1) + m.group(3):
        return True
    la, lb = LABEL_LINE.match(a), LABEL_LINE.match(b)
    if la and lb and la.group(1) == lb.group(1) and la.group(3) == lb.group(3):
        return True
    return ending(a) == ending(b) and flow_inserted_ok(a, b)


def check(inp, out):
    a, b = lines_of(inp), lines_of(out)
    nl = "\r\n" if a and a[0].endswith("\r\n") else "\n"
    problems = []
    in_results = False
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            in_results = False
            continue
        if op == "delete":
            problems += ["line %d removed: %r" % (i + 1, a[i])
                         for i in range(i1, i2)]
            continue
        i = i1
        for j in range(j1, j2):
            line = b[j]
            if line.startswith("results:"):
                in_results = True
            if in_results and (line.startswith((" ", "-", "results:"))):
                continue
            in_results = False
            if i < i2 and pair_ok(a[i], line):
                i += 1
                continue
            if OWNED_LINE.match(line) and (ending(line) in (nl, "")):
                continue
            problems.append("line %d of the output is not the input's "
                            "nor an addition: %r" % (j + 1, line))
        problems += ["line %d changed or removed: %r" % (k + 1, a[k])
                     for k in range(i, i2)]
    for j, line in enumerate(b):
        if ending(line) not in (nl, "") or (j + 1 < len(b)
                                            and ending(line) == ""):
            problems.append("line %d ends with %r, the input uses %r" %
                            (j + 1, ending(line), nl))
    return problems


RESULTS_BLOCK = re.compile(r'^results:.*?(?=^[^ \-\r\n]|\Z)', re.S | re.M)
RESULTS_FLOW = re.compile(r', "?results"?: \[.*\]', re.S)


def strip_results(text):
    text = RESULTS_BLOCK.sub("", text)
    return RESULTS_FLOW.sub("", text)


OWNED_NAME = re.compile(r'^(?:cost\.[A-Za-z]+|monitoring\.profile|'
                        r'costmon\.dev/[a-z-]+)$')


def unadd(i, o, where, problems):
    """Take the function's additions out of o (PyYAML data), given the
    input i; note in problems what is missing or different."""
    if isinstance(o, dict):
        for k in list(o):
            iv = i.get(k) if isinstance(i, dict) else None
            if k == "metadata" and isinstance(o[k], dict):
                md = o[k]
                imd = iv if isinstance(iv, dict) else {}
                if where.count(".") == 0 and "cost.service" not in (
                        md.get("labels") or {}):
                    problems.append("%s: no cost labels" % where)
                for sub in ("labels", "annotations"):
                    m = md.get(sub)
                    if not isinstance(m, dict):
                        continue
                    im = imd.get(sub) if isinstance(imd.get(sub), dict) else {}
                    for name in list(m):
                        if OWNED_NAME.match(str(name)):
                            if name in im:
                                m[name] = im[name]
                            else:
                                del m[name]
                    if not m and not imd.get(sub) and sub in md:
                        if sub in imd:
                            md[sub] = imd[sub]
                        else:
                            del md[sub]
                if not md and k not in (i or {}):
                    del o[k]
                    continue
            if k in o:
                unadd(iv, o[k], where + "." + str(k), problems)
    elif isinstance(o, list) and isinstance(i, list):
        for n, (a, b) in enumerate(zip(i, o)):
            unadd(a, b, "%s[%d]" % (where, n), problems)


def data_check(inp_path, out_path, stream):
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def items(path):
        with open(path, "rb") as f:
            text = f.read().decode("utf-8-sig")
        if stream:
            return [d for d in yaml.load_all(text, Loader=loader)
                    if d is not None]
        return yaml.load(text, Loader=loader).get("items") or []
    a, b = items(inp_path), items(out_path)
    problems = []
    if len(a) != len(b):
        return ["%d items in, %d out" % (len(a), len(b))]
    for n, (i, o) in enumerate(zip(a, b)):
        unadd(i, o, "item%d" % n, problems)
        if i != o:
            problems.append("item %d differs once the additions are "
                            "removed:\n  in:  %r\n  out: %r" % (n, i, o))
    return problems


COMMENT = re.compile(r'(?:^|[ \t])(#.*?)\r?$')


def comments_check(inp, out):
    """Every comment of inp (from a '#' that starts a comment to the end of
    its line) is in out, in the same order."""
    pos, problems = 0, []
    for line in lines_of(inp):
        m = COMMENT.search(line.rstrip("\n"))
        if not m or ('"' in line[:m.start(1)] or "'" in line[:m.start(1)]):
            continue  # none, or maybe inside quotes: not judged
        at = out.find(m.group(1), pos)
        if at < 0:
            problems.append("comment lost: %r" % m.group(1))
        else:
            pos = at + len(m.group(1))
    return problems


def main(argv):
    if len(argv) == 4 and argv[1] == "check":
        with open(argv[2], encoding="utf-8", newline="") as f:
            inp = f.read()
        with open(argv[3], encoding="utf-8", newline="") as f:
            out = f.read()
        problems = check(inp, out)
        for p in problems[:40]:
            print(p)
        return 1 if problems else 0
    if len(argv) == 4 and argv[1] == "same-but-results":
        with open(argv[2], "rb") as f:
            x = f.read().decode("utf-8")
        with open(argv[3], "rb") as f:
            y = f.read().decode("utf-8")
        if strip_results(x) == strip_results(y):
            return 0
        for line in difflib.unified_diff(lines_of(strip_results(x)),
                                         lines_of(strip_results(y)), n=1):
            sys.stdout.write(line)
        return 1
    if len(argv) in (4, 5) and argv[1] == "data":
        problems = data_check(argv[2], argv[3], argv[4:] == ["--stream"])
        for p in problems[:20]:
            print(p)
        return 1 if problems else 0
    if len(argv) == 4 and argv[1] == "comments":
        with open(argv[2], encoding="utf-8", newline="") as f:
            inp = f.read()
        with open(argv[3], encoding="utf-8", newline="") as f:
            out = f.read()
        problems = comments_check(inp, out)
        for p in problems[:20]:
            print(p)
        return 1 if problems else 0
    if len(argv) == 5 and argv[1] == "variant":
        with open(argv[3], "rb") as f:
            data = f.read()
        if "crlf" in argv[2]:
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if "bom" in argv[2]:
            data = b"\xef\xbb\xbf" + data
        with open(argv[4], "wb") as f:
            f.write(data)
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
