/*
 * pbcraft - hand-crafted, deliberately broken DHCP requests for tests.
 *
 *   pbcraft -i IFACE [-m MAC] [-x XID] [-s SERVER-IP] [-g GIADDR] [-w MS]
 *           [-r] case NAME | opts HEX | raw HEX
 *   pbcraft -i IFACE [-s SERVER-IP] [-n COUNT] [-R RATE] [-S SEED] flood
 *   pbcraft list
 *
 * Everything goes from UDP port 68 to port 67 of 255.255.255.255 on IFACE
 * (or of SERVER-IP with -s). Requests set the broadcast bit, so the
 * server's answer reaches this socket whatever chaddr says.
 *
 * -g GIADDR plays a relay agent (RFC 2131 4.1, RFC 1542): the message
 * carries giaddr GIADDR and hops 1, goes from port 67 to port 67 of
 * SERVER-IP (-s is then required), and the answer is awaited on port 67,
 * where the server sends it to giaddr; GIADDR must be an address of this
 * host the server can route to. Option 82, if any, is the caller's to
 * put in the options (opts HEX).
 *
 * case NAME  one message of the malformed-input corpus (pbcraft list shows
 *            them, with the advisory each comes from)
 * opts HEX   a DISCOVER header, the magic cookie, then HEX as the options
 *            field, byte for byte (no END added)
 * raw HEX    HEX as the whole UDP payload
 * flood      COUNT (default 1000000) DISCOVERs from random MACs, sendmmsg in
 *            batches, as fast as the socket takes them or RATE per second;
 *            prints "flood sent N in S s (R/s)"
 *
 * -w MS waits up to MS milliseconds for an answer to the message's xid and
 * prints it as "key=value" lines (reply=OFFER, reply_len=, yiaddr=,
 * giaddr=, hexNN= per option; reply=none if nothing came). -r ("request")
 * goes on after an OFFER with a REQUEST that carries the same crafted
 * options plus 50 and 54, and prints the answer to that: how hostile bytes
 * end up in a bound lease. The well-formed parts are built here by hand,
 * not with the project's codec, since the point is to send what the codec
 * would never write. Exit status: 0 when sent (and, with -w, answered), 1
 * when no answer came, 2 for usage or socket errors.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "dhcpopt.h"
#include "log.h"
#include "packet.h"
#include "tools.h"

#define PKT_MAX		2048
#define FLOOD_BATCH	64
#define FLOOD_LEN	300	/* a DISCOVER padded as BOOTP relays like */

/* A message being put together; len is where the next byte goes. */
struct pkt {
	uint8_t	 b[PKT_MAX];
	size_t	 len;
};

/* What the message of a case is around its crafted options. */
#define F_NO_END	0x1	/* no END: the options just stop */
#define F_NO_TYPE	0x2	/* the case writes its own option 53 */

struct craft_case {
	const char	*name;
	const char	*why;		/* the advisory or RFC it comes from */
	uint8_t		 type;		/* message type, DISCOVER usually */
	unsigned	 flags;
	void		(*opts)(struct pkt *);	/* the crafted options */
	void		(*fix)(struct pkt *);	/* header changes, or NULL */
};

static const char	*ifname;
static struct mac_addr	 mac = { { 0x02, 0x00, 0x00, 0xc0, 0x00, 0x01 } };
static uint32_t		 xid;
static uint32_t		 server_ip;	/* 0: broadcast */
static uint32_t		 giaddr;	/* -g: as a relay agent */
static int		 fd = -1;

static void
usage(void)
{
	fprintf(stderr, "usage: pbcraft -i iface [-m mac] [-x xid] [-s ip] "
	    "[-g giaddr] [-w ms] [-r] case NAME | opts HEX | raw HEX\n"
	    "       pbcraft -i iface [-s ip] [-n count] [-R rate] [-S seed] "
	    "flood\n"
	    "       pbcraft list\n");
	exit(2);
}

/* ------------------------------------------------------------- building */

static void
put(struct pkt *p, const void *data, size_t len)
{
	if (len > sizeof(p->b) - p->len) {
		fprintf(stderr, "pbcraft: message over %d bytes\n", PKT_MAX);
		exit(2);
	}
	if (len > 0)
		memcpy(p->b + p->len, data, len);
	p->len += len;
}

static void
put_u8(struct pkt *p, uint8_t v)
{
	put(p, &v, 1);
}

/* An option with the length byte given apart from the data: may lie. */
static void
put_opt_len(struct pkt *p, uint8_t code, uint8_t len, const void *data,
    size_t datalen)
{
	put_u8(p, code);
	put_u8(p, len);
	put(p, data, datalen);
}

static void
put_opt(struct pkt *p, uint8_t code, const void *data, size_t len)
{
	put_opt_len(p, code, (uint8_t)len, data, len);
}

static void
put_u32(uint8_t *at, uint32_t v)
{
	at[0] = (uint8_t)(v >> 24);
	at[1] = (uint8_t)(v >> 16);
	at[2] = (uint8_t)(v >> 8);
	at[3] = (uint8_t)v;
}

/*
 * The fixed header of a BOOTREQUEST from mac, and the magic cookie; with
 * -g, as a relay agent forwards it (giaddr, hops 1: RFC 1542 4.1.1).
 */
static void
put_header(struct pkt *p, uint32_t id, const uint8_t hw[6], uint32_t ciaddr)
{
	memset(p->b, 0, DHCP_MIN_LEN);
	p->b[0] = BOOTREQUEST;
	p->b[1] = 1;			/* Ethernet */
	p->b[2] = 6;
	p->b[3] = giaddr != 0 ? 1 : 0;
	put_u32(p->b + 4, id);
	p->b[10] = DHCP_FLAG_BROADCAST >> 8;
	put_u32(p->b + 12, ciaddr);
	put_u32(p->b + 24, giaddr);
	memcpy(p->b + 28, hw, 6);
	put_u32(p->b + DHCP_FIXED_LEN, DHCP_MAGIC);
	p->len = DHCP_MIN_LEN;
}

static void
pad_to(struct pkt *p, size_t len)
{
	if (p->len < len) {
		memset(p->b + p->len, 0, len - p->len);
		p->len = len;
	}
}

/* --------------------------------------------------------- the corpus */

static void
o_none(struct pkt *p)
{
	(void)p;
}

/* ISC CVE-2012-3571: "3d 00" made dhcpd loop for ever. */
static void
o_clientid_0(struct pkt *p)
{
	put_opt(p, DHO_CLIENT_ID, NULL, 0);
}

/* RFC 2132 9.14: a type and at least one byte; here the type alone. */
static void
o_clientid_1(struct pkt *p)
{
	put_opt(p, DHO_CLIENT_ID, "\x01", 1);
}

/* Kea CVE-2019-6472: long client identifiers. Every byte value appears. */
static void
clientid_n(struct pkt *p, size_t n)
{
	uint8_t v[255];

	v[0] = 0;	/* type 0: not a hardware address (RFC 2132 9.14) */
	for (size_t i = 1; i < n; i++)
		v[i] = (uint8_t)(i * 7 + 0xa5);
	put_opt(p, DHO_CLIENT_ID, v, n);
}

static void
o_clientid_254(struct pkt *p)
{
	clientid_n(p, 254);
}

static void
o_clientid_255(struct pkt *p)
{
	clientid_n(p, 255);
}

/*
 * RFC 3396: two instances of 61 make one identifier of 510 bytes, longer
 * than any key the registry holds: well-formed (RFC 2132 9.14 sets only a
 * minimum), the server knows it by a digest.
 */
static void
o_clientid_split(struct pkt *p)
{
	clientid_n(p, 255);
	clientid_n(p, 255);
}

/* Kea CVE-2019-6473: host names the server did not expect. */
static void
o_hostname_empty(struct pkt *p)
{
	put_opt(p, DHO_HOST_NAME, NULL, 0);
}

static void
o_hostname_nul(struct pkt *p)
{
	static const uint8_t nul[16];

	put_opt(p, DHO_HOST_NAME, nul, sizeof(nul));
}

/* Says 32 bytes, brings 5, and the message ends there. */
static void
o_hostname_trunc(struct pkt *p)
{
	put_opt_len(p, DHO_HOST_NAME, 32, "trunc", 5);
}

/*
 * CVE-2011-0997 (dhclient handed server strings to a shell): a name that
 * runs commands if it ever reaches sh, and breaks quoting everywhere.
 */
#define SHELL_NAME	"pb;$(touch pbpwned)`id`|&<>'\"\\*?~#{}[]!%"

static void
o_hostname_shell(struct pkt *p)
{
	put_opt(p, DHO_HOST_NAME, SHELL_NAME, sizeof(SHELL_NAME) - 1);
}

/*
 * Terminal escapes, a forged log line after CR LF, DEL and bytes above
 * 0x7f: none of it may reach a log or a listing as it is.
 */
#define NONPRINT_NAME	"pb\x1b[31mred\x1b[0m\r\nprovbox-dhcpd[warning]: " \
			"forged\x7f\x80\xfe\xff\x01\x09"

static void
o_hostname_nonprint(struct pkt *p)
{
	put_opt(p, DHO_HOST_NAME, NONPRINT_NAME, sizeof(NONPRINT_NAME) - 1);
}

/* RFC 4702 client FQDN: flags, two RCODEs, a name with a 64-byte label. */
static void
o_fqdn_long_label(struct pkt *p)
{
	uint8_t v[3 + 1 + 64 + 1 + 3 + 1];
	size_t	n = 0;

	v[n++] = 0x05;			/* S, E: wire format */
	v[n++] = 0;
	v[n++] = 0;
	v[n++] = 64;			/* RFC 1035 2.3.4: at most 63 */
	memset(v + n, 'a', 64);
	n += 64;
	v[n++] = 3;
	memcpy(v + n, "lan", 3);
	n += 3;
	v[n++] = 0;
	put_opt(p, DHO_FQDN, v, n);
}

static void
o_fqdn_empty(struct pkt *p)
{
	put_opt(p, DHO_FQDN, NULL, 0);
}

/* Option 60 says 200 bytes; the message ends after 7. */
static void
o_opt_past_end(struct pkt *p)
{
	put_opt_len(p, DHO_VENDOR_CLASS, 200, "yealink", 7);
}

/* A parameter request list, and then nothing: no END, no padding. */
static void
o_no_end(struct pkt *p)
{
	put_opt(p, DHO_PARAM_REQ, "\x01\x03\x06", 3);
}

/* Fixed-size options (RFC 2132) one byte short and one byte long. */
static void
o_len_1(struct pkt *p)
{
	put_opt(p, DHO_SUBNET_MASK, "\xff\xff\xff", 3);
}

static void
o_len_50(struct pkt *p)
{
	put_opt(p, DHO_REQUESTED_ADDR, "\x0a\x2a\x00\x64\x00", 5);
}

static void
o_len_51(struct pkt *p)
{
	put_opt(p, DHO_LEASE_TIME, "\x00\x0e\x10", 3);
}

static void
o_len_54(struct pkt *p)
{
	put_opt(p, DHO_SERVER_ID, "\x0a\x2a\x00\x01\x00", 5);
	put_opt(p, DHO_REQUESTED_ADDR, "\x0a\x2a\x00\x64", 4);
}

static void
o_len_57(struct pkt *p)
{
	put_opt(p, DHO_MAX_MSG_SIZE, "\x05", 1);
}

/*
 * ISC CVE-2007-0062: a small maximum message size (57) while many options
 * are due. The request list asks for every code; the vendor class is the
 * suite's, whose options fill more than any reply can hold.
 */
static void
maxsize(struct pkt *p, uint16_t size)
{
	uint8_t	 v[2] = { (uint8_t)(size >> 8), (uint8_t)size };
	uint8_t	 prl[254];

	for (size_t i = 0; i < sizeof(prl); i++)
		prl[i] = (uint8_t)(i + 1);
	put_opt(p, DHO_MAX_MSG_SIZE, v, 2);
	put_opt(p, DHO_VENDOR_CLASS, "pbmany", 6);
	put_opt(p, DHO_PARAM_REQ, prl, sizeof(prl));
}

static void
o_maxsize_0(struct pkt *p)
{
	maxsize(p, 0);
}

static void
o_maxsize_575(struct pkt *p)
{
	maxsize(p, 575);
}

static void
o_maxsize_65535(struct pkt *p)
{
	maxsize(p, 65535);
}

/* dnsmasq CVE-2021-45956: hardware address length and type. */
static void
f_hlen_0(struct pkt *p)
{
	p->b[2] = 0;
}

static void
f_hlen_17(struct pkt *p)
{
	p->b[2] = 17;
}

static void
f_hlen_255(struct pkt *p)
{
	p->b[2] = 255;
}

static void
f_htype_0(struct pkt *p)
{
	p->b[1] = 0;
}

/* With hlen 0 the client is known by its identifier alone. */
static void
o_hlen_0_clientid(struct pkt *p)
{
	uint8_t v[7] = { 1 };

	memcpy(v + 1, mac.b, 6);
	put_opt(p, DHO_CLIENT_ID, v, sizeof(v));
}

/*
 * ISC CVE-2021-25217: relay agent information (82) whose sub-options do
 * not add up: circuit id says 16 bytes and has 1, remote id overruns 82.
 */
static void
o_relay82_bad(struct pkt *p)
{
	put_opt(p, DHO_RELAY_INFO, "\x01\x10x\x02\x20y", 6);
}

/* Vendor-specific information (43) from a client, sub-option too long. */
static void
o_vendor43_bad(struct pkt *p)
{
	put_opt(p, DHO_VENDOR_CLASS, "yealink", 7);
	put_opt(p, DHO_VENDOR_ENCAP, "\x01\x10" "abc\x02", 6);
}

/* RFC 3925 V-I vendor-specific information (125): data-len 32, has 4. */
static void
o_vivso125_bad(struct pkt *p)
{
	put_opt(p, 125, "\x00\x00\x0d\xe9\x20" "abcd", 9);
}

/* Option 53 that names no message type. */
static void
o_msgtype_9(struct pkt *p)
{
	put_opt(p, DHO_MSG_TYPE, "\x09", 1);
}

/* Shorter than the fixed header and cookie. */
static void
f_short(struct pkt *p)
{
	p->len = 100;
}

static void
f_bad_magic(struct pkt *p)
{
	put_u32(p->b + DHCP_FIXED_LEN, 0x63538263);
}

static const struct craft_case cases[] = {
	{ "clientid-0", "ISC CVE-2012-3571, Kea CVE-2019-6472", DHCPDISCOVER,
	    0, o_clientid_0, NULL },
	{ "clientid-1", "Kea CVE-2019-6472, RFC 2132 9.14", DHCPDISCOVER, 0,
	    o_clientid_1, NULL },
	{ "clientid-254", "Kea CVE-2019-6472", DHCPDISCOVER, 0,
	    o_clientid_254, NULL },
	{ "clientid-255", "Kea CVE-2019-6472", DHCPDISCOVER, 0,
	    o_clientid_255, NULL },
	{ "clientid-split", "Kea CVE-2019-6472, RFC 3396", DHCPDISCOVER, 0,
	    o_clientid_split, NULL },
	{ "hostname-empty", "Kea CVE-2019-6473", DHCPDISCOVER, 0,
	    o_hostname_empty, NULL },
	{ "hostname-nul", "Kea CVE-2019-6473", DHCPDISCOVER, 0,
	    o_hostname_nul, NULL },
	{ "hostname-trunc", "Kea CVE-2019-6473", DHCPDISCOVER, F_NO_END,
	    o_hostname_trunc, NULL },
	{ "hostname-shell", "CVE-2011-0997", DHCPDISCOVER, 0,
	    o_hostname_shell, NULL },
	{ "hostname-nonprint", "CVE-2011-0997, Kea CVE-2019-6473",
	    DHCPDISCOVER, 0, o_hostname_nonprint, NULL },
	{ "fqdn-long-label", "RFC 4702, RFC 1035 2.3.4", DHCPDISCOVER, 0,
	    o_fqdn_long_label, NULL },
	{ "fqdn-empty", "RFC 4702", DHCPDISCOVER, 0, o_fqdn_empty, NULL },
	{ "opt-past-end", "RFC 2132 2", DHCPDISCOVER, F_NO_END,
	    o_opt_past_end, NULL },
	{ "no-end", "RFC 2132 3.2", DHCPDISCOVER, F_NO_END, o_no_end, NULL },
	{ "len-1", "RFC 2132 3.3", DHCPDISCOVER, 0, o_len_1, NULL },
	{ "len-50", "RFC 2132 9.1", DHCPDISCOVER, 0, o_len_50, NULL },
	{ "len-51", "RFC 2132 9.2", DHCPDISCOVER, 0, o_len_51, NULL },
	{ "len-54", "RFC 2132 9.7", DHCPREQUEST, 0, o_len_54, NULL },
	{ "len-57", "RFC 2132 9.10", DHCPDISCOVER, 0, o_len_57, NULL },
	{ "maxsize-0", "ISC CVE-2007-0062", DHCPDISCOVER, 0, o_maxsize_0,
	    NULL },
	{ "maxsize-575", "ISC CVE-2007-0062", DHCPDISCOVER, 0,
	    o_maxsize_575, NULL },
	{ "maxsize-65535", "ISC CVE-2007-0062", DHCPDISCOVER, 0,
	    o_maxsize_65535, NULL },
	{ "hlen-0", "dnsmasq CVE-2021-45956", DHCPDISCOVER, 0, o_none,
	    f_hlen_0 },
	{ "hlen-0-clientid", "dnsmasq CVE-2021-45956", DHCPDISCOVER, 0,
	    o_hlen_0_clientid, f_hlen_0 },
	{ "hlen-17", "dnsmasq CVE-2021-45956", DHCPDISCOVER, 0, o_none,
	    f_hlen_17 },
	{ "hlen-255", "dnsmasq CVE-2021-45956", DHCPDISCOVER, 0, o_none,
	    f_hlen_255 },
	{ "htype-0", "dnsmasq CVE-2021-45956", DHCPDISCOVER, 0, o_none,
	    f_htype_0 },
	{ "relay82-bad", "ISC CVE-2021-25217, RFC 3046", DHCPDISCOVER, 0,
	    o_relay82_bad, NULL },
	{ "vendor43-bad", "RFC 2132 8.4", DHCPDISCOVER, 0, o_vendor43_bad,
	    NULL },
	{ "vivso125-bad", "RFC 3925 4", DHCPDISCOVER, 0, o_vivso125_bad,
	    NULL },
	{ "msgtype-9", "RFC 2132 9.6", DHCPDISCOVER, F_NO_TYPE, o_msgtype_9,
	    NULL },
	{ "short", "RFC 2131 2", DHCPDISCOVER, 0, o_none, f_short },
	{ "bad-magic", "RFC 2131 3", DHCPDISCOVER, 0, o_none, f_bad_magic },
};
#define NCASES	(sizeof(cases) / sizeof(cases[0]))

static const struct craft_case *
case_find(const char *name)
{
	for (size_t i = 0; i < NCASES; i++)
		if (strcmp(cases[i].name, name) == 0)
			return &cases[i];
	return NULL;
}

/*
 * The message of case c as type: header, 53, then 50 and 54 when given
 * (a REQUEST after an OFFER), the crafted options, END unless the case
 * has none, and padding to the 300 bytes of BOOTP unless the options are
 * meant to stop short.
 */
static void
case_build(const struct craft_case *c, uint8_t type, uint32_t requested,
    uint32_t sid, struct pkt *p)
{
	uint8_t v[4];

	put_header(p, xid, mac.b, 0);
	if (!(c->flags & F_NO_TYPE))
		put_opt(p, DHO_MSG_TYPE, &type, 1);
	if (requested != 0) {
		put_u32(v, requested);
		put_opt(p, DHO_REQUESTED_ADDR, v, 4);
	}
	if (sid != 0) {
		put_u32(v, sid);
		put_opt(p, DHO_SERVER_ID, v, 4);
	}
	c->opts(p);
	if (!(c->flags & F_NO_END)) {
		put_u8(p, DHO_END);
		pad_to(p, DHCP_BOOTP_MIN);
	}
	if (c->fix != NULL)
		c->fix(p);
}

/* ------------------------------------------------------------ the wire */

/* Port 68 as a client, or port 67 as a relay agent (-g). */
static void
open_socket(void)
{
	fd = tool_dhcp_socket("pbcraft", ifname, giaddr != 0 ?
	    DHCP_SERVER_PORT : DHCP_CLIENT_PORT);
}

static void
server_addr(struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(DHCP_SERVER_PORT);
	sin->sin_addr.s_addr = server_ip != 0 ? htonl(server_ip) :
	    htonl(INADDR_BROADCAST);
}

static void
send_pkt(const struct pkt *p)
{
	struct sockaddr_in sin;

	server_addr(&sin);
	if (sendto(fd, p->b, p->len, 0, (struct sockaddr *)&sin,
	    sizeof(sin)) < 0) {
		perror("pbcraft: sendto");
		exit(2);
	}
}

/*
 * Waits up to ms for a BOOTREPLY to our xid. Returns its length and
 * leaves it parsed in *m, 0 if none came, -1 if one came that the codec
 * refuses (its raw bytes in buf).
 */
static int
await_reply(int ms, uint8_t *buf, size_t bufsz, struct dhcp_msg *m)
{
	long long	until = tool_now_ms() + ms;
	ssize_t		len;

	for (long long left = ms; left > 0; left = until - tool_now_ms()) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		if ((len = recv(fd, buf, bufsz, 0)) < DHCP_MIN_LEN)
			continue;
		/* Ours: a reply (op 2) to our xid. */
		if (buf[0] != BOOTREPLY || ((uint32_t)buf[4] << 24 |
		    (uint32_t)buf[5] << 16 | (uint32_t)buf[6] << 8 |
		    buf[7]) != xid)
			continue;
		if (dhcp_parse(buf, (size_t)len, m) != DHCP_P_OK)
			return -1;
		return (int)len;
	}
	return 0;
}

static void
print_reply(int len, const struct dhcp_msg *m)
{
	char	ip[IP4_STR_LEN], text[1100];

	if (len == 0) {
		printf("reply=none\n");
		return;
	}
	if (len < 0) {
		printf("reply=unparsable\n");
		return;
	}
	printf("reply=%s\n", dhcp_msgtype_str(m->msgtype) + 4);
	printf("reply_len=%d\n", len);
	printf("yiaddr=%s\n", ip4_format(m->yiaddr, ip));
	printf("giaddr=%s\n", ip4_format(m->giaddr, ip));
	printf("flags=0x%04x\n", m->flags);
	printf("hlen=%u\n", m->hlen);
	for (unsigned c = 1; c < 255; c++) {
		const uint8_t	*p;
		size_t		 n;

		if ((p = dhcp_opt_get(m, (uint8_t)c, &n)) == NULL)
			continue;
		printf("hex%u=", c);
		for (size_t i = 0; i < n; i++)
			printf("%02x", p[i]);
		printf("\nopt%u=%s\n", c, log_escape(text, sizeof(text), p, n));
	}
}

/* Sends case c (and with request, the REQUEST after its OFFER). */
static int
run_case(const struct craft_case *c, int wait_ms, int request)
{
	static struct dhcp_msg	 m;
	struct pkt		 p;
	uint8_t			 buf[DHCP_MAX_LEN];
	uint32_t		 sid = 0;
	int			 len;

	case_build(c, c->type, 0, 0, &p);
	send_pkt(&p);
	printf("sent=%s\nsent_len=%zu\nxid=0x%08x\n", c->name, p.len, xid);
	if (wait_ms <= 0)
		return 0;
	len = await_reply(wait_ms, buf, sizeof(buf), &m);
	if (request && len > 0 && m.msgtype == DHCPOFFER) {
		printf("offer=%u.%u.%u.%u\n", m.yiaddr >> 24,
		    m.yiaddr >> 16 & 0xff, m.yiaddr >> 8 & 0xff,
		    m.yiaddr & 0xff);
		(void)dhcp_opt_ip(&m, DHO_SERVER_ID, &sid);
		case_build(c, DHCPREQUEST, m.yiaddr, sid, &p);
		send_pkt(&p);
		len = await_reply(wait_ms, buf, sizeof(buf), &m);
	}
	print_reply(len, &m);
	fflush(stdout);
	return len != 0 ? 0 : 1;
}

/* opts HEX / raw HEX: bytes from the command line. */
static int
run_hex(const char *hex, int whole, int wait_ms)
{
	static struct dhcp_msg	 m;
	uint8_t			 bytes[PKT_MAX], buf[DHCP_MAX_LEN];
	struct pkt		 p;
	int			 n, len;

	if ((n = opt_hex_parse(hex, bytes, sizeof(bytes))) < 0) {
		fprintf(stderr, "pbcraft: bad hex\n");
		return 2;
	}
	if (whole)
		p.len = 0;
	else
		put_header(&p, xid, mac.b, 0);
	put(&p, bytes, (size_t)n);
	send_pkt(&p);
	printf("sent=%s\nsent_len=%zu\nxid=0x%08x\n", whole ? "raw" : "opts",
	    p.len, xid);
	if (wait_ms <= 0)
		return 0;
	len = await_reply(wait_ms, buf, sizeof(buf), &m);
	print_reply(len, &m);
	return len != 0 ? 0 : 1;
}

/* xorshift64*: random MACs and xids without a syscall per packet. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/*
 * count DISCOVERs from random locally administered MACs, in sendmmsg
 * batches, paced to rate per second when rate > 0. A full socket buffer
 * (ENOBUFS, EAGAIN) is waited out, so every message counted was handed to
 * the kernel.
 */
static int
flood(unsigned long count, unsigned long rate, uint64_t seed)
{
	static uint8_t		 bufs[FLOOD_BATCH][FLOOD_LEN];
	struct mmsghdr		 mm[FLOOD_BATCH];
	struct iovec		 iov[FLOOD_BATCH];
	struct sockaddr_in	 sin;
	struct pkt		 tmpl;
	static const uint8_t	 prl[] = { 1, 3, 6, 15, 66 };
	uint8_t			 type = DHCPDISCOVER, msz[2] = { 5, 0xc0 };
	unsigned long		 sent = 0;
	long long		 t0 = tool_now_ms(), el;

	put_header(&tmpl, 0, mac.b, 0);
	put_opt(&tmpl, DHO_MSG_TYPE, &type, 1);
	put_opt(&tmpl, DHO_MAX_MSG_SIZE, msz, 2);
	put_opt(&tmpl, DHO_PARAM_REQ, prl, sizeof(prl));
	put_u8(&tmpl, DHO_END);
	pad_to(&tmpl, FLOOD_LEN);
	server_addr(&sin);
	for (int i = 0; i < FLOOD_BATCH; i++) {
		memcpy(bufs[i], tmpl.b, FLOOD_LEN);
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = FLOOD_LEN;
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &sin;
		mm[i].msg_hdr.msg_namelen = sizeof(sin);
	}
	while (sent < count) {
		unsigned	n = count - sent < FLOOD_BATCH ?
				    (unsigned)(count - sent) : FLOOD_BATCH;
		unsigned	done = 0;

		for (unsigned i = 0; i < n; i++) {
			uint64_t r = rnd(&seed);

			/* 02:xx:xx:xx:xx:xx, locally administered. */
			bufs[i][28] = 0x02;
			for (int k = 0; k < 5; k++)
				bufs[i][29 + k] = (uint8_t)(r >> (8 * k));
			put_u32(bufs[i] + 4, (uint32_t)rnd(&seed));
		}
		while (done < n) {
			int k = sendmmsg(fd, mm + done, n - done, 0);

			if (k < 0) {
				if (errno == ENOBUFS || errno == EAGAIN ||
				    errno == EINTR) {
					poll(NULL, 0, 1);
					continue;
				}
				perror("pbcraft: sendmmsg");
				return 2;
			}
			done += (unsigned)k;
		}
		sent += n;
		if (rate > 0) {
			long long due = t0 + (long long)(sent * 1000 / rate);
			long long now = tool_now_ms();

			if (due > now)
				poll(NULL, 0, (int)(due - now));
		}
	}
	el = tool_now_ms() - t0;
	printf("flood sent %lu in %.2f s (%.0f/s)\n", sent, el / 1000.0,
	    el > 0 ? sent * 1000.0 / el : 0.0);
	return 0;
}

int
main(int argc, char *argv[])
{
	const struct craft_case	*c;
	unsigned long		 count = 1000000, rate = 0;
	uint64_t		 seed;
	int			 ch, wait_ms = 0, request = 0, has_xid = 0;

	seed = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
	while ((ch = getopt(argc, argv, "i:m:x:s:g:w:rn:R:S:")) != -1) {
		switch (ch) {
		case 'i':
			ifname = optarg;
			break;
		case 'm':
			if (mac_parse(optarg, &mac) != 0)
				usage();
			break;
		case 'x':
			xid = (uint32_t)strtoul(optarg, NULL, 0);
			has_xid = 1;
			break;
		case 's':
			if (ip4_parse(optarg, &server_ip) != 0)
				usage();
			break;
		case 'g':
			if (ip4_parse(optarg, &giaddr) != 0 || giaddr == 0)
				usage();
			break;
		case 'w':
			wait_ms = atoi(optarg);
			break;
		case 'r':
			request = 1;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 'R':
			rate = strtoul(optarg, NULL, 10);
			break;
		case 'S':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (strcmp(argv[0], "list") == 0) {
		for (size_t i = 0; i < NCASES; i++)
			printf("%-18s %s\n", cases[i].name, cases[i].why);
		return 0;
	}
	if (seed == 0)
		seed = 1;
	if (!has_xid)
		xid = (uint32_t)rnd(&seed);
	/* A relay agent sends to the server it knows (RFC 1542 4.1.1). */
	if (ifname == NULL || (giaddr != 0 && server_ip == 0))
		usage();
	if (strcmp(argv[0], "case") == 0 && argc == 2) {
		if ((c = case_find(argv[1])) == NULL) {
			fprintf(stderr, "pbcraft: no case %s (see pbcraft "
			    "list)\n", argv[1]);
			return 2;
		}
		open_socket();
		return run_case(c, wait_ms, request);
	}
	if ((strcmp(argv[0], "opts") == 0 || strcmp(argv[0], "raw") == 0) &&
	    argc == 2) {
		open_socket();
		return run_hex(argv[1], argv[0][0] == 'r', wait_ms);
	}
	if (strcmp(argv[0], "flood") == 0 && argc == 1) {
		open_socket();
		return flood(count, rate, seed);
	}
	usage();
}
