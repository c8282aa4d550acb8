#!/bin/bash
# tests/matrix/tam.sh [ROOT] -- setup/server/install on a backup server
# whose borg is 1.2.5 or later adopts an existing repository only when
# its archives have a TAM (CVE-2023-36811).  ROOT is a Debian userland
# tree with such a borg (Debian 13 or unstable: borg 1.4, borgmatic 1.9
# or 2.0, systemd, openssh-client); without it, the version matrix's
# trixie ($SGT_MATRIX_TREES/trixie: tests/run.d/matrix runs this test).
#
# The repositories are written by this host's borg, which must be 1.2.4
# or older (Debian 12): "borg create" writes the archive TAM, "borg
# rename" writes an archive without one.  Then, in ROOT:
#  - a repository whose archives were all created: adopted;
#  - one with a renamed archive: refused before anything changes, the
#    archive named, the way out given (borg upgrade --archives-tam);
#  - that one after the way out, as the message says: adopted.
# The installer runs for real there (its own account, configs and units
# in the tree's usual places, --systemctl no), so the rendered
# borgmatic-1.9 configs are validated by the tree's own borgmatic too.
#
# ROOT is never written: the server is an overlayfs over it, with its own
# proc, /dev, /tmp and /run, entered with chroot, in a private mount
# namespace; the source tree is bound read-only at /sgt-src.  All of it
# lives under /var/tmp/sgt-tam-ID and is removed on exit.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/sgt.sh"

root=${1:-${SGT_MATRIX_TREES:+$SGT_MATRIX_TREES/trixie}}
[ -n "$root" ] || sgt_skip "give the root of a Debian tree with borg >= 1.2.5 (tests/matrix/tam.sh ROOT)"
root=$(cd "$root" 2>/dev/null && pwd) || sgt_bail "no directory $root"
[ "$(id -u)" = 0 ] || sgt_skip "needs root"
[ -f "$root/usr/bin/borg" ] && [ -x "$root/usr/bin/borgmatic" ] ||
    sgt_skip "$root has no /usr/bin/borg and /usr/bin/borgmatic"
command -v unshare >/dev/null || sgt_skip "needs unshare"
host_borg=$(borg --version 2>/dev/null) && v=$(. "$top_srcdir/setup/lib/installer.sh" &&
    inst_version "${host_borg#borg }") || sgt_skip "needs borg on this host"
read -r maj min pat <<<"$v"
[ "$maj" -eq 1 ] && { [ "$min" -lt 2 ] || { [ "$min" -eq 2 ] && [ "$pat" -le 4 ]; }; } ||
    sgt_skip "needs borg 1.2.4 or older on this host to write an archive without a TAM (this is $host_borg)"
if [ -z "${SGT_IN_NS:-}" ]; then
	SGT_IN_NS=1 exec unshare -m --propagation private -- /bin/bash "$0" "$@"
	sgt_skip "cannot enter a private mount namespace"
fi

W=/var/tmp/sgt-tam-$$
R=$W/root		# the server, as the host sees it
tam_cleanup() {
	set +e
	umount -R "$R" 2>/dev/null
	umount "$W/rw" 2>/dev/null
	rm -rf --one-file-system "$W"
}
trap tam_cleanup EXIT
trap 'exit 130' INT TERM HUP
mkdir -p "$W/rw" "$R" && mount -t tmpfs -o mode=0755 sgt-tam "$W/rw" &&
    mkdir "$W/rw/upper" "$W/rw/work" &&
    mount -t overlay sgt-tam -o "lowerdir=$root,upperdir=$W/rw/upper,workdir=$W/rw/work" "$R" ||
    sgt_bail "overlayfs over $root"
mount -t proc proc "$R/proc" && mount --rbind /dev "$R/dev" &&
    mount --bind /sys "$R/sys" && mount -o remount,bind,ro "$R/sys" &&
    mount -t tmpfs -o mode=1777 sgt-tmp "$R/tmp" &&
    mount -t tmpfs -o mode=0755 sgt-run "$R/run" &&
    mkdir "$R/sgt-src" && mount --bind "$top_srcdir" "$R/sgt-src" &&
    mount -o remount,bind,ro "$R/sgt-src" || sgt_bail "mounts in $R"

on() {	# on PROGRAM [ARG...]: as root on the server
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	    HOME=/root LANG=C.UTF-8 chroot "$R" "$@"
}
tree_borg=$(on /usr/bin/borg --version) || sgt_bail "borg --version in $root"
tree_bm=$(on /usr/bin/borgmatic --version) || sgt_bail "borgmatic --version in $root"
v=$(. "$top_srcdir/setup/lib/installer.sh" && inst_version "${tree_borg#borg }") ||
    sgt_bail "$root: '$tree_borg'"
read -r maj min pat <<<"$v"
[ "$maj" -gt 1 ] || [ "$min" -gt 2 ] || { [ "$min" -eq 2 ] && [ "$pat" -ge 5 ]; } ||
    sgt_skip "$root has $tree_borg: the check is for borg 1.2.5 and later"
diag "server: $root, borgmatic $tree_bm, $tree_borg; repositories written by $host_borg"

account=sgt-tam
on useradd --system --user-group --no-create-home --home-dir /var/lib/$account \
    --shell /usr/sbin/nologin "$account" || sgt_bail "useradd in $R"
uid=$(on id -u "$account") && gid=$(on id -g "$account") || sgt_bail "id $account"
mkdir -p "$R/srv/sgt/repos" "$R/srv/sgt/src" && echo data > "$R/srv/sgt/src/file" &&
    head -c 24 /dev/urandom | base64 > "$R/srv/sgt/passphrase" &&
    chmod 0600 "$R/srv/sgt/passphrase" &&
    ssh-keygen -q -t ed25519 -N '' -C sgt-vps -f "$W/hostkey" &&
    cp "$W/hostkey.pub" "$R/srv/sgt/hostkey.pub" || sgt_bail "fixtures"

# A repository as this host's borg writes it: created archives, and
# with RENAME a renamed one.
host_repo() {	# host_repo NAME [RENAME]
	local r=$R/srv/sgt/repos/$1
	(export BORG_BASE_DIR=$W/host-borg BORG_PASSCOMMAND="cat $R/srv/sgt/passphrase"
	cd "$R/srv/sgt" &&
	borg init --encryption=repokey-blake2 "$r" &&
	borg create "$r::$1-2026-01-01T00:00:00.000000" src &&
	borg create "$r::$1-2026-01-02T00:00:00.000000" src &&
	if [ -n "${2:-}" ]; then
		borg create "$r::$1-tmp" src && borg rename "$r::$1-tmp" "$2"
	fi) >"$W/host-borg.log" 2>&1 && chown -R "$uid:$gid" "$r" ||
	    { sed 's/^/# /' "$W/host-borg.log"; sgt_bail "borg 1.2.4: $1"; }
}
host_repo good
host_repo bad bad-2026-01-03T00:00:00.000000

srv() {	# srv NAME [OPTIONS]: the installer, for job NAME, in the tree
	local name=$1
	shift
	on /sgt-src/setup/server/install --name "$name" --account "$account" \
	    --vps 192.0.2.1 --vps-host-key-file /srv/sgt/hostkey.pub \
	    --repo-dir /srv/sgt/repos --passphrase-file /srv/sgt/passphrase \
	    --systemctl no "$@"
}
as_account() {	# as_account COMMAND...: as the account, with the passphrase
	on setpriv --reuid="$account" --regid="$account" --init-groups \
	    env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/var/lib/$account \
	    BORG_PASSCOMMAND="cat /srv/sgt/passphrase" "$@"
}
chown "$uid:$gid" "$R/srv/sgt/passphrase"
changed() {	# what the installer would have written (nothing, after a refusal)
	ls -d "$R/var/lib/sshgate-setup" "$R/etc/sshgate-pull" "$R/var/lib/$account" \
	    "$R/usr/local/libexec/sshgate" "$R"/etc/systemd/system/sshgate-* 2>/dev/null
	ls -A "$R/tmp"
}

# ---- a repository with a renamed archive: refused, nothing changes ----------

out=$(srv bad 2>&1)
rc=$?
[ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q "error: /srv/sgt/repos/bad has archives without a TAM"
ok $? "a repository with an archive renamed by borg 1.2.4 is refused"
[ $rc -ne 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
printf '%s\n' "$out" | grep -q '^    bad-2026-01-03T00:00:00.000000 ' &&
    ! printf '%s\n' "$out" | grep -q '^    bad-2026-01-0[12]'
ok $? "... the message names the renamed archive, and only it"
printf '%s\n' "$out" | grep -q 'BORG_WORKAROUNDS=ignore_invalid_archive_tam borg upgrade --archives-tam /srv/sgt/repos/bad$'
ok $? "... and says how to give the genuine ones a TAM"
is "$(changed)" "" "... before anything changed (no account home, config, unit, manifest or temporary file)"
printf '%s\n' "$out" | grep -v "^setup/server/install: borgmatic" | sed 's/^/# /'

# ---- a repository whose archives borg 1.2.4 created: adopted ----------------

out=$(srv good 2>&1)
ok $? "a repository whose archives borg 1.2.4 created is adopted"
[ $? -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
printf '%s\n' "$out" | grep -q "checked /srv/sgt/repos/good: its manifest and every archive have a TAM"
ok $? "... after the check"
printf '%s\n' "$out" | grep -q "the configs from borgmatic-1.9/" &&
    ! grep -q '^location:' "$R/etc/sshgate-pull/good-pull.yaml" "$R/etc/sshgate-pull/good-local.yaml"
ok $? "... with the flat configs of borgmatic-1.9/, which borgmatic $tree_bm accepted"

# ---- the way out, as the message says; then adopted ---------------------------

out=$(as_account env BORG_WORKAROUNDS=ignore_invalid_archive_tam \
    borg upgrade --archives-tam /srv/sgt/repos/bad 2>&1)
ok $? "borg upgrade --archives-tam, as the message says"
[ $? -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
out=$(srv bad 2>&1)
ok $? "then the repository is adopted"
[ $? -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
tams=$(as_account borg list --format '{name} tam:{tam}{NL}' /srv/sgt/repos/bad 2>&1)
is "$tams" "bad-2026-01-01T00:00:00.000000 tam:verified
bad-2026-01-02T00:00:00.000000 tam:verified
bad-2026-01-03T00:00:00.000000 tam:verified" "... and $tree_borg lists all three archives, verified"

sgt_done
