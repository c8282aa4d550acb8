#!/bin/bash
# The confinement matrix (docs/SECURITY.md, "Confinement matrix"): the same
# probe words run (a) through the real setuid gate under a typical rule
# (a runner account, caps dac_read_search, seccomp strict, Landlock, one
# writable directory, a timeout, so that a supervisor exists) and (b) under
# bubblewrap with the command line below, run as the same runner account,
# by a caller with a hostile process state (as confine-caller-state.sh).
# In the cgroup rows the caller acts, not the program: the login account,
# with a delegated cgroup v2 subtree (tests/lib/cgroup.sh), starts the run
# in it and tries to move the run's processes and to freeze them.
# Each row's sshgate cell is asserted; the bubblewrap cells are measured,
# not asserted (only that bwrap ran).  Then both columns must be what
# SECURITY.md's table says, cell by cell: a cell there is the measured
# value, optionally followed by a remark in parentheses.  The measured
# table is written to $top_builddir/confine-matrix.md.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
. "$top_srcdir/tests/lib/cgroup.sh"
cf_init "$@"
command -v bwrap >/dev/null || sgt_skip "needs bubblewrap (setup/deps test)"

# ---- fixtures ----------------------------------------------------------------
# $CF_HOME: the writable path.  $out_dir: the runner's, not a writable path.
# In the writable path, a symlink to it.  $wlink: a symlink (root's) to
# another directory of the runner, named as a rule's writable path.
out_dir=$SGT_DIR/sgt-out
other_dir=$SGT_DIR/sgt-other
wlink=$SGT_DIR/sgt-wlink
install -d -o "$SGT_RUNNER" -g "$SGT_RUNNER" -m 0700 "$out_dir" "$other_dir"
ln -s "$out_dir" "$CF_HOME/sgt-link"
ln -s "$other_dir" "$wlink"
sleep 600 >/dev/null 2>&1 &	# a root process
root_pid=$!
SGT_PIDS="$SGT_PIDS $root_pid"
cf_runner_sleeper		# a process of the runner, outside any sandbox

rule() {	# rule NAME FIRSTWORD WRITABLE: the typical rule
	cf_rule "$1" "$2" \
	    "as       $SGT_RUNNER" \
	    "caps     dac_read_search" \
	    "seccomp  strict" \
	    "landlock require" \
	    "write    $3" \
	    "timeout  60s"
}
{ echo "sshgate-policy 1"; rule typical probe "$CF_HOME"; } | sgt_policy -

# The bubblewrap sandbox, run as the runner account (bwrap 0.8 is not
# setuid on Debian 12: it makes an unprivileged user namespace).
BWRAP=(bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp
    --bind "$CF_HOME" "$CF_HOME" --unshare-all --die-with-parent
    --new-session --cap-drop ALL)
as_runner=(env -i PATH=/usr/bin:/bin setpriv --reuid="$SGT_RUNNER"
    --regid="$SGT_RUNNER" --clear-groups --)

# The caller's hostile process state (soft limits only: a lowered hard
# limit is refused where root lacks CAP_SYS_RESOURCE): RLIMIT_NOFILE 64,
# nice 19, SCHED_IDLE, one CPU, the idle I/O class, oom_score_adj 1000,
# a timer slack of 1 s (set in the process that forks the next one).
all_cpus=$("$SGT_PY" -c 'import os
os.sched_setaffinity(0, range(8192))
print(" ".join(str(c) for c in sorted(os.sched_getaffinity(0))))')
one_cpu=${all_cpus##* }
HOSTILE=("$SGT_PY" "$top_srcdir/tests/lib/slack.py" prlimit --nofile=64: --
    nice -n 19 chrt --idle 0 taskset -c "$one_cpu"
    ionice -c 3 choom -n 1000 --)

words="status state kill-parent prlimit-parent kill=$root_pid ptrace=$CF_SIB"
words="$words create=/etc/sgt-f$SGT_ID create=$out_dir/f-out"
words="$words create=$CF_HOME/sgt-link/f-link create=/tmp/sgt-t$SGT_ID"
words="$words create=$CF_HOME/f-home inet mount clone-newuser exec=/bin/sh"
tty_words="devtty sti=sgt-inject-0 sti-tty=sgt-inject-tty tcsetpgrp"
TERMINAL=("$SGT_PY" "$top_srcdir/tests/lib/terminal.py")
gate_cmd() {	# gate_cmd CMD [GATE]: $G runs the setuid gate as the login account
	G=(env -i SSH_ORIGINAL_COMMAND="$1" setpriv --reuid="$SGT_LOGIN" \
	    --regid="$SGT_LOGIN" --clear-groups -- /bin/sh -c 'exec "$@"' sh \
	    "${2:-$SGT_DIR/bin/sshgate}")
}

# ---- the runs ----------------------------------------------------------------
clean() { rm -f /etc/sgt-f$SGT_ID /tmp/sgt-t$SGT_ID "$out_dir"/* \
    "$other_dir"/* "$CF_HOME"/f-*; }
declare -A cell		# cell[COLUMN,ROW]

# Everything the host shows after a run: where the files landed.
landed() {	# landed COLUMN
	local c=$1
	on_host() { [ -e "$1" ] && echo "on the host" || echo "not on the host"; }
	host[$c,tmp]=$(on_host /tmp/sgt-t$SGT_ID)
	host[$c,home]=$(on_host "$CF_HOME/f-home")
	host[$c,link]=$(on_host "$out_dir/f-link")
	host[$c,out]=$(on_host "$out_dir/f-out")
	host[$c,etc]=$(on_host /etc/sgt-f$SGT_ID)
	host[$c,wlink]=$(on_host "$other_dir/f-wlink")
}
declare -A host

clean
# (the gate without valgrind under the hostile state: valgrind would not
# start under it; see tests/lib/sgt.sh)
gate_cmd "probe $words" "$SGT_GATE_NATIVE"
out_gate=$("${HOSTILE[@]}" "${G[@]}" 2>&1); rc_gate=$?
landed sshgate
clean
out_bwrap=$("${HOSTILE[@]}" "${as_runner[@]}" "${BWRAP[@]}" "$CF_PROBE" $words 2>&1)
rc_bwrap=$?
landed bubblewrap
clean
is "$rc_gate" 0 "sshgate: the probe ran under the typical rule"
printf '%s\n' "$out_gate" | grep -Fxq "Seccomp: 2"
ok $? "sshgate: ... and reported"
is "$rc_bwrap" 0 "bubblewrap: the probe ran under bwrap"
printf '%s\n' "$out_bwrap" | grep -q "^Seccomp:"
ok $? "bubblewrap: ... and reported"
[ "$rc_bwrap" = 0 ] || printf '%s\n' "$out_bwrap" | sed 's/^/#   bwrap: /'

# On a terminal, as sshd with a pty runs the command (the session leader).
gate_cmd "probe $tty_words"
tty_gate=$("${TERMINAL[@]}" -- "${G[@]}" 2>&1)
tty_bwrap=$("${TERMINAL[@]}" -- "${as_runner[@]}" "${BWRAP[@]}" "$CF_PROBE" \
    $tty_words 2>&1)
tr -d '\r' <<<"$tty_gate" | grep -Fxq "terminal.py: exit=0"
ok $? "sshgate: the probe ran on a terminal"
tr -d '\r' <<<"$tty_bwrap" | grep -Fxq "terminal.py: exit=0"
ok $? "bubblewrap: the probe ran on a terminal"

# The caller's cgroup: the login account, with a delegated cgroup v2
# subtree as systemd's user manager has one (tests/lib/cgroup.sh), starts
# the run there, as in confine-cgroup.sh, and then tries to move the run's
# processes into a cgroup "x" of its own there and to freeze the cgroups
# they are in: a frozen supervisor is a timeout that never fires.  The
# run's processes are what was started and everything below it: the gate's
# supervisor and the program; bwrap, its init and the program.  bwrap is
# started there as the runner account, as above.
run_tree() {	# run_tree PID: PID and its descendants, parents first
	local p
	echo "$1"
	for p in $(pgrep -P "$1"); do run_tree "$p"; done
}
one_cell() {	# one_cell VALUE...: the value they all have, or each of them
	local vs
	vs=$(printf '%s\n' "$@" | sort -u)
	case $vs in
	*$'\n'*) echo "mixed: $(printf '%s' "$vs" | tr '\n' ';' | sed 's/;/; /g')" ;;
	*) echo "$vs" ;;
	esac
}
wrote() {	# wrote RESULT: login_write's result, as a cell
	case $1 in
	ok) echo "allowed" ;;
	errno=*) echo "denied: ${1#errno=}" ;;
	*) echo "other: $1" ;;
	esac
}
cg_dir() {	# cg_dir CGROUP: its directory, below the mount
	echo "$CG${1#"$CGROOT"}"
}
all_frozen() {	# all_frozen CGROUP...: each says it is frozen
	local d
	for d in "$@"; do
		grep -qx "frozen 1" "$(cg_dir "$d")/cgroup.events" || return 1
	done
}
declare -A cg_frozen cg_after
cg_run() {	# cg_run COLUMN CMD...: CMD in $DEL, its processes moved, frozen
	local c=$1 out=$SGT_DIR/cg-$1.out p d i r pids vs=() ms=() fs=() dirs
	shift
	cg_start "$out" "$@"
	for i in $(seq 200); do
		grep -q "^sleep=30: pid=" "$out" && break
		sleep 0.05
	done
	grep -q "^sleep=30: pid=" "$out"
	ok $? "$c: the probe ran, started in the caller's subtree"
	pids=$(run_tree "$cg_pid")
	for p in $pids; do	# where the run is
		d=$(cgroup_of "$p")
		case $d in
		"$CGROOT/sshgate/run-$cg_pid"|"$CGROOT/sshgate/run-$cg_pid/prog")
			vs+=("the gate's") ;;
		"$CGROOT/sgt-d$SGT_ID") vs+=("the caller's") ;;
		*) vs+=("other: $d") ;;
		esac
		r=$(login_write "$DEL/x/cgroup.procs" "$p")
		ms+=("$(wrote "$r")")
		diag "$c: pid $p ($(cat "/proc/$p/comm" 2>/dev/null)) in $d; the caller moves it to x: $r"
	done
	cell[$c,cgroup]=$(one_cell "${vs[@]}")
	cell[$c,cgroup-move]=$(one_cell "${ms[@]}")
	# the cgroups the run is in now, each frozen by the caller
	dirs=$(for p in $pids; do cgroup_of "$p"; done | sort -u)
	for d in $dirs; do
		r=$(login_write "$(cg_dir "$d")/cgroup.freeze" 1)
		fs+=("$(wrote "$r")")
		diag "$c: the caller freezes $d: $r"
	done
	# frozen when every cgroup of the run says so (which takes a moment)
	cg_frozen[$c]="not frozen"
	for i in $(seq 40); do
		all_frozen $dirs && { cg_frozen[$c]=frozen; break; }
		[ "$(one_cell "${fs[@]}")" = allowed ] || break
		sleep 0.05
	done
	cell[$c,cgroup-freeze]=$(one_cell "${fs[@]}")
	[ "${cell[$c,cgroup-freeze]}" = allowed ] &&
	    cell[$c,cgroup-freeze]="allowed, ${cg_frozen[$c]}"
	cg_after[$c]=$(for p in $pids; do cgroup_of "$p"; done | paste -sd' ')
	# the end of the run: thawed, the processes below the starter ended
	cg_thaw
	kill $(printf '%s\n' $pids | tail -n +2) 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$cg_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL $pids 2>/dev/null
	wait "$cg_pid" 2>/dev/null
	return 0
}
if cg_delegate; then
	setpriv --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" --clear-groups -- \
	    mkdir "$DEL/x"
	ok $? "the caller makes a cgroup in its delegated subtree"
	gate_cmd "probe sleep=30"
	cg_run sshgate "${G[@]}"
	run=$CGROOT/sshgate/run-$cg_pid
	is "${cg_after[sshgate]}" "$run $run/prog" \
	    "sshgate: the supervisor and the program stay in the gate's cgroup"
	is "${cg_frozen[sshgate]}" "not frozen" "sshgate: ... not frozen"
	cg_run bubblewrap "${as_runner[@]}" "${BWRAP[@]}" "$CF_PROBE" sleep=30
else	# a skip, which fails where the tests must run (CI)
	for c in sshgate bubblewrap; do
		for r in cgroup cgroup-move cgroup-freeze; do
			cell[$c,$r]="not measured (no writable cgroup2 mount)"
		done
	done
fi

# A writable path that is a symlink (to another directory of the runner).
{ echo "sshgate-policy 1"; rule symw probe "$wlink"; } | sgt_policy -
gate_cmd "probe create=$wlink/f-wlink"
out_wgate=$("${G[@]}" 2>&1); rc_wgate=$?
host[sshgate,wlink]=$([ -e "$other_dir/f-wlink" ] && echo "on the host" || echo "not on the host")
clean
BWRAP_W=("${BWRAP[@]}")
BWRAP_W[11]=$wlink; BWRAP_W[12]=$wlink	# --bind LINK LINK instead
out_wbwrap=$("${as_runner[@]}" "${BWRAP_W[@]}" "$CF_PROBE" \
    create="$wlink/f-wlink" 2>&1); rc_wbwrap=$?
host[bubblewrap,wlink]=$([ -e "$other_dir/f-wlink" ] && echo "on the host" || echo "not on the host")
clean

# ---- the cells -------------------------------------------------------------------
val() {	# val OUTPUT WORD: the probe's result for WORD, as a cell
	local line
	line=$(tr -d '\r' <<<"$1" | grep -F -m1 -- "$2: " | cut -d' ' -f2-)
	case $line in
	ok)		echo "allowed" ;;
	errno=*)	echo "denied: ${line#errno=}" ;;
	"")		echo "no answer" ;;
	*)		echo "$line" ;;
	esac
}
written() {	# written OUTPUT WORD COLUMN KEY: a create's cell
	local v
	v=$(val "$1" "$2")
	[ "$v" = allowed ] && v="allowed, ${host[$3,$4]}"
	echo "$v"
}
capname() {
	case $1 in
	0000000000000000) echo "none" ;;
	0000000000000004) echo "dac_read_search" ;;
	*) echo "$1" ;;
	esac
}
# the caller's values above, and sshgate(8)'s defaults
state_cell() {	# state_cell OUTPUT FIELD CALLERS DEFAULT
	local v
	v=$(tr -d '\r' <<<"$1" | sed -n "s/^$2: //p" | head -1)
	case $v in
	"$3") echo "inherited" ;;
	"$4") echo "reset" ;;
	*) echo "other: $v" ;;
	esac
}
ROWS=(caps capbnd nnp seccomp write-etc write-outside write-symlink \
    write-tmp write-own write-path-symlink exec-sh inet mount newns ptrace \
    kill-parent prlimit-parent kill-root devtty sti sti-tty tcsetpgrp \
    state-nofile state-nice state-sched state-affinity state-ioprio \
    state-oom state-timerslack cgroup cgroup-move cgroup-freeze)
for c in sshgate bubblewrap; do
	if [ $c = sshgate ]; then o=$out_gate t=$tty_gate; else o=$out_bwrap t=$tty_bwrap; fi
	f() { tr -d '\r' <<<"$o" | sed -n "s/^$1:[[:space:]]*//p" | head -1; }
	cell[$c,caps]=$(capname "$(f CapEff)")
	cell[$c,capbnd]=$(capname "$(f CapBnd)")
	case $(f NoNewPrivs) in 1) cell[$c,nnp]=set;; *) cell[$c,nnp]="not set";; esac
	case $(f Seccomp) in 2) cell[$c,seccomp]=filter;; 0) cell[$c,seccomp]=none;; *) cell[$c,seccomp]=$(f Seccomp);; esac
	cell[$c,write-etc]=$(written "$o" "create=/etc/sgt-f$SGT_ID" $c etc)
	cell[$c,write-outside]=$(written "$o" "create=$out_dir/f-out" $c out)
	cell[$c,write-symlink]=$(written "$o" "create=$CF_HOME/sgt-link/f-link" $c link)
	cell[$c,write-tmp]=$(written "$o" "create=/tmp/sgt-t$SGT_ID" $c tmp)
	cell[$c,write-own]=$(written "$o" "create=$CF_HOME/f-home" $c home)
	cell[$c,exec-sh]=$(val "$o" exec=/bin/sh)
	cell[$c,inet]=$(val "$o" inet)
	cell[$c,mount]=$(val "$o" mount)
	cell[$c,newns]=$(val "$o" clone-newuser)
	cell[$c,ptrace]=$(val "$o" "ptrace=$CF_SIB")
	cell[$c,kill-parent]=$(val "$o" kill-parent)
	cell[$c,prlimit-parent]=$(val "$o" prlimit-parent)
	cell[$c,kill-root]=$(val "$o" "kill=$root_pid")
	cell[$c,devtty]=$(val "$t" devtty)
	cell[$c,sti]=$(val "$t" sti=sgt-inject-0)
	cell[$c,sti-tty]=$(val "$t" sti-tty=sgt-inject-tty)
	cell[$c,tcsetpgrp]=$(val "$t" tcsetpgrp)
	cell[$c,state-nofile]=$(state_cell "$o" limit-nofile "64 *" "1024 4096")
	# (the caller's hard limit is the host's; only the soft one was lowered)
	case $(f limit-nofile) in 64\ *) cell[$c,state-nofile]=inherited;; esac
	cell[$c,state-nice]=$(state_cell "$o" nice 19 0)
	cell[$c,state-sched]=$(state_cell "$o" sched idle other)
	cell[$c,state-affinity]=$(state_cell "$o" affinity "$one_cpu" "$all_cpus")
	cell[$c,state-ioprio]=$(state_cell "$o" ioprio idle/7 none/0)
	cell[$c,state-oom]=$(state_cell "$o" oom_score_adj 1000 0)
	cell[$c,state-timerslack]=$(state_cell "$o" timerslack 1000000000 50000)
done
for c in sshgate bubblewrap; do	# the run, or a refusal before it
	if [ $c = sshgate ]; then o=$out_wgate r=$rc_wgate; else o=$out_wbwrap r=$rc_wbwrap; fi
	if [ "$r" != 0 ] && ! printf '%s\n' "$o" | grep -q '^create='; then
		cell[$c,write-path-symlink]="refused before the run: exit $r"
		printf '%s\n' "$o" | sed "s/^/# $c, symlinked writable path: /"
	else
		cell[$c,write-path-symlink]=$(written "$o" "create=$wlink/f-wlink" $c wlink)
	fi
done
if [ "$one_cpu" = "$all_cpus" ]; then	# one CPU: nothing to tell apart
	cell[sshgate,state-affinity]="not measured (one CPU)"
	cell[bubblewrap,state-affinity]="not measured (one CPU)"
fi

# ---- the sshgate column, asserted ------------------------------------------------
declare -A want=(
	[caps]="dac_read_search" [capbnd]="dac_read_search" [nnp]="set"
	[seccomp]="filter" [write-etc]="denied: EACCES"
	[write-outside]="denied: EACCES" [write-symlink]="denied: EACCES"
	[write-tmp]="denied: EACCES" [write-own]="allowed, on the host"
	[write-path-symlink]="refused before the run: exit 5"
	[exec-sh]="denied: EACCES"
	[inet]="denied: EAFNOSUPPORT" [mount]="denied: EPERM"
	[newns]="denied: EPERM" [ptrace]="denied: EPERM"
	[kill-parent]="denied: EPERM" [prlimit-parent]="denied: EPERM"
	[kill-root]="denied: EPERM" [devtty]="denied: ENXIO"
	[sti]="denied: EPERM|denied: EIO" [sti-tty]="denied: ENXIO"
	[tcsetpgrp]="denied: ENOTTY" [state-nofile]="reset"
	[state-nice]="reset" [state-sched]="reset"
	[state-affinity]="reset" [state-ioprio]="reset"
	[state-oom]="reset" [state-timerslack]="reset"
	[cgroup]="the gate's" [cgroup-move]="denied: EACCES"
	[cgroup-freeze]="denied: EACCES"
)
# a row not measured here (the affinity on one CPU, the cgroup rows without
# a writable cgroup2): a skip, which fails where the tests must run (CI)
for r in "${ROWS[@]}"; do
	case ${cell[sshgate,$r]} in "not measured ("*)
		[ "${SSHGATE_TESTS_MUST_RUN:-0}" != 1 ] &&
		    want[$r]="${want[$r]}|${cell[sshgate,$r]}" ;;
	esac
done
for r in "${ROWS[@]}"; do
	got=${cell[sshgate,$r]}
	IFS='|' read -ra alts <<<"${want[$r]}"
	hit=1
	for a in "${alts[@]}"; do [ "$got" = "$a" ] && hit=0; done
	ok $hit "sshgate, $r: $got"
	[ $hit = 0 ] || diag "want: ${want[$r]}"
done
[ ! -e "$other_dir/f-wlink" ] && [ ! -e /etc/sgt-f$SGT_ID ]
ok $? "sshgate: nothing was written outside the writable path"

# ---- the measured table, and SECURITY.md's ---------------------------------------
table=${SGT_MATRIX_OUT:-$top_builddir/confine-matrix.md}
{
	echo "| Row | sshgate | bubblewrap |"
	echo "|---|---|---|"
	for r in "${ROWS[@]}"; do
		echo "| \`$r\` | ${cell[sshgate,$r]} | ${cell[bubblewrap,$r]} |"
	done
} > "$table"
sed 's/^/# /' "$table"
"$SGT_PY" - "$table" "$top_srcdir/docs/SECURITY.md" <<'PY' > "$SGT_DIR/compare"
import os, re, sys
def rows(text, doc):
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\| `([a-z-]+)` \|(.*)\|\s*$", line)
        if not m:
            continue
        cells = [c.strip() for c in m.group(2).split(" | ")]
        if doc:		# Row | What | sshgate | bubblewrap | systemd
            cells = cells[1:3]
        # a remark in parentheses after the value is not compared
        out[m.group(1)] = [re.sub(r" \(.*\)$", "", c) for c in cells[:2]]
    return out
measured = rows(open(sys.argv[1]).read(), False)
must_run = os.environ.get("SSHGATE_TESTS_MUST_RUN") == "1"
doc = open(sys.argv[2]).read()
sec = doc.split("\n## Confinement matrix\n", 1)
sec = sec[1].split("\n## ", 1)[0] if len(sec) == 2 else ""
print("%s\tSECURITY.md has the section \"Confinement matrix\"" %
      ("ok" if sec else "not"))
documented = rows(sec, True)
for r, (g, b) in measured.items():
    d = documented.get(r)
    print("%s\tSECURITY.md has the row %s" % ("ok" if d else "not", r))
    if d:
        for col, m, w in (("sshgate", g, d[0]), ("bubblewrap", b, d[1])):
            if m == "not measured":	# e.g. the affinity on one CPU
                print("%s\t%s, %s: not measured here # SKIP" %
                      ("not" if must_run else "ok", r, col))
                continue
            print("%s\t%s, %s: SECURITY.md says what was measured (%s)%s" %
                  ("ok" if m == w else "not", r, col, m,
                   "" if m == w else "; it says: " + w))
for r in documented:
    if r not in measured:
        print("not\tSECURITY.md's row %s is measured" % r)
PY
while IFS=$'\t' read -r res desc; do
	[ "$res" = ok ]
	ok $? "$desc"
done < "$SGT_DIR/compare"
sgt_done
