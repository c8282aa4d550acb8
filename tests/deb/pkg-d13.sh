#!/bin/bash
# The Debian 13 package: installed, a pull backup, upgraded from the
# previous version, purged, in fresh Debian 13 installs (tests/deb/lib.sh).
. "${top_srcdir:-.}/tests/deb/lib.sh"
deb_pull trixie
