#!/bin/bash
# What the client reads on a denial, and what the admin does with the
# log line (issue 14, item 4), through the real setuid gate as the login
# account:
#  - the client's stderr names the rule that came closest among those
#    whose "from" and "tag" admit the connection (the one that read the
#    most words; sshgate-policy(5), "The decision") and the first word it
#    did not accept, exactly as sshgate-lint --test prints it (one
#    function, policy/match.c);
#  - the log line of each denial -- quotes, backslashes, spaces,
#    non-ASCII, control bytes, a long command in parts -- pasted into
#    sshgate-lint --explain-log gives the very --explain of the command
#    the client sent, and so does its "paste:" line run by the shell.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"

sgt_policy - <<EOF
sshgate-policy 1
rule borg-create {
    from 192.0.2.10
    run  /bin/echo create
    as   $SGT_RUNNER
    args "borg" "create" ( "--stats" )* /ssh:\/\/backup\/\.\/vps::vps-[0-9]+/
         /\/(etc|home)(\/[a-z0-9._-]+)*/+
}
rule other-server {
    # reads further than borg-create, but only for another address
    from 192.0.2.99
    run  /bin/echo other
    as   $SGT_RUNNER
    args "borg" "create" ( "--stats" )* /ssh:.*/ /.*/+ "--never"
}
rule run-on-server {
    deny "prune belongs on the backup server"
    args "borg" "prune" /.*/*
}
EOF
lint=$top_builddir/sshgate-lint
log=$SGT_DIR/syslog
conn="192.0.2.10 50022 192.0.2.1 22"
no="no rule permits this command"

# deny_case CONN WANT COMMAND: the client's stderr is "sshgate: denied:
# WANT", nothing on stdout, exit 3; sshgate-lint --test says "deny: WANT"
deny_case() {
	local conn=$1 want=$2 cmd=$3 from=${1%% *} out rc
	out=$(sgt_gate SSH_ORIGINAL_COMMAND="$cmd" SSH_CONNECTION="$conn" \
	    -- 2>"$SGT_DIR/err")
	rc=$?
	is "$rc:$out" "3:" "denied, exit 3, nothing ran: $cmd (from $from)"
	is "$(cat "$SGT_DIR/err")" "sshgate: denied: $want" \
	    "  the client reads: $want"
	is "$("$lint" -f "$SGT_POLICY" --from "$from" --test "$cmd")" \
	    "deny: $want" "  sshgate-lint --test prints the same reason"
}

deny_case "$conn" "$no; rule 'borg-create' (line 2) does not accept word 5: '/srv/data'" \
    "borg create --stats ssh://backup/./vps::vps-1 /etc /srv/data"
deny_case "192.0.2.99 50022 192.0.2.1 22" \
    "$no; rule 'other-server' (line 9) needs more words after word 5" \
    "borg create --stats ssh://backup/./vps::vps-1 /etc /srv/data"
deny_case "$conn" "$no; rule 'borg-create' (line 2) does not accept word 3: '/etc/a\\x22b'" \
    "borg create ssh://backup/./vps::vps-1 '/etc/a\"b'"
deny_case "$conn" "$no" "sh -c id"
deny_case "$conn" "rule 'run-on-server': prune belongs on the backup server" \
    "borg prune --keep-daily 7 ssh://backup/./vps"

# ---- the log line, pasted back -------------------------------------------

# the lines since N, once the denial is whole (one line, or its last part)
deny_lines() {
	local i
	for i in $(seq 200); do
		tail -n +"$(($1 + 1))" "$log" >"$SGT_DIR/new"
		grep -Eq 'sshgate\[[0-9]+\]: deny (caller=.*" command="|.*part=([0-9]+)/\2 )' \
		    "$SGT_DIR/new" && return 0
		sleep 0.05
	done
	return 1
}

# paste_case WHAT COMMAND [LINES]: deny COMMAND, feed its log lines to
# --explain-log, compare with --explain of COMMAND itself
paste_case() {
	local what=$1 cmd=$2 n want got paste
	n=$(wc -l <"$log")
	sgt_gate SSH_ORIGINAL_COMMAND="$cmd" SSH_CONNECTION="$conn" -- \
	    >/dev/null 2>&1
	is "$?" 3 "$what: denied"
	deny_lines "$n"
	ok $? "  logged ($(grep -c ' deny ' "$SGT_DIR/new") line(s))"
	[ "$(grep -c " deny " "$SGT_DIR/new")" -ge "${3:-1}" ]
	ok $? "  in at least ${3:-1} line(s)"
	want=$("$lint" -f "$SGT_POLICY" --from 192.0.2.10 --explain "$cmd")
	got=$("$lint" -f "$SGT_POLICY" --explain-log - <"$SGT_DIR/new")
	is "$(printf '%s\n' "$got" | sed 1,2d)" "$want" \
	    "  --explain-log of the log lines is --explain of the command"
	paste=$(printf '%s\n' "$got" | sed -n 's/^paste:    sshgate-lint //p')
	LC_ALL=C grep -q '[^ -~]' <<<"$paste"
	ok $((! $?)) "  its paste: line is printable ASCII"
	got=$(eval "\"\$lint\" -f \"\$SGT_POLICY\" $paste")
	is "$got" "$want" "  and, run by the shell, gives the same"
}

paste_case "a source outside the roots" \
    "borg create --stats ssh://backup/./vps::vps-1 /etc /srv/data"
paste_case "quotes, a backslash, spaces" \
    "borg create ssh://backup/./vps::vps-1 'a  b' \"c\\\"d\" 'e\\f' \"g'h\""
paste_case "non-ASCII" "$(printf 'borg create /caf\303\251 \342\202\254')"
paste_case "control bytes" "$(printf 'borg create a\001b\033[2J\177')"
paths=$(printf ' /srv/data/dir-%04d' $(seq 700))
paste_case "a long command (14 KB), logged in parts" \
    "borg create ssh://backup/./vps::vps-1$paths 'x\"y'" 5

# A denial too long for the log (over 16384 bytes): its words alone are
# logged, and --explain-log says it cannot explain it.
paths=$(printf ' /srv/data/dir-%04d' $(seq 900))
n=$(wc -l <"$log")
sgt_gate SSH_ORIGINAL_COMMAND="borg create ssh://backup/./vps::vps-1$paths" \
    SSH_CONNECTION="$conn" -- >/dev/null 2>&1
deny_lines "$n"
"$lint" -f "$SGT_POLICY" --explain-log - <"$SGT_DIR/new" >"$SGT_DIR/out" 2>&1
is "$?:$(cat "$SGT_DIR/out")" "2:sshgate-lint: --explain-log: the log has the command's words that are not options only (it was longer than the log keeps): the gate's own reason is in the line" \
    "a command over 16384 bytes: --explain-log exits 2 and says why"

sgt_done
