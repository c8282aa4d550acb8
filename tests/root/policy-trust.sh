#!/bin/bash
# The gate refuses a policy it cannot trust or parse: exit 4, nothing
# runs, and a message names the cause (stderr for the file checks, the
# log for parse errors, which stderr only counts: the client must not
# read the policy through error messages).
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"

p=$SGT_DIR/p
mkdir -p "$p" && chmod 0755 "$p" || sgt_bail "mkdir"
cat >"$p/good" <<EOF
sshgate-policy 1
rule who {
    run  /usr/bin/id -un
    as   $SGT_RUNNER
    args "whoami"
}
EOF
chmod 0644 "$p/good"

# gate FILE: run the gate as real root on FILE; sets rc, out, err
gate() {
	env -i SSH_ORIGINAL_COMMAND=whoami "$SGT_DIR/bin/sshgate" -f "$1" \
	    >"$SGT_DIR/out" 2>"$SGT_DIR/err" </dev/null
	rc=$?
	out=$(cat "$SGT_DIR/out")
	err=$(cat "$SGT_DIR/err")
}

# refused FILE ERE WHAT: exit 4, nothing ran, stderr matches ERE
refused() {
	gate "$1"
	if [ "$rc" = 4 ] && [ -z "$out" ] &&
	    printf '%s\n' "$err" | grep -qE -- "$2"; then
		ok 0 "refused with exit 4: $3"
	else
		ok 1 "refused with exit 4: $3"
		diag "exit $rc" "stdout: $out" "stderr: $err"
	fi
}

# The same file, trusted, works: the refusals below are the checks'.
gate "$p/good"
is "$rc:$out" "0:$SGT_RUNNER" "a root-owned 0644 policy in root-owned 0755 directories is used"
cp -p "$p/good" "$p/group-read" && chgrp "$SGT_LOGIN" "$p/group-read" &&
    chmod 0640 "$p/group-read"
gate "$p/group-read"
is "$rc:$out" "0:$SGT_RUNNER" "so is one with another group that can only read it"

ln -s good "$p/link"
refused "$p/link" "policy $p/link refused: $p/link is a symbolic link" \
    "a symlink to a good policy"
ln -s p "$SGT_DIR/plink"
refused "$SGT_DIR/plink/good" "$SGT_DIR/plink is a symbolic link" \
    "a good policy under a symlinked directory"

cp "$p/good" "$p/gw" && chmod 0664 "$p/gw"
refused "$p/gw" "file $p/gw is writable by its group \(mode 0664\)" \
    "a group-writable policy"
cp "$p/good" "$p/ow" && chmod 0646 "$p/ow"
refused "$p/ow" "file $p/ow is writable by others \(mode 0646\)" \
    "an other-writable policy"
cp "$p/good" "$p/owned" && chown "$SGT_LOGIN" "$p/owned"
refused "$p/owned" "file $p/owned is owned by uid $(id -u "$SGT_LOGIN"), not root" \
    "a policy owned by the login account"

for d in gwd:0775:"writable by its group" owd:0757:"writable by others" \
    sticky:1777:"writable by others"; do
	IFS=: read -r name mode what <<<"$d"
	mkdir "$SGT_DIR/$name" && chmod "$mode" "$SGT_DIR/$name"
	cp -p "$p/good" "$SGT_DIR/$name/policy"
	refused "$SGT_DIR/$name/policy" \
	    "directory $SGT_DIR/$name is $what \(mode $mode\)" \
	    "a good policy in a directory of mode $mode"
done
mkdir "$SGT_DIR/ud" && chown "$SGT_LOGIN" "$SGT_DIR/ud"
cp -p "$p/good" "$SGT_DIR/ud/policy"
refused "$SGT_DIR/ud/policy" "directory $SGT_DIR/ud is owned by uid" \
    "a good policy in a directory the login account owns"

refused "$p/missing" "cannot open $p/missing: No such file or directory" \
    "a missing policy"
mkdir "$p/dir"
refused "$p/dir" "$p/dir is not a regular file" "a directory"
mkfifo -m 0644 "$p/fifo"
refused "$p/fifo" "$p/fifo is not a regular file" "a FIFO (and does not block)"
(cd "$p" && env -i SSH_ORIGINAL_COMMAND=whoami "$SGT_DIR/bin/sshgate" -f good \
    >"$SGT_DIR/out" 2>"$SGT_DIR/err" </dev/null)
rc=$?
[ "$rc" = 4 ] && grep -q "good is not an absolute path" "$SGT_DIR/err"
ok $? "a relative path"

# Parse errors: stderr counts them, the log names them.
: >"$p/empty"
chmod 0644 "$p/empty"
refused "$p/empty" "policy $p/empty has 1 error; nothing is permitted" \
    "an empty policy"
grep -q "policy error: $p/empty:1:1: the policy must begin with the line" \
    "$SGT_DIR/syslog"
ok $? "and the log names the cause"

{ printf 'sshgate-policy 1\n# caf\351 in Latin-1\n'; sed 1d "$p/good"; } \
    >"$p/latin1"
chmod 0644 "$p/latin1"
refused "$p/latin1" "policy $p/latin1 has 1 error" "a policy that is not UTF-8"
grep -q "policy error: $p/latin1:2:6: invalid UTF-8 in comment" "$SGT_DIR/syslog"
ok $? "and the log names the cause"

head -n 5 "$p/good" >"$p/truncated"
sed -i 's/^rule who/rule secret-name-x9/' "$p/truncated"
chmod 0644 "$p/truncated"
refused "$p/truncated" "policy $p/truncated has 1 error" "a truncated rule"
grep -q "policy error: $p/truncated:2:21: rule 'secret-name-x9' is never closed" \
    "$SGT_DIR/syslog"
ok $? "and the log names the cause"
printf '%s\n' "$err" | grep -q secret-name-x9
ok $((!$?)) "stderr, which the client reads, shows nothing of the policy"

printf 'sshgate-policy 1\r\n' >"$p/crlf"
chmod 0644 "$p/crlf"
refused "$p/crlf" "policy $p/crlf has 1 error" "a policy with CRLF line ends"

# The compiled-in path, as the login account sees it.
sgt_policy "$p/good"
out=$(sgt_gate SSH_ORIGINAL_COMMAND=whoami -- 2>&1)
is "$?:$out" "0:$SGT_RUNNER" "the compiled-in policy is used when trusted"
chmod 0666 "$SGT_POLICY"
out=$(sgt_gate SSH_ORIGINAL_COMMAND=whoami -- 2>&1)
rc=$?
[ "$rc" = 4 ] && printf '%s\n' "$out" | grep -q "is writable by others"
ok $? "and refused with exit 4 when it becomes writable"
rm -f "$SGT_POLICY"
out=$(sgt_gate SSH_ORIGINAL_COMMAND=whoami -- 2>&1)
rc=$?
[ "$rc" = 4 ] && printf '%s\n' "$out" | grep -q "No such file or directory"
ok $? "and when it is missing"
grep -q "policy .* refused: .*; nothing is permitted caller=$SGT_LOGIN(" \
    "$SGT_DIR/syslog"
ok $? "a refused policy is logged with the caller"

sgt_done
