/*
 * The deny lists.  MUST: every filter is native-architecture only with
 * KILL_PROCESS for any other (x32 and i386 entry points bypass a deny
 * list otherwise); clone3 and io_uring fail with ENOSYS so that libc
 * falls back to clone() and io_uring cannot carry syscalls past the
 * filter.  Syscalls a program must survive fail with EPERM.
 */
#include <string.h>

#include "policy.h"
#include "syscalls.h"

#define END { NULL, SCA_EPERM, SCARG_NONE }
#define DENY(s) { s, SCA_EPERM, SCARG_NONE }

const struct sc_rule sc_always[] = {
	{ "clone3", SCA_ENOSYS, SCARG_NONE },
	{ "io_uring_setup", SCA_ENOSYS, SCARG_NONE },
	{ "io_uring_enter", SCA_ENOSYS, SCARG_NONE },
	{ "io_uring_register", SCA_ENOSYS, SCARG_NONE },
	END
};

static const struct sc_rule debug[] = {
	DENY("ptrace"), DENY("process_vm_readv"), DENY("process_vm_writev"),
	DENY("perf_event_open"), DENY("kcmp"), DENY("pidfd_getfd"),
	DENY("process_madvise"),
	/* limits of another process: a supervisor's (glibc passes 0) */
	{ "prlimit64", SCA_EPERM, SCARG_OTHER_PID }, END
};
static const struct sc_rule handle[] = {
	DENY("open_by_handle_at"), DENY("name_to_handle_at"), END
};
static const struct sc_rule bpf[] = { DENY("bpf"), END };
static const struct sc_rule userfaultfd[] = { DENY("userfaultfd"), END };
static const struct sc_rule keyring[] = {
	DENY("keyctl"), DENY("add_key"), DENY("request_key"), END
};
static const struct sc_rule reboot[] = {
	DENY("reboot"), DENY("kexec_load"), DENY("kexec_file_load"), END
};
static const struct sc_rule module[] = {
	DENY("init_module"), DENY("finit_module"), DENY("delete_module"), END
};
static const struct sc_rule mount[] = {
	DENY("mount"), DENY("umount2"), DENY("pivot_root"), DENY("chroot"),
	DENY("fsopen"), DENY("fsconfig"), DENY("fsmount"), DENY("fspick"),
	DENY("move_mount"), DENY("open_tree"), DENY("open_tree_attr"),
	DENY("mount_setattr"), END
};
static const struct sc_rule swap[] = { DENY("swapon"), DENY("swapoff"), END };
static const struct sc_rule clock[] = {
	DENY("settimeofday"), DENY("clock_settime"), DENY("clock_adjtime"),
	DENY("adjtimex"), END
};
static const struct sc_rule namespace[] = {
	{ "clone", SCA_EPERM, SCARG_CLONE_NS },
	{ "unshare", SCA_EPERM, SCARG_UNSHARE_NS },
	DENY("setns"), END
};
static const struct sc_rule tty[] = {
	{ "ioctl", SCA_EPERM, SCARG_IOCTL_TTY }, END
};
static const struct sc_rule rawio[] = {
	DENY("iopl"), DENY("ioperm"), DENY("mknod"), DENY("mknodat"), END
};
static const struct sc_rule privileged[] = {
	DENY("acct"), DENY("syslog"), DENY("quotactl"), DENY("vhangup"),
	DENY("uselib"), DENY("personality"), DENY("fanotify_init"),
	DENY("lookup_dcookie"), DENY("nfsservctl"), END
};
static const struct sc_rule network[] = {
	{ "socket", SCA_EAFNOSUPPORT, SCARG_SOCKET_NOT_UNIX }, END
};
/* What an owner may do to a file that Landlock does not govern. */
static const struct sc_rule metadata[] = {
	DENY("chmod"), DENY("fchmod"), DENY("fchmodat"), DENY("fchmodat2"),
	DENY("chown"), DENY("fchown"), DENY("lchown"), DENY("fchownat"),
	DENY("setxattr"), DENY("lsetxattr"), DENY("fsetxattr"),
	DENY("setxattrat"), DENY("removexattr"), DENY("lremovexattr"),
	DENY("fremovexattr"), DENY("removexattrat"), DENY("utime"),
	DENY("utimes"), DENY("futimesat"), DENY("utimensat"),
	DENY("file_setattr"),
	{ "ioctl", SCA_EPERM, SCARG_IOCTL_FSFLAGS }, END
};
static const struct sc_rule ipc[] = {
	DENY("shmget"), DENY("shmat"), DENY("shmctl"), DENY("semget"),
	DENY("semop"), DENY("semtimedop"), DENY("semctl"), DENY("msgget"),
	DENY("msgsnd"), DENY("msgrcv"), DENY("msgctl"), DENY("mq_open"),
	DENY("mq_unlink"), DENY("mq_timedsend"), DENY("mq_timedreceive"),
	DENY("mq_notify"), DENY("mq_getsetattr"), END
};

const struct sc_group sc_groups[] = {
	{ "@debug", SC_DEBUG, "reading or steering other processes (always "
	    "denied to a uid 0 runner, the supervisor's uid)", debug },
	{ "@handle", SC_HANDLE, "opening files by handle, around every "
	    "directory permission (the \"Shocker\" escape)", handle },
	{ "@bpf", SC_BPF, "loading BPF programs", bpf },
	{ "@userfaultfd", SC_USERFAULTFD, "stalling the kernel on a page "
	    "fault, a race amplifier", userfaultfd },
	{ "@keyring", SC_KEYRING, "the kernel keyrings", keyring },
	{ "@reboot", SC_REBOOT, "rebooting and loading kernels", reboot },
	{ "@module", SC_MODULE, "loading kernel modules", module },
	{ "@mount", SC_MOUNT, "changing the mount table or the root", mount },
	{ "@swap", SC_SWAP, "swap devices", swap },
	{ "@clock", SC_CLOCK, "setting the system clock", clock },
	{ "@namespace", SC_NAMESPACE, "new namespaces, which reopen the "
	    "kernel's attack surface", namespace },
	{ "@tty", SC_TTY, "pushing input into a terminal", tty },
	{ "@raw-io", SC_RAWIO, "port I/O and device nodes", rawio },
	{ "@privileged", SC_PRIVILEGED, "administrative calls a backup never "
	    "needs", privileged },
	{ "@network", SC_NETWORK, "sockets other than AF_UNIX", network },
	{ "@metadata", SC_METADATA, "changing modes, owners, extended "
	    "attributes, times and inode flags, which Landlock does not "
	    "govern", metadata },
	{ "@ipc", SC_IPC, "SysV IPC and POSIX message queues, which Landlock "
	    "does not govern (always denied to a uid 0 runner, as is @debug)",
	    ipc },
	{ NULL, 0, NULL, NULL }
};

#if defined(__x86_64__) || defined(__aarch64__) || defined(__i386__) || \
    defined(__arm__) || defined(__riscv) || defined(__powerpc__) || \
    defined(__s390__) || defined(__loongarch__)
#define UNIFIED_NUMBERS 1
#endif

long
sc_newer_nr(const char *name)
{
#ifdef UNIFIED_NUMBERS
	/* include/uapi/asm-generic/unistd.h, Linux 6.13 to 6.17 */
	static const struct { const char *name; long nr; } newer[] = {
		{ "setxattrat", 463 }, { "removexattrat", 466 },
		{ "open_tree_attr", 467 }, { "file_setattr", 469 },
	};
	size_t i;

	for (i = 0; i < sizeof(newer) / sizeof(newer[0]); i++)
		if (strcmp(newer[i].name, name) == 0)
			return newer[i].nr;
#endif
	return -1;
}

const struct sc_group *
sc_group_by_name(const char *name)
{
	const struct sc_group *g;

	for (g = sc_groups; g->name != NULL; g++)
		if (strcmp(g->name, name) == 0)
			return g;
	return NULL;
}

const char *
sc_action_name(enum sc_action a)
{
	switch (a) {
	case SCA_EPERM:		return "EPERM";
	case SCA_ENOSYS:	return "ENOSYS";
	case SCA_EAFNOSUPPORT:	return "EAFNOSUPPORT";
	}
	return "EPERM";
}

const char *
sc_arg_text(enum sc_arg a)
{
	switch (a) {
	case SCARG_NONE:		return "";
	case SCARG_CLONE_NS:		return " when flags hold CLONE_NEW*";
	case SCARG_UNSHARE_NS:		return " when flags hold CLONE_NEW*";
	case SCARG_IOCTL_TTY:		return " for TIOCSTI and TIOCLINUX";
	case SCARG_SOCKET_NOT_UNIX:	return " for any family but AF_UNIX";
	case SCARG_IOCTL_FSFLAGS:	return " for FS_IOC_SETFLAGS and "
					    "FS_IOC_FSSETXATTR";
	case SCARG_OTHER_PID:		return " on another process";
	}
	return "";
}
