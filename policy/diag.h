/*
 * Diagnostics, collected like a compiler's: the library appends, the
 * programs print.  A diagnostic points at file:line:col and carries a copy
 * of its source line so that it can be shown with a caret.
 */
#ifndef SSHGATE_DIAG_H
#define SSHGATE_DIAG_H

#include <stddef.h>

enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

struct diag {
	enum diag_level	 level;
	char		*file;
	unsigned	 line, col;	/* 1-based; 0 when not in the file */
	unsigned	 width;		/* caret width, at least 1 */
	char		*name;		/* warning name, or NULL */
	char		*rule;		/* rule the diagnostic is about, or NULL */
	char		*msg;
	char		*src;		/* the source line, or NULL */
};

/*
 * Diagnostics kept with their text; the ones after are only counted (a
 * policy of 16 MiB of bad bytes would otherwise take gigabytes and
 * minutes to report, at every login).  A note says so.
 */
#define DIAG_MAX	1000

struct diags {
	struct diag	*v;
	size_t		 n, cap;
	size_t		 nerr, nwarn;
	/*
	 * Where the last source line was found: diagnostics come mostly in
	 * line order, and scanning from the start for each would take time
	 * quadratic in the size of a policy full of errors.
	 */
	const char	*seen_text;
	unsigned	 seen_line;
	size_t		 seen_off;
};

/* A place in a policy source. */
struct loc {
	unsigned	line, col, width;
};

struct source {
	const char	*file;
	const char	*text;
	size_t		 len;
};

void	diag_add(struct diags *d, enum diag_level level, const char *name,
	    const struct source *src, const struct loc *at, const char *rule,
	    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
void	diags_free(struct diags *d);

/* "file:line:col: error: msg [name]\n  src\n  ^~~\n", allocated. */
char	*diag_render(const struct diag *g);
const char *diag_level_name(enum diag_level level);

#endif
