/*
 * check_route.c - provisioning request paths and vendor file names.
 */
#include "config.h"

#include "testutil.h"

#include "cfg.h"
#include "route.h"

/* The file rules of the shipped vendor classes, in miniature. */
static const char conf[] =
    "provisioning = { base_url = \"https://10.42.0.1\"; listen = [ ];\n"
    "  token_path = \"/p\"; legacy_path = \"/prov\"; };\n"
    "vendors = (\n"
    " { name = \"snom\"; match = { vendor_class_prefix = [ \"snom\" ]; };\n"
    "   files = ( { name = \"snom${model}-${MAC}.htm\"; template = \"s1\"; },\n"
    "             { name = \"${MAC}.xml\"; template = \"s2\"; },\n"
    "             { name = \"snom${model}.htm\"; template = \"s3\"; } ); },\n"
    " { name = \"yealink\"; match = { vendor_class_prefix = [ \"yealink\" ]; };\n"
    "   files = ( { name = \"${mac}.cfg\"; template = \"y1\"; },\n"
    "             { name = \"y0000000000*.cfg\"; template = \"y2\"; },\n"
    "             { name = \"${mac}.boot\"; template = \"y3\"; } ); },\n"
    " { name = \"cisco\"; match = { vendor_class_prefix = [ \"Cisco\" ]; };\n"
    "   files = ( { name = \"SEP${MAC}.cnf.xml\"; template = \"c1\"; },\n"
    "             { name = \"spa${model}.cfg\"; template = \"c2\"; } ); },\n"
    " { name = \"grandstream\"; match = { oui = [ \"00:0b:82\" ]; };\n"
    "   files = ( { name = \"cfg${mac}.xml\"; template = \"g1\"; },\n"
    "             { name = \"cfg${mac}\"; template = \"g2\"; } ); },\n"
    " { name = \"polycom\"; match = { oui = [ \"00:04:f2\" ]; };\n"
    "   files = ( { name = \"${mac}-phone.cfg\"; template = \"p1\"; },\n"
    "             { name = \"000000000000.cfg\"; template = \"p2\"; } ); }\n"
    ");\n";

static char		*dir;
static struct cfg	*cfg;

static void
setup(void)
{
	struct cfg_errors	 errs;
	char			*path;

	dir = tu_mkdtemp();
	path = tu_write(dir, "p.conf", conf);
	if (cfg_load(path, CFG_NO_FILE_CHECKS | CFG_NO_TEMPLATES, &cfg,
	    &errs) != 0) {
		char line[512];

		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", cfg_error_format(&errs.v[i],
			    line, sizeof(line)));
		ck_abort_msg("config does not load");
	}
	free(path);
}

static void
teardown(void)
{
	cfg_free(cfg);
	tu_rmtree(dir);
}

static const char tok[] = "AbCdEfGhIjKlMnOpQrStUvWxYz0123-_";

START_TEST(test_token_folder)
{
	struct route	r;
	char		path[256];

	snprintf(path, sizeof(path), "/p/%s/805ec0aabbcc.cfg", tok);
	ck_assert_int_eq(route_parse(cfg, path, &r), ROUTE_TOKEN);
	ck_assert_str_eq(r.token, tok);
	ck_assert_str_eq(r.file, "805ec0aabbcc.cfg");
	/* A query string is not part of the file. */
	snprintf(path, sizeof(path), "/p/%s/000000000000.cfg?x=1", tok);
	ck_assert_int_eq(route_parse(cfg, path, &r), ROUTE_TOKEN);
	ck_assert_str_eq(r.file, "000000000000.cfg");
	/* A token of the wrong shape is a miss, not an error. */
	ck_assert_int_eq(route_parse(cfg, "/p/short/a.cfg", &r), ROUTE_NONE);
	snprintf(path, sizeof(path), "/p/%s", tok);
	ck_assert_int_eq(route_parse(cfg, path, &r), ROUTE_NONE);
	snprintf(path, sizeof(path), "/p/%s/", tok);
	ck_assert_int_eq(route_parse(cfg, path, &r), ROUTE_NONE);
	snprintf(path, sizeof(path), "/p/%s/sub/a.cfg", tok);
	ck_assert_int_eq(route_parse(cfg, path, &r), ROUTE_NONE);
}
END_TEST

START_TEST(test_legacy_static)
{
	struct route r;

	ck_assert_int_eq(route_parse(cfg, "/prov/805ec0aabbcc.cfg", &r),
	    ROUTE_LEGACY);
	ck_assert_str_eq(r.file, "805ec0aabbcc.cfg");
	ck_assert_int_eq(route_parse(cfg, "/static/sip.ld", &r), ROUTE_STATIC);
	ck_assert_str_eq(r.file, "sip.ld");
	/* "/provx/..." is not under "/prov". */
	ck_assert_int_eq(route_parse(cfg, "/provx/a.cfg", &r), ROUTE_NONE);
	ck_assert_int_eq(route_parse(cfg, "/", &r), ROUTE_NONE);
	ck_assert_int_eq(route_parse(cfg, "/prov/", &r), ROUTE_NONE);
	/* Percent-encoded letters are fine. */
	ck_assert_int_eq(route_parse(cfg, "/prov/%38%30%35ec0aabbcc.cfg", &r),
	    ROUTE_LEGACY);
	ck_assert_str_eq(r.file, "805ec0aabbcc.cfg");
}
END_TEST

START_TEST(test_traversal_refused)
{
	static const char *const bad[] = {
		"/prov/..%2f..%2fetc%2fpasswd", "/prov/..%2Fsecret",
		"/prov/%2e%2e/%2e%2e/etc/passwd", "/prov/../etc/passwd",
		"/p/../prov/a.cfg", "/prov/./a.cfg", "/prov//a.cfg",
		"/prov/a.cfg%00.xml", "/prov/a%00", "/prov/a%5cb",
		"/prov/a\\b", "/prov/a%", "/prov/a%4", "/prov/a%zz",
		"/prov/a%252f", "/prov/a b", "/prov/a%20b", "/prov/\x01",
		"/prov/caf\xc3\xa9.cfg", "prov/a.cfg", "", "/prov/a%0d%0aX: y",
	};
	struct route r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum route_kind k = route_parse(cfg, bad[i], &r);

		ck_assert_msg(k == ROUTE_BAD || k == ROUTE_NONE,
		    "'%s' routed as %s", bad[i], route_kind_str(k));
		ck_assert_str_eq(r.file, "");
	}
	/* Encoded separators and NULs are malformed outright. */
	ck_assert_int_eq(route_parse(cfg, "/prov/..%2fx", &r), ROUTE_BAD);
	ck_assert_int_eq(route_parse(cfg, "/prov/a%00", &r), ROUTE_BAD);
	ck_assert_int_eq(route_parse(cfg, "/prov/../x", &r), ROUTE_BAD);
	ck_assert_int_eq(route_parse(cfg, NULL, &r), ROUTE_BAD);
}
END_TEST

START_TEST(test_overlong)
{
	char		 path[ROUTE_PATH_MAX + 64];
	struct route	 r;

	memcpy(path, "/prov/", 6);
	memset(path + 6, 'a', sizeof(path) - 7);
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(route_parse(cfg, path, &r), ROUTE_BAD);
	/* A file name over ROUTE_FILE_MAX under the path limit: a miss. */
	path[6 + ROUTE_FILE_MAX + 1] = '\0';
	ck_assert_int_eq(route_parse(cfg, path, &r), ROUTE_NONE);
	/* 20,000 nested escapes. */
	{
		char	*big = malloc(60010);
		size_t	 o = 0;

		ck_assert_ptr_nonnull(big);
		memcpy(big, "/prov/", 6);
		o = 6;
		for (int i = 0; i < 20000; i++, o += 3)
			memcpy(big + o, "%25", 3);
		big[o] = '\0';
		ck_assert_int_eq(route_parse(cfg, big, &r), ROUTE_BAD);
		free(big);
	}
}
END_TEST

/* name -> vendor, rule pattern, MAC ("" if none), model ("" if none). */
static void
expect_file(const char *name, const char *vendor, const char *pattern,
    const char *mac, const char *model)
{
	struct file_match	m;
	char			s[MAC_STR_LEN];

	ck_assert_msg(route_find_file(cfg, NULL, name, &m) == 1,
	    "%s matches nothing", name);
	ck_assert_str_eq(m.vendor->name, vendor);
	ck_assert_str_eq(m.file->pattern, pattern);
	if (mac[0] != '\0') {
		ck_assert(m.has_mac);
		ck_assert_str_eq(mac_format(&m.mac, s), mac);
	} else
		ck_assert(!m.has_mac);
	ck_assert_str_eq(m.model, model);
}

START_TEST(test_vendor_names)
{
	expect_file("805ec0aabbcc.cfg", "yealink", "${mac}.cfg",
	    "80:5e:c0:aa:bb:cc", "");
	/* Upper case where the vendor writes lower, and the other way. */
	expect_file("805EC0AABBCC.cfg", "yealink", "${mac}.cfg",
	    "80:5e:c0:aa:bb:cc", "");
	expect_file("805ec0aabbcc.boot", "yealink", "${mac}.boot",
	    "80:5e:c0:aa:bb:cc", "");
	expect_file("y000000000066.cfg", "yealink", "y0000000000*.cfg", "",
	    "");
	expect_file("snomD785-000413922D24.htm", "snom",
	    "snom${model}-${MAC}.htm", "00:04:13:92:2d:24", "D785");
	expect_file("000413922D24.xml", "snom", "${MAC}.xml",
	    "00:04:13:92:2d:24", "");
	expect_file("snomD785.htm", "snom", "snom${model}.htm", "", "D785");
	expect_file("SEP000413922D24.cnf.xml", "cisco", "SEP${MAC}.cnf.xml",
	    "00:04:13:92:2d:24", "");
	expect_file("sep000413922d24.cnf.xml", "cisco", "SEP${MAC}.cnf.xml",
	    "00:04:13:92:2d:24", "");
	expect_file("spa508G.cfg", "cisco", "spa${model}.cfg", "", "508G");
	expect_file("cfgc074ad2bd859.xml", "grandstream", "cfg${mac}.xml",
	    "c0:74:ad:2b:d8:59", "");
	expect_file("cfgc074ad2bd859", "grandstream", "cfg${mac}",
	    "c0:74:ad:2b:d8:59", "");
	expect_file("0004f2aabbcc-phone.cfg", "polycom", "${mac}-phone.cfg",
	    "00:04:f2:aa:bb:cc", "");
	/* All zeros is Polycom's common file, never a device's MAC. */
	expect_file("000000000000.cfg", "polycom", "000000000000.cfg", "", "");
	/* With separators. */
	expect_file("80-5e-c0-aa-bb-cc.cfg", "yealink", "${mac}.cfg",
	    "80:5e:c0:aa:bb:cc", "");
}
END_TEST

START_TEST(test_vendor_misses)
{
	static const char *const miss[] = {
		"805ec0aabbc.cfg", "805ec0aabbccd.cfg", "805ec0aabbcg.cfg",
		"805ec0aabbcc.txt", "y00000000006.cfgx", "cfg.xml", "SEP.cnf.xml",
		"index.html", "805ec0aabbcc",
	};
	struct file_match m;

	for (size_t i = 0; i < sizeof(miss) / sizeof(miss[0]); i++)
		ck_assert_msg(route_find_file(cfg, NULL, miss[i], &m) == 0,
		    "%s matched %s", miss[i], m.file ? m.file->pattern : "?");
	/* Restricted to one class, another class's names do not match. */
	ck_assert_int_eq(route_find_file(cfg, cfg_vendor_find(cfg, "snom"),
	    "805ec0aabbcc.cfg", &m), 0);
	ck_assert_int_eq(route_find_file(cfg, cfg_vendor_find(cfg, "yealink"),
	    "805ec0aabbcc.cfg", &m), 1);
}
END_TEST

static Suite *
route_suite(void)
{
	Suite	*s = suite_create("route");
	TCase	*tc = tcase_create("route");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_token_folder);
	tcase_add_test(tc, test_legacy_static);
	tcase_add_test(tc, test_traversal_refused);
	tcase_add_test(tc, test_overlong);
	tcase_add_test(tc, test_vendor_names);
	tcase_add_test(tc, test_vendor_misses);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(route_suite());
}
