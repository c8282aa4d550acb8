/*
 * sshgate-lint's warnings and audit findings, by name.  Every name here
 * is documented in sshgate-lint(1) with an example and the fix
 * (tests/lint/docs.sh checks that the lists agree).
 */
#include <string.h>

#include "warnings.h"

const struct warning_name warning_names[] = {
	/* the policy file */
	{ "untrusted-file", "sshgate would refuse the policy file (owner, "
	    "mode, a writable parent, a symlink)", 0 },
	{ "unused-allow", "an allow comment silences nothing", 0 },
	{ "allow-comment", "an allow comment names no warning a rule can "
	    "silence, has no reason, or stands outside a rule", 0 },

	/* generic dangers of a run rule */
	{ "interpreter", "the program is a shell, an interpreter or a "
	    "launcher that takes its program from the client", 1 },
	{ "program-not-trusted", "sshgate would refuse to run the program: "
	    "missing, not root-owned or writable by others", 1 },
	{ "broad-pattern", "a regex accepts any word, like /.*/", 1 },
	{ "dash-value", "a value pattern accepts a word starting with '-', "
	    "which the program reads as an option", 1 },
	/* every rule's regexes, deny rules too: they take the gate's time */
	{ "nested-quantifier", "a regex repeats a group that holds an "
	    "unbounded repeat itself, like (a+)+", 1 },
	{ "kept-variable", "keepenv passes a variable that changes what the "
	    "program runs, loads or writes", 1 },
	{ "root-runner", "the program runs as root without Landlock "
	    "required", 1 },
	{ "writable-root", "a writable path is / or holds the system's own "
	    "files", 1 },
	{ "no-seccomp", "the rule turns the seccomp filter off", 1 },
	{ "weak-seccomp", "the seccomp profile allows a group of syscalls "
	    "that sshgate denies by default", 1 },
	{ "capability", "the rule keeps a capability beyond "
	    "dac_read_search", 1 },

	/* borg */
	{ "borg-runs-program", "borg accepts an option or command that runs "
	    "a program of the client's choice", 1 },
	{ "borg-writes-file", "borg accepts an option or command that writes "
	    "files on this host", 1 },
	{ "borg-end-of-options", "borg accepts '--', after which every word "
	    "is a positional argument", 1 },
	{ "borg-short-options", "a regex accepts clustered or attached short "
	    "options such as -ve or -eVALUE", 1 },
	{ "borg-testsuite-host", "a repository pattern accepts the host "
	    "__testsuite__, for which borg ignores --rsh and starts a local "
	    "server", 1 },
	{ "borg-placeholder-path", "a pattern accepts a {now:...} "
	    "placeholder whose format holds '/..'", 1 },
	{ "borg-local-repository", "a repository pattern accepts a local "
	    "path, where borg creates and writes repository files", 1 },
	{ "borg-no-tmpdir", "a rule runs borg with writable paths but no "
	    "TMPDIR inside them", 1 },
	{ NULL, NULL, 0 }
};

const struct warning_name audit_findings[] = {
	{ "policy-missing", "the policy file does not exist", 0 },
	{ "policy-untrusted", "the gate would refuse the policy file", 0 },
	{ "policy-errors", "the policy does not compile or its tests fail",
	    0 },
	{ "policy-warnings", "the linter warns about the policy", 0 },
	{ "account-missing", "no such login account, or it is root", 0 },
	{ "account-shell", "the login shell runs nothing, or is bash", 0 },
	{ "bash-rc-file", "an rc file bash may run before the gate", 0 },
	{ "account-home", "the home or ~/.ssh can be changed by others", 0 },
	{ "gate-missing", "the gate is not installed there", 0 },
	{ "gate-untrusted", "the gate or a directory above it is not "
	    "root's alone", 0 },
	{ "gate-mode", "the gate is not mode 4750", 0 },
	{ "gate-group", "the gate's group is not the login account's", 0 },
	{ "gate-nosuid", "the gate's file system is mounted nosuid", 0 },
	{ "sshd-unreadable", "sshd's effective settings could not be read",
	    0 },
	{ "sshd-forcecommand", "ForceCommand runs something else, or hides "
	    "the tag", 0 },
	{ "sshd-setting", "an sshd setting for the account is not what "
	    "sshgate needs", 0 },
	{ "sshd-acceptenv", "sshd accepts a variable the policy does not "
	    "keep", 0 },
	{ "keys-missing", "the account has no authorized key", 0 },
	{ "keys-writable", "someone but root can change the authorized "
	    "keys", 0 },
	{ "key-options", "a key lacks restrict, port-forwarding, from= or "
	    "a command= that runs the gate", 0 },
	{ "socket-dir", "the socket directory is missing, open to others, "
	    "or refused by sshgate-connect", 0 },
	{ "pam-user-readenv", "pam_env reads the account's "
	    ".pam_environment", 0 },
	{ "runner-missing", "a rule's runner account is missing or is the "
	    "login account", 0 },
	{ "write-path", "a rule's writable path does not exist or the gate "
	    "refuses it", 0 },
	{ "exec-path", "a rule's exec path does not exist or the gate "
	    "refuses it", 0 },
	{ "read-path", "a rule's read path does not exist or the gate "
	    "refuses it", 0 },
	{ "kernel-landlock", "the running kernel has no Landlock", 0 },
	{ "kernel-seccomp", "the running kernel has no seccomp filter", 0 },
	{ "unreadable", "something the audit needs could not be read", 0 },
	{ NULL, NULL, 0 }
};

const struct warning_name *
warning_lookup(const char *name)
{
	const struct warning_name *w;

	for (w = warning_names; w->name != NULL; w++)
		if (strcmp(w->name, name) == 0)
			return w;
	return NULL;
}
