/*
 * check_serve.c - what the provisioning service answers (serve.h): token
 * folders, first-access tokens, the guarded flat folder of legacy classes
 * (allowlist, lease binding, the enrolled identity, client certificates,
 * bootstrap), static files with ETag and Range, and the refusals of
 * everything else.
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
#include "enroll.h"
#include "registry.h"
#include "serve.h"
#include "settings.h"
#include "sync.h"

#define IP4(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			    (uint32_t)(c) << 8 | (uint32_t)(d))
#define T0		((time_t)1700000000)
#define PEER_IP		IP4(10, 42, 0, 50)
#define OTHER_IP	IP4(10, 42, 0, 51)
#define BASE_URL	"https://10.42.0.1"

/*
 * Two token classes (yealink, snom), a guarded legacy class (aastra, whose
 * "${MAC}.cfg" also matches every name yealink's "${mac}.cfg" does), two
 * bootstrap classes (a bootstrap class needs lease binding: cfg refuses
 * one without), a legacy class and a token class that want client
 * certificates.
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
    "    legacy = { bootstrap = true; lease_binding = true;\n"
    "               allowlist = true; client_cert = false; }; },\n"
    "  { name = \"certco\"; match = { oui = [ \"00:04:f2\" ]; };\n"
    "    mode = \"legacy\";\n"
    "    files = ( { name = \"${mac}-cert.cfg\"; template = \"cert.cfg\"; }"
    " );\n"
    "    legacy = { client_cert = true; lease_binding = false;\n"
    "               allowlist = true; }; },\n"
    "  { name = \"bootlb\"; match = { oui = [ \"00:0b:83\" ]; };\n"
    "    mode = \"legacy\";\n"
    "    files = ( { name = \"bl${mac}.cfg\"; template = \"boot.cfg\"; } );\n"
    "    legacy = { bootstrap = true; lease_binding = true;\n"
    "               allowlist = true; client_cert = false; }; },\n"
    "  { name = \"tcert\"; match = { oui = [ \"64:16:7f\" ]; };\n"
    "    mode = \"token\"; client_cert = true;\n"
    "    files = ( { name = \"${mac}-tc.cfg\"; template = \"cert.cfg\"; } );"
    " },\n"
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
    "      { mac = \"00:04:f2:00:00:0c\"; vendor = \"certco\"; },\n"
    "      { mac = \"00:0b:83:00:00:0e\"; vendor = \"bootlb\"; } ); },\n"
    "  { name = \"dave\";\n"
    "    sip = { user = \"204\"; password = \"pw-dave\";\n"
    "            server = \"10.42.0.1\"; };\n"
    "    devices = (\n"
    "      { mac = \"64:16:7f:00:00:0d\"; vendor = \"tcert\"; } ); }\n"
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
#define MAC_CAROL_B	"00:0b:82:00:00:0c"
#define MAC_CAROL_L	"00:0b:83:00:00:0e"
#define FILE_CAROL_L	"bl000b8300000e.cfg"
#define MAC_DAVE_T	"64:16:7f:00:00:0d"
#define FILE_DAVE_T	"64167f00000d-tc.cfg"

/*
 * Client identities (lease client keys): 'I' + Option 61. ID_A is the
 * phone's, ID_B another host's claiming the same MAC.
 */
static const uint8_t	ID_A[] = { 'I', 1, 0x80, 0x5e, 0xc0, 0, 0, 0x01 };
static const uint8_t	ID_B[] = { 'I', 0, 'e', 'v', 'i', 'l' };

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
	ck_assert_uint_eq(st.users_added, 4);
	ck_assert_uint_eq(st.devices_added, 8);
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

/*
 * Stores a lease for mac at ip held by the client key key[0..keylen), as
 * provbox-dhcpd would.
 */
static void
put_lease_key(uint32_t ip, const char *mac, enum lease_state state,
    time_t expire, const uint8_t *key, size_t keylen)
{
	struct reg_lease	l;
	struct reg_txn		txn;
	struct mac_addr		m;

	ck_assert_int_eq(mac_parse(mac, &m), 0);
	ck_assert_uint_le(keylen, sizeof(l.client_key));
	memset(&l, 0, sizeof(l));
	l.ip = ip;
	l.state = (uint8_t)state;
	l.htype = 1;
	l.hlen = 6;
	memcpy(l.chaddr, m.b, 6);
	memcpy(l.client_key, key, keylen);
	l.client_key_len = (uint16_t)keylen;
	l.start = T0 - 600;
	l.expire = expire;
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 0), 0);
	ck_assert_int_eq(reg_lease_put(&txn, &l), 0);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
}

/* The client key of a DHCP client without Option 61: 'H' + htype + MAC. */
static size_t
hw_key(const char *mac, uint8_t key[8])
{
	struct mac_addr m;

	ck_assert_int_eq(mac_parse(mac, &m), 0);
	key[0] = 'H';
	key[1] = 1;
	memcpy(key + 2, m.b, 6);
	return 8;
}

/* A lease under the MAC's hardware client key. */
static void
put_lease(uint32_t ip, const char *mac, enum lease_state state,
    time_t expire)
{
	uint8_t	key[8];
	size_t	len = hw_key(mac, key);

	put_lease_key(ip, mac, state, expire, key, len);
}

/*
 * Enrollment, as provboxctl and the daemons write it: each in its own
 * write transaction on the test registry.
 */

/*
 * Opens a window of seconds at now for mac (provboxctl enroll) and
 * returns the device's first-access token in fa (when not NULL).
 */
static void
open_window(const char *mac, time_t now, unsigned seconds,
    char fa[TOKEN_LEN + 1])
{
	struct reg_txn		 txn;
	struct reg_event	 ev;
	struct reg_enroll	 e;
	struct mac_addr		 m;
	int			 suspect;

	ck_assert_int_eq(mac_parse(mac, &m), 0);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 0), 0);
	ck_assert_int_eq(enroll_open(&txn, &m, now, seconds, &suspect, &ev),
	    1);
	ck_assert_int_eq(suspect, 0);
	ck_assert_int_eq(reg_enroll_get(&txn, &m, &e), 0);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
	ck_assert_int_eq(e.state, ENROLL_ENROLLING);
	ck_assert_uint_eq(strlen(e.fa_token), TOKEN_LEN);
	if (fa != NULL)
		memcpy(fa, e.fa_token, TOKEN_LEN + 1);
	reg_enroll_clear(&e);
}

/* Applies op at now as the daemon does; returns enroll_apply()'s word. */
static int
apply_op(const struct enroll_op *op, time_t now)
{
	struct reg_txn		txn;
	struct reg_event	ev;
	int			r;

	ck_assert_int_eq(reg_txn_begin(reg, &txn, 0), 0);
	r = enroll_apply(&txn, op, now, &ev);
	ck_assert_int_ge(r, 0);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
	return r;
}

/*
 * What dhcpd applies when the first-access URL goes out: binds the
 * window's token to the identity key[0..len), which asked from ip.
 */
static void
bind_identity(const char *mac, uint32_t ip, const uint8_t *key, size_t len)
{
	struct enroll_op op;

	memset(&op, 0, sizeof(op));
	op.kind = EOP_HANDED;
	ck_assert_int_eq(mac_parse(mac, &op.mac), 0);
	op.ip = ip;
	memcpy(op.id, key, len);
	op.id_len = (uint16_t)len;
	ck_assert_int_eq(apply_op(&op, T0), 1);
}

/* The device's enrollment record (it must have one). */
static void
get_enroll(const char *mac, struct reg_enroll *e)
{
	struct reg_txn	txn;
	struct mac_addr	m;

	ck_assert_int_eq(mac_parse(mac, &m), 0);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	ck_assert_int_eq(reg_enroll_get(&txn, &m, e), 0);
	reg_txn_abort(&txn);
}

/* resp.eop is kind, for mac, from ip, under key[0..len) (NULL: none). */
static void
expect_eop(enum enroll_op_kind kind, const char *mac, uint32_t ip,
    const uint8_t *key, size_t len)
{
	struct mac_addr m;

	ck_assert_msg(resp.eop.kind == kind, "%s: eop %d, expected %d",
	    rq.path, resp.eop.kind, kind);
	ck_assert_int_eq(mac_parse(mac, &m), 0);
	ck_assert_int_eq(mac_cmp(&resp.eop.mac, &m), 0);
	ck_assert_uint_eq(resp.eop.ip, ip);
	ck_assert_uint_eq(resp.eop.id_len, len);
	if (len > 0)
		ck_assert_mem_eq(resp.eop.id, key, len);
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
	/* Rendered in a user's folder, it may name that folder: no cache. */
	ck_assert_int_eq(resp.no_store, 1);
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
	ck_assert_int_eq(resp.no_store, 1);
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
	uint8_t	key[8];
	size_t	klen = hw_key(MAC_BOB_A, key);

	put_lease(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600);
	/* Bob's phone is enrolling: the flat folder answers it. */
	open_window(MAC_BOB_A, T0 - 60, 7200, NULL);
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
	/* Served: the phone is provisioned, bound to its lease's identity. */
	expect_eop(EOP_PROVISIONED, MAC_BOB_A, PEER_IP, key, klen);
	/* The phone may ask in lower case. */
	req("/prov/00085d00000b.cfg");
	handle();
	expect_rendered();
	/* Only while the lease lives: at its expiry it is gone. */
	req("/prov/%s", FILE_BOB_A);
	rq.now = T0 + 3600;
	handle();
	expect_refused(404, REF_LEASE);
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);
}
END_TEST

START_TEST(test_legacy_lease_other_ip)
{
	/* Enrolling: the lease is all that is missing. */
	open_window(MAC_BOB_A, T0 - 60, 7200, NULL);
	put_lease(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600);
	req("/prov/%s", FILE_BOB_A);
	rq.peer_ip4 = OTHER_IP;
	handle();
	expect_refused(404, REF_LEASE);
	ck_assert_str_eq(resp.user, "bob");
	/* IPv6 peers hold no DHCPv4 lease. */
	req("/prov/%s", FILE_BOB_A);
	rq.peer_ip4 = 0;
	handle();
	expect_refused(404, REF_LEASE);
	/* The phone itself, for contrast. */
	req("/prov/%s", FILE_BOB_A);
	handle();
	expect_rendered();
}
END_TEST

START_TEST(test_legacy_lease_expired)
{
	/* Enrolling: the lease is all that is missing. */
	open_window(MAC_BOB_A, T0 - 60, 7200, NULL);
	put_lease(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 - 1);
	req("/prov/%s", FILE_BOB_A);
	handle();
	expect_refused(404, REF_LEASE);
}
END_TEST

START_TEST(test_legacy_lease_offered)
{
	/* Enrolling: the lease is all that is missing. */
	open_window(MAC_BOB_A, T0 - 60, 7200, NULL);
	put_lease(PEER_IP, MAC_BOB_A, LEASE_OFFERED, T0 + 60);
	req("/prov/%s", FILE_BOB_A);
	handle();
	expect_refused(404, REF_LEASE);
	put_lease(PEER_IP, MAC_BOB_A, LEASE_RELEASED, T0 + 3600);
	handle();
	expect_refused(404, REF_LEASE);
}
END_TEST

START_TEST(test_legacy_lease_other_mac)
{
	/* Enrolling: the lease is all that is missing. */
	open_window(MAC_BOB_A, T0 - 60, 7200, NULL);
	/* The requester holds a lease, for another phone. */
	put_lease(PEER_IP, "00:08:5d:00:00:77", LEASE_BOUND, T0 + 3600);
	put_lease(OTHER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600);
	req("/prov/%s", FILE_BOB_A);
	handle();
	expect_refused(404, REF_LEASE);
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
	expect_refused(404, REF_CERT_MISSING);
	ck_assert_str_eq(resp.user, "carol");

	rq.cert_present = 1;
	rq.cert_has_mac = 1;
	rq.cert_mac = right;
	handle();
	expect_refused(404, REF_CERT_CA);

	rq.cert_verified = 1;
	rq.cert_mac = wrong;
	handle();
	expect_refused(404, REF_CERT_MAC);

	rq.cert_has_mac = 0;
	rq.cert_mac = right;
	handle();
	expect_refused(404, REF_CERT_MAC);

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
	char	perm[TOKEN_LEN + 1], fa[TOKEN_LEN + 1], want[256];

	token_of("carol", perm);
	/*
	 * A bootstrap file is only ever a first-access URL: with no window
	 * open there is none, and the answer is the unknown MAC's 404.
	 */
	req("/prov/%s", FILE_CAROL_B);
	rq.peer_ip4 = OTHER_IP;
	put_lease_key(OTHER_IP, MAC_CAROL_B, LEASE_BOUND, T0 + 3600, ID_A,
	    sizeof(ID_A));
	handle();
	expect_refused(404, REF_NOT_ENROLLED);
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);
	{
		struct reg_txn txn;

		ck_assert_int_eq(reg_txn_begin(reg, &txn, 0), 0);
		ck_assert_int_eq(reg_lease_del(&txn, OTHER_IP), 0);
		ck_assert_int_eq(reg_txn_commit(&txn), 0);
	}

	open_window(MAC_CAROL_B, T0 - 60, 3600, fa);
	/* From an address without the phone's lease: the same 404. */
	handle();
	expect_refused(404, REF_LEASE);
	/* From the phone's lease. */
	put_lease_key(OTHER_IP, MAC_CAROL_B, LEASE_BOUND, T0 + 3600, ID_A,
	    sizeof(ID_A));
	handle();
	expect_rendered();
	snprintf(want, sizeof(want), "user = \npassword = \n"
	    "url = " BASE_URL "/p/%s/\n# 000b8200000c\n", fa);
	ck_assert_str_eq(resp.body, want);
	ck_assert_ptr_null(strstr(resp.body, "pw-carol"));
	/* Never the permanent URL: that is the phone's alone. */
	ck_assert_ptr_null(strstr(resp.body, perm));
	/* A first-access URL is kept by no cache. */
	ck_assert_int_eq(resp.no_store, 1);
	ck_assert_str_eq(resp.user, "carol");
	ck_assert_str_eq(resp.vendor, "boot");
	/* The token is bound to the lease's identity. */
	expect_eop(EOP_HANDED, MAC_CAROL_B, OTHER_IP, ID_A, sizeof(ID_A));

	/* Once the window has closed, nothing again. */
	rq.now = T0 - 60 + 3600;
	handle();
	expect_refused(404, REF_NOT_ENROLLED);

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
 * Bootstrap with lease binding, end to end: the flat folder hands the
 * leaseholder its first-access URL (binding the token to its identity);
 * that URL gives the leaseholder its file with credentials and the
 * permanent URL, and nobody else anything.
 */
START_TEST(test_legacy_bootstrap_lease)
{
	char		 perm[TOKEN_LEN + 1], fa[TOKEN_LEN + 1], want[128];
	struct reg_enroll e;
	struct enroll_op op;

	token_of("carol", perm);
	put_lease_key(PEER_IP, MAC_CAROL_L, LEASE_BOUND, T0 + 3600, ID_A,
	    sizeof(ID_A));
	req("/prov/%s", FILE_CAROL_L);
	handle();
	expect_refused(404, REF_NOT_ENROLLED);

	open_window(MAC_CAROL_L, T0 - 60, 3600, fa);
	/* From elsewhere: the same 404 as for an unknown MAC. */
	req("/prov/%s", FILE_CAROL_L);
	rq.peer_ip4 = OTHER_IP;
	handle();
	expect_refused(404, REF_LEASE);

	req("/prov/%s", FILE_CAROL_L);
	handle();
	expect_rendered();
	snprintf(want, sizeof(want), "url = " BASE_URL "/p/%s/\n", fa);
	ck_assert_ptr_nonnull(strstr(resp.body, want));
	ck_assert_ptr_null(strstr(resp.body, "pw-carol"));
	ck_assert_ptr_null(strstr(resp.body, perm));
	ck_assert_int_eq(resp.no_store, 1);
	expect_eop(EOP_HANDED, MAC_CAROL_L, PEER_IP, ID_A, sizeof(ID_A));
	op = resp.eop;
	ck_assert_int_eq(apply_op(&op, T0), 1);
	get_enroll(MAC_CAROL_L, &e);
	ck_assert_uint_eq(e.id_len, sizeof(ID_A));
	ck_assert_mem_eq(e.id, ID_A, sizeof(ID_A));
	reg_enroll_clear(&e);

	/* Bound now: asked again, nothing more to learn. */
	handle();
	expect_rendered();
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);

	/* The first-access URL, from the lease: credentials, permanent URL. */
	req("/p/%s/%s", fa, FILE_CAROL_L);
	handle();
	expect_rendered();
	ck_assert_int_eq(resp.first_access, 1);
	ck_assert_ptr_nonnull(strstr(resp.body, "password = pw-carol\n"));
	snprintf(want, sizeof(want), "url = " BASE_URL "/p/%s/\n", perm);
	ck_assert_ptr_nonnull(strstr(resp.body, want));
	ck_assert_ptr_null(strstr(resp.body, fa));
	ck_assert_int_eq(resp.no_store, 1);
	expect_eop(EOP_FETCHED, MAC_CAROL_L, PEER_IP, ID_A, sizeof(ID_A));

	/* Another identity under the MAC, at the same address: 404s. */
	put_lease_key(PEER_IP, MAC_CAROL_L, LEASE_BOUND, T0 + 3600, ID_B,
	    sizeof(ID_B));
	handle();
	expect_refused(404, REF_FA_LEASE);
	ck_assert_int_eq(resp.eop.kind, EOP_REFUSED);
	req("/prov/%s", FILE_CAROL_L);
	handle();
	expect_refused(404, REF_IDENTITY);
	expect_eop(EOP_DUPLICATE, MAC_CAROL_L, PEER_IP, ID_B, sizeof(ID_B));
}
END_TEST

/*
 * A legacy phone without a client certificate is vouched for by its lease
 * and the identity it enrolled under: bound at its first fetch in a
 * window, refused (and suspect) when another identity holds its MAC.
 */
START_TEST(test_legacy_needs_enrollment)
{
	struct reg_enroll	e;
	struct enroll_op	op;
	uint8_t			key[8];
	size_t			klen = hw_key(MAC_BOB_A, key);

	put_lease(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600);
	/* The lease alone no longer opens it: nobody enrolled the phone. */
	req("/prov/%s", FILE_BOB_A);
	handle();
	expect_refused(404, REF_NOT_ENROLLED);
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);
	/* Nor does a window that has run out. */
	open_window(MAC_BOB_A, T0 - 7200, 3600, NULL);
	handle();
	expect_refused(404, REF_NOT_ENROLLED);

	/* In a window: served, and bound to the lease's identity. */
	open_window(MAC_BOB_A, T0 - 60, 3600, NULL);
	handle();
	expect_rendered();
	ck_assert_ptr_nonnull(strstr(resp.body, "pw-bob"));
	expect_eop(EOP_PROVISIONED, MAC_BOB_A, PEER_IP, key, klen);
	/* A HEAD teaches nothing. */
	rq.head = 1;
	handle();
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);
	rq.head = 0;
	handle();
	expect_eop(EOP_PROVISIONED, MAC_BOB_A, PEER_IP, key, klen);
	op = resp.eop;
	ck_assert_int_eq(apply_op(&op, T0), 1);
	get_enroll(MAC_BOB_A, &e);
	ck_assert_int_eq(e.state, ENROLL_PROVISIONED);
	ck_assert_uint_eq(e.id_len, klen);
	ck_assert_mem_eq(e.id, key, klen);
	ck_assert_str_eq(e.fa_token, "");
	reg_enroll_clear(&e);

	/* Provisioned, no window needed, nothing more to learn. */
	req("/prov/%s", FILE_BOB_A);
	rq.now = T0 + 3000;
	handle();
	expect_rendered();
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);

	/* Another host takes the MAC's lease (same address): refused. */
	put_lease_key(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600, ID_B,
	    sizeof(ID_B));
	req("/prov/%s", FILE_BOB_A);
	handle();
	expect_refused(404, REF_IDENTITY);
	ck_assert_ptr_null(resp.body);
	expect_eop(EOP_DUPLICATE, MAC_BOB_A, PEER_IP, ID_B, sizeof(ID_B));
	ck_assert_ptr_nonnull(strstr(resp.eop.detail, "duplicate MAC"));
	op = resp.eop;
	ck_assert_int_eq(apply_op(&op, T0), 1);
	get_enroll(MAC_BOB_A, &e);
	ck_assert_int_eq(e.state, ENROLL_SUSPECT);
	reg_enroll_clear(&e);

	/* Suspect: the other identity stays refused, with no new alarm... */
	handle();
	expect_refused(404, REF_IDENTITY);
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);
	/*
	 * ...while the identity bound at enrollment, holding the lease, is
	 * still the phone: a spoofer must not cut it off (57aaf3b).
	 */
	put_lease(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600);
	handle();
	expect_rendered();
	ck_assert_ptr_nonnull(strstr(resp.body, "pw-bob"));
	/* Nothing it asks for moves a suspect device. */
	op = resp.eop;
	ck_assert_int_eq(apply_op(&op, T0), 0);
	get_enroll(MAC_BOB_A, &e);
	ck_assert_int_eq(e.state, ENROLL_SUSPECT);
	reg_enroll_clear(&e);
}
END_TEST

/* A suspect device bound to no identity: its file goes to nobody. */
START_TEST(test_legacy_suspect_unbound)
{
	struct enroll_op op;

	put_lease(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600);
	open_window(MAC_BOB_A, T0 - 60, 3600, NULL);
	memset(&op, 0, sizeof(op));
	op.kind = EOP_DUPLICATE;
	ck_assert_int_eq(mac_parse(MAC_BOB_A, &op.mac), 0);
	ck_assert_int_eq(apply_op(&op, T0), 1);
	req("/prov/%s", FILE_BOB_A);
	handle();
	expect_refused(404, REF_IDENTITY);
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);
}
END_TEST

/* The parts of an answer a requester sees. */
struct seen {
	int	 status;
	char	 reason[64];
	char	 content_type[64];
	size_t	 len;
	char	*body;
	int	 no_store;
	int	 has_fd;
	char	 etag[48];
	char	 content_range[96];
};

static void
seen_take(struct seen *a)
{
	memset(a, 0, sizeof(*a));
	a->status = resp.status;
	snprintf(a->reason, sizeof(a->reason), "%s", resp.reason);
	snprintf(a->content_type, sizeof(a->content_type), "%s",
	    resp.content_type);
	a->len = resp.len;
	if (resp.body != NULL)
		ck_assert_ptr_nonnull(a->body = strndup(resp.body, resp.len));
	a->no_store = resp.no_store;
	a->has_fd = resp.fd >= 0;
	memcpy(a->etag, resp.etag, sizeof(a->etag));
	memcpy(a->content_range, resp.content_range,
	    sizeof(a->content_range));
}

static void
seen_same(const struct seen *a, const struct seen *b, const char *what)
{
	ck_assert_msg(a->status == b->status, "%s: status %d, not %d", what,
	    b->status, a->status);
	ck_assert_msg(strcmp(a->reason, b->reason) == 0, "%s: reason", what);
	ck_assert_msg(strcmp(a->content_type, b->content_type) == 0,
	    "%s: content type", what);
	ck_assert_msg(a->len == b->len, "%s: length", what);
	ck_assert_msg((a->body == NULL) == (b->body == NULL) &&
	    (a->body == NULL || strcmp(a->body, b->body) == 0), "%s: body",
	    what);
	ck_assert_msg(a->no_store == b->no_store, "%s: no-store", what);
	ck_assert_msg(a->has_fd == b->has_fd, "%s: a file", what);
	ck_assert_msg(strcmp(a->etag, b->etag) == 0, "%s: etag", what);
	ck_assert_msg(strcmp(a->content_range, b->content_range) == 0,
	    "%s: content range", what);
}

/*
 * No oracle: whatever the flat folder refuses of a phone's own file, the
 * requester sees exactly what it sees for a MAC nobody registered, so
 * probing tells neither which MACs are registered, nor leased, nor
 * enrolled under which identity.
 */
START_TEST(test_legacy_no_oracle)
{
	struct seen	unknown, other;
	enum prov_refusal why[6];
	size_t		n = 0;

	req("/prov/00085D000099.cfg");
	handle();
	expect_refused(404, REF_ALLOWLIST);
	why[n++] = resp.refused;
	seen_take(&unknown);

	/* An unknown MAC that holds the requester's lease. */
	put_lease(PEER_IP, "00:08:5d:00:00:99", LEASE_BOUND, T0 + 3600);
	handle();
	seen_take(&other);
	seen_same(&unknown, &other, "unknown MAC, leased");
	free(other.body);

	/* Registered, no lease. */
	req("/prov/%s", FILE_BOB_A);
	handle();
	ck_assert_int_eq(resp.refused, REF_LEASE);
	why[n++] = resp.refused;
	seen_take(&other);
	seen_same(&unknown, &other, "registered, no lease");
	free(other.body);

	/* Registered, leased, never enrolled. */
	put_lease(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600);
	handle();
	ck_assert_int_eq(resp.refused, REF_NOT_ENROLLED);
	why[n++] = resp.refused;
	seen_take(&other);
	seen_same(&unknown, &other, "registered, not enrolled");
	free(other.body);

	/* Registered, leased, enrolled under another identity. */
	open_window(MAC_BOB_A, T0 - 60, 3600, NULL);
	bind_identity(MAC_BOB_A, PEER_IP, ID_A, sizeof(ID_A));
	handle();
	ck_assert_int_eq(resp.refused, REF_IDENTITY);
	why[n++] = resp.refused;
	seen_take(&other);
	seen_same(&unknown, &other, "registered, wrong identity");
	free(other.body);

	/* A certificate class: no certificate, and the wrong one. */
	req("/prov/%s", FILE_CAROL_C);
	handle();
	ck_assert_int_eq(resp.refused, REF_CERT_MISSING);
	why[n++] = resp.refused;
	seen_take(&other);
	seen_same(&unknown, &other, "no certificate");
	free(other.body);
	rq.cert_present = 1;
	rq.cert_verified = 1;
	rq.cert_has_mac = 1;
	ck_assert_int_eq(mac_parse("00:04:f2:00:00:0d", &rq.cert_mac), 0);
	handle();
	ck_assert_int_eq(resp.refused, REF_CERT_MAC);
	why[n++] = resp.refused;
	seen_take(&other);
	seen_same(&unknown, &other, "another MAC's certificate");
	free(other.body);

	/* Six different reasons behind one answer (the audit tells them). */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < i; k++)
			ck_assert_int_ne(why[i], why[k]);

	/* While the phone itself, enrolled as it is, gets its file. */
	put_lease_key(PEER_IP, MAC_BOB_A, LEASE_BOUND, T0 + 3600, ID_A,
	    sizeof(ID_A));
	req("/prov/%s", FILE_BOB_A);
	handle();
	expect_rendered();
	free(unknown.body);
}
END_TEST

/*
 * First access (serve.h): alice's yealink is enrolling; its first-access
 * token went to identity ID_A, which holds its lease at PEER_IP.
 */
#define FA_OPENED	(T0 - 60)
#define FA_WINDOW	3600u

static void
fa_enrolled(char fa[TOKEN_LEN + 1])
{
	open_window(MAC_ALICE_Y, FA_OPENED, FA_WINDOW, fa);
	put_lease_key(PEER_IP, MAC_ALICE_Y, LEASE_BOUND, T0 + 7200, ID_A,
	    sizeof(ID_A));
	bind_identity(MAC_ALICE_Y, PEER_IP, ID_A, sizeof(ID_A));
}

/* (a) The leaseholder under the bound identity gets its file. */
START_TEST(test_fa_serves_enrolled_phone)
{
	char	fa[TOKEN_LEN + 1], perm[TOKEN_LEN + 1], want[256];
	size_t	len;

	token_of("alice", perm);
	fa_enrolled(fa);
	req("/p/%s/%s", fa, FILE_ALICE_Y);
	handle();
	expect_rendered();
	/* The password, and the PERMANENT URL (the template pins it). */
	snprintf(want, sizeof(want), "#!version:1.0.0.1\n"
	    "account.1.user_name = 201\n"
	    "account.1.password = pw-alice\n"
	    "static.auto_provision.server.url = " BASE_URL "/p/%s/\n"
	    "account.1.display_name = Al <&\"> Ice\n"
	    "# 805ec0000001 yealink\n", perm);
	ck_assert_str_eq(resp.body, want);
	ck_assert_ptr_null(strstr(resp.body, fa));
	ck_assert_int_eq(resp.no_store, 1);
	ck_assert_int_eq(resp.first_access, 1);
	ck_assert_int_eq(resp.kind, ROUTE_TOKEN);
	ck_assert_str_eq(resp.user, "alice");
	ck_assert_str_eq(resp.vendor, "yealink");
	expect_mac(MAC_ALICE_Y);
	ck_assert_int_eq(strncmp(resp.token_hint, fa, 4), 0);
	ck_assert_str_eq(resp.token_hint + 4, "...(32)");
	expect_eop(EOP_FETCHED, MAC_ALICE_Y, PEER_IP, ID_A, sizeof(ID_A));

	/* HEAD: the length, and no credential fetch to note. */
	len = resp.len;
	rq.head = 1;
	handle();
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_null(resp.body);
	ck_assert_uint_eq(resp.len, len);
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);

	/* The permanent folder is still the user's as before. */
	req("/p/%s/%s", perm, FILE_ALICE_Y);
	handle();
	expect_rendered();
	ck_assert_int_eq(resp.first_access, 0);
}
END_TEST

/* (b) From any address but the lease's: 404, and an alarm. */
START_TEST(test_fa_other_address)
{
	char fa[TOKEN_LEN + 1];

	fa_enrolled(fa);
	req("/p/%s/%s", fa, FILE_ALICE_Y);
	rq.peer_ip4 = OTHER_IP;
	handle();
	expect_refused(404, REF_FA_LEASE);
	ck_assert_int_eq(resp.first_access, 1);
	expect_mac(MAC_ALICE_Y);
	expect_eop(EOP_REFUSED, MAC_ALICE_Y, OTHER_IP, NULL, 0);
	ck_assert_ptr_nonnull(strstr(resp.eop.detail, FILE_ALICE_Y));
	/* An address that holds a lease, for another phone. */
	put_lease(OTHER_IP, MAC_BOB_Y, LEASE_BOUND, T0 + 3600);
	handle();
	expect_refused(404, REF_FA_LEASE);
	ck_assert_int_eq(resp.eop.kind, EOP_REFUSED);
	/* IPv6: no DHCPv4 lease. */
	rq.peer_ip4 = 0;
	handle();
	expect_refused(404, REF_FA_LEASE);
	/* The phone's own lease, once expired. */
	req("/p/%s/%s", fa, FILE_ALICE_Y);
	rq.now = T0 + 7200;
	handle();
	/* (the window closed first: T0 - 60 + 3600) */
	expect_refused(404, REF_FA_CLOSED);
	put_lease_key(PEER_IP, MAC_ALICE_Y, LEASE_BOUND, T0 + 60, ID_A,
	    sizeof(ID_A));
	rq.now = T0 + 60;
	handle();
	expect_refused(404, REF_FA_LEASE);
	rq.now = T0 + 59;
	handle();
	expect_rendered();
}
END_TEST

/* (c) The lease's MAC is right, its identity is not the bound one. */
START_TEST(test_fa_other_identity)
{
	char fa[TOKEN_LEN + 1], fa2[TOKEN_LEN + 1];

	fa_enrolled(fa);
	put_lease_key(PEER_IP, MAC_ALICE_Y, LEASE_BOUND, T0 + 3600, ID_B,
	    sizeof(ID_B));
	req("/p/%s/%s", fa, FILE_ALICE_Y);
	handle();
	expect_refused(404, REF_FA_LEASE);
	expect_eop(EOP_REFUSED, MAC_ALICE_Y, PEER_IP, NULL, 0);
	ck_assert_ptr_nonnull(strstr(resp.eop.detail, "identity"));
	/* The same key under another kind byte is another identity. */
	{
		uint8_t k[sizeof(ID_A)];

		memcpy(k, ID_A, sizeof(k));
		k[0] = 'H';
		put_lease_key(PEER_IP, MAC_ALICE_Y, LEASE_BOUND, T0 + 3600,
		    k, sizeof(k));
		handle();
		expect_refused(404, REF_FA_LEASE);
		/* A prefix of it, too. */
		put_lease_key(PEER_IP, MAC_ALICE_Y, LEASE_BOUND, T0 + 3600,
		    ID_A, sizeof(ID_A) - 1);
		handle();
		expect_refused(404, REF_FA_LEASE);
	}

	/* A token bound to nobody yet opens for nobody. */
	open_window(MAC_ALICE_Y, FA_OPENED, FA_WINDOW, fa2);
	ck_assert_str_ne(fa, fa2);
	put_lease_key(PEER_IP, MAC_ALICE_Y, LEASE_BOUND, T0 + 3600, ID_A,
	    sizeof(ID_A));
	req("/p/%s/%s", fa2, FILE_ALICE_Y);
	handle();
	expect_refused(404, REF_FA_LEASE);
	/* The first window's token died with the second's opening. */
	req("/p/%s/%s", fa, FILE_ALICE_Y);
	handle();
	expect_refused(404, REF_TOKEN);
}
END_TEST

/* (d) The window's end: open until the second before window_until. */
START_TEST(test_fa_window_closed)
{
	char fa[TOKEN_LEN + 1];

	fa_enrolled(fa);
	req("/p/%s/%s", fa, FILE_ALICE_Y);
	rq.now = FA_OPENED + FA_WINDOW - 1;
	handle();
	expect_rendered();
	rq.now = FA_OPENED + FA_WINDOW;
	handle();
	expect_refused(404, REF_FA_CLOSED);
	expect_eop(EOP_REFUSED, MAC_ALICE_Y, PEER_IP, NULL, 0);
	rq.now = FA_OPENED + FA_WINDOW + 86400;
	handle();
	expect_refused(404, REF_FA_CLOSED);
	ck_assert_ptr_null(resp.body);
}
END_TEST

/* (e) first_access_limit seconds after the first credential fetch. */
START_TEST(test_fa_limit)
{
	char		 fa[TOKEN_LEN + 1];
	struct enroll_op op;
	unsigned	 lim = cfg->prov.enroll.fa_limit;

	ck_assert_uint_eq(lim, 900);	/* the default */
	fa_enrolled(fa);
	req("/p/%s/%s", fa, FILE_ALICE_Y);
	handle();
	expect_rendered();
	op = resp.eop;
	ck_assert_int_eq(op.kind, EOP_FETCHED);
	/* Fetched at T0 + 100; the window alone would last longer. */
	ck_assert_int_eq(apply_op(&op, T0 + 100), 1);
	ck_assert_int_eq(apply_op(&op, T0 + 200), 0);	/* only the first */
	rq.now = T0 + 100 + lim - 1;
	handle();
	expect_rendered();
	rq.now = T0 + 100 + lim;
	handle();
	expect_refused(404, REF_FA_CLOSED);
	ck_assert_int_eq(resp.eop.kind, EOP_REFUSED);
	/* Common files through it close with it. */
	req("/p/%s/y000000000044.cfg", fa);
	rq.now = T0 + 100 + lim;
	handle();
	expect_refused(404, REF_FA_CLOSED);
}
END_TEST

/* (f) The device's own files and its class's common files, nothing else. */
START_TEST(test_fa_only_its_files)
{
	static const char *const not_its[] = {
		FILE_BOB_Y,		/* another user's yealink */
		FILE_ALICE_S,		/* the same user's other phone */
		"805ec0ffffff.cfg",	/* a MAC nobody registered */
		FILE_BOB_A,		/* a legacy phone */
		"snom-805EC0000001.xml",	/* its MAC, snom's rule */
	};
	char fa[TOKEN_LEN + 1];

	fa_enrolled(fa);
	for (size_t i = 0; i < sizeof(not_its) / sizeof(not_its[0]); i++) {
		req("/p/%s/%s", fa, not_its[i]);
		handle();
		expect_refused(404, REF_NOT_USERS);
		ck_assert_int_eq(resp.eop.kind, EOP_NONE);
	}
	/* Its class's common file: served, no credentials in it. */
	req("/p/%s/y000000000044.cfg", fa);
	handle();
	expect_rendered();
	ck_assert_str_eq(resp.body, "# common for yealink\n"
	    "static.firmware.url = " BASE_URL "/static/fw.bin\n");
	ck_assert_int_eq(resp.no_store, 1);
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);
	/* Not another class's common file, even one of the user's... */
	req("/p/%s/aastra.cfg", fa);
	handle();
	expect_refused(404, REF_NOT_FOUND);
	/* ...nor static files (the permanent folder serves those). */
	req("/p/%s/fw.bin", fa);
	handle();
	expect_refused(404, REF_NOT_FOUND);
	ck_assert_int_eq(resp.fd, -1);
	req("/p/%s/nothing-here.cfg", fa);
	handle();
	expect_refused(404, REF_NOT_FOUND);
	/* And its own file, for contrast. */
	req("/p/%s/%s", fa, FILE_ALICE_Y);
	handle();
	expect_rendered();

	/*
	 * Bob has a yealink and an aastra: his yealink's token opens
	 * yealink's common files, not aastra's (the permanent folder has
	 * both).
	 */
	open_window(MAC_BOB_Y, FA_OPENED, FA_WINDOW, fa);
	put_lease_key(OTHER_IP, MAC_BOB_Y, LEASE_BOUND, T0 + 3600, ID_B,
	    sizeof(ID_B));
	bind_identity(MAC_BOB_Y, OTHER_IP, ID_B, sizeof(ID_B));
	req("/p/%s/aastra.cfg", fa);
	rq.peer_ip4 = OTHER_IP;
	handle();
	expect_refused(404, REF_NOT_FOUND);
	req_token("bob", "aastra.cfg");
	rq.peer_ip4 = OTHER_IP;
	handle();
	expect_rendered();
	req("/p/%s/y000000000044.cfg", fa);
	rq.peer_ip4 = OTHER_IP;
	handle();
	expect_rendered();
	ck_assert_str_eq(resp.vendor, "yealink");
}
END_TEST

/* (g) Never over plain HTTP, even from the phone. */
START_TEST(test_fa_plain_http)
{
	char fa[TOKEN_LEN + 1];

	fa_enrolled(fa);
	req("/p/%s/%s", fa, FILE_ALICE_Y);
	rq.tls = 0;
	handle();
	expect_refused(403, REF_PLAIN_HTTP);
	ck_assert_int_eq(resp.first_access, 1);
	req("/p/%s/y000000000044.cfg", fa);
	rq.tls = 0;
	handle();
	expect_refused(403, REF_PLAIN_HTTP);
}
END_TEST

/*
 * (h) The phone's first request with its permanent URL, from its lease
 * under its identity, makes it provisioned; and the first-access token
 * dies with that.
 */
START_TEST(test_fa_permanent_provisions)
{
	struct reg_enroll	e;
	struct enroll_op	op;
	struct mac_addr		m;
	struct reg_txn		txn;
	char			fa[TOKEN_LEN + 1];

	fa_enrolled(fa);
	/* From another address: served (the token is the key), no change. */
	req_token("alice", FILE_ALICE_Y);
	rq.peer_ip4 = OTHER_IP;
	handle();
	expect_rendered();
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);
	/* From an address holding the MAC's lease under another identity. */
	put_lease_key(OTHER_IP, MAC_ALICE_Y, LEASE_BOUND, T0 + 3600, ID_B,
	    sizeof(ID_B));
	handle();
	expect_rendered();
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);
	/* A refused request teaches nothing, even from the lease. */
	req_token("alice", FILE_BOB_Y);
	handle();
	expect_refused(404, REF_NOT_USERS);
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);

	/* From the phone. */
	req_token("alice", FILE_ALICE_Y);
	handle();
	expect_rendered();
	expect_eop(EOP_PROVISIONED, MAC_ALICE_Y, PEER_IP, ID_A, sizeof(ID_A));
	op = resp.eop;
	ck_assert_int_eq(apply_op(&op, T0 + 10), 1);
	get_enroll(MAC_ALICE_Y, &e);
	ck_assert_int_eq(e.state, ENROLL_PROVISIONED);
	ck_assert_int_eq(e.since, T0 + 10);
	ck_assert_str_eq(e.fa_token, "");
	reg_enroll_clear(&e);
	ck_assert_int_eq(mac_parse(MAC_ALICE_Y, &m), 0);

	/* Once is enough. */
	handle();
	expect_rendered();
	ck_assert_int_eq(resp.eop.kind, EOP_NONE);

	/*
	 * The first-access token is dead. Provisioning dropped it, and with
	 * it its fa_tokens entry (registry.h: the index follows the token),
	 * so it is nobody's token now: the refusal is REF_TOKEN, the 404 of
	 * any unknown token, not REF_FA_CLOSED (which needs the record to be
	 * found through the token).
	 */
	req("/p/%s/%s", fa, FILE_ALICE_Y);
	handle();
	expect_refused(404, REF_TOKEN);
	ck_assert_int_eq(resp.first_access, 0);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	ck_assert_int_eq(reg_fa_lookup(&txn, fa, strlen(fa), &m),
	    REG_NOTFOUND);
	reg_txn_abort(&txn);
}
END_TEST

/*
 * Before it is provisioned but after its window closed (and swept), or
 * closed by the admin, the token is as dead.
 */
START_TEST(test_fa_closed_by_admin)
{
	struct reg_txn		txn;
	struct reg_event	ev;
	struct mac_addr		m;
	char			fa[TOKEN_LEN + 1];

	fa_enrolled(fa);
	ck_assert_int_eq(mac_parse(MAC_ALICE_Y, &m), 0);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 0), 0);
	ck_assert_int_eq(enroll_close(&txn, &m, T0, &ev), 1);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
	req("/p/%s/%s", fa, FILE_ALICE_Y);
	handle();
	expect_refused(404, REF_TOKEN);
	ck_assert_ptr_null(resp.body);
}
END_TEST

/*
 * A token class with client_cert = true: the phone's own file answers
 * only a verified certificate naming its MAC, the permanent token or not.
 */
START_TEST(test_token_client_cert)
{
	struct mac_addr right, wrong;

	ck_assert_int_eq(mac_parse(MAC_DAVE_T, &right), 0);
	ck_assert_int_eq(mac_parse("64:16:7f:00:00:0e", &wrong), 0);
	req_token("dave", FILE_DAVE_T);
	handle();
	expect_refused(404, REF_CERT_MISSING);
	ck_assert_str_eq(resp.user, "dave");
	ck_assert_str_eq(resp.vendor, "tcert");

	rq.cert_present = 1;
	rq.cert_has_mac = 1;
	rq.cert_mac = right;
	handle();
	expect_refused(404, REF_CERT_CA);

	rq.cert_verified = 1;
	rq.cert_mac = wrong;
	handle();
	expect_refused(404, REF_CERT_MAC);

	rq.cert_mac = right;
	handle();
	expect_rendered();
	ck_assert_str_eq(resp.body, "user=204\npassword=pw-dave\n");
	ck_assert_int_eq(resp.no_store, 1);
	expect_mac(MAC_DAVE_T);
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

/* Parses cfg's templates afresh; NULL with the first error in err. */
static struct settings_templates *
reload_templates(char *err, size_t errsz)
{
	struct settings_templates	*ts;
	struct cfg_errors		 errs;

	memset(&errs, 0, sizeof(errs));
	err[0] = '\0';
	if ((ts = settings_templates_load(cfg, &errs)) == NULL)
		cfg_error_format(&errs.v[0], err, errsz);
	cfg_errors_free(&errs);
	return ts;
}

START_TEST(test_templates_load)
{
	struct prov_templates	*t;
	char			 err[512], *path, *big;

	prov_templates_free(NULL);
	/* provisiond serves what cfg_load() parsed and checked. */
	ck_assert_ptr_nonnull(cfg->templates);
	ck_assert_ptr_nonnull(t = prov_templates_load(cfg, err, sizeof(err)));
	prov_templates_free(t);
	/* At most 1 MiB: exactly 1 MiB loads, one byte more does not. */
	ck_assert_ptr_nonnull(big = malloc((1 << 20) + 1));
	memset(big, 'x', (1 << 20) + 1);
	write_in("templates", "cert.cfg", big, 1 << 20);
	settings_templates_free(reload_templates(err, sizeof(err)));
	ck_assert_msg(err[0] == '\0', "%s", err);
	write_in("templates", "cert.cfg", big, (1 << 20) + 1);
	free(big);
	ck_assert_ptr_null(reload_templates(err, sizeof(err)));
	ck_assert_msg(strstr(err, "the templates pass 1048576 bytes") != NULL,
	    "%s", err);

	/* A missing template names its path. */
	path = in_dir("templates", "cert.cfg");
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_ptr_null(reload_templates(err, sizeof(err)));
	ck_assert_msg(strstr(err, path) != NULL, "%s", err);
	free(path);

	/* A misspelt name names the file and the line. */
	write_in("templates", "cert.cfg", "a\n{{sip.pasword}}\n", 18);
	ck_assert_ptr_null(reload_templates(err, sizeof(err)));
	ck_assert_msg(strstr(err, "cert.cfg:2: unknown name 'sip.pasword'") !=
	    NULL, "%s", err);
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
		[REF_FA_CLOSED] = "first-access-closed",
		[REF_FA_LEASE] = "first-access-lease",
		[REF_NOT_ENROLLED] = "not-enrolled",
		[REF_IDENTITY] = "identity",
		[REF_ROTATED] = "rotated",
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
	tcase_add_test(tc, test_token_client_cert);
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
	tcase_add_test(tc, test_legacy_bootstrap_lease);
	tcase_add_test(tc, test_legacy_needs_enrollment);
	tcase_add_test(tc, test_legacy_suspect_unbound);
	tcase_add_test(tc, test_legacy_no_oracle);
	suite_add_tcase(s, tc);

	tc = tcase_create("first-access");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fa_serves_enrolled_phone);
	tcase_add_test(tc, test_fa_other_address);
	tcase_add_test(tc, test_fa_other_identity);
	tcase_add_test(tc, test_fa_window_closed);
	tcase_add_test(tc, test_fa_limit);
	tcase_add_test(tc, test_fa_only_its_files);
	tcase_add_test(tc, test_fa_plain_http);
	tcase_add_test(tc, test_fa_permanent_provisions);
	tcase_add_test(tc, test_fa_closed_by_admin);
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
