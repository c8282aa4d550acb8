#!/bin/bash
# A pull backup from a Debian 13 VPS (borg 1.4.0, OpenSSH 10.0) to a
# Debian 12 backup server (borgmatic 1.7.7, borg 1.2.4): tests/matrix/lib.sh.
. "${top_srcdir:-.}/tests/matrix/lib.sh"
mx_pull trixie bookworm
