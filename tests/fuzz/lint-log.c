/*
 * --suggest-from-log harness: the fuzzed bytes are a log (any lines, the
 * gate's denials among them), read by suggest_log() (policy/lint/
 * suggest.c) against a fixed policy, with --json records written to
 * memory.  One denial of a command the policy permits is appended, so
 * that every input has one (suggest_log() says on stderr when there is
 * none).  Invariants: the status is one of sshgate-lint's; every record
 * is one line, a JSON object of printable ASCII (the log's bytes
 * escaped); the appended denial is read (and reported: permitted).
 */
#include <string.h>

#include "fuzz.h"
#include "out.h"
#include "policy.h"
#include "suggest.h"

static const char pol[] =
    "sshgate-policy 1\n"
    "rule borg-version {\n"
    "    drop     \"sudo\" \"-E\"\n"
    "    run      /usr/bin/python3 -I /usr/bin/borg\n"
    "    as       nobody\n"
    "    args     \"borg\" \"--version\" ( \"--info\" | \"--debug\" )*\n"
    "}\n"
    "rule borg-create {\n"
    "    from     192.0.2.10\n"
    "    tag      daily\n"
    "    run      /usr/bin/python3 -I /usr/bin/borg\n"
    "    as       nobody\n"
    "    caps     dac_read_search\n"
    "    keepenv  BORG_PASSPHRASE\n"
    "    args     \"borg\" \"create\" ( \"--stats\" | \"--info\" )*\n"
    "             /ssh:\\/\\/backup\\/\\.\\/vps::vps-\\{now\\}/\n"
    "             /\\/(etc|srv)(\\/[a-z0-9_-]++)*/+\n"
    "}\n"
    "rule on-server {\n"
    "    deny     \"prune and compact run on the backup server\"\n"
    "    args     \"borg\" ( \"prune\" | \"compact\" ) /.*/*\n"
    "}\n";

static const char permitted[] =
    "\nDec  1 04:00:00 vps sshgate[7]: deny caller=borg(998) from=192.0.2.10 "
    "tag=- reason=\"x\" command=\"borg --version\"\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	struct policy *p;
	struct out o;
	char *log, *out = NULL, *s, *nl;
	size_t outlen = 0, n = size + sizeof(permitted) - 1;
	FILE *in, *sink;
	int rc;

	p = policy_parse("fuzz", pol, sizeof(pol) - 1, &d);
	INVARIANT(p != NULL);
	log = malloc(n);
	INVARIANT(log != NULL);
	memcpy(log, data, size);
	memcpy(log + size, permitted, sizeof(permitted) - 1);
	INVARIANT((in = fmemopen(log, n, "r")) != NULL);
	INVARIANT((sink = open_memstream(&out, &outlen)) != NULL);
	memset(&o, 0, sizeof(o));
	o.json = 1;
	json_init(&o.j, sink);
	rc = suggest_log(p, in, "fuzz", &o);
	INVARIANT(fclose(sink) == 0);
	fclose(in);
	INVARIANT(rc == LINT_OK || rc == LINT_WARN || rc == LINT_ERROR);
	INVARIANT(strstr(out, "\"command\":\"borg --version\"") != NULL);
	for (s = out; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		INVARIANT(nl != NULL && nl > s && s[0] == '{' && nl[-1] == '}');
		for (; s < nl; s++)
			INVARIANT(*s >= 0x20 && *s < 0x7f);
	}
	free(out);
	free(log);
	policy_free(p);
	diags_free(&d);
	return 0;
}
