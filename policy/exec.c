/*
 * The execute allow-list of a rule (policy/exec.h).  MUST: read headers
 * with pread() on the descriptor that the caller trusted (docs/STYLE.md
 * 10), never by a path; refuse a header it cannot read in full; name an
 * interpreter only by an absolute path, as the kernel reads it.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "xmalloc.h"

/* The kernel reads this much of a script for its "#!" line. */
#define SHEBANG_MAX	256

const char *const read_base[] = {
	"/usr", "/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf",
	"/etc/passwd", "/etc/group", "/etc/hosts", "/etc/host.conf",
	"/etc/resolv.conf", "/etc/locale.alias", NULL
};

size_t
exec_paths(const struct rule *r, struct exec_path **v)
{
	size_t i, n = 0;

	*v = xreallocarray(NULL, r->nexec + 2, sizeof(**v));
	if (r->nrun > 0) {
		(*v)[n].path = r->run[0];
		(*v)[n++].why = EXEC_PROGRAM;
	}
	for (i = 0; i < r->nexec; i++) {
		(*v)[n].path = r->exec[i];
		(*v)[n++].why = EXEC_RULE;
	}
	if (r->rsh_program != NULL) {
		(*v)[n].path = r->rsh_program;
		(*v)[n++].why = EXEC_BORG_RSH;
	}
	return n;
}

const char *
exec_why_name(enum exec_why why)
{
	switch (why) {
	case EXEC_PROGRAM:
		return "program";
	case EXEC_RULE:
		return "exec";
	case EXEC_BORG_RSH:
		return "BORG_RSH";
	}
	return "?";
}

static int
fail(char *why, size_t whylen, const char *msg)
{
	snprintf(why, whylen, "%s", msg);
	return -1;
}

static int
read_at(int fd, void *buf, size_t n, off_t off)
{
	ssize_t got = pread(fd, buf, n, off);

	return got >= 0 && (size_t)got == n ? 0 : -1;
}

/* Program headers read at once; real programs have about a dozen. */
#define PHDR_MAX	64

static int
elf_interp(int fd, const Elf64_Ehdr *eh, char *buf, size_t size, char *why,
    size_t whylen)
{
	Elf64_Phdr ph[PHDR_MAX];
	size_t i;

	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(why, whylen, "an ELF file that is not 64-bit");
	if (eh->e_phentsize != sizeof(ph[0]) || eh->e_phnum > PHDR_MAX)
		return fail(why, whylen, "a malformed ELF header");
	if (read_at(fd, ph, eh->e_phnum * sizeof(ph[0]),
	    (off_t)eh->e_phoff) != 0)
		return fail(why, whylen, "short ELF program headers");
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_INTERP)
			continue;
		if (ph[i].p_filesz < 2 || ph[i].p_filesz > size)
			return fail(why, whylen, "an ELF interpreter path of "
			    "a bad length");
		if (read_at(fd, buf, ph[i].p_filesz,
		    (off_t)ph[i].p_offset) != 0)
			return fail(why, whylen, "a short ELF interpreter path");
		if (buf[ph[i].p_filesz - 1] != '\0' ||
		    strlen(buf) != ph[i].p_filesz - 1 || buf[0] != '/')
			return fail(why, whylen, "an ELF interpreter path that "
			    "is not one absolute path");
		return 1;
	}
	return 0;
}

int
exec_interp(int fd, char *buf, size_t size, char *why, size_t whylen)
{
	char head[SHEBANG_MAX + 1];
	Elf64_Ehdr eh;
	ssize_t got;
	size_t n;

	got = pread(fd, head, SHEBANG_MAX, 0);
	if (got < 0)
		return fail(why, whylen, strerror(errno));
	head[got] = '\0';
	if ((size_t)got >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0) {
		if ((size_t)got < sizeof(eh))
			return fail(why, whylen, "a short ELF header");
		memcpy(&eh, head, sizeof(eh));
		return elf_interp(fd, &eh, buf, size, why, whylen);
	}
	if (got < 2 || head[0] != '#' || head[1] != '!')
		return 0;
	/* as binfmt_script: blanks, then the path up to a blank or newline */
	n = 2 + strspn(head + 2, " \t");
	if (head[n] != '/')
		return fail(why, whylen, "a \"#!\" line without an absolute "
		    "path");
	got = (ssize_t)strcspn(head + n, " \t\n");
	if (head[n + (size_t)got] == '\0' || (size_t)got >= size)
		return fail(why, whylen, "a \"#!\" line too long");
	memcpy(buf, head + n, (size_t)got);
	buf[got] = '\0';
	return 1;
}
