/*
 * check_serve.c - what the provisioning service answers (serve.h): token
 * folders, the guarded flat folder of legacy classes (allowlist, lease
 * binding, client certificates, bootstrap), static files with ETag and
 * Range, and the refusals of everything else.
 *
 * Every test runs the real pieces: a config loaded from text, templates
 * loaded from a scratch directory, a registry synced from the config (with
 * leases stored as provbox-dhcpd would) and prov_handle() on a read
 * transaction, as the daemon calls it. No sockets.
 */
#include "config.h"

#include <sys/stat.h>
#include <fcntl.h>
#include <stdarg.h>
#include <time.h>

#include "testutil.h"

#include "cfg.h"
#include "registry.h"
#include "serve.h"
#include "sync.h"

#define IP4(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			    (uint32_t)(c) << 8 | (uint32_t)(d))
#define T0		((time_t)1700000000)
#define PEER_IP		IP4(10, 42, 0, 50)
#define OTHER_IP	IP4(10, 42, 0, 51)
#define BASE_URL	"https://10.42.0.1"

/*
 * Two token classes (yealink, snom), a guarded legacy class (aastra, whose
 * "${MAC}.cfg" also matches every name yealink's "${mac}.cfg" does), a
 * bootstrap class and a class that wants client certificates.
 */
static const char conf[] =
    "registry = { path = \"reg\"; sync = false; };\n"
    "provisioning = {\n"
    "  listen = [ \"127.0.0.1:8443\" ];\n"
    "  base_url = \"" BASE_URL "/\";\n"
    "  tls = { cert = \"server.crt\"; key = \"server.key\";\n"
    "          client_ca = \"phones-ca.pem\"; };\n"
    "};\n"
    "vendors = (\n"
    "  { name = \"yealink\"; match = { oui = [ \"80:5e:c0\" ]; };\n"
    "    mode = \"token\";\n"
    "    files = ( { name = \"${mac}.cfg\"; template = \"yealink.cfg\"; },\n"
    "              { name = \"y0000000000*.cfg\";\n"
    "                template = \"y-common.cfg\"; } ); },\n"
    "  { name = \"snom\"; match = { oui = [ \"00:04:13\" ]; };\n"
    "    mode = \"token\";\n"
    "    files = ( { name = \"snom-${MAC}.xml\"; template = \"snom.xml\"; }"
    " ); },\n"
    "  { name = \"aastra\"; match = { oui = [ \"00:08:5d\" ]; };\n"
    "    mode = \"legacy\";\n"
    "    files = ( { name = \"${MAC}.cfg\"; template = \"aastra.cfg\"; },\n"
    "              { name = \"aastra.cfg\";\n"
    "                template = \"aastra-common.cfg\"; } );\n"
    "    legacy = { lease_binding = true; allowlist = true;\n"
    "               client_cert = false; }; },\n"
    "  { name = \"boot\"; match = { oui = [ \"00:0b:82\" ]; };\n"
    "    mode = \"legacy\";\n"
    "    files = ( { name = \"cfg${mac}.boot\"; template = \"boot.cfg\"; } );\n"
    "    legacy = { bootstrap = true; lease_binding = false;\n"
    "               allowlist = true; client_cert = false; }; },\n"
    "  { name = \"certco\"; match = { oui = [ \"00:04:f2\" ]; };\n"
    "    mode = \"legacy\";\n"
    "    files = ( { name = \"${mac}-cert.cfg\"; template = \"cert.cfg\"; }"
    " );\n"
    "    legacy = { client_cert = true; lease_binding = false;\n"
    "               allowlist = true; }; },\n"
    "  { name = \"other\"; default = true; }\n"
    ");\n"
    "users = (\n"
    "  { name = \"alice\"; display_name = \"Al <&\\\"> Ice\";\n"
    "    sip = { user = \"201\"; password = \"pw-alice\";\n"
    "            server = \"10.42.0.1\"; };\n"
    "    devices = (\n"
    "      { mac = \"80:5e:c0:00:00:01\"; vendor = \"yealink\";\n"
    "        model = \"T46S\"; },\n"
    "      { mac = \"00:04:13:00:00:02\"; vendor = \"snom\";\n"
    "        model = \"D785\"; } ); },\n"
    "  { name = \"bob\";\n"
    "    sip = { user = \"202\"; password = \"pw-bob\";\n"
    "            server = \"10.42.0.1\"; };\n"
    "    devices = (\n"
    "      { mac = \"80:5e:c0:00:00:0b\"; vendor = \"yealink\"; },\n"
    "      { mac = \"00:08:5d:00:00:0b\"; vendor = \"aastra\";\n"
    "        model = \"6737i\"; } ); },\n"
    "  { name = \"carol\";\n"
    "    sip = { user = \"203\"; password = \"pw-carol\";\n"
    "            server = \"10.42.0.1\"; };\n"
    "    devices = (\n"
    "      { mac = \"00:0b:82:00:00:0c\"; vendor = \"boot\"; },\n"
    "      { mac = \"00:04:f2:00:00:0c\"; vendor = \"certco\"; } ); }\n"
    ");\n";

static const struct {
	const char	*name;
	const char	*text;
} templates[] = {
	{ "yealink.cfg", "#!version:1.0.0.1\n"
	    "account.1.user_name = {{sip.user}}\n"
	    "account.1.password = {{sip.password}}\n"
	    "static.auto_provision.server.url = {{provisioning_url}}\n"
	    "account.1.display_name = {{user.display_name}}\n"
	    "# {{device.mac}} {{vendor}}\n" },
	{ "y-common.cfg", "# common for {{vendor}}\n"
	    "static.firmware.url = {{base_url}}/static/fw.bin\n" },
	{ "snom.xml", "<settings><user_realname idx=\"1\">"
	    "{{user.display_name}}</user_realname><user_pass idx=\"1\">"
	    "{{sip.password}}</user_pass></settings>\n" },
	{ "aastra.cfg", "sip line1 auth name: {{sip.user}}\n"
	    "sip line1 password: {{sip.password}}\n"
	    "# {{device.MAC}} {{vendor}}\n" },
	{ "aastra-common.cfg", "time server1: 10.42.0.1\n" },
	{ "boot.cfg", "user = {{sip.user}}\npassword = {{sip.password}}\n"
	    "url = {{provisioning_url}}\n# {{device.mac}}\n" },
	{ "cert.cfg", "user={{sip.user}}\npassword={{sip.password}}\n" },
};

#define FW_LEN		100	/* static/fw.bin */

#define MAC_ALICE_Y	"80:5e:c0:00:00:01"
#define FILE_ALICE_Y	"805ec0000001.cfg"
#define FILE_ALICE_S	"snom-000413000002.xml"
#define MAC_BOB_Y	"80:5e:c0:00:00:0b"
#define FILE_BOB_Y	"805ec000000b.cfg"
#define MAC_BOB_A	"00:08:5d:00:00:0b"
#define FILE_BOB_A	"00085D00000B.cfg"
#define FILE_CAROL_B	"cfg000b8200000c.boot"
#define MAC_CAROL_C	"00:04:f2:00:00:0c"
#define FILE_CAROL_C	"0004f200000c-cert.cfg"

static char			*dir;
static struct cfg		*cfg;
static struct prov_templates	*tp;
static struct reg		*reg;
static struct prov_req		 rq;
static struct prov_resp		 resp;
static char			 pathbuf[ROUTE_PATH_MAX + 64];

static void
write_in(const char *sub, const char *name, const void *data, size_t len)
{
	char	*path;
	FILE	*f;

	ck_assert(asprintf(&path, "%s/%s/%s", dir, sub, name) > 0);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	free(path);
}

static char *
in_dir(const char *sub, const char *name)
{
	char *path;

	ck_assert(asprintf(&path, "%s/%s/%s", dir, sub, name) > 0);
	return path;
}

static void
setup(void)
{
	struct cfg_errors	 errs;
	struct reg_sync_stats	 st;
	char			*path, err[512], line[512];
	unsigned char		 fw[FW_LEN];

	dir = tu_mkdtemp();
	ck_assert_int_eq(mkdir((path = in_dir("templates", "")), 0700), 0);
	free(path);
	ck_assert_int_eq(mkdir((path = in_dir("static", "")), 0700), 0);
	free(path);
	for (size_t i = 0; i < sizeof(templates) / sizeof(templates[0]); i++)
		write_in("templates", templates[i].name, templates[i].text,
		    strlen(templates[i].text));
	for (size_t i = 0; i < sizeof(fw); i++)
		fw[i] = (unsigned char)(i * 7 + 3);
	write_in("static", "fw.bin", fw, sizeof(fw));
	write_in("static", "ring.wav", "RIFF", 4);

	path = tu_write(dir, "provbox.conf", conf);
	if (cfg_load(path, CFG_NO_FILE_CHECKS, &cfg, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", cfg_error_format(&errs.v[i],
			    line, sizeof(line)));
		cfg_errors_free(&errs);
		ck_abort_msg("the test config does not load");
	}
	free(path);
	if ((tp = prov_templates_load(cfg, err, sizeof(err))) == NULL)
		ck_abort_msg("prov_templates_load: %s", err);
	if (reg_open(cfg->registry_path, 16 << 20, REG_NOSYNC, &reg, err,
	    sizeof(err)) != 0)
		ck_abort_msg("reg_open: %s", err);
	if (reg_sync(reg, cfg, T0, &st, err, sizeof(err)) != 0)
		ck_abort_msg("reg_sync: %s", err);
	ck_assert_uint_eq(st.users_added, 3);
	ck_assert_uint_eq(st.devices_added, 6);
	memset(&resp, 0, sizeof(resp));
	resp.fd = -1;
}

static void
teardown(void)
{
	prov_resp_clear(&resp);
	reg_close(reg);
	reg = NULL;
	prov_templates_free(tp);
	tp = NULL;
	cfg_free(cfg);
	cfg = NULL;
	tu_rmtree(dir);
	dir = NULL;
}

/* The user's current token ("" when revoked). */
static void
token_of(const char *user, char tok[TOKEN_LEN + 1])
{
	struct reg_txn	txn;
	struct reg_user	u;

	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	ck_assert_int_eq(reg_user_get(&txn, user, &u), 0);
	reg_txn_abort(&txn);
	memcpy(tok, u.token, TOKEN_LEN + 1);
	reg_user_clear(&u);
}

/* Starts a GET over TLS, from PEER_IP, at T0, for the formatted path. */
static void
req(const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(pathbuf, sizeof(pathbuf), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(pathbuf));
	memset(&rq, 0, sizeof(rq));
	rq.path = pathbuf;
	rq.tls = 1;
	rq.peer_ip4 = PEER_IP;
	rq.now = T0;
}

/* Starts a GET for file in user's token folder. */
static void
req_token(const char *user, const char *file)
{
	char tok[TOKEN_LEN + 1];

	token_of(user, tok);
	ck_assert_uint_eq(strlen(tok), TOKEN_LEN);
	req("/p/%s/%s", tok, file);
}

/* Answers rq on a fresh read transaction, as the daemon does. */
static void
handle(void)
{
	struct reg_txn txn;

	prov_resp_clear(&resp);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	prov_handle(cfg, tp, &txn, &rq, &resp);
	reg_txn_abort(&txn);
}

/* A refusal: the status, why, and nothing to send. */
static void
expect_refused(int status, enum prov_refusal why)
{
	ck_assert_msg(resp.status == status && resp.refused == why,
	    "%s: status %d (%s), expected %d (%s)", rq.path, resp.status,
	    prov_refusal_str(resp.refused), status, prov_refusal_str(why));
	ck_assert_ptr_null(resp.body);
	ck_assert_int_eq(resp.fd, -1);
	ck_assert_int_eq(resp.no_store, 0);
	ck_assert_ptr_nonnull(resp.reason);
	ck_assert_str_eq(resp.content_type, "text/plain");
}

/* A rendered file: 200, a body of len bytes and nothing else refused. */
static void
expect_rendered(void)
{
	ck_assert_msg(resp.status == 200, "%s: status %d (%s)", rq.path,
	    resp.status, prov_refusal_str(resp.refused));
	ck_assert_int_eq(resp.refused, REF_NONE);
	ck_assert_str_eq(resp.reason, "OK");
	ck_assert_ptr_nonnull(resp.body);
	ck_assert_uint_eq(strlen(resp.body), resp.len);
	ck_assert_int_eq(resp.fd, -1);
}

static void
expect_mac(const char *mac)
{
	struct mac_addr m;

	ck_assert_int_eq(mac_parse(mac, &m), 0);
	ck_assert_int_eq(resp.has_mac, 1);
	ck_assert_int_eq(mac_cmp(&resp.mac, &m), 0);
}

/* Stores a lease for mac at ip, as provbox-dhcpd would. */
static void
put_lease(uint32_t ip, const char *mac, enum lease_state state,
    time_t expire)
{
	struct reg_lease	l;
	struct reg_txn		txn;
	struct mac_addr		m;

	ck_assert_int_eq(mac_parse(mac, &m), 0);
	memset(&l, 0, sizeof(l));
	l.ip = ip;
	l.state = (uint8_t)state;
	l.htype = 1;
	l.hlen = 6;
	memcpy(l.chaddr, m.b, 6);
	l.client_key[0] = 'H';
	l.client_key[1] = 1;
	memcpy(l.client_key + 2, m.b, 6);
	l.client_key_len = 8;
	l.start = T0 - 600;
	l.expire = expire;
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 0), 0);
	ck_assert_int_eq(reg_lease_put(&txn, &l), 0);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
}

/* Reads what the daemon would send from resp.fd. */
static void
expect_fd_bytes(off_t off, size_t len)
{
	unsigned char	buf[FW_LEN + 1];

	ck_assert_int_ge(resp.fd, 0);
	ck_assert_int_eq(resp.off, off);
	ck_assert_uint_eq(resp.len, len);
	ck_assert_int_eq(pread(resp.fd, buf, sizeof(buf), resp.off),
	    (ssize_t)(FW_LEN - off));
	for (size_t i = 0; i < len; i++)
		ck_assert_uint_eq(buf[i],
		    (unsigned char)((size_t)(off + (off_t)i) * 7 + 3));
}

/*
 * Token folders.
 */

START_TEST(test_token_device_file)
{
	char	tok[TOKEN_LEN + 1], want[256];

	token_of("alice", tok);
	req_token("alice", FILE_ALICE_Y);
	handle();
	expect_rendered();
	snprintf(want, sizeof(want), "#!version:1.0.0.1\n"
	    "account.1.user_name = 201\n"
	    "account.1.password = pw-alice\n"
	    "static.auto_provision.server.url = " BASE_URL "/p/%s/\n"
	    "account.1.display_name = Al <&\"> Ice\n"
	    "# 805ec0000001 yealink\n", tok);
	ck_assert_str_eq(resp.body, want);
	ck_assert_str_eq(resp.content_type, "text/plain");
	ck_assert_int_eq(resp.no_store, 1);
	/* The audit line: who, what, and never the whole token. */
	ck_assert_int_eq(resp.kind, ROUTE_TOKEN);
	ck_assert_str_eq(resp.file, FILE_ALICE_Y);
	ck_assert_str_eq(resp.user, "alice");
	ck_assert_str_eq(resp.vendor, "yealink");
	expect_mac(MAC_ALICE_Y);
	ck_assert_int_eq(strncmp(resp.token_hint, tok, 4), 0);
	ck_assert_str_eq(resp.token_hint + 4, "...(32)");

	/* Upper-case hex names the same phone (firmwares differ). */
	req_token("alice", "805EC0000001.cfg");
	handle();
	expect_rendered();
	ck_assert_ptr_nonnull(strstr(resp.body, "pw-alice"));

	/* Bob's folder holds bob's phone, with bob's password only. */
	token_of("bob", tok);
	req_token("bob", FILE_BOB_Y);
	handle();
	expect_rendered();
	ck_assert_ptr_nonnull(strstr(resp.body, "password = pw-bob\n"));
	ck_assert_ptr_null(strstr(resp.body, "pw-alice"));
	snprintf(want, sizeof(want), "url = " BASE_URL "/p/%s/\n", tok);
	ck_assert_ptr_nonnull(strstr(resp.body, want));
	ck_assert_str_eq(resp.user, "bob");
}
END_TEST

START_TEST(test_token_common_file)
{
	req_token("alice", "y000000000044.cfg");
	handle();
	expect_rendered();
	ck_assert_str_eq(resp.body, "# common for yealink\n"
	    "static.firmware.url = " BASE_URL "/static/fw.bin\n");
	ck_assert_int_eq(resp.no_store, 0);
	ck_assert_str_eq(resp.vendor, "yealink");
	ck_assert_int_eq(resp.has_mac, 0);
	ck_assert_str_eq(resp.user, "alice");
	/* The common files of the classes of the user's own phones only. */
	req_token("alice", "aastra.cfg");
	handle();
	expect_refused(404, REF_NOT_FOUND);
	req_token("bob", "aastra.cfg");
	handle();
	expect_rendered();
	ck_assert_str_eq(resp.body, "time server1: 10.42.0.1\n");
	ck_assert_int_eq(resp.no_store, 0);
	ck_assert_str_eq(resp.vendor, "aastra");
}
END_TEST

START_TEST(test_token_head)
{
	size_t	len;

	req_token("alice", FILE_ALICE_Y);
	handle();
	expect_rendered();
	len = resp.len;
	rq.head = 1;
	handle();
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(resp.refused, REF_NONE);
	ck_assert_ptr_null(resp.body);
	ck_assert_uint_eq(resp.len, len);
	ck_assert_int_eq(resp.no_store, 1);
	ck_assert_int_eq(resp.fd, -1);
}
END_TEST

START_TEST(test_token_other_users_mac)
{
	/* Bob's phone from alice's folder: the same 404 as no file. */
	req_token("alice", FILE_BOB_Y);
	handle();
	expect_refused(404, REF_NOT_USERS);
	ck_assert_str_eq(resp.user, "alice");
	expect_mac(MAC_BOB_Y);
	req_token("alice", FILE_BOB_A);
	handle();
	expect_refused(404, REF_NOT_USERS);
}
END_TEST

START_TEST(test_token_unknown_mac)
{
	req_token("alice", "805ec0ffffff.cfg");
	handle();
	expect_refused(404, REF_NOT_USERS);
	ck_assert_int_eq(resp.has_mac, 1);
	/* A name no rule knows and no static file has. */
	req_token("alice", "nothing-here.cfg");
	handle();
	expect_refused(404, REF_NOT_FOUND);
}
END_TEST

START_TEST(test_token_wrong_token)
{
	char tok[TOKEN_LEN + 1];

	token_of("alice", tok);
	tok[0] = tok[0] == 'A' ? 'B' : 'A';
	req("/p/%s/%s", tok, FILE_ALICE_Y);
	handle();
	expect_refused(404, REF_TOKEN);
	ck_assert_str_eq(resp.user, "");
	ck_assert_int_eq(resp.kind, ROUTE_TOKEN);
	/* Well-formed, but nobody's. */
	req("/p/AbCdEfGhIjKlMnOpQrStUvWxYz0123-_/%s", FILE_ALICE_Y);
	handle();
	expect_refused(404, REF_TOKEN);
}
END_TEST

START_TEST(test_token_malformed)
{
	char tok[TOKEN_LEN + 1];

	token_of("alice", tok);
	/* Too short, too long, a character no token has: all misses. */
	req("/p/%.31s/%s", tok, FILE_ALICE_Y);
	handle();
	expect_refused(404, REF_NOT_FOUND);
	ck_assert_int_eq(resp.kind, ROUTE_NONE);
	req("/p/%sx/%s", tok, FILE_ALICE_Y);
	handle();
	expect_refused(404, REF_NOT_FOUND);
	req("/p/%.31s./%s", tok, FILE_ALICE_Y);
	handle();
	expect_refused(404, REF_NOT_FOUND);
	/* The folder itself is no file. */
	req("/p/%s/", tok);
	handle();
	ck_assert_int_eq(resp.status, 404);
	ck_assert_ptr_null(resp.body);
}
END_TEST

START_TEST(test_token_revoked)
{
	struct reg_txn	txn;
	struct reg_user	u;
	char		tok[TOKEN_LEN + 1];

	token_of("alice", tok);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 0), 0);
	ck_assert_int_eq(reg_user_get(&txn, "alice", &u), 0);
	u.token[0] = '\0';
	ck_assert_int_eq(reg_user_put(&txn, &u), 0);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
	reg_user_clear(&u);

	req("/p/%s/%s", tok, FILE_ALICE_Y);
	handle();
	expect_refused(404, REF_TOKEN);
	req("/p/%s/y000000000044.cfg", tok);
	handle();
	expect_refused(404, REF_TOKEN);
	/* Bob is untouched. */
	req_token("bob", FILE_BOB_Y);
	handle();
	expect_rendered();
}
END_TEST

START_TEST(test_token_other_vendor_rule)
{
	/* Alice's yealink under snom's rule: no such file for that phone. */
	req_token("alice", "snom-805EC0000001.xml");
	handle();
	expect_refused(404, REF_NOT_USERS);
	expect_mac(MAC_ALICE_Y);
	/* And her snom under the boot class's rule. */
	req_token("alice", "cfg000413000002.boot");
	handle();
	expect_refused(404, REF_NOT_USERS);
}
END_TEST

START_TEST(test_token_own_class_rule)
{
	/*
	 * Yealink's "${mac}.cfg" comes first and matches every name aastra's
	 * "${MAC}.cfg" does; bob's aastra phone still finds its own file in
	 * bob's folder (serve.h: the per-device files of the user's devices),
	 * rendered from aastra's template.
	 */
	req_token("bob", FILE_BOB_A);
	handle();
	expect_rendered();
	ck_assert_str_eq(resp.body, "sip line1 auth name: 202\n"
	    "sip line1 password: pw-bob\n# 00085D00000B aastra\n");
	ck_assert_str_eq(resp.vendor, "aastra");
	ck_assert_int_eq(resp.no_store, 1);
	expect_mac(MAC_BOB_A);
	/* While the yealink's file still comes from yealink's template. */
	req_token("bob", FILE_BOB_Y);
	handle();
	expect_rendered();
	ck_assert_str_eq(resp.vendor, "yealink");
	ck_assert_ptr_nonnull(strstr(resp.body, "# 805ec000000b yealink\n"));
}
END_TEST

START_TEST(test_token_plain_http)
{
	req_token("alice", FILE_ALICE_Y);
	rq.tls = 0;
	handle();
	expect_refused(403, REF_PLAIN_HTTP);
	req_token("alice", "y000000000044.cfg");
	rq.tls = 0;
	handle();
	expect_refused(403, REF_PLAIN_HTTP);
	/* A wrong token over HTTP is just a miss. */
	req("/p/AbCdEfGhIjKlMnOpQrStUvWxYz0123-_/%s", FILE_ALICE_Y);
	rq.tls = 0;
	handle();
	expect_refused(404, REF_TOKEN);
}
END_TEST

START_TEST(test_token_xml_escaping)
{
	req_token("alice", FILE_ALICE_S);
	handle();
	expect_rendered();
	ck_assert_str_eq(resp.body, "<settings><user_realname idx=\"1\">"
	    "Al &lt;&amp;&quot;&gt; Ice</user_realname><user_pass idx=\"1\">"
	    "pw-alice</user_pass></settings>\n");
	ck_assert_str_eq(resp.content_type, "application/xml");
	ck_assert_int_eq(resp.no_store, 1);
	ck_assert_str_eq(resp.vendor, "snom");
}
END_TEST

START_TEST(test_token_static_fallback)
{
	/* Firmware no vendor rule names comes from static_dir. */
	req_token("alice", "fw.bin");
	handle();
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(resp.refused, REF_NONE);
	ck_assert_ptr_null(resp.body);
	ck_assert(resp.etag[0] == '"');
	ck_assert_str_eq(resp.content_type, "application/octet-stream");
	ck_assert_int_eq(resp.no_store, 0);
	expect_fd_bytes(0, FW_LEN);
	/* Only for the owner of a real token. */
	req("/p/AbCdEfGhIjKlMnOpQrStUvWxYz0123-_/fw.bin");
	handle();
	expect_refused(404, REF_TOKEN);
}
END_TEST

/*
 * The flat folder.
 */

START_TEST(test_legacy_lease_bound)
{
	put_lease(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600);
	req("/prov/%s", FILE_BOB_A);
	handle();
	expect_rendered();
	ck_assert_str_eq(resp.body, "sip line1 auth name: 202\n"
	    "sip line1 password: pw-bob\n# 00085D00000B aastra\n");
	ck_assert_int_eq(resp.no_store, 1);
	ck_assert_int_eq(resp.kind, ROUTE_LEGACY);
	ck_assert_str_eq(resp.user, "bob");
	ck_assert_str_eq(resp.vendor, "aastra");
	ck_assert_str_eq(resp.file, FILE_BOB_A);
	expect_mac(MAC_BOB_A);
	/* The phone may ask in lower case. */
	req("/prov/00085d00000b.cfg");
	handle();
	expect_rendered();
	/* Only while the lease lives: at its expiry it is gone. */
	req("/prov/%s", FILE_BOB_A);
	rq.now = T0 + 3600;
	handle();
	expect_refused(403, REF_LEASE);
}
END_TEST

START_TEST(test_legacy_lease_other_ip)
{
	put_lease(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600);
	req("/prov/%s", FILE_BOB_A);
	rq.peer_ip4 = OTHER_IP;
	handle();
	expect_refused(403, REF_LEASE);
	ck_assert_str_eq(resp.user, "bob");
	/* IPv6 peers hold no DHCPv4 lease. */
	req("/prov/%s", FILE_BOB_A);
	rq.peer_ip4 = 0;
	handle();
	expect_refused(403, REF_LEASE);
}
END_TEST

START_TEST(test_legacy_lease_expired)
{
	put_lease(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 - 1);
	req("/prov/%s", FILE_BOB_A);
	handle();
	expect_refused(403, REF_LEASE);
}
END_TEST

START_TEST(test_legacy_lease_offered)
{
	put_lease(PEER_IP, MAC_BOB_A, LEASE_OFFERED, T0 + 60);
	req("/prov/%s", FILE_BOB_A);
	handle();
	expect_refused(403, REF_LEASE);
	put_lease(PEER_IP, MAC_BOB_A, LEASE_RELEASED, T0 + 3600);
	handle();
	expect_refused(403, REF_LEASE);
}
END_TEST

START_TEST(test_legacy_lease_other_mac)
{
	/* The requester holds a lease, for another phone. */
	put_lease(PEER_IP, "00:08:5d:00:00:77", LEASE_BOUND, T0 + 3600);
	put_lease(OTHER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600);
	req("/prov/%s", FILE_BOB_A);
	handle();
	expect_refused(403, REF_LEASE);
	rq.peer_ip4 = OTHER_IP;
	handle();
	expect_rendered();
}
END_TEST

START_TEST(test_legacy_unregistered)
{
	put_lease(PEER_IP, "00:08:5d:00:00:99", LEASE_BOUND, T0 + 3600);
	req("/prov/00085D000099.cfg");
	handle();
	expect_refused(404, REF_ALLOWLIST);
	expect_mac("00:08:5d:00:00:99");
	ck_assert_str_eq(resp.user, "");
	/* No legacy rule and no static file. */
	req("/prov/nothing-here.cfg");
	handle();
	expect_refused(404, REF_NOT_FOUND);
}
END_TEST

START_TEST(test_legacy_token_class_device)
{
	/*
	 * Bob's yealink is in a token class: its file is in bob's folder
	 * only. Aastra's "${MAC}.cfg" names it too, but the flat folder is
	 * for legacy classes, even to the phone that holds the lease.
	 */
	put_lease(PEER_IP, MAC_BOB_Y, LEASE_BOUND, T0 + 3600);
	req("/prov/%s", FILE_BOB_Y);
	handle();
	expect_refused(404, REF_ALLOWLIST);
	ck_assert_str_eq(resp.user, "");
	/* Nor do the cert class's guards cover the boot class's phone. */
	req("/prov/000b8200000c-cert.cfg");
	handle();
	expect_refused(404, REF_ALLOWLIST);
}
END_TEST

START_TEST(test_legacy_plain_http)
{
	put_lease(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600);
	req("/prov/%s", FILE_BOB_A);
	rq.tls = 0;
	handle();
	expect_refused(403, REF_PLAIN_HTTP);
}
END_TEST

START_TEST(test_legacy_common)
{
	req("/prov/aastra.cfg");
	rq.peer_ip4 = OTHER_IP;
	handle();
	expect_rendered();
	ck_assert_str_eq(resp.body, "time server1: 10.42.0.1\n");
	ck_assert_int_eq(resp.no_store, 0);
	ck_assert_str_eq(resp.user, "");
	ck_assert_str_eq(resp.vendor, "aastra");
	ck_assert_int_eq(resp.has_mac, 0);
	/* A token class's common file is not in the flat folder. */
	req("/prov/y000000000044.cfg");
	handle();
	expect_refused(404, REF_NOT_FOUND);
	/* Static files are. */
	req("/prov/fw.bin");
	handle();
	ck_assert_int_eq(resp.status, 200);
	expect_fd_bytes(0, FW_LEN);
}
END_TEST

START_TEST(test_legacy_client_cert)
{
	struct mac_addr right, wrong;

	ck_assert_int_eq(mac_parse(MAC_CAROL_C, &right), 0);
	ck_assert_int_eq(mac_parse("00:04:f2:00:00:0d", &wrong), 0);

	req("/prov/%s", FILE_CAROL_C);
	handle();
	expect_refused(403, REF_CERT_MISSING);
	ck_assert_str_eq(resp.user, "carol");

	rq.cert_present = 1;
	rq.cert_has_mac = 1;
	rq.cert_mac = right;
	handle();
	expect_refused(403, REF_CERT_CA);

	rq.cert_verified = 1;
	rq.cert_mac = wrong;
	handle();
	expect_refused(403, REF_CERT_MAC);

	rq.cert_has_mac = 0;
	rq.cert_mac = right;
	handle();
	expect_refused(403, REF_CERT_MAC);

	rq.cert_has_mac = 1;
	handle();
	expect_rendered();
	ck_assert_str_eq(resp.body, "user=203\npassword=pw-carol\n");
	ck_assert_int_eq(resp.no_store, 1);
	ck_assert_str_eq(resp.vendor, "certco");
	expect_mac(MAC_CAROL_C);
}
END_TEST

START_TEST(test_legacy_bootstrap)
{
	char	tok[TOKEN_LEN + 1], want[256];

	token_of("carol", tok);
	/* No lease binding in this class: any address. */
	req("/prov/%s", FILE_CAROL_B);
	rq.peer_ip4 = OTHER_IP;
	handle();
	expect_rendered();
	snprintf(want, sizeof(want), "user = \npassword = \n"
	    "url = " BASE_URL "/p/%s/\n# 000b8200000c\n", tok);
	ck_assert_str_eq(resp.body, want);
	ck_assert_ptr_null(strstr(resp.body, "pw-carol"));
	ck_assert_int_eq(resp.no_store, 0);
	ck_assert_str_eq(resp.user, "carol");
	ck_assert_str_eq(resp.vendor, "boot");

	/* The folder it points at serves the same file, credentials in. */
	req("/p/%s/%s", tok, FILE_CAROL_B);
	handle();
	expect_rendered();
	snprintf(want, sizeof(want), "user = 203\npassword = pw-carol\n"
	    "url = " BASE_URL "/p/%s/\n# 000b8200000c\n", tok);
	ck_assert_str_eq(resp.body, want);
	ck_assert_int_eq(resp.no_store, 1);

	/* The allowlist still holds. */
	req("/prov/cfg000b82000099.boot");
	handle();
	expect_refused(404, REF_ALLOWLIST);

	/* Not over plain HTTP: the file would show the token URL. */
	req("/prov/%s", FILE_CAROL_B);
	rq.tls = 0;
	handle();
	expect_refused(403, REF_PLAIN_HTTP);
}
END_TEST

/*
 * Static files.
 */

START_TEST(test_static_file)
{
	req("/static/fw.bin");
	handle();
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.reason, "OK");
	ck_assert_int_eq(resp.refused, REF_NONE);
	ck_assert_int_eq(resp.kind, ROUTE_STATIC);
	ck_assert_ptr_null(resp.body);
	ck_assert_str_eq(resp.content_type, "application/octet-stream");
	ck_assert_int_eq(resp.no_store, 0);
	ck_assert_uint_gt(strlen(resp.etag), 2);
	ck_assert(resp.etag[0] == '"' &&
	    resp.etag[strlen(resp.etag) - 1] == '"');
	ck_assert_str_eq(resp.content_range, "");
	expect_fd_bytes(0, FW_LEN);
	/* Static files need no TLS and no lease. */
	rq.tls = 0;
	rq.peer_ip4 = 0;
	handle();
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_ge(resp.fd, 0);

	req("/static/ring.wav");
	handle();
	ck_assert_int_eq(resp.status, 200);
	ck_assert_str_eq(resp.content_type, "audio/wav");
	ck_assert_uint_eq(resp.len, 4);
}
END_TEST

START_TEST(test_static_head)
{
	req("/static/fw.bin");
	rq.head = 1;
	handle();
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(resp.fd, -1);
	ck_assert_ptr_null(resp.body);
	ck_assert_uint_eq(resp.len, FW_LEN);
	ck_assert_uint_gt(strlen(resp.etag), 2);
}
END_TEST

START_TEST(test_static_etag)
{
	char	etag[sizeof(resp.etag)], inm[128];

	req("/static/fw.bin");
	handle();
	ck_assert_int_eq(resp.status, 200);
	memcpy(etag, resp.etag, sizeof(etag));

	rq.if_none_match = etag;
	handle();
	ck_assert_int_eq(resp.status, 304);
	ck_assert_str_eq(resp.reason, "Not Modified");
	ck_assert_int_eq(resp.fd, -1);
	ck_assert_ptr_null(resp.body);
	ck_assert_uint_eq(resp.len, 0);
	ck_assert_str_eq(resp.etag, etag);

	/* One of a list. */
	snprintf(inm, sizeof(inm), "\"0-0\", %s", etag);
	rq.if_none_match = inm;
	handle();
	ck_assert_int_eq(resp.status, 304);

	/* Another version: the whole file. */
	rq.if_none_match = "\"0-0\"";
	handle();
	ck_assert_int_eq(resp.status, 200);
	expect_fd_bytes(0, FW_LEN);
}
END_TEST

START_TEST(test_static_range)
{
	req("/static/fw.bin");
	rq.range = "bytes=0-9";
	handle();
	ck_assert_int_eq(resp.status, 206);
	ck_assert_str_eq(resp.reason, "Partial Content");
	ck_assert_str_eq(resp.content_range, "bytes 0-9/100");
	expect_fd_bytes(0, 10);

	rq.range = "bytes=-5";
	handle();
	ck_assert_int_eq(resp.status, 206);
	ck_assert_str_eq(resp.content_range, "bytes 95-99/100");
	expect_fd_bytes(95, 5);

	rq.range = "bytes=90-";
	handle();
	ck_assert_int_eq(resp.status, 206);
	ck_assert_str_eq(resp.content_range, "bytes 90-99/100");
	expect_fd_bytes(90, 10);

	/* An end past the file is cut to it; a suffix longer is all. */
	rq.range = "bytes=90-1000";
	handle();
	ck_assert_int_eq(resp.status, 206);
	ck_assert_str_eq(resp.content_range, "bytes 90-99/100");
	expect_fd_bytes(90, 10);
	rq.range = "bytes=-1000";
	handle();
	ck_assert_int_eq(resp.status, 206);
	ck_assert_str_eq(resp.content_range, "bytes 0-99/100");
	expect_fd_bytes(0, FW_LEN);

	/* HEAD: the length the GET would send. */
	rq.range = "bytes=10-19";
	rq.head = 1;
	handle();
	ck_assert_int_eq(resp.status, 206);
	ck_assert_int_eq(resp.fd, -1);
	ck_assert_uint_eq(resp.len, 10);
	ck_assert_str_eq(resp.content_range, "bytes 10-19/100");
}
END_TEST

START_TEST(test_static_range_unsatisfiable)
{
	static const char *const bad[] = {
		"bytes=100-",		/* starts past the end */
		"bytes=500-600",
		"bytes=9-0",		/* backwards */
		"bytes=-0",		/* an empty suffix */
		"bytes= -3-",		/* a negative start */
		"bytes=\t-50-10",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req("/static/fw.bin");
		rq.range = bad[i];
		handle();
		ck_assert_msg(resp.status == 416, "Range '%s': status %d, "
		    "off %lld, len %zu", bad[i], resp.status,
		    (long long)resp.off, resp.len);
		ck_assert_str_eq(resp.reason, "Range Not Satisfiable");
		ck_assert_str_eq(resp.content_range, "bytes */100");
		ck_assert_int_eq(resp.fd, -1);
		ck_assert_int_eq(resp.off, 0);
	}
}
END_TEST

START_TEST(test_static_refused)
{
	char	*target, *link;

	/* A symlink is not followed (O_NOFOLLOW), even to a static file. */
	target = in_dir("static", "fw.bin");
	link = in_dir("static", "link.bin");
	ck_assert_int_eq(symlink(target, link), 0);
	free(target);
	free(link);
	req("/static/link.bin");
	handle();
	expect_refused(404, REF_NOT_FOUND);
	ck_assert_str_eq(resp.etag, "");

	/* Directories and missing files. */
	ck_assert_int_eq(mkdir((link = in_dir("static", "sub")), 0700), 0);
	free(link);
	req("/static/sub");
	handle();
	expect_refused(404, REF_NOT_FOUND);
	req("/static/missing.bin");
	handle();
	expect_refused(404, REF_NOT_FOUND);

	/* A FIFO must not block the daemon in open(). */
	ck_assert_int_eq(mkfifo((link = in_dir("static", "pipe.bin")), 0600),
	    0);
	free(link);
	req("/static/pipe.bin");
	handle();
	expect_refused(404, REF_NOT_FOUND);

	/* Climbing out is refused before any lookup. */
	req("/static/../provbox.conf");
	handle();
	expect_refused(400, REF_BAD_PATH);
	ck_assert_int_eq(resp.kind, ROUTE_BAD);
	req("/static/..%%2fprovbox.conf");
	handle();
	expect_refused(400, REF_BAD_PATH);
	req("/static/%%2e%%2e/provbox.conf");
	handle();
	expect_refused(400, REF_BAD_PATH);
	req("/static/sub/../../provbox.conf");
	handle();
	expect_refused(400, REF_BAD_PATH);
	/* A hidden file is no file name. */
	req("/static/.fw.bin");
	handle();
	expect_refused(404, REF_NOT_FOUND);
}
END_TEST

/*
 * Paths, errors, names.
 */

START_TEST(test_paths)
{
	static const char *const bad[] = {
		"", "p/x", "/p/../static/fw.bin", "/prov//aastra.cfg",
		"/prov/a%00.cfg", "/prov/a\\b.cfg", "/prov/a%5cb.cfg",
		"/prov/a%zz.cfg", "/prov/a b.cfg", "/prov/\x80.cfg",
		"/prov/./aastra.cfg",
	};
	static const char *const none[] = {
		"/", "/other/x.cfg", "/prov", "/prov/", "/static",
		"/pfoo/x.cfg", "/p/x.cfg",
	};
	char	 tok[TOKEN_LEN + 1], *long_path;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&rq, 0, sizeof(rq));
		rq.path = bad[i];
		rq.tls = 1;
		rq.now = T0;
		handle();
		ck_assert_msg(resp.status == 400, "'%s': status %d", bad[i],
		    resp.status);
		expect_refused(400, REF_BAD_PATH);
		ck_assert_str_eq(resp.reason, "Bad Request");
		ck_assert_int_eq(resp.kind, ROUTE_BAD);
	}
	memset(&rq, 0, sizeof(rq));
	handle();
	expect_refused(400, REF_BAD_PATH);

	ck_assert_ptr_nonnull(long_path = malloc(ROUTE_PATH_MAX + 2));
	memset(long_path, 'a', ROUTE_PATH_MAX + 1);
	memcpy(long_path, "/prov/", 6);
	long_path[ROUTE_PATH_MAX + 1] = '\0';
	rq.path = long_path;
	handle();
	expect_refused(414, REF_LONG_PATH);
	ck_assert_str_eq(resp.reason, "URI Too Long");
	ck_assert_int_eq(resp.kind, ROUTE_BAD);
	/* One byte less is a path like any other. */
	long_path[ROUTE_PATH_MAX] = '\0';
	handle();
	expect_refused(404, REF_NOT_FOUND);
	free(long_path);
	/* 20,000 nested escapes or brackets: refused by their length. */
	ck_assert_ptr_nonnull(long_path = malloc(20000 * 3 + 8));
	memcpy(long_path, "/prov/", 6);
	for (size_t i = 0; i < 20000; i++)
		memcpy(long_path + 6 + 3 * i, "%25", 3);
	long_path[6 + 3 * 20000] = '\0';
	rq.path = long_path;
	handle();
	expect_refused(414, REF_LONG_PATH);
	memset(long_path + 6, '[', 10000);
	memset(long_path + 10006, ']', 10000);
	long_path[20006] = '\0';
	handle();
	expect_refused(414, REF_LONG_PATH);
	free(long_path);

	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		req("%s", none[i]);
		handle();
		expect_refused(404, REF_NOT_FOUND);
		ck_assert_str_eq(resp.reason, "Not Found");
	}
	req("/other/x.cfg");
	handle();
	ck_assert_int_eq(resp.kind, ROUTE_NONE);

	/* Deeper than one file below a folder. */
	token_of("alice", tok);
	req("/p/%s/sub/%s", tok, FILE_ALICE_Y);
	handle();
	expect_refused(404, REF_NOT_FOUND);
	/* A query string is not part of the file. */
	req("/p/%s/%s?x=1", tok, FILE_ALICE_Y);
	handle();
	expect_rendered();
	ck_assert_str_eq(resp.file, FILE_ALICE_Y);
}
END_TEST

START_TEST(test_registry_error)
{
	struct reg_txn txn;

	/* A read transaction that failed earlier: 500, whatever the path. */
	req_token("alice", FILE_ALICE_Y);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	txn.err = REG_EIO;
	prov_handle(cfg, tp, &txn, &rq, &resp);
	reg_txn_abort(&txn);
	expect_refused(500, REF_INTERNAL);
	ck_assert_str_eq(resp.reason, "Internal Server Error");

	prov_resp_clear(&resp);
	put_lease(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600);
	req("/prov/%s", FILE_BOB_A);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	txn.err = REG_EIO;
	prov_handle(cfg, tp, &txn, &rq, &resp);
	reg_txn_abort(&txn);
	expect_refused(500, REF_INTERNAL);
}
END_TEST

START_TEST(test_resp_clear)
{
	req_token("alice", FILE_ALICE_Y);
	handle();
	expect_rendered();
	prov_resp_clear(&resp);
	ck_assert_ptr_null(resp.body);
	ck_assert_int_eq(resp.fd, -1);
	/* Twice is harmless. */
	prov_resp_clear(&resp);

	req("/static/fw.bin");
	handle();
	ck_assert_int_ge(resp.fd, 0);
	prov_resp_clear(&resp);
	ck_assert_int_eq(resp.fd, -1);
	prov_resp_clear(&resp);
}
END_TEST

START_TEST(test_templates_load)
{
	struct prov_templates	*t;
	char			 err[512], *path, *big;

	prov_templates_free(NULL);
	/* At most 1 MiB: exactly 1 MiB loads, one byte more does not. */
	ck_assert_ptr_nonnull(big = malloc((1 << 20) + 1));
	memset(big, 'x', (1 << 20) + 1);
	write_in("templates", "cert.cfg", big, 1 << 20);
	t = prov_templates_load(cfg, err, sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	prov_templates_free(t);
	write_in("templates", "cert.cfg", big, (1 << 20) + 1);
	free(big);
	ck_assert_ptr_null(prov_templates_load(cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "larger than 1 MiB"));

	/* A missing template names its path. */
	path = in_dir("templates", "cert.cfg");
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_ptr_null(prov_templates_load(cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, path));
	free(path);

	/* A bad placeholder names the file and the line. */
	write_in("templates", "cert.cfg", "a\n{{sip.pasword}}\n", 18);
	ck_assert_ptr_null(prov_templates_load(cfg, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "cert.cfg: line 2: unknown"));
}
END_TEST

START_TEST(test_refusal_str)
{
	static const char *const names[REF_COUNT] = {
		[REF_NONE] = "-",
		[REF_BAD_PATH] = "bad-path",
		[REF_LONG_PATH] = "long-path",
		[REF_HEADERS] = "header-fields",
		[REF_METHOD] = "method",
		[REF_NOT_FOUND] = "not-found",
		[REF_TOKEN] = "token",
		[REF_NOT_USERS] = "not-users-device",
		[REF_ALLOWLIST] = "allowlist",
		[REF_LEASE] = "lease-binding",
		[REF_CERT_MISSING] = "client-cert-missing",
		[REF_CERT_CA] = "client-cert-ca",
		[REF_CERT_MAC] = "client-cert-mac",
		[REF_PLAIN_HTTP] = "plain-http",
		[REF_GUARD] = "guard",
		[REF_INTERNAL] = "internal",
	};

	for (int i = 0; i < REF_COUNT; i++) {
		ck_assert_ptr_nonnull(names[i]);
		ck_assert_ptr_nonnull(prov_refusal_str((enum prov_refusal)i));
		ck_assert_str_eq(prov_refusal_str((enum prov_refusal)i),
		    names[i]);
		/* Distinct, so the audit line tells them apart. */
		for (int k = 0; k < i; k++)
			ck_assert_str_ne(prov_refusal_str((enum prov_refusal)i),
			    prov_refusal_str((enum prov_refusal)k));
	}
	ck_assert_str_eq(prov_refusal_str(REF_COUNT), "unknown");
	ck_assert_str_eq(prov_refusal_str((enum prov_refusal)-1), "unknown");
	ck_assert_str_eq(prov_refusal_str((enum prov_refusal)1000),
	    "unknown");
}
END_TEST

static Suite *
serve_suite(void)
{
	Suite	*s = suite_create("serve");
	TCase	*tc;

	tc = tcase_create("token");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_token_device_file);
	tcase_add_test(tc, test_token_common_file);
	tcase_add_test(tc, test_token_head);
	tcase_add_test(tc, test_token_other_users_mac);
	tcase_add_test(tc, test_token_unknown_mac);
	tcase_add_test(tc, test_token_wrong_token);
	tcase_add_test(tc, test_token_malformed);
	tcase_add_test(tc, test_token_revoked);
	tcase_add_test(tc, test_token_other_vendor_rule);
	tcase_add_test(tc, test_token_own_class_rule);
	tcase_add_test(tc, test_token_plain_http);
	tcase_add_test(tc, test_token_xml_escaping);
	tcase_add_test(tc, test_token_static_fallback);
	suite_add_tcase(s, tc);

	tc = tcase_create("legacy");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_legacy_lease_bound);
	tcase_add_test(tc, test_legacy_lease_other_ip);
	tcase_add_test(tc, test_legacy_lease_expired);
	tcase_add_test(tc, test_legacy_lease_offered);
	tcase_add_test(tc, test_legacy_lease_other_mac);
	tcase_add_test(tc, test_legacy_unregistered);
	tcase_add_test(tc, test_legacy_token_class_device);
	tcase_add_test(tc, test_legacy_plain_http);
	tcase_add_test(tc, test_legacy_common);
	tcase_add_test(tc, test_legacy_client_cert);
	tcase_add_test(tc, test_legacy_bootstrap);
	suite_add_tcase(s, tc);

	tc = tcase_create("static");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_static_file);
	tcase_add_test(tc, test_static_head);
	tcase_add_test(tc, test_static_etag);
	tcase_add_test(tc, test_static_range);
	tcase_add_test(tc, test_static_range_unsatisfiable);
	tcase_add_test(tc, test_static_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("misc");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_registry_error);
	tcase_add_test(tc, test_resp_clear);
	tcase_add_test(tc, test_templates_load);
	tcase_add_test(tc, test_refusal_str);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(serve_suite());
}
