#!/bin/bash
# What borgmatic 1.9.14 (Debian 13) sends, through the shipped wrapper,
# against the shipped policy: tests/e2e/borgmatic-policy.sh run in a
# fresh Debian 13 machine, with its borgmatic, borg and python.
. "${top_srcdir:-.}/tests/matrix/lib.sh"
mx_enter trixie
mx_machine m trixie
mx_relay m tests/e2e/borgmatic-policy.sh
sgt_done
