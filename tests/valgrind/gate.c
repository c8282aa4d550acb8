/*
 * sgt-vggate: stands in for the setuid gate in the valgrind stage
 * (tests/run.d/valgrind).  Installed setuid root in the gate's place by
 * tests/lib/sgt.sh when SGT_VALGRIND is set, it runs the real gate,
 * "sshgate.real" next to it, under valgrind's memcheck, with the
 * caller's ids as the kernel left them (real uid the caller's, effective
 * uid 0) and the caller's arguments and environment.  The setuid bit
 * does not survive valgrind; this keeps the kernel's part of the setuid
 * exec (the ids, the 4750 mode check) and lets memcheck watch the gate.
 *
 * What differs from the real thing: glibc, seeing this program run
 * setuid, removes LD_*, TMPDIR, GCONV_PATH, MALLOC_* and a few more from
 * the environment before the gate sees it; valgrind's preload libraries
 * and tests/valgrind/shim.c (Landlock and seccomp(2), which valgrind
 * 3.19 does not know) are added.  Valgrind does not follow the gate's
 * execve: the program the gate runs runs natively.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VG_LIB		"/usr/libexec/valgrind"
#if defined(__x86_64__)
#define VG_PLATFORM	"amd64-linux"
#elif defined(__aarch64__)
#define VG_PLATFORM	"arm64-linux"
#else
#error "which valgrind platform is this?"
#endif

#ifndef SGT_VG_LOGDIR
#error "SGT_VG_LOGDIR: where valgrind's logs go"
#endif

int
main(int argc, char **argv)
{
	char self[PATH_MAX], gate[PATH_MAX + 16], shim[PATH_MAX + 32];
	char logopt[sizeof(SGT_VG_LOGDIR) + 64];
	char *vargv[32 + 1024], *slash;
	ssize_t n;
	int i, k = 0;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || argc > 1000)
		return 125;
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(gate, sizeof(gate), "%s/sshgate.real", self);
	snprintf(shim, sizeof(shim), "%s/sgt-vgshim.so", self);
	/*
	 * memcheck's tool binary directly, as valgrind's launcher would
	 * start it: Debian's /usr/bin/valgrind drops to the real uid when it
	 * differs from the effective one, and the launcher, a dynamic
	 * program started with ids that differ, would lose LD_PRELOAD (the
	 * C library's secure mode).  The tool is static; it gives the gate
	 * its LD_PRELOAD and tells its loader that nothing is setuid.
	 */
	if (setenv("LD_PRELOAD", shim, 1) != 0 ||
	    setenv("VALGRIND_LIB", VG_LIB, 1) != 0 ||
	    setenv("VALGRIND_LAUNCHER", "/usr/bin/valgrind", 1) != 0)
		return 125;
	vargv[k++] = VG_LIB "/memcheck-" VG_PLATFORM;
	vargv[k++] = "--tool=memcheck";
	vargv[k++] = "--quiet";
	vargv[k++] = "--error-exitcode=98";
	vargv[k++] = "--exit-on-first-error=yes";
	vargv[k++] = "--leak-check=full";
	vargv[k++] = "--show-leak-kinds=definite";
	vargv[k++] = "--errors-for-leak-kinds=definite";
	/* (add --track-origins=yes to find where an uninitialised value
	 * came from, once there is one: it slows every run down) */
	vargv[k++] = "--vgdb=no";
	/*
	 * One log per gate, named here: with "%p" in the name, valgrind
	 * opens a new log in the child of a fork (a rule with a timeout),
	 * below the gate's RLIMIT_NOFILE where it cannot hide it, and the
	 * program would inherit it.
	 */
	snprintf(logopt, sizeof(logopt), "--log-file=%s/vg.%ld.log",
	    SGT_VG_LOGDIR, (long)getpid());
	vargv[k++] = logopt;
	vargv[k++] = gate;
	for (i = 1; i < argc; i++)
		vargv[k++] = argv[i];
	vargv[k] = NULL;
	execv(vargv[0], vargv);
	perror(vargv[0]);
	return 125;
}
