#!/bin/bash
# setup/vps/install's reload of sshd (issue 15, portability): the unit is
# found, not assumed -- ssh.service on Debian and Ubuntu, sshd.service on
# RHEL, Fedora, Arch and SUSE -- and without systemd the pid in
# /run/sshd.pid gets SIGHUP.  Each case runs the installer's --remove
# with a manifest that records nothing (it reloads sshd and changes
# nothing else), with a systemctl of the test's own first in PATH that
# logs its arguments and says which unit is active; "systemd runs" is
# /run/systemd/system in the test's private /run (tests/lib/sgt.sh).
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"

inst=$top_srcdir/setup/vps/install
fake=$SGT_DIR/fakebin
mkdir -p "$fake"
# systemctl: "is-active --quiet UNIT" is true for the units in
# $SGT_DIR/active; everything else is logged and succeeds, but a reload
# of a unit named in $SGT_DIR/fail fails
cat > "$fake/systemctl" <<EOF
#!/bin/sh
echo "\$*" >> $SGT_DIR/systemctl.log
case \$1 in
is-active)	grep -qx "\$3" $SGT_DIR/active ;;
reload)		! grep -qx "\$2" $SGT_DIR/fail ;;
*)		exit 0 ;;
esac
EOF
chmod 0755 "$fake/systemctl"
: > "$SGT_DIR/fail"
printf '# written by setup/vps/install; --remove undoes these, newest last\n' > "$SGT_DIR/manifest.in"

run() {	# run [OPTIONS...]: --remove with an empty manifest; output in $out
	cp "$SGT_DIR/manifest.in" "$SGT_DIR/manifest"
	: > "$SGT_DIR/systemctl.log"
	out=$(PATH="$fake:$PATH" "$inst" --remove --login "$SGT_LOGIN" \
	    --manifest "$SGT_DIR/manifest" "$@" 2>&1)
	rc=$?
}
reloads() { grep '^reload' "$SGT_DIR/systemctl.log" | paste -sd,; }

mkdir -p /run/systemd/system

# ---- systemd: the active unit's name -----------------------------------------

echo ssh.service > "$SGT_DIR/active"
run
is "$rc:$(reloads)" "0:reload ssh.service" "Debian, Ubuntu (ssh.service active): systemctl reload ssh.service"
printf '%s\n' "$out" | grep -qx 'setup/vps/install: reloaded ssh.service'
ok $? "... and says so"

echo sshd.service > "$SGT_DIR/active"
run
is "$rc:$(reloads)" "0:reload sshd.service" "RHEL, Fedora, Arch, SUSE (sshd.service active): systemctl reload sshd.service"
printf '%s\n' "$out" | grep -qx 'setup/vps/install: reloaded sshd.service'
ok $? "... and says so"

# Debian also answers for its alias sshd.service: ssh.service is taken
printf 'ssh.service\nsshd.service\n' > "$SGT_DIR/active"
run
is "$rc:$(reloads)" "0:reload ssh.service" "both names active (Debian's alias): one reload, of ssh.service"

: > "$SGT_DIR/active"
run
is "$rc:$(reloads)" "0:" "neither active: no reload"
printf '%s\n' "$out" | grep -qx 'setup/vps/install: no running sshd found to reload (neither ssh.service nor sshd.service is active): sshd reads the drop-in when it starts'
ok $? "... and says why"

# the unit named by hand
: > "$SGT_DIR/active"
run --reload systemctl:openssh-server.service
is "$rc:$(reloads)" "0:reload openssh-server.service" "--reload systemctl:UNIT reloads UNIT"

# a reload that fails: an error that says what is in place and what to do
echo sshd.service > "$SGT_DIR/active"
echo sshd.service > "$SGT_DIR/fail"
run
ok $((rc == 0)) "a failed systemctl reload: the installer fails"
printf '%s\n' "$out" | grep -qxF "setup/vps/install: error: systemctl reload sshd.service failed: the changes above are made, but sshd has not read them: reload it yourself"
ok $? "... naming the unit and what to do"
: > "$SGT_DIR/fail"

# ---- no systemd: SIGHUP to the pid in /run/sshd.pid -------------------------------

rm -rf /run/systemd
echo ssh.service > "$SGT_DIR/active"
# a stand-in sshd that records the SIGHUP it gets
bash -c "trap 'echo hup >> $SGT_DIR/hup' HUP; while :; do sleep 0.1; done" &
stand_in=$!
SGT_PIDS="$SGT_PIDS $stand_in"
echo "$stand_in" > /run/sshd.pid
sleep 0.2
run
for i in $(seq 50); do [ -s "$SGT_DIR/hup" ] && break; sleep 0.1; done
is "$rc:$(reloads):$(cat "$SGT_DIR/hup" 2>/dev/null)" "0::hup" "no systemd: SIGHUP to the pid in /run/sshd.pid, systemctl not used"
printf '%s\n' "$out" | grep -qx "setup/vps/install: reloaded sshd (SIGHUP to $stand_in from /run/sshd.pid)"
ok $? "... and says so"

rm -f /run/sshd.pid
run
is "$rc:$(reloads)" "0:" "no systemd and no /run/sshd.pid: nothing reloaded"
printf '%s\n' "$out" | grep -qx 'setup/vps/install: no running sshd found to reload (no /run/sshd.pid): sshd reads the drop-in when it starts'
ok $? "... and says why"

run --reload bogus
ok $((rc == 0)) "--reload bogus: refused"
printf '%s\n' "$out" | grep -qx "setup/vps/install: error: bad --reload 'bogus' (auto, none, systemctl:UNIT or pidfile:FILE)"
ok $? "... naming the accepted values"

sgt_done
