#!/bin/bash
# Landlock's execute right (docs/sshgate-policy.5 "exec", docs/sshgate.8
# "Landlock"): the program executes only its own program, the rule's
# "exec" paths (files, or directories and what is beneath them), the
# program BORG_RSH names, and the interpreter each of them names
# ("#!", ELF PT_INTERP).  Every one is walked from "/" as root like the
# program; an untrusted or missing one is a refusal with exit 126.
# Before the execute right, every exec below was "ok".
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"

abi=$("$SGT_PY" -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')
[ "$abi" -ge 1 ] 2>/dev/null || sgt_skip "this kernel has no Landlock (abi $abi)"

interp=$(readelf -l "$CF_PROBE" 2>/dev/null |
    sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
[ -n "$interp" ] || sgt_bail "the probe names no ELF interpreter"

# Copies of programs: one in a root-owned directory the rule names, one
# in a root-owned directory it does not, one where the runner writes.
xdir=$SGT_DIR/sgt-xdir
odir=$SGT_DIR/sgt-other
install -d -o root -g root -m 0755 "$xdir" "$odir"
install -o root -g root -m 0755 /bin/true "$xdir/true"
install -o root -g root -m 0755 "$CF_PROBE" "$odir/sgt-probe-copy"
install -o "$SGT_RUNNER" -g "$SGT_RUNNER" -m 0755 /bin/true "$CF_HOME/true"
# A script as the program: its "#!" interpreter is executable, and what
# it executes must be listed.
script=$SGT_DIR/bin/sgt-probe.sh
printf '#!/bin/sh\nexec %s "$@"\n' "$CF_PROBE" > "$script"
chmod 0755 "$script"
# A directory the runner owns: not trusted for exec
install -d -o "$SGT_RUNNER" -g "$SGT_RUNNER" -m 0755 "$SGT_DIR/sgt-rdir"

{
	echo "sshgate-policy 1"
	cf_rule plain probe "as       $SGT_RUNNER" "write    $CF_HOME"
	cf_rule listed probe-x "as       $SGT_RUNNER" \
	    "exec     /usr/bin/id $xdir"
	cf_rule rsh probe-rsh "as       $SGT_RUNNER" \
	    "setenv   BORG_RSH \"/usr/bin/id -u sgt\""
	cf_rule untrusted probe-u "as       $SGT_RUNNER" \
	    "exec     $SGT_DIR/sgt-rdir"
	cf_rule missing probe-m "as       $SGT_RUNNER" \
	    "exec     $SGT_DIR/sgt-none"
	cf_rule best probe-be "as       $SGT_RUNNER" "landlock best-effort"
	printf 'rule script {\n    run      %s\n    as       %s\n' "$script" "$SGT_RUNNER"
	printf '    exec     %s\n    args     "probe-s" /[A-Za-z0-9_=\\/.:-]+/*\n}\n' "$CF_PROBE"
} | sgt_policy -

# The rule without "exec": its own program and interpreter only.
cf_gate SSH_ORIGINAL_COMMAND="probe exec=/bin/sh exec=/usr/bin/id exec=$odir/sgt-probe-copy exec=$CF_HOME/true exec=$xdir/true exec=$CF_PROBE exec=$interp" --
expect_status 0 "plain: runs"
expect "exec=/bin/sh: errno=EACCES" "plain: /bin/sh cannot be executed"
expect "exec=/usr/bin/id: errno=EACCES" "plain: /usr/bin/id cannot be executed"
expect "exec=$odir/sgt-probe-copy: errno=EACCES" "plain: a copy of the program elsewhere cannot be executed"
expect "exec=$CF_HOME/true: errno=EACCES" "plain: a file in the writable path cannot be executed"
expect "exec=$xdir/true: errno=EACCES" "plain: a program of another rule's exec directory cannot be executed"
expect "exec=$CF_PROBE: ok" "plain: its own program can be executed again"
expect "exec=$interp: ok" "plain: its ELF interpreter can be executed (execve opens it for execution)"

# "exec": a file and a directory
cf_gate SSH_ORIGINAL_COMMAND="probe-x exec=/usr/bin/id exec=$xdir/true exec=/bin/sh exec=/usr/bin/true" --
expect_status 0 "listed: runs"
expect "exec=/usr/bin/id: ok" "listed: an exec file can be executed"
expect "exec=$xdir/true: ok" "listed: a program beneath an exec directory can be executed"
expect "exec=/bin/sh: errno=EACCES" "listed: /bin/sh still cannot"
expect "exec=/usr/bin/true: errno=EACCES" "listed: /usr/bin/true (not beneath $xdir) cannot"

# BORG_RSH's program is derived
cf_gate SSH_ORIGINAL_COMMAND="probe-rsh exec=/usr/bin/id exec=/bin/sh" --
expect "exec=/usr/bin/id: ok" "rsh: the program BORG_RSH names can be executed"
expect "exec=/bin/sh: errno=EACCES" "rsh: nothing else"

# A script: its "#!" interpreter and the exec path
cf_gate SSH_ORIGINAL_COMMAND="probe-s exec=/bin/sh exec=/usr/bin/id" --
expect_status 0 "script: runs (its #! interpreter and the probe it executes are allowed)"
expect "exec=/bin/sh: ok" "script: its #! interpreter can be executed"
expect "exec=/usr/bin/id: errno=EACCES" "script: nothing else"

# Untrusted or missing exec paths: a refusal, nothing runs
cf_gate SSH_ORIGINAL_COMMAND="probe-u status" --
expect_status 126 "untrusted: an exec path the runner owns is refused with exit 126"
expect_no "^Uid:" "untrusted: nothing ran"
printf '%s\n' "$out" | grep -q "exec path $SGT_DIR/sgt-rdir of rule 'untrusted' refused"
ok $? "untrusted: the refusal names the path and the rule"
grep -q "exec path $SGT_DIR/sgt-rdir of rule 'untrusted' refused" "$SGT_DIR/syslog"
ok $? "untrusted: the refusal is logged"
cf_gate SSH_ORIGINAL_COMMAND="probe-m status" --
expect_status 126 "missing: an exec path that does not exist is refused with exit 126"
expect_no "^Uid:" "missing: nothing ran"

# Without Landlock, best-effort runs as before: nothing limits exec.
out=$(env -i SSH_ORIGINAL_COMMAND="probe-be exec=/usr/bin/id" "$CF_PROBE" \
    wrap-landlock=ENOSYS "$SGT_DIR/bin/sshgate" 2>&1); rc=$?
expect_status 0 "ENOSYS, best-effort: runs"
expect "exec=/usr/bin/id: ok" "ENOSYS, best-effort: exec is not limited (what best-effort gives up)"

# The execute right is Landlock ABI 1: the oldest ABI limits it too.
out=$(env -i SSH_ORIGINAL_COMMAND="probe exec=/usr/bin/id exec=$CF_PROBE" \
    "$CF_PROBE" wrap-landlock=abi:1 "$SGT_DIR/bin/sshgate" 2>&1); rc=$?
expect_status 0 "abi 1: runs"
expect "exec=/usr/bin/id: errno=EACCES" "abi 1: /usr/bin/id cannot be executed"
expect "exec=$CF_PROBE: ok" "abi 1: its own program can"
sgt_done
