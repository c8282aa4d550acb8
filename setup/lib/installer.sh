# installer.sh -- what setup/vps/install and setup/server/install share
# (bash; sourced, never run).
#
# Ownership is recorded, never guessed.  Every file, directory, account
# and permission change an installer makes goes into its manifest; a
# re-run compares against it and --remove walks it backwards.  A file
# that exists but is not in the manifest belongs to someone else: the
# installer adopts it only if its content is already exactly what it
# would write, and otherwise refuses to touch it.
#
#   inst_begin MANIFEST          load a previous run's record
#   inst_file PATH MODE OWNER:GROUP < CONTENT
#   inst_dir PATH MODE OWNER:GROUP
#   inst_user NAME HOME SHELL [GROUP]
#   inst_group NAME              a system group
#   inst_record KIND ARGS...     anything else worth undoing
#   inst_undo CMD ARGS...        how to undo a change made in this run
#   inst_keep_perm PATH          ... the owner and mode PATH has now
#   inst_switch MANIFEST         record what follows in MANIFEST (a job's
#                                own); inst_commit writes both
#   inst_commit                  write the manifest (atomically)
#   inst_remove MANIFEST         undo everything recorded, newest first
#
# A failure (die) after inst_begin undoes this run's changes, newest
# first -- files put back as they were, accounts and groups it made
# removed, shells and groups it changed restored -- and leaves the
# manifest as the previous run wrote it: a failed run changes nothing.

set -u
umask 022
# "producer | inst_file": the last part of a pipeline runs in this shell,
# so that what inst_file records is not lost in a subshell.
shopt -s lastpipe

inst_prog=setup/$(basename "$(dirname "$0")")/${0##*/}
inst_changed=0

say() { printf '%s: %s\n' "$inst_prog" "$*"; }
warn() { printf '%s: warning: %s\n' "$inst_prog" "$*" >&2; }
die() {
	printf '%s: error: %s\n' "$inst_prog" "$*" >&2
	inst_rollback
	inst_commit_partial
	exit 1
}

need_root() { [ "$(id -u)" = 0 ] || die "run as root"; }

# shell-safe single quoting for messages the user may paste
shq() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

inst_manifest=
declare -a inst_old=() inst_new=()

inst_begin() {	# inst_begin MANIFEST
	inst_manifest=$1
	inst_committed=0
	inst_old=()
	inst_new=()
	inst_undo_list=()
	inst_undo_dir=$(mktemp -d /tmp/sshgate-undo.XXXXXX) ||
	    { inst_undo_dir=; die "mktemp"; }
	if [ -f "$inst_manifest" ]; then
		mapfile -t inst_old < "$inst_manifest"
	fi
}

# This run's changes, as commands that undo them (shell-quoted).
declare -a inst_undo_list=()
inst_undo_dir=
inst_undo() {	# inst_undo CMD ARGS...
	inst_undo_list+=("$(printf '%q ' "$@")")
}
inst_keep_perm() {	# inst_keep_perm PATH: its owner and mode come back on failure
	# undone newest first: chown (which clears a setuid bit), then chmod
	inst_undo chmod "$(stat -c '%a' "$1")" "$1"
	inst_undo chown "$(stat -c '%U:%G' "$1")" "$1"
}
# A copy of FILE, to be put back on failure.
inst_keep_file() {	# inst_keep_file FILE
	local copy
	copy=$(mktemp "$inst_undo_dir/file.XXXXXX") && cp -p -- "$1" "$copy" ||
	    die "cannot keep a copy of $1"
	inst_undo mv -f -- "$copy" "$1"
}
# Undo this run's changes, newest first; then the previous run's
# manifest is true again, and is kept as it is.
inst_rollback() {
	local i
	[ "$inst_committed" = 0 ] || return 0
	if [ ${#inst_undo_list[@]} -eq 0 ]; then
		[ -z "$inst_undo_dir" ] || rm -rf -- "$inst_undo_dir"
		return 0
	fi
	inst_committed=1	# no partial record: nothing of this run is left
	for ((i = ${#inst_undo_list[@]} - 1; i >= 0; i--)); do
		eval "${inst_undo_list[i]}" >/dev/null 2>&1 ||
		    warn "could not undo: ${inst_undo_list[i]}"
	done
	inst_undo_list=()
	rm -rf -- "$inst_undo_dir"
	printf '%s: rolled back every change of this run; %s is as before\n' \
	    "$inst_prog" "${inst_manifest:-the manifest}" >&2
}

inst_record() {	# inst_record FIELD... (tab-separated in the manifest)
	local IFS=$'\t'
	inst_new+=("$*")
}

# The previous run's record for KIND (or data-KIND) and KEY, or nothing.
inst_prev() {	# inst_prev KIND KEY
	local line k
	for line in "${inst_old[@]}"; do
		for k in "$1" "data-$1"; do
			case $line in "$k"$'\t'"$2"$'\t'*|"$k"$'\t'"$2")
				printf '%s\n' "$line"; return 0;; esac
		done
	done
	return 1
}

# Mark this run's records for KEY as data: --remove keeps them, only a
# purge removes them.
inst_mark_data() {	# inst_mark_data KEY
	local i k rest
	for i in "${!inst_new[@]}"; do
		k=${inst_new[i]%%$'\t'*}
		rest=${inst_new[i]#*$'\t'}
		case $k in data-*) continue ;; esac
		case $rest in "$1"|"$1"$'\t'*) inst_new[i]="data-$k"$'\t'"$rest" ;; esac
	done
}

# A run that fails half-way still records what it did, so that --remove
# can undo it: this run's records, then the previous run's that this run
# had not reached yet.
inst_committed=0
inst_commit_partial() {
	local line k seen
	[ -n "$inst_manifest" ] && [ "$inst_committed" = 0 ] || return 0
	[ ${#inst_new[@]} -gt 0 ] || [ ${#inst_old[@]} -gt 0 ] || return 0
	seen=$(printf '%s\n' "${inst_new[@]}" | cut -f1-2 | sed 's/^data-//')
	for line in "${inst_old[@]}"; do
		case $line in '#'*|'') continue ;; esac
		k=$(printf '%s\n' "$line" | cut -f1-2 | sed 's/^data-//')
		printf '%s\n' "$seen" | grep -qxF -- "$k" || inst_new+=("$line")
	done
	inst_commit
	printf '%s: recorded what was done so far in %s\n' "$inst_prog" "$inst_manifest" >&2
}

# A run that keeps two records (setup/vps/install --job: the common
# set-up's and the job's): what was recorded so far waits for inst_commit,
# the rest goes into MANIFEST; one undo list for both, so that a failure
# still undoes the whole run.
declare -a inst_pending=()
inst_switch() {	# inst_switch MANIFEST
	inst_pending+=("$inst_manifest" "$(printf '%s\n' "${inst_new[@]}")")
	inst_manifest=$1
	inst_old=()
	inst_new=()
	if [ -f "$inst_manifest" ]; then
		mapfile -t inst_old < "$inst_manifest"
	fi
}

inst_write_manifest() {	# inst_write_manifest PATH RECORD...
	local m=$1 d
	shift
	d=$(dirname "$m")
	[ -d "$d" ] || { mkdir -p "$d" && chmod 0700 "$d"; }
	printf '%s\n' "# written by $inst_prog; --remove undoes these, newest last" \
	    "$@" > "$m.tmp" && chmod 0600 "$m.tmp" && mv -f "$m.tmp" "$m" ||
	    { inst_committed=1; die "cannot write $m"; }
}

inst_commit() {
	local i
	local -a recs
	for ((i = 0; i < ${#inst_pending[@]}; i += 2)); do
		recs=()
		[ -z "${inst_pending[i + 1]}" ] || mapfile -t recs <<<"${inst_pending[i + 1]}"
		inst_write_manifest "${inst_pending[i]}" "${recs[@]}"
	done
	inst_pending=()
	inst_write_manifest "$inst_manifest" "${inst_new[@]}"
	inst_committed=1
	inst_undo_list=()
	[ -z "$inst_undo_dir" ] || rm -rf -- "$inst_undo_dir"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# inst_version STRING: "MAJOR MINOR PATCH" of a version such as 1.9.14
# or 1.4.0b2 (a suffix after the third number is ignored), or fail.
# Compare the numbers, never a prefix of the string: 1.70.0 is not 1.7.
inst_version() {
	[[ $1 =~ ^([0-9]{1,4})\.([0-9]{1,4})\.([0-9]{1,4})([a-z.+~-][a-z0-9.+~-]{0,40})?$ ]] ||
	    return 1
	printf '%d %d %d\n' "$((10#${BASH_REMATCH[1]}))" \
	    "$((10#${BASH_REMATCH[2]}))" "$((10#${BASH_REMATCH[3]}))"
}

# inst_file PATH MODE OWNER:GROUP, content on stdin.
inst_file() {
	local path=$1 mode=$2 owner=$3 tmp prev= rec_hash cur
	[ -d "$(dirname "$path")" ] || die "no directory $(dirname "$path")"
	# in the same directory, so that the final mv is atomic
	tmp=$(mktemp "$(dirname "$path")/.sshgate-inst.XXXXXX") || die "mktemp"
	cat > "$tmp"
	if [ -e "$path" ] || [ -L "$path" ]; then
		[ -f "$path" ] && [ ! -L "$path" ] ||
		    { rm -f "$tmp"; die "$path exists and is not a regular file; not touching it"; }
		cur=$(sha "$path")
		if prev=$(inst_prev file "$path"); then
			rec_hash=${prev##*$'\t'}
			if [ "$cur" != "$rec_hash" ]; then
				warn "$path was changed since the last run; left as it is (the new version would be:)"
				sed 's/^/    /' "$tmp" >&2
				inst_new+=("${prev%$'\t'*}"$'\t'"$cur")
				rm -f "$tmp"
				return 0
			fi
		elif ! cmp -s "$tmp" "$path"; then
			rm -f "$tmp"
			die "$path exists and was not written by $inst_prog; move it away or merge it by hand"
		fi
		if cmp -s "$tmp" "$path"; then
			inst_keep_perm "$path"
			chown "$owner" "$path" && chmod "$mode" "$path" || die "chmod $path"
			say "unchanged $path"
			if [ -n "$prev" ]; then
				inst_new+=("${prev%$'\t'*}"$'\t'"$cur")
			else
				inst_record file "$path" "$cur"
			fi
			rm -f "$tmp"
			return 0
		fi
	fi
	chown "$owner" "$tmp" && chmod "$mode" "$tmp" || die "chmod $tmp"
	if [ -e "$path" ]; then
		inst_keep_file "$path"
	else
		inst_undo rm -f -- "$path"
	fi
	# inst_put, if set, puts TMP at PATH instead of mv (and removes TMP)
	${inst_put:-mv -f} "$tmp" "$path" || { rm -f "$tmp"; die "cannot write $path"; }
	say "wrote $path ($mode $owner)"
	inst_changed=1
	if [ -n "$prev" ]; then
		inst_new+=("${prev%$'\t'*}"$'\t'"$(sha "$path")")
	else
		inst_record file "$path" "$(sha "$path")"
	fi
}

# inst_dir PATH MODE OWNER:GROUP -- create it (and record it) or check
# that an existing one is what it must be.  Parents are created root-owned
# 0755 and recorded too.
# inst_keep_parents PATH -- the records of PATH's parents that an earlier
# run made (inst_dir makes a missing parent), kept in this run's manifest
# as they are: else a second run would forget them and --remove leave
# them behind.  Outermost first, as they were made.
inst_keep_parents() {
	local p=$1 prev l keep=()
	while p=$(dirname "$p"); [ "$p" != / ] && prev=$(inst_prev dir "$p"); do
		for l in "${inst_new[@]}"; do
			[ "$l" = "$prev" ] && break 2
		done
		keep=("$prev" "${keep[@]}")
	done
	inst_new+=("${keep[@]}")
}

inst_dir() {
	local path=$1 mode=$2 owner=$3 parent prev
	parent=$(dirname "$path")
	if [ ! -d "$parent" ]; then
		inst_dir "$parent" 0755 root:root
	else
		inst_keep_parents "$path"
	fi
	if [ -L "$path" ] || { [ -e "$path" ] && [ ! -d "$path" ]; }; then
		die "$path exists and is not a directory"
	fi
	if [ ! -d "$path" ]; then
		mkdir "$path" || die "mkdir $path"
		inst_undo rmdir -- "$path"
		say "created $path ($mode $owner)"
		inst_changed=1
		inst_record dir "$path"
	elif prev=$(inst_prev dir "$path"); then
		inst_new+=("$prev")
	else
		# Someone else's directory: use it if it is already what we
		# need, never change it.
		local have want
		have="$(stat -c '%U:%G %a' "$path")"
		want="$owner $(printf '%o' "$((8#$mode))")"
		[ "$have" = "$want" ] ||
		    die "$path exists as $have, not $want, and was not created by $inst_prog"
		return 0
	fi
	inst_keep_perm "$path"
	chown "$owner" "$path" && chmod "$mode" "$path" || die "chmod $path"
}

# inst_user NAME HOME SHELL [GROUP] -- a system account with its own
# group, or with GROUP as its primary group.  An existing account is used
# as it is, except its login shell and, with GROUP, its primary group,
# which are set (and the old ones recorded) when they differ.
inst_user() {
	local name=$1 home=$2 shell=$3 group=${4:-} old prev
	if getent passwd "$name" >/dev/null; then
		if prev=$(inst_prev user "$name"); then
			inst_new+=("$prev")
		fi
		old=$(id -gn "$name")
		if [ -n "$group" ] && [ "$old" != "$group" ]; then
			usermod -g "$group" "$name" || die "usermod -g $group $name"
			inst_undo usermod -g "$old" "$name"
			say "changed the primary group of $name from $old to $group"
			inst_changed=1
			if prev=$(inst_prev pgroup "$name"); then
				inst_new+=("$prev")
			else
				inst_record pgroup "$name" "$old"
			fi
		elif [ -n "$group" ]; then
			prev=$(inst_prev pgroup "$name") && inst_new+=("$prev")
		fi
		old=$(getent passwd "$name" | cut -d: -f7)
		if [ "$old" != "$shell" ]; then
			usermod -s "$shell" "$name" || die "usermod -s $shell $name"
			inst_undo usermod -s "$old" "$name"
			say "changed the login shell of $name from $old to $shell"
			inst_changed=1
			if prev=$(inst_prev shell "$name"); then
				inst_new+=("$prev")
			else
				inst_record shell "$name" "$old"
			fi
		else
			prev=$(inst_prev shell "$name") && inst_new+=("$prev")
			say "account $name exists (shell $shell)"
		fi
		return 0
	fi
	if [ -n "$group" ]; then
		useradd --system --gid "$group" --no-create-home --home-dir "$home" \
		    --shell "$shell" "$name" || die "useradd $name"
	else
		useradd --system --user-group --no-create-home --home-dir "$home" \
		    --shell "$shell" "$name" || die "useradd $name"
		inst_undo groupdel "$name"
	fi
	inst_undo userdel "$name"
	inst_undo pkill -KILL -u "$name"
	# "*", not useradd's "!": no password, but not "locked" either,
	# which sshd without PAM would treat as a reason to refuse keys.
	usermod -p '*' "$name" || die "usermod -p $name"
	say "created account $name (primary group ${group:-$name}, home $home, shell $shell)"
	inst_changed=1
	inst_record user "$name"
}

# inst_group NAME -- a system group, made (and recorded) if missing.
inst_group() {
	local prev
	if getent group "$1" >/dev/null; then
		prev=$(inst_prev group "$1") && inst_new+=("$prev")
		return 0
	fi
	groupadd --system "$1" || die "groupadd $1"
	inst_undo groupdel "$1"
	say "created group $1"
	inst_changed=1
	inst_record group "$1"
}

# Undo a manifest, newest entry first.  Files are removed only when they
# still have the content we wrote; a changed one is left and reported.
inst_purge=0
inst_remove() {	# inst_remove MANIFEST
	local manifest=$1 line kind a b c i
	local -a lines kept=()
	[ -f "$manifest" ] || die "nothing to remove: no manifest $manifest"
	mapfile -t lines < "$manifest"
	for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
		line=${lines[i]}
		case $line in '#'*|'') continue;; esac
		IFS=$'\t' read -r kind a b c <<<"$line"
		case $kind in data-*)
			if [ "$inst_purge" != 1 ]; then
				say "kept $a (data; --purge removes it)"
				kept=("$line" "${kept[@]}")
				continue
			fi
			kind=${kind#data-}
		esac
		case $kind in
		file)
			if [ ! -e "$a" ]; then
				:
			elif [ "$(sha "$a")" = "$b" ]; then
				rm -f "$a" && say "removed $a"
			else
				warn "$a was changed after installation; left in place"
			fi
			;;
		dir)
			if [ -d "$a" ]; then
				if rmdir "$a" 2>/dev/null; then
					say "removed $a"
				else
					warn "$a is not empty; left in place"
					kept=("$line" "${kept[@]}")
				fi
			fi
			;;
		tree)	# a directory whose whole content is ours (a cache)
			if [ -d "$a" ] && [ ! -L "$a" ]; then
				rm -rf --one-file-system -- "$a" && say "removed $a and its content"
			fi
			;;
		user)
			if getent passwd "$a" >/dev/null; then
				pkill -KILL -u "$a" 2>/dev/null
				userdel "$a" && say "removed account $a"
				getent group "$a" >/dev/null && groupdel "$a" 2>/dev/null
			fi
			;;
		shell)
			getent passwd "$a" >/dev/null &&
			    usermod -s "$b" "$a" && say "restored the login shell of $a to $b"
			;;
		pgroup)	# pgroup NAME GROUP (its primary group before)
			getent passwd "$a" >/dev/null &&
			    usermod -g "$b" "$a" && say "restored the primary group of $a to $b"
			;;
		group)
			if ! getent group "$a" >/dev/null; then
				:
			elif groupdel "$a" 2>/dev/null; then
				say "removed group $a"
			else
				# still the primary group of an account: kept
				warn "group $a is still used ($(getent passwd |
				    awk -F: -v g="$(getent group "$a" | cut -d: -f3)" \
				    '$4 == g { print $1 }' | paste -sd' ')); left in place"
				kept=("$line" "${kept[@]}")
			fi
			;;
		sock)	# a unix socket that sshd made for a job: gone with it
			if [ -S "$a" ]; then
				rm -f "$a" && say "removed $a"
			fi
			;;
		perm)	# perm PATH OWNER:GROUP MODE (what it was before)
			if [ -n "${inst_perm_keep:-}" ] && [ "$a" = "$inst_perm_keep" ]; then
				say "kept $a as it is: $inst_perm_why"
				kept=("$line" "${kept[@]}")
			elif [ -e "$a" ]; then
				chown "$b" "$a" && chmod "$c" "$a" &&
				    say "restored $a to $c $b"
			fi
			;;
		*)	warn "unknown manifest entry: $line" ;;
		esac
	done
	if [ ${#kept[@]} -gt 0 ]; then
		# what stays is still ours: a later run or --purge knows it
		printf '%s\n' "# written by $inst_prog --remove: what was kept" \
		    "${kept[@]}" > "$manifest.tmp" && mv -f "$manifest.tmp" "$manifest"
		say "kept the record of what stays in $manifest"
	else
		rm -f "$manifest" && say "removed $manifest"
		rmdir "$(dirname "$manifest")" 2>/dev/null
	fi
	return 0
}

# inst_seen_as HOST: the address HOST sees this machine as, when this
# machine can tell (docs/pull-backup.md section 2, "--from"): the
# source address of its route to HOST (ip route get).  Prints one of
#   ok ADDR        HOST is loopback or private (no NAT between), or ADDR
#                  is public: HOST sees ADDR
#   nat ADDR       ADDR is private and HOST public: a NAT router between
#                  them shows HOST another address, which only HOST knows
#   unknown WHY    no address for HOST, or no route to it
# Private: RFC 1918, 100.64/10 (carrier-grade NAT), 169.254/16, fc00::/7,
# fe80::/10.  (tests/root/seen-as.sh)
inst_addr_private() {	# inst_addr_private ADDR: 0 private, 2 loopback, 1 other
	local a=$1 o1 o2 rest
	case $a in
	*:*)	a=${a,,}
		case $a in
		::1)			return 2 ;;
		::ffff:*.*.*.*)		inst_addr_private "${a#::ffff:}"; return ;;
		fc*|fd*|fe[89ab]*)	return 0 ;;
		*)			return 1 ;;
		esac ;;
	esac
	IFS=. read -r o1 o2 rest <<<"$a"
	[[ $o1 =~ ^[0-9]+$ && $o2 =~ ^[0-9]+$ ]] || return 1
	case $o1 in
	127)	return 2 ;;
	10)	return 0 ;;
	172)	[ "$o2" -ge 16 ] && [ "$o2" -le 31 ] && return 0 ;;
	192)	[ "$o2" = 168 ] && return 0 ;;
	100)	[ "$o2" -ge 64 ] && [ "$o2" -le 127 ] && return 0 ;;
	169)	[ "$o2" = 254 ] && return 0 ;;
	esac
	return 1
}
inst_seen_as() {	# inst_seen_as HOST
	local host=$1 dst src
	if [[ $host =~ ^[0-9.]+$ || $host == *:* ]]; then
		dst=$host
	else
		dst=$(getent ahosts "$host" 2>/dev/null | awk 'NR == 1 { print $1 }')
		[ -n "$dst" ] || { echo "unknown $host has no address here"; return 0; }
	fi
	src=$(ip -o route get "$dst" 2>/dev/null |
	    awk '{ for (i = 1; i < NF; i++) if ($i == "src") { print $(i + 1); exit } }')
	[ -n "$src" ] || { echo "unknown no route to $dst here"; return 0; }
	inst_addr_private "$dst"
	case $? in
	0|2)	echo "ok $src"; return 0 ;;
	esac
	if inst_addr_private "$src"; then
		echo "nat $src"
	else
		echo "ok $src"
	fi
}
