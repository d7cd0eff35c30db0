/*
 * check_tmpl.c - the template engine (common/tmpl.h): values, loops,
 * conditionals, includes, escaping in both formats, names checked against
 * the schema when a template is parsed, hostile values and limits.
 */
#include "config.h"

#include <sys/stat.h>

#include "testutil.h"

#include "tmpl.h"

/*
 * The schema the tests parse against, and a device's values in the same
 * shape: two accounts, three keys, a phone book with a hostile entry.
 */
static struct tv_doc *
schema_doc(void)
{
	struct tv_doc	*d = tv_doc_new();
	struct tv	*r = tv_root(d), *l, *m;

	tv_set_text(d, r, "timezone", "");
	tv_set_text(d, r, "ntp", "");
	m = tv_set_map(d, r, "device");
	tv_set_text(d, m, "mac", "");
	tv_set_text(d, m, "admin_password", "");
	l = tv_set_list(d, r, "accounts");
	m = tv_add_map(d, l);
	tv_set_text(d, m, "user", "");
	tv_set_text(d, m, "password", "");
	tv_set_text(d, m, "display_name", "");
	l = tv_set_list(d, m, "keys");
	tv_add_text(d, l, "");
	l = tv_set_list(d, r, "servers");
	tv_add_text(d, l, "");
	ck_assert(!tv_doc_failed(d));
	return d;
}

static struct tv_doc *
values_doc(void)
{
	struct tv_doc	*d = tv_doc_new();
	struct tv	*r = tv_root(d), *l, *m, *k;

	tv_set_text(d, r, "timezone", "Europe/Berlin");
	m = tv_set_map(d, r, "device");
	tv_set_text(d, m, "mac", "805ec0100001");
	tv_set_text(d, m, "admin_password", "adm<&>\"'pw");
	l = tv_set_list(d, r, "accounts");
	m = tv_add_map(d, l);
	tv_set_text(d, m, "user", "201");
	tv_set_text(d, m, "password", "pw1");
	tv_set_text(d, m, "display_name", "Alice");
	k = tv_set_list(d, m, "keys");
	tv_add_text(d, k, "blf:202");
	tv_add_text(d, k, "blf:203");
	tv_add_text(d, k, "blf:204");
	m = tv_add_map(d, l);
	tv_set_text(d, m, "user", "299");
	tv_set_text(d, m, "password", "pw2");
	tv_set_text(d, m, "display_name", "Line\nsip.evil = 1");
	tv_set_list(d, r, "servers");
	ck_assert(!tv_doc_failed(d));
	return d;
}

/* Parses text against the schema and renders it over the values. */
static char *
run(const char *text, enum file_format fmt)
{
	struct tv_doc	*s = schema_doc(), *v = values_doc();
	struct tmpl	*t;
	char		 err[512], *out = NULL;

	t = tmpl_parse(text, strlen(text), "t.cfg", NULL, tv_root(s), err,
	    sizeof(err));
	ck_assert_msg(t != NULL, "parse: %s", err);
	ck_assert_int_ge(tmpl_render(t, tv_root(v), fmt, &out), 0);
	tmpl_free(t);
	tv_doc_free(s);
	tv_doc_free(v);
	return out;
}

/* The parse error of text, or "" when it parses. */
static const char *
parse_err(const char *text, const char *base_dir)
{
	static char	 err[512];
	struct tv_doc	*s = schema_doc();
	struct tmpl	*t;

	err[0] = '\0';
	t = tmpl_parse(text, strlen(text), "t.cfg", base_dir, tv_root(s), err,
	    sizeof(err));
	if (t != NULL)
		err[0] = '\0';
	tmpl_free(t);
	tv_doc_free(s);
	return err;
}

START_TEST(test_values)
{
	char *o = run("tz={{timezone}} mac={{ device.mac }} ntp=[{{ntp}}]\n",
	    FILE_FMT_TEXT);

	ck_assert_str_eq(o, "tz=Europe/Berlin mac=805ec0100001 ntp=[]\n");
	free(o);
	o = run("{{{{not a tag}} {{timezone}}", FILE_FMT_TEXT);
	ck_assert_str_eq(o, "{{not a tag}} Europe/Berlin");
	free(o);
}
END_TEST

START_TEST(test_each)
{
	char *o = run("{{#each accounts as a}}account.{{loop.index}}.user = "
	    "{{a.user}}\n{{#each a.keys as k}}key.{{loop.index}}={{k}}"
	    "{{#if loop.last}};{{#else}},{{/if}}{{/each}}\n{{/each}}",
	    FILE_FMT_TEXT);

	ck_assert_str_eq(o, "account.1.user = 201\n"
	    "key.1=blf:202,key.2=blf:203,key.3=blf:204;\n"
	    "account.2.user = 299\n\n");
	free(o);
	/* An empty list: the body never runs. */
	o = run("[{{#each servers as s}}{{s}}{{/each}}]", FILE_FMT_TEXT);
	ck_assert_str_eq(o, "[]");
	free(o);
	o = run("{{#each accounts as a}}{{loop.index0}}{{#if loop.first}}F"
	    "{{/if}} {{/each}}", FILE_FMT_TEXT);
	ck_assert_str_eq(o, "0F 1 ");
	free(o);
}
END_TEST

START_TEST(test_if)
{
	char *o = run("{{#if timezone}}tz{{#else}}no-tz{{/if}} "
	    "{{#if ntp}}ntp{{#else}}no-ntp{{/if}} "
	    "{{#if servers}}s{{#else}}no-s{{/if}} "
	    "{{#if accounts}}a{{/if}} {{#if device}}d{{/if}}", FILE_FMT_TEXT);

	ck_assert_str_eq(o, "tz no-ntp no-s a d");
	free(o);
}
END_TEST

/* Values are escaped for the format, and never parsed as templates. */
START_TEST(test_escaping)
{
	char *o = run("<pw>{{device.admin_password}}</pw>"
	    "{{#each accounts as a}}<n>{{a.display_name}}</n>{{/each}}",
	    FILE_FMT_XML);

	ck_assert_str_eq(o, "<pw>adm&lt;&amp;&gt;&quot;&apos;pw</pw>"
	    "<n>Alice</n><n>Linesip.evil = 1</n>");
	free(o);
	o = run("{{#each accounts as a}}name={{a.display_name}}\n{{/each}}",
	    FILE_FMT_TEXT);
	/* The line break is gone: no setting of its own. */
	ck_assert_str_eq(o, "name=Alice\nname=Linesip.evil = 1\n");
	free(o);
}
END_TEST

START_TEST(test_hostile_value)
{
	struct tv_doc	*s = schema_doc(), *v = tv_doc_new();
	struct tmpl	*t;
	char		 err[256], *out;
	const char	*text = "{{timezone}}";

	tv_set_text(v, tv_root(v), "timezone", "{{device.admin_password}}"
	    "{{#each accounts as a}}x{{/each}}");
	t = tmpl_parse(text, strlen(text), "t", NULL, tv_root(s), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(t);
	ck_assert_int_ge(tmpl_render(t, tv_root(v), FILE_FMT_TEXT, &out), 0);
	ck_assert_str_eq(out, "{{device.admin_password}}"
	    "{{#each accounts as a}}x{{/each}}");
	free(out);
	tmpl_free(t);
	tv_doc_free(s);
	tv_doc_free(v);
}
END_TEST

START_TEST(test_errors)
{
	ck_assert_str_eq(parse_err("ok {{timezone}}", NULL), "");
	ck_assert_str_eq(parse_err("a\n{{ timezon }}", NULL),
	    "t.cfg:2: unknown name 'timezon'");
	ck_assert_str_eq(parse_err("{{device.serial}}", NULL),
	    "t.cfg:1: unknown name 'device.serial'");
	ck_assert_str_eq(parse_err("{{accounts}}", NULL),
	    "t.cfg:1: 'accounts' is a list, not a value (use {{#each ... as "
	    "...}})");
	ck_assert_str_eq(parse_err("{{device}}", NULL),
	    "t.cfg:1: 'device' is a group, not a value");
	ck_assert_str_eq(parse_err("{{#each timezone as t}}{{/each}}", NULL),
	    "t.cfg:1: 'timezone' is not a list");
	ck_assert_str_eq(parse_err("{{#each accounts}}{{/each}}", NULL),
	    "t.cfg:1: {{#each LIST as NAME}} needs its 'as NAME'");
	ck_assert_str_eq(parse_err("x\n{{#each accounts as a}}\n{{a.user}}",
	    NULL), "t.cfg:2: {{#each}} is not closed by {{/each}}");
	ck_assert_str_eq(parse_err("{{#if ntp}}{{/each}}", NULL),
	    "t.cfg:1: {{#if}} is not closed by {{/if}} (another section "
	    "closes first)");
	ck_assert_str_eq(parse_err("{{/if}}", NULL),
	    "t.cfg:1: {{/if}} without its opening");
	ck_assert_str_eq(parse_err("{{ a.user }}", NULL),
	    "t.cfg:1: unknown name 'a.user'");
	ck_assert_str_eq(parse_err("{{loop.index}}", NULL),
	    "t.cfg:1: unknown name 'loop.index'");
	ck_assert_str_eq(parse_err("{{#each accounts as a}}{{loop.size}}"
	    "{{/each}}", NULL), "t.cfg:1: unknown name 'loop.size'");
	ck_assert_str_eq(parse_err("{{#each accounts as loop}}{{/each}}",
	    NULL), "t.cfg:1: 'loop' cannot name a list's element (one part, "
	    "not 'loop')");
	ck_assert_str_eq(parse_err("{{ time zone }}", NULL),
	    "t.cfg:1: 'time zone' is not a name (letters, digits, '_' and "
	    "'-', parts joined by '.')");
	ck_assert_str_eq(parse_err("{{timezone", NULL),
	    "t.cfg:1: '{{' is not closed by '}}'");
	ck_assert_str_eq(parse_err("{{#unless ntp}}{{/unless}}", NULL),
	    "t.cfg:1: unknown section '{{#unless ntp}}'");
	ck_assert_str_eq(parse_err("{{a..b}}", NULL),
	    "t.cfg:1: 'a..b' is not a name (letters, digits, '_' and '-', "
	    "parts joined by '.')");
	ck_assert_str_eq(parse_err("{{> x.cfg}}", NULL),
	    "t.cfg:1: includes are not allowed here");
}
END_TEST

/* A loop variable does not outlive its loop. */
START_TEST(test_scope)
{
	ck_assert_str_eq(parse_err("{{#each accounts as a}}{{/each}}{{a.user}}",
	    NULL), "t.cfg:1: unknown name 'a.user'");
	/* An inner name hides an outer one. */
	ck_assert_str_eq(parse_err("{{#each accounts as a}}{{#each a.keys as "
	    "a}}{{a}}{{/each}}{{a.user}}{{/each}}", NULL), "");
}
END_TEST

START_TEST(test_depth)
{
	char	text[2048];
	size_t	o = 0;

	for (int i = 0; i < TMPL_MAX_DEPTH + 1; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
		    "{{#if ntp}}");
	ck_assert_str_eq(parse_err(text, NULL),
	    "t.cfg:1: more than 16 nested sections");
}
END_TEST

START_TEST(test_includes)
{
	char		*dir = tu_mkdtemp(), err[512], sub[4096], *out;
	struct tv_doc	*s = schema_doc(), *v = values_doc();
	struct tmpl	*t;

	snprintf(sub, sizeof(sub), "%s/yealink", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	free(tu_write(dir, "yealink/common.cfg", "tz={{timezone}}\n"));
	free(tu_write(dir, "yealink/device.cfg", "#!version:1.0.0.1\n"
	    "{{> yealink/common.cfg}}{{#each accounts as a}}"
	    "{{> yealink/account.cfg }}{{/each}}"));
	free(tu_write(dir, "yealink/account.cfg",
	    "account.{{loop.index}}.user={{a.user}}\n"));
	free(tu_write(dir, "self.cfg", "{{> self.cfg}}"));
	free(tu_write(dir, "bad.cfg", "line1\n{{ nosuch }}\n"));
	free(tu_write(dir, "open.cfg", "{{#if ntp}}"));
	free(tu_write(dir, "uses-bad.cfg", "{{> bad.cfg}}"));

	t = tmpl_load(dir, "yealink/device.cfg", tv_root(s), err,
	    sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_int_ge(tmpl_render(t, tv_root(v), FILE_FMT_TEXT, &out), 0);
	ck_assert_str_eq(out, "#!version:1.0.0.1\ntz=Europe/Berlin\n"
	    "account.1.user=201\naccount.2.user=299\n");
	free(out);
	tmpl_free(t);

	ck_assert_ptr_null(tmpl_load(dir, "self.cfg", tv_root(s), err,
	    sizeof(err)));
	ck_assert_str_eq(err, "self.cfg:1: include 'self.cfg': more than 8 "
	    "nested includes (one includes itself?)");
	/* The error names the included file and its line. */
	ck_assert_ptr_null(tmpl_load(dir, "uses-bad.cfg", tv_root(s), err,
	    sizeof(err)));
	ck_assert_str_eq(err, "bad.cfg:2: unknown name 'nosuch'");
	ck_assert_ptr_null(tmpl_load(dir, "open.cfg", tv_root(s), err,
	    sizeof(err)));
	ck_assert_str_eq(err, "open.cfg:1: {{#if}} is not closed by {{/if}}");
	ck_assert_str_eq(parse_err("{{> ../etc/passwd}}", dir),
	    "t.cfg:1: include '../etc/passwd': only a path inside the "
	    "templates directory");
	ck_assert_str_eq(parse_err("{{> /etc/passwd}}", dir),
	    "t.cfg:1: include '/etc/passwd': only a path inside the "
	    "templates directory");
	ck_assert(strstr(parse_err("{{> missing.cfg}}", dir),
	    "missing.cfg: No such file or directory") != NULL);
	/* An include's sections must close inside it. */
	ck_assert_str_eq(parse_err("{{#if ntp}}{{> open.cfg}}{{/if}}", dir),
	    "open.cfg:1: {{#if}} is not closed by {{/if}}");
	tv_doc_free(s);
	tv_doc_free(v);
	tu_rmtree(dir);
}
END_TEST

/* A template that would render past TMPL_MAX_OUTPUT fails, whole. */
START_TEST(test_output_limit)
{
	struct tv_doc	*s = schema_doc(), *v = tv_doc_new();
	struct tv	*l;
	struct tmpl	*t;
	char		 err[256], *out = (char *)"x", *big;
	const char	*text = "{{#each servers as a}}{{#each servers as b}}"
	    "{{b}}{{/each}}{{/each}}";

	big = malloc(64 * 1024);
	memset(big, 'A', 64 * 1024 - 1);
	big[64 * 1024 - 1] = '\0';
	l = tv_set_list(v, tv_root(v), "servers");
	for (int i = 0; i < 64; i++)
		tv_add_text(v, l, big);
	t = tmpl_parse(text, strlen(text), "t", NULL, tv_root(s), err,
	    sizeof(err));
	ck_assert_ptr_nonnull(t);
	/* 64 x 64 x 64 KiB = 256 MiB: refused. */
	ck_assert_int_eq(tmpl_render(t, tv_root(v), FILE_FMT_TEXT, &out), -1);
	ck_assert_ptr_null(out);
	free(big);
	tmpl_free(t);
	tv_doc_free(s);
	tv_doc_free(v);
}
END_TEST

START_TEST(test_escape_bounds)
{
	char dst[8];

	ck_assert_uint_eq(tmpl_escape("a<b", FILE_FMT_XML, dst, sizeof(dst)),
	    6);
	ck_assert_str_eq(dst, "a&lt;b");
	/* Never a cut entity: "&amp;" does not fit after "abc". */
	ck_assert_uint_eq(tmpl_escape("abc&", FILE_FMT_XML, dst, 8), 3);
	ck_assert_str_eq(dst, "abc");
	ck_assert_uint_eq(tmpl_escape("a\r\nb\x7f", FILE_FMT_TEXT, dst, 8), 2);
	ck_assert_str_eq(dst, "ab");
}
END_TEST

START_TEST(test_tree)
{
	struct tv_doc	*d = tv_doc_new();
	struct tv	*r = tv_root(d), *l;

	tv_set_text(d, r, "k", "one");
	tv_set_text(d, r, "k", "two");
	ck_assert_str_eq(tv_text(tv_get(r, "k")), "two");
	ck_assert_ptr_null(tv_get(r, "nope"));
	l = tv_set_list(d, r, "l");
	ck_assert_ptr_null(tv_set_text(d, l, "x", "a list has no keys"));
	ck_assert_ptr_null(tv_add_text(d, r, "a map is not a list"));
	tv_add_text(d, l, "a");
	ck_assert_uint_eq(tv_count(l), 1);
	ck_assert_int_eq(tv_kind(l), TV_LIST);
	ck_assert_ptr_null(tv_set_text(d, NULL, "k", "v"));
	ck_assert(!tv_doc_failed(d));
	tv_doc_free(d);
	tv_doc_free(NULL);
}
END_TEST

/* A section tag alone on its line writes no line (Mustache's rule). */
START_TEST(test_standalone_lines)
{
	char *out;

	out = run("a\n  {{#if timezone}}  \ntz={{timezone}}\n\t{{/if}}\n"
	    "{{#each accounts as a}}\n{{a.user}}\n{{/each}}\nend\n",
	    FILE_FMT_TEXT);
	ck_assert_str_eq(out, "a\ntz=Europe/Berlin\n201\n299\nend\n");
	free(out);
	/* An #if whose name is absent leaves nothing, not a blank line. */
	out = run("a\n{{#if ntp}}\nntp={{ntp}}\n{{#else}}\nnone\n{{/if}}\nb\n",
	    FILE_FMT_TEXT);
	ck_assert_str_eq(out, "a\nnone\nb\n");
	free(out);
	/* With anything else on the line, the tag stays inline. */
	out = run("x {{#if timezone}}y{{/if}}\n{{#if timezone}}z{{/if}} w\n",
	    FILE_FMT_TEXT);
	ck_assert_str_eq(out, "x y\nz w\n");
	free(out);
	/* A value tag alone on its line is not a section: it keeps its
	 * line. CRLF files lose the whole break. */
	out = run("{{device.mac}}\r\n{{#if timezone}}\r\nq\r\n{{/if}}\r\n",
	    FILE_FMT_TEXT);
	ck_assert_str_eq(out, "805ec0100001\r\nq\r\n");
	free(out);
	/* Errors still name the right line after dropped lines. */
	ck_assert_str_eq(parse_err("{{#if timezone}}\n\n  {{/if}}\n"
	    "{{nosuch}}\n", NULL), "t.cfg:4: unknown name 'nosuch'");
}
END_TEST

static Suite *
tmpl_suite(void)
{
	Suite	*s = suite_create("tmpl");
	TCase	*tc = tcase_create("tmpl");

	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_each);
	tcase_add_test(tc, test_if);
	tcase_add_test(tc, test_escaping);
	tcase_add_test(tc, test_hostile_value);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_scope);
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_includes);
	tcase_add_test(tc, test_output_limit);
	tcase_add_test(tc, test_escape_bounds);
	tcase_add_test(tc, test_tree);
	tcase_add_test(tc, test_standalone_lines);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(tmpl_suite());
}
