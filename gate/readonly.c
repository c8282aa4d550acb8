/*
 * A read-only view of the system for a runner that is uid 0.
 *
 * uid 0 owns root's files.  Without capabilities it still passes every
 * owner check: it may chmod, chown to its own groups, set ACLs and other
 * extended attributes, change times and inode flags of any root-owned
 * file.  Landlock governs the contents and names of files, not that
 * metadata; a syscall deny list would miss the next syscall that sets it.
 * A read-only mount stops all of it in the VFS, for every syscall.
 *
 * MUST:
 *  - be used where confine_decide() (policy/confine.c) says: for a uid 0
 *    runner; and refuse to run it if it fails;
 *  - take a private mount namespace first (readonly_enter), so that
 *    nothing changes outside this process tree and no later host mount
 *    arrives writable -- and before gate/main.c opens the writable paths:
 *    a descriptor opened in the old namespace names the old namespace's
 *    mount, which open_tree() refuses to copy (EINVAL);
 *  - make every mount read-only (recursively, from "/");
 *  - then give back write access to exactly the rule's writable paths,
 *    each bound onto itself from the descriptor that trust_walk() opened
 *    (no second path walk), non-recursively: mounts below them stay
 *    read-only;
 *  - verify the result with fstatvfs on the new mount.
 * Device nodes stay usable (a read-only mount does not stop writes to
 * /dev/null or a pty), and so does connecting to a unix socket.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "gate.h"

static void
rw_again(int fd, const char *path)
{
	struct mount_attr rw;
	struct statvfs sv;
	int tree;

	/* A detached copy of just this place, writable, put on top of it. */
	tree = open_tree(fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC);
	if (tree == -1)
		die(EXIT_PRIV, "open_tree %s: %s", path, strerror(errno));
	memset(&rw, 0, sizeof(rw));
	rw.attr_clr = MOUNT_ATTR_RDONLY;
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &rw, sizeof(rw)) != 0)
		die(EXIT_PRIV, "mount_setattr %s: %s", path, strerror(errno));
	if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH) != 0)
		die(EXIT_PRIV, "move_mount %s: %s", path, strerror(errno));
	/* The copy, now mounted where the path leads: it must be writable. */
	if (fstatvfs(tree, &sv) != 0 || (sv.f_flag & ST_RDONLY))
		die(EXIT_PRIV, "writable path %s is not writable after the "
		    "bind", path);
	close(tree);
}

void
readonly_enter(const struct rule *r, const struct confine *c)
{
	if (!c->readonly_mounts)
		return;
	if (unshare(CLONE_NEWNS) != 0)
		die(EXIT_PRIV, "rule '%s' runs as uid 0: cannot take a private "
		    "mount namespace: %s", r->name, strerror(errno));
	/*
	 * Nothing we do propagates out, nothing from outside comes in.  (A
	 * change of propagation reads neither source nor type; they are
	 * named all the same, as mount(8) does, for tools that check them.)
	 */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0)
		die(EXIT_PRIV, "mount private: %s", strerror(errno));
}

void
readonly_system(const struct rule *r, const struct confine *c,
    const struct wpaths *wp)
{
	struct mount_attr ro;
	struct statvfs sv;
	size_t i;

	if (!c->readonly_mounts)
		return;
	memset(&ro, 0, sizeof(ro));
	ro.attr_set = MOUNT_ATTR_RDONLY;
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)) != 0)
		die(EXIT_PRIV, "rule '%s' runs as uid 0: cannot make the "
		    "mounts read-only (mount_setattr, Linux 5.12): %s",
		    r->name, strerror(errno));
	if (statvfs("/", &sv) != 0 || !(sv.f_flag & ST_RDONLY))
		die(EXIT_PRIV, "/ is not read-only after mount_setattr");
	for (i = 0; i < wp->n; i++)
		rw_again(wp->fd[i], r->write[i]);
}
