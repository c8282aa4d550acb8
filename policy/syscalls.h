/*
 * What each seccomp group denies, as data.  The gate turns it into a
 * libseccomp filter (gate/sandbox.c); sshgate-lint --explain prints it.
 * One table, so that the explanation is the filter.
 */
#ifndef SSHGATE_SYSCALLS_H
#define SSHGATE_SYSCALLS_H

enum sc_action { SCA_EPERM, SCA_ENOSYS, SCA_EAFNOSUPPORT };

enum sc_arg {
	SCARG_NONE,		/* the whole syscall */
	SCARG_CLONE_NS,		/* clone() with a CLONE_NEW* flag in arg 0 */
	SCARG_UNSHARE_NS,	/* unshare() with a CLONE_NEW* flag in arg 0 */
	SCARG_IOCTL_TTY,	/* ioctl() TIOCSTI/TIOCLINUX, 32-bit compare */
	SCARG_SOCKET_NOT_UNIX,	/* socket() with a family other than AF_UNIX */
	SCARG_IOCTL_FSFLAGS,	/* ioctl() setting inode flags, 32-bit compare */
	SCARG_OTHER_PID,	/* a pid in arg 0 that is not 0 (not ourselves) */
};

struct sc_rule {
	const char	*syscall;
	enum sc_action	 action;
	enum sc_arg	 arg;
};

struct sc_group {
	const char		*name;	/* "@mount" */
	unsigned		 bit;	/* SC_* in policy.h */
	const char		*why;
	const struct sc_rule	*rules;
};

extern const struct sc_group	sc_groups[];	/* ends with name NULL */
extern const struct sc_rule	sc_always[];	/* in every filter */

/*
 * Syscalls newer than the oldest libseccomp we build with (2.5.4), by
 * number.  Since Linux 5.1 a new syscall has one number on every
 * architecture but alpha, ia64 and mips; elsewhere sc_newer_nr() knows
 * none, and a name libseccomp cannot resolve stops the gate.
 */
long			 sc_newer_nr(const char *name);

const struct sc_group	*sc_group_by_name(const char *name);
const char		*sc_action_name(enum sc_action a);
const char		*sc_arg_text(enum sc_arg a);

#endif
