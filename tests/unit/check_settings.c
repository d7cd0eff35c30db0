/*
 * check_settings.c - the named settings: scopes merged nearest-wins,
 * the tree templates see, escaping on the whole path, and the load-time
 * check that renders every file for every device.
 */
#include "config.h"

#include <sys/stat.h>

#include <openssl/crypto.h>

#include "testutil.h"

#include "cfg.h"
#include "settings.h"
#include "tmpl.h"
#include "tv.h"

static char	*dir;

static const char base_conf[] =
	"registry = { path = \"reg\"; };\n"
	"provisioning = { listen = [ \"127.0.0.1:8443\" ];\n"
	"  base_url = \"https://10.42.0.1\";\n"
	"  tls = { cert = \"c\"; key = \"k\"; }; };\n"
	"settings = { timezone = \"Europe/Berlin\"; language = \"en\";\n"
	"  ntp_servers = [ \"ntp1.example\", \"10.42.0.1\" ];\n"
	"  date_format = \"dmy\"; time_format = \"24\";\n"
	"  vars = { contrast = 5; ring = \"default\"; }; };\n";

static const char vendors_conf[] =
	"vendors = ( { name = \"yealink\"; match = { oui = [ \"80:5e:c0\" ]; };\n"
	"  options = ( { code = 66; value = \"${base_url}/\"; } );\n"
	"  settings = { language = \"de\"; voice_vlan = 10; };\n"
	"  models = ( { name = \"T46S\"; firmware = \"T46S-1.rom\";\n"
	"    settings = { voice_vlan = 20; vars = { ring = \"T46\"; }; }; } );\n"
	"  files = ( { name = \"${mac}.cfg\"; template = \"dev.cfg\"; },\n"
	"            { name = \"common.xml\"; template = \"common.xml\"; } );\n"
	"} );\n";

static const char users_conf[] =
	"users = ( { name = \"alice\"; display_name = \"Alice <A&B>\";\n"
	"  sip = { user = \"201\"; password = \"pw-one\"; server = \"pbx\"; };\n"
	"  accounts = ( { user = \"301\"; password = \"pw-two\";\n"
	"                 label = \"Queue\"; transport = \"tls\"; } );\n"
	"  settings = { admin_password = \"adm-alice\";\n"
	"    keys = ( { type = \"line\"; account = 2; },\n"
	"             { type = \"blf\"; value = \"202\"; label = \"Bob\"; } ); };\n"
	"  devices = ( { mac = \"80:5e:c0:00:00:01\"; vendor = \"yealink\";\n"
	"                model = \"t46s\";\n"
	"                settings = { language = \"fr\"; }; },\n"
	"              { mac = \"80:5e:c0:00:00:02\"; vendor = \"yealink\";\n"
	"                model = \"T48S\"; } ); } );\n";

static const char dev_tmpl[] =
	"{{#each accounts as a}}acc{{a.index}}={{a.user}}/{{a.password}}"
	"/{{a.label}}/{{a.transport}}{{#if a.tls}}!{{/if}}\n{{/each}}"
	"{{#each keys as k}}key{{k.index}}={{k.type}}:{{k.value}}:{{k.account}}"
	"{{#if k.blf}}B{{/if}}\n{{/each}}"
	"lang={{settings.language}} yl={{lang.yealink}}\n"
	"vlan={{settings.voice_vlan}} {{settings.voice_vlan_hex}}\n"
	"tz={{tz.posix}} yz={{tz.yealink_time_zone}}\n"
	"ntp={{ntp.server1}},{{ntp.server2}}\n"
	"date={{#if date.dmy}}DMY{{/if}} clock={{#if time.h24}}24{{/if}}\n"
	"admin={{settings.admin_password}}\n"
	"fw={{settings.firmware_url}}\n"
	"vars={{vars.contrast}},{{vars.ring}}\n"
	"name={{user.display_name}} mac={{device.mac}}\n"
	"cloud={{#if settings.vendor_cloud}}on{{#else}}off{{/if}}\n";

static const char common_tmpl[] =
	"<c tz=\"{{tz.name}}\" n=\"{{user.display_name}}\" "
	"p=\"{{sip.password}}{{#each accounts as a}}{{a.password}}{{/each}}"
	"{{settings.admin_password}}\"/>\n";

static void
setup(void)
{
	char *p;

	dir = tu_mkdtemp();
	ck_assert(asprintf(&p, "%s/templates", dir) > 0);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	free(p);
	free(tu_write(dir, "templates/dev.cfg", dev_tmpl));
	free(tu_write(dir, "templates/common.xml", common_tmpl));
	free(tu_write(dir, "vendors.conf", vendors_conf));
	free(tu_write(dir, "users.conf", users_conf));
}

static void
teardown(void)
{
	tu_rmtree(dir);
	dir = NULL;
}

/* Loads base_conf + extra; 0 or -1 with every error joined in msgs. */
static int
load(const char *extra, struct cfg **cfg, char *msgs, size_t sz)
{
	struct cfg_errors	 errs;
	char			*text, *path, line[1024];
	size_t			 o = 0;
	int			 r;

	ck_assert(asprintf(&text, "%s%s\n@include \"vendors.conf\"\n"
	    "@include \"users.conf\"\n", base_conf, extra) > 0);
	path = tu_write(dir, "provbox.conf", text);
	free(text);
	msgs[0] = '\0';
	r = cfg_load(path, CFG_NO_FILE_CHECKS, cfg, &errs);
	for (size_t i = 0; i < errs.n && o < sz; i++)
		o += (size_t)snprintf(msgs + o, sz - o, "%s\n",
		    cfg_error_format(&errs.v[i], line, sizeof(line)));
	cfg_errors_free(&errs);
	free(path);
	return r;
}

static char *
render_for(const struct cfg *cfg, const char *mac_s, int per_device,
    int blank)
{
	const struct cfg_user	*u;
	const struct cfg_device	*d;
	const struct cfg_vendor	*v;
	struct settings_in	 in;
	struct tv_doc		*doc;
	struct mac_addr		 mac;
	char			*out;

	ck_assert_int_eq(mac_parse(mac_s, &mac), 0);
	ck_assert_ptr_nonnull(d = cfg_device_find(cfg, &mac, &u));
	v = &cfg->vendors[d->vendor];
	memset(&in, 0, sizeof(in));
	in.vendor = v;
	in.user = u;
	in.mac = per_device ? &d->mac : NULL;
	in.model = d->model;
	in.provisioning_url = "https://10.42.0.1/p/TOKEN/";
	/* blank: 1 bootstrap (identity too), 2 passwords only. */
	in.blank_credentials = blank == 1;
	in.no_passwords = blank == 2;
	ck_assert_ptr_nonnull(doc = settings_tree(cfg, &in));
	ck_assert_int_ge(tmpl_render(settings_template(cfg->templates,
	    &v->files[per_device ? 0 : 1]), tv_root(doc), per_device ?
	    FILE_FMT_TEXT : FILE_FMT_XML, &out), 0);
	tv_doc_free(doc);
	return out;
}

START_TEST(test_scopes_nearest_wins)
{
	struct cfg	*cfg;
	char		 msgs[4096], *out;

	ck_assert_msg(load("", &cfg, msgs, sizeof(msgs)) == 0, "%s", msgs);
	out = render_for(cfg, "80:5e:c0:00:00:01", 1, 0);
	/* Device (fr) over class (de) over defaults (en). */
	ck_assert_ptr_nonnull(strstr(out, "lang=fr yl="));
	/* Model (20, matched ignoring case) over class (10). */
	ck_assert_ptr_nonnull(strstr(out, "vlan=20 0x14\n"));
	/* Free variables merge by name: the model's ring, the default's
	 * contrast (an integer, as text). */
	ck_assert_ptr_nonnull(strstr(out, "vars=5,T46\n"));
	ck_assert_ptr_nonnull(strstr(out, "fw=https://10.42.0.1/static/"
	    "T46S-1.rom\n"));
	ck_assert_ptr_nonnull(strstr(out, "ntp=ntp1.example,10.42.0.1\n"));
	ck_assert_ptr_nonnull(strstr(out, "date=DMY clock=24\n"));
	ck_assert_ptr_nonnull(strstr(out, "admin=adm-alice\n"));
	ck_assert_ptr_nonnull(strstr(out, "cloud=off\n"));
	ck_assert_ptr_nonnull(strstr(out, "tz=CET-1CEST,M3.5.0,M10.5.0/3 "
	    "yz=+1\n"));
	free(out);
	/* The other phone: no model entry, the class's VLAN, no firmware. */
	out = render_for(cfg, "80:5e:c0:00:00:02", 1, 0);
	ck_assert_ptr_nonnull(strstr(out, "lang=de yl="));
	ck_assert_ptr_nonnull(strstr(out, "vlan=10 0xa\n"));
	ck_assert_ptr_nonnull(strstr(out, "vars=5,default\n"));
	ck_assert_ptr_nonnull(strstr(out, "fw=\n"));
	free(out);
	cfg_free(cfg);
}
END_TEST

START_TEST(test_accounts_and_keys)
{
	struct cfg	*cfg;
	char		 msgs[4096], *out;

	ck_assert_msg(load("", &cfg, msgs, sizeof(msgs)) == 0, "%s", msgs);
	out = render_for(cfg, "80:5e:c0:00:00:01", 1, 0);
	ck_assert_ptr_nonnull(strstr(out, "acc1=201/pw-one/Alice <A&B>/udp\n"
	    "acc2=301/pw-two/Queue/tls!\n"));
	ck_assert_ptr_nonnull(strstr(out, "key1=line::2\nkey2=blf:202:1B\n"));
	ck_assert_ptr_nonnull(strstr(out, "mac=805ec0000001\n"));
	free(out);
	/*
	 * Numbers a vendor derives from the position: Grandstream's
	 * account families (P4xx for account 2) and multi-purpose keys
	 * (key 2: mode P324, account P304, name P305, value P306), and the
	 * account counted from 0.
	 */
	{
		const struct cfg_user	*u;
		const struct cfg_device	*d;
		struct settings_in	 in;
		struct tv_doc		*doc;
		struct mac_addr		 mac;
		const struct tv		*acc, *keys;

		ck_assert_int_eq(mac_parse("80:5e:c0:00:00:01", &mac), 0);
		ck_assert_ptr_nonnull(d = cfg_device_find(cfg, &mac, &u));
		memset(&in, 0, sizeof(in));
		in.vendor = &cfg->vendors[0];
		in.user = u;
		in.mac = &d->mac;
		ck_assert_ptr_nonnull(doc = settings_tree(cfg, &in));
		acc = tv_get(tv_root(doc), "accounts");
		keys = tv_get(tv_root(doc), "keys");
		ck_assert_ptr_null(tv_get(tv_item(acc, 0), "grandstream_p"));
		ck_assert_str_eq(tv_text(tv_get(tv_item(acc, 1),
		    "grandstream_p")), "4");
		ck_assert_str_eq(tv_text(tv_get(tv_item(keys, 0), "account0")),
		    "1");
		ck_assert_str_eq(tv_text(tv_get(tv_item(keys, 1),
		    "grandstream_mode")), "324");
		ck_assert_str_eq(tv_text(tv_get(tv_item(keys, 1),
		    "grandstream_account")), "304");
		ck_assert_str_eq(tv_text(tv_get(tv_item(keys, 1),
		    "grandstream_value")), "306");
		ck_assert_str_eq(tv_text(tv_get(tv_item(keys, 1), "account0")),
		    "0");
		tv_doc_free(doc);
	}
	cfg_free(cfg);
}
END_TEST

/* Bootstrap: no account password, no phone password leaves. */
START_TEST(test_blank_credentials)
{
	struct cfg	*cfg;
	char		 msgs[4096], *out;

	ck_assert_msg(load("", &cfg, msgs, sizeof(msgs)) == 0, "%s", msgs);
	out = render_for(cfg, "80:5e:c0:00:00:01", 1, 1);
	ck_assert_ptr_null(strstr(out, "pw-one"));
	ck_assert_ptr_null(strstr(out, "pw-two"));
	ck_assert_ptr_null(strstr(out, "adm-alice"));
	ck_assert_ptr_nonnull(strstr(out, "admin=\n"));
	ck_assert_ptr_nonnull(strstr(out, "acc1=//"));
	free(out);
	/* A preview (device render): the passwords go, the accounts stay. */
	out = render_for(cfg, "80:5e:c0:00:00:01", 1, 2);
	ck_assert_ptr_null(strstr(out, "pw-one"));
	ck_assert_ptr_null(strstr(out, "pw-two"));
	ck_assert_ptr_null(strstr(out, "adm-alice"));
	ck_assert_ptr_nonnull(strstr(out, "admin=\n"));
	ck_assert_ptr_nonnull(strstr(out, "acc1=201//Alice <A&B>/udp\n"
	    "acc2=301//Queue/tls!\n"));
	free(out);
	cfg_free(cfg);
}
END_TEST

/*
 * A common file has no device: per-device settings do not reach it, and
 * no password does, whatever its template asks for: any phone of the
 * class may fetch it.
 */
START_TEST(test_common_file_xml)
{
	struct cfg	*cfg;
	char		 msgs[4096], *out;

	ck_assert_msg(load("", &cfg, msgs, sizeof(msgs)) == 0, "%s", msgs);
	out = render_for(cfg, "80:5e:c0:00:00:01", 0, 0);
	ck_assert_str_eq(out, "<c tz=\"Europe/Berlin\" n=\"Alice &lt;A&amp;B"
	    "&gt;\" p=\"\"/>\n");
	free(out);
	cfg_free(cfg);
}
END_TEST

/* settings.admin_password: a scope's setting, else the device's own. */
START_TEST(test_device_admin_password)
{
	struct cfg		*cfg;
	const struct cfg_user	*u;
	const struct cfg_device	*d;
	struct settings_in	 in;
	struct tv_doc		*doc;
	struct mac_addr		 mac;
	char			 msgs[4096];
	const char		*pw;

	free(tu_write(dir, "users.conf",
	    "users = ( { name = \"bob\"; sip = { user = \"202\"; password = "
	    "\"x\"; server = \"pbx\"; };\n"
	    "  devices = ( { mac = \"80:5e:c0:00:00:09\"; vendor = "
	    "\"yealink\"; },\n"
	    "    { mac = \"80:5e:c0:00:00:0a\"; vendor = \"yealink\";\n"
	    "      settings = { admin_password = \"set-by-admin\"; }; } ); } "
	    ");\n"));
	ck_assert_msg(load("", &cfg, msgs, sizeof(msgs)) == 0, "%s", msgs);
	for (int k = 0; k < 3; k++) {
		ck_assert_int_eq(mac_parse(k == 1 ? "80:5e:c0:00:00:0a" :
		    "80:5e:c0:00:00:09", &mac), 0);
		ck_assert_ptr_nonnull(d = cfg_device_find(cfg, &mac, &u));
		memset(&in, 0, sizeof(in));
		in.vendor = &cfg->vendors[d->vendor];
		in.user = u;
		in.mac = k == 2 ? NULL : &d->mac;	/* 2: a common file */
		in.device_admin_password = "RandomFromRegistry";
		ck_assert_ptr_nonnull(doc = settings_tree(cfg, &in));
		pw = tv_text(tv_get(tv_get(tv_root(doc), "settings"),
		    "admin_password"));
		if (k == 0)
			ck_assert_str_eq(pw, "RandomFromRegistry");
		else if (k == 1)
			ck_assert_str_eq(pw, "set-by-admin");
		else
			ck_assert_ptr_null(pw);
		tv_doc_free(doc);
	}
	cfg_free(cfg);
}
END_TEST

/* The phone book: every user and the admin's entries, sorted, escaped. */
START_TEST(test_phonebook)
{
	struct cfg		*cfg;
	struct settings_in	 in;
	struct tv_doc		*doc;
	struct tmpl		*t;
	char			 msgs[4096], err[256], *out;
	static const char	 book[] = "{{#each phonebook as e}}"
	    "<e i=\"{{e.index}}\" n=\"{{e.name}}\" t=\"{{e.number}}\"/>\n"
	    "{{/each}}";

	ck_assert_msg(load("phonebook = { entries = (\n"
	    "  { name = \"Zed's <Pizza>\"; number = \"+4930123\"; },\n"
	    "  { name = \"door\"; number = \"2099\"; } ); };\n", &cfg, msgs,
	    sizeof(msgs)) == 0, "%s", msgs);
	memset(&in, 0, sizeof(in));
	in.vendor = &cfg->vendors[0];
	in.with_phonebook = 1;
	ck_assert_ptr_nonnull(doc = settings_tree(cfg, &in));
	ck_assert_ptr_nonnull(t = tmpl_parse(book, strlen(book), "b", NULL,
	    tv_root(doc), err, sizeof(err)));
	ck_assert_int_ge(tmpl_render(t, tv_root(doc), FILE_FMT_XML, &out), 0);
	/* Sorted ignoring case; a user is listed by display name. */
	ck_assert_str_eq(out,
	    "<e i=\"1\" n=\"Alice &lt;A&amp;B&gt;\" t=\"201\"/>\n"
	    "<e i=\"2\" n=\"door\" t=\"2099\"/>\n"
	    "<e i=\"3\" n=\"Zed&apos;s &lt;Pizza&gt;\" t=\"+4930123\"/>\n");
	free(out);
	tmpl_free(t);
	tv_doc_free(doc);
	/* Without with_phonebook the list is there, and empty. */
	in.with_phonebook = 0;
	ck_assert_ptr_nonnull(doc = settings_tree(cfg, &in));
	ck_assert_uint_eq(tv_count(tv_get(tv_root(doc), "phonebook")), 0);
	tv_doc_free(doc);
	cfg_free(cfg);
	/* users = false: the entries alone; a bad number is refused. */
	ck_assert_msg(load("phonebook = { users = false; entries = (\n"
	    "  { name = \"door\"; number = \"2099\"; } ); };\n", &cfg, msgs,
	    sizeof(msgs)) == 0, "%s", msgs);
	in.vendor = &cfg->vendors[0];
	in.with_phonebook = 1;
	ck_assert_ptr_nonnull(doc = settings_tree(cfg, &in));
	ck_assert_uint_eq(tv_count(tv_get(tv_root(doc), "phonebook")), 1);
	tv_doc_free(doc);
	cfg_free(cfg);
	ck_assert_int_eq(load("phonebook = { entries = ( { name = \"x\"; "
	    "number = \"20 99\"; } ); };\n", &cfg, msgs, sizeof(msgs)), -1);
	ck_assert_msg(strstr(msgs, "'20 99' is not a number to dial") != NULL,
	    "%s", msgs);
}
END_TEST

/*
 * firmware_in_folder: a model's firmware through the user's token folder
 * (which serves static_dir too); from the flat folder, /static/ still.
 */
START_TEST(test_firmware_in_folder)
{
	struct cfg		*cfg;
	const struct cfg_user	*u;
	const struct cfg_device	*d;
	struct settings_in	 in;
	struct tv_doc		*doc;
	struct mac_addr		 mac;
	char			 msgs[4096];
	static const char *const want[3] = {
		"https://10.42.0.1/static/T46S-1.rom",
		"https://10.42.0.1/p/TOKEN/T46S-1.rom",
		"https://10.42.0.1/static/T46S-1.rom" };

	ck_assert_msg(load("", &cfg, msgs, sizeof(msgs)) == 0, "%s", msgs);
	ck_assert_int_eq(cfg->prov.firmware_in_folder, 0);
	ck_assert_int_eq(mac_parse("80:5e:c0:00:00:01", &mac), 0);
	ck_assert_ptr_nonnull(d = cfg_device_find(cfg, &mac, &u));
	for (int k = 0; k < 3; k++) {
		/* 0: off; 1: on, the token folder; 2: on, the flat folder. */
		cfg->prov.firmware_in_folder = k > 0;
		memset(&in, 0, sizeof(in));
		in.vendor = &cfg->vendors[d->vendor];
		in.user = u;
		in.mac = &d->mac;
		in.model = d->model;
		in.provisioning_url = k == 2 ? "https://10.42.0.1/prov/" :
		    "https://10.42.0.1/p/TOKEN/";
		in.token_folder = k != 2;
		ck_assert_ptr_nonnull(doc = settings_tree(cfg, &in));
		ck_assert_str_eq(tv_text(tv_get(tv_get(tv_root(doc),
		    "settings"), "firmware_url")), want[k]);
		tv_doc_free(doc);
	}
	cfg_free(cfg);
}
END_TEST

/* A misspelt name is refused at load, naming the template and line. */
START_TEST(test_unknown_name_refused)
{
	struct cfg	*cfg;
	char		 msgs[4096];

	free(tu_write(dir, "templates/dev.cfg", "a = 1\nb = {{settings.lang}}"
	    "\n"));
	ck_assert_int_eq(load("", &cfg, msgs, sizeof(msgs)), -1);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(msgs, "dev.cfg:2: unknown name 'settings.lang'")
	    != NULL, "%s", msgs);
	/* A free variable no scope defines is as unknown as a typo. */
	free(tu_write(dir, "templates/dev.cfg", "{{vars.nosuch}}\n"));
	ck_assert_int_eq(load("", &cfg, msgs, sizeof(msgs)), -1);
	ck_assert_msg(strstr(msgs, "unknown name 'vars.nosuch'") != NULL, "%s",
	    msgs);
}
END_TEST

/* A key naming an account the user lacks; a zone a style cannot say. */
START_TEST(test_render_check_names_device)
{
	struct cfg	*cfg;
	char		 msgs[8192];

	free(tu_write(dir, "users.conf",
	    "users = ( { name = \"bob\"; sip = { user = \"202\"; password = "
	    "\"x\"; server = \"pbx\"; };\n"
	    "  settings = { keys = ( { type = \"line\"; account = 3; } );\n"
	    "    timezone = \"Asia/Kathmandu\"; };\n"
	    "  devices = ( { mac = \"80:5e:c0:00:00:09\"; vendor = "
	    "\"yealink\"; } ); } );\n"));
	free(tu_write(dir, "templates/dev.cfg", "x={{tz.cisco_time_zone}}\n"
	    "y={{tz.aastra_minutes}}\nz={{tz.snom_timezone}}\n"));
	ck_assert_int_eq(load("", &cfg, msgs, sizeof(msgs)), -1);
	ck_assert_msg(strstr(msgs, "device 80:5e:c0:00:00:09 (user bob, "
	    "class yealink): key 1 uses account 3; the user has 1") != NULL,
	    "%s", msgs);
	/* Cisco's GMT+hh:mm can say +05:45; every check passes or fails
	 * for the device by name: what matters is the device is named. */
	ck_assert_ptr_null(strstr(msgs, "tz.aastra_minutes"));
	/* snom has no id for Nepal: refused, naming the device. */
	ck_assert_msg(strstr(msgs, "device 80:5e:c0:00:00:09 (user bob, "
	    "class yealink): uses tz.snom_timezone, which cannot say time "
	    "zone Asia/Kathmandu") != NULL, "%s", msgs);
}
END_TEST

START_TEST(test_bad_settings_refused)
{
	struct cfg	*cfg;
	char		 msgs[8192];

	ck_assert_int_eq(load("defaults_extra = 1;", &cfg, msgs,
	    sizeof(msgs)), -1);
	free(tu_write(dir, "vendors.conf", "vendors = ( { name = \"yealink\"; "
	    "match = { oui = [ \"80:5e:c0\" ]; };\n"
	    "  settings = { timezone = \"Mars/Olympus\"; language = \"xx\";\n"
	    "    tone_zone = \"QQ\"; date_format = \"dd.mm\"; voice_vlan = "
	    "5000;\n    sip_transport = \"sctp\"; colour = 1;\n"
	    "    admin_password = \"a\\nb\"; user_password = \"sealed:@@\";\n"
	    "    keys = ( { type = \"park\"; }, { type = \"blf\"; } ); };\n"
	    "  files = ( { name = \"${mac}.cfg\"; template = \"dev.cfg\"; },\n"
	    "    { name = \"c.xml\"; template = \"common.xml\"; models = "
	    "[ \"T46S\" ]; } ); } );\n"));
	free(tu_write(dir, "users.conf", "users = ();\n"));
	ck_assert_int_eq(load("", &cfg, msgs, sizeof(msgs)), -1);
	ck_assert_msg(strstr(msgs, "vendors.conf:2: vendors.[0].settings."
	    "timezone:") != NULL || strstr(msgs, "Mars/Olympus") != NULL,
	    "%s", msgs);
	ck_assert_msg(strstr(msgs, "unknown language 'xx'") != NULL, "%s",
	    msgs);
	ck_assert_msg(strstr(msgs, "'dd.mm' is not valid (valid: dmy, mdy, "
	    "ymd)") != NULL, "%s", msgs);
	ck_assert_msg(strstr(msgs, "'sctp' is not valid") != NULL, "%s", msgs);
	ck_assert_msg(strstr(msgs, "colour") != NULL, "%s", msgs);
	ck_assert_msg(strstr(msgs, "unknown key type 'park'") != NULL, "%s",
	    msgs);
	ck_assert_msg(strstr(msgs, "a blf key needs the number it watches") !=
	    NULL, "%s", msgs);
	ck_assert_msg(strstr(msgs, "holds a control character\n") != NULL,
	    "%s", msgs);
	ck_assert_msg(strstr(msgs, "only the phone's own file (a name with "
	    "${mac} or ${MAC}) can be chosen by model") != NULL, "%s", msgs);
	ck_assert_msg(strstr(msgs, "user_password: is not a sealed value") !=
	    NULL, "%s", msgs);
	/* A password is never echoed, even in an error. */
	ck_assert_ptr_null(strstr(msgs, "a\nb"));
}
END_TEST

/* Every name of the documented tree is in the schema. */
/*
 * A request builds only the parts of the tree its template names: the
 * omitted parts are exactly those, and the file is the same bytes as
 * from the whole tree.
 */
START_TEST(test_omit_unused_parts)
{
	struct cfg		*cfg;
	const struct cfg_vendor	*v;
	const struct cfg_user	*u;
	const struct cfg_device	*d;
	struct settings_in	 in;
	struct tv_doc		*doc;
	struct mac_addr		 mac;
	char			 msgs[4096], *out[2];
	unsigned		 omit;

	ck_assert_msg(load("", &cfg, msgs, sizeof(msgs)) == 0, "%s", msgs);
	v = &cfg->vendors[0];
	/* dev.cfg names every part; common.xml only tz. */
	ck_assert_uint_eq(settings_template_omit(cfg->templates,
	    &v->files[0]), 0);
	omit = settings_template_omit(cfg->templates, &v->files[1]);
	ck_assert_uint_eq(omit, SETTINGS_OMIT_LOCALE | SETTINGS_OMIT_VARS |
	    SETTINGS_OMIT_KEYS | SETTINGS_OMIT_NTP);
	ck_assert_int_eq(mac_parse("80:5e:c0:00:00:01", &mac), 0);
	ck_assert_ptr_nonnull(d = cfg_device_find(cfg, &mac, &u));
	for (int i = 0; i < 2; i++) {
		memset(&in, 0, sizeof(in));
		in.vendor = v;
		in.user = u;
		in.model = d->model;
		in.omit = i == 0 ? 0 : omit;
		ck_assert_ptr_nonnull(doc = settings_tree(cfg, &in));
		ck_assert_int_eq(tv_get(tv_root(doc), "lang") == NULL, i == 1);
		ck_assert_int_eq(tv_get(tv_root(doc), "keys") == NULL, i == 1);
		ck_assert_ptr_nonnull(tv_get(tv_root(doc), "tz"));
		ck_assert_int_ge(tmpl_render(settings_template(cfg->templates,
		    &v->files[1]), tv_root(doc), FILE_FMT_XML, &out[i]), 0);
		tv_doc_free(doc);
	}
	ck_assert_str_eq(out[0], out[1]);
	ck_assert_ptr_nonnull(strstr(out[1], "tz=\"Europe/Berlin\""));
	free(out[0]);
	free(out[1]);
	/*
	 * Of tz.*, lang.* and tone.*, only the styles and vendors a template
	 * names: dev.cfg names tz.posix, tz.yealink_time_zone, lang.yealink;
	 * common.xml only tz.name. Same bytes as from the whole tree.
	 */
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < 2; i++) {
			const struct tv *tz, *lang;

			memset(&in, 0, sizeof(in));
			in.vendor = v;
			in.user = u;
			in.mac = &d->mac;
			in.model = d->model;
			if (i == 1)
				settings_template_parts(cfg->templates,
				    &v->files[k], &in);
			ck_assert_ptr_nonnull(doc = settings_tree(cfg, &in));
			tz = tv_get(tv_root(doc), "tz");
			lang = tv_get(tv_root(doc), "lang");
			ck_assert_ptr_nonnull(tv_get(tz, "name"));
			ck_assert_int_eq(tv_get(tz, "cisco_time_zone") == NULL,
			    i == 1);
			if (k == 0) {
				ck_assert_ptr_nonnull(tv_get(tz, "posix"));
				ck_assert_ptr_nonnull(tv_get(tz,
				    "yealink_time_zone"));
				ck_assert_ptr_nonnull(tv_get(lang, "yealink"));
				ck_assert_int_eq(tv_get(lang, "snom") == NULL,
				    i == 1);
			} else
				ck_assert_int_eq(tv_get(tz, "posix") == NULL,
				    i == 1);
			ck_assert_int_ge(tmpl_render(settings_template(
			    cfg->templates, &v->files[k]), tv_root(doc),
			    k == 0 ? FILE_FMT_TEXT : FILE_FMT_XML, &out[i]), 0);
			tv_doc_free(doc);
		}
		ck_assert_str_eq(out[0], out[1]);
		free(out[0]);
		free(out[1]);
	}
	cfg_free(cfg);
}
END_TEST

START_TEST(test_schema_names)
{
	static const char *const names[] = { "base_url", "provisioning_url",
		"vendor", "user.name", "sip.password", "sip.transport",
		"settings.timezone", "settings.firmware_url",
		"settings.vendor_cloud", "tz.posix", "tz.cisco_dst_rule",
		"lang.yealink", "tone.aastra", "ntp.server2", "date.ymd",
		"time.h12", "vars.contrast", "vars.ring" };
	struct cfg	*cfg;
	struct tv_doc	*s;
	char		 msgs[4096];

	ck_assert_msg(load("", &cfg, msgs, sizeof(msgs)) == 0, "%s", msgs);
	ck_assert_ptr_nonnull(s = settings_schema(cfg));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct tv	*n = tv_root(s);
		char		 buf[64], *save = NULL;

		snprintf(buf, sizeof(buf), "%s", names[i]);
		for (char *p = strtok_r(buf, ".", &save); p != NULL;
		    p = strtok_r(NULL, ".", &save))
			n = tv_get(n, p);
		ck_assert_msg(n != NULL && tv_kind(n) == TV_TEXT, "%s",
		    names[i]);
	}
	ck_assert_int_eq(tv_kind(tv_get(tv_root(s), "accounts")), TV_LIST);
	ck_assert_int_eq(tv_kind(tv_get(tv_root(s), "keys")), TV_LIST);
	tv_doc_free(s);
	cfg_free(cfg);
}
END_TEST

static Suite *
settings_suite(void)
{
	Suite	*s = suite_create("settings");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_scopes_nearest_wins);
	tcase_add_test(tc, test_accounts_and_keys);
	tcase_add_test(tc, test_blank_credentials);
	tcase_add_test(tc, test_common_file_xml);
	tcase_add_test(tc, test_device_admin_password);
	tcase_add_test(tc, test_phonebook);
	tcase_add_test(tc, test_firmware_in_folder);
	tcase_add_test(tc, test_unknown_name_refused);
	tcase_add_test(tc, test_render_check_names_device);
	tcase_add_test(tc, test_bad_settings_refused);
	tcase_add_test(tc, test_schema_names);
	tcase_add_test(tc, test_omit_unused_parts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(settings_suite());
}
