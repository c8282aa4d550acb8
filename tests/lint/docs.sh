#!/bin/bash
# sshgate-lint(1) and the bash completion agree with the program: the page
# is clean mdoc, every warning and audit finding has an entry, every
# option is in the SYNOPSIS and in the completion, and the completion
# completes.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
command -v mandoc >/dev/null || sgt_skip "needs mandoc (setup/deps test)"
page=$top_builddir/docs/sshgate-lint.1
comp=$top_srcdir/setup/completion/sshgate-lint
lint=$top_builddir/sshgate-lint

out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
ok $? "mandoc -Tlint -Wwarning docs/sshgate-lint.1"
[ -z "$out" ] || printf '# %s\n' "$out"

# every warning and finding: an ".It Sy NAME" entry (alone or in a list)
names=$("$lint" --list-warnings | cut -f2)
[ -n "$names" ]
ok $? "--list-warnings lists names"
for n in $names; do
	grep -Eq "^\.It Sy (.*, )?$n( ,.*)?$" "$page"
	ok $? "sshgate-lint(1) has an entry for $n"
done

# every long option of the usage: in the SYNOPSIS and the completion
opts=$("$lint" --help 2>&1 | grep -o -- '--[a-z-]*' | sort -u)
[ -n "$opts" ]
ok $? "the usage names the options"
synopsis=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$page")
for o in $opts --help; do
	grep -q -- "\\\\${o#-}\b" <<<"$synopsis" ||
	    [ "$o" = --help ] || { ok 1 "SYNOPSIS has $o"; continue; }
	[ "$o" = --help ] || ok 0 "SYNOPSIS has $o"
	grep -q -- "$o\b" "$comp"
	ok $? "the completion offers $o"
done

bash -n "$comp"
ok $? "the completion is valid bash"
# bash-completion's helpers, as far as the completion uses them
got=$(bash -c '
	_init_completion() { cur=${COMP_WORDS[COMP_CWORD]};
	    prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}");
	    cword=$COMP_CWORD; }
	_filedir() { COMPREPLY=(FILE); }
	complete() { :; }
	. "$1"
	COMP_WORDS=(sshgate-lint --sugg); COMP_CWORD=1; _sshgate_lint
	echo "${COMPREPLY[*]}"
	COMP_WORDS=(sshgate-lint -f ""); COMP_CWORD=2; _sshgate_lint
	echo "${COMPREPLY[*]}"
	COMP_WORDS=(sshgate-lint --audit ro); COMP_CWORD=2; _sshgate_lint
	echo "${COMPREPLY[*]}"
' - "$comp")
is "$got" "--suggest --suggest-from-log
FILE
root" "the completion completes options, files and the audit's account"
sgt_done
