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
	DENY("process_madvise"), END
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
	DENY("move_mount"), DENY("open_tree"), DENY("mount_setattr"), END
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

const struct sc_group sc_groups[] = {
	{ "@debug", SC_DEBUG, "reading or steering other processes", debug },
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
	{ NULL, 0, NULL, NULL }
};

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
	}
	return "";
}
