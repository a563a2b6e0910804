#!/usr/bin/env python3
"""tests/fidelity.py - byte fidelity of what the function does not change.

Usage: fidelity.py check IN OUT [--service NAME]
           exit 0 when OUT is IN byte for byte once exactly what the
           function adds is taken out; else print every offending line.
       fidelity.py same-but-results A B
           exit 0 when A and B are the same bytes once a top-level
           `results` entry is taken out of each.
       fidelity.py plus-results IN OUT
           exit 0 when OUT is IN byte for byte plus a top-level
           `results` entry (and nothing else) holding an error.
       fidelity.py data IN OUT [--stream] [--service NAME]
           exit 0 when every item (document) of OUT holds the data of the
           one of IN once the cost labels and budget annotations are
           taken out of every metadata (the value of a label it
           overwrote put back), and every item got them; the generated
           objects appended after the input's last item are dropped
           first.
       NAME is the service (default: spec.service or data.service of
       IN's functionConfig); generated objects are the ones named
       NAME plus one of GENERATED_SUFFIXES.
       fidelity.py comments IN OUT
           exit 0 when every comment of IN is in OUT, in order.
       fidelity.py variant KIND IN OUT
           write IN as KIND: crlf (CR LF line endings), bom (a UTF-8
           byte-order mark first), bom-crlf (both).

What "what the function adds" means: first the generated objects, whole
new items after the input's last item, each named the service plus one of
GENERATED_SUFFIXES (block: `- ` items at the items' indentation; flow and
JSON: `, {...}` entries before the sequence's closing `]`; a stream:
`---` documents at its end); they are taken out of the output (their line
endings still checked). Then, line by line against a difflib alignment of
the two texts (lines kept with their line endings):
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


CHUNK_KEY = re.compile(r'[{,][ \t]*"?([^"\':,{}\[\] \t]+)"?:[ \t]')


def owned_entries(chunk, before):
    """Every whole key in chunk (an inserted piece of a flow line) is one
    the function owns: a cost label, a budget annotation, or labels,
    annotations, metadata holding them; an inserted entry with any other
    key (a whole new item, say) is not an addition of its own."""
    return all(OWNED_KEY.match(k + ":") or OWNED_NAME.match(k)
               for k in CHUNK_KEY.findall(before + chunk))


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
        if not OWNED_KEY.search(chunk) or not owned_entries(chunk, before):
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


GENERATED_SUFFIXES = ("-budget", "-budget-alerts", "-monitor",
                      "-recording-rules", "-alert-rules",
                      "-dynatrace-config", "-dashboard")
GENERATED_KINDS = ("ConfigMap", "PrometheusRule", "ServiceMonitor",
                   "GrafanaDashboard")


def _yaml():
    import yaml
    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def service_of(text):
    """spec.service (or data.service) of the functionConfig in text."""
    yaml, loader = _yaml()
    try:
        doc = yaml.load(text.lstrip("\ufeff"), Loader=loader)
    except yaml.YAMLError:
        return None
    fc = doc.get("functionConfig") if isinstance(doc, dict) else None
    if not isinstance(fc, dict):
        fc = doc if isinstance(doc, dict) else {}
    for part in ("spec", "data"):
        if isinstance(fc.get(part), dict) and fc[part].get("service"):
            return str(fc[part]["service"])
    return None


def is_generated(obj, service):
    """obj (PyYAML data) is one of the objects the function generates."""
    if not isinstance(obj, dict) or not service:
        return False
    md = obj.get("metadata")
    name = md.get("name") if isinstance(md, dict) else None
    return (obj.get("kind") in GENERATED_KINDS and isinstance(name, str)
            and name in [service + s for s in GENERATED_SUFFIXES])


def _load(text):
    yaml, loader = _yaml()
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError:
        return None


def _flow_end(text, i):
    """Index after the flow collection opening at text[i], or -1."""
    depth, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "'":
            i += 1
            while i < n and not (text[i] == "'" and text[i + 1:i + 2] != "'"):
                i += 2 if text[i] == "'" else 1
        elif c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


FLOW_START = re.compile(r',[ \t]*(?=\{)')
SEQ_CLOSE = re.compile(r'[ \t\r\n]*\]')


def strip_flow(out, service):
    """Take out `, {...}` generated entries that run up to a closing `]`."""
    pos = 0
    while True:
        m = FLOW_START.search(out, pos)
        if not m:
            return out
        run_end, k = m.start(), m.start()
        while True:
            mm = FLOW_START.match(out, k)
            if not mm:
                break
            e = _flow_end(out, mm.end())
            if e < 0 or not is_generated(_load(out[mm.end():e]), service):
                break
            k = run_end = e
        if run_end > m.start() and SEQ_CLOSE.match(out, run_end):
            out = out[:m.start()] + out[run_end:]
            pos = m.start() + 1
        else:
            pos = m.end()


def indent_of(line):
    return len(line) - len(line.lstrip(" "))


ITEM_LINE = re.compile(r'^( *)- \S')


def strip_block(lines, service):
    """Take out runs of generated `- ` items (whole lines) that end the
    block sequence they are in."""
    j = 0
    while j < len(lines):
        m = ITEM_LINE.match(lines[j])
        if not m:
            j += 1
            continue
        ind, start, k = len(m.group(1)), j, j
        while True:
            mm = ITEM_LINE.match(lines[k]) if k < len(lines) else None
            if not mm or len(mm.group(1)) != ind:
                break
            e = k + 1
            while e < len(lines) and (indent_of(lines[e]) > ind
                                      or not lines[e].strip()):
                e += 1
            while e > k + 1 and not lines[e - 1].strip():
                e -= 1
            doc = _load("".join(lines[k:e]))
            if not (isinstance(doc, list) and len(doc) == 1
                    and is_generated(doc[0], service)):
                break
            k = e
        nxt = k  # the next line that is not blank nor a comment
        while nxt < len(lines) and re.match(r'^\s*(#|$)', lines[nxt]):
            nxt += 1
        if k > start and not (nxt < len(lines) and (
                indent_of(lines[nxt]) > ind or ITEM_LINE.match(lines[nxt]))):
            del lines[start:k]
        else:
            j += 1
    return lines


def strip_documents(lines, service):
    """Take out `---` generated documents at the end of a stream."""
    starts = [n for n, line in enumerate(lines)
              if line.rstrip("\r\n") == "---"]
    cut = len(lines)
    for s in reversed(starts):
        docs = _load("".join(lines[s:cut]))
        if not is_generated(docs, service):
            break
        cut = s
    return lines[:cut]


def strip_generated(out, service):
    """out without the generated objects appended after the last item."""
    lines = strip_block(lines_of(strip_flow(out, service)), service)
    return "".join(strip_documents(lines, service))


def check(inp, out, service=None):
    service = service or service_of(inp)
    full = lines_of(out)
    a, b = lines_of(inp), lines_of(strip_generated(out, service))
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
    for j, line in enumerate(full):
        if ending(line) not in (nl, "") or (j + 1 < len(full)
                                            and ending(line) == ""):
            problems.append("line %d ends with %r, the input uses %r" %
                            (j + 1, ending(line), nl))
    return problems


# The block `results` entry: its key line and the lines under it (a blank
# line after it is the input's, not part of the entry).
RESULTS_BLOCK = re.compile(r'^results:[^\n]*(?:\n|\Z)(?:[ \-][^\n]*(?:\n|\Z))*',
                           re.M)
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


def data_check(inp_path, out_path, stream, service=None):
    yaml, loader = _yaml()

    def items(path):
        with open(path, "rb") as f:
            text = f.read().decode("utf-8-sig")
        if stream:
            return [d for d in yaml.load_all(text, Loader=loader)
                    if d is not None]
        return yaml.load(text, Loader=loader).get("items") or []
    a, b = items(inp_path), items(out_path)
    if not service:
        with open(inp_path, "rb") as f:
            service = service_of(f.read().decode("utf-8-sig"))
    while len(b) > len(a) and is_generated(b[-1], service):
        b.pop()
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
    service = None
    if len(argv) > 2 and argv[-2] == "--service":
        service, argv = argv[-1], argv[:-2]
    if len(argv) == 4 and argv[1] == "check":
        with open(argv[2], encoding="utf-8", newline="") as f:
            inp = f.read()
        with open(argv[3], encoding="utf-8", newline="") as f:
            out = f.read()
        problems = check(inp, out, service)
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
    if len(argv) == 4 and argv[1] == "plus-results":
        with open(argv[2], "rb") as f:
            x = f.read().decode("utf-8")
        with open(argv[3], "rb") as f:
            y = f.read().decode("utf-8")
        problems = []
        if strip_results(y) != x:
            problems += list(difflib.unified_diff(
                lines_of(x), lines_of(strip_results(y)), n=1))
        doc = _load(y.lstrip("\ufeff"))
        res = doc.get("results") if isinstance(doc, dict) else None
        if not (isinstance(res, list) and res and all(
                isinstance(r, dict) for r in res) and any(
                r.get("severity") == "error" for r in res)):
            problems.append("no results entry with severity error: %r\n"
                            % (res,))
        for line in problems[:40]:
            sys.stdout.write(line)
        return 1 if problems else 0
    if len(argv) in (4, 5) and argv[1] == "data":
        problems = data_check(argv[2], argv[3], argv[4:] == ["--stream"],
                              service)
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
