/*
 * fuzz_route.c - the provisioning request router: path and headers.
 *
 * An input is a request as provisiond sees it after libevent: the first
 * line is the request target, each further line a header ("Name: value").
 * The path goes through route_parse() against the shipped config
 * (etc/provbox.conf with its vendor classes), and a file it yields through
 * route_find_file() for all classes and for each one. Header values go
 * where provisiond sends client text: log_escape() for the audit line and
 * tmpl_escape() for templates, in both formats.
 *
 * prov_handle() itself needs an LMDB registry; its pure parts are what is
 * fuzzed here.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "fuzz.h"

#include "addr.h"
#include "cfg.h"
#include "log.h"
#include "metrics.h"
#include "tmpl.h"
#include "route.h"
#include "token.h"

static struct cfg	*cfg;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct cfg_errors	 errs;
	char			 path[4096], line[1024];

	(void)argc;
	(void)argv;
	fuzz_quiet();
	snprintf(path, sizeof(path), "%s/etc/provbox.conf", fuzz_top_srcdir());
	if (cfg_load(path, CFG_NO_FILE_CHECKS, &cfg, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", cfg_error_format(&errs.v[i],
			    line, sizeof(line)));
		FUZZ_FATAL("the shipped config does not load");
	}
	return 0;
}

static int
name_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

/* A file name route_parse() let through: a plain name, nothing more. */
static void
check_file(const char *f)
{
	size_t len = strlen(f);

	FUZZ_CHECK(len > 0 && len <= ROUTE_FILE_MAX);
	FUZZ_CHECK(f[0] != '.');
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK(name_char(f[i]));
}

/* The MAC a rule took from a name is in the name, plain or with '-'. */
static void
check_match(const char *name, const struct file_match *m)
{
	char	 plain[MAC_PLAIN_LEN], dashed[MAC_STR_LEN];
	int	 found = 0;

	FUZZ_CHECK(m->vendor != NULL && m->file != NULL);
	FUZZ_CHECK(strlen(m->model) <= CFG_NAME_MAX);
	if (m->file->per_device)
		FUZZ_CHECK(m->has_mac);
	if (!m->has_mac)
		return;
	FUZZ_CHECK(memcmp(m->mac.b, "\0\0\0\0\0\0", 6) != 0);
	mac_format_plain(&m->mac, plain, 0);
	mac_format(&m->mac, dashed);
	for (char *p = dashed; *p != '\0'; p++)
		if (*p == ':')
			*p = '-';
	found = strcasestr(name, plain) != NULL ||
	    strcasestr(name, dashed) != NULL;
	FUZZ_CHECK(found);
}

static void
route_one(const char *path)
{
	struct route		 r;
	struct file_match	 m;
	enum route_kind		 k;
	char			 esc[256];

	k = route_parse(cfg, path, &r);
	FUZZ_CHECK(k == r.kind);
	FUZZ_CHECK(route_kind_str(k) != NULL);
	log_escape(esc, sizeof(esc), r.file, strlen(r.file));
	switch (k) {
	case ROUTE_TOKEN:
		FUZZ_CHECK(token_valid_format(r.token, strlen(r.token)));
		/* FALLTHROUGH */
	case ROUTE_LEGACY:
	case ROUTE_STATIC:
		check_file(r.file);
		break;
	case ROUTE_BAD:
	case ROUTE_NONE:
		FUZZ_CHECK(r.file[0] == '\0' && r.token[0] == '\0');
		return;
	}
	if (route_find_file(cfg, NULL, r.file, &m))
		check_match(r.file, &m);
	for (size_t i = 0; i < cfg->nvendors; i++)
		if (route_find_file(cfg, &cfg->vendors[i], r.file, &m)) {
			check_match(r.file, &m);
			FUZZ_CHECK(m.vendor == &cfg->vendors[i]);
		}
}

/* A client's text on its way to a log line and into a template. */
static void
header_one(const char *v, size_t len)
{
	static char	 esc[8192], out[8192];
	size_t		 n;

	log_escape(esc, sizeof(esc), v, len);
	for (const char *p = esc; *p != '\0'; p++)
		FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);

	/* Escaping stops at a NUL, as the C string the value is. */
	n = tmpl_escape(v, FILE_FMT_TEXT, out, sizeof(out));
	FUZZ_CHECK(n < sizeof(out) && out[n] == '\0' && strlen(out) == n);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);

	n = tmpl_escape(v, FILE_FMT_XML, out, sizeof(out));
	FUZZ_CHECK(n < sizeof(out) && out[n] == '\0' && strlen(out) == n);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
		FUZZ_CHECK(strchr("<>\"'", out[i]) == NULL);
		if (out[i] == '&')
			FUZZ_CHECK(strncmp(out + i, "&amp;", 5) == 0 ||
			    strncmp(out + i, "&lt;", 4) == 0 ||
			    strncmp(out + i, "&gt;", 4) == 0 ||
			    strncmp(out + i, "&quot;", 6) == 0 ||
			    strncmp(out + i, "&apos;", 6) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*text, *line, *next;

	/* Requests are capped long before this (limits.max_header_size). */
	if (size > 16384)
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	next = memchr(text, '\n', size);
	if (next != NULL)
		*next++ = '\0';
	route_one(text);
	/*
	 * The same first line as the metrics listener reads it: an answer
	 * in range, and /metrics only for GET or HEAD of that path.
	 */
	switch (metrics_request_parse(text)) {
	case METRICS_REQ_GET:
		FUZZ_CHECK(strncmp(text, "GET /metrics", 12) == 0);
		break;
	case METRICS_REQ_HEAD:
		FUZZ_CHECK(strncmp(text, "HEAD /metrics", 13) == 0);
		break;
	case METRICS_REQ_METHOD:
	case METRICS_REQ_NOT_FOUND:
	case METRICS_REQ_BAD:
		break;
	default:
		FUZZ_CHECK(0);
	}
	for (line = next; line != NULL && line < text + size; line = next) {
		char	*colon, *v;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		header_one(v, strlen(v));
	}
	free(text);
	return 0;
}
