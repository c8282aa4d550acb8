/*
 * Logging to syslog (authpriv) through /dev/log.  MUST never block for
 * long: a syslog daemon that stopped reading would otherwise hang every
 * login.  A full socket is waited for, but only LOG_WAIT_MS in all per
 * process (a burst of logins fills a listener's queue of 10 datagrams
 * at once: without a wait, some of 50 concurrent decisions went
 * unlogged).  A lost log line does not change a decision; it is noted
 * on stderr.  Callers escape everything untrusted before it gets here.
 *
 * And the gate's one way out, die() (docs/STYLE.md 2): the clean-up main
 * registered first (OpenSSH's cleanup_exit), then the message on stderr
 * and in the log.  Here, not in main.c, so that every file of the gate
 * calls into log.c and none into main.c (tests/layout.sh).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "gate.h"

#define LOG_SOCKET	"/dev/log"
#define LOG_WAIT_MS	500	/* for a full socket, in all */

static int log_fd = -1;
static int log_failed;
static int log_wait_left = LOG_WAIT_MS;
static void (*die_cleanup)(void);
static const char *(*die_context)(void);

/* Send one datagram; wait for room while the budget lasts. */
static int
log_send(const char *line, size_t len)
{
	struct timespec t0, t1;
	struct pollfd pfd;
	int ms;

	for (;;) {
		if (send(log_fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL) != -1)
			return 0;
		if ((errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ||
		    log_wait_left <= 0)
			return -1;
		pfd.fd = log_fd;
		pfd.events = POLLOUT;
		if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0)
			return -1;
		if (poll(&pfd, 1, log_wait_left) == -1 && errno != EINTR)
			return -1;
		if (clock_gettime(CLOCK_MONOTONIC, &t1) != 0)
			return -1;
		ms = (int)((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000);
		log_wait_left -= ms > 0 ? ms : 1;
	}
}

void
log_open(void)
{
	struct sockaddr_un sun;
	int type;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, LOG_SOCKET);
	for (type = 0; type < 2; type++) {
		log_fd = socket(AF_UNIX, (type ? SOCK_STREAM : SOCK_DGRAM) |
		    SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (log_fd == -1)
			break;
		if (connect(log_fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return;
		close(log_fd);
		log_fd = -1;
		if (errno != EPROTOTYPE)
			break;
	}
}

/*
 * One line, one datagram: "<PRI>Mmm dd hh:mm:ss sshgate[PID]: " and msg,
 * which holds at most LOG_MSG_MAX bytes.
 */
static void
log_line(int level, const char *msg)
{
	char line[LOG_MSG_MAX + 64], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
		strcpy(stamp, "-");
	n = snprintf(line, sizeof(line), "<%d>%s sshgate[%ld]: %s",
	    LOG_AUTHPRIV | level, stamp, (long)getpid(), msg);
	if (n < 0 || (size_t)n >= sizeof(line) || log_fd == -1 ||
	    log_send(line, (size_t)n + 1) == -1) {
		if (!log_failed) {
			static const char w[] = "sshgate: warning: syslog "
			    "unavailable; this decision is not logged\n";

			(void)!write(STDERR_FILENO, w, sizeof(w) - 1);
		}
		log_failed = 1;
	}
}

/*
 * A message longer than a line ends in LOG_CUT instead of being cut
 * silently.  The permit and deny lines, which can be long, never get
 * here whole: policy/logfmt.c splits them, log_lines() sends them.
 */
void
log_msg(int level, const char *fmt, ...)
{
	char msg[LOG_MSG_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > LOG_MSG_MAX)
		memcpy(msg + sizeof(msg) - sizeof(LOG_CUT), LOG_CUT,
		    sizeof(LOG_CUT));
	log_line(level, msg);
}

/* Lines made by policy/logfmt.c, each within LOG_MSG_MAX. */
void
log_lines(int level, const struct loglines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		log_msg(level, "%s", l->v[i]);
}

void
log_close(void)
{
	if (log_fd != -1)
		close(log_fd);
	log_fd = -1;
}

/* ---- the one way out (docs/STYLE.md 2) ---------------------------------- */

void
die_hooks(void (*cleanup)(void), const char *(*context)(void))
{
	die_cleanup = cleanup;
	die_context = context;
}

void
say(int status, int level, const char *prefix, const char *msg)
{
	const char *ctx = NULL;
	char line[1200];
	int n;

	if (die_cleanup != NULL)
		die_cleanup();
	n = snprintf(line, sizeof(line), "sshgate: %s%s\n", prefix, msg);
	if (n > 0)
		(void)!write(STDERR_FILENO, line, (size_t)n < sizeof(line) ?
		    (size_t)n : sizeof(line) - 1);
	if (die_context != NULL)
		ctx = die_context();
	if (ctx != NULL)
		log_msg(level, "%s%s%s", prefix, msg, ctx);
	_exit(status);
}

void
die(int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg))	/* never cut silently */
		memcpy(msg + sizeof(msg) - sizeof(LOG_CUT), LOG_CUT,
		    sizeof(LOG_CUT));
	say(status, LOG_ERR, "", msg);
}
