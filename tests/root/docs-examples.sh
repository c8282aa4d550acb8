#!/bin/bash
# The examples of the manual pages and of docs/*.md, run for real
# (tests/docs-examples.py takes them out by their markers):
#  - every sshd_config fragment passes "sshd -t -f FILE", and "sshd -T"
#    for the login account shows each of its Match block's settings, in a
#    private mount namespace of its own with a throwaway host key and
#    /run/sshd made there (nothing is taken from the host's /run);
#  - sshgate-policy(5)'s example policy, installed where the setuid gate
#    reads it with only its site-specific names replaced (runner, its
#    directory, login account, socket), runs a real "borg create" through
#    the gate by its rule borg-create, from the address the rule names;
#    without the example's TMPDIR line the same run fails, which is why
#    the line is there.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"
for p in /usr/bin/borg /usr/bin/python3 /usr/sbin/sshd /usr/bin/ssh-keygen; do
	[ -x "$p" ] || sgt_skip "needs $p"
done
[ -x "$SGT_DIR/bin/sshgate-connect" ] || sgt_bail "sshgate-connect not built"

ex=$SGT_DIR/examples
mkdir "$ex" || sgt_bail "mkdir"
"$SGT_PY" "$top_srcdir/tests/docs-examples.py" "$ex" \
    "$top_builddir"/docs/*.[1-8] "$top_srcdir"/docs/*.md >"$ex/list" ||
    sgt_bail "docs-examples.py"

# ---- sshd_config fragments ---------------------------------------------------
n=$(grep -c '^sshd_config' "$ex/list")
[ "$n" -ge 2 ]
ok $? "sshd_config fragments found: $n (sshgate(8), pull-backup.md)"
grep -q $'^sshd_config\t.*\tsshgate.8:' "$ex/list"
ok $? "sshgate(8)'s EXAMPLES holds one"
grep -q $'^sshd_config\t.*\tpull-backup.md:' "$ex/list"
ok $? "docs/pull-backup.md holds one"
while IFS=$'\t' read -r kind file where; do
	[ "$kind" = sshd_config ] || continue
	out=$(unshare -m --propagation private -- /bin/bash -c '
		set -e
		mount -t tmpfs -o mode=0755,nosuid,nodev sgt-run /run
		mkdir -m 0755 /run/sshd
		d=$(mktemp -d /run/sgt-sshd.XXXXXX)
		ssh-keygen -q -t ed25519 -N "" -f "$d/hostkey"
		{ echo "HostKey $d/hostkey"; cat; } >"$d/sshd_config"
		echo "== -t"
		/usr/sbin/sshd -t -f "$d/sshd_config" 2>&1
		echo "== -T"
		/usr/sbin/sshd -T -f "$d/sshd_config" \
		    -C user=borg,host=backup.example.org,addr=192.0.2.10,laddr=127.0.0.1,lport=22 2>&1
	' <"$file" 2>&1)
	rc=$?
	ok $rc "$where: sshd -t and sshd -T accept the fragment"
	t=$(printf '%s\n' "$out" | sed -n '/^== -t$/,/^== -T$/p' | sed '1d;$d')
	is "$t" "" "$where: sshd -t says nothing"
	# each setting of the Match block, as sshd -T prints it for borg
	missing=$(sed -n '/^Match User borg$/,$p' "$file" | sed '1d' |
	    while read -r key value; do
		[ -n "$key" ] || continue
		key=$(printf '%s' "$key" | tr 'A-Z' 'a-z')
		printf '%s\n' "$out" | grep -qixF "$key $value" ||
		    echo "$key $value"
	    done)
	is "$missing" "" "$where: sshd -T for borg from 192.0.2.10 has every setting of the Match block"
done <"$ex/list"
# the fragment sshgate(8) had before: sshd -t refuses it
printf 'Match User borg\n    PermitUserEnvironment no\n' >"$ex/old.conf"
out=$(unshare -m --propagation private -- /bin/bash -c '
	mount -t tmpfs -o mode=0755 sgt-run /run && mkdir -m 0755 /run/sshd &&
	d=$(mktemp -d /run/sgt-sshd.XXXXXX) &&
	ssh-keygen -q -t ed25519 -N "" -f "$d/hostkey" &&
	{ echo "HostKey $d/hostkey"; cat; } >"$d/sshd_config" &&
	/usr/sbin/sshd -t -f "$d/sshd_config" 2>&1' <"$ex/old.conf")
rc=$?
[ $rc != 0 ] && printf '%s\n' "$out" | grep -q "'PermitUserEnvironment' is not allowed within a Match block"
ok $? "the check fails on the old fragment: PermitUserEnvironment in Match ($rc)"

# ---- the example policy, through the setuid gate -----------------------------
policy=$(awk -F'\t' '$1 == "policy" && $3 ~ /^sshgate-policy\.5:/ { print $2 }' "$ex/list")
[ -n "$policy" ] && [ -f "$policy" ]
ok $? "sshgate-policy(5) EXAMPLES holds a policy"
grep -q '^rule borg-create {' "$policy"
ok $? "with a rule borg-create"

export BORG_PASSPHRASE=sgt-pass-$SGT_ID
sockdir=$SGT_DIR/sock
sock=$sockdir/borg.sock
lhome=$SGT_DIR/home/$SGT_LOGIN
mkdir -p "$lhome" && chown "$SGT_LOGIN:" "$lhome" && chmod 0700 "$lhome"
mkdir -p "$SGT_DIR/srv"
chown "$SGT_LOGIN:" "$SGT_DIR/srv"
as_login() {
	env -i PATH=/usr/bin:/bin HOME="$lhome" BORG_BASE_DIR="$lhome" \
	    BORG_PASSPHRASE="$BORG_PASSPHRASE" setpriv --reuid="$SGT_LOGIN" \
	    --regid="$SGT_LOGIN" --clear-groups -- "$@"
}
as_login borg init -e repokey "$SGT_DIR/srv/vps" >/dev/null 2>&1 ||
    sgt_bail "borg init"
install -d -o "$SGT_LOGIN" -g "$SGT_RUNNER" -m 2750 "$sockdir"
# sshd's session process: binds the socket as the login account, starts
# the gate below itself; each connection is a borg serve in the
# directory that holds ./vps, as the example's URL ssh://backup/./vps says
SGT_SESSION=("$SGT_PY" "$top_srcdir/tests/lib/session.py"
    --serve "env -i -C $SGT_DIR/srv PATH=/usr/bin:/bin HOME=$lhome BORG_BASE_DIR=$lhome borg serve --append-only --restrict-to-path $SGT_DIR/srv/vps"
    --serve-log "$SGT_DIR/serve.log" "$SGT_LOGIN" "$sock" --)
# the sources: the example's rule takes paths under /etc, /home or /srv;
# /srv is a tmpfs of this test's mount namespace
mount -t tmpfs -o mode=0755 sgt-srv /srv || sgt_bail "tmpfs /srv"
mkdir -p /srv/sgt-tree/root-only
head -c 4096 /dev/urandom | base64 >/srv/sgt-tree/root-only/secret
chmod 0700 /srv/sgt-tree/root-only
chmod 0600 /srv/sgt-tree/root-only/secret
secret_sum=$(sha256sum </srv/sgt-tree/root-only/secret)

connect=$(sed -n 's|.*BORG_RSH "\([^ ]*\) .*|\1|p' "$policy")
is "$connect" "$(cd "$top_builddir" && make -s --no-print-directory -f Makefile \
    --eval='sgt-print:;@echo $(pkglibexecdir)/sshgate-connect' sgt-print 2>/dev/null)" \
    "the example's BORG_RSH names this build's sshgate-connect"
# only the site's names change: the runner, its directory, the login
# account, the socket and where this test installed the connector
sed -e "s|sshgate-borg|$SGT_RUNNER|g" \
    -e "s|/var/lib/$SGT_RUNNER|$CF_HOME|g" \
    -e "s|$connect -u borg /run/sshgate/borg/borg.sock|$SGT_DIR/bin/sshgate-connect -u $SGT_LOGIN $sock|" \
    "$policy" >"$ex/site.policy"
diff "$policy" "$ex/site.policy" | grep '^[<>]' | grep -v \
    -e "^[<>] *as  *" -e "^[<>] *setenv  *\(HOME\|BORG_BASE_DIR\|TMPDIR\|BORG_RSH\) " \
    -e "^[<>] *write  *" >"$ex/otherdiff"
[ ! -s "$ex/otherdiff" ]
ok $? "nothing else of the example changed"
sed 's/^/#   /' "$ex/otherdiff"
"$top_builddir/sshgate-lint" -f "$ex/site.policy" >"$ex/lint" 2>&1
rc=$?
ok $rc "the example, so adapted, passes sshgate-lint and its tests"
[ $rc = 0 ] || sed 's/^/#   /' "$ex/lint"

run_create() {	# run_create ARCHIVE: borg create through the gate
	cf_gate BORG_PASSPHRASE="$BORG_PASSPHRASE" \
	    SSH_CONNECTION="192.0.2.10 50000 127.0.0.1 22" \
	    SSH_ORIGINAL_COMMAND="borg create --stats ssh://backup/./vps::$1 /srv/sgt-tree" --
}
sgt_policy "$ex/site.policy"
run_create 'vps-{now}'
expect_status 0 "sshgate-policy(5)'s example runs borg create through the gate"
[ "$rc" = 0 ] || sed 's/^/#   serve: /' "$SGT_DIR/serve.log"
grep -q "permit rule=borg-create .*runner=$SGT_RUNNER landlock=abi" "$SGT_DIR/syslog"
ok $? "decided by the example's rule borg-create, under Landlock"
list=$(env BORG_BASE_DIR="$SGT_DIR/rootborg" BORG_PASSPHRASE="$BORG_PASSPHRASE" \
    borg list --short "$SGT_DIR/srv/vps" 2>&1)
archive=$(printf '%s\n' "$list" | grep '^vps-20' | head -1)
[ -n "$archive" ]
ok $? "the archive is in the repository: $archive"
got=$(env BORG_BASE_DIR="$SGT_DIR/rootborg" BORG_PASSPHRASE="$BORG_PASSPHRASE" \
    borg extract --stdout "$SGT_DIR/srv/vps::$archive" \
    srv/sgt-tree/root-only/secret 2>/dev/null | sha256sum)
is "$got" "$secret_sum" "it holds the root-only file, read through CAP_DAC_READ_SEARCH"

# the example as it was, without TMPDIR: borg cannot start
grep -v '^ *setenv *TMPDIR ' "$ex/site.policy" >"$ex/notmp.policy"
sgt_policy "$ex/notmp.policy"
run_create 'vps-{now}'
if [ "$rc" != 0 ] && printf '%s\n' "$out" | grep -q 'No usable temporary directory'; then
	ok 0 "without the example's TMPDIR line borg create fails ($rc): no usable temporary directory"
else
	ok 1 "without the example's TMPDIR line borg create fails: no usable temporary directory"
	printf '%s\n' "$out" | sed 's/^/#   /'
fi
# ... which the linter warns about, with the fix
"$top_builddir/sshgate-lint" -f "$ex/notmp.policy" >"$ex/lint" 2>&1
grep -q "warning: rule 'borg-create' runs borg with writable paths but sets no TMPDIR.*\[borg-no-tmpdir\]" "$ex/lint" &&
    grep -qxF "$ex/notmp.policy: note: fix: setenv TMPDIR $CF_HOME" "$ex/lint"
ok $? "sshgate-lint warns about that rule: borg-no-tmpdir, fix setenv TMPDIR"
SGT_SESSION=()
umount /srv
sgt_done
