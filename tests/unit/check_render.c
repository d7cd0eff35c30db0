/*
 * check_render.c - config file templates and the escaping of values.
 */
#include "config.h"

#include <openssl/crypto.h>

#include "testutil.h"

#include "render.h"

static char *
render_str(const char *text, const struct render_vals *v,
    enum file_format fmt)
{
	struct render_tmpl	*t;
	char			 err[256], *out = NULL;

	t = render_parse(text, strlen(text), err, sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_int_ge(render(t, v, fmt, &out), 0);
	render_free(t);
	return out;
}

START_TEST(test_values)
{
	struct render_vals	 v = { { NULL } };
	char			*out;

	v.v[RV_SIP_USER] = "201";
	v.v[RV_SIP_PASSWORD] = "s3cret";
	v.v[RV_SIP_SERVER] = "pbx.office.lan";
	v.v[RV_MAC] = "805ec0aabbcc";
	v.v[RV_PROV_URL] = "https://10.42.0.1/p/tok/";
	out = render_str("#!version:1.0.0.1\n"
	    "account.1.user_name = {{sip.user}}\n"
	    "account.1.password = {{ sip.password }}\n"
	    "account.1.sip_server.1.address = {{sip.server}}\n"
	    "static.auto_provision.server.url = {{provisioning_url}}\n"
	    "# {{device.mac}} {{device.model}}.\n", &v, FILE_FMT_TEXT);
	ck_assert_str_eq(out, "#!version:1.0.0.1\n"
	    "account.1.user_name = 201\n"
	    "account.1.password = s3cret\n"
	    "account.1.sip_server.1.address = pbx.office.lan\n"
	    "static.auto_provision.server.url = https://10.42.0.1/p/tok/\n"
	    "# 805ec0aabbcc .\n");
	free(out);
}
END_TEST

START_TEST(test_xml_escaping)
{
	struct render_vals	 v = { { NULL } };
	char			*out;

	v.v[RV_DISPLAY_NAME] = "Ann & \"Bob\" <sales>";
	v.v[RV_SIP_PASSWORD] = "p'w</user_pass><user_pass idx=\"2\">x";
	out = render_str("<settings><user_realname idx=\"1\" perm=\"\">"
	    "{{user.display_name}}</user_realname>"
	    "<user_pass idx=\"1\">{{sip.password}}</user_pass></settings>",
	    &v, FILE_FMT_XML);
	ck_assert_str_eq(out, "<settings><user_realname idx=\"1\" perm=\"\">"
	    "Ann &amp; &quot;Bob&quot; &lt;sales&gt;</user_realname>"
	    "<user_pass idx=\"1\">p&apos;w&lt;/user_pass&gt;&lt;user_pass "
	    "idx=&quot;2&quot;&gt;x</user_pass></settings>");
	free(out);
}
END_TEST

START_TEST(test_text_no_line_injection)
{
	struct render_vals	 v = { { NULL } };
	char			*out;

	/* A value cannot start a setting of its own on a new line. */
	v.v[RV_DISPLAY_NAME] = "Eve\naccount.1.password = stolen\r\x1b[2J";
	out = render_str("account.1.display_name = {{user.display_name}}\n",
	    &v, FILE_FMT_TEXT);
	ck_assert_str_eq(out, "account.1.display_name = Eveaccount.1.password"
	    " = stolen[2J\n");
	ck_assert_ptr_null(strchr(out, '\r'));
	ck_assert_int_eq((int)(strchr(out, '\n') - out), (int)strlen(out) - 1);
	free(out);
}
END_TEST

START_TEST(test_parse_errors)
{
	char			 err[256];
	struct render_tmpl	*t;

	t = render_parse("a\nb {{sip.pasword}}\n", 20, err, sizeof(err));
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(strstr(err, "line 2: unknown placeholder "
	    "'{{sip.pasword}}'"));
	t = render_parse("x {{sip.user\n}}", 15, err, sizeof(err));
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(strstr(err, "line 1: '{{' without '}}'"));
	/* "{{{{" is a literal "{{". */
	{
		struct render_vals	 v = { { NULL } };
		char			*out = render_str("{{{{sip.user}}", &v,
					    FILE_FMT_TEXT);

		ck_assert_str_eq(out, "{{sip.user}}");
		free(out);
	}
}
END_TEST

START_TEST(test_load)
{
	char			*dir = tu_mkdtemp(), *path, err[256];
	struct render_tmpl	*t;
	struct render_vals	 v = { { NULL } };
	char			*out;

	path = tu_write(dir, "y.cfg", "user = {{sip.user}}\n");
	ck_assert_ptr_nonnull(t = render_load(path, err, sizeof(err)));
	v.v[RV_SIP_USER] = "202";
	ck_assert_int_eq(render(t, &v, FILE_FMT_TEXT, &out), 11);
	ck_assert_str_eq(out, "user = 202\n");
	free(out);
	render_free(t);
	free(path);
	ck_assert(asprintf(&path, "%s/missing", dir) > 0);
	ck_assert_ptr_null(render_load(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	free(path);
	tu_rmtree(dir);
}
END_TEST

static Suite *
render_suite(void)
{
	Suite	*s = suite_create("render");
	TCase	*tc = tcase_create("render");

	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_xml_escaping);
	tcase_add_test(tc, test_text_no_line_injection);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_load);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(render_suite());
}
