/*
 * fuzz_dhcp.c - the DHCP codec and the server's decision on what it parsed.
 *
 * Each input is one datagram as the server would read it. What parses is
 * decided on against a fixed office config (three subnets, one behind a
 * relay, reservations, vendor classes with ${token} templates, values
 * long enough that replies need option overload) and
 * an in-memory lease view, so no LMDB is involved and a run does many
 * thousand executions a second. A decided reply is built into a buffer of
 * the size the client accepts and parsed back: it must parse, say what was
 * decided, and carry every option that was not counted as left out, byte
 * for byte.
 *
 * Where the datagram came from is taken from the input itself: the low bit
 * of xid says whether it was unicast to us (RENEWING) and, if so, its
 * source is ciaddr; a relayed one comes from giaddr.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "fuzz.h"

#include "cfg.h"
#include "packet.h"
#include "registry.h"
#include "server.h"

#define IP4(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			    (uint32_t)(c) << 8 | (uint32_t)(d))
#define SERVER_IP	IP4(10, 42, 0, 1)
#define T0		((time_t)1700000000)

static const char cfg_text[] =
    "registry = { path = \"reg\"; sync = false; };\n"
    "dhcp = {\n"
    "  authoritative = true;\n"
    "  lease_time = 3600; min_lease_time = 300; max_lease_time = 86400;\n"
    "  decline_time = 86400; offer_time = 60;\n"
    "  options = (\n"
    "    { name = \"ntp-servers\"; value = [ \"10.42.0.1\" ]; },\n"
    /* 250 bytes: the longest fixed value the config takes. */
    "    { code = 224; type = \"string\"; value = \""
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789\"; }\n"
    "  );\n"
    "  subnets = (\n"
    "    { subnet = \"10.42.0.0/24\";\n"
    "      pools = ( { start = \"10.42.0.100\"; end = \"10.42.0.249\"; } );\n"
    "      routers = [ \"10.42.0.1\" ];\n"
    "      dns = [ \"10.42.0.1\", \"10.42.0.2\" ];\n"
    "      domain = \"office.lan\";\n"
    "      reservations = (\n"
    "        { mac = \"80:5e:c0:10:00:01\"; ip = \"10.42.0.20\";\n"
    "          hostname = \"reception\"; },\n"
    "        { mac = \"02:00:00:00:aa:02\"; ip = \"10.42.0.102\"; }\n"
    "      ); },\n"
    "    { subnet = \"10.43.0.0/24\";\n"
    "      pools = ( { start = \"10.43.0.50\"; end = \"10.43.0.59\"; },\n"
    "                { start = \"10.43.0.100\"; end = \"10.43.0.109\"; } );\n"
    "      routers = [ \"10.43.0.1\" ]; lease_time = 600;\n"
    "      options = ( { code = 42; value = [ \"10.43.0.1\" ]; } ); },\n"
    "    { subnet = \"10.44.0.0/24\"; interface = \"eth2\";\n"
    "      pools = ( { start = \"10.44.0.10\"; end = \"10.44.0.20\"; } ); }\n"
    "  );\n"
    "};\n"
    "provisioning = {\n"
    "  listen = [ \"127.0.0.1:8443\" ];\n"
    "  base_url = \"https://10.42.0.1\";\n"
    "  tls = { cert = \"server.crt\"; key = \"server.key\"; };\n"
    "};\n"
    /* The shipped classes' matches and options, without their files. */
    "vendors = (\n"
    "  { name = \"gigaset\";\n"
    "    match = { vendor_class_prefix = [ \"Gigaset\", \"N510\", \"N720\" ];\n"
    "              oui = [ \"7c:2f:80\", \"58:9e:c6\" ]; };\n"
    "    options = (\n"
    "      { code = 114; value = \"${base_url}/p/${token}/\"; },\n"
    "      { code = 66; value = \"${base_url}/p/${token}/\"; } ); },\n"
    "  { name = \"snom\";\n"
    "    match = { vendor_class_prefix = [ \"snom\" ];\n"
    "              oui = [ \"00:04:13\" ]; };\n"
    "    options = (\n"
    "      { code = 66; value = \"${base_url}\"; },\n"
    "      { code = 67; value = \"p/${token}/snom${model}-${MAC}.htm\"; },\n"
    /* 224 bytes: with 224, a reply needs overload below 1000 bytes. */
    "      { code = 225; type = \"string\"; value = \"${base_url}/"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    "0123456789abcdef0123456789abcdef"
    "/${token}/${MAC}\"; },\n"
    "      { code = 43; suboptions = (\n"
    "          { code = 66; value = \"${base_url}\"; },\n"
    "          { code = 67; value = \"p/${token}/snom${model}.htm\"; } ); }\n"
    "    ); },\n"
    "  { name = \"yealink\";\n"
    "    match = { vendor_class_prefix = [ \"yealink\", \"SIP-T\" ];\n"
    "              oui = [ \"80:5e:c0\", \"00:15:65\" ]; };\n"
    "    options = ( { code = 66; value = \"${base_url}/p/${token}/\"; } );\n"
    "    unregistered = (\n"
    "      { code = 66; value = \"${base_url}/boot/${mac}.cfg\"; } ); },\n"
    "  { name = \"polycom\";\n"
    "    match = { vendor_class_prefix = [ \"Polycom-\", \"Poly-\" ];\n"
    "              vendor_class_substring = [ \"Polycom\" ];\n"
    "              oui = [ \"00:04:f2\", \"64:16:7f\" ]; };\n"
    "    options = (\n"
    "      { code = 160; value = \"${base_url}/p/${token}/\"; },\n"
    "      { code = 66; value = \"${base_url}/p/${token}/\"; } ); },\n"
    "  { name = \"cisco\";\n"
    "    match = { vendor_class_exact =\n"
    "                [ \"Cisco Systems, Inc. IP Phone CP-7960G\" ];\n"
    "              vendor_class_prefix =\n"
    "                [ \"Cisco\", \"CP-\", \"LINKSYS\" ]; };\n"
    "    options = (\n"
    "      { code = 66; value = \"${base_url}/p/${token}/\"; },\n"
    "      { code = 150; value = [ \"10.42.0.1\", \"10.42.0.2\" ]; } ); },\n"
    "  { name = \"grandstream\";\n"
    "    match = { vendor_class_prefix = [ \"Grandstream\", \"DP7\" ];\n"
    "              oui = [ \"00:0b:82\", \"c0:74:ad\" ]; };\n"
    "    options = (\n"
    "      { code = 66; value = \"${base_url}/p/${token}/\"; },\n"
    "      { code = 43; type = \"hex\"; value = \"01:04:de:ad:be:ef\"; }\n"
    "    ); },\n"
    "  { name = \"aastra\";\n"
    "    match = { vendor_class_prefix = [ \"AastraIPPhone\" ];\n"
    "              vendor_class_exact = [ \"ipphone.mitel.com\" ];\n"
    "              oui = [ \"00:08:5d\", \"14:00:e9\" ]; };\n"
    "    mode = \"legacy\";\n"
    "    options = (\n"
    "      { code = 43; suboptions = (\n"
    "          { code = 2; value = \"${base_url}/prov/${MAC}.cfg\"; } ); },\n"
    "      { code = 66; value = \"${base_url}/prov/\"; } );\n"
    "    unregistered = ( { code = 66; value = \"${base_url}/prov/\"; } ); },\n"
    "  { name = \"other\"; default = true; }\n"
    ");\n";

static struct cfg	*cfg;

/* The registry as the fake view shows it. */
struct fake_dev {
	const char	*mac;
	const char	*user;
	const char	*vendor;
	const char	*model;
	int		 fail;	/* 1: device() fails; 2: user() does */
};

static const struct fake_dev devices[] = {
	{ "80:5e:c0:10:00:01", "alice", "yealink", "T46S", 0 },
	/* The longest model the registry holds, in three templates. */
	{ "00:04:13:20:00:02", "bob", "snom",
	    "D785-0123456789012345678901234567890123456789012345678901234", 0 },
	{ "00:08:5d:00:00:05", "carol", "aastra", "6737i", 0 },
	{ "00:04:f2:00:00:04", "dave", "polycom", "VVX310", 0 },  /* revoked */
	{ "00:1b:54:00:00:03", "erin", "cisco", "CP-7841", 0 },   /* no user */
	{ "7c:2f:80:00:00:06", "frank", "removed-class", "N720", 0 },
	{ "00:0b:82:00:00:07", "grace", "grandstream", "GXP1628", 0 },
	{ "02:00:00:00:ee:01", "alice", "yealink", "T46S", 1 },
	{ "02:00:00:00:ee:02", "alice", "yealink", "T46S", 2 },
};

struct fake_user {
	const char	*name;
	const char	*token;
};

static const struct fake_user users[] = {
	{ "alice", "AAAAaaaaBBBBbbbbCCCCccccDDDDdd-_" },
	{ "bob", "0123456789abcdefghijklmnopqrstuv" },
	{ "carol", "carolcarolcarolcarolcarolcarol12" },
	{ "dave", "" },
	{ "frank", "frankfrankfrankfrankfrankfrank12" },
	{ "grace", "gracegracegracegracegracegrace12" },
};

struct fake_lease {
	uint32_t	 ip;
	uint8_t		 state;
	const char	*mac;		/* the client, by MAC... */
	int		 by_id;	/* ...or by Option 61: 01, MAC */
	int64_t		 expire;	/* from T0 */
};

static const struct fake_lease leases[] = {
	{ IP4(10, 42, 0, 20), LEASE_BOUND, "80:5e:c0:10:00:01", 0, 3000 },
	{ IP4(10, 42, 0, 150), LEASE_BOUND, "00:04:13:20:00:02", 0, 1800 },
	{ IP4(10, 42, 0, 151), LEASE_BOUND, "02:00:00:00:00:0b", 1, -100 },
	{ IP4(10, 42, 0, 152), LEASE_DECLINED, "02:00:00:00:00:0d", 0, 1000 },
	{ IP4(10, 42, 0, 153), LEASE_RELEASED, "02:00:00:00:00:0e", 0, -50 },
	{ IP4(10, 42, 0, 154), LEASE_OFFERED, "02:00:00:00:00:0f", 0, 30 },
	{ IP4(10, 43, 0, 55), LEASE_BOUND, "02:00:00:00:00:0c", 0, 500 },
};

/* An address whose record cannot be read: the registry failing. */
#define BROKEN_IP	IP4(10, 42, 0, 66)

static void
lease_of(const struct fake_lease *fl, struct reg_lease *out)
{
	struct mac_addr mac;

	memset(out, 0, sizeof(*out));
	if (mac_parse(fl->mac, &mac) != 0)
		FUZZ_FATAL("bad MAC %s in the lease table", fl->mac);
	out->ip = fl->ip;
	out->state = fl->state;
	out->htype = 1;
	out->hlen = 6;
	memcpy(out->chaddr, mac.b, 6);
	/* 'I' + Option 61 (type 1, MAC), or 'H' + htype 1 + MAC: 8 bytes. */
	out->client_key[0] = fl->by_id ? 'I' : 'H';
	out->client_key[1] = 1;
	memcpy(out->client_key + 2, mac.b, 6);
	out->client_key_len = 8;
	out->start = T0 - 600;
	out->expire = T0 + fl->expire;
}

static int
v_get(void *arg, uint32_t ip, struct reg_lease *out)
{
	(void)arg;
	if (ip == BROKEN_IP)
		return -1;
	for (size_t i = 0; i < sizeof(leases) / sizeof(leases[0]); i++) {
		if (leases[i].ip == ip) {
			lease_of(&leases[i], out);
			return 0;
		}
	}
	return REG_NOTFOUND;
}

static int
v_by_client(void *arg, const uint8_t *key, size_t len, uint32_t *ips,
    size_t max)
{
	struct reg_lease	 l;
	int			 n = 0;

	(void)arg;
	for (size_t i = 0; i < sizeof(leases) / sizeof(leases[0]); i++) {
		lease_of(&leases[i], &l);
		if (l.client_key_len != len || memcmp(l.client_key, key,
		    len) != 0)
			continue;
		if ((size_t)n < max)
			ips[n] = l.ip;
		n++;
	}
	return n;
}

static int
v_find_free(void *arg, const struct cfg_subnet *sn,
    const struct cfg_pool *pool, uint32_t *out)
{
	(void)arg;
	if (sn->network != IP4(10, 42, 0, 0))
		return REG_NOTFOUND;
	*out = pool->start;
	return 0;
}

static int
v_find_expired(void *arg, const struct cfg_subnet *sn,
    const struct cfg_pool *pool, time_t now, uint32_t *out)
{
	(void)arg;
	(void)now;
	if (sn->network != IP4(10, 43, 0, 0))
		return REG_NOTFOUND;
	*out = pool->end;
	return 0;
}

static int
v_device(void *arg, const struct mac_addr *mac, struct reg_device *out)
{
	struct mac_addr m;

	(void)arg;
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		if (mac_parse(devices[i].mac, &m) != 0)
			FUZZ_FATAL("bad MAC %s in the device table",
			    devices[i].mac);
		if (mac_cmp(&m, mac) != 0)
			continue;
		if (devices[i].fail == 1)
			return -1;
		memset(out, 0, sizeof(*out));
		out->mac = m;
		snprintf(out->user, sizeof(out->user), "%s", devices[i].user);
		snprintf(out->vendor, sizeof(out->vendor), "%s",
		    devices[i].vendor);
		snprintf(out->model, sizeof(out->model), "%s",
		    devices[i].model);
		/* Tells user() which of alice's devices asks. */
		if (devices[i].fail == 2)
			snprintf(out->user, sizeof(out->user), "%s", "(fail)");
		return 0;
	}
	return REG_NOTFOUND;
}

static int
v_user(void *arg, const char *name, struct reg_user *out)
{
	(void)arg;
	if (strcmp(name, "(fail)") == 0)
		return -1;
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		if (strcmp(users[i].name, name) != 0)
			continue;
		memset(out, 0, sizeof(*out));
		snprintf(out->name, sizeof(out->name), "%s", users[i].name);
		snprintf(out->sip_user, sizeof(out->sip_user), "2%02zu", i);
		snprintf(out->sip_password, sizeof(out->sip_password), "pw-%s",
		    users[i].name);
		snprintf(out->sip_server, sizeof(out->sip_server), "10.42.0.1");
		out->sip_port = 5060;
		snprintf(out->token, sizeof(out->token), "%s", users[i].token);
		return 0;
	}
	return REG_NOTFOUND;
}

static int
v_by_mac(void *arg, const struct mac_addr *mac, uint32_t *ips, size_t max)
{
	struct reg_lease	 l;
	int			 n = 0;

	(void)arg;
	for (size_t i = 0; i < sizeof(leases) / sizeof(leases[0]); i++) {
		lease_of(&leases[i], &l);
		if (memcmp(l.chaddr, mac->b, 6) != 0)
			continue;
		if ((size_t)n < max)
			ips[n] = l.ip;
		n++;
	}
	return n;
}

/*
 * alice's phone is enrolling, its first-access token bound to its
 * hardware identity; grace's is enrolling and bound to no one yet; the
 * registry fails for the second test device.
 */
static int
v_enroll(void *arg, const struct mac_addr *mac, struct reg_enroll *out)
{
	char	 s[MAC_PLAIN_LEN];

	(void)arg;
	mac_format_plain(mac, s, 0);
	memset(out, 0, sizeof(*out));
	out->mac = *mac;
	if (strcmp(s, "02000000ee02") == 0)
		return -1;
	if (strcmp(s, "805ec0100001") != 0 && strcmp(s, "000b82000007") != 0)
		return REG_NOTFOUND;
	out->state = ENROLL_ENROLLING;
	out->window_until = T0 + 600;
	snprintf(out->fa_token, sizeof(out->fa_token), "%s",
	    "firstaccessfirstaccessfirstacc12");
	if (s[0] == '8') {
		out->id[0] = 'H';
		out->id[1] = 1;
		memcpy(out->id + 2, mac->b, 6);
		out->id_len = 8;
		out->fa_ip = IP4(10, 42, 0, 20);
	}
	return 0;
}

static const struct lease_view view = {
	NULL, v_get, v_by_client, v_find_free, v_find_expired, v_device,
	v_user, v_by_mac, v_enroll,
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct cfg_errors	 errs;
	char			 path[4096], line[1024];

	(void)argc;
	(void)argv;
	fuzz_quiet();
	if (fuzz_write("provbox.conf", cfg_text, strlen(cfg_text)) != 0)
		FUZZ_FATAL("cannot write the config into %s", fuzz_tmpdir());
	if (cfg_load(fuzz_path("provbox.conf", path, sizeof(path)),
	    CFG_NO_FILE_CHECKS, &cfg, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", cfg_error_format(&errs.v[i],
			    line, sizeof(line)));
		FUZZ_FATAL("the fuzz config does not load");
	}
	return 0;
}

/* The reply as built and parsed back says what the decision said. */
static void
check_reply(const struct dhcp_msg *m, const struct dhcp_decision *d)
{
	static uint8_t		 buf[DHCP_MAX_LEN];
	static struct dhcp_msg	 back;
	unsigned		 omitted, missing = 0;
	int			 n;

	FUZZ_CHECK(d->max_size >= DHCP_BOOTP_MIN && d->max_size <= 1500);
	FUZZ_CHECK(d->nopts <= DHCP_MAX_OUT_OPTS);
	FUZZ_CHECK(d->datalen <= sizeof(d->data));
	n = dhcp_build(&d->hdr, d->opts, d->nopts, buf, d->max_size,
	    &omitted);
	FUZZ_CHECK(n >= DHCP_BOOTP_MIN && (size_t)n <= d->max_size);
	FUZZ_CHECK(dhcp_parse(buf, (size_t)n, &back) == DHCP_P_OK);
	FUZZ_CHECK(back.op == BOOTREPLY);
	FUZZ_CHECK(back.xid == m->xid);
	FUZZ_CHECK(back.msgtype == d->type);
	FUZZ_CHECK(back.hlen == m->hlen && back.htype == m->htype);
	FUZZ_CHECK(memcmp(back.chaddr, m->chaddr, sizeof(m->chaddr)) == 0);
	for (size_t i = 0; i < d->nopts; i++) {
		const struct dhcp_out_opt	*o = &d->opts[i];
		const uint8_t			*p;
		size_t				 len;

		FUZZ_CHECK(o->code != DHO_PAD && o->code != DHO_END &&
		    o->code != DHO_OVERLOAD);
		for (size_t k = 0; k < i; k++)
			FUZZ_CHECK(d->opts[k].code != o->code);
		if ((p = dhcp_opt_get(&back, o->code, &len)) == NULL) {
			missing++;
			continue;
		}
		FUZZ_CHECK(len == o->len);
		FUZZ_CHECK(len == 0 || memcmp(p, o->data, len) == 0);
	}
	FUZZ_CHECK(missing == omitted);
	/* The message type goes first and always fits. */
	FUZZ_CHECK(back.opt[DHO_MSG_TYPE].present);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dhcp_msg		 m;
	static struct dhcp_decision	 d;
	static const uint32_t		 if_addrs[] = { SERVER_IP };
	struct dhcp_rx			 rx;

	if (dhcp_parse(data, size, &m) != DHCP_P_OK)
		return 0;
	FUZZ_CHECK(m.optlen <= sizeof(m.optbuf));
	FUZZ_CHECK(m.hlen <= sizeof(m.chaddr));

	memset(&rx, 0, sizeof(rx));
	rx.ifname = "eth1";
	rx.if_addrs = if_addrs;
	rx.nif_addrs = 1;
	rx.unicast = m.xid & 1;
	rx.src_ip = m.giaddr != 0 ? m.giaddr : rx.unicast ? m.ciaddr : 0;
	dhcp_decide(cfg, &view, &m, &rx, T0, &d);

	FUZZ_CHECK((unsigned)d.drop < DROP_COUNT);
	FUZZ_CHECK(dhcp_drop_str(d.drop) != NULL);
	if (d.write_lease) {
		FUZZ_CHECK(d.action != DA_DROP);
		FUZZ_CHECK(d.lease.hlen <= sizeof(d.lease.chaddr));
		FUZZ_CHECK(d.lease.client_key_len <= REG_CLIENT_KEY_MAX);
		FUZZ_CHECK(d.lease.hostname_len <= REG_HOSTNAME_MAX);
		FUZZ_CHECK(d.lease.vclass_len <= REG_VCLASS_MAX);
	}
	switch (d.action) {
	case DA_REPLY:
		FUZZ_CHECK(d.type == DHCPOFFER || d.type == DHCPACK ||
		    d.type == DHCPNAK);
		check_reply(&m, &d);
		break;
	case DA_DROP:
		FUZZ_CHECK(d.drop != DROP_NONE);
		break;
	case DA_RELEASE:
	case DA_DECLINE:
		FUZZ_CHECK(d.write_lease);
		break;
	case DA_PROBE:
		/* The hold on a new address, before its conflict probe. */
		FUZZ_CHECK(d.write_lease);
		FUZZ_CHECK(d.lease.state == LEASE_OFFERED);
		FUZZ_CHECK(d.nopts == 0);
		break;
	default:
		FUZZ_CHECK(!"unknown action");
	}
	return 0;
}
