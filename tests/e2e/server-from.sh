#!/bin/bash
# The --from that setup/server/install prints for the VPS (issue 15,
# portability): the address the VPS sees this server as.  It was the
# first of "hostname -I", a LAN address behind NAT (a home NAS pulling a
# VPS), silently wrong in the key's from=.  Now it is the source address
# of the route to the VPS (inst_seen_as, setup/lib/installer.sh), and
# where that is private and the VPS public -- a NAT router between them
# -- the installer prints a placeholder the VPS installer refuses, and
# how to learn the address on the VPS.  Routes are made in the test's own
# network namespace (tests/e2e/lib.sh) with veth pairs; nothing
# leaves it.  Also: the installer says when the guide is not where the
# units' Documentation= points (make install puts it there).
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_enter "$@"
. "$top_srcdir/setup/lib/installer.sh"
set +u

seen() { inst_seen_as "$1"; }
link() {	# link NAME: an interface up, its peer (NAME-p) up, unconfigured
	ip link add "$1" type veth peer name "$1-p" &&
	    ip link set "$1-p" up && ip link set "$1" up
}

is "$(seen 127.0.0.1)" "ok 127.0.0.1" "a VPS on loopback: 127.0.0.1"

link sgt-lan &&
    ip addr add 10.9.9.2/24 dev sgt-lan || sgt_bail "an interface"
is "$(seen 203.0.113.5)" "unknown no route to 203.0.113.5 here" "no route to the VPS: unknown, and why"
is "$(seen 10.9.9.7)" "ok 10.9.9.2" "a VPS on the same private network: this server's address there"

# behind NAT: a private address, the default route through the router
ip route add default via 10.9.9.1 dev sgt-lan || sgt_bail "default route"
is "$(seen 203.0.113.5)" "nat 10.9.9.2" "a public VPS from a private address: NAT, not an address"
is "$(seen 172.20.1.1)" "ok 10.9.9.2" "a VPS at a private address (172.16/12) through the router: no NAT assumed"
is "$(seen 192.168.7.7)" "ok 10.9.9.2" "... 192.168/16 too"

# a public address of its own (a route to 198.51.100.0/24 from 192.0.2.2)
link sgt-pub &&
    ip addr add 192.0.2.2/24 dev sgt-pub &&
    ip route add 198.51.100.0/24 via 192.0.2.1 dev sgt-pub src 192.0.2.2 ||
    sgt_bail "public interface"
is "$(seen 198.51.100.9)" "ok 192.0.2.2" "a public VPS from a public address: that address"

# carrier-grade NAT (100.64/10) is NAT too
link sgt-cgn &&
    ip addr add 100.72.0.2/24 dev sgt-cgn &&
    ip route add 203.0.114.0/24 via 100.72.0.1 dev sgt-cgn src 100.72.0.2 ||
    sgt_bail "cgnat interface"
is "$(seen 203.0.114.9)" "nat 100.72.0.2" "from a carrier-grade NAT address (100.64/10): NAT"

# IPv6: a unique local address behind a router, and a global one
ip addr add fd00:9::2/64 dev sgt-lan nodad &&
    ip -6 route add default via fd00:9::1 dev sgt-lan &&
    ip addr add 2001:db8:1::2/64 dev sgt-pub nodad &&
    ip -6 route add 2001:db8:2::/48 via 2001:db8:1::1 dev sgt-pub src 2001:db8:1::2 ||
    sgt_bail "IPv6 addresses"
is "$(seen 2001:db8:9::1)" "nat fd00:9::2" "IPv6: a public VPS from a unique local address (fc00::/7): NAT"
is "$(seen 2001:db8:2::7)" "ok 2001:db8:1::2" "IPv6: from a global address: that address"
is "$(seen ::1)" "ok ::1" "IPv6 loopback"
is "$(seen sgt-no-such-host.invalid)" "unknown sgt-no-such-host.invalid has no address here" "a name without an address: unknown"

# ---- what the installer prints ------------------------------------------------------

# The units' Documentation= (the installer's @doc@): where it is not, the
# installer says so; /usr/local/share is the test's own tmpfs here.
doc=$(sed -n 's/^prefix=//p' "$top_srcdir/setup/server/install")$(sed -n \
    's/^doc=${prefix%\/}//p' "$top_srcdir/setup/server/install")
case $doc in /usr/local/share/*) ;; *) sgt_bail "doc=$doc is not under /usr/local/share" ;; esac
mount -t tmpfs -o mode=0755 sgt-share /usr/local/share || sgt_bail "tmpfs /usr/local/share"
e2e_vps_machine
e2e_server_install --vps 203.0.113.5
ok $? "setup/server/install for a public VPS from behind NAT"
grep -q -- "--from THIS-SERVER-ADDRESS " "$E2E_SRV/install.log"
ok $? "... prints --from THIS-SERVER-ADDRESS, not the LAN address"
grep -q -- '--from 10\.9\.9\.2' "$E2E_SRV/install.log"
ok $((! $?)) "... nowhere --from 10.9.9.2"
tr '\n' ' ' < "$E2E_SRV/install.log" | grep -qF 'note: this server reaches 203.0.113.5 from 10.9.9.2, a private address: a NAT router between them shows the VPS its own public address instead.  On the VPS, in an ssh session from this server, echo "${SSH_CLIENT%% *}" prints the address the VPS sees'
ok $? "... and says why, and how to learn the address on the VPS"
# the placeholder cannot slip into a key line
out=$("$top_srcdir/setup/vps/install" --login "$SGT_LOGIN" --manifest "$SGT_DIR/vps-manifest" \
    --reload none --from THIS-SERVER-ADDRESS --key-file "$E2E_CONF/$E2E_NAME.key.pub" 2>&1)
rc=$?
[ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q "give an IP address or CIDR"
ok $? "setup/vps/install refuses the placeholder"

grep -qF "setup/server/install: the units' Documentation= names $doc, which is not here: make install of sshgate puts the guide there, the Debian package in /usr/share/doc/sshgate (--prefix DIR: sshgate's prefix; in the source tree: docs/pull-backup.md)" "$E2E_SRV/install.log"
ok $? "without the guide at the units' Documentation=, the installer says so"
mkdir -p "$(dirname "$doc")" && cp "$top_srcdir/docs/pull-backup.md" "$doc" || sgt_bail "cp"

e2e_server_install --vps 198.51.100.9
ok $? "setup/server/install again, for a VPS reached from a public address"
grep -q -- "--from 192\.0\.2\.2 " "$E2E_SRV/install.log" && ! grep -q 'note:' "$E2E_SRV/install.log"
ok $? "... prints --from 192.0.2.2, without a note"
grep -q "Documentation= names" "$E2E_SRV/install.log"
ok $((! $?)) "... and with the guide in place, nothing about it"

sgt_done
