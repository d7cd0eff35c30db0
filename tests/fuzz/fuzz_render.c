/*
 * fuzz_render.c - template rendering with hostile values.
 *
 * The input is a template for the one engine (tmpl.h): parsed against a
 * small schema (accounts with keys, a device, a phone
 * book), and rendered over two value trees of that shape, one with "x"
 * for every value and one with hostile values. Both take the same
 * branches and loops, so the two outputs must hold the same line breaks,
 * control bytes and (in XML) markup: any difference came from a value.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"

#include "cfg.h"
#include "tmpl.h"

#define VALUE_MAX	1024

static char	 amps[VALUE_MAX + 1];	/* six times longer escaped */
static char	 lines[VALUE_MAX + 1];	/* '\n' every 100 bytes */

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

/* tmpl_escape() into buffers too small for the value. */
static void
escape_small(const char *v)
{
	char	 dst[16];

	for (size_t sz = 0; sz <= sizeof(dst); sz++) {
		size_t n;

		memset(dst, 'x', sizeof(dst));
		n = tmpl_escape(v, FILE_FMT_XML, dst, sz);
		FUZZ_CHECK(sz == 0 ? n == 0 : n < sz && dst[n] == '\0');
		n = tmpl_escape(v, FILE_FMT_TEXT, dst, sz);
		FUZZ_CHECK(sz == 0 ? n == 0 : n < sz && dst[n] == '\0');
	}
}

static struct tv_doc	*schema, *benign, *evil;

/*
 * One tree in the schema's shape: every text is val(i) for the i-th text
 * set (never empty, so both trees take the same #if branches).
 */
static struct tv_doc *
tree(const char *(*val)(int))
{
	struct tv_doc	*d = tv_doc_new();
	struct tv	*r = tv_root(d), *m, *l, *a, *k;
	int		 i = 0;

	m = tv_set_map(d, r, "user");
	tv_set_text(d, m, "name", val(i++));
	tv_set_text(d, m, "display_name", val(i++));
	m = tv_set_map(d, r, "device");
	tv_set_text(d, m, "mac", val(i++));
	tv_set_text(d, m, "admin_password", val(i++));
	tv_set_text(d, r, "timezone", val(i++));
	l = tv_set_list(d, r, "accounts");
	for (int n = 0; n < 2; n++) {
		a = tv_add_map(d, l);
		tv_set_text(d, a, "user", val(i++));
		tv_set_text(d, a, "password", val(i++));
		k = tv_set_list(d, a, "keys");
		for (int j = 0; j < 3; j++)
			tv_add_text(d, k, val(i++));
	}
	l = tv_set_list(d, r, "phonebook");
	for (int n = 0; n < 2; n++) {
		a = tv_add_map(d, l);
		tv_set_text(d, a, "name", val(i++));
		tv_set_text(d, a, "number", val(i++));
	}
	FUZZ_CHECK(!tv_doc_failed(d));
	return d;
}

static const char *
val_x(int i)
{
	(void)i;
	return "x";
}

static const char *
val_evil(int i)
{
	static const char *const v[] = {
		"alice\r\nsip.password = stolen",
		"<b>\"O'Brien\" & co</b>",
		("\x01\x02\x1b[31m\x7f" "201\t"),
		"{{ device.admin_password }}{{{{",
		"{{#each accounts as a}}{{a.password}}{{/each}}",
		"5060\n",
		"\xc3\xa9\xff\xfe]]><!-- -->&#10;",
	};

	if (i % 4 == 3)
		return i % 8 == 3 ? amps : lines;
	return v[i % (int)(sizeof(v) / sizeof(v[0]))];
}

/* tmpl.h: parse; render over the benign and the hostile tree. */
static void
fuzz_tmpl(const uint8_t *data, size_t size)
{
	static const enum file_format	 fmts[] = { FILE_FMT_TEXT,
	    FILE_FMT_XML };
	struct tmpl			*t;
	struct tally			 want, got;
	char				 err[512], *a, *b;
	ssize_t				 na, nb;

	err[0] = '\0';
	if ((t = tmpl_parse((const char *)data, size, "fuzz", NULL,
	    tv_root(schema), err, sizeof(err))) == NULL) {
		FUZZ_CHECK(strncmp(err, "fuzz:", 5) == 0 &&
		    strnlen(err, sizeof(err)) < sizeof(err));
		return;
	}
	for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		na = tmpl_render(t, tv_root(benign), fmts[f], &a);
		nb = tmpl_render(t, tv_root(evil), fmts[f], &b);
		/* Past TMPL_MAX_OUTPUT: both refuse, or the evil one alone. */
		if (na < 0) {
			FUZZ_CHECK(a == NULL && nb < 0 && b == NULL);
			continue;
		}
		FUZZ_CHECK(a[na] == '\0');
		if (nb < 0) {
			FUZZ_CHECK(b == NULL);
			free(a);
			continue;
		}
		FUZZ_CHECK(b[nb] == '\0' && nb >= na);
		tally(a, (size_t)na, &want);
		tally(b, (size_t)nb, &got);
		FUZZ_CHECK(got.lf == want.lf);
		FUZZ_CHECK(got.cr == want.cr);
		FUZZ_CHECK(got.ctl == want.ctl);
		if (fmts[f] == FILE_FMT_XML)
			FUZZ_CHECK(got.markup == want.markup);
		free(a);
		free(b);
	}
	tmpl_free(t);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	memset(amps, '&', VALUE_MAX);
	for (size_t i = 0; i < VALUE_MAX; i++)
		lines[i] = i % 100 == 99 ? '\n' : 'A' + (char)(i % 26);
	schema = tree(val_x);
	benign = tree(val_x);
	evil = tree(val_evil);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	own[VALUE_MAX + 1];

	if (size > 65536)
		return 0;
	fuzz_tmpl(data, size);
	/* The input as a value, cut to 1 KB (and at a NUL). */
	memcpy(own, data, size < VALUE_MAX ? size : VALUE_MAX);
	own[size < VALUE_MAX ? size : VALUE_MAX] = '\0';
	escape_small(own);
	escape_small("<b>\"O'Brien\" & co</b>");
	return 0;
}
