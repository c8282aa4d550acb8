#!/bin/bash
# The Debian 12 package: installed, a pull backup, upgraded from the
# previous version, purged, in fresh Debian 12 installs (tests/deb/lib.sh).
. "${top_srcdir:-.}/tests/deb/lib.sh"
deb_pull bookworm
