#!/bin/bash
# setup/vps/render-policy, the one renderer of setup/vps/policy.in (the
# build and setup/vps/install): without --server it writes what the
# placeholders' sed wrote (what the other tests render); with --server
# it gives each server its own copy of the rules between the template's
# "per server" marks (RULE.NAME, tag NAME, SOCKET_DIR/NAME.sock, every
# test with tag NAME) and runs the other tests once more with each tag.
# The tagged tests can fail: a copy without its tag, and a copy that
# accepts what a deny rule's test denies, are caught.  A key with tag a
# reaches no rule of b.  And what the renderer cannot render safely, it
# refuses.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_host_borg "$@"	# lints rules that run /usr/bin/borg: a stub where it is missing

lint=$top_builddir/sshgate-lint
render=$top_srcdir/setup/vps/render-policy
template=$top_srcdir/setup/vps/policy.in
[ -x "$lint" ] || sgt_bail "no $lint (build first)"
T=$(mktemp -d) || sgt_bail mktemp
trap 'rm -rf "$T"' EXIT

sock=/run/sshgate/sgt-l
args=(--login sgt-l --runner sgt-r --socket-dir "$sock" --state-dir /var/lib/sgt-r
    --policy-dir /etc/sgt --connect /usr/libexec/sgt/sshgate-connect)

# ---- without --server: the placeholders, nothing else ---------------------

"$render" "${args[@]}" "$template" > "$T/plain"
ok $? "renders the template without --server"
sed -e "s|@login@|sgt-l|g" -e "s|@runner@|sgt-r|g" -e "s|@socket_dir@|$sock|g" \
    -e "s|@state_dir@|/var/lib/sgt-r|g" -e "s|@policy_dir@|/etc/sgt|g" \
    -e "s|@connect@|/usr/libexec/sgt/sshgate-connect|g" -e "s|@repo@|vps|g" \
    -e "s|@repo_re@|vps|g" -e "s|@archive_prefix@|vps|g" -e "s|@archive_prefix_re@|vps|g" \
    -e 's|@sources_re@|etc\|home\|root\|srv\|opt\|var\\/www\|var\\/lib\|var\\/backups|g' "$template" |
    cmp -s - "$T/plain"
ok $? "... byte for byte what the placeholders' sed writes"
connect=$(sed -n 's|^ *setenv *BORG_RSH "\([^ ]*\) .*|\1|p' "$top_builddir/setup/vps/policy" | head -1)
"$render" --login borg --runner sshgate-borg --socket-dir /run/sshgate/borg \
    --state-dir /var/lib/sshgate-borg --connect "$connect" \
    --policy-dir "$(dirname "$("$lint" --print-policy-path)")" \
    "$template" | cmp -s - "$top_builddir/setup/vps/policy"
ok $? "the build's setup/vps/policy is the renderer's, with the default names"

# ---- with --server a --server b --------------------------------------------

"$render" "${args[@]}" --server a --server b "$template" > "$T/ab"
ok $? "renders the template with --server a --server b"
out=$("$lint" --strict -f "$T/ab" 2>&1)
ok $? "sshgate-lint --strict accepts it: $out"

rules() { sed -n 's/^rule \([^ ]*\) {$/\1/p' "$1" | paste -sd' '; }
base=$(rules "$T/plain")
want=${base/borg-create borg-list borg-info/borg-create.a borg-list.a borg-info.a borg-create.b borg-list.b borg-info.b}
[ "$want" != "$base" ]
ok $? "the template has borg-create, borg-list, borg-info in a row (between the marks)"
is "$(rules "$T/ab")" "$want" "the rules: each server's copies where the originals were, the others once"

# one rule's lines, and its test lines
rule_text() { awk -v r="$2" '$0 == "rule " r " {" { p = 1 } p { print } p && /^}/ { exit }' "$1"; }
rule_tests() { rule_text "$1" "$2" | grep -E '^[[:space:]]*test[[:space:]]+(permit|deny)[[:space:]]'; }
for s in a b; do
	for r in borg-create borg-list borg-info; do
		t=$(rule_text "$T/ab" "$r.$s")
		is "$(printf '%s\n' "$t" | grep -cE '^[[:space:]]+tag[[:space:]]')" 1 "$r.$s: one tag field"
		printf '%s\n' "$t" | grep -qx "    tag      $s"
		ok $? "... tag $s"
		is "$(printf '%s\n' "$t" | grep 'BORG_RSH')" \
		    "    setenv   BORG_RSH \"/usr/libexec/sgt/sshgate-connect -u sgt-l $sock/$s.sock\"" \
		    "... BORG_RSH pinned to $sock/$s.sock"
		n=$(rule_tests "$T/plain" "$r" | wc -l)
		[ "$n" -gt 0 ] &&
		    [ "$(rule_tests "$T/ab" "$r.$s" | grep -c " tag $s\$")" = "$n" ] &&
		    [ "$(rule_tests "$T/ab" "$r.$s" | wc -l)" = "$n" ]
		ok $? "... all $n of its tests, each with tag $s"
		rule_tests "$T/ab" "$r.$s" | sed "s/ tag $s\$//" |
		    cmp -s - <(rule_tests "$T/plain" "$r")
		ok $? "... the original's tests, nothing else changed"
		diff <(rule_text "$T/plain" "$r" | grep -vE '^[[:space:]]*(test|tag|rule|setenv +BORG_RSH)[[:space:]]') \
		    <(rule_text "$T/ab" "$r.$s" | grep -vE '^[[:space:]]*(test|tag|rule|setenv +BORG_RSH)[[:space:]]') >/dev/null
		ok $? "... and its other fields are the original's"
	done
done
! grep -v '^[[:space:]]*#' "$T/ab" | grep -q "$sock/borg.sock"
ok $? "no rule connects to the shared $sock/borg.sock"
# the other tests: each kept, and once more with each tag
outside() { awk '/^# ---- per server: begin/ { p = 1 } !p { print } /^# ---- per server: end/ { p = 0 }' "$1"; }
plain_tests=$(outside "$T/plain" | grep -E '^[[:space:]]*test[[:space:]]')
n=$(printf '%s\n' "$plain_tests" | wc -l)
is "$(outside "$T/ab" | grep -E '^[[:space:]]*test[[:space:]]' | grep -vE ' tag [ab]$')" \
    "$plain_tests" "the $n tests outside the per-server rules are kept as they are"
for s in a b; do
	is "$(outside "$T/ab" | grep -E '^[[:space:]]*test[[:space:]].* tag '"$s\$" | sed "s/ tag $s\$//")" \
	    "$plain_tests" "... and each runs once more with tag $s"
done

# ---- a key with tag a reaches no rule of b -----------------------------------

fails=0 n=0
while IFS= read -r cmd; do
	n=$((n + 1))
	got=$("$lint" -f "$T/ab" --tag a --test "$cmd" 2>&1)
	case $got in *"rule '"*".b'"*) fails=$((fails + 1)); diag "tag a: $cmd: $got" ;; esac
	got=$("$lint" -f "$T/ab" --tag b --test "$cmd" 2>&1)
	case $got in "permit: rule 'borg-"*".b'") ;; *) fails=$((fails + 1)); diag "tag b: $cmd: $got" ;; esac
done < <(for r in borg-create borg-list borg-info; do rule_tests "$T/ab" "$r.b"; done |
    grep -E '^[[:space:]]*test permit ".*" tag b$' | sed -e 's/^[[:space:]]*test permit "//' -e 's/" tag b$//' -e 's/\\"/"/g' -e 's/\\\\/\\/g')
[ "$n" -gt 50 ] && [ $fails -eq 0 ]
ok $? "each of the $n commands that b's rules permit: with tag a, no rule of b decides it; with tag b, b's rule permits it"
for t in "" c; do
	got=$("$lint" -f "$T/ab" ${t:+--tag "$t"} --test "borg list ssh://backup/./vps" 2>&1)
	case $got in deny:*) r=0 ;; *) r=1 ;; esac
	d=${t:+tag $t}
	ok $r "${d:-no tag}: borg list is denied ($got)"
done

# ---- the tagged tests can fail -------------------------------------------------

# a copy without its tag: it takes b's commands too
awk '$0 == "rule borg-create.a {" { r = 1 } r && $0 == "    tag      a" { r = 0; next } { print }' \
    "$T/ab" > "$T/m1"
out=$("$lint" -f "$T/m1" 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q "test expects .*, but rule 'borg-create.a'"
ok $? "borg-create.a without its tag: its tests with tag b fail"
# a copy that accepts another repository: only the tagged copy of
# wrong-repository's test sees it (without a tag no copy could permit)
sed '/^rule borg-create.a {/,/^}/ s|/ssh:\\/\\/backup\\/\\.\\/vps::|/ssh:\\/\\/backup\\/\\.\\/(vps\|elsewhere)::|' \
    "$T/ab" > "$T/m2"
! cmp -s "$T/ab" "$T/m2" || sgt_bail "the mutation changed nothing"
out=$("$lint" -f "$T/m2" 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" |
    grep -q "error: test expects deny, but rule 'borg-create.a' permits it"
ok $? "borg-create.a that accepts ssh://backup/./elsewhere: wrong-repository's test with tag a fails"
awk '/^# ---- per server: end/ { p = 1 } !(p && / tag [ab]$/) { print }' "$T/m2" > "$T/m3"
"$lint" -f "$T/m3" >/dev/null 2>&1
ok $? "... which the untagged test alone would not catch"

# ---- what it refuses ----------------------------------------------------------------

refuses() {	# refuses DESCRIPTION MESSAGE TEMPLATE [ARGS...]
	local what=$1 msg=$2 tpl=$3 out rc
	shift 3
	out=$("$render" "${args[@]}" "$@" "$tpl" 2>&1 >/dev/null)
	rc=$?
	[ $rc -ne 0 ] && printf '%s\n' "$out" | grep -qF -- "$msg"
	ok $? "refuses $what"
	[ $rc -ne 0 ] || diag "$out"
}
for s in -a .a a/b 'a b' '' a: "$(printf 'x%.0s' $(seq 53))"; do
	refuses "--server '$s'" "--server '$s'" "$template" --server "$s"
done
"$render" "${args[@]}" --server "$(printf 'x%.0s' $(seq 52))" "$template" > "$T/long" &&
    "$lint" -f "$T/long" >/dev/null 2>&1
ok $? "a name of 52 characters gives rule names sshgate-lint accepts"
refuses "the same --server twice" "--server a given twice" "$template" --server a --server a
sed 's/@login@/@logon@/' "$template" > "$T/t1"
refuses "an unknown placeholder" "unknown placeholder @logon@" "$T/t1"
grep -v '^# ---- per server: ' "$template" > "$T/t2"
refuses "a template without the per-server marks, with --server" "@socket_dir@/borg.sock outside the per-server marks" "$T/t2" --server a
sed 's|@socket_dir@/borg.sock|/elsewhere.sock|' "$T/t2" > "$T/t2b"
refuses "... also when no rule uses the socket" 'no "per server: begin" and "per server: end" marks' "$T/t2b" --server a
"$render" "${args[@]}" "$T/t2" > "$T/t2.out" && grep -v '^# ---- per server: ' "$T/plain" | cmp -s - "$T/t2.out"
ok $? "... and renders it without --server, as the sed did"
sed '0,/^rule borg-list {$/ s//rule borg-list {\n    tag      x/' "$template" > "$T/t3"
refuses "a rule with its own tag between the marks" 'a rule with "tag" between the per-server marks' "$T/t3" --server a
sed 's|^\(    test deny   "borg list ssh://backup/./other"\)$|\1 from 192.0.2.1|' "$template" > "$T/t4"
! cmp -s "$template" "$T/t4" || sgt_bail "t4 changed nothing"
refuses "a test between the marks that names from or tag" 'a test with "from", "tag" or more' "$T/t4" --server a
sed '0,/^rule wrong-repository {$/ s//rule wrong-repository {\n    setenv   BORG_RSH "@connect@ @socket_dir@\/borg.sock"/' "$template" > "$T/t5"
refuses "a rule outside the marks that uses the shared socket" "outside the per-server marks" "$T/t5" --server a
refuses "a missing template" "cannot read" "$T/none"

# ---- --common, --part NAME: the policy in parts, one for each job ----------

mkdir -p "$T/parts/policy.d" || sgt_bail mkdir
"$render" "${args[@]}" --common "$template" > "$T/parts/policy"
ok $? "--common renders the common part"
for s in a b; do
	"$render" "${args[@]}" --part "$s" "$template" > "$T/parts/policy.d/$s.policy"
	ok $? "--part $s renders job $s's part"
done
out=$("$lint" --strict -f "$T/parts/policy" 2>&1)
ok $? "sshgate-lint --strict accepts the common part and both parts: $(grep -v '^ \|: note: ' <<<"$out" | paste -sd' ')"
is "$(rules "$T/parts/policy")" "$(rules "$T/plain" | sed 's/borg-create borg-list borg-info wrong-repository //')" \
    "the common part: every rule but the per-server and per-job ones"
! grep -v '^[[:space:]]*#' "$T/parts/policy" | grep -q "$sock/"
ok $? "... and no socket"
is "$(rules "$T/parts/policy.d/a.policy")" "borg-create.a borg-list.a borg-info.a wrong-repository.a" \
    "a's part: a's copies of the per-server rules and of the per-job rule"
head -1 "$T/parts/policy.d/a.policy" | grep -qx 'sshgate-policy 1'
ok $? "... after the version line"
diff <(awk '/^rule borg-create.a /{p=1} /^# ---- job a:/{p=0} p' "$T/parts/policy.d/a.policy") \
    <(awk '/^rule borg-create.a /{p=1} /^# ---- server b:/{p=0} p' "$T/ab") >/dev/null
ok $? "... exactly what --server a --server b writes for a"
rule_text "$T/parts/policy.d/a.policy" wrong-repository.a | grep -v '^    tag      a$' |
    sed -e 's/^rule wrong-repository.a {$/rule wrong-repository {/' -e 's/ tag a$//' |
    cmp -s - <(rule_text "$T/plain" wrong-repository)
ok $? "... then its copy of wrong-repository: renamed, tag a, its tests with tag a"
n=$(grep -c "^ *test .* tag a\$" "$T/parts/policy.d/a.policy")
grep -q "^$T/parts/policy.d/a.policy: 4 rules, $n tests passed\$" <<<"$out"
ok $? "... its $n tests pass after the common part, as the gate reads them for tag a"
# the same decisions as the one file of --server a --server b, tag a
# (the nearest rule's line in a deny's hint is its line in its own file)
# (and wrong-repository is the part's wrong-repository.a)
decide() { "$lint" -f "$1" --tag a --test "$2" 2>&1 | sed -e 's/ (line [0-9]*)//' -e "s/'wrong-repository.a'/'wrong-repository'/"; }
same=0 total=0
while IFS= read -r cmd; do
	total=$((total + 1))
	[ "$(decide "$T/ab" "$cmd")" = "$(decide "$T/parts/policy" "$cmd")" ] &&
	    same=$((same + 1))
done < <(sed -n 's/^ *test  *\(permit\|deny\)  *"\(.*\)"\( tag a\)\{0,1\}$/\2/p' "$T/ab" |
    grep -v '\\' | sort -u)
[ "$total" -ge 30 ] && [ "$same" = "$total" ]
ok $? "tag a: the parts decide $same of $total test commands as the one file does"
refuses "--part with --server" "--part NAME alone" "$template" --part a --server b
refuses "--common with --server" "--common and --server" "$template" --common --server a
refuses "--part twice" "one of them, once" "$template" --part a --part b
refuses "--part of a hidden name" "--server '.a'" "$template" --part .a

# ---- --repo, --archive-prefix, --source: the job's own ----------------------

mkdir -p "$T/jobs/policy.d" || sgt_bail mkdir
cp "$T/parts/policy" "$T/jobs/policy"
"$render" "${args[@]}" --part j --repo r.1 --archive-prefix p1 --source /srv/sgt-x.y \
    --source /etc "$template" > "$T/jobs/policy.d/j.policy"
ok $? "--part j --repo r.1 --archive-prefix p1 --source /srv/sgt-x.y --source /etc"
out=$("$lint" --strict -f "$T/jobs/policy" 2>&1)
ok $? "sshgate-lint --strict accepts it with the common part: $(grep -v '^ \|: note: ' <<<"$out" | paste -sd' ')"
n=$(grep -c '^ *test ' "$T/parts/policy.d/a.policy")
is "$(grep -c '^ *test ' "$T/jobs/policy.d/j.policy")" "$n" "... all $n tests of a part with the default names, its paths below the roots given"
! grep -v '^[[:space:]]*#' "$T/jobs/policy.d/j.policy" | grep -qE '\./vps|/var/backups|var\\/www'
ok $? "... and no default repository or root left in a rule or test"
grep -qF '/R \/(srv\/sgt-x\.y|etc)(' "$T/jobs/policy.d/j.policy"
ok $? "... its roots in the pattern regex, '.' and '/' escaped"
decide_j() {	# decide_j WANT COMMAND
	local got
	got=$("$lint" -f "$T/jobs/policy" --tag j --test "$2" 2>&1)
	case $got in "$1"*) ok 0 "tag j: $2: $1" ;; *) ok 1 "tag j: $2: $1"; diag "got: $got" ;; esac
}
decide_j "permit: rule 'borg-create.j'" "borg create ssh://backup/./r.1::p1-{now} /srv/sgt-x.y/data /etc"
decide_j "permit: rule 'borg-create.j'" "borg create --pattern 'R /srv/sgt-x.y' ssh://backup/./r.1::{hostname}-{now}"
decide_j "permit: rule 'borg-list.j'" "borg list --glob-archives 'p1-*' ssh://backup/./r.1"
decide_j "deny: rule 'create-refused'" "borg create ssh://backup/./r.1::p1-{now} /home"
decide_j "deny: rule 'create-refused'" "borg create --pattern 'R /srv/sgt-xXy' ssh://backup/./r.1::p1-{now}"
decide_j "deny: rule 'create-refused'" "borg create ssh://backup/./r.1::vps-{now} /etc"
decide_j "deny: rule 'wrong-repository.j': this host backs up only to ssh://backup/./r.1 " "borg list ssh://backup/./vps"
decide_j "deny: rule 'wrong-repository.j'" "borg list ssh://backup/./rX1"
decide_j "deny: rule 'wrong-repository.j'" "borg list ssh://backup/./r.1x"
got=$("$lint" -f "$T/jobs/policy" --tag a --test "borg list ssh://backup/./r.1" 2>&1)
case $got in deny:*) ok 0 "tag a (no part): j's repository is denied" ;; *) ok 1 "tag a: $got" ;; esac
for v in '' -x .x a/b 'a b' a@b "$(printf 'x%.0s' $(seq 65))"; do
	refuses "--repo '$v'" "--repo '$v'" "$template" --part j --repo "$v"
	refuses "--archive-prefix '$v'" "--archive-prefix '$v'" "$template" --part j --archive-prefix "$v"
done
for v in srv / /srv/ /srv//x /srv/../x /srv/./x /srv/.x /srv/-x '/srv/a b' /srv/a@b '/srv/a*'; do
	refuses "--source '$v'" "--source '$v'" "$template" --part j --source "$v"
done
refuses "the same --source twice" "--source /srv given twice" "$template" --part j --source /srv --source /srv

# ---- --borg PATH: the program of the borg rules, by its first bytes --------

runs() { sed -n 's/^ *run  *//p' "$1" | sort | uniq -c | sed 's/^ *//'; }
n=$(grep -c '^ *run  */usr/bin/python3 -I /usr/bin/borg$' "$template")
[ "$n" -ge 4 ]
ok $? "the template's borg rules run /usr/bin/python3 -I /usr/bin/borg ($n)"
printf '#!/usr/bin/python3\n# borg\n' > "$T/deb-borg"
"$render" "${args[@]}" --borg "$T/deb-borg" "$template" > "$T/deb"
is "$(grep '^ *run .*borg' "$T/deb" | sed 's/^ *run  *//' | sort -u)" \
    "/usr/bin/python3 -I $T/deb-borg" "--borg SCRIPT (#!/usr/bin/python3): its interpreter with -I, the script"
diff <(grep -v '^ *run ' "$T/plain") <(grep -v '^ *run ' "$T/deb") >/dev/null
ok $? "... and nothing else changed"
printf '#! /opt/sgt-venv/bin/python3.11 -sE\n' > "$T/venv-borg"
"$render" "${args[@]}" --borg "$T/venv-borg" --server a "$template" > "$T/venv"
is "$(runs "$T/venv" | grep -c "/opt/sgt-venv/bin/python3.11 -I $T/venv-borg\$")" 1 \
    "--borg of a venv (#! /opt/.../python3.11 -sE): that interpreter, -I, the script"
cp /bin/true "$T/bin-borg"
"$render" "${args[@]}" --borg "$T/bin-borg" --server a --server b "$template" > "$T/bin"
is "$(grep -c "^ *run  *$T/bin-borg\$" "$T/bin")" "$(grep -c '^ *run .*/usr/bin/borg$' "$T/ab")" \
    "--borg BINARY: every borg rule (every server's copy too) runs the binary itself"
! grep -q python3 <(grep '^ *run ' "$T/bin")
ok $? "... and none runs python3"
"$lint" -f "$T/bin" >/dev/null 2>&1
is "$?" 0 "... sshgate-lint accepts the rendered policy"
printf '#!/usr/bin/env python3\n' > "$T/env-borg"
refuses "--borg of a script that runs env" "its #! line runs env" "$template" --borg "$T/env-borg"
printf '#!/bin/sh\n' > "$T/sh-borg"
refuses "--borg of a script of another interpreter" "runs '/bin/sh', not python3" "$template" --borg "$T/sh-borg"
refuses "--borg with a relative path" "an absolute path" "$template" --borg bin/borg
refuses "--borg with a space in its path" "an absolute path" "$template" --borg "/usr/bin/b org"
refuses "--borg of a file that is not there" "not a readable file" "$template" --borg "$T/none"

sgt_done
