/*
 * sshgate-lint's warnings, by name.  Every name here is documented in
 * sshgate-lint(1) with an example and the fix (tests/lint/docs.sh checks
 * that the two lists agree).
 */
#include <string.h>

#include "warnings.h"

const struct warning_name warning_names[] = {
	/* the policy file */
	{ "untrusted-file", "sshgate would refuse the policy file (owner, "
	    "mode, a writable parent, a symlink)", 0 },
	{ "unused-allow", "an allow comment silences nothing", 0 },

	/* generic dangers of a run rule */
	{ "interpreter", "the program is a shell, an interpreter or a "
	    "launcher that takes its program from the client", 1 },
	{ "program-not-trusted", "sshgate would refuse to run the program: "
	    "missing, not root-owned or writable by others", 1 },
	{ "broad-pattern", "a regex accepts any word, like /.*/", 1 },
	{ "dash-value", "a value pattern accepts a word starting with '-', "
	    "which the program reads as an option", 1 },
	{ "kept-variable", "keepenv passes a variable that changes what the "
	    "program runs, loads or writes", 1 },
	{ "root-runner", "the program runs as root without Landlock "
	    "required", 1 },
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
