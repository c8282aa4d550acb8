#!/bin/bash
# A pull backup from a Debian unstable VPS (borg 1.4.5, OpenSSH 10.x) to a
# Debian unstable backup server (borgmatic 2.0.11, borg 1.4.5): tests/matrix/lib.sh.
. "${top_srcdir:-.}/tests/matrix/lib.sh"
mx_pull sid sid
