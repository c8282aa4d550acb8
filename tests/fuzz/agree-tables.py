#!/usr/bin/python3
"""agree-tables.py POLICY OUTDIR TABLE.tsv... -- inputs for tests/fuzz/agree
from the adversarial tables: the shipped policy, a "%%" line, and each
row's command (rows with a newline in the command, "@unset" or "@py:" are
left out: the agree input format is line-based).  The fuzzed match corpus
is mostly policies that do not compile; these are the ones that do, with
commands that are permitted as well as denied."""
import os
import re
import sys

ESC = re.compile(rb"\\(\\|t|n|r|s|x[0-9a-fA-F]{2})")


def unescape(field, policy_dir):
    def one(m):
        e = m.group(1)
        return {b"\\": b"\\", b"t": b"\t", b"n": b"\n", b"r": b"\r",
                b"s": b" "}.get(e) or bytes([int(e[1:], 16)])
    field = field.replace(b"@policy_dir@", policy_dir)
    return ESC.sub(one, field)


def main():
    policy_path, out = sys.argv[1], sys.argv[2]
    policy = open(policy_path, "rb").read()
    policy_dir = os.path.dirname(policy_path).encode()
    os.makedirs(out, exist_ok=True)
    n = 0
    for table in sys.argv[3:]:
        for line in open(table, "rb"):
            line = line.rstrip(b"\n")
            if not line or line.startswith(b"#"):
                continue
            fields = line.split(b"\t")
            if len(fields) < 3:
                continue
            cmd = fields[2]
            if cmd.startswith(b"@"):
                continue
            cmd = unescape(cmd, policy_dir)
            if b"\n" in cmd:
                continue
            n += 1
            with open(os.path.join(out, "row-%04d" % n), "wb") as f:
                f.write(policy + b"\n%%\n" + cmd)
    print(n)


main()
