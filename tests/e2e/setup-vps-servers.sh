#!/bin/bash
# setup/vps/install --server: several backup servers for one login
# account.  It refuses a server without its address or key, a bad or
# repeated name, a key given twice; it turns an install without --server
# into one with a server a and b (declarative: the servers given are the
# servers installed): each key with its own from= and command="sshgate
# NAME", the policy with each server's own tagged rules pinned to its own
# socket (and their tests tagged), the drop-in without ForceCommand
# (effective: none), checked by sshd -T from each server's address and
# by sshgate-lint --audit.  Through the real sshd: each key reaches the
# gate with its own tag, its own rules and its own socket, never the
# other's, also through /bin/sh as the login shell.  An earlier
# ForceCommand is detected and rolled back; a re-run changes nothing; a
# run with another set replaces the servers; --remove undoes it all.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_enter "$@"
e2e_vps_machine

login=sgt-a$SGT_ID runner=sgt-b$SGT_ID ggroup=sgt-g$SGT_ID
SGT_USERS="$SGT_USERS $login $runner $ggroup"
# the gate as make install leaves it (configure's default group root)
chown root:root "$SGT_DIR/bin/sshgate" && chmod 4750 "$SGT_DIR/bin/sshgate" || sgt_bail "chown the gate"
for k in ka kb kc; do
	ssh-keygen -q -t ed25519 -N '' -C "sgt-$k" -f "$SGT_DIR/$k" || sgt_bail keygen
done
gate=$SGT_DIR/bin/sshgate
lint=$SGT_DIR/bin/sshgate-lint
sockdir=$E2E_VPS/run/$login
state=$E2E_VPS/state-$runner
keyfile=$E2E_VPS/keys/$login
dropin=$E2E_VPS/sshd_config.d/sshgate-$login.conf
manifest=$E2E_VPS/manifest
passwd_now() { { cat /etc/passwd; cut -d: -f1-3 /etc/group; } | grep -v '^sgt-' | sort; }
before_passwd=$(passwd_now)

install_vps() {
	"$top_srcdir/setup/vps/install" \
	    --login "$login" --runner "$runner" --gate-group "$ggroup" \
	    --gate "$gate" --connect "$SGT_DIR/bin/sshgate-connect" \
	    --lint "$lint" --policy "$SGT_POLICY" \
	    --socket-dir "$sockdir" --state-dir "$state" \
	    --keys-dir "$E2E_VPS/keys" --sshd-dir "$E2E_VPS/sshd_config.d" \
	    --sshd-config "$E2E_VPS/sshd_config" \
	    --tmpfiles-dir "$E2E_VPS/tmpfiles.d" --manifest "$manifest" \
	    --reload none "$@"
}
# server a from 127.0.0.1, server b from 127.0.0.2 (and a network)
AB=(--server a --from 127.0.0.1 --key-file "$SGT_DIR/ka.pub"
    --server b --from 127.0.0.2 --from 192.0.2.0/24 --key-file "$SGT_DIR/kb.pub")

# ---- refusals before anything changes -------------------------------------------

refused() {	# refused DESCRIPTION MESSAGE ARGS...
	local what=$1 msg=$2 out rc
	shift 2
	out=$(install_vps "$@" 2>&1)
	rc=$?
	[ $rc -ne 0 ] && printf '%s\n' "$out" | grep -qF -- "$msg"
	ok $? "refuses $what"
	[ $rc -ne 0 ] || diag "$out"
}
refused "a --from before the first --server" "--from 127.0.0.9 before the first --server" \
    --from 127.0.0.9 "${AB[@]}"
refused "a --key before the first --server" "a --key before the first --server" \
    --key-file "$SGT_DIR/kc.pub" "${AB[@]}"
refused "a server without --key" "--server c has no --key" \
    "${AB[@]}" --server c --from 127.0.0.3
refused "a server without --from" "--server c has no --from" \
    "${AB[@]}" --server c --key-file "$SGT_DIR/kc.pub"
for s in -c .c c/d 'c d' "$(printf 'c%.0s' $(seq 53))"; do
	refused "--server '$s'" "--server '$s': use letters" \
	    "${AB[@]}" --server "$s" --from 127.0.0.3 --key-file "$SGT_DIR/kc.pub"
done
refused "the same server twice" "--server a is given twice" \
    "${AB[@]}" --server a --from 127.0.0.3 --key-file "$SGT_DIR/kc.pub"
refused "one key for two servers" "the same key is given twice" \
    "${AB[@]}" --server c --from 127.0.0.3 --key-file "$SGT_DIR/ka.pub"
! getent passwd "$login" >/dev/null && [ ! -e "$manifest" ] && [ ! -e "$dropin" ]
ok $? "... and changed nothing"

# ---- one server without --server, then two with it ----------------------------------

out=$(install_vps --from 127.0.0.1 --key-file "$SGT_DIR/ka.pub" 2>&1)
ok $? "installs one backup server without --server"
[ $? -eq 0 ] || diag "$out"
grep -q "^	ForceCommand $gate\$" "$dropin"
ok $? "... with ForceCommand in the drop-in"

out=$(install_vps "${AB[@]}" 2>&1)
ok $? "a run with --server a and --server b succeeds"
diag "$out"
printf '%s\n' "$out" | grep -q "wrote $SGT_POLICY" &&
    printf '%s\n' "$out" | grep -q "wrote $keyfile" &&
    printf '%s\n' "$out" | grep -q "wrote $dropin"
ok $? "... and rewrites the policy, the keys and the drop-in"

# the policy: the renderer's, with both servers; tagged tests; no warning
"$lint" -f "$SGT_POLICY" > "$SGT_DIR/lint.out" 2>&1 && ! grep -q "warning:" "$SGT_DIR/lint.out"
ok $? "sshgate-lint accepts the installed policy without a warning: $(cat "$SGT_DIR/lint.out")"
sh "$top_srcdir/setup/vps/render-policy" --login "$login" --runner "$runner" \
    --socket-dir "$sockdir" --state-dir "$state" --policy-dir "$(dirname "$SGT_POLICY")" \
    --connect "$SGT_DIR/bin/sshgate-connect" --server a --server b \
    "$top_srcdir/setup/vps/policy.in" | cmp -s - "$SGT_POLICY"
ok $? "the policy is the shipped template rendered for a and b"
is "$(sed -n 's/^rule \(.*\) {$/\1/p' "$SGT_POLICY" | grep -c '\.[ab]$')" 6 \
    "... with borg-create, borg-list and borg-info for each"
for s in a b; do
	t=$(awk -v s="$s" '$0 ~ "^rule .*\\." s " {$" { p = 1 } p { print } p && /^}/ { p = 0 }' "$SGT_POLICY")
	is "$(printf '%s\n' "$t" | grep -c "^    tag      $s\$")" 3 "... each of $s's with tag $s"
	is "$(printf '%s\n' "$t" | grep -c "BORG_RSH \"$SGT_DIR/bin/sshgate-connect -u $login $sockdir/$s.sock\"")" 3 \
	    "... and BORG_RSH pinned to $sockdir/$s.sock"
	n=$(printf '%s\n' "$t" | grep -cE '^[[:space:]]*test[[:space:]]')
	[ "$n" -gt 100 ] && [ "$(printf '%s\n' "$t" | grep -E '^[[:space:]]*test[[:space:]]' | grep -c " tag $s\$")" = "$n" ]
	ok $? "... and all $n tests in them with tag $s"
done
! grep -v '^[[:space:]]*#' "$SGT_POLICY" | grep -q "$sockdir/borg.sock"
ok $? "no rule connects to $sockdir/borg.sock"

# the keys: each with its own from= and tag
is "$(cat "$keyfile")" "restrict,port-forwarding,from=\"127.0.0.1\",command=\"$gate a\" $(cat "$SGT_DIR/ka.pub")
restrict,port-forwarding,from=\"127.0.0.2,192.0.2.0/24\",command=\"$gate b\" $(cat "$SGT_DIR/kb.pub")" \
    "the keys: each server's with its own from= and command=\"GATE NAME\""
is "$(stat -c '%U:%G %a' "$keyfile")" "root:root 644" "... root's"

# sshd: no ForceCommand, from either address
! grep -qi '^[[:space:]]*ForceCommand' "$dropin"
ok $? "the drop-in has no ForceCommand"
grep -q '^	# no ForceCommand: ' "$dropin"
ok $? "... and says why"
sshd -t -f "$E2E_VPS/sshd_config"
ok $? "sshd -t accepts the configuration"
setting() { printf '%s\n' "$eff" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' | paste -sd' '; }
for addr in 127.0.0.1 127.0.0.2; do
	eff=$(sshd -T -f "$E2E_VPS/sshd_config" -C "user=$login,host=x,addr=$addr")
	is "$(setting forcecommand) $(setting authorizedkeysfile) $(setting allowstreamlocalforwarding) $(setting streamlocalbindunlink)" \
	    "none $keyfile remote yes" "sshd -T for $login from $addr: no ForceCommand, the key file, the tunnel"
done
for s in "a, from 127.0.0.1" "b, from 127.0.0.2"; do
	printf '%s\n' "$out" | grep -q "sshgate-lint --audit (server $s): audit of $login: no findings"
	ok $? "sshgate-lint --audit (server $s) finds nothing to report"
done
printf '%s\n' "$out" | grep -q "ready: the backup server a connects as $login with -R $sockdir/a.sock:SERVER-SOCKET" &&
    printf '%s\n' "$out" | grep -q "ready: the backup server b connects as $login with -R $sockdir/b.sock:SERVER-SOCKET"
ok $? "it says which socket each server forwards"

# ---- through the real sshd: each key its own tag, rules and socket -----------------

# a regular file in each socket's place: the connector says which one
# the rule pinned ("... is not a socket"), at once
install -o "$login" -g "$runner" -m 0600 /dev/null "$sockdir/a.sock" &&
    install -o "$login" -g "$runner" -m 0600 /dev/null "$sockdir/b.sock" || sgt_bail "sockets"
e2e_sshd_start
vps() {	# vps KEY SOURCE-ADDRESS COMMAND
	ssh -F /dev/null -T -o BatchMode=yes -i "$SGT_DIR/$1" -o IdentitiesOnly=yes \
	    -b "$2" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	    -o LogLevel=ERROR "$login@127.0.0.1" "$3" 2>&1 < /dev/null
}
last_log() { grep -E 'sshgate\[[0-9]+\]: (permit|deny) ' "$SGT_DIR/syslog" | tail -1; }
borg_v="borg $(borg --version | cut -d' ' -f2)"
sessions() {	# sessions DESCRIPTION: both keys, each its own rules and socket
	local s k a o=b r
	for s in a b; do
		k=k$s
		a=127.0.0.1 && [ $s = b ] && a=127.0.0.2
		[ $s = b ] && o=a
		is "$(vps "$k" "$a" 'borg --version')" "$borg_v" "$1: key $s reaches borg --version"
		last_log | grep -q "permit rule=borg-version caller=$login.* from=$a tag=$s "
		ok $? "... through the gate with tag $s"
		for r in list info; do
			got=$(vps "$k" "$a" "borg $r ssh://backup/./vps")
			printf '%s\n' "$got" | grep -qF "$sockdir/$s.sock is not a socket" &&
			    ! printf '%s\n' "$got" | grep -qF "$o.sock"
			ok $? "$1: key $s's borg $r goes to $s.sock, not to $o.sock"
			last_log | grep -q "permit rule=borg-$r.$s caller=$login.* tag=$s "
			ok $? "... by rule borg-$r.$s with tag $s"
		done
	done
}
sessions "sshgate as the login shell"
# the client cannot choose another tag: its command is only the command
out=$(vps ka 127.0.0.1 "$gate b")
last_log | grep -q "deny caller=$login.* tag=a "
ok $? "key a asking for '$gate b' is denied, with tag a"
# ... nor another server's address
out=$(vps kb 127.0.0.1 'borg --version')
[ "$out" != "$borg_v" ] && grep -q "from=\"127.0.0.2,192.0.2.0/24\"" "$keyfile"
ok $? "key b from a's address (127.0.0.1) is refused: its from= is its own"
! grep -E 'sshgate\[[0-9]+\]: permit ' "$SGT_DIR/syslog" | grep -E 'rule=[a-z-]+\.b ' | grep -qv 'tag=b ' &&
    ! grep -E 'sshgate\[[0-9]+\]: permit ' "$SGT_DIR/syslog" | grep -E 'rule=[a-z-]+\.a ' | grep -qv 'tag=a '
ok $? "the gate's log: no rule of one server ever permitted with the other's tag"

# /bin/sh as the login shell: the tag still arrives (sh -c "GATE NAME")
out=$(install_vps --shell sh "${AB[@]}" 2>&1)
ok $? "a run with --shell sh succeeds"
[ $? -eq 0 ] || diag "$out"
is "$(getent passwd "$login" | cut -d: -f7)" /bin/sh "... the login shell is /bin/sh"
[ "$(printf '%s\n' "$out" | grep -c "sshgate-lint --audit (server [ab], from 127.0.0.[12]): audit of $login: no findings")" = 2 ]
ok $? "... and sshgate-lint --audit finds nothing to report (keys with command=, no ForceCommand, /bin/sh)"
sessions "/bin/sh as the login shell"
out=$(install_vps "${AB[@]}" 2>&1)
is "$(getent passwd "$login" | cut -d: -f7)" "$gate" "a run without --shell makes sshgate the shell again"

# ---- idempotent -----------------------------------------------------------------------

cp "$manifest" "$SGT_DIR/manifest.1"
out=$(install_vps "${AB[@]}" 2>&1)
ok $? "a second run with the same servers succeeds"
printf '%s\n' "$out" | grep -q 'nothing changed' && ! printf '%s\n' "$out" | grep -Eq ' (wrote|created|changed) '
ok $? "... and changes nothing"
cmp -s "$manifest" "$SGT_DIR/manifest.1"
ok $? "... and records the same"

# ---- a ForceCommand from elsewhere would take the tags away ---------------------------

cp "$dropin" "$SGT_DIR/dropin.before"
printf 'Match User %s\n\tForceCommand %s\n' "$login" "$gate" > "$E2E_VPS/sshd_config.d/00-site.conf"
out=$("$lint" -f "$SGT_POLICY" --audit --gate "$gate" --sshd /usr/sbin/sshd \
    --sshd-config "$E2E_VPS/sshd_config" --authorized-keys "$keyfile" --from 127.0.0.1 \
    "$login" 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q "ForceCommand overrides the keys' command=, so no tag reaches the gate"
ok $? "sshgate-lint --audit warns about it: no tag would reach the gate"
rm -f "$dropin"
sed -i "/^file\t${dropin//\//\\/}\t/d" "$manifest"
out=$(install_vps "${AB[@]}" 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q "effective 'forcecommand' for $login is '$gate', not 'none'"
ok $? "a ForceCommand of another sshd_config line is detected"
[ ! -e "$dropin" ]
ok $? "... and the new drop-in is rolled back"
rm -f "$E2E_VPS/sshd_config.d/00-site.conf"
cp "$SGT_DIR/dropin.before" "$dropin"
out=$(install_vps "${AB[@]}" 2>&1)
ok $? "a run after the conflict is gone succeeds"
[ $? -eq 0 ] || diag "$out"

# ---- another set: the servers given are the servers installed ---------------------------

out=$(install_vps --server a --from 127.0.0.1 --key-file "$SGT_DIR/ka.pub" \
    --server c --from 127.0.0.3 --key-file "$SGT_DIR/kc.pub" 2>&1)
ok $? "a run with --server a and --server c succeeds"
[ $? -eq 0 ] || diag "$out"
is "$(sed -n 's/^rule \(.*\) {$/\1/p' "$SGT_POLICY" | grep -E '\.[a-z]+$' | paste -sd' ')" \
    "borg-create.a borg-list.a borg-info.a borg-create.c borg-list.c borg-info.c" \
    "the policy has a's and c's rules, b's are gone"
is "$(sed 's/^.*command="[^ ]* \([a-z]*\)" .* sgt-\(k[a-z]\)$/\1 \2/' "$keyfile" | paste -sd' ')" "a ka c kc" \
    "the keys are a's and c's, b's is gone"
out=$(vps kb 127.0.0.2 'borg --version')
[ "$out" != "$borg_v" ]
ok $? "key b no longer logs in"
is "$(vps kc 127.0.0.3 'borg --version')" "$borg_v" "key c does"
last_log | grep -q "permit rule=borg-version caller=$login.* tag=c "
ok $? "... with tag c"

# ---- remove ---------------------------------------------------------------------------------

kill "$(cat "$E2E_VPS/sshd.pid")"
rm -f "$sockdir/a.sock" "$sockdir/b.sock"
out=$(install_vps --remove 2>&1)
ok $? "--remove succeeds"
diag "$out"
! getent passwd "$login" >/dev/null && ! getent passwd "$runner" >/dev/null
ok $? "the accounts it created are gone"
is "$(passwd_now)" "$before_passwd" "/etc/passwd and /etc/group are as before"
[ ! -e "$SGT_POLICY" ] && [ ! -e "$keyfile" ] && [ ! -e "$dropin" ] &&
    [ ! -e "$E2E_VPS/tmpfiles.d" ] && [ ! -e "$manifest" ] && [ ! -e "$state" ]
ok $? "the policy, the keys, the drop-in and the rest are gone"
is "$(stat -c '%U:%G %a' "$gate")" "root:root 4750" "the gate's owner and mode are restored"

sgt_done
