/*
 * check_urltmpl.c - option templates, URL checks and the option table.
 */
#include "config.h"

#include "testutil.h"

#include "dhcpopt.h"
#include "urltmpl.h"

static const struct tmpl_vars vars = {
	.base_url = "https://10.42.0.1",
	.token = "Tok3n-_Tok3n-_Tok3n-_Tok3n-_Tok3",
	.mac = "805ec0100001",
	.mac_upper = "805EC0100001",
	.model = "T46S",
	.vendor = "yealink",
	.server_ip = "10.42.0.7",
};

START_TEST(test_check_vars)
{
	char err[256];

	ck_assert_int_eq(tmpl_check("plain", err, sizeof(err)), 0);
	ck_assert_int_eq(tmpl_check("${base_url}/p/${token}/", err,
	    sizeof(err)), TMPL_BASE_URL | TMPL_TOKEN);
	ck_assert_int_eq(tmpl_check("${mac}${MAC}${model}${vendor}", err,
	    sizeof(err)), TMPL_MAC | TMPL_MAC_UPPER | TMPL_MODEL | TMPL_VENDOR);
	ck_assert_int_eq(tmpl_check("cost $$5", err, sizeof(err)), 0);
	ck_assert_int_eq(tmpl_check("tftp://${server_ip}/", err,
	    sizeof(err)), TMPL_SERVER_IP);
}
END_TEST

START_TEST(test_check_errors)
{
	char err[256];

	ck_assert_int_eq(tmpl_check("${base_url", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "unclosed '${' at offset 0"));
	ck_assert_int_eq(tmpl_check("x/${tokne}", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown placeholder '${tokne}'"));
	ck_assert_int_eq(tmpl_check("a$b", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "lone '$' at offset 1"));
	ck_assert_int_eq(tmpl_check("${}", err, sizeof(err)), -1);
	ck_assert_int_eq(tmpl_check("${Token}", err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_expand)
{
	char	out[256];

	ck_assert_int_eq(tmpl_expand("${base_url}/p/${token}/", &vars, out,
	    sizeof(out)), 53);
	ck_assert_str_eq(out,
	    "https://10.42.0.1/p/Tok3n-_Tok3n-_Tok3n-_Tok3n-_Tok3/");
	tmpl_expand("${mac}.cfg|${MAC}.xml|$$|${vendor}-${model}", &vars, out,
	    sizeof(out));
	ck_assert_str_eq(out, "805ec0100001.cfg|805EC0100001.xml|$|"
	    "yealink-T46S");
	/* The reply's own address: the URL follows the network. */
	tmpl_expand("https://${server_ip}/p/", &vars, out, sizeof(out));
	ck_assert_str_eq(out, "https://10.42.0.7/p/");
	/* A variable without a value expands to nothing. */
	struct tmpl_vars none = { 0 };
	ck_assert_int_eq(tmpl_expand("a${token}b", &none, out, sizeof(out)),
	    2);
	ck_assert_str_eq(out, "ab");
	/* Too long for the buffer: an error, never a cut URL. */
	ck_assert_int_eq(tmpl_expand("${base_url}", &vars, out, 10), -1);
	ck_assert_int_eq(tmpl_expand("0123456789", &vars, out, 10), -1);
	ck_assert_int_eq(tmpl_expand("012345678", &vars, out, 10), 9);
}
END_TEST

/*
 * An option value in the file engine's syntax is the same value: the
 * same names as in a file, and it fills exactly as its ${ } form.
 */
START_TEST(test_braces)
{
	char	t[256], out[256], err[256];

	ck_assert_int_eq(tmpl_from_braces("{{ base_url }}/p/{{token}}/", t,
	    sizeof(t), err, sizeof(err)), 23);
	ck_assert_str_eq(t, "${base_url}/p/${token}/");
	ck_assert_int_eq(tmpl_check(t, err, sizeof(err)),
	    TMPL_BASE_URL | TMPL_TOKEN);
	tmpl_expand(t, &vars, out, sizeof(out));
	ck_assert_str_eq(out,
	    "https://10.42.0.1/p/Tok3n-_Tok3n-_Tok3n-_Tok3n-_Tok3/");
	ck_assert_int_ge(tmpl_from_braces("{{device.mac}}.cfg|{{device.MAC}}"
	    "|{{vendor}}-{{ device.model }}|$5|{{{{x|tftp://{{server_ip}}/",
	    t, sizeof(t), err, sizeof(err)), 0);
	ck_assert_int_ge(tmpl_check(t, err, sizeof(err)), 0);
	tmpl_expand(t, &vars, out, sizeof(out));
	ck_assert_str_eq(out, "805ec0100001.cfg|805EC0100001|yealink-T46S|"
	    "$5|{{x|tftp://10.42.0.7/");
	/* Refused, with the reason. */
	ck_assert_int_eq(tmpl_from_braces("{{ tokne }}", t, sizeof(t), err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown name 'tokne'"));
	ck_assert_int_eq(tmpl_from_braces("{{mac}}", t, sizeof(t), err,
	    sizeof(err)), -1);
	ck_assert_int_eq(tmpl_from_braces("{{#if token}}x{{/if}}", t,
	    sizeof(t), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "names only"));
	ck_assert_int_eq(tmpl_from_braces("{{ base_url", t, sizeof(t), err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "unclosed '{{' at offset 0"));
	ck_assert_int_eq(tmpl_from_braces("{{base_url}}/${token}", t,
	    sizeof(t), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "mixes ${ } and {{ }}"));
	ck_assert_int_eq(tmpl_from_braces("{{base_url}}", t, 8, err,
	    sizeof(err)), -1);
}
END_TEST

START_TEST(test_url_check)
{
	char err[256];

	ck_assert_int_eq(url_check("https://10.42.0.1/p/x/", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(url_check("tftp://10.0.0.1", err, sizeof(err)), 0);
	ck_assert_int_eq(url_check("HTTP://host:8080/a", err, sizeof(err)), 0);
	ck_assert_int_eq(url_check("https:///p/", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "has no host"));
	ck_assert_int_eq(url_check("https://a b/", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "space or control"));
	ck_assert_int_eq(url_check("https://a\n/", err, sizeof(err)), -1);
	ck_assert_int_eq(url_check("gopher://a/", err, sizeof(err)), -1);
	ck_assert_int_eq(url_check("10.0.0.1", err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_opt_table)
{
	const struct opt_def	*d;
	enum opt_type		 t;

	ck_assert_ptr_nonnull(d = opt_def_find(150));
	ck_assert_int_eq(d->type, OPT_T_IP_LIST);
	ck_assert_ptr_nonnull(d = opt_def_find(43));
	ck_assert_int_eq(d->type, OPT_T_SUBOPTS);
	ck_assert_ptr_nonnull(d = opt_def_find(53));
	ck_assert_int_eq(d->server_only, 1);
	ck_assert_ptr_null(opt_def_find(224));
	ck_assert_int_eq(opt_code_by_name("tftp-server-name"), 66);
	ck_assert_int_eq(opt_code_by_name("no-such-option"), -1);
	ck_assert_int_eq(opt_type_parse("ip-list", &t), 0);
	ck_assert_int_eq(t, OPT_T_IP_LIST);
	ck_assert_int_eq(opt_type_parse("float", &t), -1);
	ck_assert_str_eq(opt_type_str(OPT_T_U16), "u16");
}
END_TEST

START_TEST(test_hex)
{
	uint8_t b[4];

	ck_assert_int_eq(opt_hex_parse("01:02:ff", b, sizeof(b)), 3);
	ck_assert_mem_eq(b, "\x01\x02\xff", 3);
	ck_assert_int_eq(opt_hex_parse("0a0B0c", b, sizeof(b)), 3);
	ck_assert_mem_eq(b, "\x0a\x0b\x0c", 3);
	ck_assert_int_eq(opt_hex_parse("01 02", b, sizeof(b)), 2);
	ck_assert_int_eq(opt_hex_parse("", b, sizeof(b)), 0);
	ck_assert_int_eq(opt_hex_parse("0", b, sizeof(b)), -1);
	ck_assert_int_eq(opt_hex_parse("0:1", b, sizeof(b)), -1);
	ck_assert_int_eq(opt_hex_parse("zz", b, sizeof(b)), -1);
	ck_assert_int_eq(opt_hex_parse("0102030405", b, sizeof(b)), -1);
}
END_TEST

static Suite *
urltmpl_suite(void)
{
	Suite	*s = suite_create("urltmpl");
	TCase	*tc = tcase_create("urltmpl");

	tcase_add_test(tc, test_check_vars);
	tcase_add_test(tc, test_check_errors);
	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_braces);
	tcase_add_test(tc, test_url_check);
	tcase_add_test(tc, test_opt_table);
	tcase_add_test(tc, test_hex);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(urltmpl_suite());
}
