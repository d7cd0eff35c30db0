/*
 * fuzz_render.c - template rendering with hostile values.
 *
 * The input is parsed as a template. One that parses is rendered three
 * times in each format: with no values (its literal text alone), with a
 * fixed set of hostile values (line breaks, control bytes, quotes, <>&,
 * 1 KB strings, placeholders inside values) and with the input itself as
 * every value. Whatever the values, they add no control byte (so no '\n'
 * or '\r': a text file gets no new line, no injected setting) and, in XML,
 * no markup character; the output stays within the size render() allots.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"

#include "cfg.h"
#include "render.h"

#define VALUE_MAX	1024

static char	 amps[VALUE_MAX + 1];	/* six times longer escaped */
static char	 lines[VALUE_MAX + 1];	/* '\n' every 100 bytes */

static struct render_vals	 hostile = { {
	[RV_USER] = "alice\r\nsip.password = stolen",
	[RV_DISPLAY_NAME] = "<b>\"O'Brien\" & co</b>",
	[RV_SIP_USER] = "\x01\x02\x1b[31m\x7f" "201\t",
	[RV_SIP_PASSWORD] = amps,
	[RV_SIP_SERVER] = "{{ sip.password }}{{{{",
	[RV_SIP_PORT] = "5060\n",
	[RV_MAC] = "aabbccddeeff",
	[RV_MAC_UPPER] = "AABBCCDDEEFF",
	[RV_MODEL] = lines,
	[RV_VENDOR] = "snom\r",
	[RV_BASE_URL] = "https://10.42.0.1/\"><x y='1'>",
	[RV_PROV_URL] = "\xc3\xa9\xff\xfe]]><!-- -->&#10;",
} };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	memset(amps, '&', VALUE_MAX);
	for (size_t i = 0; i < VALUE_MAX; i++)
		lines[i] = i % 100 == 99 ? '\n' : 'A' + (char)(i % 26);
	return 0;
}

/* What values may not add to a file. */
struct tally {
	size_t	 lf;
	size_t	 cr;
	size_t	 ctl;		/* any byte below 0x20, and 0x7f */
	size_t	 markup;	/* < > " ' */
};

/*
 * One pass over out[0..n). The harness's own loops are kept out of the
 * coverage feedback: they would cost most of the run and guide nothing.
 */
static void	tally(const char *out, size_t n, struct tally *t)
		    __attribute__((no_sanitize("coverage")));

static void
tally(const char *out, size_t n, struct tally *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)out[i];

		t->lf += b == '\n';
		t->cr += b == '\r';
		t->ctl += b < 0x20 || b == 0x7f;
		t->markup += b == '<' || b == '>' || b == '"' || b == '\'';
	}
}

/*
 * Renders t (parsed from size bytes) with v. A placeholder takes at least
 * 10 bytes ("{{vendor}}"), and a value escapes to at most six times its
 * length ("&quot;"): that bounds the output.
 */
static void
render_with(const struct render_tmpl *t, size_t size,
    const struct render_vals *v, enum file_format fmt, size_t litlen,
    const struct tally *lit)
{
	struct tally	 got;
	char		*out = NULL;
	size_t		 longest = 0, room;
	ssize_t		 n;

	for (int i = 0; i < RV_COUNT; i++)
		if (v->v[i] != NULL && strlen(v->v[i]) > longest)
			longest = strlen(v->v[i]);
	room = litlen + 6 * longest * (size / 10 + 1);
	n = render(t, v, fmt, &out);
	FUZZ_CHECK(n >= 0 && out != NULL);
	FUZZ_CHECK(out[n] == '\0');
	FUZZ_CHECK((size_t)n >= litlen);
	FUZZ_CHECK((size_t)n <= room);
	/* No value added a line break, a '\r' or any other control byte. */
	tally(out, (size_t)n, &got);
	FUZZ_CHECK(got.lf == lit->lf);
	FUZZ_CHECK(got.cr == lit->cr);
	FUZZ_CHECK(got.ctl == lit->ctl);
	if (fmt == FILE_FMT_XML)
		FUZZ_CHECK(got.markup == lit->markup);
	free(out);
}

/* render_escape() into buffers too small for the value. */
static void
escape_small(const char *v)
{
	char	 dst[16];

	for (size_t sz = 0; sz <= sizeof(dst); sz++) {
		size_t n;

		memset(dst, 'x', sizeof(dst));
		n = render_escape(v, FILE_FMT_XML, dst, sz);
		FUZZ_CHECK(sz == 0 ? n == 0 : n < sz && dst[n] == '\0');
		n = render_escape(v, FILE_FMT_TEXT, dst, sz);
		FUZZ_CHECK(sz == 0 ? n == 0 : n < sz && dst[n] == '\0');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum file_format	 fmts[] = { FILE_FMT_TEXT,
	    FILE_FMT_XML };
	struct render_tmpl		*t;
	struct render_vals		 none, self;
	char				 err[256], own[VALUE_MAX + 1];
	char				*lit = NULL;
	ssize_t				 litlen;
	struct tally			 want;

	if (size > 65536)
		return 0;
	err[0] = '\0';
	if ((t = render_parse((const char *)data, size, err,
	    sizeof(err))) == NULL) {
		FUZZ_CHECK(err[0] != '\0' && strnlen(err, sizeof(err)) <
		    sizeof(err));
		return 0;
	}

	/* The input as every value, cut to 1 KB (and at a NUL). */
	memcpy(own, data, size < VALUE_MAX ? size : VALUE_MAX);
	own[size < VALUE_MAX ? size : VALUE_MAX] = '\0';
	memset(&none, 0, sizeof(none));
	for (int i = 0; i < RV_COUNT; i++)
		self.v[i] = own;

	for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		/* No values: the literal text, the same in both formats. */
		litlen = render(t, &none, fmts[f], &lit);
		FUZZ_CHECK(litlen >= 0 && lit != NULL);
		FUZZ_CHECK((size_t)litlen <= size);
		tally(lit, (size_t)litlen, &want);
		render_with(t, size, &hostile, fmts[f], (size_t)litlen, &want);
		render_with(t, size, &self, fmts[f], (size_t)litlen, &want);
		free(lit);
		lit = NULL;
	}
	escape_small(own);
	escape_small(hostile.v[RV_DISPLAY_NAME]);
	render_free(t);
	return 0;
}
