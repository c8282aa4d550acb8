#!/bin/bash
# What borgmatic 1.7 really sends, through the real wrapper, against the
# shipped policy: every command of create (verbosity 0, 1, 2; --stats,
# --list, --progress, --json, --dry-run), list and info is permitted;
# prune, compact, check, server-side exclude files and another
# repository are denied, each with the rule that explains it.
#
# borgmatic runs with the shipped borgmatic-1.7/pull.yaml.in and the shipped
# wrapper setup/server/sshgate-pull; only ssh is replaced, by a recorder
# that answers like borg would.  No root needed.
. "${top_srcdir:-.}/tests/lib/sgt.sh"

lint=$top_builddir/sshgate-lint
policy=$top_builddir/setup/vps/policy
command -v borgmatic >/dev/null || sgt_skip "needs borgmatic"
[ -x "$lint" ] && [ -r "$policy" ] || sgt_bail "build first ($lint, $policy)"

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

# The recorder: one file per ssh call with the argv, one line per word.
cat > "$T/fake-ssh" <<'EOF'
#!/bin/bash
n=$(ls "$REC" | wc -l)
f=$REC/$(printf '%03d' "$n")
printf '%s\n' "$@" > "$f.argv"
printf '%s\n' "${BORG_PASSPHRASE-(unset)}" > "$f.env"
cmd=${!#}
case $cmd in
*"'--version'"*)	echo "borg 1.2.4" ;;
*"'--short'"*)		echo "vps-2026-11-27T04:00:00.000000" ;;
*"'--json'"*)		echo '{"repository": {"id": "0123456789abcdef"}, "archives": []}' ;;
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

# The shipped config, rendered as setup/server/install renders it.
render() {	# render TEMPLATE SOURCES-YAML
	sed -e "s|@name@|vps|g" -e "s|@home@|$T/home|g" \
	    -e "s|@conf_dir@|$T/conf|g" -e "s|@libexec_dir@|$T|g" \
	    -e "s|@sources@|$2|" "$1"
}
render "$top_srcdir/setup/server/borgmatic-1.7/pull.yaml.in" \
    '        - /srv/vps-data\n        - /etc' | sed 's/\\n/\n/g' > "$T/pull.yaml"
! grep -n '@[a-z_]*@' "$T/pull.yaml"
ok $? "the shipped pull config has no placeholder this test does not know"
validate-borgmatic-config -c "$T/pull.yaml" >/dev/null 2>&1
ok $? "the shipped pull config is valid for borgmatic $(borgmatic --version)"

bm() {	# bm NAME BORGMATIC-ARGS...: run, keep the calls under NAME
	local name=$1
	shift
	rm -f "$REC"/*
	env -i HOME="$T/home" PATH=/usr/bin:/bin REC="$REC" LANG=C.UTF-8 \
	    borgmatic --no-color --syslog-verbosity -1 "$@" > "$T/out" 2>&1 ||
	    { diag "borgmatic $* failed:"; sed 's/^/#   /' "$T/out"; }
	mkdir -p "$T/calls/$name"
	cp "$REC"/* "$T/calls/$name/" 2>/dev/null
}

cmd_of() { tail -1 "$1"; }	# the remote command: ssh's last argument

# ---- what must be permitted --------------------------------------------------

permitted=()
for v in 0 1 2; do
	for extra in "" --stats --list --progress --json; do
		name=create-v$v${extra:+-${extra#--}}
		bm "$name" -c "$T/pull.yaml" -v "$v" create $extra
		permitted+=("$name")
	done
	bm "dry-run-v$v" -c "$T/pull.yaml" -v "$v" --dry-run create
	bm "list-v$v" -c "$T/pull.yaml" -v "$v" list
	bm "info-v$v" -c "$T/pull.yaml" -v "$v" info
	permitted+=("dry-run-v$v" "list-v$v" "info-v$v")
done
# borgmatic's default archive name, {hostname}-{now:...}
grep -v '^    archive_name_format:' "$T/pull.yaml" > "$T/hostname.yaml"
bm hostname -c "$T/hostname.yaml" create
permitted+=(hostname)
bm list-json -c "$T/pull.yaml" list --json
bm info-json -c "$T/pull.yaml" info --json
bm list-latest -c "$T/pull.yaml" list --archive latest
bm list-archive -c "$T/pull.yaml" list --archive vps-2026-11-27T04:00:00.000000
bm info-archive -c "$T/pull.yaml" info --archive vps-2026-11-27T04:00:00.000000
permitted+=(list-json info-json list-latest list-archive info-archive)

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
		fi
	done
	[ "$n" -ge 2 ] || { bad=$((bad + 1)); diag "$name: only $n ssh sessions"; }
done
is "$bad" 0 "all $all commands of ${#permitted[@]} borgmatic runs are permitted by the shipped policy"

# The runs covered what they claim to.
seen() {	# seen DESCRIPTION REGEX: some permitted command matches
	local f
	for f in "$T"/calls/*/*.argv; do
		cmd_of "$f" | grep -Eq -- "$2" && { ok 0 "seen and permitted: $1"; return; }
	done
	ok 1 "seen and permitted: $1"
}
seen "the version probe at -v 0" "^borg '--version'$"
seen "the version probe at -v 1" "^borg '--version' '--info'$"
seen "the version probe at -v 2" "^borg '--version' '--debug' '--show-rc'$"
seen "the {now:...} archive name" "'ssh://backup/./vps::vps-\{now:%Y-%m-%dT%H:%M:%S.%f\}'"
seen "borgmatic's default {hostname}-{now:...} archive name" "'ssh://backup/./vps::\{hostname\}-\{now:%Y-%m-%dT%H:%M:%S.%f\}'"
seen "create --stats after the sources" "'/srv/vps-data' ('--info' )?'--stats'$"
seen "create --list --filter AMEx-" "'create' .*'--list' '--filter' 'AMEx-'"
seen "create --progress" "'--progress'$"
seen "create --json" "'create' .*'--json'$"
seen "create --dry-run" "'create' .*'--dry-run'"
seen "create -v 2's --debug --show-rc" "'/srv/vps-data' '--debug' '--show-rc'"
seen "list --last 1 --short (the 'latest' lookup)" "'list' .*'--last' '1' '--short'"
seen "info --glob-archives after the repository" "'info' .*'ssh://backup/./vps' '--glob-archives'"

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
is "$(cat "${f%.argv}.env")" "$passphrase" \
    "the passphrase reaches ssh in its environment (from encryption_passcommand)"

# ---- what must be denied, and why ---------------------------------------------

reason() {	# reason COMMAND: the rule that decides, or "permit"
	"$lint" -f "$policy" --explain "$1" 2>/dev/null |
	    sed -n 's/^deny: rule .\([a-z-]*\).*/\1/p; s/^deny: \(no rule\).*/\1/p; s/^permit: .*/permit/p'
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

sed 's/^    exclude_caches: true$/    exclude_caches: true\n    exclude_patterns:\n        - "*.tmp"/' \
    "$T/pull.yaml" > "$T/excl.yaml"
bm exclude -c "$T/excl.yaml" create
c=$(cmd_of "$(ls "$T"/calls/exclude/*.argv | tail -1)")
case $c in *"'--exclude-from' '/tmp/"*) ok 0 "exclude_patterns sends --exclude-from a server-side temp file" ;;
*) ok 1 "exclude_patterns sends --exclude-from a server-side temp file"; diag "$c" ;; esac
is "$(reason "$c")" exclude-from-server "... which is denied with what to do instead"
"$lint" -f "$policy" --test "$c" 2>&1 | grep -q 'extra_borg_options'
ok $? "... and the message names the borgmatic option to use"

sed 's|ssh://backup/./vps|ssh://backup/./elsewhere|' "$T/pull.yaml" > "$T/repo.yaml"
bm wrong-repo -c "$T/repo.yaml" create
c=$(cmd_of "$(ls "$T"/calls/wrong-repo/*.argv | tail -1)")
is "$(reason "$c")" wrong-repository "another repository is denied by the rule that says which one is allowed"

# The old recipe's wrapper, verbatim from what borgmatic sent through it.
is "$(reason "sudo -E borg --rsh=\"sh -c 'exec socat STDIO UNIX-CONNECT:/tmp/borg.sock'\" create ssh://backup/./vps::vps-{now:%Y-%m-%dT%H:%M:%S.%f} /srv/vps-data")" \
    old-wrapper-rsh "the old sudo wrapper's --rsh is denied with a migration hint"

sgt_done
