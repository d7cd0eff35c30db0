/*
 * check_server.c - the DHCP server's decisions (RFC 2131 4.3) and the
 * options of its replies: address choice, SELECTING, INIT-REBOOT,
 * RENEWING and REBINDING, DECLINE, RELEASE, INFORM, relays, reply
 * destinations, the parameter request list, vendor classes and the
 * provisioning options they carry.
 *
 * Every test runs the real pieces end to end: a config loaded from text,
 * a registry in a scratch directory synced from it, the LMDB lease view,
 * requests built and parsed by the codec, and replies built and parsed
 * back. A decided lease is stored before the next message, as the daemon
 * does.
 */
#include "config.h"

#include <time.h>

#include "testutil.h"

#include "admit.h"
#include "cfg.h"
#include "enroll.h"
#include "leasedb.h"
#include "packet.h"
#include "registry.h"
#include "server.h"
#include "sync.h"

#define IP4(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			    (uint32_t)(c) << 8 | (uint32_t)(d))
#define SERVER_IP	IP4(10, 42, 0, 1)
#define T0		((time_t)1700000000)
#define OPTIONS_START	240	/* fixed header and magic cookie */

#define ck_assert_ip_eq(got, want) do {					\
	char		 ip_g_[IP4_STR_LEN], ip_w_[IP4_STR_LEN];	\
	uint32_t	 ip_gv_ = (got), ip_wv_ = (want);		\
									\
	ck_assert_msg(ip_gv_ == ip_wv_, "%s is %s, expected %s", #got,	\
	    ip4_format(ip_gv_, ip_g_), ip4_format(ip_wv_, ip_w_));	\
} while (0)

/*
 * The office: subnet A on the interface (pool .100-.<end>, one reservation
 * outside the pool and one inside), subnet B behind a relay.
 */
static const char cfg_fmt[] =
    "registry = { path = \"reg\"; sync = false; };\n"
    "dhcp = {\n"
    "  authoritative = %s;\n"
    "  lease_time = 3600; min_lease_time = 300; max_lease_time = 86400;\n"
    "  decline_time = 86400; offer_time = 60;\n"
    "%s"
    "  options = ( { name = \"ntp-servers\"; value = [ \"10.42.0.1\" ]; } );\n"
    "  subnets = (\n"
    "    { subnet = \"10.42.0.0/24\";\n"
    "      pools = ( { start = \"10.42.0.100\"; end = \"%s\"; } );\n"
    "      routers = [ \"10.42.0.1\" ];\n"
    "      dns = [ \"10.42.0.1\", \"10.42.0.2\" ];\n"
    "      domain = \"office.lan\";\n"
    "      reservations = (\n"
    "        { mac = \"02:00:00:00:aa:01\"; ip = \"10.42.0.20\";\n"
    "          hostname = \"reception\"; },\n"
    "        { mac = \"02:00:00:00:aa:02\"; ip = \"10.42.0.102\"; }\n"
    "      ); },\n"
    "    { subnet = \"10.43.0.0/24\";\n"
    "      pools = ( { start = \"10.43.0.50\"; end = \"10.43.0.59\"; } );\n"
    "      routers = [ \"10.43.0.1\" ]; }\n"
    "  );\n"
    "};\n"
    "provisioning = {\n"
    "  listen = [ \"127.0.0.1:8443\" ];\n"
    "  base_url = \"https://10.42.0.1\";\n"
    "  tls = { cert = \"server.crt\"; key = \"server.key\"; };\n"
    "};\n"
    /* snom comes before gigaset: Option 60 must still beat snom's OUI. */
    "vendors = (\n"
    "  { name = \"snom\";\n"
    "    match = { vendor_class_prefix = [ \"snom\" ];\n"
    "              oui = [ \"00:04:13\" ]; };\n"
    "    mode = \"token\";\n"
    "    options = (\n"
    "      { code = 66; value = \"${base_url}\"; },\n"
    "      { code = 67; value = \"p/${token}/snom${model}-${MAC}.htm\"; },\n"
    "      { code = 43; suboptions = (\n"
    "          { code = 66; value = \"${base_url}\"; },\n"
    "          { code = 67; value = \"p/${token}/snom${model}.htm\"; } ); }\n"
    "    ); },\n"
    "  { name = \"gigaset\";\n"
    "    match = { vendor_class_prefix = [ \"Gigaset\", \"N510\" ];\n"
    "              oui = [ \"7c:2f:80\" ]; };\n"
    "    options = (\n"
    "      { code = 114; value = \"${base_url}/p/${token}/\"; } ); },\n"
    "  { name = \"yealink\";\n"
    "    match = { vendor_class_prefix = [ \"yealink\" ];\n"
    "              oui = [ \"80:5e:c0\" ]; };\n"
    "    options = ( { code = 66; value = \"${base_url}/p/${token}/\"; } );\n"
    "    unregistered = (\n"
    "      { code = 66; value = \"${base_url}/boot/${mac}.cfg\"; } ); },\n"
    "  { name = \"polycom\";\n"
    "    match = { vendor_class_prefix = [ \"Polycom-\" ];\n"
    "              vendor_class_substring = [ \"Polycom\" ];\n"
    "              oui = [ \"00:04:f2\" ]; };\n"
    "    options = (\n"
    "      { code = 160; value = \"${base_url}/p/${token}/\"; },\n"
    "      { code = 66; value = \"${base_url}/p/${token}/\"; } ); },\n"
    "  { name = \"cisco\";\n"
    "    match = { vendor_class_exact =\n"
    "                [ \"Cisco Systems, Inc. IP Phone CP-7960G\" ];\n"
    "              vendor_class_prefix = [ \"CP-\" ]; };\n"
    "    options = (\n"
    "      { code = 66; value = \"${base_url}/p/${token}/\"; },\n"
    "      { code = 150; value = [ \"10.42.0.9\", \"${server_ip}\" ]; } ); },\n"
    "  { name = \"aastra\";\n"
    "    match = { vendor_class_exact = [ \"ipphone.mitel.com\" ];\n"
    "              oui = [ \"00:08:5d\" ]; };\n"
    "    mode = \"legacy\";\n"
    "    options = (\n"
    "      { code = 66; value = \"${base_url}/prov/${MAC}.cfg\"; } );\n"
    "    unregistered = ( { code = 66; value = \"${base_url}/prov/\"; } ); },\n"
    "  { name = \"other\"; default = true; }\n"
    ");\n"
    "users = (\n"
    "  { name = \"alice\";\n"
    "    sip = { user = \"201\"; password = \"pw-a\";\n"
    "            server = \"10.42.0.1\"; };\n"
    "    devices = ( { mac = \"80:5e:c0:00:00:01\"; vendor = \"yealink\";\n"
    "                  model = \"T46S\"; } ); },\n"
    "  { name = \"bob\";\n"
    "    sip = { user = \"202\"; password = \"pw-b\";\n"
    "            server = \"10.42.0.1\"; };\n"
    "    devices = ( { mac = \"00:04:13:20:00:02\"; vendor = \"snom\";\n"
    "                  model = \"D785\"; } ); },\n"
    "  { name = \"carol\";\n"
    "    sip = { user = \"203\"; password = \"pw-c\";\n"
    "            server = \"10.42.0.1\"; };\n"
    "    devices = (\n"
    "      { mac = \"00:1b:54:00:00:03\"; vendor = \"cisco\";\n"
    "        model = \"CP-7960G\"; },\n"
    "      { mac = \"00:04:f2:00:00:04\"; vendor = \"polycom\";\n"
    "        model = \"VVX310\"; },\n"
    "      { mac = \"00:08:5d:00:00:05\"; vendor = \"aastra\";\n"
    "        model = \"6737i\"; }\n"
    "    ); }\n"
    ");\n";

/* Pool ends: 41 addresses (40 dynamic), or 4 (3 dynamic). */
#define POOL_MAIN	"10.42.0.140"
#define POOL_SMALL	"10.42.0.103"

#define MAC_RES_OUT	"02:00:00:00:aa:01"	/* reserved 10.42.0.20 */
#define MAC_RES_IN	"02:00:00:00:aa:02"	/* reserved 10.42.0.102 */
#define MAC_A		"02:00:00:00:00:0a"
#define MAC_B		"02:00:00:00:00:0b"
#define MAC_C		"02:00:00:00:00:0c"
#define MAC_D		"02:00:00:00:00:0d"
#define MAC_ALICE	"80:5e:c0:00:00:01"	/* yealink */
#define MAC_BOB		"00:04:13:20:00:02"	/* snom D785 */
#define MAC_CISCO	"00:1b:54:00:00:03"	/* carol's */
#define MAC_POLY	"00:04:f2:00:00:04"	/* carol's */
#define MAC_AASTRA	"00:08:5d:00:00:05"	/* carol's */

/*
 * More dhcp settings for a test (start() reads it). The defaults of the
 * reserve and of conflict detection would change what most tests count,
 * so they are off unless a test turns them on.
 */
#define DHCP_EXTRA	"  reserve = 0; conflict_check = false;\n"
static const char		*dhcp_extra = DHCP_EXTRA;
static struct admit		*adm;	/* admission limits, when used */

static char			*dir;
static struct cfg		*cfg;
static struct reg		*reg;
static struct leasedb		*ldb;
static struct lease_view	 view;
static time_t			 now;
static uint32_t			 xid;
static const uint32_t		 if_addrs[] = { SERVER_IP };
/* The receiving interface's addresses (a test may move the server). */
static const uint32_t		*rx_addrs = if_addrs;

/* Several KB each: never on the stack. */
static struct dhcp_msg		*msg;	/* the request, parsed */
static struct dhcp_decision	*dec;
static struct dhcp_msg		*rep;	/* the reply, parsed back */
static uint8_t			 repbuf[1500];
static int			 replen;

/* The request being written. */
static struct {
	struct dhcp_hdr		 hdr;
	struct dhcp_out_opt	 opts[24];
	size_t			 nopts;
	uint8_t			 data[2048];
	size_t			 datalen;
	int			 unicast;
	uint32_t		 src_ip;
} rq;

static void
setup(void)
{
	dir = tu_mkdtemp();
	ck_assert_ptr_nonnull(msg = calloc(1, sizeof(*msg)));
	ck_assert_ptr_nonnull(dec = calloc(1, sizeof(*dec)));
	ck_assert_ptr_nonnull(rep = calloc(1, sizeof(*rep)));
	now = T0;
	xid = 0x1000;
}

static void
teardown(void)
{
	leasedb_free(ldb);
	ldb = NULL;
	admit_free(adm);
	adm = NULL;
	dhcp_extra = DHCP_EXTRA;
	reg_close(reg);
	reg = NULL;
	cfg_free(cfg);
	cfg = NULL;
	free(msg);
	free(dec);
	free(rep);
	tu_rmtree(dir);
	dir = NULL;
}

static void
ldb_open(void)
{
	char err[512];

	if ((ldb = leasedb_new(reg, cfg, err, sizeof(err))) == NULL)
		ck_abort_msg("leasedb_new: %s", err);
	ck_assert_int_eq(leasedb_begin(ldb), 0);
	leasedb_view(ldb, &view);
	if (adm != NULL) {
		view.admit = admit_check;
		view.admit_arg = adm;
	}
}

/* Turns on the config's admission limits for the rest of the test. */
static void
use_admit(void)
{
	ck_assert_ptr_nonnull(adm = admit_new(&cfg->dhcp.limits));
	view.admit = admit_check;
	view.admit_arg = adm;
}

/* Loads the office config, opens and syncs the registry, opens the view. */
static void
start(int authoritative, const char *pool_end)
{
	struct cfg_errors	 errs;
	struct reg_sync_stats	 st;
	char			*text, *path, err[512], line[512];

	ck_assert(asprintf(&text, cfg_fmt, authoritative ? "true" : "false",
	    dhcp_extra, pool_end) > 0);
	path = tu_write(dir, "provbox.conf", text);
	free(text);
	if (cfg_load(path, CFG_NO_FILE_CHECKS, &cfg, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", cfg_error_format(&errs.v[i],
			    line, sizeof(line)));
		cfg_errors_free(&errs);
		ck_abort_msg("the test config does not load");
	}
	free(path);
	ck_assert(asprintf(&path, "%s/reg", dir) > 0);
	if (reg_open(path, 16 << 20, REG_NOSYNC, &reg, err, sizeof(err)) != 0)
		ck_abort_msg("reg_open: %s", err);
	free(path);
	if (reg_sync(reg, cfg, T0, &st, err, sizeof(err)) != 0)
		ck_abort_msg("reg_sync: %s", err);
	ck_assert_uint_eq(st.users_added, 3);
	ck_assert_uint_eq(st.devices_added, 5);
	ldb_open();
}

static void
start_main(void)
{
	start(1, POOL_MAIN);
}

/* Commits the batch and starts a new process's lease view. */
static void
restart(void)
{
	ck_assert_int_eq(leasedb_commit(ldb), 0);
	leasedb_free(ldb);
	ldb_open();
}

/* Appends an option to the request being written. */
static void
req_opt(uint8_t code, const void *data, size_t len)
{
	ck_assert_uint_lt(rq.nopts, sizeof(rq.opts) / sizeof(rq.opts[0]));
	ck_assert_uint_le(rq.datalen + len, sizeof(rq.data));
	memcpy(rq.data + rq.datalen, data, len);
	rq.opts[rq.nopts].code = code;
	rq.opts[rq.nopts].len = (uint16_t)len;
	rq.opts[rq.nopts].data = rq.data + rq.datalen;
	rq.datalen += len;
	rq.nopts++;
}

/* Starts a request of type (0: none, i.e. BOOTP) from mac. */
static void
req(uint8_t type, const char *mac)
{
	struct mac_addr m;

	memset(&rq, 0, sizeof(rq));
	rq.hdr.op = BOOTREQUEST;
	rq.hdr.htype = 1;
	rq.hdr.hlen = 6;
	rq.hdr.xid = ++xid;
	ck_assert_int_eq(mac_parse(mac, &m), 0);
	memcpy(rq.hdr.chaddr, m.b, 6);
	if (type != 0)
		req_opt(DHO_MSG_TYPE, &type, 1);
}

static void
req_u32(uint8_t code, uint32_t v)
{
	uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };

	req_opt(code, b, 4);
}

static void
req_u16(uint8_t code, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v };

	req_opt(code, b, 2);
}

static void
req_str(uint8_t code, const char *s)
{
	req_opt(code, s, strlen(s));
}

/*
 * Builds and parses the request, decides, stores the decided lease (as
 * the daemon does before it sends), and builds and parses the reply.
 */
static unsigned	 link_mtu;	/* the receiving interface's, 0: unknown */

static enum dhcp_action
decide(void)
{
	uint8_t		 buf[1500];
	struct dhcp_rx	 rx;
	unsigned	 omitted;
	int		 len;

	len = dhcp_build(&rq.hdr, rq.opts, rq.nopts, buf, sizeof(buf),
	    &omitted);
	ck_assert_int_gt(len, 0);
	ck_assert_uint_eq(omitted, 0);
	ck_assert_int_eq(dhcp_parse(buf, (size_t)len, msg), DHCP_P_OK);
	memset(&rx, 0, sizeof(rx));
	rx.ifname = "pb0";
	rx.if_addrs = rx_addrs;
	rx.nif_addrs = 1;
	rx.src_ip = rq.src_ip;
	rx.unicast = rq.unicast;
	rx.mtu = link_mtu;
	memset(dec, 0xa5, sizeof(*dec));	/* no stale decision */
	dhcp_decide(cfg, &view, msg, &rx, now, dec);
	if (dec->write_lease)
		ck_assert_int_eq(leasedb_store(ldb, &dec->lease), 0);
	/* What enrollment learnt, in the same transaction, as dhcpd does. */
	if (dec->eop.kind != EOP_NONE) {
		struct reg_event ev;

		ck_assert_int_ge(leasedb_enroll(ldb, &dec->eop, now, &ev), 0);
	}
	replen = 0;
	if (dec->action != DA_REPLY)
		return dec->action;
	ck_assert_uint_eq(dec->drop, DROP_NONE);
	replen = dhcp_build(&dec->hdr, dec->opts, dec->nopts, repbuf,
	    dec->max_size, &omitted);
	ck_assert_int_gt(replen, 0);
	ck_assert_int_le(replen, dec->max_size);
	ck_assert_uint_eq(omitted, 0);
	ck_assert_int_eq(dhcp_parse(repbuf, (size_t)replen, rep), DHCP_P_OK);
	ck_assert_uint_eq(rep->op, BOOTREPLY);
	ck_assert_uint_eq(rep->xid, rq.hdr.xid);
	ck_assert_mem_eq(rep->chaddr, rq.hdr.chaddr, 16);
	ck_assert_uint_eq(rep->msgtype, dec->type);
	return dec->action;
}

/* Asserts a silent drop for why, with nothing stored. */
static void
expect_drop(enum dhcp_drop why)
{
	ck_assert_msg(dec->action == DA_DROP && dec->drop == why,
	    "action %d drop '%s', expected a drop for '%s'", dec->action,
	    dhcp_drop_str(dec->drop), dhcp_drop_str(why));
	ck_assert_int_eq(dec->write_lease, 0);
}

static void
expect_reply(uint8_t type)
{
	ck_assert_msg(dec->action == DA_REPLY, "no reply: action %d, drop "
	    "'%s'", dec->action, dhcp_drop_str(dec->drop));
	ck_assert_msg(dec->type == type, "reply is %s, expected %s",
	    dhcp_msgtype_str(dec->type), dhcp_msgtype_str(type));
}

static uint32_t
reply_u32(uint8_t code)
{
	uint32_t v;

	ck_assert_msg(dhcp_opt_u32(rep, code, &v) == 0, "option %u is "
	    "missing or not 4 bytes", code);
	return v;
}

static int
reply_has(uint8_t code)
{
	size_t len;

	return dhcp_opt_get(rep, code, &len) != NULL;
}

static void
reply_bytes_eq(uint8_t code, const void *want, size_t wantlen)
{
	const uint8_t	*p;
	size_t		 len;

	ck_assert_msg((p = dhcp_opt_get(rep, code, &len)) != NULL,
	    "option %u is missing", code);
	ck_assert_msg(len == wantlen, "option %u is %zu bytes, expected %zu",
	    code, len, wantlen);
	ck_assert_mem_eq(p, want, wantlen);
}

static void
reply_str_eq(uint8_t code, const char *want)
{
	const uint8_t	*p;
	size_t		 len;

	ck_assert_msg((p = dhcp_opt_get(rep, code, &len)) != NULL,
	    "option %u is missing", code);
	ck_assert_msg(len == strlen(want) && memcmp(p, want, len) == 0,
	    "option %u is \"%.*s\", expected \"%s\"", code, (int)len, p,
	    want);
}

/* The option codes of the reply's options field, in wire order. */
static size_t
reply_codes(uint8_t *codes, size_t max)
{
	size_t n = 0, i = OPTIONS_START;

	while (i < (size_t)replen && repbuf[i] != DHO_END) {
		if (repbuf[i] == DHO_PAD) {
			i++;
			continue;
		}
		ck_assert_uint_lt(i + 1, (size_t)replen);
		if (n < max)
			codes[n++] = repbuf[i];
		i += 2u + repbuf[i + 1];
	}
	ck_assert_msg(i < (size_t)replen, "the reply has no END");
	return n;
}

static int
lease_get(uint32_t ip, struct reg_lease *l)
{
	return view.get(view.arg, ip, l);
}

/* DISCOVER from mac (client identifier cid, if any): the offered address. */
static uint32_t
offer_id(const char *mac, const char *cid)
{
	req(DHCPDISCOVER, mac);
	if (cid != NULL)
		req_str(DHO_CLIENT_ID, cid);
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_uint_ne(rep->yiaddr, 0);
	return rep->yiaddr;
}

static uint32_t
offer(const char *mac)
{
	return offer_id(mac, NULL);
}

/* SELECTING: REQUEST for ip with our server identifier. */
static void
select_req(const char *mac, const char *cid, uint32_t ip)
{
	req(DHCPREQUEST, mac);
	if (cid != NULL)
		req_str(DHO_CLIENT_ID, cid);
	req_u32(DHO_SERVER_ID, SERVER_IP);
	req_u32(DHO_REQUESTED_ADDR, ip);
	decide();
}

/* SELECTING, asking for lease time lt (option 51). */
static void
select_lt(const char *mac, uint32_t ip, uint32_t lt)
{
	req(DHCPREQUEST, mac);
	req_u32(DHO_SERVER_ID, SERVER_IP);
	req_u32(DHO_REQUESTED_ADDR, ip);
	req_u32(DHO_LEASE_TIME, lt);
	decide();
}

/* DISCOVER, OFFER, REQUEST, ACK: the bound address. */
static uint32_t
dora_id(const char *mac, const char *cid)
{
	uint32_t ip = offer_id(mac, cid);

	select_req(mac, cid, ip);
	expect_reply(DHCPACK);
	ck_assert_ip_eq(rep->yiaddr, ip);
	return ip;
}

static uint32_t
dora(const char *mac)
{
	return dora_id(mac, NULL);
}

/* A MAC made from a number, for crowds of clients. */
static const char *
mac_n(unsigned n)
{
	static char s[MAC_STR_LEN];

	snprintf(s, sizeof(s), "02:00:00:01:%02x:%02x", (n >> 8) & 0xff,
	    n & 0xff);
	return s;
}

/* The user's token, read from the registry outside the lease batch. */
/*
 * Opens an enrollment window of 600 s for mac (as provboxctl enroll) and
 * returns the device's first-access token.
 */
static void
enroll_dev(const char *mac, char fa[TOKEN_LEN + 1])
{
	struct reg_txn		 txn;
	struct reg_event	 ev;
	struct reg_enroll	 e;
	struct mac_addr		 m;
	int			 suspect;

	ck_assert_int_eq(mac_parse(mac, &m), 0);
	ck_assert_int_eq(leasedb_commit(ldb), 0);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 0), 0);
	ck_assert_int_eq(enroll_open(&txn, &m, now, 600, &suspect, &ev), 1);
	ck_assert_int_eq(ev.kind, EV_WINDOW_OPENED);
	ck_assert_int_eq(reg_enroll_get(&txn, &m, &e), 0);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
	ck_assert_uint_eq(strlen(e.fa_token), TOKEN_LEN);
	memcpy(fa, e.fa_token, TOKEN_LEN + 1);
	reg_enroll_clear(&e);
	ck_assert_int_eq(leasedb_begin(ldb), 0);
}

/* The device's enrollment record, read in the batch. */
static int
enroll_get(const char *mac, struct reg_enroll *e)
{
	struct mac_addr m;

	ck_assert_int_eq(mac_parse(mac, &m), 0);
	return view.enroll(view.arg, &m, e);
}

static void
user_token(const char *name, char tok[TOKEN_LEN + 1])
{
	struct reg_txn	txn;
	struct reg_user	u;

	ck_assert_int_eq(leasedb_commit(ldb), 0);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	ck_assert_int_eq(reg_user_get(&txn, name, &u), 0);
	reg_txn_abort(&txn);
	ck_assert_uint_eq(strlen(u.token), TOKEN_LEN);
	memcpy(tok, u.token, TOKEN_LEN + 1);
	reg_user_clear(&u);
	ck_assert_int_eq(leasedb_begin(ldb), 0);
}

static void
revoke_token(const char *name)
{
	struct reg_txn	txn;
	struct reg_user	u;

	ck_assert_int_eq(leasedb_commit(ldb), 0);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 0), 0);
	ck_assert_int_eq(reg_user_get(&txn, name, &u), 0);
	u.token[0] = '\0';
	ck_assert_int_eq(reg_user_put(&txn, &u), 0);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
	reg_user_clear(&u);
	ck_assert_int_eq(leasedb_begin(ldb), 0);
}

/* ---- DHCPDISCOVER (RFC 2131 4.3.1) ---- */

START_TEST(test_discover_offer)
{
	struct reg_lease l;

	start_main();
	req(DHCPDISCOVER, MAC_A);
	ck_assert_int_eq(decide(), DA_REPLY);
	expect_reply(DHCPOFFER);
	/* A fresh client gets the first free pool address. */
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 100));
	ck_assert_ip_eq(rep->ciaddr, 0);
	ck_assert_uint_eq(reply_u32(DHO_SERVER_ID), SERVER_IP);
	ck_assert_uint_eq(dec->server_id, SERVER_IP);
	/* Table 3: 51 in an OFFER; T1 = 0.5 and T2 = 0.875 of it (4.4.5). */
	ck_assert_uint_eq(reply_u32(DHO_LEASE_TIME), 3600);
	ck_assert_uint_eq(reply_u32(DHO_T1), 1800);
	ck_assert_uint_eq(reply_u32(DHO_T2), 3150);
	ck_assert_ip_eq(reply_u32(DHO_SUBNET_MASK), IP4(255, 255, 255, 0));
	reply_bytes_eq(DHO_ROUTERS, "\x0a\x2a\x00\x01", 4);
	/* The OFFER holds the address for offer_time. */
	ck_assert_int_eq(dec->write_lease, 1);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_OFFERED);
	ck_assert_int_eq(l.expire, now + 60);
	ck_assert_uint_eq(l.client_key_len, 8);
	ck_assert_uint_eq(l.client_key[0], 'H');
	ck_assert_mem_eq(l.chaddr, "\x02\x00\x00\x00\x00\x0a", 6);
}
END_TEST

START_TEST(test_discover_reservation_first)
{
	start_main();
	/* A reservation beats the requested address (4.3.1). */
	req(DHCPDISCOVER, MAC_RES_OUT);
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 42, 0, 110));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 20));
	/* A reservation inside the pool. */
	ck_assert_ip_eq(offer(MAC_RES_IN), IP4(10, 42, 0, 102));
	/* And after DORA the reserved client is bound there. */
	ck_assert_ip_eq(dora(MAC_RES_OUT), IP4(10, 42, 0, 20));
	/* Its reservation names it, whether it asked or not. */
	reply_str_eq(DHO_HOST_NAME, "reception");
	offer(MAC_RES_IN);
	ck_assert(!reply_has(DHO_HOST_NAME));
}
END_TEST

START_TEST(test_discover_current_lease)
{
	struct reg_lease l;

	start_main();
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	/* The current binding beats option 50 (4.3.1). */
	req(DHCPDISCOVER, MAC_A);
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 42, 0, 130));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 100));
	/* A live binding is not turned back into an offer. */
	ck_assert_int_eq(dec->write_lease, 0);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_BOUND);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 130), &l), REG_NOTFOUND);
}
END_TEST

START_TEST(test_discover_returning_client)
{
	start_main();
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	restart();
	/* Long after the lease ended, another client comes first... */
	now += 5 * 3600;
	ck_assert_ip_eq(offer(MAC_B), IP4(10, 42, 0, 101));
	restart();
	/* ...and the returning client still gets its old address. */
	ck_assert_ip_eq(offer(MAC_A), IP4(10, 42, 0, 100));
	select_req(MAC_A, NULL, IP4(10, 42, 0, 100));
	expect_reply(DHCPACK);
}
END_TEST

START_TEST(test_discover_requested_address)
{
	start_main();
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	/* Option 50, free and in the pool: granted. */
	req(DHCPDISCOVER, MAC_B);
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 42, 0, 130));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 130));
	/* Another client's address: a pool address instead. */
	req(DHCPDISCOVER, MAC_C);
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 42, 0, 100));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 101));
	/* Someone else's reservation, in or outside the pool: no. */
	req(DHCPDISCOVER, MAC_D);
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 42, 0, 102));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 103));
	req(DHCPDISCOVER, mac_n(1));
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 42, 0, 20));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 104));
	/* In the subnet but outside the pools: not ours to give. */
	req(DHCPDISCOVER, mac_n(2));
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 42, 0, 50));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 105));
	/* Another network altogether. */
	req(DHCPDISCOVER, mac_n(3));
	req_u32(DHO_REQUESTED_ADDR, IP4(192, 168, 1, 130));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 106));
}
END_TEST

START_TEST(test_discover_offer_holds_address)
{
	uint32_t a, b;

	start_main();
	a = offer(MAC_A);
	b = offer(MAC_B);
	ck_assert_ip_eq(a, IP4(10, 42, 0, 100));
	ck_assert_ip_eq(b, IP4(10, 42, 0, 101));
	/* Asking for the held address does not take it. */
	req(DHCPDISCOVER, MAC_C);
	req_u32(DHO_REQUESTED_ADDR, a);
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_uint_ne(rep->yiaddr, a);
	ck_assert_uint_ne(rep->yiaddr, b);
	/* A repeated DISCOVER gets the same offer. */
	ck_assert_ip_eq(offer(MAC_A), a);
}
END_TEST

START_TEST(test_discover_lease_time_clamped)
{
	static const struct {
		uint32_t	 asked;
		uint32_t	 given;
	} cases[] = {
		{ 60, 300 },		/* min_lease_time */
		{ 7200, 7200 },
		{ 1000000, 86400 },	/* max_lease_time */
		{ 0xffffffff, 86400 },	/* "infinity" is clamped too */
	};

	start_main();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req(DHCPDISCOVER, mac_n((unsigned)i));
		req_u32(DHO_LEASE_TIME, cases[i].asked);
		decide();
		expect_reply(DHCPOFFER);
		ck_assert_uint_eq(reply_u32(DHO_LEASE_TIME), cases[i].given);
		ck_assert_uint_eq(reply_u32(DHO_T1), cases[i].given / 2);
		ck_assert_uint_eq(reply_u32(DHO_T2),
		    (uint32_t)((uint64_t)cases[i].given * 7 / 8));
	}
	/* The ACK binds for what the REQUEST asks, clamped... */
	select_lt(mac_n(0), IP4(10, 42, 0, 100), 10);
	expect_reply(DHCPACK);
	ck_assert_uint_eq(reply_u32(DHO_LEASE_TIME), 300);
	ck_assert_int_eq(dec->lease.expire, now + 300);
	/* ...or for the default when it asks for nothing. */
	select_req(mac_n(1), NULL, IP4(10, 42, 0, 101));
	expect_reply(DHCPACK);
	ck_assert_uint_eq(reply_u32(DHO_LEASE_TIME), 3600);
	ck_assert_int_eq(dec->lease.expire, now + 3600);
}
END_TEST

/* ---- DHCPREQUEST in SELECTING (RFC 2131 4.3.2) ---- */

START_TEST(test_request_selecting_ack)
{
	struct reg_lease l;

	start_main();
	ck_assert_ip_eq(offer(MAC_A), IP4(10, 42, 0, 100));
	now += 2;
	select_req(MAC_A, NULL, IP4(10, 42, 0, 100));
	expect_reply(DHCPACK);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 100));
	ck_assert_ip_eq(rep->ciaddr, 0);
	ck_assert_uint_eq(reply_u32(DHO_SERVER_ID), SERVER_IP);
	ck_assert_uint_eq(reply_u32(DHO_LEASE_TIME), 3600);
	ck_assert_uint_eq(reply_u32(DHO_T1), 1800);
	ck_assert_uint_eq(reply_u32(DHO_T2), 3150);
	ck_assert_int_eq(dec->dest, DEST_HWADDR);
	/* The binding is stored, and survives a restart. */
	restart();
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_BOUND);
	ck_assert_int_eq(l.start, now);
	ck_assert_int_eq(l.expire, now + 3600);
	ck_assert_mem_eq(l.chaddr, "\x02\x00\x00\x00\x00\x0a", 6);
}
END_TEST

START_TEST(test_request_other_server)
{
	struct reg_lease l;

	start_main();
	ck_assert_ip_eq(offer(MAC_A), IP4(10, 42, 0, 100));
	/* The client chose another server's offer: stay silent. */
	req(DHCPREQUEST, MAC_A);
	req_u32(DHO_SERVER_ID, IP4(10, 42, 0, 2));
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 42, 0, 200));
	decide();
	expect_drop(DROP_OTHER_SERVER);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_OFFERED);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 200), &l), REG_NOTFOUND);
}
END_TEST

START_TEST(test_request_selecting_taken_nak)
{
	struct reg_lease l;

	start_main();
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	select_req(MAC_B, NULL, IP4(10, 42, 0, 100));
	expect_reply(DHCPNAK);
	ck_assert_int_eq(dec->write_lease, 0);
	ck_assert_ip_eq(rep->yiaddr, 0);
	ck_assert(reply_has(DHO_MESSAGE));
	ck_assert(!reply_has(DHO_LEASE_TIME));
	ck_assert_int_eq(dec->dest, DEST_BROADCAST);
	/* A's binding is untouched. */
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_BOUND);
	ck_assert_mem_eq(l.chaddr, "\x02\x00\x00\x00\x00\x0a", 6);
	reply_str_eq(DHO_MESSAGE, "address is leased to another client");
	/*
	 * An address outside the pools, or none at all: NAK as well, and
	 * the text says which (Option 56, RFC 2132 9.9), never that
	 * another client holds an address nobody holds.
	 */
	select_req(MAC_B, NULL, IP4(10, 42, 0, 50));
	expect_reply(DHCPNAK);
	reply_str_eq(DHO_MESSAGE, "address is not in a pool");
	select_req(MAC_B, NULL, IP4(10, 42, 0, 20));
	expect_reply(DHCPNAK);
	reply_str_eq(DHO_MESSAGE, "address is reserved for another client");
	select_req(MAC_B, NULL, IP4(192, 168, 1, 10));
	expect_reply(DHCPNAK);
	reply_str_eq(DHO_MESSAGE, "address is wrong for the network");
	req(DHCPREQUEST, MAC_B);
	req_u32(DHO_SERVER_ID, SERVER_IP);
	decide();
	expect_reply(DHCPNAK);
	reply_str_eq(DHO_MESSAGE, "request names no address");
}
END_TEST

/* ---- DHCPREQUEST in INIT-REBOOT (RFC 2131 4.3.2) ---- */

static void
init_reboot(const char *mac, uint32_t ip)
{
	req(DHCPREQUEST, mac);
	req_u32(DHO_REQUESTED_ADDR, ip);
	decide();
}

START_TEST(test_init_reboot_own_ack)
{
	struct reg_lease l;

	start_main();
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	restart();
	now += 600;
	init_reboot(MAC_A, IP4(10, 42, 0, 100));
	expect_reply(DHCPACK);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 100));
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_BOUND);
	ck_assert_int_eq(l.expire, now + 3600);
}
END_TEST

START_TEST(test_init_reboot_wrong_network_nak)
{
	const uint8_t	*p;
	size_t		 len;

	start_main();
	/* A laptop back from another network. */
	init_reboot(MAC_A, IP4(192, 168, 1, 10));
	expect_reply(DHCPNAK);
	ck_assert_ip_eq(rep->yiaddr, 0);
	ck_assert_ip_eq(rep->ciaddr, 0);
	ck_assert_int_eq(dec->dest, DEST_BROADCAST);
	ck_assert_int_eq(dec->write_lease, 0);
	ck_assert_ptr_nonnull(p = dhcp_opt_get(rep, DHO_MESSAGE, &len));
	ck_assert_ptr_nonnull(dec->note);
	ck_assert_uint_eq(len, strlen(dec->note));
	ck_assert_mem_eq(p, dec->note, len);
	ck_assert_ptr_nonnull(strstr(dec->note, "wrong for the network"));
	/* Table 3: a NAK carries 53, 54, 56 (and 61), nothing else. */
	ck_assert_uint_eq(reply_u32(DHO_SERVER_ID), SERVER_IP);
	ck_assert(!reply_has(DHO_LEASE_TIME));
	ck_assert(!reply_has(DHO_T1));
	ck_assert(!reply_has(DHO_SUBNET_MASK));
	ck_assert(!reply_has(DHO_ROUTERS));
	/* The network address of our own subnet is wrong as well. */
	init_reboot(MAC_A, IP4(10, 42, 0, 0));
	expect_reply(DHCPNAK);
}
END_TEST

START_TEST(test_init_reboot_no_record_silent)
{
	struct reg_lease l;

	start_main();
	/* A client we know nothing of: silent, for coexisting servers. */
	init_reboot(MAC_A, IP4(10, 42, 0, 105));
	expect_drop(DROP_NO_RECORD);
	init_reboot(MAC_A, IP4(10, 42, 0, 50));	/* outside the pools */
	expect_drop(DROP_NO_RECORD);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 105), &l), REG_NOTFOUND);
}
END_TEST

START_TEST(test_init_reboot_other_address_nak)
{
	struct reg_lease l;

	start_main();
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	/* Our record says A is at .100, not at .105. */
	init_reboot(MAC_A, IP4(10, 42, 0, 105));
	expect_reply(DHCPNAK);
	ck_assert_ip_eq(rep->yiaddr, 0);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 105), &l), REG_NOTFOUND);
	/* B claims A's address. */
	init_reboot(MAC_B, IP4(10, 42, 0, 100));
	expect_reply(DHCPNAK);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_mem_eq(l.chaddr, "\x02\x00\x00\x00\x00\x0a", 6);
}
END_TEST

START_TEST(test_not_authoritative_silent)
{
	start(0, POOL_MAIN);
	init_reboot(MAC_A, IP4(192, 168, 1, 10));
	expect_drop(DROP_NOT_AUTHORITATIVE);
	ck_assert_ptr_nonnull(dec->note);
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	select_req(MAC_B, NULL, IP4(10, 42, 0, 100));
	expect_drop(DROP_NOT_AUTHORITATIVE);
	init_reboot(MAC_A, IP4(10, 42, 0, 101));
	expect_drop(DROP_NOT_AUTHORITATIVE);
	/* What is not a NAK is answered as usual. */
	init_reboot(MAC_A, IP4(10, 42, 0, 100));
	expect_reply(DHCPACK);
}
END_TEST

/* ---- RENEWING and REBINDING (RFC 2131 4.3.2, 4.4.5) ---- */

static void
renew(const char *mac, uint32_t ciaddr, int unicast)
{
	req(DHCPREQUEST, mac);
	rq.hdr.ciaddr = ciaddr;
	rq.unicast = unicast;
	rq.src_ip = ciaddr;
	decide();
}

START_TEST(test_reservation_beats_live_lease)
{
	struct reg_lease	l;
	uint8_t			key[8] = { 'H', 1 };
	struct mac_addr		m;

	start_main();
	/*
	 * MAC_A holds 10.42.0.102 from before the admin reserved it for
	 * MAC_RES_IN: at its next renewal it is NAKed, and it is never
	 * offered the address again.
	 */
	ck_assert_int_eq(mac_parse(MAC_A, &m), 0);
	memset(&l, 0, sizeof(l));
	l.ip = IP4(10, 42, 0, 102);
	l.state = LEASE_BOUND;
	l.htype = 1;
	l.hlen = 6;
	memcpy(l.chaddr, m.b, 6);
	memcpy(key + 2, m.b, 6);
	memcpy(l.client_key, key, sizeof(key));
	l.client_key_len = sizeof(key);
	l.start = now;
	l.expire = now + 3600;
	ck_assert_int_eq(leasedb_store(ldb, &l), 0);
	now += 1800;
	renew(MAC_A, IP4(10, 42, 0, 102), 1);
	expect_reply(DHCPNAK);
	ck_assert_uint_ne(offer(MAC_A), IP4(10, 42, 0, 102));
}
END_TEST

START_TEST(test_renewing_ack)
{
	struct reg_lease l;

	start_main();
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	now += 1800;	/* T1 */
	renew(MAC_A, IP4(10, 42, 0, 100), 1);
	expect_reply(DHCPACK);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 100));
	/* Table 3: ciaddr is echoed in the ACK. */
	ck_assert_ip_eq(rep->ciaddr, IP4(10, 42, 0, 100));
	ck_assert_int_eq(dec->dest, DEST_CIADDR);
	ck_assert_ip_eq(dec->dest_ip, IP4(10, 42, 0, 100));
	ck_assert_uint_eq(reply_u32(DHO_LEASE_TIME), 3600);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_BOUND);
	ck_assert_int_eq(l.expire, now + 3600);
}
END_TEST

START_TEST(test_rebinding_ack)
{
	struct reg_lease l;

	start_main();
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	now += 3150;	/* T2 */
	renew(MAC_A, IP4(10, 42, 0, 100), 0);
	expect_reply(DHCPACK);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 100));
	ck_assert_ip_eq(rep->ciaddr, IP4(10, 42, 0, 100));
	/* 4.1: ciaddr set, so unicast there even if it was broadcast. */
	ck_assert_int_eq(dec->dest, DEST_CIADDR);
	ck_assert_ip_eq(dec->dest_ip, IP4(10, 42, 0, 100));
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_int_eq(l.expire, now + 3600);
}
END_TEST

START_TEST(test_renewing_others_address_nak)
{
	struct reg_lease l;

	start_main();
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	renew(MAC_B, IP4(10, 42, 0, 100), 1);
	expect_reply(DHCPNAK);
	ck_assert_int_eq(dec->dest, DEST_BROADCAST);
	renew(MAC_B, IP4(10, 42, 0, 100), 0);
	expect_reply(DHCPNAK);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_mem_eq(l.chaddr, "\x02\x00\x00\x00\x00\x0a", 6);
	ck_assert_int_eq(l.expire, now + 3600);
	reply_str_eq(DHO_MESSAGE, "address is leased to another client");
	/* A reservation is not renewed by another client either. */
	renew(MAC_B, IP4(10, 42, 0, 20), 1);
	expect_reply(DHCPNAK);
	reply_str_eq(DHO_MESSAGE, "address is reserved for another client");
}
END_TEST

/* RELEASE of ip: unicast to us, with ciaddr (4.4.6). */
static void
release(const char *mac, uint32_t ip)
{
	req(DHCPRELEASE, mac);
	req_u32(DHO_SERVER_ID, SERVER_IP);
	rq.hdr.ciaddr = ip;
	rq.unicast = 1;
	rq.src_ip = ip;
	decide();
}

START_TEST(test_rebinding_unknown_silent)
{
	struct reg_lease l;

	start_main();
	/*
	 * REBINDING is broadcast to every server (4.4.5). One that has no
	 * record of the client stays silent: the lease may be another
	 * server's, e.g. from the other half of a split subnet.
	 */
	renew(MAC_A, IP4(10, 42, 0, 60), 0);	/* outside our pools */
	expect_drop(DROP_NO_RECORD);
	renew(MAC_A, IP4(10, 42, 0, 110), 0);	/* in a pool, unknown */
	expect_drop(DROP_NO_RECORD);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 110), &l), REG_NOTFOUND);
	/* A RENEWING client unicasts to us: it believes we gave it. */
	renew(MAC_A, IP4(10, 42, 0, 110), 1);
	expect_reply(DHCPACK);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 110), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_BOUND);
	renew(MAC_B, IP4(10, 42, 0, 60), 1);
	expect_reply(DHCPNAK);
	/* Nobody holds .60: the NAK does not say somebody does. */
	reply_str_eq(DHO_MESSAGE, "address is not in a pool");
}
END_TEST

START_TEST(test_renewing_routed)
{
	static const uint8_t	 prl[] = { 1, 3 };

	start_main();
	/* A client behind the relay is bound in subnet B... */
	req(DHCPDISCOVER, MAC_A);
	rq.hdr.giaddr = IP4(10, 43, 0, 1);
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 43, 0, 50));
	req(DHCPREQUEST, MAC_A);
	rq.hdr.giaddr = IP4(10, 43, 0, 1);
	req_u32(DHO_SERVER_ID, SERVER_IP);
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 43, 0, 50));
	decide();
	expect_reply(DHCPACK);
	/*
	 * ...and at T1 unicasts straight to us, past the relay, so giaddr
	 * is 0: the server trusts ciaddr (4.3.2) and its subnet.
	 */
	now += 1800;
	renew(MAC_A, IP4(10, 43, 0, 50), 1);
	expect_reply(DHCPACK);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 43, 0, 50));
	ck_assert_int_eq(dec->dest, DEST_CIADDR);
	ck_assert_ip_eq(dec->dest_ip, IP4(10, 43, 0, 50));
	reply_bytes_eq(DHO_ROUTERS, "\x0a\x2b\x00\x01", 4);
	/* An INFORM from that network gets that network's options. */
	req(DHCPINFORM, MAC_B);
	rq.hdr.ciaddr = IP4(10, 43, 0, 77);
	rq.unicast = 1;
	rq.src_ip = IP4(10, 43, 0, 77);
	req_opt(DHO_PARAM_REQ, prl, sizeof(prl));
	decide();
	expect_reply(DHCPACK);
	reply_bytes_eq(DHO_ROUTERS, "\x0a\x2b\x00\x01", 4);
	/* A RELEASE from there. */
	release(MAC_A, IP4(10, 43, 0, 50));
	ck_assert_int_eq(dec->action, DA_RELEASE);
	ck_assert_uint_eq(dec->lease.state, LEASE_RELEASED);
	ck_assert_ip_eq(dec->lease.ip, IP4(10, 43, 0, 50));
}
END_TEST

/* ---- DHCPDECLINE (RFC 2131 4.3.3) ---- */

static void
decline(const char *mac, uint32_t ip)
{
	req(DHCPDECLINE, mac);
	req_u32(DHO_SERVER_ID, SERVER_IP);
	req_u32(DHO_REQUESTED_ADDR, ip);
	decide();
}

START_TEST(test_decline_quarantine)
{
	struct reg_lease	 l;
	uint32_t		 ip;

	start(1, POOL_SMALL);	/* .100, .101, .103 dynamic */
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	decline(MAC_A, IP4(10, 42, 0, 100));
	ck_assert_int_eq(dec->action, DA_DECLINE);
	ck_assert_int_eq(dec->write_lease, 1);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_DECLINED);
	ck_assert_int_eq(l.expire, now + 86400);
	restart();
	now += 10;
	/* Not even the client that declined it gets it back. */
	ip = offer(MAC_A);
	ck_assert_ip_eq(ip, IP4(10, 42, 0, 101));
	select_lt(MAC_A, ip, 86400);
	expect_reply(DHCPACK);
	req(DHCPDISCOVER, MAC_B);
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 42, 0, 100));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 42, 0, 103));
	select_lt(MAC_B, IP4(10, 42, 0, 103), 86400);
	expect_reply(DHCPACK);
	/* The pool is full but for the quarantined address: nobody takes
	 * it by asking for it. */
	init_reboot(MAC_C, IP4(10, 42, 0, 100));
	expect_reply(DHCPNAK);
	select_req(MAC_C, NULL, IP4(10, 42, 0, 100));
	expect_reply(DHCPNAK);
	/*
	 * With nothing else left it is reclaimed rather than a client
	 * refused (RFC 2131 leaves a server free to: Kea and ISC do).
	 */
	ck_assert_ip_eq(dora(MAC_C), IP4(10, 42, 0, 100));
	req(DHCPDISCOVER, MAC_D);
	decide();
	expect_drop(DROP_POOL_EXHAUSTED);
}
END_TEST

/*
 * A DECLINE names a client anybody can copy; it is believed only in the
 * moments after the binding, when a client checks its new address (RFC
 * 2131 4.4.1), so a phone that has held its address for a while cannot
 * be made to lose it. A renewal keeps the binding's start.
 */
START_TEST(test_decline_after_ack_only)
{
	struct reg_lease	 l;
	uint32_t		 ip;

	dhcp_extra = DHCP_EXTRA "  decline_after_ack = 60;\n";
	start_main();
	ip = dora(MAC_A);
	now += 61;
	decline(MAC_A, ip);
	expect_drop(DROP_DECLINE_LATE);
	ck_assert_ptr_nonnull(dec->note);
	ck_assert_int_eq(lease_get(ip, &l), 0);
	ck_assert_uint_eq(l.state, LEASE_BOUND);
	ck_assert_int_eq(l.start, T0);
	/* RENEWING: the binding's start stays, and so does the refusal. */
	now += 1000;
	req(DHCPREQUEST, MAC_A);
	rq.hdr.ciaddr = ip;
	rq.unicast = 1;
	rq.src_ip = ip;
	decide();
	expect_reply(DHCPACK);
	ck_assert_int_eq(lease_get(ip, &l), 0);
	ck_assert_int_eq(l.start, T0);
	ck_assert_int_eq(l.expire, now + 3600);
	decline(MAC_A, ip);
	expect_drop(DROP_DECLINE_LATE);
	/* A client that declines at once is believed. */
	ip = dora(MAC_B);
	now += 5;
	decline(MAC_B, ip);
	ck_assert_int_eq(dec->action, DA_DECLINE);
	ck_assert_int_eq(lease_get(ip, &l), 0);
	ck_assert_uint_eq(l.state, LEASE_DECLINED);
}
END_TEST

/* DECLINEs set aside at most decline_max_share of the pool. */
START_TEST(test_decline_cap)
{
	struct reg_lease	 l;
	unsigned		 quarantined = 0, capped = 0;

	/* 41 addresses: 10% is 4.1, so at most 5. */
	dhcp_extra = DHCP_EXTRA "  decline_max_share = 10;\n";
	start_main();
	for (unsigned i = 0; i < 8; i++) {
		uint32_t ip = dora(mac_n(i));

		decline(mac_n(i), ip);
		if (dec->action == DA_DECLINE) {
			quarantined++;
			continue;
		}
		expect_drop(DROP_DECLINE_CAP);
		ck_assert_ptr_nonnull(dec->note);
		/* The client keeps what it declined: nothing was set aside. */
		ck_assert_int_eq(lease_get(ip, &l), 0);
		ck_assert_uint_eq(l.state, LEASE_BOUND);
		capped++;
	}
	ck_assert_uint_eq(quarantined, 5);
	ck_assert_uint_eq(capped, 3);
	/* Once a quarantine ends there is room again. */
	now += 86400;
	decline(mac_n(7), dora(mac_n(7)));
	ck_assert_int_eq(dec->action, DA_DECLINE);
}
END_TEST

/* DECLINEs per source (and per client) are limited, logged once. */
START_TEST(test_decline_rate)
{
	unsigned	 noted = 0;

	dhcp_extra = DHCP_EXTRA "  decline_max_share = 100;\n"
	    "  limits = { window = 60; declines = 3; };\n";
	start_main();
	use_admit();
	for (unsigned i = 0; i < 6; i++) {
		decline(mac_n(i), dora(mac_n(i)));
		if (i < 3) {
			ck_assert_int_eq(dec->action, DA_DECLINE);
			continue;
		}
		expect_drop(DROP_DECLINE_LIMIT);
		noted += dec->note != NULL;
	}
	ck_assert_uint_eq(noted, 1);
	now += 60;
	decline(mac_n(9), dora(mac_n(9)));
	ck_assert_int_eq(dec->action, DA_DECLINE);
}
END_TEST

/* With nothing else left, the address set aside longest ago goes. */
START_TEST(test_quarantine_reclaimed_oldest)
{
	dhcp_extra = DHCP_EXTRA "  decline_max_share = 100;\n";
	start(1, POOL_SMALL);	/* .100, .101, .103 dynamic */
	decline(MAC_A, dora(MAC_A));
	now += 2;
	decline(MAC_C, dora(MAC_C));	/* .101 */
	now += 2;
	decline(MAC_B, dora(MAC_B));	/* .103 */
	ck_assert_int_eq(dec->action, DA_DECLINE);
	now += 2;
	ck_assert_ip_eq(dora(MAC_D), IP4(10, 42, 0, 100));
	ck_assert_ip_eq(dora(mac_n(1)), IP4(10, 42, 0, 101));
	ck_assert_ip_eq(dora(mac_n(2)), IP4(10, 42, 0, 103));
	req(DHCPDISCOVER, mac_n(3));
	decide();
	expect_drop(DROP_POOL_EXHAUSTED);
}
END_TEST

START_TEST(test_decline_not_theirs)
{
	struct reg_lease l;

	start_main();
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	decline(MAC_B, IP4(10, 42, 0, 100));
	expect_drop(DROP_UNKNOWN_LEASE);
	decline(MAC_B, IP4(10, 42, 0, 107));
	expect_drop(DROP_UNKNOWN_LEASE);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_BOUND);
}
END_TEST

/* ---- DHCPRELEASE (RFC 2131 4.3.4) ---- */

START_TEST(test_release)
{
	struct reg_lease l;

	start_main();
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	now += 100;
	release(MAC_A, IP4(10, 42, 0, 100));
	ck_assert_int_eq(dec->action, DA_RELEASE);
	ck_assert_int_eq(dec->write_lease, 1);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_RELEASED);
	ck_assert_int_eq(l.expire, now);
	ck_assert_int_eq(l.start, now - 100);
	restart();
	/* Others are given fresh addresses; the client gets its own back. */
	ck_assert_ip_eq(offer(MAC_B), IP4(10, 42, 0, 101));
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
}
END_TEST

START_TEST(test_release_others_ignored)
{
	struct reg_lease l;

	start_main();
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	release(MAC_B, IP4(10, 42, 0, 100));
	expect_drop(DROP_UNKNOWN_LEASE);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_BOUND);
	ck_assert_int_eq(l.expire, now + 3600);
	/* A release for another server is none of ours. */
	req(DHCPRELEASE, MAC_A);
	req_u32(DHO_SERVER_ID, IP4(10, 42, 0, 2));
	rq.hdr.ciaddr = IP4(10, 42, 0, 100);
	decide();
	expect_drop(DROP_OTHER_SERVER);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_BOUND);
}
END_TEST

/* ---- DHCPINFORM (RFC 2131 4.3.5) ---- */

START_TEST(test_inform)
{
	static const uint8_t	 prl[] = { 1, 3, 6 };
	struct reg_lease	 l;

	start_main();
	req(DHCPINFORM, MAC_A);
	rq.hdr.ciaddr = IP4(10, 42, 0, 77);
	rq.unicast = 1;
	rq.src_ip = IP4(10, 42, 0, 77);
	req_opt(DHO_PARAM_REQ, prl, sizeof(prl));
	decide();
	expect_reply(DHCPACK);
	ck_assert_int_eq(dec->write_lease, 0);
	ck_assert_ip_eq(rep->yiaddr, 0);
	ck_assert_ip_eq(rep->ciaddr, IP4(10, 42, 0, 77));
	ck_assert_int_eq(dec->dest, DEST_CIADDR);
	ck_assert_ip_eq(dec->dest_ip, IP4(10, 42, 0, 77));
	/* 4.3.5: no lease expiration time, no yiaddr, nothing stored. */
	ck_assert(!reply_has(DHO_LEASE_TIME));
	ck_assert(!reply_has(DHO_T1));
	ck_assert(!reply_has(DHO_T2));
	ck_assert_uint_eq(reply_u32(DHO_SERVER_ID), SERVER_IP);
	ck_assert_ip_eq(reply_u32(DHO_SUBNET_MASK), IP4(255, 255, 255, 0));
	reply_bytes_eq(DHO_DNS, "\x0a\x2a\x00\x01\x0a\x2a\x00\x02", 8);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 77), &l), REG_NOTFOUND);
}
END_TEST

/*
 * RFC 2131 4.3.5: the ACK goes to ciaddr, else to the IP source; an
 * INFORM with neither (ciaddr 0.0.0.0, sent from 0.0.0.0) has nowhere to
 * go (0.0.0.0 is no destination: RFC 1122 3.2.1.3) and is dropped and
 * counted. One from an address in no configured subnet is dropped too:
 * the receiving link's mask and router are wrong for it, and the ACK
 * would go off every link we serve.
 */
START_TEST(test_inform_destination)
{
	static const uint8_t	 prl[] = { 1, 3 };

	start_main();
	/* No ciaddr: answered to the IP source. */
	req(DHCPINFORM, MAC_A);
	rq.src_ip = IP4(10, 42, 0, 78);
	req_opt(DHO_PARAM_REQ, prl, sizeof(prl));
	decide();
	expect_reply(DHCPACK);
	ck_assert_int_eq(dec->dest, DEST_CIADDR);
	ck_assert_ip_eq(dec->dest_ip, IP4(10, 42, 0, 78));
	ck_assert_ip_eq(rep->yiaddr, 0);
	ck_assert_ip_eq(reply_u32(DHO_SUBNET_MASK), IP4(255, 255, 255, 0));

	/* Neither ciaddr nor a source: dropped, never sent to 0.0.0.0. */
	req(DHCPINFORM, MAC_A);
	req_opt(DHO_PARAM_REQ, prl, sizeof(prl));
	decide();
	expect_drop(DROP_INFORM_NO_ADDRESS);
	rq.hdr.flags = DHCP_FLAG_BROADCAST;	/* not even when asked */
	decide();
	expect_drop(DROP_INFORM_NO_ADDRESS);

	/* From outside every subnet, by ciaddr or by source: dropped. */
	req(DHCPINFORM, MAC_A);
	rq.hdr.ciaddr = IP4(192, 168, 77, 5);
	rq.src_ip = IP4(192, 168, 77, 5);
	rq.unicast = 1;
	decide();
	expect_drop(DROP_INFORM_OFF_SUBNET);
	req(DHCPINFORM, MAC_A);
	rq.src_ip = IP4(192, 168, 77, 5);
	decide();
	expect_drop(DROP_INFORM_OFF_SUBNET);
	ck_assert_str_eq(dhcp_drop_str(DROP_INFORM_OFF_SUBNET),
	    "INFORM from outside every subnet");

	/* A client of the relayed subnet: its own subnet's parameters. */
	req(DHCPINFORM, MAC_A);
	rq.hdr.ciaddr = IP4(10, 43, 0, 9);
	rq.src_ip = IP4(10, 43, 0, 9);
	rq.unicast = 1;
	req_opt(DHO_PARAM_REQ, prl, sizeof(prl));
	decide();
	expect_reply(DHCPACK);
	ck_assert_int_eq(dec->dest, DEST_CIADDR);
	ck_assert_ip_eq(dec->dest_ip, IP4(10, 43, 0, 9));
	ck_assert_ip_eq(reply_u32(DHO_ROUTERS), IP4(10, 43, 0, 1));

	/* Relayed: to the relay, as every relayed reply (4.1). */
	req(DHCPINFORM, MAC_A);
	rq.hdr.giaddr = IP4(10, 43, 0, 1);
	decide();
	expect_reply(DHCPACK);
	ck_assert_int_eq(dec->dest, DEST_RELAY);
	ck_assert_ip_eq(dec->dest_ip, IP4(10, 43, 0, 1));
}
END_TEST

/* ---- Who the client is (RFC 2131 4.2, RFC 2132 9.14) ---- */

START_TEST(test_client_id_identifies)
{
	uint32_t a, b;

	start_main();
	a = dora_id(MAC_A, "\x01" "linux");
	ck_assert_ip_eq(a, IP4(10, 42, 0, 100));
	/*
	 * One live lease per MAC: another identity (another Option 61, or
	 * none, i.e. the hardware address) gets no OFFER and no ACK while
	 * the first one holds the MAC's lease. A MAC is public; the second
	 * identity is an impersonation until the lease ends.
	 */
	req(DHCPDISCOVER, MAC_A);
	req_str(DHO_CLIENT_ID, "\x01" "windows");
	decide();
	expect_drop(DROP_DUPLICATE_MAC);
	ck_assert_int_eq(dec->eop.kind, EOP_DUPLICATE);
	ck_assert_ptr_nonnull(strstr(dec->eop.detail, "duplicate MAC"));
	req(DHCPDISCOVER, MAC_A);
	decide();
	expect_drop(DROP_DUPLICATE_MAC);
	select_req(MAC_A, "\x01" "windows", IP4(10, 42, 0, 101));
	expect_drop(DROP_DUPLICATE_MAC);
	/* The same identity on other hardware is the same client. */
	ck_assert_ip_eq(offer_id(MAC_B, "\x01" "linux"), a);
	select_req(MAC_B, "\x01" "linux", a);
	expect_reply(DHCPACK);
	ck_assert_uint_eq(dec->lease.client_key_len, 7);
	ck_assert_mem_eq(dec->lease.client_key, "I\x01linux", 7);
	/* MAC_A holds no lease now: another identity may have it. */
	b = dora_id(MAC_A, "\x01" "windows");
	ck_assert_uint_ne(b, a);
	/* And once a lease is over, its MAC is free for another identity. */
	now += 7200;
	ck_assert_uint_ne(offer(MAC_A), 0);
}
END_TEST

/* ---- Relay agents (RFC 2131 4.1, 4.3.1; RFC 3046) ---- */

static const uint8_t relay_info[] = {
	1, 6, 'p', 'o', 'r', 't', '1', '2',	/* circuit id */
	2, 4, 0xde, 0xad, 0xbe, 0xef,		/* remote id */
};

START_TEST(test_relay_subnet_and_echo)
{
	uint8_t		 codes[64];
	size_t		 n;
	struct reg_lease l;

	start_main();
	req(DHCPDISCOVER, MAC_A);
	rq.hdr.giaddr = IP4(10, 43, 0, 1);
	rq.hdr.hops = 1;
	req_opt(DHO_RELAY_INFO, relay_info, sizeof(relay_info));
	req_str(DHO_HOST_NAME, "printer");
	decide();
	expect_reply(DHCPOFFER);
	/* The subnet is giaddr's, not the receiving interface's. */
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 43, 0, 50));
	ck_assert_ip_eq(rep->giaddr, IP4(10, 43, 0, 1));
	reply_bytes_eq(DHO_ROUTERS, "\x0a\x2b\x00\x01", 4);
	ck_assert_uint_eq(reply_u32(DHO_SERVER_ID), SERVER_IP);
	ck_assert_int_eq(dec->dest, DEST_RELAY);
	ck_assert_ip_eq(dec->dest_ip, IP4(10, 43, 0, 1));
	/* RFC 3046 2.2: option 82 comes back as it was, last. */
	reply_bytes_eq(DHO_RELAY_INFO, relay_info, sizeof(relay_info));
	n = reply_codes(codes, sizeof(codes));
	ck_assert_uint_gt(n, 1);
	ck_assert_uint_eq(codes[n - 1], DHO_RELAY_INFO);
	ck_assert_int_eq(lease_get(IP4(10, 43, 0, 50), &l), 0);
	ck_assert_uint_eq(l.hostname_len, 7);
	ck_assert_mem_eq(l.hostname, "printer", 7);

	/* The REQUEST through the relay. */
	req(DHCPREQUEST, MAC_A);
	rq.hdr.giaddr = IP4(10, 43, 0, 1);
	req_opt(DHO_RELAY_INFO, relay_info, sizeof(relay_info));
	req_u32(DHO_SERVER_ID, SERVER_IP);
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 43, 0, 50));
	decide();
	expect_reply(DHCPACK);
	ck_assert_int_eq(dec->dest, DEST_RELAY);
	n = reply_codes(codes, sizeof(codes));
	ck_assert_uint_eq(codes[n - 1], DHO_RELAY_INFO);

	/*
	 * A layer-2 agent (DHCP snooping) adds option 82 without giaddr:
	 * it is echoed as well, last (RFC 3046 2.2: "in all replies").
	 */
	req(DHCPDISCOVER, MAC_B);
	req_opt(DHO_RELAY_INFO, relay_info, sizeof(relay_info));
	req_str(DHO_CLIENT_ID, "\x01" "b");
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_int_eq(dec->dest, DEST_HWADDR);
	reply_bytes_eq(DHO_RELAY_INFO, relay_info, sizeof(relay_info));
	n = reply_codes(codes, sizeof(codes));
	ck_assert_uint_eq(codes[n - 2], DHO_CLIENT_ID);
	ck_assert_uint_eq(codes[n - 1], DHO_RELAY_INFO);
}
END_TEST

START_TEST(test_relay_nak_broadcast)
{
	start_main();
	/* A client moved behind the relay, still asking for subnet A. */
	req(DHCPREQUEST, MAC_A);
	rq.hdr.giaddr = IP4(10, 43, 0, 1);
	req_opt(DHO_RELAY_INFO, relay_info, sizeof(relay_info));
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 42, 0, 100));
	decide();
	expect_reply(DHCPNAK);
	ck_assert_int_eq(dec->dest, DEST_RELAY);
	ck_assert_ip_eq(dec->dest_ip, IP4(10, 43, 0, 1));
	/* 4.3.2: the relay broadcasts the NAK on the client's network. */
	ck_assert_uint_eq(rep->flags & DHCP_FLAG_BROADCAST,
	    DHCP_FLAG_BROADCAST);
	ck_assert_ip_eq(rep->yiaddr, 0);
	reply_bytes_eq(DHO_RELAY_INFO, relay_info, sizeof(relay_info));
}
END_TEST

/* ---- Where replies go (RFC 2131 4.1) ---- */

START_TEST(test_reply_destination)
{
	start_main();
	req(DHCPDISCOVER, MAC_A);
	rq.hdr.flags = DHCP_FLAG_BROADCAST;
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_int_eq(dec->dest, DEST_BROADCAST);
	ck_assert_uint_eq(rep->flags, DHCP_FLAG_BROADCAST);

	req(DHCPDISCOVER, MAC_B);
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_int_eq(dec->dest, DEST_HWADDR);
	ck_assert_ip_eq(dec->dest_ip, rep->yiaddr);
	ck_assert_ip_eq(dec->dest_ip, IP4(10, 42, 0, 101));

	/* No Ethernet address to send to: broadcast. */
	req(DHCPDISCOVER, MAC_C);
	rq.hdr.htype = 6;	/* IEEE 802 */
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_int_eq(dec->dest, DEST_BROADCAST);

	/* ciaddr set: unicast there (RENEWING). */
	ck_assert_ip_eq(dora(MAC_D), IP4(10, 42, 0, 104));
	renew(MAC_D, IP4(10, 42, 0, 104), 1);
	expect_reply(DHCPACK);
	ck_assert_int_eq(dec->dest, DEST_CIADDR);
	ck_assert_ip_eq(dec->dest_ip, IP4(10, 42, 0, 104));
}
END_TEST

/* ---- Options (RFC 2131 4.3.1, RFC 2132 9.8, 9.10; RFC 6842) ---- */

START_TEST(test_prl_order)
{
	/*
	 * The client's order, but for the subnet mask: RFC 2132 3.3 puts
	 * it before the router (3) whatever Option 55 says.
	 */
	static const uint8_t	 prl[] = { 6, 3, 1, 15 };
	static const uint8_t	 want[] = { DHO_MSG_TYPE, DHO_SERVER_ID,
				    DHO_LEASE_TIME, DHO_T1, DHO_T2, 1, 6, 3,
				    15, DHO_CLIENT_ID };
	uint8_t			 codes[64];
	size_t			 n;

	start_main();
	req(DHCPDISCOVER, MAC_A);
	req_opt(DHO_PARAM_REQ, prl, sizeof(prl));
	req_str(DHO_CLIENT_ID, "\x01" "laptop");
	decide();
	expect_reply(DHCPOFFER);
	n = reply_codes(codes, sizeof(codes));
	ck_assert_uint_eq(n, sizeof(want));
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(codes[i] == want[i], "option #%zu is %u, "
		    "expected %u", i, codes[i], want[i]);
	reply_str_eq(DHO_DOMAIN_NAME, "office.lan");
	/* RFC 6842: option 61 is returned as it came. */
	reply_str_eq(DHO_CLIENT_ID, "\x01" "laptop");
	/* NTP (42) was not asked for, nor the broadcast address (28). */
	ck_assert(!reply_has(42));
	ck_assert(!reply_has(28));

	/* Without option 55: every configured option, 28 left out. */
	req(DHCPDISCOVER, MAC_B);
	decide();
	expect_reply(DHCPOFFER);
	n = reply_codes(codes, sizeof(codes));
	ck_assert_uint_eq(n, 10);
	ck_assert_uint_eq(codes[5], 1);
	ck_assert_uint_eq(codes[6], 3);
	ck_assert_uint_eq(codes[7], 6);
	ck_assert_uint_eq(codes[8], 15);
	ck_assert_uint_eq(codes[9], 42);
	reply_bytes_eq(42, "\x0a\x2a\x00\x01", 4);
	ck_assert(!reply_has(28));
}
END_TEST

/*
 * RFC 2132 3.3: "If both the subnet mask and the router option are
 * specified in a DHCP reply, the subnet mask option MUST be first." A
 * Polycom VVX's Option 55 ends 6, 3, 1; so do INFORM and the ACK.
 */
static void
assert_mask_before_router(void)
{
	uint8_t	codes[64];
	size_t	n, mask = SIZE_MAX, router = SIZE_MAX;

	n = reply_codes(codes, sizeof(codes));
	for (size_t i = 0; i < n; i++) {
		if (codes[i] == DHO_SUBNET_MASK && mask == SIZE_MAX)
			mask = i;
		if (codes[i] == DHO_ROUTERS && router == SIZE_MAX)
			router = i;
	}
	ck_assert_msg(mask != SIZE_MAX && router != SIZE_MAX, "mask or "
	    "router missing");
	ck_assert_msg(mask < router, "subnet mask is option #%zu, router "
	    "#%zu", mask, router);
}

START_TEST(test_mask_before_router)
{
	static const uint8_t	 vvx[] = { 66, 160, 15, 42, 6, 3, 1 };
	static const uint8_t	 only[] = { 3, 1 };
	uint32_t		 ip;

	start_main();
	req(DHCPDISCOVER, MAC_A);
	req_opt(DHO_PARAM_REQ, vvx, sizeof(vvx));
	decide();
	expect_reply(DHCPOFFER);
	assert_mask_before_router();
	ip = rep->yiaddr;

	req(DHCPREQUEST, MAC_A);
	req_u32(DHO_SERVER_ID, SERVER_IP);
	req_u32(DHO_REQUESTED_ADDR, ip);
	req_opt(DHO_PARAM_REQ, only, sizeof(only));
	decide();
	expect_reply(DHCPACK);
	assert_mask_before_router();

	req(DHCPINFORM, MAC_A);
	rq.hdr.ciaddr = ip;
	rq.src_ip = ip;
	rq.unicast = 1;
	req_opt(DHO_PARAM_REQ, only, sizeof(only));
	decide();
	expect_reply(DHCPACK);
	assert_mask_before_router();
}
END_TEST

START_TEST(test_client_id_echo_in_nak)
{
	start_main();
	req(DHCPREQUEST, MAC_A);
	req_str(DHO_CLIENT_ID, "\xff" "iaid-duid");
	req_u32(DHO_REQUESTED_ADDR, IP4(192, 168, 1, 10));
	decide();
	expect_reply(DHCPNAK);
	reply_str_eq(DHO_CLIENT_ID, "\xff" "iaid-duid");
}
END_TEST

START_TEST(test_max_message_size)
{
	static const struct {
		int		 present;
		uint16_t	 asked;
		unsigned	 mtu;
		uint16_t	 max;
	} cases[] = {
		{ 1, 1500, 0, 1472 },
		{ 1, 1000, 0, 972 },
		{ 1, 9000, 0, 1472 },	/* never above an Ethernet frame */
		{ 1, 9000, 9000, 1472 },	/* nor on a jumbo link */
		{ 1, 576, 0, 548 },
		{ 1, 400, 0, 548 },	/* below the minimum: ignored */
		{ 0, 0, 0, 548 },
		/* A link with a smaller MTU (a tunnel, PPPoE) caps it. */
		{ 1, 1500, 1400, 1372 },
		{ 1, 1200, 1400, 1172 },
		{ 1, 1500, 500, 1472 },	/* below 576: not believed */
	};

	start_main();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		link_mtu = cases[i].mtu;
		req(DHCPDISCOVER, MAC_A);
		if (cases[i].present)
			req_u16(DHO_MAX_MSG_SIZE, cases[i].asked);
		decide();
		expect_reply(DHCPOFFER);
		ck_assert_msg(dec->max_size == cases[i].max, "57 = %u, "
		    "MTU %u: max_size %u, expected %u", cases[i].asked,
		    cases[i].mtu, dec->max_size, cases[i].max);
	}
	link_mtu = 0;
}
END_TEST

/* ---- Messages that get no reply ---- */

START_TEST(test_no_reply)
{
	static const uint8_t	 server_types[] = { DHCPOFFER, DHCPACK,
				    DHCPNAK, DHCPFORCERENEW,
				    DHCPLEASEUNASSIGNED, DHCPLEASEUNKNOWN,
				    DHCPLEASEACTIVE, DHCPLEASEQUERYDONE,
				    DHCPLEASEQUERYSTATUS };
	static const uint8_t	 unsupported[] = { DHCPLEASEQUERY,
				    DHCPBULKLEASEQUERY, DHCPACTIVELEASEQUERY,
				    DHCPTLS };
	struct reg_lease	 l;

	start_main();
	req(DHCPDISCOVER, MAC_A);
	rq.hdr.op = BOOTREPLY;
	decide();
	expect_drop(DROP_NOT_REQUEST);
	/* BOOTP: no option 53. */
	req(0, MAC_A);
	decide();
	expect_drop(DROP_BOOTP);
	for (size_t i = 0; i < sizeof(server_types); i++) {
		req(server_types[i], MAC_A);
		req_u32(DHO_SERVER_ID, SERVER_IP);
		decide();
		expect_drop(DROP_SERVER_TYPE);
	}
	/*
	 * RFC 4388 LEASEQUERY (from a relay, ciaddr or chaddr or Option 61
	 * to look up) and the later lease queries: a client's type, well
	 * formed, not served: counted as unsupported, not as malformed.
	 */
	for (size_t i = 0; i < sizeof(unsupported); i++) {
		req(unsupported[i], MAC_A);
		rq.hdr.giaddr = IP4(10, 43, 0, 1);
		rq.hdr.ciaddr = IP4(10, 43, 0, 50);
		decide();
		expect_drop(DROP_UNSUPPORTED_TYPE);
	}
	ck_assert_str_eq(dhcp_drop_str(DROP_UNSUPPORTED_TYPE),
	    "unsupported message type");
	/* A relay for a network we do not serve. */
	req(DHCPDISCOVER, MAC_A);
	rq.hdr.giaddr = IP4(192, 168, 7, 1);
	decide();
	expect_drop(DROP_NO_SUBNET);
	/* No client identifier and no hardware address. */
	req(DHCPDISCOVER, MAC_A);
	rq.hdr.hlen = 0;
	decide();
	expect_drop(DROP_NO_CLIENT);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 100), &l), REG_NOTFOUND);
}
END_TEST

/* ---- Address allocation ---- */

struct lease_census {
	unsigned	 bound;
	unsigned	 other;
	unsigned	 outside;
	uint8_t		 keys[64][REG_CLIENT_KEY_MAX];
	uint16_t	 keylens[64];
	unsigned	 dup_keys;
};

static int
census(const struct reg_lease *l, void *arg)
{
	struct lease_census *c = arg;

	if (l->state != LEASE_BOUND) {
		c->other++;
		return 0;
	}
	if (l->ip < IP4(10, 42, 0, 100) || l->ip > IP4(10, 42, 0, 140) ||
	    l->ip == IP4(10, 42, 0, 102))
		c->outside++;
	for (unsigned i = 0; i < c->bound && i < 64; i++)
		if (c->keylens[i] == l->client_key_len &&
		    memcmp(c->keys[i], l->client_key, l->client_key_len) == 0)
			c->dup_keys++;
	if (c->bound < 64) {
		memcpy(c->keys[c->bound], l->client_key, l->client_key_len);
		c->keylens[c->bound] = l->client_key_len;
	}
	c->bound++;
	return 0;
}

START_TEST(test_pool_no_double_allocation)
{
	static struct lease_census	 c;
	static uint8_t			 seen[256];
	struct reg_txn			 txn;
	unsigned			 bound = 0, exhausted = 0;
	uint32_t			 ip;

	start_main();
	/* 50 clients, 40 dynamic addresses (.102 is reserved). */
	for (unsigned i = 0; i < 50; i++) {
		req(DHCPDISCOVER, mac_n(i));
		decide();
		if (dec->action == DA_DROP) {
			ck_assert_int_eq(dec->drop, DROP_POOL_EXHAUSTED);
			exhausted++;
			continue;
		}
		expect_reply(DHCPOFFER);
		ip = rep->yiaddr;
		ck_assert_ip_eq(ip & 0xffffff00, IP4(10, 42, 0, 0));
		ck_assert_msg(!seen[ip & 0xff], "%u.%u offered twice",
		    (ip >> 8) & 0xff, ip & 0xff);
		seen[ip & 0xff] = 1;
		select_req(mac_n(i), NULL, ip);
		expect_reply(DHCPACK);
		bound++;
	}
	ck_assert_uint_eq(bound, 40);
	ck_assert_uint_eq(exhausted, 10);
	ck_assert(!seen[102]);
	/* Exhausted clients that try SELECTING anyway are refused. */
	select_req(mac_n(49), NULL, IP4(10, 42, 0, 100));
	expect_reply(DHCPNAK);

	ck_assert_int_eq(leasedb_commit(ldb), 0);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	ck_assert_int_eq(reg_lease_foreach(&txn, census, &c), 0);
	reg_txn_abort(&txn);
	ck_assert_int_eq(leasedb_begin(ldb), 0);
	ck_assert_uint_eq(c.bound, 40);
	ck_assert_uint_eq(c.other, 0);
	ck_assert_uint_eq(c.outside, 0);
	ck_assert_uint_eq(c.dup_keys, 0);
}
END_TEST

START_TEST(test_reservation_kept_when_full)
{
	start(1, POOL_SMALL);
	ck_assert_ip_eq(dora(MAC_A), IP4(10, 42, 0, 100));
	ck_assert_ip_eq(dora(MAC_B), IP4(10, 42, 0, 101));
	ck_assert_ip_eq(dora(MAC_C), IP4(10, 42, 0, 103));
	/* Full: no OFFER at all, and the reservation is not lent out. */
	req(DHCPDISCOVER, MAC_D);
	decide();
	expect_drop(DROP_POOL_EXHAUSTED);
	req(DHCPDISCOVER, MAC_D);
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 42, 0, 102));
	decide();
	expect_drop(DROP_POOL_EXHAUSTED);
	select_req(MAC_D, NULL, IP4(10, 42, 0, 102));
	expect_reply(DHCPNAK);
	/* The reserved clients still get their addresses. */
	ck_assert_ip_eq(dora(MAC_RES_IN), IP4(10, 42, 0, 102));
	ck_assert_ip_eq(dora(MAC_RES_OUT), IP4(10, 42, 0, 20));
	/* Even once every lease has ended, the reservation is skipped. */
	now += 7200;
	ck_assert_ip_eq(offer(MAC_D), IP4(10, 42, 0, 100));
	ck_assert_ip_eq(offer(mac_n(1)), IP4(10, 42, 0, 101));
	ck_assert_ip_eq(offer(mac_n(2)), IP4(10, 42, 0, 103));
	req(DHCPDISCOVER, mac_n(3));
	decide();
	expect_drop(DROP_POOL_EXHAUSTED);
}
END_TEST

START_TEST(test_expired_reclaimed_oldest_first)
{
	start(1, POOL_SMALL);
	/* Leases ending in another order than their addresses. */
	ck_assert_ip_eq(offer(MAC_A), IP4(10, 42, 0, 100));
	select_lt(MAC_A, IP4(10, 42, 0, 100), 900);
	expect_reply(DHCPACK);
	ck_assert_ip_eq(dora(MAC_B), IP4(10, 42, 0, 101));	/* 3600 */
	ck_assert_ip_eq(offer(MAC_C), IP4(10, 42, 0, 103));
	select_lt(MAC_C, IP4(10, 42, 0, 103), 1800);
	expect_reply(DHCPACK);
	restart();
	/* Before any lease ends, a newcomer gets nothing. */
	now += 899;
	req(DHCPDISCOVER, MAC_D);
	decide();
	expect_drop(DROP_POOL_EXHAUSTED);
	/* Later, all have ended: the one that ended first goes first. */
	now = T0 + 4000;
	ck_assert_ip_eq(dora(MAC_D), IP4(10, 42, 0, 100));
	ck_assert_ip_eq(dora(mac_n(1)), IP4(10, 42, 0, 103));
	ck_assert_ip_eq(dora(mac_n(2)), IP4(10, 42, 0, 101));
	req(DHCPDISCOVER, mac_n(3));
	decide();
	expect_drop(DROP_POOL_EXHAUSTED);
	/* A, whose address went to D, does not get it back. */
	req(DHCPDISCOVER, MAC_A);
	decide();
	expect_drop(DROP_POOL_EXHAUSTED);
}
END_TEST

/*
 * A share of each pool only registered devices take: a crowd of unknown
 * clients leaves it, and a registered phone still gets an address. Offers
 * hold their address for offer_time_low once the pool runs low.
 */
START_TEST(test_reserve_for_registered)
{
	struct reg_lease	 l;
	unsigned		 bound = 0;
	uint32_t		 ip;

	/* 41 addresses, .102 reserved: 40 dynamic, 20 kept back. */
	dhcp_extra = "  reserve = 50; conflict_check = false; "
	    "offer_time_low = 10;\n";
	start_main();
	for (unsigned i = 0; i < 30; i++) {
		req(DHCPDISCOVER, mac_n(i));
		decide();
		if (dec->action == DA_DROP) {
			expect_drop(DROP_RESERVED);
			ck_assert_ptr_nonnull(dec->note);
			continue;
		}
		expect_reply(DHCPOFFER);
		select_req(mac_n(i), NULL, rep->yiaddr);
		expect_reply(DHCPACK);
		bound++;
	}
	ck_assert_uint_eq(bound, 20);
	/* Skipping DISCOVER does not go round the reserve. */
	select_req(mac_n(50), NULL, IP4(10, 42, 0, 140));
	expect_drop(DROP_RESERVED);
	req(DHCPREQUEST, mac_n(51));
	rq.hdr.ciaddr = IP4(10, 42, 0, 139);
	rq.unicast = 1;
	rq.src_ip = IP4(10, 42, 0, 139);
	decide();
	expect_drop(DROP_RESERVED);
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 139), &l), REG_NOTFOUND);
	/* Registered devices (a device record, a reservation) are served. */
	ip = offer(MAC_ALICE);
	ck_assert_int_eq(lease_get(ip, &l), 0);
	ck_assert_int_eq(l.expire, now + 10);	/* the pool is low */
	select_req(MAC_ALICE, NULL, ip);
	expect_reply(DHCPACK);
	ck_assert_ip_eq(dora(MAC_BOB) & 0xffffff00, IP4(10, 42, 0, 0));
	ck_assert_ip_eq(dora(MAC_RES_IN), IP4(10, 42, 0, 102));
	/* Leases that end give unknown clients room again. */
	now += 7200;
	ck_assert_ip_eq(offer(mac_n(40)) & 0xffffff00, IP4(10, 42, 0, 0));
}
END_TEST

/* Admission limits: per interface, per relay and per MAC. */
START_TEST(test_admission_limits)
{
	static const uint8_t	 circ_a[] = { 1, 1, 'a' }, circ_b[] = {
	    1, 1, 'b' };
	unsigned		 noted = 0;

	dhcp_extra = DHCP_EXTRA "  limits = { window = 10; per_mac = 0; "
	    "per_interface = 3; per_relay = 2; };\n";
	start_main();
	use_admit();
	for (unsigned i = 0; i < 3; i++)
		offer(mac_n(i));
	for (unsigned i = 3; i < 6; i++) {
		req(DHCPDISCOVER, mac_n(i));
		decide();
		expect_drop(DROP_LIMIT_IFACE);
		noted += dec->note != NULL;
	}
	/* One log line per burst. */
	ck_assert_uint_eq(noted, 1);
	/* A client with an address of its own is not new: no limit. */
	offer(mac_n(0));
	/* Nor are registered devices. */
	offer(MAC_ALICE);
	offer(MAC_RES_IN);
	/* The window passes. */
	now += 10;
	offer(mac_n(3));

	/* Per relay: giaddr and circuit-id. */
	for (unsigned i = 0; i < 3; i++) {
		req(DHCPDISCOVER, mac_n(100 + i));
		rq.hdr.giaddr = IP4(10, 43, 0, 1);
		req_opt(DHO_RELAY_INFO, circ_a, sizeof(circ_a));
		decide();
		if (i < 2)
			expect_reply(DHCPOFFER);
		else
			expect_drop(DROP_LIMIT_RELAY);
	}
	req(DHCPDISCOVER, mac_n(103));
	rq.hdr.giaddr = IP4(10, 43, 0, 1);
	req_opt(DHO_RELAY_INFO, circ_b, sizeof(circ_b));
	decide();
	expect_reply(DHCPOFFER);
}
END_TEST

START_TEST(test_admission_per_mac)
{
	dhcp_extra = DHCP_EXTRA "  limits = { window = 3600; per_mac = 1; "
	    "per_interface = 0; };\n";
	start_main();
	use_admit();
	offer_id(MAC_A, "\x01" "one");
	/* The offer ends; the MAC comes back under another identity. */
	now += 61;
	req(DHCPDISCOVER, MAC_A);
	req_str(DHO_CLIENT_ID, "\x01" "two");
	decide();
	expect_drop(DROP_LIMIT_MAC);
	/* Another MAC is its own bucket. */
	offer(MAC_B);
}
END_TEST

static uint32_t	 probing_ip;

static int
fake_probing(void *arg, uint32_t ip)
{
	(void)arg;
	return ip == probing_ip;
}

/*
 * Conflict detection: a new address is probed before it is offered; the
 * OFFER comes when the probe ends without an answer, and an address that
 * answered is set aside and never offered.
 */
START_TEST(test_conflict_probe)
{
	struct reg_lease l;

	dhcp_extra = "  reserve = 0; conflict_check = true;\n";
	start_main();
	view.probing = fake_probing;
	req(DHCPDISCOVER, MAC_A);
	ck_assert_int_eq(decide(), DA_PROBE);
	ck_assert_int_eq(dec->write_lease, 1);
	ck_assert_ip_eq(dec->lease.ip, IP4(10, 42, 0, 100));
	ck_assert_uint_eq(dec->lease.state, LEASE_OFFERED);
	/* No reply was built: nothing leaves before the probe ends. */
	ck_assert_uint_eq(dec->nopts, 0);
	/* A retransmission meanwhile waits too. */
	probing_ip = IP4(10, 42, 0, 100);
	req(DHCPDISCOVER, MAC_A);
	decide();
	expect_drop(DROP_PROBING);
	/* No answer: the client's held address is offered, not probed. */
	probing_ip = 0;
	ck_assert_ip_eq(offer(MAC_A), IP4(10, 42, 0, 100));
	select_req(MAC_A, NULL, IP4(10, 42, 0, 100));
	expect_reply(DHCPACK);

	/* An answer: the address is set aside, another one is probed. */
	req(DHCPDISCOVER, MAC_B);
	ck_assert_int_eq(decide(), DA_PROBE);
	ck_assert_ip_eq(dec->lease.ip, IP4(10, 42, 0, 101));
	dhcp_conflict_lease(cfg, IP4(10, 42, 0, 101), now, &l);
	ck_assert_int_eq(leasedb_store(ldb, &l), 0);
	req(DHCPDISCOVER, MAC_B);
	ck_assert_int_eq(decide(), DA_PROBE);
	ck_assert_ip_eq(dec->lease.ip, IP4(10, 42, 0, 103));
	ck_assert_int_eq(lease_get(IP4(10, 42, 0, 101), &l), 0);
	ck_assert_uint_eq(l.state, LEASE_DECLINED);
	ck_assert_int_eq(l.expire, now + 86400);
	req(DHCPDISCOVER, MAC_C);
	ck_assert_int_eq(decide(), DA_PROBE);
	ck_assert_ip_eq(dec->lease.ip, IP4(10, 42, 0, 104));
	/* Reservations and a client's own lease are not probed. */
	ck_assert_ip_eq(offer(MAC_RES_IN), IP4(10, 42, 0, 102));
	now += 7200;
	ck_assert_ip_eq(offer(MAC_A), IP4(10, 42, 0, 100));
}
END_TEST

/* A batch that does not commit gives back the pool marks it took. */
START_TEST(test_pool_marks_given_back)
{
	struct reg_lease l;
	unsigned long	held, total, held2;

	start(1, POOL_SMALL);
	leasedb_usage(ldb, &held, &total);
	ck_assert_uint_eq(held, 1);	/* the reservation */
	ck_assert_ip_eq(offer(MAC_A), IP4(10, 42, 0, 100));
	ck_assert_ip_eq(offer(MAC_B), IP4(10, 42, 0, 101));
	leasedb_usage(ldb, &held2, &total);
	ck_assert_uint_eq(held2, 3);
	leasedb_abort(ldb);
	leasedb_usage(ldb, &held2, &total);
	ck_assert_uint_eq(held2, 1);
	ck_assert_int_eq(leasedb_begin(ldb), 0);
	ck_assert_int_eq(view.get(view.arg, IP4(10, 42, 0, 100), &l),
	    REG_NOTFOUND);
	/* All three dynamic addresses are there to be had. */
	offer(MAC_C);
	offer(MAC_D);
	offer(mac_n(1));
	leasedb_usage(ldb, &held2, &total);
	ck_assert_uint_eq(held2, 4);
}
END_TEST

/* A lease deleted behind the server's back is found when the pool fills. */
START_TEST(test_deleted_lease_found)
{
	struct reg_txn txn;

	start(1, POOL_SMALL);
	dora(MAC_A);
	dora(MAC_B);
	dora(MAC_C);
	ck_assert_int_eq(leasedb_commit(ldb), 0);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 0), 0);
	ck_assert_int_eq(reg_lease_del(&txn, IP4(10, 42, 0, 101)), 0);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
	ck_assert_int_eq(leasedb_begin(ldb), 0);
	ck_assert_ip_eq(dora(MAC_D), IP4(10, 42, 0, 101));
}
END_TEST

/* RFC 3396: an identifier over 255 bytes; the key is its digest. */
START_TEST(test_long_client_id)
{
	uint8_t		 id[300];
	struct reg_lease l;
	uint32_t	 ip;

	for (size_t i = 0; i < sizeof(id); i++)
		id[i] = (uint8_t)(i * 7 + 1);
	start_main();
	req(DHCPDISCOVER, MAC_A);
	req_opt(DHO_CLIENT_ID, id, sizeof(id));
	decide();
	expect_reply(DHCPOFFER);
	ip = rep->yiaddr;
	ck_assert_int_eq(lease_get(ip, &l), 0);
	ck_assert_uint_eq(l.client_key_len, 33);
	ck_assert_uint_eq(l.client_key[0], 'S');
	req(DHCPREQUEST, MAC_A);
	req_opt(DHO_CLIENT_ID, id, sizeof(id));
	req_u32(DHO_SERVER_ID, SERVER_IP);
	req_u32(DHO_REQUESTED_ADDR, ip);
	decide();
	expect_reply(DHCPACK);
	/* Another identifier with the same first 255 bytes is another one. */
	id[299] ^= 0xff;
	req(DHCPREQUEST, MAC_B);
	req_opt(DHO_CLIENT_ID, id, sizeof(id));
	req_u32(DHO_SERVER_ID, SERVER_IP);
	req_u32(DHO_REQUESTED_ADDR, ip);
	decide();
	expect_reply(DHCPNAK);
}
END_TEST

/* RFC 3527 link selection and RFC 5107 server identifier override. */
START_TEST(test_relay_link_selection_override)
{
	static const uint8_t	 link[] = { 5, 4, 10, 43, 0, 7 };
	static const uint8_t	 over[] = { 5, 4, 10, 43, 0, 7,
	    11, 4, 10, 43, 0, 1 };

	start_main();
	/* giaddr in no subnet: nothing, unless the link is named. */
	req(DHCPDISCOVER, MAC_A);
	rq.hdr.giaddr = IP4(10, 99, 0, 1);
	decide();
	expect_drop(DROP_NO_SUBNET);
	req(DHCPDISCOVER, MAC_A);
	rq.hdr.giaddr = IP4(10, 99, 0, 1);
	req_opt(DHO_RELAY_INFO, link, sizeof(link));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ip_eq(rep->yiaddr, IP4(10, 43, 0, 50));
	ck_assert_int_eq(dec->dest, DEST_RELAY);
	ck_assert_ip_eq(dec->dest_ip, IP4(10, 99, 0, 1));
	/* The client names the override as the server: that is us. */
	req(DHCPREQUEST, MAC_A);
	rq.hdr.giaddr = IP4(10, 99, 0, 1);
	req_opt(DHO_RELAY_INFO, over, sizeof(over));
	req_u32(DHO_SERVER_ID, IP4(10, 43, 0, 1));
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 43, 0, 50));
	decide();
	expect_reply(DHCPACK);
	ck_assert_uint_eq(reply_u32(DHO_SERVER_ID), IP4(10, 43, 0, 1));
	reply_bytes_eq(DHO_RELAY_INFO, over, sizeof(over));
	/* Without the override the same server identifier is another's. */
	req(DHCPREQUEST, MAC_A);
	rq.hdr.giaddr = IP4(10, 99, 0, 1);
	req_opt(DHO_RELAY_INFO, link, sizeof(link));
	req_u32(DHO_SERVER_ID, IP4(10, 43, 0, 1));
	req_u32(DHO_REQUESTED_ADDR, IP4(10, 43, 0, 50));
	decide();
	expect_drop(DROP_OTHER_SERVER);
}
END_TEST

/*
 * T1 and T2 as configured (RFC 2131 4.4.5), only while they fit the
 * reply's lease; siaddr from next_server (table 3), in an INFORM's ACK
 * too, never in a NAK.
 */
START_TEST(test_renewal_times_next_server)
{
	dhcp_extra = DHCP_EXTRA "  renew_time = 1000; rebind_time = 2500;\n"
	    "  next_server = \"10.42.0.9\";\n";
	start_main();
	req(DHCPDISCOVER, MAC_A);
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_uint_eq(reply_u32(DHO_T1), 1000);
	ck_assert_uint_eq(reply_u32(DHO_T2), 2500);
	ck_assert_ip_eq(rep->siaddr, IP4(10, 42, 0, 9));
	/* A client asking for 600 s: 1000 and 2500 do not fit it. */
	select_lt(MAC_A, rep->yiaddr, 600);
	expect_reply(DHCPACK);
	ck_assert_uint_eq(reply_u32(DHO_LEASE_TIME), 600);
	ck_assert_uint_eq(reply_u32(DHO_T1), 300);
	ck_assert_uint_eq(reply_u32(DHO_T2), 525);
	ck_assert_ip_eq(rep->siaddr, IP4(10, 42, 0, 9));
	req(DHCPINFORM, MAC_B);
	rq.hdr.ciaddr = IP4(10, 42, 0, 77);
	rq.src_ip = IP4(10, 42, 0, 77);
	decide();
	expect_reply(DHCPACK);
	ck_assert_ip_eq(rep->siaddr, IP4(10, 42, 0, 9));
	ck_assert(!reply_has(DHO_T1));
	ck_assert(!reply_has(DHO_LEASE_TIME));
	select_req(MAC_C, NULL, IP4(10, 99, 0, 1));
	expect_reply(DHCPNAK);
	ck_assert_ip_eq(rep->siaddr, 0);
}
END_TEST

/* ---- Vendor classes (classify.c) ---- */

/* The class a DISCOVER from mac with Option 60 vc[0..len) lands in. */
static const char *
class_of(const char *mac, const void *vc, size_t len)
{
	req(DHCPDISCOVER, mac);
	if (vc != NULL)
		req_opt(DHO_VENDOR_CLASS, vc, len);
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ptr_nonnull(dec->vendor);
	return dec->vendor->name;
}

#define CLASS_OF_STR(mac, s)	class_of((mac), (s), strlen(s))

/* Legacy Polycom bootROM: enterprise 13885, then binary sub-options. */
static const uint8_t polycom_vc[] = {
	0x00, 0x00, 0x36, 0x3d, 0x1d,
	0x01, 0x07, 'P', 'o', 'l', 'y', 'c', 'o', 'm',
	0x02, 0x0f, 'S', 'o', 'u', 'n', 'd', 'P', 'o', 'i', 'n', 't', 'I',
	'P', '-', '3', '3',
	0x03, 0x01, 0x00,
};

static const char cisco_vc[] = "Cisco Systems, Inc. IP Phone CP-7960G";

START_TEST(test_classify)
{
	start_main();
	/* Prefix, case-insensitive. */
	ck_assert_str_eq(CLASS_OF_STR(MAC_A, "snomD785"), "snom");
	ck_assert_str_eq(CLASS_OF_STR(MAC_A, "SNOM320"), "snom");
	ck_assert_str_eq(CLASS_OF_STR(MAC_A, "yealink"), "yealink");
	/* A substring inside a binary Option 60. */
	ck_assert_str_eq(class_of(MAC_A, polycom_vc, sizeof(polycom_vc)),
	    "polycom");
	/* Exact, with the trailing NUL Cisco 79xx phones send. */
	ck_assert_str_eq(class_of(MAC_A, cisco_vc, sizeof(cisco_vc)),
	    "cisco");
	ck_assert_str_eq(class_of(MAC_A, cisco_vc, sizeof(cisco_vc) - 1),
	    "cisco");
	ck_assert_str_eq(CLASS_OF_STR(MAC_A, "ipphone.mitel.com"), "aastra");
	/* Exact is exact: longer or shorter is another class. */
	ck_assert_str_eq(CLASS_OF_STR(MAC_A, "ipphone.mitel.com.x"), "other");
	ck_assert_str_eq(CLASS_OF_STR(MAC_A, "Cisco Systems, Inc. IP Phone"),
	    "other");
	/* No Option 60: the OUI. */
	ck_assert_str_eq(class_of("00:04:f2:aa:bb:cc", NULL, 0), "polycom");
	ck_assert_str_eq(class_of("7c:2f:80:aa:bb:cc", NULL, 0), "gigaset");
	ck_assert_str_eq(class_of("00:04:13:aa:bb:cc", NULL, 0), "snom");
	/* An Option 60 nobody matches: still the OUI. */
	ck_assert_str_eq(CLASS_OF_STR("00:04:13:aa:bb:cc", "udhcp 1.30"),
	    "snom");
	/* Option 60 beats the OUI: Gigaset Pro phones carry snom's. */
	ck_assert_str_eq(CLASS_OF_STR("00:04:13:aa:bb:cc",
	    "Gigaset_N720_DM_PRO"), "gigaset");
	/* Otherwise the default class. */
	ck_assert_str_eq(CLASS_OF_STR(MAC_A, "MSFT 5.0"), "other");
	ck_assert_str_eq(class_of(MAC_A, NULL, 0), "other");
	/* The default class carries no provisioning options. */
	ck_assert(!reply_has(DHO_TFTP_SERVER));
}
END_TEST

/* ---- Provisioning options (reply.c) ---- */

START_TEST(test_token_url_registered)
{
	static const uint8_t	 prl[] = { 1, 3, 6 };
	char			 tok[TOKEN_LEN + 1], fa[TOKEN_LEN + 1];
	char			 want[256];
	struct reg_enroll	 e;

	start_main();
	user_token("alice", tok);
	/*
	 * Registered, never enrolled: what an unregistered phone gets. A
	 * DHCP answer goes to whoever asks with the MAC, so it never holds
	 * the permanent token.
	 */
	req(DHCPDISCOVER, MAC_ALICE);
	req_str(DHO_VENDOR_CLASS, "yealink");
	req_opt(DHO_PARAM_REQ, prl, sizeof(prl));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_str_eq(dec->user, "alice");
	reply_str_eq(DHO_TFTP_SERVER,
	    "https://10.42.0.1/boot/805ec0000001.cfg");
	ck_assert_ptr_null(memmem(repbuf, (size_t)replen, tok, TOKEN_LEN));

	/* Enrolling: the first-access token, sent though not asked for. */
	enroll_dev(MAC_ALICE, fa);
	ck_assert_str_ne(fa, tok);
	snprintf(want, sizeof(want), "https://10.42.0.1/p/%s/", fa);
	req(DHCPDISCOVER, MAC_ALICE);
	req_str(DHO_VENDOR_CLASS, "yealink");
	req_opt(DHO_PARAM_REQ, prl, sizeof(prl));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_str_eq(dec->vendor->name, "yealink");
	ck_assert_str_eq(dec->user, "alice");
	reply_str_eq(DHO_TFTP_SERVER, want);
	ck_assert_ptr_null(memmem(repbuf, (size_t)replen, tok, TOKEN_LEN));
	/* The token is bound to the identity and address it went to. */
	ck_assert_int_eq(enroll_get(MAC_ALICE, &e), 0);
	ck_assert_uint_eq(e.id_len, 8);
	ck_assert_mem_eq(e.id, "H\x01\x80\x5e\xc0\x00\x00\x01", 8);
	ck_assert_ip_eq(e.fa_ip, rep->yiaddr);
	ck_assert_int_eq(e.fa_handed, now);
	reg_enroll_clear(&e);
	/* And in the ACK. */
	select_req(MAC_ALICE, NULL, rep->yiaddr);
	expect_reply(DHCPACK);
	reply_str_eq(DHO_TFTP_SERVER, want);
	/* Never in an INFORM, even from the leased address. */
	req(DHCPINFORM, MAC_ALICE);
	rq.hdr.ciaddr = rep->yiaddr;
	rq.src_ip = rep->yiaddr;
	req_str(DHO_VENDOR_CLASS, "yealink");
	decide();
	expect_reply(DHCPACK);
	ck_assert_ptr_null(memmem(repbuf, (size_t)replen, fa, TOKEN_LEN));
	ck_assert_ptr_null(memmem(repbuf, (size_t)replen, tok, TOKEN_LEN));
	/* The window closes: nothing secret again. */
	now += 601;
	req(DHCPDISCOVER, MAC_ALICE);
	req_str(DHO_VENDOR_CLASS, "yealink");
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ptr_null(memmem(repbuf, (size_t)replen, fa, TOKEN_LEN));
}
END_TEST

START_TEST(test_first_access_one_identity)
{
	char			 fa[TOKEN_LEN + 1];
	struct reg_enroll	 e;
	uint32_t		 ip;

	start_main();
	enroll_dev(MAC_ALICE, fa);
	/*
	 * The attacker wins the race while the phone is off: it gets the
	 * first-access URL, bound to its identity (Option 61 "evil").
	 */
	req(DHCPDISCOVER, MAC_ALICE);
	req_str(DHO_CLIENT_ID, "\x01" "evil");
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ptr_nonnull(memmem(repbuf, (size_t)replen, fa, TOKEN_LEN));
	ip = rep->yiaddr;
	/* The phone boots: the MAC is held, it gets nothing... */
	req(DHCPDISCOVER, MAC_ALICE);
	decide();
	expect_drop(DROP_DUPLICATE_MAC);
	/* ...and the device is suspect: the token is dead for everyone. */
	ck_assert_int_eq(enroll_get(MAC_ALICE, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_SUSPECT);
	ck_assert_str_eq(e.fa_token, "");
	reg_enroll_clear(&e);
	select_req(MAC_ALICE, "\x01" "evil", ip);
	expect_reply(DHCPACK);
	ck_assert_ptr_null(memmem(repbuf, (size_t)replen, fa, TOKEN_LEN));
}
END_TEST

START_TEST(test_first_access_bound_identity)
{
	char			 fa[TOKEN_LEN + 1];
	struct reg_enroll	 e;

	start_main();
	enroll_dev(MAC_ALICE, fa);
	/* An attacker takes the first-access URL, then its lease ends. */
	req(DHCPDISCOVER, MAC_ALICE);
	req_str(DHO_CLIENT_ID, "\x01" "evil");
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ptr_nonnull(memmem(repbuf, (size_t)replen, fa, TOKEN_LEN));
	now += 120;	/* the OFFER's hold is over */
	/* The phone then gets an address, but not the token: suspect. */
	req(DHCPDISCOVER, MAC_ALICE);
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_ptr_null(memmem(repbuf, (size_t)replen, fa, TOKEN_LEN));
	ck_assert_int_eq(enroll_get(MAC_ALICE, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_SUSPECT);
	reg_enroll_clear(&e);
}
END_TEST

START_TEST(test_release_from_elsewhere)
{
	uint32_t		ip;
	struct reg_lease	l;

	start_main();
	ip = dora_id(MAC_A, NULL);
	/* A RELEASE with the client's identity, sent from another host. */
	req(DHCPRELEASE, MAC_A);
	rq.hdr.ciaddr = ip;
	rq.src_ip = IP4(10, 42, 0, 50);
	rq.unicast = 1;
	req_u32(DHO_SERVER_ID, SERVER_IP);
	decide();
	expect_drop(DROP_RELEASE_SOURCE);
	ck_assert_int_eq(lease_get(ip, &l), 0);
	ck_assert_uint_eq(l.state, LEASE_BOUND);
	/* From the leased address itself it is honoured (4.3.4). */
	rq.src_ip = ip;
	decide();
	ck_assert_int_eq(dec->action, DA_RELEASE);
}
END_TEST

START_TEST(test_unregistered_phone)
{
	start_main();
	/* A yealink nobody registered: the class's unregistered URL. */
	req(DHCPDISCOVER, "80:5e:c0:12:34:ab");
	req_str(DHO_VENDOR_CLASS, "yealink");
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_str_eq(dec->vendor->name, "yealink");
	ck_assert_str_eq(dec->user, "");
	reply_str_eq(DHO_TFTP_SERVER,
	    "https://10.42.0.1/boot/805ec01234ab.cfg");
	/* ${mac} is filled per phone. */
	req(DHCPDISCOVER, "80:5e:c0:12:34:cd");
	decide();
	expect_reply(DHCPOFFER);
	reply_str_eq(DHO_TFTP_SERVER,
	    "https://10.42.0.1/boot/805ec01234cd.cfg");
	/* A class without unregistered options gives nothing. */
	req(DHCPDISCOVER, "00:04:13:99:99:99");
	req_str(DHO_VENDOR_CLASS, "snomD785");
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_str_eq(dec->vendor->name, "snom");
	ck_assert(!reply_has(DHO_TFTP_SERVER));
	ck_assert(!reply_has(DHO_BOOTFILE));
	ck_assert(!reply_has(DHO_VENDOR_ENCAP));
}
END_TEST

START_TEST(test_legacy_flat_url)
{
	start_main();
	/* Registered, legacy mode: the flat folder, no token. */
	req(DHCPDISCOVER, MAC_AASTRA);
	req_str(DHO_VENDOR_CLASS, "ipphone.mitel.com");
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_str_eq(dec->vendor->name, "aastra");
	ck_assert_str_eq(dec->user, "carol");
	reply_str_eq(DHO_TFTP_SERVER,
	    "https://10.42.0.1/prov/00085D000005.cfg");
	/* Unregistered in the same class. */
	req(DHCPDISCOVER, "00:08:5d:00:00:99");
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_str_eq(dec->vendor->name, "aastra");
	reply_str_eq(DHO_TFTP_SERVER, "https://10.42.0.1/prov/");
}
END_TEST

START_TEST(test_revoked_token_unregistered)
{
	char tok[TOKEN_LEN + 1];

	start_main();
	user_token("alice", tok);
	revoke_token("alice");
	req(DHCPDISCOVER, MAC_ALICE);
	req_str(DHO_VENDOR_CLASS, "yealink");
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_str_eq(dec->vendor->name, "yealink");
	reply_str_eq(DHO_TFTP_SERVER,
	    "https://10.42.0.1/boot/805ec0000001.cfg");
	ck_assert_ptr_null(memmem(repbuf, (size_t)replen, tok, TOKEN_LEN));
	/* A revoked snom user (no unregistered options): nothing. */
	revoke_token("bob");
	req(DHCPDISCOVER, MAC_BOB);
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_str_eq(dec->vendor->name, "snom");
	ck_assert(!reply_has(DHO_TFTP_SERVER));
	ck_assert(!reply_has(DHO_VENDOR_ENCAP));
}
END_TEST

START_TEST(test_snom_options)
{
	char	 tok[TOKEN_LEN + 1], want67[256], sub67[256];
	uint8_t	 want43[512];
	size_t	 n = 0;

	start_main();
	enroll_dev(MAC_BOB, tok);
	snprintf(want67, sizeof(want67), "p/%s/snomD785-000413200002.htm",
	    tok);
	snprintf(sub67, sizeof(sub67), "p/%s/snomD785.htm", tok);
	want43[n++] = 66;
	want43[n++] = (uint8_t)strlen("https://10.42.0.1");
	memcpy(want43 + n, "https://10.42.0.1", strlen("https://10.42.0.1"));
	n += strlen("https://10.42.0.1");
	want43[n++] = 67;
	want43[n++] = (uint8_t)strlen(sub67);
	memcpy(want43 + n, sub67, strlen(sub67));
	n += strlen(sub67);

	req(DHCPDISCOVER, MAC_BOB);
	req_str(DHO_VENDOR_CLASS, "snomD785");
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_str_eq(dec->user, "bob");
	reply_str_eq(DHO_TFTP_SERVER, "https://10.42.0.1");
	reply_str_eq(DHO_BOOTFILE, want67);
	reply_bytes_eq(DHO_VENDOR_ENCAP, want43, n);
}
END_TEST

START_TEST(test_cisco_option_150)
{
	static const uint8_t	 prl[] = { 1, 3, 6, 15, 35, 66, 150 };
	char			 tok[TOKEN_LEN + 1], want[256];

	start_main();
	enroll_dev(MAC_CISCO, tok);
	snprintf(want, sizeof(want), "https://10.42.0.1/p/%s/", tok);
	req(DHCPDISCOVER, MAC_CISCO);
	req_opt(DHO_VENDOR_CLASS, cisco_vc, sizeof(cisco_vc));
	req_opt(DHO_PARAM_REQ, prl, sizeof(prl));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_str_eq(dec->vendor->name, "cisco");
	ck_assert_str_eq(dec->user, "carol");
	/* A list of IPv4 addresses: 4 bytes each. */
	reply_bytes_eq(150, "\x0a\x2a\x00\x09\x0a\x2a\x00\x01", 8);
	reply_str_eq(DHO_TFTP_SERVER, want);
	/* The registry's class holds without any Option 60. */
	req(DHCPDISCOVER, MAC_CISCO);
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_str_eq(dec->vendor->name, "cisco");
	reply_bytes_eq(150, "\x0a\x2a\x00\x09\x0a\x2a\x00\x01", 8);
	/*
	 * "${server_ip}" is the address the reply comes from, not a
	 * constant: a server at 10.42.0.7 hands out 10.42.0.7.
	 */
	{
		static const uint32_t moved[] = { IP4(10, 42, 0, 7) };

		rx_addrs = moved;
		req(DHCPDISCOVER, MAC_CISCO);
		decide();
		rx_addrs = if_addrs;
		expect_reply(DHCPOFFER);
		ck_assert_uint_eq(reply_u32(DHO_SERVER_ID), IP4(10, 42, 0, 7));
		reply_bytes_eq(150, "\x0a\x2a\x00\x09\x0a\x2a\x00\x07", 8);
	}
}
END_TEST

START_TEST(test_polycom_option_160)
{
	char tok[TOKEN_LEN + 1], want[256];

	start_main();
	enroll_dev(MAC_POLY, tok);
	snprintf(want, sizeof(want), "https://10.42.0.1/p/%s/", tok);
	req(DHCPDISCOVER, MAC_POLY);
	req_str(DHO_VENDOR_CLASS, "Polycom-VVX310");
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_str_eq(dec->vendor->name, "polycom");
	reply_str_eq(160, want);
	reply_str_eq(DHO_TFTP_SERVER, want);
	/* An unregistered Polycom gets neither. */
	req(DHCPDISCOVER, "00:04:f2:00:00:99");
	req_opt(DHO_VENDOR_CLASS, polycom_vc, sizeof(polycom_vc));
	decide();
	expect_reply(DHCPOFFER);
	ck_assert_str_eq(dec->vendor->name, "polycom");
	ck_assert(!reply_has(160));
	ck_assert(!reply_has(DHO_TFTP_SERVER));
}
END_TEST

static Suite *
server_suite(void)
{
	Suite	*s = suite_create("server");
	TCase	*tc;

	tc = tcase_create("discover");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_discover_offer);
	tcase_add_test(tc, test_discover_reservation_first);
	tcase_add_test(tc, test_discover_current_lease);
	tcase_add_test(tc, test_discover_returning_client);
	tcase_add_test(tc, test_discover_requested_address);
	tcase_add_test(tc, test_discover_offer_holds_address);
	tcase_add_test(tc, test_discover_lease_time_clamped);
	suite_add_tcase(s, tc);

	tc = tcase_create("request");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_request_selecting_ack);
	tcase_add_test(tc, test_request_other_server);
	tcase_add_test(tc, test_request_selecting_taken_nak);
	tcase_add_test(tc, test_init_reboot_own_ack);
	tcase_add_test(tc, test_init_reboot_wrong_network_nak);
	tcase_add_test(tc, test_init_reboot_no_record_silent);
	tcase_add_test(tc, test_init_reboot_other_address_nak);
	tcase_add_test(tc, test_not_authoritative_silent);
	tcase_add_test(tc, test_renewing_ack);
	tcase_add_test(tc, test_reservation_beats_live_lease);
	tcase_add_test(tc, test_rebinding_ack);
	tcase_add_test(tc, test_renewing_others_address_nak);
	tcase_add_test(tc, test_rebinding_unknown_silent);
	tcase_add_test(tc, test_renewing_routed);
	suite_add_tcase(s, tc);

	tc = tcase_create("decline-release-inform");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_decline_quarantine);
	tcase_add_test(tc, test_decline_not_theirs);
	tcase_add_test(tc, test_decline_after_ack_only);
	tcase_add_test(tc, test_decline_cap);
	tcase_add_test(tc, test_decline_rate);
	tcase_add_test(tc, test_quarantine_reclaimed_oldest);
	tcase_add_test(tc, test_release);
	tcase_add_test(tc, test_release_others_ignored);
	tcase_add_test(tc, test_inform);
	tcase_add_test(tc, test_inform_destination);
	suite_add_tcase(s, tc);

	tc = tcase_create("messages");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_client_id_identifies);
	tcase_add_test(tc, test_release_from_elsewhere);
	tcase_add_test(tc, test_relay_subnet_and_echo);
	tcase_add_test(tc, test_relay_nak_broadcast);
	tcase_add_test(tc, test_reply_destination);
	tcase_add_test(tc, test_prl_order);
	tcase_add_test(tc, test_mask_before_router);
	tcase_add_test(tc, test_client_id_echo_in_nak);
	tcase_add_test(tc, test_max_message_size);
	tcase_add_test(tc, test_no_reply);
	suite_add_tcase(s, tc);

	tc = tcase_create("allocation");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_pool_no_double_allocation);
	tcase_add_test(tc, test_reservation_kept_when_full);
	tcase_add_test(tc, test_expired_reclaimed_oldest_first);
	tcase_add_test(tc, test_reserve_for_registered);
	tcase_add_test(tc, test_admission_limits);
	tcase_add_test(tc, test_admission_per_mac);
	tcase_add_test(tc, test_conflict_probe);
	tcase_add_test(tc, test_pool_marks_given_back);
	tcase_add_test(tc, test_deleted_lease_found);
	tcase_add_test(tc, test_long_client_id);
	tcase_add_test(tc, test_relay_link_selection_override);
	tcase_add_test(tc, test_renewal_times_next_server);
	suite_add_tcase(s, tc);

	tc = tcase_create("provisioning");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_classify);
	tcase_add_test(tc, test_token_url_registered);
	tcase_add_test(tc, test_first_access_one_identity);
	tcase_add_test(tc, test_first_access_bound_identity);
	tcase_add_test(tc, test_unregistered_phone);
	tcase_add_test(tc, test_legacy_flat_url);
	tcase_add_test(tc, test_revoked_token_unregistered);
	tcase_add_test(tc, test_snom_options);
	tcase_add_test(tc, test_cisco_option_150);
	tcase_add_test(tc, test_polycom_option_160);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(server_suite());
}
