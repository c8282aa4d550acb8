#!/bin/bash
# A compromised Debian 13 VPS (borg 1.4.0) attacks its repository on a
# Debian 13 backup server (borgmatic 1.9.14, borg 1.4.0 serving and
# keeping the transactions log): tests/e2e/history-lib.sh's cases.
. "${top_srcdir:-.}/tests/matrix/lib.sh"
mx_history trixie trixie
