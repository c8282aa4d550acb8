#!/usr/bin/python3
# docs-examples.py OUTDIR FILE... -- the examples of the manual pages and
# the guides, taken out by their markers so that tests can run them.
#
# A man page marks a literal block with a comment line right before it,
#     .\" example: KIND
#     .Bd -literal ...
# a Markdown file marks a fenced block with a line right before it,
#     <!-- example: KIND -->
#     ```
# KIND is one of
#     policy       a whole policy file: sshgate-lint must accept it
#     policy-rules rules and tests without the version line: the same,
#                  after "sshgate-policy 1"
#     sshd_config  a fragment of sshd_config: sshd -t must accept it
#     grammar      a syntax description, not a file (nothing to run)
# Each block is written to OUTDIR/NAME-LINE.KIND (NAME the file's name,
# LINE the block's first line), with the roff escapes undone, and listed
# on stdout as "KIND<TAB>FILE<TAB>NAME:LINE".  A block that looks like a
# policy or an sshd_config ("sshgate-policy 1", "rule NAME {", "Match
# ...") without a marker is listed as "unmarked<TAB>-<TAB>NAME:LINE", so
# that a new example cannot escape the tests.
import os
import re
import sys

KINDS = ("policy", "policy-rules", "sshd_config", "grammar")
LOOKS = re.compile(r"^(sshgate-policy 1|\s*rule \S+ \{|\s*Match\s)", re.M)


def unroff(t):
    return t.replace("\\e", "\\").replace("\\&", "")


def blocks_man(text):
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.startswith(".Bd -literal"):
            continue
        m = re.match(r'^\.\\" example: (\S+)$', lines[i - 1]) if i else None
        end = lines.index(".Ed", i)
        yield (m.group(1) if m else None, i + 2,
               unroff("\n".join(lines[i + 1:end]) + "\n"))


def blocks_md(text):
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            m = re.match(r"^<!-- example: (\S+) -->$", lines[i - 1]) \
                if i else None
            end = lines.index("```", i + 1)
            yield (m.group(1) if m else None, i + 2,
                   "\n".join(lines[i + 1:end]) + "\n")
            i = end
        i += 1


def main():
    out, files = sys.argv[1], sys.argv[2:]
    for path in files:
        name = os.path.basename(path)
        text = open(path, encoding="utf-8").read()
        blocks = blocks_md(text) if name.endswith(".md") else \
            blocks_man(text)
        for kind, line, body in blocks:
            where = "%s:%d" % (name, line)
            if kind is None:
                if LOOKS.search(body):
                    print("unmarked\t-\t%s" % where)
                continue
            if kind not in KINDS:
                print("unknown-%s\t-\t%s" % (kind, where))
                continue
            if kind == "grammar":
                continue
            f = os.path.join(out, "%s-%d.%s" % (name, line, kind))
            if kind == "policy-rules":
                body = "sshgate-policy 1\n\n" + body
            with open(f, "w", encoding="utf-8") as fh:
                fh.write(body)
            print("%s\t%s\t%s" % (kind, f, where))


main()
