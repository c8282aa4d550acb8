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
#   inst_user NAME HOME SHELL [system]
#   inst_record KIND ARGS...     anything else worth undoing
#   inst_commit                  write the manifest (atomically)
#   inst_remove MANIFEST         undo everything recorded, newest first

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
	if [ -f "$inst_manifest" ]; then
		mapfile -t inst_old < "$inst_manifest"
	fi
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

inst_commit() {
	local d
	d=$(dirname "$inst_manifest")
	[ -d "$d" ] || { mkdir -p "$d" && chmod 0700 "$d"; }
	printf '%s\n' "# written by $inst_prog; --remove undoes these, newest last" \
	    "${inst_new[@]}" > "$inst_manifest.tmp" &&
	    chmod 0600 "$inst_manifest.tmp" &&
	    mv -f "$inst_manifest.tmp" "$inst_manifest" ||
	    { inst_committed=1; die "cannot write $inst_manifest"; }
	inst_committed=1
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
inst_dir() {
	local path=$1 mode=$2 owner=$3 parent prev
	parent=$(dirname "$path")
	if [ ! -d "$parent" ]; then
		inst_dir "$parent" 0755 root:root
	fi
	if [ -L "$path" ] || { [ -e "$path" ] && [ ! -d "$path" ]; }; then
		die "$path exists and is not a directory"
	fi
	if [ ! -d "$path" ]; then
		mkdir "$path" || die "mkdir $path"
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
	chown "$owner" "$path" && chmod "$mode" "$path" || die "chmod $path"
}

# inst_user NAME HOME SHELL -- a system account with its own group.
# An existing account is used as it is, except its login shell, which is
# set to SHELL (and the old one recorded) when it differs.
inst_user() {
	local name=$1 home=$2 shell=$3 old prev
	if getent passwd "$name" >/dev/null; then
		if prev=$(inst_prev user "$name"); then
			inst_new+=("$prev")
		fi
		old=$(getent passwd "$name" | cut -d: -f7)
		if [ "$old" != "$shell" ]; then
			usermod -s "$shell" "$name" || die "usermod -s $shell $name"
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
	useradd --system --user-group --no-create-home --home-dir "$home" \
	    --shell "$shell" "$name" || die "useradd $name"
	# "*", not useradd's "!": no password, but not "locked" either,
	# which sshd without PAM would treat as a reason to refuse keys.
	usermod -p '*' "$name" || die "usermod -p $name"
	say "created account $name (home $home, shell $shell)"
	inst_changed=1
	inst_record user "$name"
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
		group)	# group ACCOUNT GROUP (its primary group before)
			getent passwd "$a" >/dev/null && getent group "$b" >/dev/null &&
			    usermod -g "$b" "$a" &&
			    say "restored the primary group of $a to $b"
			;;
		perm)	# perm PATH OWNER:GROUP MODE (what it was before)
			if [ -e "$a" ]; then
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
