/*
 * sshgate-connect -- the remote shell (BORG_RSH) of the confined borg:
 * joins stdin/stdout to the unix socket that sshd forwards to the backup
 * server, and ignores the host and command that borg appends.
 *
 *   sshgate-connect -u LOGIN SOCKET [ignored ...]
 *
 * MUST refuse, before any data flows:
 *  - a path that is not a socket, or a socket not owned by LOGIN;
 *  - a socket in a directory that trust_walk() refuses (policy/trust.h:
 *    another local user could have put their own socket there);
 *  - a listener that is not a process of LOGIN (SO_PEERCRED): sshd's
 *    session process runs as the login account;
 *  - a listener that is not an ancestor of ours (SO_PEERCRED's pid, the
 *    parent chain read from /proc): the sshd process that binds the
 *    forwarded socket is the one that forks the session's command, whose
 *    descendants are borg and we.  Another session of the same account
 *    (another backup server) can bind a socket in the same directory,
 *    but its sshd is not our ancestor.  No /proc, no connection.
 * It never runs a shell, never writes a file, and exits when either side
 * closes.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trust.h"

/* Exit statuses (sshgate(8), EXIT STATUS, "sshgate-connect"). */
#define EXIT_DONE	0	/* the backup server closed the stream */
#define EXIT_STREAM	1	/* reading or writing the stream failed */
#define EXIT_REFUSED	2	/* refused before any data flowed, or usage */
#define WAIT_SECONDS	10	/* for sshd to create the socket */
#define LINGER_MS	3000	/* for borg to start reading our stderr */
#define BUFSIZE		65536
#define MAX_ANCESTORS	64	/* sshd, sh, gate, supervisor, borg: a few */

/*
 * borg reads the remote shell's stderr only while it waits for an answer,
 * that is after it has written its first request.  A connector that
 * exits at once makes that write fail (EPIPE: borg prints a traceback,
 * not our reason) or ends stdout before borg looked at stderr.  So after
 * saying why, wait until borg has written (or stdin is closed), give it a
 * moment to read the reason, then exit.  Nothing is ever connected here.
 */
static void
linger(void)
{
	struct pollfd pf = { STDIN_FILENO, POLLIN, 0 };
	struct timespec moment = { 0, 300 * 1000 * 1000 };

	if (poll(&pf, 1, LINGER_MS) == 1 && (pf.revents & POLLIN))
		nanosleep(&moment, NULL);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
refuse(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sshgate-connect: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	linger();
	exit(EXIT_REFUSED);
}

/*
 * The socket's directory, walked from "/" by the walker the gate and
 * sshgate-lint --audit use (policy/trust.c): every directory above it
 * root's and written by root alone, the directory itself the login
 * account's (or root's), none writable by group or others, no symlink.
 * Another user who could write any of them could put their own socket
 * in its place.
 */
static int
open_socket_dir(const char *dir, uid_t login)
{
	struct trust_why why;
	int fd;

	fd = trust_walk(dir, O_PATH, TRUST_NO_LINKS, TRUST_DIR, login, &why);
	if (fd == -1)
		refuse("socket directory %s refused: %s", dir, why.msg);
	return fd;
}

/* The parent of pid, from /proc/PID/stat; -1 with errno if unreadable. */
static long
parent_of(long pid)
{
	char path[64], buf[1024], *p, state;
	ssize_t n;
	long ppid;
	int fd, e;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	e = errno;
	close(fd);
	if (n <= 0) {
		errno = n == 0 ? EPROTO : e;
		return -1;
	}
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: it ends at the last ')' */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p, ") %c %ld", &state, &ppid) != 2 || ppid < 0) {
		errno = EPROTO;
		return -1;
	}
	return ppid;
}

/*
 * The listener must be the sshd process of this very ssh session: it
 * bound the forwarded socket and forked the session's command, so it is
 * an ancestor of ours.  SO_PEERCRED alone cannot tell two sessions of
 * the same login account apart.
 */
static void
check_ancestor(long listener, const char *shown)
{
	long pid = (long)getppid(), parent;
	int steps;

	if (listener <= 1)
		refuse("%s: the listening process has pid %ld here (another "
		    "pid namespace, or init): not this ssh session's sshd",
		    shown, listener);
	for (steps = 0; steps < MAX_ANCESTORS && pid > 1; steps++) {
		if (pid == listener)
			return;
		if ((parent = parent_of(pid)) == -1)
			refuse("%s: cannot read /proc/%ld/stat (%s), so cannot "
			    "check that the listening process (pid %ld) is "
			    "this ssh session's sshd (is /proc mounted with "
			    "hidepid?)", shown, pid, strerror(errno), listener);
		pid = parent;
	}
	refuse("%s: the listening process (pid %ld) is not this ssh "
	    "session's sshd: another session's socket", shown, listener);
}

static int
connect_checked(int dirfd, const char *name, uid_t login, const char *shown)
{
	struct sockaddr_un sun;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct stat st;
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	int s, tries;

	for (tries = 0;; tries++) {
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			break;
		if (errno != ENOENT || tries >= WAIT_SECONDS * 10)
			refuse("%s: %s (is the tunnel up? the backup server "
			    "must run ssh -R with ExitOnForwardFailure yes)",
			    shown, strerror(errno));
		nanosleep(&pause, NULL);
	}
	if (!S_ISSOCK(st.st_mode))
		refuse("%s is not a socket", shown);
	if (st.st_uid != login)
		refuse("%s is owned by uid %u, not the login account", shown,
		    (unsigned)st.st_uid);

	/* Connect through the checked directory, not through the path. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path),
	    "/proc/self/fd/%d/%s", dirfd, name) >= sizeof(sun.sun_path))
		refuse("%s: socket name too long", shown);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s == -1)
		refuse("%s: socket: %s", shown, strerror(errno));
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == ECONNREFUSED)
			refuse("%s: nobody listens on it (a socket left by an "
			    "earlier session): is the tunnel up? the backup "
			    "server must run ssh -R %s:... with "
			    "ExitOnForwardFailure yes", shown, shown);
		refuse("%s: %s", shown, strerror(errno));
	}
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		refuse("%s: SO_PEERCRED: %s", shown, strerror(errno));
	if (cred.uid != login)
		refuse("%s: the listening process runs as uid %u, not the "
		    "login account", shown, (unsigned)cred.uid);
	check_ancestor((long)cred.pid, shown);
	return s;
}

/* Copy what is readable from in to out; 0 at end of input, -1 on error. */
static int
pump(int in, int out, char *buf)
{
	ssize_t r, w, off;

	r = read(in, buf, BUFSIZE);
	if (r == -1)
		return errno == EINTR || errno == EAGAIN ? 1 : -1;
	if (r == 0)
		return 0;
	for (off = 0; off < r; off += w) {
		w = write(out, buf + off, (size_t)(r - off));
		if (w == -1 && errno == EINTR)
			w = 0;
		else if (w == -1)
			return -1;
	}
	return 1;
}

int
main(int argc, char **argv)
{
	static char buf[BUFSIZE];
	struct pollfd pf[2];
	struct passwd *pw;
	char dir[PATH_MAX], *slash, *name;
	const char *login = NULL, *path = NULL;
	int dirfd, s, i, stdin_open = 1;

	/*
	 * Only as the sole argument: borg runs us as "BORG_RSH HOST borg
	 * serve ...", always -u LOGIN SOCKET and more, and what follows
	 * SOCKET is never read as an option (sshgate(8)).
	 */
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("sshgate-connect %s\n", PACKAGE_VERSION);
		return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_DONE :
		    EXIT_REFUSED;
	}
	for (i = 1; i < argc && path == NULL; i++) {
		if (strcmp(argv[i], "-u") == 0 && i + 1 < argc)
			login = argv[++i];
		else if (argv[i][0] != '-')
			path = argv[i];
		else
			refuse("usage: sshgate-connect -u LOGIN SOCKET [...]");
	}
	/* Whatever follows SOCKET (borg's host and command) is ignored. */
	if (login == NULL || path == NULL)
		refuse("usage: sshgate-connect -u LOGIN SOCKET [...]");
	pw = getpwnam(login);
	if (pw == NULL)
		refuse("no account %s", login);
	if (strlen(path) >= sizeof(dir))
		refuse("socket path too long");
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash[1] == '\0')
		refuse("%s: give the absolute path of the socket", path);
	name = slash + 1;
	*slash = '\0';
	if (dir[0] == '\0')
		strcpy(dir, "/");
	dirfd = open_socket_dir(dir, pw->pw_uid);
	s = connect_checked(dirfd, name, pw->pw_uid, path);

	signal(SIGPIPE, SIG_IGN);
	pf[0].fd = STDIN_FILENO;
	pf[1].fd = s;
	for (;;) {
		pf[0].events = stdin_open ? POLLIN : 0;
		pf[1].events = POLLIN;
		if (poll(pf, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			return EXIT_STREAM;
		}
		if (stdin_open && (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			int r = pump(STDIN_FILENO, s, buf);

			if (r < 0)
				return EXIT_STREAM;
			if (r == 0) {
				/* borg is done sending: pass the end on */
				stdin_open = 0;
				pf[0].fd = -1;
				(void)shutdown(s, SHUT_WR);
			}
		}
		if (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			int r = pump(s, STDOUT_FILENO, buf);

			if (r < 0)
				return EXIT_STREAM;
			if (r == 0)
				return EXIT_DONE;
		}
	}
}
