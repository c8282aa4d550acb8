#!/bin/bash
# A pull backup from a Debian 12 VPS (borg 1.2.4, OpenSSH 9.2) to a
# Debian unstable backup server (borgmatic 2.0.11, borg 1.4.5): tests/matrix/lib.sh.
. "${top_srcdir:-.}/tests/matrix/lib.sh"
mx_pull bookworm sid
