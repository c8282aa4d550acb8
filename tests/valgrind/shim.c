#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <valgrind/valgrind.h>

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
