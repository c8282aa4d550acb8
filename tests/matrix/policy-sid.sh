#!/bin/bash
# What borgmatic 2.0.11 (Debian unstable) sends, through the shipped wrapper,
# against the shipped policy: tests/e2e/borgmatic-policy.sh run in a
# fresh Debian unstable machine, with its borgmatic, borg and python.
. "${top_srcdir:-.}/tests/matrix/lib.sh"
mx_enter sid
mx_machine m sid
mx_relay m tests/e2e/borgmatic-policy.sh
sgt_done
