/*
 * sgt-vgshim.so: preloaded into the gate in the valgrind stage
 * (tests/run.d/valgrind, tests/valgrind/gate.c).  Valgrind 3.19 does not
 * know seccomp(2), Landlock's three system calls or mount_setattr(2); the
 * gate's calls of them are performed here natively, on the real CPU
 * (VALGRIND_NON_SIMD_CALL1), and everything else goes to the C library.
 * RLIMIT_NOFILE, which valgrind keeps to itself, is kept here (below).
 * x86-64 only.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <valgrind/valgrind.h>

/*
 * Built with -DSGT_SHIM_NOFILE_ONLY (tests/bench/run, for callgrind) it
 * keeps only RLIMIT_NOFILE's part: without the native calls the gate's
 * Landlock and seccomp calls fail under valgrind, as the bench's
 * best-effort rules allow.
 */
#ifndef SGT_SHIM_NOFILE_ONLY
struct args { long nr, a[6], ret; };

static long
raw(long tid, struct args *x)
{
	long ret;
	register long r10 __asm__("r10") = x->a[3];
	register long r8 __asm__("r8") = x->a[4];
	register long r9 __asm__("r9") = x->a[5];

	(void)tid;
	__asm__ volatile ("syscall" : "=a"(ret) : "a"(x->nr), "D"(x->a[0]),
	    "S"(x->a[1]), "d"(x->a[2]), "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "memory");
	return ret;
}

long
syscall(long nr, ...)
{
	static long (*next)(long, ...);
	struct args x;
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		x.a[i] = va_arg(ap, long);
	va_end(ap);
	if ((nr == 317 || (nr >= 444 && nr <= 446)) && RUNNING_ON_VALGRIND) {
		long r;
		x.nr = nr;
		r = VALGRIND_NON_SIMD_CALL1(raw, &x);
		if (r < 0 && r > -4096) { errno = (int)-r; return -1; }
		return r;
	}
	if (next == NULL)
		next = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return next(nr, x.a[0], x.a[1], x.a[2], x.a[3], x.a[4], x.a[5]);
}

/*
 * The new mount API, which the gate uses for a runner that is uid 0
 * (gate/readonly.c) through the C library's wrappers, not syscall():
 * valgrind 3.19 knows mount_setattr(2) not at all.  Performed natively,
 * like the calls above; their arguments are plain data the gate owns.
 */
static long
native(long nr, long a0, long a1, long a2, long a3, long a4)
{
	struct args x = { nr, { a0, a1, a2, a3, a4, 0 }, 0 };
	long r;

	r = RUNNING_ON_VALGRIND ? VALGRIND_NON_SIMD_CALL1(raw, &x) : raw(0, &x);
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

int
open_tree(int dfd, const char *path, unsigned int flags)
{
	return (int)native(SYS_open_tree, dfd, (long)path, flags, 0, 0);
}

int
move_mount(int fdfd, const char *fpath, int tdfd, const char *tpath,
    unsigned int flags)
{
	return (int)native(SYS_move_mount, fdfd, (long)fpath, tdfd,
	    (long)tpath, flags);
}

int
mount_setattr(int dfd, const char *path, unsigned int flags, void *attr,
    size_t size)
{
	return (int)native(SYS_mount_setattr, dfd, (long)path, flags,
	    (long)attr, (long)size);
}

#endif /* SGT_SHIM_NOFILE_ONLY */

/*
 * RLIMIT_NOFILE: valgrind keeps descriptors of its own above the
 * caller's limit, shows the gate a limit of its own below them, and
 * refuses any hard limit but that one; lowering the real limit would
 * break valgrind (its next descriptor, e.g. at a fork, must lie above
 * it).  So the gate's setting of it (gate/state.c) is kept here and
 * given back to the gate's getrlimit: the gate's code runs and checks as
 * always, but under valgrind the program gets valgrind's limit.  The
 * tests of the program's limits use the native gate.
 */
static struct rlimit nofile;	/* as the gate set it */
static int nofile_set;

int
setrlimit(__rlimit_resource_t resource, const struct rlimit *rl)
{
	static int (*next)(__rlimit_resource_t, const struct rlimit *);

	if (resource == RLIMIT_NOFILE && RUNNING_ON_VALGRIND) {
		nofile = *rl;
		nofile_set = 1;
		return 0;
	}
	if (next == NULL)
		next = (int (*)(__rlimit_resource_t, const struct rlimit *))
		    dlsym(RTLD_NEXT, "setrlimit");
	return next(resource, rl);
}

int
getrlimit(__rlimit_resource_t resource, struct rlimit *rl)
{
	static int (*next)(__rlimit_resource_t, struct rlimit *);

	if (resource == RLIMIT_NOFILE && RUNNING_ON_VALGRIND && nofile_set) {
		*rl = nofile;
		return 0;
	}
	if (next == NULL)
		next = (int (*)(__rlimit_resource_t, struct rlimit *))
		    dlsym(RTLD_NEXT, "getrlimit");
	return next(resource, rl);
}
