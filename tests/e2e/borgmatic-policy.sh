#!/bin/bash
# What borgmatic really sends, through the real wrapper, against the
# shipped policy -- with the borgmatic of this machine: 1.7 (Debian 12)
# here, 1.9 and 2.0 in the version matrix (tests/matrix/, which runs
# this script inside a Debian 13 and an unstable userland).  Every
# command of create (verbosity 0, 1, 2; --stats, --list, --progress,
# --json, --dry-run; --log-json where borgmatic has it), list and info,
# with sources, exclude_patterns, patterns, exclude_from and
# patterns_from, is permitted; no name of a file of the server reaches
# the VPS; the passphrase reaches ssh in its environment only, however
# borgmatic hands it over; prune, compact, check, another repository,
# the raw commands of a borgmatic without the wrapper, the bootstrap
# hook and the old wrapper are refused, each with the message that says
# why.
#
# borgmatic runs with the shipped pull config and the shipped wrapper
# setup/server/sshgate-pull; only ssh is replaced, by a recorder that
# answers like borg would.  No root needed.
. "${top_srcdir:-.}/tests/lib/sgt.sh"

lint=$top_builddir/sshgate-lint
policy=$top_builddir/setup/vps/policy
command -v borgmatic >/dev/null || sgt_skip "needs borgmatic"
[ -x "$lint" ] && [ -r "$policy" ] || sgt_bail "build first ($lint, $policy)"

version=$(borgmatic --version 2>/dev/null)
case $version in
1.7.*)	family=1.7 ;;
1.9.*|2.0.*) family=1.9 ;;
*)	sgt_bail "borgmatic $version: not a version this test knows" ;;
esac
major=${version%%.*}.$(printf '%s\n' "$version" | cut -d. -f2)
diag "borgmatic $version, $(borg --version 2>/dev/null), $(/usr/bin/python3 --version 2>&1)"

T=$(mktemp -d /tmp/sgt-borgmatic.XXXXXX) || sgt_bail mktemp
trap 'kill $sockpid 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/home" "$T/conf"
passphrase="pass-$RANDOM-$RANDOM-phrase"
printf '%s\n' "$passphrase" > "$T/conf/vps.passphrase"

# A listening socket: the wrapper checks that the socket unit is there.
"$SGT_PY" -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen()
while True: time.sleep(60)' "$T/local.sock" &
sockpid=$!

# The recorder: one file per ssh call with the argv, one line per word,
# and what it received as BORG_PASSPHRASE.  It answers like borg 1.x.
cat > "$T/fake-ssh" <<'EOF'
#!/bin/bash
n=$(ls "$REC" | wc -l)
f=$REC/$(printf '%03d' "$n")
printf '%s\n' "$@" > "$f.argv"
printf '%s\n' "${BORG_PASSPHRASE-(unset)}" > "$f.env"
cmd=${!#}
latest='{"name": "vps-2026-11-27T04:00:00.000000", "archive": "vps-2026-11-27T04:00:00.000000", "id": "01234567", "start": "2026-11-27T04:00:00.000000", "time": "2026-11-27T04:00:00.000000"}'
case $cmd in
*"'--version'"*)	borg --version ;;
*"'list'"*"'--short'"*)	echo "vps-2026-11-27T04:00:00.000000" ;;
*"'list'"*"'--last'"*"'--json'"*|*"'list'"*"'--json'"*"'--last'"*)
	echo "{\"repository\": {\"id\": \"0123456789abcdef\", \"location\": \"x\"}, \"archives\": [$latest]}" ;;
*"'create'"*"'--json'"*)
	echo "{\"repository\": {\"id\": \"0123456789abcdef\", \"location\": \"x\"}, \"archive\": $latest, \"cache\": {\"stats\": {}}, \"encryption\": {\"mode\": \"repokey-blake2\"}}" ;;
*"'--json'"*)
	echo '{"repository": {"id": "0123456789abcdef", "location": "x"}, "archives": [], "encryption": {"mode": "repokey-blake2"}, "cache": {"stats": {}}}' ;;
esac
exit 0
EOF
chmod +x "$T/fake-ssh"
export REC=$T/rec
mkdir "$REC"

cat > "$T/conf/vps.conf" <<EOF
VPS_HOST=vps.example.org
VPS_LOGIN=borg
SSH_KEY=$T/conf/vps.key
KNOWN_HOSTS=$T/conf/vps.known_hosts
REMOTE_SOCKET=/run/sshgate/borg/borg.sock
LOCAL_SOCKET=$T/local.sock
LOCK_FILE=$T/lock
SSH=$T/fake-ssh
EOF
printf '#!/bin/sh\nexec %s %s "$@"\n' "$top_srcdir/setup/server/sshgate-pull" \
    "$T/conf/vps.conf" > "$T/sshgate-pull-vps"
chmod +x "$T/sshgate-pull-vps"

# The shipped config for this borgmatic, rendered as setup/server/install
# renders it; sources /srv/vps-data and /etc.
template=$top_srcdir/setup/server/borgmatic-$family/pull.yaml.in
[ -r "$template" ] || sgt_bail "no $template"
sed -e "s|@name@|vps|g" -e "s|@home@|$T/home|g" \
    -e "s|@conf_dir@|$T/conf|g" -e "s|@libexec_dir@|$T|g" \
    -e "s|@sources@|        - /srv/vps-data\n        - /etc|" "$template" |
    sed 's/\\n/\n/g' > "$T/pull.yaml"
! grep -n '@[a-z_]*@' "$T/pull.yaml"
ok $? "the shipped pull config has no placeholder this test does not know"

validate() {	# validate FILE: the way this borgmatic validates
	if [ $family = 1.7 ]; then
		validate-borgmatic-config -c "$1"
	else
		borgmatic --config "$1" config validate
	fi
}
validate "$T/pull.yaml" >/dev/null 2>&1
ok $? "the shipped pull config is valid for borgmatic $version"

# A config with every way of naming sources and excludes: patterns,
# exclude_patterns, exclude_from and patterns_from (files on the server).
# One YAML key per line in either format: 1.7 nests them under location.
printf '+ sh:/srv/vps-data/keep/*\n- /srv/vps-data/cache2\n' > "$T/conf/patterns"
printf '# a comment\n\n  *.bak  \n' > "$T/conf/excludes"
if [ $family = 1.7 ]; then ind='    '; else ind=''; fi
awk -v ind="$ind" -v conf="$T/conf" '
{ print }
/^ *exclude_caches: true$/ {
	print ind "exclude_patterns:"
	print ind "    - \"*.tmp\""
	print ind "    - /srv/vps-data/cache"
	print ind "patterns:"
	print ind "    - \"R /var/backups\""
	print ind "    - \"! re:^/srv/vps-data/[^/]+/tmp$\""
	print ind "exclude_from:"
	print ind "    - " conf "/excludes"
	print ind "patterns_from:"
	print ind "    - " conf "/patterns"
	print ind "exclude_if_present:"
	print ind "    - .nobackup"
}' "$T/pull.yaml" > "$T/all.yaml"
validate "$T/all.yaml" >/dev/null 2>&1
ok $? "a config with patterns, exclude_patterns, exclude_from, patterns_from is valid"

bm() {	# bm NAME BORGMATIC-ARGS...: run, keep the calls under NAME
	local name=$1 rc
	shift
	rm -f "$REC"/*
	env -i HOME="$T/home" PATH=/usr/bin:/bin REC="$REC" LANG=C.UTF-8 \
	    borgmatic --no-color --syslog-verbosity -1 "$@" > "$T/out.$name" 2>&1
	rc=$?
	mkdir -p "$T/calls/$name"
	cp "$REC"/* "$T/calls/$name/" 2>/dev/null
	return $rc
}

cmd_of() { tail -1 "$1"; }	# the remote command: ssh's last argument

# ---- what must be permitted --------------------------------------------------

permitted=()
run_ok() {	# run_ok NAME ARGS...: must succeed
	bm "$@" || { diag "borgmatic ${*:2} failed:"; sed 's/^/#   /' "$T/out.$1"; }
	permitted+=("$1")
}
for v in 0 1 2; do
	for extra in "" --stats --list --progress --json; do
		run_ok "create-v$v${extra:+-${extra#--}}" -c "$T/pull.yaml" -v "$v" create $extra
	done
	run_ok "dry-run-v$v" -c "$T/pull.yaml" -v "$v" --dry-run create
	run_ok "list-v$v" -c "$T/pull.yaml" -v "$v" list
	run_ok "info-v$v" -c "$T/pull.yaml" -v "$v" info
done
run_ok all-sources -c "$T/all.yaml" -v 1 create --stats --list
[ $family = 1.9 ] && run_ok log-json -c "$T/all.yaml" --log-json create list info
# borgmatic's default archive name, {hostname}-{now:...}
grep -v '^ *archive_name_format:' "$T/pull.yaml" > "$T/hostname.yaml"
run_ok hostname -c "$T/hostname.yaml" create
run_ok list-json -c "$T/pull.yaml" list --json
run_ok info-json -c "$T/pull.yaml" info --json
run_ok list-latest -c "$T/pull.yaml" list --archive latest
run_ok info-latest -c "$T/pull.yaml" info --archive latest
run_ok list-find -c "$T/pull.yaml" -v 1 list --archive latest --find etc
run_ok list-archive -c "$T/pull.yaml" list --archive vps-2026-11-27T04:00:00.000000
run_ok info-archive -c "$T/pull.yaml" info --archive vps-2026-11-27T04:00:00.000000

all=0 bad=0
for name in "${permitted[@]}"; do
	n=0
	for f in "$T/calls/$name"/*.argv; do
		[ -e "$f" ] || continue
		n=$((n + 1)) all=$((all + 1))
		c=$(cmd_of "$f")
		if ! "$lint" -f "$policy" --test "$c" >/dev/null 2>&1; then
			bad=$((bad + 1))
			diag "$name: denied: $c"
			"$lint" -f "$policy" --test "$c" 2>&1 | sed 's/^/#   /'
		fi
	done
	[ "$n" -ge 2 ] || { bad=$((bad + 1)); diag "$name: only $n ssh sessions"; }
done
is "$bad" 0 "all $all commands of ${#permitted[@]} borgmatic $version runs are permitted by the shipped policy"

# The runs covered what they claim to.
seen() {	# seen DESCRIPTION REGEX: some permitted command matches
	local f
	for f in "$T"/calls/*/*.argv; do
		cmd_of "$f" | grep -Eq -- "$2" && { ok 0 "seen and permitted: $1"; return; }
	done
	ok 1 "seen and permitted: $1"
}
seen_words() {	# seen_words DESCRIPTION WORD...: one permitted command has all
	local what=$1 f w all
	shift
	for f in "$T"/calls/*/*.argv; do
		all=1
		for w in "$@"; do
			case $(cmd_of "$f") in *"$w"*) ;; *) all=0; break ;; esac
		done
		[ $all = 1 ] && { ok 0 "seen and permitted: $what"; return; }
	done
	ok 1 "seen and permitted: $what"
}
R="'ssh://backup/./vps::vps-\{now:%Y-%m-%dT%H:%M:%S.%f\}'"
seen "the version probe at -v 0" "^borg '--version'$"
seen "the version probe at -v 1" "^borg '--version' '--info'$"
seen "the version probe at -v 2" "^borg '--version' '--debug' '--show-rc'$"
seen "the {now:...} archive name" "$R"
seen "borgmatic's default {hostname}-{now:...} archive name" "'ssh://backup/./vps::\{hostname\}-\{now:%Y-%m-%dT%H:%M:%S.%f\}'"
seen "create --list --filter" "'create' .*'--list' '--filter' 'AMEx?-'"
seen "create --progress" "'create' .*'--progress'"
seen "create --json" "'create' .*'--json'"
seen "create --dry-run" "'create' .*'--dry-run'"
seen "exclude_if_present" "'--exclude-if-present' '.nobackup'"
if [ $family = 1.7 ]; then
	seen "create --stats after the sources" "'/srv/vps-data' ('--info' )?'--stats'$"
	seen "create -v 2's --debug --show-rc after the sources" "'/srv/vps-data' '--debug' '--show-rc'"
	# with patterns, 1.7 writes the sources into the patterns file too
	seen_words "exclude_patterns, exclude_from, patterns, patterns_from and the sources, as words" \
	    "'--exclude' '*.tmp'" "'--exclude' '/srv/vps-data/cache'" "'--exclude' '*.bak'" \
	    "'--pattern' 'R /var/backups'" "'--pattern' '! re:^/srv/vps-data/[^/]+/tmp\$'" \
	    "'--pattern' '+ sh:/srv/vps-data/keep/*'" "'--pattern' '- /srv/vps-data/cache2'" \
	    "'--pattern' 'R /etc'" "'--pattern' 'R /srv/vps-data'"
	seen "list --last 1 --short (the 'latest' lookup)" "'list' .*'--last' '1' '--short'"
	seen "info --glob-archives after the repository" "'info' .*'ssh://backup/./vps' '--glob-archives'"
else
	seen "sources as R pattern words, the archive last" "^borg 'create' '--pattern' 'R /srv/vps-data' '--pattern' 'R /etc' .*$R$"
	seen "create --stats before the repository" "'--stats' $R$"
	seen "every kind of pattern, as --pattern words, in the file's order" "'--pattern' 'R /var/backups' '--pattern' '! re:\^/srv/vps-data/\[\^/\]\+/tmp\\$' '--pattern' '! fm:\*\.tmp' '--pattern' '! fm:/srv/vps-data/cache' '--pattern' '\+ sh:/srv/vps-data/keep/\*' '--pattern' '- /srv/vps-data/cache2' '--pattern' '! fm:\*\.bak'"
	seen "--log-json" "'create' .*'--log-json'"
	seen "list --find, a glob after the archive" "'list' .*'sh:\*\*/\*etc\*/\*\*'$"
	seen "info --glob-archives before the repository" "'info' .*'--glob-archives' '[^']*' ('--json' )?'ssh://backup/./vps'$"
	if [ "$major" = 2.0 ]; then
		seen "2.0's dry run before each create" "$R '--dry-run' '--list'$"
		seen "list --last 1 --json (2.0's 'latest' lookup)" "'list' .*'--last' '1' '--json'"
	else
		seen "list --last 1 --short (the 'latest' lookup)" "'list' .*'--last' '1' '--short'"
	fi
fi

# No name of a file or directory of this server reached the VPS: not the
# runtime directory, not a temporary file, not this test's directory.
hits=$(cat "$T"/calls/*/*.argv | grep -E "^borg " | grep -E -- "$T|/tmp/|borgmatic-|--(patterns|exclude)-from")
[ -z "$hits" ]
ok $? "no file or directory of the server in any command for the VPS"
[ -z "$hits" ] || diag "$hits"

# The wrapper: the tunnel, no forward failure tolerated, the passphrase in
# the environment only.
f=$(ls "$T"/calls/create-v0/*.argv | tail -1)
grep -qx 'ExitOnForwardFailure=yes' "$f"
ok $? "ssh runs with ExitOnForwardFailure=yes"
grep -qx -- "/run/sshgate/borg/borg.sock:$T/local.sock" "$f" &&
    grep -qx -- '-R' "$f"
ok $? "ssh forwards the VPS's socket to the local socket unit"
grep -qx 'SendEnv=BORG_PASSPHRASE' "$f"
ok $? "ssh sends BORG_PASSPHRASE from the environment"
! grep -rqF -- "$passphrase" "$T"/calls/*/*.argv
ok $? "the passphrase is in no ssh argv"
if [ $family = 1.7 ]; then how="BORG_PASSCOMMAND, run by the wrapper"; else how="BORG_PASSPHRASE_FD, a pipe from borgmatic"; fi
wrong=$(grep -LxF -- "$passphrase" "$T"/calls/*/*.env)
[ -z "$wrong" ]
ok $? "the passphrase reaches ssh in its environment in every call (encryption_passcommand, as $how)"
[ -z "$wrong" ] || diag "$wrong"
# encryption_passphrase: 1.7 exports it as BORG_PASSPHRASE, 1.9 and 2.0
# hand it over through the pipe
sed "s|^\( *\)encryption_passcommand: .*|\1encryption_passphrase: \"$passphrase\"|" \
    "$T/pull.yaml" > "$T/passphrase.yaml"
bm passphrase -c "$T/passphrase.yaml" create ||
    { diag "borgmatic create with encryption_passphrase failed:"; sed 's/^/#   /' "$T/out.passphrase"; }
wrong=$(grep -LxF -- "$passphrase" "$T"/calls/passphrase/*.env)
[ -n "$(ls "$T"/calls/passphrase/*.env 2>/dev/null)" ] && [ -z "$wrong" ] &&
    ! grep -rqF -- "$passphrase" "$T"/calls/passphrase/*.argv
ok $? "encryption_passphrase reaches ssh in its environment too, and no argv"

# ---- what must be denied, and why ---------------------------------------------

reason() {	# reason COMMAND: the rule that decides, or "permit"
	"$lint" -f "$policy" --explain "$1" 2>/dev/null |
	    sed -n 's/^deny: rule .\([a-z0-9-]*\).*/\1/p; s/^deny: \(no rule\).*/\1/p; s/^permit: .*/permit/p'
}

bm maintenance -c "$T/pull.yaml" prune compact check
for action in prune compact check; do
	r=
	for f in "$T"/calls/maintenance/*.argv; do
		c=$(cmd_of "$f")
		case $c in "borg '$action'"*) r=$(reason "$c") ;; esac
	done
	is "$r" run-on-server "borgmatic $action through the VPS is denied: it runs on the server"
done

sed 's|ssh://backup/./vps|ssh://backup/./elsewhere|' "$T/pull.yaml" > "$T/repo.yaml"
bm wrong-repo -c "$T/repo.yaml" create
c=$(cmd_of "$(ls "$T"/calls/wrong-repo/*.argv | tail -1)")
is "$(reason "$c")" wrong-repository "another repository is denied by the rule that says which one is allowed"

# A source outside the roots the policy allows: refused, and the message
# names the word.
sed 's|^\( *\)- /etc$|\1- /mnt/elsewhere|' "$T/pull.yaml" > "$T/outside.yaml"
bm outside -c "$T/outside.yaml" create
c=$(cmd_of "$(ls "$T"/calls/outside/*.argv | tail -1)")
is "$(reason "$c")" create-refused "a source outside the allowed roots is refused by create-refused"
"$lint" -f "$policy" --test "$c" 2>&1 | grep -q "source_directories" &&
    "$lint" -f "$policy" --test "$c" 2>&1 | grep -q "mnt/elsewhere"
ok $? "... whose message says what to change and names the word"

# borgmatic without the wrapper: what it sends names files of the server.
printf '#!/bin/sh\nprintf "%%s\\n" "$@" > %s/raw.$$\ncase " $* " in *" --version "*) borg --version;; esac\n' \
    "$T" > "$T/raw-borg"
chmod +x "$T/raw-borg"
sed "s|^\( *\)local_path: .*|\1local_path: $T/raw-borg|" "$T/all.yaml" > "$T/raw.yaml"
env -i HOME="$T/home" PATH=/usr/bin:/bin LANG=C.UTF-8 BORG_PASSPHRASE=x \
    borgmatic --no-color -c "$T/raw.yaml" create > "$T/out.raw" 2>&1
raw=$(grep -l '^create$' "$T"/raw.* | head -1)
c="borg $(sed "s/'/'\\\\''/g; s/.*/'&'/" "$raw" | paste -sd' ')"
case $c in *"'--patterns-from'"*|*"'--exclude-from'"*) ok 0 "borgmatic $version alone names files of the server" ;;
*) ok 1 "borgmatic $version alone names files of the server"; diag "$c" ;; esac
is "$(reason "$c")" server-file "... which is denied by the rule that says to use the wrapper"
"$lint" -f "$policy" --test "$c" 2>&1 | grep -q 'sshgate-pull'
ok $? "... and the message names the wrapper"

if [ $family = 1.9 ]; then
	# The bootstrap hook adds this server's config file and runtime
	# directory to the sources: the wrapper refuses, and says what to set.
	grep -v 'store_config_files' "$T/pull.yaml" | grep -v '^bootstrap:' > "$T/boot.yaml"
	! bm bootstrap -c "$T/boot.yaml" create
	ok $? "with the bootstrap hook on, create fails"
	grep -q "store_config_files: false" "$T/out.bootstrap"
	ok $? "... and the wrapper says to set bootstrap: store_config_files: false"
	! grep -q "'create'" "$T"/calls/bootstrap/*.argv 2>/dev/null
	ok $? "... before anything reaches the VPS"
fi

# The old recipe's wrapper, verbatim from what borgmatic sent through it.
is "$(reason "sudo -E borg --rsh=\"sh -c 'exec socat STDIO UNIX-CONNECT:/tmp/borg.sock'\" create ssh://backup/./vps::vps-{now:%Y-%m-%dT%H:%M:%S.%f} /srv/vps-data")" \
    old-wrapper-rsh "the old sudo wrapper's --rsh is denied with a migration hint"

sgt_done
