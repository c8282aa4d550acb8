/*
 * The regex sampler (sampler.h).  MUST stay a guess the matcher checks:
 * nothing it returns counts before policy_atom_match() accepts it.
 */
#include <stdlib.h>
#include <string.h>

#include "sampler.h"
#include "xmalloc.h"

/* From '|' at re[i]: the index of the ')' closing its group, or 0. */
static size_t
group_end(const char *re, size_t n, size_t i)
{
	int depth = 0;

	for (; i < n; i++) {
		if (re[i] == '\\') {
			i++;
		} else if (re[i] == '[') {
			i++;
			if (i < n && re[i] == '^')
				i++;
			if (i < n && re[i] == ']')
				i++;
			while (i < n && re[i] != ']')
				i += re[i] == '\\' ? 2 : 1;
		} else if (re[i] == '(')
			depth++;
		else if (re[i] == ')' && depth-- == 0)
			return i;
	}
	return 0;
}

/*
 * Room in *out for `more' bytes at o and the NUL after them, checked
 * before every write (a repeated group once outgrew the first guess).
 */
static void
reserve(char **out, size_t *cap, size_t o, size_t more)
{
	if (o + more < *cap)
		return;
	*cap = 2 * (o + more) + 1;
	*out = xreallocarray(*out, *cap, 1);
}

/*
 * A word a simple regex probably accepts, for atoms no sample word fits:
 * literals and escapes as written, the first choice of every group, a
 * letter or digit of every class, each quantified item its minimum number
 * of times (more = 0) or at least once (more = 1).  Only a guess: the
 * caller keeps it only if the matcher accepts it.  NULL for what it does
 * not understand (lookarounds, back references, \b ...).
 */
char *
regex_example(const char *re, int more)
{
	size_t n = strlen(re), o = 0, i = 0, cap = 4 * n + 16, start, len, k;
	size_t gstart[64];
	char *out = xmalloc(cap);
	int depth = 0;

	while (i < n) {
		char ch = re[i], emit = 0;
		unsigned long min;

		start = o;
		switch (ch) {
		case '^':
		case '$':
			i++;
			continue;
		case '(':
			if (depth == 64)
				goto fail;
			gstart[depth++] = o;
			i++;
			if (i + 1 < n && re[i] == '?' && re[i + 1] == ':')
				i += 2;
			else if (i < n && re[i] == '?')
				goto fail;
			continue;
		case '|':
			if (depth == 0)
				goto done;	/* the first choice is taken */
			if ((i = group_end(re, n, i + 1)) == 0)
				goto fail;
			continue;
		case ')':
			if (depth == 0)
				goto fail;
			start = gstart[--depth];
			i++;
			break;
		case '.':
			emit = 'x';
			i++;
			break;
		case '[': {
			int neg = 0;
			char first = 0, pick = 0, m;

			i++;
			if (i < n && re[i] == '^') {
				neg = 1;
				i++;
			}
			if (i < n && re[i] == ']')
				first = re[i++];
			while (i < n && re[i] != ']') {
				m = re[i];
				if (m == '\\' && i + 1 < n) {
					m = re[++i];
					if (m == 'd')
						m = '0';
					else if (m == 'w')
						m = 'a';
				}
				if (first == 0)
					first = m;
				if (pick == 0 && ((m >= 'a' && m <= 'z') ||
				    (m >= 'A' && m <= 'Z') ||
				    (m >= '0' && m <= '9')))
					pick = m;
				i++;
			}
			if (i >= n)
				goto fail;
			i++;
			if (neg)
				emit = first == 'a' ? 'b' : 'a';
			else
				emit = pick ? pick : first;
			if (emit == 0)
				goto fail;
			break;
		}
		case '\\':
			if (i + 1 >= n)
				goto fail;
			ch = re[i + 1];
			i += 2;
			if (ch == 'd')
				emit = '0';
			else if (ch == 'w')
				emit = 'a';
			else if ((ch >= 'a' && ch <= 'z') ||
			    (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
				goto fail;
			else
				emit = ch;
			break;
		case '*':
		case '+':
		case '?':
		case '{':
			goto fail;
		default:
			emit = ch;
			i++;
			break;
		}
		if (emit != 0) {
			reserve(&out, &cap, o, 1);
			out[o++] = emit;
		}

		/* the item's quantifier, if any */
		if (i >= n)
			continue;
		if (re[i] == '*' || re[i] == '?') {
			min = more ? 1 : 0;
			i++;
		} else if (re[i] == '+') {
			min = 1;
			i++;
		} else if (re[i] == '{') {
			char *end;

			min = strtoul(re + i + 1, &end, 10);
			if (end == re + i + 1 || min > 16)
				goto fail;
			while (i < n && re[i] != '}')
				i++;
			if (i++ >= n)
				goto fail;
			if (min == 0 && more)
				min = 1;
		} else
			continue;
		if (i < n && (re[i] == '?' || re[i] == '+'))
			i++;		/* lazy or possessive */
		len = o - start;
		if (min == 0)
			o = start;
		for (k = 1; k < min; k++) {
			reserve(&out, &cap, o, len);
			memmove(out + o, out + start, len);
			o += len;
		}
		if (o > 4096)
			goto fail;
	}
done:
	reserve(&out, &cap, o, 0);
	out[o] = '\0';
	return out;
fail:
	free(out);
	return NULL;
}
