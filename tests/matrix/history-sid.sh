#!/bin/bash
# A compromised Debian unstable VPS (borg 1.4.5) attacks its repository
# on an unstable backup server (borgmatic 2.0, borg 1.4.5):
# tests/e2e/history-lib.sh's cases.
. "${top_srcdir:-.}/tests/matrix/lib.sh"
mx_history sid sid
