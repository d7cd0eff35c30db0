/*
 * check_vendors.c - the shipped vendor classes and templates, end to end
 * without sockets: every vendor's real file names (VENDORS.md) asked of a
 * token folder (or, for the legacy classes, the flat folder) through
 * prov_handle(), against the shipped etc/vendors.conf and etc/templates;
 * and every token vendor's own file through its first-access URL, which
 * must pin the permanent one.
 */
#include "config.h"

#include <sys/stat.h>

#include "testutil.h"
#include "tu_reg.h"

#include "cfg.h"
/* dhcpd's classifier, linked through TEST_LDADD; its header sits there. */
#include "../../dhcpd/classify.h"
#include "enroll.h"
#include "registry.h"
#include "serve.h"
#include "sync.h"

#ifndef PB_TOP_SRCDIR
#define PB_TOP_SRCDIR ".."
#endif

/* One user per vendor, each with one phone of that vendor. */
static const char users[] =
    "users = (\n"
    " { name = \"u_gigaset\"; sip = { user = \"207\"; password = \"pw-gigaset\"; server = \"pbx\"; };\n"
    "   devices = ( { mac = \"7c:2f:80:aa:bb:07\"; vendor = \"gigaset\"; model = \"N870\"; } ); },\n"
    " { name = \"u_n720\"; sip = { user = \"217\"; password = \"pw-n720x\"; server = \"pbx\"; };\n"
    "   devices = ( { mac = \"7c:2f:80:aa:bb:17\"; vendor = \"gigaset\"; model = \"n720\"; } ); },\n"
    " { name = \"u_snom\"; sip = { user = \"201\"; password = \"pw-snom\"; server = \"pbx\"; };\n"
    "   devices = ( { mac = \"00:04:13:aa:bb:01\"; vendor = \"snom\"; model = \"D785\"; } ); },\n"
    " { name = \"u_yealink\"; sip = { user = \"202\"; password = \"pw-yealink\"; server = \"pbx\"; };\n"
    "   devices = ( { mac = \"80:5e:c0:aa:bb:02\"; vendor = \"yealink\"; model = \"T46S\"; } ); },\n"
    " { name = \"u_polycom\"; sip = { user = \"203\"; password = \"pw-polycom\"; server = \"pbx\"; };\n"
    "   devices = ( { mac = \"00:04:f2:aa:bb:03\"; vendor = \"polycom\"; model = \"VVX310\"; } ); },\n"
    " { name = \"u_cisco\"; sip = { user = \"204\"; password = \"pw-cisco\"; server = \"pbx\"; };\n"
    "   devices = ( { mac = \"00:21:aa:bb:00:04\"; vendor = \"cisco\"; model = \"CP-7841\"; } ); },\n"
    " { name = \"u_cisco79\"; sip = { user = \"209\"; password = \"pw-ent79\"; server = \"pbx\"; };\n"
    "   accounts = ( { user = \"219\"; password = \"pw-ent79-2\"; label = \"Sales\"; } );\n"
    "   settings = { timezone = \"Europe/Berlin\"; ntp_servers = [ \"10.42.0.1\", \"10.42.0.2\" ];\n"
    "     date_format = \"dmy\"; time_format = \"24\"; admin_password = \"adm-ent79\";\n"
    "     keys = ( { type = \"line\"; }, { type = \"line\"; account = 2; },\n"
    "              { type = \"blf\"; value = \"203\"; label = \"Carol\"; },\n"
    "              { type = \"speed_dial\"; value = \"0800\"; label = \"Help\"; } ); };\n"
    "   devices = ( { mac = \"00:1b:d4:aa:bb:09\"; vendor = \"cisco-enterprise\"; model = \"CP-7965G\"; } ); },\n"
    " { name = \"u_grandstream\"; sip = { user = \"205\"; password = \"pw-grandstream\"; server = \"pbx\"; };\n"
    "   devices = ( { mac = \"c0:74:ad:aa:bb:05\"; vendor = \"grandstream\"; model = \"GXP1628\"; } ); },\n"
    " { name = \"u_fanvil\"; sip = { user = \"206\"; password = \"pw-fanvil\"; server = \"pbx\"; };\n"
    "   devices = ( { mac = \"0c:38:3e:aa:bb:06\"; vendor = \"fanvil\"; model = \"X4\"; } ); },\n"
    " { name = \"u_aastra\"; sip = { user = \"208\"; password = \"pw-aastra\"; server = \"pbx\"; };\n"
    "   devices = ( { mac = \"00:08:5d:aa:bb:08\"; vendor = \"aastra\"; model = \"6737i\"; } ); }\n"
    ");\n";

static char			*dir;
/* How ask_body() asks. */
static enum { OVER_HTTPS, OVER_TFTP, OVER_HTTP } over;
static struct cfg		*cfg;
static struct reg		*reg;
static struct prov_templates	*tp;

static void
copy_file(const char *from, const char *to)
{
	char	 buf[65536];
	FILE	*in, *out;
	size_t	 n;

	ck_assert_ptr_nonnull(in = fopen(from, "r"));
	ck_assert_ptr_nonnull(out = fopen(to, "w"));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
}

static void
setup(void)
{
	const char		*top = getenv("top_srcdir");
	struct cfg_errors	 errs;
	struct reg_sync_stats	 st;
	char			*from, *to, *path, err[512];

	if (top == NULL)
		top = PB_TOP_SRCDIR;
	over = OVER_HTTPS;
	dir = tu_mkdtemp();
	/* The shipped main file and vendor classes, our own users. */
	ck_assert(asprintf(&from, "%s/etc/provbox.conf", top) > 0);
	ck_assert(asprintf(&to, "%s/provbox.conf", dir) > 0);
	copy_file(from, to);
	free(from);
	free(to);
	ck_assert(asprintf(&from, "%s/etc/vendors.conf", top) > 0);
	ck_assert(asprintf(&to, "%s/vendors.conf", dir) > 0);
	copy_file(from, to);
	free(from);
	free(to);
	free(tu_write(dir, "users.conf", users));
	ck_assert(asprintf(&from, "%s/etc/templates", top) > 0);
	ck_assert(asprintf(&to, "%s/templates", dir) > 0);
	ck_assert_int_eq(symlink(from, to), 0);
	free(from);
	free(to);

	ck_assert(asprintf(&path, "%s/provbox.conf", dir) > 0);
	if (cfg_load(path, CFG_NO_FILE_CHECKS, &cfg, &errs) != 0) {
		char line[512];

		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", cfg_error_format(&errs.v[i],
			    line, sizeof(line)));
		ck_abort_msg("the shipped config with test users does not load");
	}
	free(path);
	ck_assert(asprintf(&path, "%s/reg", dir) > 0);
	if (reg_open(path, 16 << 20, REG_NOSYNC, &reg, err, sizeof(err)) != 0)
		ck_abort_msg("%s", err);
	free(path);
	if (reg_sync(reg, cfg, 1700000000, &st, err, sizeof(err)) != 0)
		ck_abort_msg("%s", err);
	tp = prov_templates_load(cfg, err, sizeof(err));
	ck_assert_msg(tp != NULL, "%s", err);
}

static void
teardown(void)
{
	prov_templates_free(tp);
	reg_close(reg);
	cfg_free(cfg);
	tu_rmtree(dir);
}

#define NOW	((time_t)1700000100)

/*
 * Asks path from peer and checks the answer: status, the class that
 * answered, and whether the body holds the password (device files) or
 * none (common); the body must hold want and must not hold unwanted
 * (either NULL: not checked). A refusal carries nothing.
 */
static void
ask_body(const char *path, uint32_t peer, int status, const char *vendor,
    const char *password, const char *want, const char *unwanted)
{
	static const char *const all[] = { "pw-gigaset", "pw-snom",
		"pw-yealink", "pw-polycom", "pw-cisco", "pw-grandstream",
		"pw-fanvil", "pw-aastra", "pw-ent79" };
	struct prov_req		 req;
	struct prov_resp	 resp;
	struct reg_txn		 txn;

	memset(&req, 0, sizeof(req));
	req.path = path;
	req.tls = over == OVER_HTTPS;
	req.tftp = over == OVER_TFTP;
	req.peer_ip4 = peer;
	req.now = NOW;
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	prov_handle(cfg, tp, &txn, &req, &resp);
	reg_txn_abort(&txn);
	ck_assert_msg(resp.status == status, "%s: %d (%s), expected %d",
	    path, resp.status, prov_refusal_str(resp.refused), status);
	if (status == 200) {
		ck_assert_ptr_nonnull(resp.body);
		ck_assert_msg(resp.vendor != NULL && strcmp(resp.vendor,
		    vendor) == 0, "%s answered by %s, expected %s", path,
		    resp.vendor ? resp.vendor : "nobody", vendor);
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
			int has = strstr(resp.body, all[i]) != NULL;
			int should = password != NULL &&
			    strcmp(password, all[i]) == 0;

			ck_assert_msg(has == should, "%s: password %s %s",
			    path, all[i], has ? "present" : "missing");
		}
		/* A file with credentials is never cached. */
		if (password != NULL)
			ck_assert_int_eq(resp.no_store, 1);
		ck_assert_msg(want == NULL || strstr(resp.body, want) != NULL,
		    "%s: no '%s' in:\n%s", path, want, resp.body);
		ck_assert_msg(unwanted == NULL || strstr(resp.body,
		    unwanted) == NULL, "%s: '%s' in:\n%s", path, unwanted,
		    resp.body);
	} else {
		ck_assert_ptr_null(resp.body);
		ck_assert_int_eq(resp.fd, -1);
		ck_assert_int_eq(resp.no_store, 0);
	}
	prov_resp_clear(&resp);
}

static void
ask(const char *path, uint32_t peer, int status, const char *vendor,
    const char *password)
{
	ask_body(path, peer, status, vendor, password, NULL, NULL);
}

static void
lease(uint32_t ip, const char *mac)
{
	tu_lease(reg, ip, mac, 1700000000, 1700003600);
}

/*
 * Opens an enrollment window for mac (provboxctl enroll); with bind, its
 * first-access token is handed to the lease at ip (as dhcpd would). The
 * token goes to fa when not NULL.
 */
static void
enroll(const char *mac, uint32_t ip, int bind, char fa[TOKEN_LEN + 1])
{
	struct mac_addr	m;
	uint8_t		id[8];

	ck_assert_int_eq(mac_parse(mac, &m), 0);
	tu_hw_key(&m, id);
	tu_enroll(reg, mac, NOW - 60, ip, bind ? id : NULL, sizeof(id), fa);
}

static void
ask_token(const char *user, const char *file, int status, const char *vendor,
    const char *password)
{
	char	tok[TOKEN_LEN + 1], path[256];

	tu_token_of(reg, user, tok);
	snprintf(path, sizeof(path), "/p/%s/%s", tok, file);
	ask(path, 0, status, vendor, password);
}

/*
 * The shipped classes put a phone without Option 60 in its vendor's class
 * by its MAC's OUI: a Cisco SPA (Sipura, then Linksys, OUI 00:0e:08)
 * lands in cisco, not in the default class; Option 60 still wins.
 */
START_TEST(test_cisco_spa_by_oui)
{
	static const char	 spa[] = "SPA504G";	/* no class's */
	const struct cfg_vendor	*vc;
	struct mac_addr		 m;

	ck_assert_int_eq(mac_parse("00:0e:08:12:34:56", &m), 0);
	vc = classify(cfg, NULL, 0, &m);
	ck_assert_ptr_nonnull(vc);
	ck_assert_str_eq(vc->name, "cisco");
	/* An Option 60 no class knows: the OUI decides. */
	vc = classify(cfg, (const uint8_t *)spa, sizeof(spa) - 1, &m);
	ck_assert_ptr_nonnull(vc);
	ck_assert_str_eq(vc->name, "cisco");
	/* Option 60 beats the OUI. */
	vc = classify(cfg, (const uint8_t *)"yealink SIP-T46S", 16, &m);
	ck_assert_ptr_nonnull(vc);
	ck_assert_str_eq(vc->name, "yealink");
	/* The neighbouring OUI is nobody's. */
	ck_assert_int_eq(mac_parse("00:0e:09:12:34:56", &m), 0);
	vc = classify(cfg, NULL, 0, &m);
	ck_assert(vc == NULL || strcmp(vc->name, "cisco") != 0);
}
END_TEST

START_TEST(test_every_vendor_in_its_folder)
{
	/* snom: model file, then the phone's own two names. */
	ask_token("u_snom", "snomD785.htm", 200, "snom", NULL);
	ask_token("u_snom", "snomD785-000413AABB01.htm", 200, "snom",
	    "pw-snom");
	ask_token("u_snom", "000413AABB01.xml", 200, "snom", "pw-snom");
	/* Gigaset's <MAC>.xml is the same shape as snom's. */
	ask_token("u_gigaset", "7C2F80AABB07.xml", 200, "gigaset",
	    "pw-gigaset");
	/* Yealink: boot file (no secrets), common file, own file. */
	ask_token("u_yealink", "805ec0aabb02.boot", 200, "yealink", NULL);
	ask_token("u_yealink", "y000000000066.cfg", 200, "yealink", NULL);
	ask_token("u_yealink", "805ec0aabb02.cfg", 200, "yealink",
	    "pw-yealink");
	/* Polycom: master file (all zeros), then the phone's file. */
	ask_token("u_polycom", "000000000000.cfg", 200, "polycom", NULL);
	ask_token("u_polycom", "0004f2aabb03-phone.cfg", 200, "polycom",
	    "pw-polycom");
	/* Cisco SPA/MPP; the 79xx names are cisco-enterprise's (TFTP). */
	ask_token("u_cisco", "spa508G.cfg", 200, "cisco", NULL);
	ask_token("u_cisco", "CP-7841-3PCC.xml", 200, "cisco", NULL);
	ask_token("u_cisco", "0021aabb0004.xml", 200, "cisco", "pw-cisco");
	ask_token("u_cisco", "SEP0021AABB0004.cnf.xml", 404, NULL, NULL);
	/* Grandstream. */
	ask_token("u_grandstream", "cfgc074adaabb05.xml", 200, "grandstream",
	    "pw-grandstream");
	ask_token("u_grandstream", "cfg.xml", 200, "grandstream", NULL);
	ask_token("u_grandstream", "cfgGXP1628.xml", 200, "grandstream",
	    NULL);
	/* Fanvil: <mac>.cfg is Yealink's shape too. */
	ask_token("u_fanvil", "F0V00X300000.cfg", 200, "fanvil", NULL);
	ask_token("u_fanvil", "0c383eaabb06.cfg", 200, "fanvil", "pw-fanvil");
}
END_TEST

START_TEST(test_other_users_phones_404)
{
	/* Each device file through another user's token: a plain 404. */
	ask_token("u_yealink", "000413AABB01.xml", 404, NULL, NULL);
	ask_token("u_snom", "805ec0aabb02.cfg", 404, NULL, NULL);
	ask_token("u_fanvil", "805ec0aabb02.cfg", 404, NULL, NULL);
	ask_token("u_snom", "7C2F80AABB07.xml", 404, NULL, NULL);
	/* Another vendor's common file is not in this user's folder. */
	ask_token("u_snom", "y000000000066.cfg", 404, NULL, NULL);
	/* The legacy class's phone is not served from token folders. */
	ask_token("u_yealink", "00085DAABB08.cfg", 404, NULL, NULL);
}
END_TEST

START_TEST(test_legacy_flat_folder)
{
	uint32_t ip = 0x0a2a0063;	/* 10.42.0.99 */
	char	 tok[TOKEN_LEN + 1];

	tu_token_of(reg, "u_aastra", tok);
	/* The Aastra phone holds 10.42.0.99. */
	lease(ip, "00:08:5d:aa:bb:08");
	ask("/prov/aastra.cfg", ip, 200, "aastra", NULL);
	ask("/prov/6737i.cfg", ip, 200, "aastra", NULL);
	/* Its lease alone is not enough: nobody enrolled it. */
	ask("/prov/00085DAABB08.cfg", ip, 404, NULL, NULL);
	enroll("00:08:5d:aa:bb:08", ip, 0, NULL);
	ask_body("/prov/00085DAABB08.cfg", ip, 200, "aastra", "pw-aastra",
	    NULL, tok);
	/* From an address that holds no lease for that MAC: the same 404. */
	ask("/prov/00085DAABB08.cfg", ip + 1, 404, NULL, NULL);
	/* A token-mode phone's file is not in the flat folder. */
	ask("/prov/805ec0aabb02.cfg", ip, 404, NULL, NULL);
	ask("/prov/00085DAABB09.cfg", ip, 404, NULL, NULL);
}
END_TEST

/*
 * Cisco enterprise phones fetch over TFTP: their class (tftp = true) lets
 * the flat folder hand a phone its own file over TFTP, to its enrolled
 * lease only. Another legacy class's phone file never goes out over TFTP,
 * and TFTP reaches nothing but the flat folder.
 */
static const char *const sep_want[] = {
	"<timeZone>Central Europe Standard/Daylight Time</timeZone>",
	"<dateTemplate>D/M/Y</dateTemplate>",
	"<ntp>\n          <name>10.42.0.1</name>\n"
	"          <ntpMode>Unicast</ntpMode>",
	"<name>10.42.0.2</name>",
	"<phonePassword>adm-ent79</phonePassword>",
	"<line button=\"2\">\n        <featureID>9</featureID>\n"
	"        <featureLabel>Sales</featureLabel>",
	"<authPassword>pw-ent79-2</authPassword>",
	"<line button=\"3\">\n        <featureID>21</featureID>\n"
	"        <featureLabel>Carol</featureLabel>\n"
	"        <speedDialNumber>203</speedDialNumber>\n"
	"        <featureOptionMask>1</featureOptionMask>",
	"<line button=\"4\">\n        <featureID>2</featureID>\n"
	"        <featureLabel>Help</featureLabel>\n"
	"        <speedDialNumber>0800</speedDialNumber>",
	"<transportLayerProtocol>2</transportLayerProtocol>",
};

static const char *const sip_want[] = {
	"sntp_mode: \"unicast\"\nsntp_server: \"10.42.0.1\"",
	"time_format_24hr: \"1\"",
	"line2_password: \"pw-ent79-2\"",
};

START_TEST(test_tftp_flat_folder)
{
	uint32_t ip = 0x0a2a0065;	/* 10.42.0.101 */
	char	 tok[TOKEN_LEN + 1], path[256];

	over = OVER_TFTP;
	tu_token_of(reg, "u_cisco79", tok);
	lease(ip, "00:1b:d4:aa:bb:09");
	ask("/prov/XMLDefault.cnf.xml", ip, 200, "cisco-enterprise", NULL);
	/* Not enrolled yet: the same 404 as an unknown MAC. */
	ask("/prov/SEP001BD4AABB09.cnf.xml", ip, 404, NULL, NULL);
	enroll("00:1b:d4:aa:bb:09", ip, 0, NULL);
	ask_body("/prov/SEP001BD4AABB09.cnf.xml", ip, 200, "cisco-enterprise",
	    "pw-ent79", "<authPassword>pw-ent79</authPassword>", tok);
	ask("/prov/SIP001BD4AABB09.cnf", ip, 200, "cisco-enterprise",
	    "pw-ent79");
	/* The named settings in the phone's own keys (README, "Cisco"). */
	for (size_t i = 0; i < sizeof(sep_want) / sizeof(sep_want[0]); i++)
		ask_body("/prov/SEP001BD4AABB09.cnf.xml", ip, 200,
		    "cisco-enterprise", "pw-ent79", sep_want[i], NULL);
	for (size_t i = 0; i < sizeof(sip_want) / sizeof(sip_want[0]); i++)
		ask_body("/prov/SIP001BD4AABB09.cnf", ip, 200,
		    "cisco-enterprise", "pw-ent79", sip_want[i], NULL);
	/* No firmware for the model: the phone keeps its own load. */
	ask_body("/prov/SEP001BD4AABB09.cnf.xml", ip, 200, "cisco-enterprise",
	    "pw-ent79", NULL, "<loadInformation>");
	/* Another address: nothing. */
	ask("/prov/SEP001BD4AABB09.cnf.xml", ip + 1, 404, NULL, NULL);
	/* The Aastra class has no tftp: its phone's file is refused over
	 * TFTP even to its own enrolled lease (403, as plain HTTP). */
	lease(ip + 2, "00:08:5d:aa:bb:08");
	enroll("00:08:5d:aa:bb:08", ip + 2, 0, NULL);
	ask("/prov/00085DAABB08.cfg", ip + 2, 403, NULL, NULL);
	/* Its common file is no secret. */
	ask("/prov/aastra.cfg", ip + 2, 200, "aastra", NULL);
	/* A token folder or the static path over TFTP: not there. */
	snprintf(path, sizeof(path), "/p/%s/0021aabb0004.xml", tok);
	ask(path, ip, 404, NULL, NULL);
	/* tftp = true opens TFTP, not plain HTTP. */
	over = OVER_HTTP;
	ask("/prov/SEP001BD4AABB09.cnf.xml", ip, 403, NULL, NULL);
	over = OVER_HTTPS;
	ask("/prov/SEP001BD4AABB09.cnf.xml", ip, 200, "cisco-enterprise",
	    "pw-ent79");
}
END_TEST

/*
 * Gigaset is a legacy class (it cannot pin a URL): its phone's file is in
 * the flat folder, for its enrolled lease, and names the flat folder, not
 * the user's token folder.
 */
START_TEST(test_gigaset_flat_folder)
{
	uint32_t ip = 0x0a2a0064;	/* 10.42.0.100 */
	char	 tok[TOKEN_LEN + 1];

	tu_token_of(reg, "u_gigaset", tok);
	lease(ip, "7c:2f:80:aa:bb:07");
	ask("/prov/7C2F80AABB07.xml", ip, 404, NULL, NULL);
	enroll("7c:2f:80:aa:bb:07", ip, 0, NULL);
	ask_body("/prov/7C2F80AABB07.xml", ip, 200, "gigaset", "pw-gigaset",
	    "https://10.42.0.1/prov/", tok);
	/* The N870 asks in lower case. */
	ask_body("/prov/7c2f80aabb07.xml", ip, 200, "gigaset", "pw-gigaset",
	    NULL, tok);
	ask("/prov/7C2F80AABB07.xml", ip + 1, 404, NULL, NULL);
	/* The N720's own file is in its ProviderFrame format, chosen by
	 * the model users.conf gives (ignoring case), not the N870's. */
	lease(ip + 3, "7c:2f:80:aa:bb:17");
	enroll("7c:2f:80:aa:bb:17", ip + 3, 0, NULL);
	ask_body("/prov/7C2F80AABB17.xml", ip + 3, 200, "gigaset", "pw-n720x",
	    "<PROFILE_NAME class=\"string\" value=\"N720\"/>", "SipAccount");
	ask_body("/prov/7C2F80AABB07.xml", ip, 200, "gigaset", "pw-gigaset",
	    "SipAccount.00001.AuthPassword", "ProviderFrame");
	/* snom's <MAC>.xml has the same shape; snom is no legacy class. */
	lease(ip + 2, "00:04:13:aa:bb:01");
	ask("/prov/000413AABB01.xml", ip + 2, 404, NULL, NULL);
}
END_TEST

/*
 * Each token vendor's own file through its first-access URL, from its
 * lease: the password, and the permanent folder URL the template pins;
 * never the first-access token itself.
 */
START_TEST(test_first_access_pins_permanent)
{
	static const struct {
		const char	*user, *mac, *file, *vendor, *password;
	} phones[] = {
		{ "u_snom", "00:04:13:aa:bb:01", "000413AABB01.xml", "snom",
		    "pw-snom" },
		{ "u_yealink", "80:5e:c0:aa:bb:02", "805ec0aabb02.cfg",
		    "yealink", "pw-yealink" },
		{ "u_polycom", "00:04:f2:aa:bb:03", "0004f2aabb03-phone.cfg",
		    "polycom", "pw-polycom" },
		{ "u_cisco", "00:21:aa:bb:00:04", "0021aabb0004.xml", "cisco",
		    "pw-cisco" },
		{ "u_grandstream", "c0:74:ad:aa:bb:05", "cfgc074adaabb05.xml",
		    "grandstream", "pw-grandstream" },
		{ "u_fanvil", "0c:38:3e:aa:bb:06", "0c383eaabb06.cfg",
		    "fanvil", "pw-fanvil" },
	};

	for (size_t i = 0; i < sizeof(phones) / sizeof(phones[0]); i++) {
		uint32_t ip = 0x0a2a0070 + (uint32_t)i;
		char	 tok[TOKEN_LEN + 1], fa[TOKEN_LEN + 1], path[256];
		char	 url[128];

		tu_token_of(reg, phones[i].user, tok);
		lease(ip, phones[i].mac);
		enroll(phones[i].mac, ip, 1, fa);
		snprintf(path, sizeof(path), "/p/%s/%s", fa, phones[i].file);
		snprintf(url, sizeof(url), "https://10.42.0.1/p/%s/", tok);
		ask_body(path, ip, 200, phones[i].vendor, phones[i].password,
		    url, fa);
		/* The same URL from elsewhere: nothing. */
		ask(path, ip + 100, 404, NULL, NULL);
	}
}
END_TEST

static Suite *
vendors_suite(void)
{
	Suite	*s = suite_create("vendors");
	TCase	*tc = tcase_create("vendors");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_every_vendor_in_its_folder);
	tcase_add_test(tc, test_cisco_spa_by_oui);
	tcase_add_test(tc, test_other_users_phones_404);
	tcase_add_test(tc, test_legacy_flat_folder);
	tcase_add_test(tc, test_tftp_flat_folder);
	tcase_add_test(tc, test_gigaset_flat_folder);
	tcase_add_test(tc, test_first_access_pins_permanent);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(vendors_suite());
}
