#!/bin/bash
# How the gate is started, and by whom: the three invocation forms, tags,
# -f, the caller's group, and the exit statuses of a refusal (2 usage or
# caller, 3 denied; never 1).
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"

sgt_policy - <<EOF
sshgate-policy 1
rule tagged {
    tag  nightly
    run  /bin/echo tagged
    as   $SGT_RUNNER
    args "job" /[a-z]+/*
}
rule open {
    run  /bin/echo open
    as   $SGT_RUNNER
    args "job" /[a-z]+/*
}
EOF
alt=$SGT_DIR/alt.policy
sed 's/echo open/echo alternative/' "$SGT_POLICY" >"$alt"
chmod 0644 "$alt"

# g [VAR=val ...] -- ARGS: the setuid gate as the login account;
# sets rc, out (stdout) and err (stderr)
g() {
	sgt_gate "$@" >"$SGT_DIR/out" 2>"$SGT_DIR/err" </dev/null
	rc=$?
	out=$(cat "$SGT_DIR/out")
	err=$(cat "$SGT_DIR/err")
}

# expect RC STDOUT-or-STDERR-ERE DESCRIPTION
expect() {
	if [ "$rc" = "$1" ] && printf '%s\n%s\n' "$out" "$err" |
	    grep -qE -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "exit $rc, want $1" "stdout: $out" "stderr: $err"
	fi
}

# ---- ForceCommand: no arguments, the command in SSH_ORIGINAL_COMMAND --------
g SSH_ORIGINAL_COMMAND="job a b" --
expect 0 '^open a b$' "ForceCommand form: runs the command"
g SSH_ORIGINAL_COMMAND="job A" --
expect 3 '^sshgate: denied: no rule permits this command$' \
    "a command no rule permits exits 3"
g --
expect 3 '^sshgate: denied: no command given \(interactive login is not allowed\)$' \
    "no SSH_ORIGINAL_COMMAND (a shell request) exits 3"
g SSH_ORIGINAL_COMMAND= --
expect 3 'denied: empty command' "an empty command exits 3"
g SSH_ORIGINAL_COMMAND="job a; id" --
expect 3 "denied: unquoted ';' at column 6" \
    "a command the tokenizer refuses exits 3"
g SSH_ORIGINAL_COMMAND="/usr/lib/openssh/sftp-server" --
expect 3 'denied: no rule permits' "a subsystem request is denied like any command"

# ---- command="sshgate TAG" ----------------------------------------------------
g SSH_ORIGINAL_COMMAND="job a" -- nightly
expect 0 '^tagged a$' "sshgate TAG: the tag selects the tagged rule"
g SSH_ORIGINAL_COMMAND="job a" -- daily
expect 0 '^open a$' "another tag passes the tagged rule over"
g SSH_ORIGINAL_COMMAND="job a" -- -- nightly
expect 0 '^tagged a$' "sshgate -- TAG"
for bad in "bad/tag" "-x" "with space" "" "$(printf 'x%.0s' {1..65})" \
    "$(printf 'tag\033[2J')"; do
	g SSH_ORIGINAL_COMMAND="job a" -- -- "$bad"
	expect 2 "^sshgate: bad tag" "a bad tag exits 2: $(printf %q "$bad")"
done
g SSH_ORIGINAL_COMMAND="job a" -- nightly extra
expect 2 "too many arguments" "two tags exit 2"
g SSH_ORIGINAL_COMMAND="job a" -- -z
expect 2 "unknown option '-z'" "an unknown option exits 2"

# ---- the login shell: sshgate -c CMD -------------------------------------------
g SSH_ORIGINAL_COMMAND="job a" -- -c "sshgate nightly"
expect 0 '^tagged a$' 'login shell with a forced command: -c "sshgate TAG"'
g SSH_ORIGINAL_COMMAND="job a" -- -c "/usr/sbin/sshgate nightly"
expect 0 '^tagged a$' '-c "/path/to/sshgate TAG"'
g SSH_ORIGINAL_COMMAND="job a" -- -c "sshgate"
expect 0 '^open a$' '-c "sshgate": no tag'
g -- -c "sshgate nightly"
expect 3 "denied: no command given" \
    '-c "sshgate TAG" without SSH_ORIGINAL_COMMAND: a shell request, denied'
g -- -c "job b c"
expect 0 '^open b c$' 'login shell without a forced command: -c CMD is the command'
g -- -c "job b; id"
expect 3 "denied: unquoted ';'" '-c CMD goes through the tokenizer'
g SSH_ORIGINAL_COMMAND="job a" -- -c "sshgate bad/tag"
expect 2 "bad tag" '-c "sshgate BADTAG" exits 2'
g SSH_ORIGINAL_COMMAND="job a" -- -c "sshgate a b"
expect 2 "one tag at most" '-c "sshgate TAG TAG" exits 2'
g SSH_ORIGINAL_COMMAND="job a" -- -c "sshgate nightly" extra
expect 2 "too many arguments" '-c CMD ARG exits 2'

# ---- -f: real root only, not under sudo -------------------------------------------
g SSH_ORIGINAL_COMMAND="job a" -- -f "$alt"
expect 2 "^sshgate: -f is for real root only$" "-f from the login account exits 2"
env -i SSH_ORIGINAL_COMMAND="job a" "$SGT_DIR/bin/sshgate" -f "$alt" \
    >"$SGT_DIR/out" 2>&1
rc=$? out=$(cat "$SGT_DIR/out") err=
expect 0 '^alternative a$' "-f from real root reads that policy"
env -i SSH_ORIGINAL_COMMAND="job a" SUDO_UID=1000 SUDO_USER=someone \
    "$SGT_DIR/bin/sshgate" -f "$alt" >"$SGT_DIR/out" 2>&1
rc=$? out=$(cat "$SGT_DIR/out") err=
expect 2 "-f is for real root only" "-f under sudo (SUDO_UID set) exits 2"
env -i SSH_ORIGINAL_COMMAND="job a" "$SGT_DIR/bin/sshgate" -f \
    >"$SGT_DIR/out" 2>&1
rc=$? out=$(cat "$SGT_DIR/out") err=
expect 2 "unknown option '-f'" "-f without a file exits 2"

# ---- the caller ------------------------------------------------------------------------
# In the gate's group only as a supplementary group: exec works, the
# real group is not the gate's.
env -i SSH_ORIGINAL_COMMAND="job a" setpriv --reuid="$SGT_LOGIN" \
    --regid="$SGT_RUNNER" --groups="$(id -g "$SGT_LOGIN")" -- \
    /bin/sh -c 'exec "$0"' "$SGT_DIR/bin/sshgate" >"$SGT_DIR/out" 2>&1
rc=$? out=$(cat "$SGT_DIR/out") err=
expect 2 "caller's group $(id -g "$SGT_RUNNER") is not sshgate's group $(id -g "$SGT_LOGIN")" \
    "a caller whose group is not the gate's exits 2"
# Not in the group at all: the kernel refuses the exec (mode 4750).  The
# exec is the shell's: setpriv itself still holds root's capabilities
# when it execs, which would let it past the mode bits.
env -i setpriv --reuid="$SGT_RUNNER" --regid="$SGT_RUNNER" --clear-groups \
    -- /bin/sh -c 'exec "$0"' "$SGT_DIR/bin/sshgate" >"$SGT_DIR/out" 2>&1
rc=$? out=$(cat "$SGT_DIR/out") err=
[ "$rc" = 126 ] && ! grep -q '^sshgate:' "$SGT_DIR/out" &&
    grep -q 'Permission denied' "$SGT_DIR/out"
ok $? "another account cannot execute the gate at all (mode 4750)"
# A gate that everyone may execute is refused by the gate itself.
install -o root -g "$SGT_LOGIN" -m 4755 "$SGT_GATE_NATIVE" \
    "$SGT_DIR/bin/sshgate-open"
env -i SSH_ORIGINAL_COMMAND="job a" setpriv --reuid="$SGT_RUNNER" \
    --regid="$SGT_RUNNER" --clear-groups -- /bin/sh -c 'exec "$0"' \
    "$SGT_DIR/bin/sshgate-open" >"$SGT_DIR/out" 2>&1
rc=$? out=$(cat "$SGT_DIR/out") err=
expect 2 "sshgate is executable by everyone" \
    "a gate installed mode 4755 refuses to run (exit 2)"
# Not setuid at all.
install -o root -g root -m 0755 "$SGT_GATE_NATIVE" "$SGT_DIR/bin/sshgate-plain"
env -i SSH_ORIGINAL_COMMAND="job a" setpriv --reuid="$SGT_LOGIN" \
    --regid="$SGT_LOGIN" --clear-groups -- "$SGT_DIR/bin/sshgate-plain" \
    >"$SGT_DIR/out" 2>&1
rc=$? out=$(cat "$SGT_DIR/out") err=
expect 2 "must be installed setuid root" "a gate without the setuid bit exits 2"

# The version, for an upgrade's check: the gate as the login account and
# the connector, on stdout, exit 0; the same as the linter's.
version=$(sed -n 's/^AC_INIT(\[sshgate\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
g -- --version
is "$rc $out" "0 sshgate $version (policy version 1)" "sshgate --version: the version on stdout, exit 0"
is "$err" "" "... nothing on stderr"
out=$("$top_builddir/sshgate-connect" --version 2>&1); rc=$?
is "$rc $out" "0 sshgate-connect $version" "sshgate-connect --version"
out=$("$top_builddir/sshgate-lint" --version 2>&1); rc=$?
is "$rc $out" "0 sshgate-lint $version (policy version 1)" "sshgate-lint --version, the same version"
g -- --version extra
is "$rc" 2 "sshgate --version with more arguments: a usage error (exit 2)"

sgt_done
