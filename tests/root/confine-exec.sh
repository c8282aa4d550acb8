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
# Root's, but below the login account's home, which the login may change
lbin=$SGT_DIR/home/$SGT_LOGIN/sgt-bin
install -d -o root -g root -m 0755 "$lbin"

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
	cf_rule lhome probe-lh "as       $SGT_RUNNER" \
	    "exec     $lbin"
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
# the gate's reason: "sshgate: exec path PATH of rule 'NAME' refused: WHY"
gate_why() { printf '%s\n' "$out" | sed -n "s|^sshgate: exec path $1 of rule '$2' refused: ||p"; }
u_why=$(gate_why "$SGT_DIR/sgt-rdir" untrusted)
cf_gate SSH_ORIGINAL_COMMAND="probe-m status" --
expect_status 126 "missing: an exec path that does not exist is refused with exit 126"
expect_no "^Uid:" "missing: nothing ran"
m_why=$(gate_why "$SGT_DIR/sgt-none" missing)
cf_gate SSH_ORIGINAL_COMMAND="probe-lh status" --
expect_status 126 "below the login's home: an exec path there is refused with exit 126"
expect_no "^Uid:" "below the login's home: nothing ran"
lh_why=$(gate_why "$lbin" lhome)
is "$lh_why" "directory $SGT_DIR/home/$SGT_LOGIN is owned by uid $(id -u "$SGT_LOGIN"), not root" \
    "below the login's home: the refusal names the login's directory"

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

# sshgate-lint --audit walks each exec path as the gate does (policy/
# trust.c): an exec-path error with the gate's reason and a fix for each
# path the gate refuses, nothing for the ones it accepts.
"$SGT_DIR/bin/sshgate-lint" --json --audit --gate "$SGT_DIR/bin/sshgate" \
    --sshd-config "$SGT_DIR/sgt-no-sshd_config" --pam-dir "$SGT_DIR/sgt-no-pam" \
    "$SGT_LOGIN" > "$SGT_DIR/audit.json" 2>&1
is "$?" 2 "audit: it finds errors (exit 2)"
audit_says() {	# audit_says PATH REASON: an exec-path error with the reason
	"$SGT_PY" - "$SGT_DIR/audit.json" "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
hits = [r for r in recs if r.get("name") == "exec-path" and
        r["subject"] == sys.argv[2] and r["level"] == "error" and
        sys.argv[3] and r["message"].endswith(sys.argv[3]) and r.get("fix")]
if not hits:
    for r in recs:
        if r.get("name") == "exec-path":
            print("# " + json.dumps(r))
sys.exit(0 if hits else 1)
PY
}
audit_says "$SGT_DIR/sgt-rdir" ": $u_why"
ok $? "audit: the exec path the runner owns, the gate's reason, a fix"
audit_says "$SGT_DIR/sgt-none" "($m_why)"
ok $? "audit: the exec path that does not exist, the gate's reason, a fix"
audit_says "$lbin" ": $lh_why"
ok $? "audit: the exec path below the login's home, the gate's reason, a fix"
n=$("$SGT_PY" -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print(sum(1 for r in recs if r.get("name") == "exec-path"))' "$SGT_DIR/audit.json")
is "$n" 3 "audit: no exec-path finding for the paths the gate accepts (/usr/bin/id, $xdir, the probe)"
sgt_done
