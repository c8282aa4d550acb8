#!/bin/bash
# The wrapper setup/server/sshgate-pull on its own, with ssh replaced by a
# recorder: the lines of the server's pattern and exclude files become
# --pattern and --exclude words, cleaned as borg cleans them, in one
# spelling; what cannot work on the VPS (a style line, this server's
# runtime directory, a file that is not here, a command longer than the
# gate takes) is refused here with the reason, before ssh runs; the
# passphrase reaches ssh's environment whichever way borgmatic hands it
# over, and never its argv.  No root needed.
. "${top_srcdir:-.}/tests/lib/sgt.sh"

lint=$top_builddir/sshgate-lint
[ -x "$lint" ] && [ -r "$top_builddir/setup/vps/policy" ] || sgt_bail "build first ($lint)"
T=$(mktemp -d /tmp/sgt-wrapper.XXXXXX) || sgt_bail mktemp
trap 'kill $sockpid 2>/dev/null; rm -rf "$T"' EXIT

"$SGT_PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen()
while True: time.sleep(60)' "$T/local.sock" &
sockpid=$!
for i in $(seq 100); do [ -S "$T/local.sock" ] && break; sleep 0.05; done

cat > "$T/fake-ssh" <<'EOF'
#!/bin/bash
printf '%s\n' "$@" > "$REC.argv"
printf '%s\n' "${BORG_PASSPHRASE-(unset)}" > "$REC.pass"
ls -l /proc/$$/fd > "$REC.fds" 2>&1
exit 0
EOF
chmod +x "$T/fake-ssh"
cat > "$T/job.conf" <<EOF
VPS_HOST=vps.example.org
VPS_LOGIN=borg
SSH_KEY=$T/key
KNOWN_HOSTS=$T/known_hosts
REMOTE_SOCKET=/run/sshgate/borg/borg.sock
LOCAL_SOCKET=$T/local.sock
LOCK_FILE=$T/lock
SSH=$T/fake-ssh
EOF

wrap() {	# wrap [VAR=value ...] -- ARGS: output in $T/out, status returned
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	rm -f "$T/rec".*
	env -i PATH=/usr/bin:/bin REC="$T/rec" "${envs[@]}" \
	    "$top_srcdir/setup/server/sshgate-pull" "$T/job.conf" "$@" > "$T/out" 2>&1
}
# the words the gate gets from the command the wrapper sent
words() { "$lint" -f "$top_builddir/setup/vps/policy" --explain "$(tail -1 "$T/rec.argv")" 2>/dev/null |
    sed -n 's/^  \[[0-9]*\] //p'; }

# ---- pattern files ---------------------------------------------------------------

# borgmatic 1.9's patterns file lives in its runtime directory here
rt=$T/run/borgmatic-abcd1234
mkdir -p "$rt/borgmatic"
pf=$rt/borgmatic/tmpxyz
printf '%s\n' 'R /srv/data' '  r   /etc  ' '' '# a comment' '   # an indented comment' \
    '+ sh:/srv/data/keep/*' '-/srv/data/cache2' '!   fm:*.pyc' > "$pf"
printf '! fm:/srv/data/cache' >> "$pf"	# no newline at the end, as borgmatic writes it
wrap -- create --patterns-from "$pf" --exclude-caches 'ssh://backup/./vps::vps-{now}'
ok $? "a patterns file is sent"
is "$(words)" "$(printf '%s\n' borg create \
    --pattern 'R /srv/data' --pattern 'R /etc' --pattern '+ sh:/srv/data/keep/*' \
    --pattern '- /srv/data/cache2' --pattern '! fm:*.pyc' --pattern '! fm:/srv/data/cache' \
    --exclude-caches 'ssh://backup/./vps::vps-{now}')" \
    "... as --pattern words in the file's order: spaces, blank lines and comments dropped, one space after the type, r as R, the last line without newline"
! tail -1 "$T/rec.argv" | grep -q -e "$T" -e '--patterns-from' -e borgmatic-
ok $? "... and no name of a file or directory of this server"

printf '%s\n' '  *.bak  ' '' '# c' 'sh:/home/*/.cache' > "$T/excl"
wrap -- create "--exclude-from=$T/excl" --exclude-from "$T/excl" 'ssh://backup/./vps::vps-{now}' /etc
is "$(words)" "$(printf '%s\n' borg create --exclude '*.bak' --exclude 'sh:/home/*/.cache' \
    --exclude '*.bak' --exclude 'sh:/home/*/.cache' 'ssh://backup/./vps::vps-{now}' /etc)" \
    "an exclude file (both spellings of the option) is sent as --exclude words"

refused() {	# refused DESCRIPTION REGEX: status 2, the message, ssh not run
	[ "$rc" -eq 2 ] && grep -Eq -- "$2" "$T/out" && [ ! -e "$T/rec.argv" ]
	ok $? "$1"
	[ "$rc" -eq 2 ] && [ ! -e "$T/rec.argv" ] || sed 's/^/#   /' "$T/out"
}
refused_file() {	# refused_file FILE DESCRIPTION REGEX LINE...: FILE holds the lines
	local file=$1 what=$2 re=$3
	shift 3
	printf '%s\n' "$@" > "$file"
	wrap -- create --patterns-from "$file" x; rc=$?
	refused "$what" "$re"
}
refused_file "$T/p1" "a P line is refused: it would change how the lines after it are read" \
    "'P re'.*write the style on each pattern" 'R /etc' 'P re' '- x'
refused_file "$T/p1" "... and so is its lower-case spelling" "'p sh'" 'R /etc' 'p sh'
refused_file "$T/p1" "a line that is no pattern is refused" "'X /etc' is not a borg pattern line" 'X /etc'
refused_file "$T/p1" "a pattern line without a value is refused" "has no path or pattern" 'R   '
# the bootstrap hook: the config file and RUNTIME/./borgmatic/bootstrap
refused_file "$pf" "borgmatic's runtime directory in the patterns (the bootstrap hook) is refused, with what to set" \
    "runtime directory on this server .*store_config_files: false" \
    'R /etc' 'R /etc/borgmatic/vps.yaml' "R $rt/./borgmatic/bootstrap"
refused_file "$pf" "... also in an include line with a style (borgmatic 2.0)" "store_config_files: false" \
    'R /etc' "+ pp:$rt/borgmatic/bootstrap"
wrap -- create --patterns-from /nonexistent/patterns x; rc=$?
refused "a file that is not on this server is refused, with what to do" \
    "/nonexistent/patterns: cannot read it on this server .*exclude_patterns or patterns"
wrap -- create --patterns-from; rc=$?
refused "--patterns-from without a file is refused" "without a file"
"$SGT_PY" -c '
import sys
print("\n".join("- /srv/data/%05d/x" % i for i in range(5000)))' > "$T/big"
wrap -- create --patterns-from "$T/big" x; rc=$?
refused "a command longer than the gate accepts is refused here, with the sizes" \
    "bytes, more than sshgate accepts \(65536\)"
printf 'R /et\303\251\n' > "$T/p1"
wrap -- create --patterns-from "$T/p1" x; rc=$?
refused "a pattern with a byte the gate refuses is refused here" "outside printable ASCII"

# ---- the passphrase, whichever way it comes ----------------------------------------

pass=p-$RANDOM-$RANDOM
sent() {	# sent DESCRIPTION: the recorder got $pass, not in argv
	[ -e "$T/rec.pass" ] && [ "$(cat "$T/rec.pass")" = "$pass" ] &&
	    ! grep -qF -- "$pass" "$T/rec.argv"
	ok $? "$1"
	[ -e "$T/rec.pass" ] || sed 's/^/#   /' "$T/out"
}
wrap BORG_PASSPHRASE="$pass" -- --version
sent "BORG_PASSPHRASE (1.7's encryption_passphrase) reaches ssh's environment only"
printf '%s\n' "$pass" > "$T/passfile"
wrap BORG_PASSCOMMAND="cat $T/passfile" -- --version
sent "BORG_PASSCOMMAND (1.7's encryption_passcommand) runs here; only its result is sent"
printf '%s\n\n' "$pass" > "$T/passfile"
wrap BORG_PASSPHRASE_FD=5 -- --version 5<"$T/passfile"
sent "BORG_PASSPHRASE_FD (1.9 and 2.0) is read here, trailing newlines removed as borg does"
! grep -q ' 5 -> ' "$T/rec.fds"
ok $? "... and the descriptor is not passed on to ssh"
printf '%s' "$pass" | { wrap BORG_PASSPHRASE_FD=7 -- --version 7<&0; }
sent "... also from a pipe, as borgmatic hands it over"
printf 'other\n' > "$T/other"
wrap BORG_PASSPHRASE="$pass" BORG_PASSCOMMAND="cat $T/other" BORG_PASSPHRASE_FD=5 -- --version 5<"$T/other"
sent "BORG_PASSPHRASE wins over the other two, as in borg"
wrap BORG_PASSCOMMAND="cat $T/passfile" BORG_PASSPHRASE_FD=5 -- --version 5<"$T/other"
sent "BORG_PASSCOMMAND wins over BORG_PASSPHRASE_FD, as in borg"
wrap BORG_PASSPHRASE_FD=x5 -- --version; rc=$?
refused "a BORG_PASSPHRASE_FD that is no descriptor number is refused" "not a descriptor number"
wrap BORG_PASSPHRASE_FD=0 -- --version; rc=$?
refused "... and so is standard input" "not a descriptor number above 2"
wrap -- --version
is "$(cat "$T/rec.pass")" "(unset)" "without any, no passphrase is sent"

sgt_done
