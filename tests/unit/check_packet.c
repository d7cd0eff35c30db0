/*
 * check_packet.c - the DHCPv4 wire codec: golden packets for every message
 * type, option overload (RFC 2131 4.1, RFC 2132 9.3), long options
 * (RFC 3396; client identifiers past 255 bytes), the builder, the refusal
 * of malformed input, Option 82 sub-options (RFC 3046, RFC 3527, RFC
 * 5107); and the sending of a batch of replies (net.c): partial sendmmsg,
 * the IPv4/UDP frame built in place.
 *
 * Golden packets are byte arrays with their Wireshark decode: the fixed
 * header is spelt with the macros below and decoded above each array, the
 * option bytes are literal, one option per line with its decode.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "testutil.h"

#include "net.h"
#include "packet.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			    (uint32_t)(c) << 8 | (uint32_t)(d))

/* Where the fields lie in the message (RFC 2131 2, figure 1). */
#define AT_CHADDR	28
#define AT_SNAME	44
#define AT_FILE		108
#define AT_COOKIE	236
#define AT_OPTIONS	240

/* Pieces of the fixed header for the golden arrays. */
#define Z4		0x00, 0x00, 0x00, 0x00
#define Z16		Z4, Z4, Z4, Z4
#define Z64		Z16, Z16, Z16, Z16
/* chaddr: a 6-byte MAC and 10 bytes of padding */
#define CHADDR(a, b, c, d, e, f) a, b, c, d, e, f, Z4, Z4, 0x00, 0x00
/* sname (64 bytes) and file (128 bytes), both empty */
#define NO_SNAME_FILE	Z64, Z64, Z64
#define COOKIE		0x63, 0x82, 0x53, 0x63

/* One option for dhcp_build, its value given byte by byte. */
#define OUT(code, ...)							\
	{ (code), sizeof((const uint8_t[]){ __VA_ARGS__ }),		\
	    (const uint8_t[]){ __VA_ARGS__ } }
#define OUT_STR(code, s)						\
	{ (code), sizeof(s) - 1, (const uint8_t *)(s) }

/* Asserts that option code is present with exactly want[0..wantlen). */
#define ASSERT_OPT_BYTES(m, code, want, wantlen) do {			\
	size_t		 l_;					\
	const uint8_t	*p_ = dhcp_opt_get((m), (code), &l_);	\
									\
	ck_assert_msg(p_ != NULL, "option %d absent", (int)(code));	\
	ck_assert_uint_eq(l_, (wantlen));				\
	if ((wantlen) > 0)						\
		ck_assert_mem_eq(p_, (want), (wantlen));		\
} while (0)
#define ASSERT_OPT(m, code, lit)					\
	ASSERT_OPT_BYTES(m, code, lit, sizeof(lit) - 1)
#define ASSERT_NO_OPT(m, code) do {					\
	size_t	l_ = 99;						\
									\
	ck_assert_msg(dhcp_opt_get((m), (code), &l_) == NULL,		\
	    "option %d present", (int)(code));				\
	ck_assert_uint_eq(l_, 0);					\
} while (0)
#define ASSERT_IP(m, code, want) do {					\
	uint32_t v_ = 0;						\
									\
	ck_assert_int_eq(dhcp_opt_ip((m), (code), &v_), 0);		\
	ck_assert_uint_eq(v_, (want));					\
} while (0)
#define ASSERT_U32(m, code, want) do {					\
	uint32_t v_ = 0;						\
									\
	ck_assert_int_eq(dhcp_opt_u32((m), (code), &v_), 0);		\
	ck_assert_uint_eq(v_, (want));					\
} while (0)
#define ASSERT_U16(m, code, want) do {					\
	uint16_t v_ = 0;						\
									\
	ck_assert_int_eq(dhcp_opt_u16((m), (code), &v_), 0);		\
	ck_assert_uint_eq(v_, (want));					\
} while (0)
#define PARSE_OK(pkt, m) do {						\
	enum dhcp_perr e_ = dhcp_parse((pkt), sizeof(pkt), (m));	\
									\
	ck_assert_msg(e_ == DHCP_P_OK, "%s: %s", #pkt,			\
	    dhcp_perr_str(e_));						\
} while (0)

/*
 * Yealink SIP-T46S, DISCOVER, broadcast on the phone VLAN.
 *
 * Dynamic Host Configuration Protocol (Discover)
 *     Message type: Boot Request (1)
 *     Hardware type: Ethernet (0x01)
 *     Hardware address length: 6
 *     Hops: 0
 *     Transaction ID: 0x5f1e2d3c
 *     Seconds elapsed: 0
 *     Bootp flags: 0x0000 (Unicast)
 *     Client IP address: 0.0.0.0
 *     Your (client) IP address: 0.0.0.0
 *     Next server IP address: 0.0.0.0
 *     Relay agent IP address: 0.0.0.0
 *     Client MAC address: Yealink_3a:5b:01 (80:5e:c0:3a:5b:01)
 *     Client hardware address padding: 00000000000000000000
 *     Server host name not given
 *     Boot file name not given
 *     Magic cookie: DHCP
 *     Options: see each line below
 */
static const uint8_t yealink_discover[] = {
	0x01, 0x01, 0x06, 0x00,		/* op, htype, hlen, hops */
	0x5f, 0x1e, 0x2d, 0x3c,		/* xid */
	0x00, 0x00, 0x00, 0x00,		/* secs, flags */
	0, 0, 0, 0,			/* ciaddr */
	0, 0, 0, 0,			/* yiaddr */
	0, 0, 0, 0,			/* siaddr */
	0, 0, 0, 0,			/* giaddr */
	CHADDR(0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x01),
	NO_SNAME_FILE,
	COOKIE,
	/* Option: (53) DHCP Message Type (Discover) */
	0x35, 0x01, 0x01,
	/* Option: (61) Client identifier: Ethernet, 80:5e:c0:3a:5b:01 */
	0x3d, 0x07, 0x01, 0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x01,
	/* Option: (57) Maximum DHCP Message Size: 1500 */
	0x39, 0x02, 0x05, 0xdc,
	/* Option: (60) Vendor class identifier: yealink */
	0x3c, 0x07, 'y', 'e', 'a', 'l', 'i', 'n', 'k',
	/* Option: (12) Host Name: SIP-T46S */
	0x0c, 0x08, 'S', 'I', 'P', '-', 'T', '4', '6', 'S',
	/*
	 * Option: (55) Parameter Request List: (1) Subnet Mask, (2) Time
	 * Offset, (3) Router, (4) Time Server, (6) Domain Name Server,
	 * (7) Log Server, (12) Host Name, (15) Domain Name, (28) Broadcast
	 * Address, (42) NTP Servers, (66) TFTP Server Name, (67) Bootfile
	 * name, (43) Vendor-Specific Information, (120) SIP Servers
	 */
	0x37, 0x0e, 0x01, 0x02, 0x03, 0x04, 0x06, 0x07, 0x0c, 0x0f, 0x1c,
	0x2a, 0x42, 0x43, 0x2b, 0x78,
	/* Option: (255) End */
	0xff,
};
static const struct dhcp_hdr yealink_discover_hdr = {
	.op = BOOTREQUEST, .htype = 1, .hlen = 6, .xid = 0x5f1e2d3c,
	.chaddr = { 0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x01 },
};

/*
 * Cisco 7960G (SCCP image), DISCOVER with the broadcast flag.
 *
 * Dynamic Host Configuration Protocol (Discover)
 *     Message type: Boot Request (1)
 *     Hardware type: Ethernet (0x01)
 *     Hardware address length: 6
 *     Hops: 0
 *     Transaction ID: 0x1c4f0a77
 *     Seconds elapsed: 0
 *     Bootp flags: 0x8000, Broadcast flag (Broadcast)
 *     Client IP address: 0.0.0.0
 *     Your (client) IP address: 0.0.0.0
 *     Next server IP address: 0.0.0.0
 *     Relay agent IP address: 0.0.0.0
 *     Client MAC address: Cisco_a4:5c:22 (00:1e:13:a4:5c:22)
 *     Client hardware address padding: 00000000000000000000
 *     Server host name not given
 *     Boot file name not given
 *     Magic cookie: DHCP
 */
static const uint8_t cisco_discover[] = {
	0x01, 0x01, 0x06, 0x00,		/* op, htype, hlen, hops */
	0x1c, 0x4f, 0x0a, 0x77,		/* xid */
	0x00, 0x00, 0x80, 0x00,		/* secs, flags */
	0, 0, 0, 0,			/* ciaddr */
	0, 0, 0, 0,			/* yiaddr */
	0, 0, 0, 0,			/* siaddr */
	0, 0, 0, 0,			/* giaddr */
	CHADDR(0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22),
	NO_SNAME_FILE,
	COOKIE,
	/* Option: (53) DHCP Message Type (Discover) */
	0x35, 0x01, 0x01,
	/* Option: (57) Maximum DHCP Message Size: 576 */
	0x39, 0x02, 0x02, 0x40,
	/* Option: (61) Client identifier: Ethernet, 00:1e:13:a4:5c:22 */
	0x3d, 0x07, 0x01, 0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22,
	/* Option: (12) Host Name: SEP001E13A45C22 */
	0x0c, 0x0f, 'S', 'E', 'P', '0', '0', '1', 'E', '1', '3', 'A', '4',
	'5', 'C', '2', '2',
	/*
	 * Option: (55) Parameter Request List: (1) Subnet Mask, (66) TFTP
	 * Server Name, (6) Domain Name Server, (3) Router, (15) Domain Name,
	 * (150) TFTP Server Address, (35) ARP Cache Timeout
	 */
	0x37, 0x07, 0x01, 0x42, 0x06, 0x03, 0x0f, 0x96, 0x23,
	/*
	 * Option: (60) Vendor class identifier:
	 * Cisco Systems, Inc. IP Phone CP-7960G\000
	 */
	0x3c, 0x26, 'C', 'i', 's', 'c', 'o', ' ', 'S', 'y', 's', 't', 'e',
	'm', 's', ',', ' ', 'I', 'n', 'c', '.', ' ', 'I', 'P', ' ', 'P',
	'h', 'o', 'n', 'e', ' ', 'C', 'P', '-', '7', '9', '6', '0', 'G',
	0x00,
	/* Option: (255) End */
	0xff,
};
static const struct dhcp_hdr cisco_discover_hdr = {
	.op = BOOTREQUEST, .htype = 1, .hlen = 6, .xid = 0x1c4f0a77,
	.flags = DHCP_FLAG_BROADCAST,
	.chaddr = { 0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22 },
};

/*
 * Polycom SoundPoint IP 650 in bootROM, DISCOVER. Its Option 60 is binary:
 * an enterprise number and sub-options, as in RFC 3925 option 124.
 *
 * Dynamic Host Configuration Protocol (Discover)
 *     Message type: Boot Request (1)
 *     Hardware type: Ethernet (0x01)
 *     Hardware address length: 6
 *     Hops: 0
 *     Transaction ID: 0x2d9c41e0
 *     Seconds elapsed: 0
 *     Bootp flags: 0x0000 (Unicast)
 *     Client IP address: 0.0.0.0
 *     Your (client) IP address: 0.0.0.0
 *     Next server IP address: 0.0.0.0
 *     Relay agent IP address: 0.0.0.0
 *     Client MAC address: Polycom_1a:2b:3c (00:04:f2:1a:2b:3c)
 *     Client hardware address padding: 00000000000000000000
 *     Server host name not given
 *     Boot file name not given
 *     Magic cookie: DHCP
 */
static const uint8_t polycom_discover[] = {
	0x01, 0x01, 0x06, 0x00,		/* op, htype, hlen, hops */
	0x2d, 0x9c, 0x41, 0xe0,		/* xid */
	0x00, 0x00, 0x00, 0x00,		/* secs, flags */
	0, 0, 0, 0,			/* ciaddr */
	0, 0, 0, 0,			/* yiaddr */
	0, 0, 0, 0,			/* siaddr */
	0, 0, 0, 0,			/* giaddr */
	CHADDR(0x00, 0x04, 0xf2, 0x1a, 0x2b, 0x3c),
	NO_SNAME_FILE,
	COOKIE,
	/* Option: (53) DHCP Message Type (Discover) */
	0x35, 0x01, 0x01,
	/* Option: (61) Client identifier: Ethernet, 00:04:f2:1a:2b:3c */
	0x3d, 0x07, 0x01, 0x00, 0x04, 0xf2, 0x1a, 0x2b, 0x3c,
	/* Option: (57) Maximum DHCP Message Size: 1500 */
	0x39, 0x02, 0x05, 0xdc,
	/*
	 * Option: (55) Parameter Request List: (1) Subnet Mask, (3) Router,
	 * (6) Domain Name Server, (15) Domain Name, (66) TFTP Server Name,
	 * (67) Bootfile name, (150) TFTP Server Address, (160) Polycom
	 * provisioning server
	 */
	0x37, 0x08, 0x01, 0x03, 0x06, 0x0f, 0x42, 0x43, 0x96, 0xa0,
	/*
	 * Option: (60) Vendor class identifier, length 57:
	 *     Enterprise: Polycom (13885), data length 52
	 *     Sub-option 1 (vendor), length 7: Polycom
	 *     Sub-option 2 (model), length 8: SPIP_650
	 *     Sub-option 3 (part number), length 16: 3111-12650-001,7
	 *     Sub-option 5 (application), length 13: BR=4.3.0.0246
	 */
	0x3c, 0x39, 0x00, 0x00, 0x36, 0x3d, 0x34,
	0x01, 0x07, 'P', 'o', 'l', 'y', 'c', 'o', 'm',
	0x02, 0x08, 'S', 'P', 'I', 'P', '_', '6', '5', '0',
	0x03, 0x10, '3', '1', '1', '1', '-', '1', '2', '6', '5', '0', '-',
	'0', '0', '1', ',', '7',
	0x05, 0x0d, 'B', 'R', '=', '4', '.', '3', '.', '0', '.', '0', '2',
	'4', '6',
	/* Option: (255) End */
	0xff,
};
static const struct dhcp_hdr polycom_discover_hdr = {
	.op = BOOTREQUEST, .htype = 1, .hlen = 6, .xid = 0x2d9c41e0,
	.chaddr = { 0x00, 0x04, 0xf2, 0x1a, 0x2b, 0x3c },
};

/*
 * OFFER to the Yealink DISCOVER above, on-link, padded to 300 bytes. It is
 * also what dhcp_build must produce from offer_hdr and the options below.
 *
 * Dynamic Host Configuration Protocol (Offer)
 *     Message type: Boot Reply (2)
 *     Hardware type: Ethernet (0x01)
 *     Hardware address length: 6
 *     Hops: 0
 *     Transaction ID: 0x5f1e2d3c
 *     Seconds elapsed: 0
 *     Bootp flags: 0x0000 (Unicast)
 *     Client IP address: 0.0.0.0
 *     Your (client) IP address: 10.20.0.57
 *     Next server IP address: 0.0.0.0
 *     Relay agent IP address: 0.0.0.0
 *     Client MAC address: Yealink_3a:5b:01 (80:5e:c0:3a:5b:01)
 *     Client hardware address padding: 00000000000000000000
 *     Server host name not given
 *     Boot file name not given
 *     Magic cookie: DHCP
 */
static const uint8_t offer[] = {
	0x02, 0x01, 0x06, 0x00,		/* op, htype, hlen, hops */
	0x5f, 0x1e, 0x2d, 0x3c,		/* xid */
	0x00, 0x00, 0x00, 0x00,		/* secs, flags */
	0, 0, 0, 0,			/* ciaddr */
	10, 20, 0, 57,			/* yiaddr */
	0, 0, 0, 0,			/* siaddr */
	0, 0, 0, 0,			/* giaddr */
	CHADDR(0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x01),
	NO_SNAME_FILE,
	COOKIE,
	/* Option: (53) DHCP Message Type (Offer) */
	0x35, 0x01, 0x02,
	/* Option: (54) DHCP Server Identifier: 10.20.0.2 */
	0x36, 0x04, 10, 20, 0, 2,
	/* Option: (51) IP Address Lease Time: (86400s) 1 day */
	0x33, 0x04, 0x00, 0x01, 0x51, 0x80,
	/* Option: (1) Subnet Mask: 255.255.255.0 */
	0x01, 0x04, 255, 255, 255, 0,
	/* Option: (3) Router: 10.20.0.1 */
	0x03, 0x04, 10, 20, 0, 1,
	/* Option: (6) Domain Name Server: 10.20.0.2 */
	0x06, 0x04, 10, 20, 0, 2,
	/* Option: (255) End */
	0xff,
	/* Padding: 26 bytes, to the 300 of RFC 1542 */
	Z16, Z4, Z4, 0x00, 0x00,
};
static const struct dhcp_hdr offer_hdr = {
	.op = BOOTREPLY, .htype = 1, .hlen = 6, .xid = 0x5f1e2d3c,
	.yiaddr = IP(10, 20, 0, 57),
	.chaddr = { 0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x01 },
};

/*
 * A second Yealink REQUESTs its offered address through a relay (the
 * access switch), which set giaddr and appended Option 82.
 *
 * Dynamic Host Configuration Protocol (Request)
 *     Message type: Boot Request (1)
 *     Hardware type: Ethernet (0x01)
 *     Hardware address length: 6
 *     Hops: 1
 *     Transaction ID: 0x7a3e0c11
 *     Seconds elapsed: 3
 *     Bootp flags: 0x0000 (Unicast)
 *     Client IP address: 0.0.0.0
 *     Your (client) IP address: 0.0.0.0
 *     Next server IP address: 0.0.0.0
 *     Relay agent IP address: 10.20.0.1
 *     Client MAC address: Yealink_3a:5b:02 (80:5e:c0:3a:5b:02)
 *     Client hardware address padding: 00000000000000000000
 *     Server host name not given
 *     Boot file name not given
 *     Magic cookie: DHCP
 */
static const uint8_t relayed_request[] = {
	0x01, 0x01, 0x06, 0x01,		/* op, htype, hlen, hops */
	0x7a, 0x3e, 0x0c, 0x11,		/* xid */
	0x00, 0x03, 0x00, 0x00,		/* secs, flags */
	0, 0, 0, 0,			/* ciaddr */
	0, 0, 0, 0,			/* yiaddr */
	0, 0, 0, 0,			/* siaddr */
	10, 20, 0, 1,			/* giaddr */
	CHADDR(0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x02),
	NO_SNAME_FILE,
	COOKIE,
	/* Option: (53) DHCP Message Type (Request) */
	0x35, 0x01, 0x03,
	/* Option: (61) Client identifier: Ethernet, 80:5e:c0:3a:5b:02 */
	0x3d, 0x07, 0x01, 0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x02,
	/* Option: (57) Maximum DHCP Message Size: 1500 */
	0x39, 0x02, 0x05, 0xdc,
	/* Option: (50) Requested IP Address: 10.20.0.58 */
	0x32, 0x04, 10, 20, 0, 58,
	/* Option: (54) DHCP Server Identifier: 192.0.2.10 */
	0x36, 0x04, 192, 0, 2, 10,
	/* Option: (60) Vendor class identifier: yealink */
	0x3c, 0x07, 'y', 'e', 'a', 'l', 'i', 'n', 'k',
	/* Option: (12) Host Name: SIP-T46S */
	0x0c, 0x08, 'S', 'I', 'P', '-', 'T', '4', '6', 'S',
	/* Option: (55) Parameter Request List: as in the DISCOVER */
	0x37, 0x0e, 0x01, 0x02, 0x03, 0x04, 0x06, 0x07, 0x0c, 0x0f, 0x1c,
	0x2a, 0x42, 0x43, 0x2b, 0x78,
	/*
	 * Option: (82) Agent Information Option, length 18
	 *     Option 82 Suboption: (1) Agent Circuit ID, length 6: 000400140107
	 *         (VLAN 20, module 1, port 7)
	 *     Option 82 Suboption: (2) Agent Remote ID, length 8:
	 *         0006001a2b3c4d5e (type 0, length 6, 00:1a:2b:3c:4d:5e)
	 */
	0x52, 0x12,
	0x01, 0x06, 0x00, 0x04, 0x00, 0x14, 0x01, 0x07,
	0x02, 0x08, 0x00, 0x06, 0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e,
	/* Option: (255) End */
	0xff,
};
static const struct dhcp_hdr relayed_request_hdr = {
	.op = BOOTREQUEST, .htype = 1, .hlen = 6, .hops = 1,
	.xid = 0x7a3e0c11, .secs = 3, .giaddr = IP(10, 20, 0, 1),
	.chaddr = { 0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x02 },
};
/* The value of its Option 82, as the relay sent it. */
static const uint8_t relay_info[] = {
	0x01, 0x06, 0x00, 0x04, 0x00, 0x14, 0x01, 0x07,
	0x02, 0x08, 0x00, 0x06, 0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e,
};

/*
 * ACK to the relayed REQUEST, back to the relay, Option 82 echoed last
 * (RFC 3046 2.2). Also what dhcp_build must produce.
 *
 * Dynamic Host Configuration Protocol (ACK)
 *     Message type: Boot Reply (2)
 *     Hardware type: Ethernet (0x01)
 *     Hardware address length: 6
 *     Hops: 0
 *     Transaction ID: 0x7a3e0c11
 *     Seconds elapsed: 0
 *     Bootp flags: 0x0000 (Unicast)
 *     Client IP address: 0.0.0.0
 *     Your (client) IP address: 10.20.0.58
 *     Next server IP address: 0.0.0.0
 *     Relay agent IP address: 10.20.0.1
 *     Client MAC address: Yealink_3a:5b:02 (80:5e:c0:3a:5b:02)
 *     Client hardware address padding: 00000000000000000000
 *     Server host name not given
 *     Boot file name not given
 *     Magic cookie: DHCP
 */
static const uint8_t ack[] = {
	0x02, 0x01, 0x06, 0x00,		/* op, htype, hlen, hops */
	0x7a, 0x3e, 0x0c, 0x11,		/* xid */
	0x00, 0x00, 0x00, 0x00,		/* secs, flags */
	0, 0, 0, 0,			/* ciaddr */
	10, 20, 0, 58,			/* yiaddr */
	0, 0, 0, 0,			/* siaddr */
	10, 20, 0, 1,			/* giaddr */
	CHADDR(0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x02),
	NO_SNAME_FILE,
	COOKIE,
	/* Option: (53) DHCP Message Type (ACK) */
	0x35, 0x01, 0x05,
	/* Option: (54) DHCP Server Identifier: 192.0.2.10 */
	0x36, 0x04, 192, 0, 2, 10,
	/* Option: (51) IP Address Lease Time: (86400s) 1 day */
	0x33, 0x04, 0x00, 0x01, 0x51, 0x80,
	/* Option: (58) Renewal Time Value: (43200s) 12 hours */
	0x3a, 0x04, 0x00, 0x00, 0xa8, 0xc0,
	/* Option: (59) Rebinding Time Value: (75600s) 21 hours */
	0x3b, 0x04, 0x00, 0x01, 0x27, 0x50,
	/* Option: (1) Subnet Mask: 255.255.255.0 */
	0x01, 0x04, 255, 255, 255, 0,
	/* Option: (3) Router: 10.20.0.1 */
	0x03, 0x04, 10, 20, 0, 1,
	/* Option: (6) Domain Name Server: 192.0.2.53 */
	0x06, 0x04, 192, 0, 2, 53,
	/* Option: (15) Domain Name: example.net */
	0x0f, 0x0b, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'n', 'e', 't',
	/* Option: (66) TFTP Server Name: https://prov.example.net/y/ */
	0x42, 0x1b, 'h', 't', 't', 'p', 's', ':', '/', '/', 'p', 'r', 'o',
	'v', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'n', 'e', 't', '/',
	'y', '/',
	/* Option: (82) Agent Information Option: as in the REQUEST */
	0x52, 0x12,
	0x01, 0x06, 0x00, 0x04, 0x00, 0x14, 0x01, 0x07,
	0x02, 0x08, 0x00, 0x06, 0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e,
	/* Option: (255) End */
	0xff,
};
static const struct dhcp_hdr ack_hdr = {
	.op = BOOTREPLY, .htype = 1, .hlen = 6, .xid = 0x7a3e0c11,
	.yiaddr = IP(10, 20, 0, 58), .giaddr = IP(10, 20, 0, 1),
	.chaddr = { 0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x02 },
};

/*
 * NAK to the relayed REQUEST: broadcast bit set because it goes through a
 * relay (RFC 2131 4.3.2), Option 82 echoed, padded to 300 bytes.
 *
 * Dynamic Host Configuration Protocol (NAK)
 *     Message type: Boot Reply (2)
 *     Hardware type: Ethernet (0x01)
 *     Hardware address length: 6
 *     Hops: 0
 *     Transaction ID: 0x7a3e0c11
 *     Seconds elapsed: 0
 *     Bootp flags: 0x8000, Broadcast flag (Broadcast)
 *     Client IP address: 0.0.0.0
 *     Your (client) IP address: 0.0.0.0
 *     Next server IP address: 0.0.0.0
 *     Relay agent IP address: 10.20.0.1
 *     Client MAC address: Yealink_3a:5b:02 (80:5e:c0:3a:5b:02)
 *     Client hardware address padding: 00000000000000000000
 *     Server host name not given
 *     Boot file name not given
 *     Magic cookie: DHCP
 */
static const uint8_t nak[] = {
	0x02, 0x01, 0x06, 0x00,		/* op, htype, hlen, hops */
	0x7a, 0x3e, 0x0c, 0x11,		/* xid */
	0x00, 0x00, 0x80, 0x00,		/* secs, flags */
	0, 0, 0, 0,			/* ciaddr */
	0, 0, 0, 0,			/* yiaddr */
	0, 0, 0, 0,			/* siaddr */
	10, 20, 0, 1,			/* giaddr */
	CHADDR(0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x02),
	NO_SNAME_FILE,
	COOKIE,
	/* Option: (53) DHCP Message Type (NAK) */
	0x35, 0x01, 0x06,
	/* Option: (54) DHCP Server Identifier: 192.0.2.10 */
	0x36, 0x04, 192, 0, 2, 10,
	/* Option: (56) Message: wrong network */
	0x38, 0x0d, 'w', 'r', 'o', 'n', 'g', ' ', 'n', 'e', 't', 'w', 'o',
	'r', 'k',
	/* Option: (82) Agent Information Option: as in the REQUEST */
	0x52, 0x12,
	0x01, 0x06, 0x00, 0x04, 0x00, 0x14, 0x01, 0x07,
	0x02, 0x08, 0x00, 0x06, 0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e,
	/* Option: (255) End */
	0xff,
	/* Padding: 15 bytes */
	Z4, Z4, Z4, 0x00, 0x00, 0x00,
};
static const struct dhcp_hdr nak_hdr = {
	.op = BOOTREPLY, .htype = 1, .hlen = 6, .xid = 0x7a3e0c11,
	.flags = DHCP_FLAG_BROADCAST, .giaddr = IP(10, 20, 0, 1),
	.chaddr = { 0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x02 },
};

/*
 * The Cisco phone DECLINEs an address it found in use (RFC 2131 4.4.1).
 *
 * Dynamic Host Configuration Protocol (Decline)
 *     Message type: Boot Request (1)
 *     Hardware type: Ethernet (0x01)
 *     Hardware address length: 6
 *     Hops: 0
 *     Transaction ID: 0x1c4f0a78
 *     Seconds elapsed: 0
 *     Bootp flags: 0x0000 (Unicast)
 *     Client IP address: 0.0.0.0
 *     Your (client) IP address: 0.0.0.0
 *     Next server IP address: 0.0.0.0
 *     Relay agent IP address: 0.0.0.0
 *     Client MAC address: Cisco_a4:5c:22 (00:1e:13:a4:5c:22)
 *     Client hardware address padding: 00000000000000000000
 *     Server host name not given
 *     Boot file name not given
 *     Magic cookie: DHCP
 */
static const uint8_t decline[] = {
	0x01, 0x01, 0x06, 0x00,		/* op, htype, hlen, hops */
	0x1c, 0x4f, 0x0a, 0x78,		/* xid */
	0x00, 0x00, 0x00, 0x00,		/* secs, flags */
	0, 0, 0, 0,			/* ciaddr */
	0, 0, 0, 0,			/* yiaddr */
	0, 0, 0, 0,			/* siaddr */
	0, 0, 0, 0,			/* giaddr */
	CHADDR(0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22),
	NO_SNAME_FILE,
	COOKIE,
	/* Option: (53) DHCP Message Type (Decline) */
	0x35, 0x01, 0x04,
	/* Option: (61) Client identifier: Ethernet, 00:1e:13:a4:5c:22 */
	0x3d, 0x07, 0x01, 0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22,
	/* Option: (50) Requested IP Address: 10.30.0.77 */
	0x32, 0x04, 10, 30, 0, 77,
	/* Option: (54) DHCP Server Identifier: 10.30.0.1 */
	0x36, 0x04, 10, 30, 0, 1,
	/* Option: (255) End */
	0xff,
};
static const struct dhcp_hdr decline_hdr = {
	.op = BOOTREQUEST, .htype = 1, .hlen = 6, .xid = 0x1c4f0a78,
	.chaddr = { 0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22 },
};

/*
 * The Cisco phone RELEASEs its lease, unicast from its address.
 *
 * Dynamic Host Configuration Protocol (Release)
 *     Message type: Boot Request (1)
 *     Hardware type: Ethernet (0x01)
 *     Hardware address length: 6
 *     Hops: 0
 *     Transaction ID: 0x6b20d913
 *     Seconds elapsed: 0
 *     Bootp flags: 0x0000 (Unicast)
 *     Client IP address: 10.30.0.77
 *     Your (client) IP address: 0.0.0.0
 *     Next server IP address: 0.0.0.0
 *     Relay agent IP address: 0.0.0.0
 *     Client MAC address: Cisco_a4:5c:22 (00:1e:13:a4:5c:22)
 *     Client hardware address padding: 00000000000000000000
 *     Server host name not given
 *     Boot file name not given
 *     Magic cookie: DHCP
 */
static const uint8_t release[] = {
	0x01, 0x01, 0x06, 0x00,		/* op, htype, hlen, hops */
	0x6b, 0x20, 0xd9, 0x13,		/* xid */
	0x00, 0x00, 0x00, 0x00,		/* secs, flags */
	10, 30, 0, 77,			/* ciaddr */
	0, 0, 0, 0,			/* yiaddr */
	0, 0, 0, 0,			/* siaddr */
	0, 0, 0, 0,			/* giaddr */
	CHADDR(0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22),
	NO_SNAME_FILE,
	COOKIE,
	/* Option: (53) DHCP Message Type (Release) */
	0x35, 0x01, 0x07,
	/* Option: (54) DHCP Server Identifier: 10.30.0.1 */
	0x36, 0x04, 10, 30, 0, 1,
	/* Option: (61) Client identifier: Ethernet, 00:1e:13:a4:5c:22 */
	0x3d, 0x07, 0x01, 0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22,
	/* Option: (255) End */
	0xff,
};
static const struct dhcp_hdr release_hdr = {
	.op = BOOTREQUEST, .htype = 1, .hlen = 6, .xid = 0x6b20d913,
	.ciaddr = IP(10, 30, 0, 77),
	.chaddr = { 0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22 },
};

/*
 * The Cisco phone, configured by hand, asks for parameters only (INFORM).
 *
 * Dynamic Host Configuration Protocol (Inform)
 *     Message type: Boot Request (1)
 *     Hardware type: Ethernet (0x01)
 *     Hardware address length: 6
 *     Hops: 0
 *     Transaction ID: 0x6b20d914
 *     Seconds elapsed: 0
 *     Bootp flags: 0x0000 (Unicast)
 *     Client IP address: 10.30.0.77
 *     Your (client) IP address: 0.0.0.0
 *     Next server IP address: 0.0.0.0
 *     Relay agent IP address: 0.0.0.0
 *     Client MAC address: Cisco_a4:5c:22 (00:1e:13:a4:5c:22)
 *     Client hardware address padding: 00000000000000000000
 *     Server host name not given
 *     Boot file name not given
 *     Magic cookie: DHCP
 */
static const uint8_t inform[] = {
	0x01, 0x01, 0x06, 0x00,		/* op, htype, hlen, hops */
	0x6b, 0x20, 0xd9, 0x14,		/* xid */
	0x00, 0x00, 0x00, 0x00,		/* secs, flags */
	10, 30, 0, 77,			/* ciaddr */
	0, 0, 0, 0,			/* yiaddr */
	0, 0, 0, 0,			/* siaddr */
	0, 0, 0, 0,			/* giaddr */
	CHADDR(0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22),
	NO_SNAME_FILE,
	COOKIE,
	/* Option: (53) DHCP Message Type (Inform) */
	0x35, 0x01, 0x08,
	/* Option: (61) Client identifier: Ethernet, 00:1e:13:a4:5c:22 */
	0x3d, 0x07, 0x01, 0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22,
	/* Option: (57) Maximum DHCP Message Size: 576 */
	0x39, 0x02, 0x02, 0x40,
	/*
	 * Option: (55) Parameter Request List: (1) Subnet Mask, (66) TFTP
	 * Server Name, (6) Domain Name Server, (3) Router, (15) Domain Name,
	 * (150) TFTP Server Address
	 */
	0x37, 0x06, 0x01, 0x42, 0x06, 0x03, 0x0f, 0x96,
	/*
	 * Option: (60) Vendor class identifier:
	 * Cisco Systems, Inc. IP Phone CP-7960G\000
	 */
	0x3c, 0x26, 'C', 'i', 's', 'c', 'o', ' ', 'S', 'y', 's', 't', 'e',
	'm', 's', ',', ' ', 'I', 'n', 'c', '.', ' ', 'I', 'P', ' ', 'P',
	'h', 'o', 'n', 'e', ' ', 'C', 'P', '-', '7', '9', '6', '0', 'G',
	0x00,
	/* Option: (255) End */
	0xff,
};
static const struct dhcp_hdr inform_hdr = {
	.op = BOOTREQUEST, .htype = 1, .hlen = 6, .xid = 0x6b20d914,
	.ciaddr = IP(10, 30, 0, 77),
	.chaddr = { 0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22 },
};

/* Every golden packet, for the tests that walk them all. */
static const struct golden {
	const char	*name;
	const uint8_t	*pkt;
	size_t		 len;
	size_t		 endlen;	/* up to and including END */
	uint8_t		 msgtype;
} goldens[] = {
	{ "yealink discover", yealink_discover, sizeof(yealink_discover),
	    292, DHCPDISCOVER },
	{ "cisco discover", cisco_discover, sizeof(cisco_discover), 323,
	    DHCPDISCOVER },
	{ "polycom discover", polycom_discover, sizeof(polycom_discover),
	    326, DHCPDISCOVER },
	{ "offer", offer, sizeof(offer), 274, DHCPOFFER },
	{ "relayed request", relayed_request, sizeof(relayed_request), 324,
	    DHCPREQUEST },
	{ "decline", decline, sizeof(decline), 265, DHCPDECLINE },
	{ "ack", ack, sizeof(ack), 348, DHCPACK },
	{ "nak", nak, sizeof(nak), 285, DHCPNAK },
	{ "release", release, sizeof(release), 259, DHCPRELEASE },
	{ "inform", inform, sizeof(inform), 305, DHCPINFORM },
};

/* Asserts every header field of m against h; sname and file empty. */
static void
check_hdr(const struct dhcp_msg *m, const struct dhcp_hdr *h)
{
	static const uint8_t	zero[128];

	ck_assert_uint_eq(m->op, h->op);
	ck_assert_uint_eq(m->htype, h->htype);
	ck_assert_uint_eq(m->hlen, h->hlen);
	ck_assert_uint_eq(m->hops, h->hops);
	ck_assert_uint_eq(m->xid, h->xid);
	ck_assert_uint_eq(m->secs, h->secs);
	ck_assert_uint_eq(m->flags, h->flags);
	ck_assert_uint_eq(m->ciaddr, h->ciaddr);
	ck_assert_uint_eq(m->yiaddr, h->yiaddr);
	ck_assert_uint_eq(m->siaddr, h->siaddr);
	ck_assert_uint_eq(m->giaddr, h->giaddr);
	ck_assert_mem_eq(m->chaddr, h->chaddr, sizeof(m->chaddr));
	ck_assert_mem_eq(m->sname, zero, sizeof(m->sname));
	ck_assert_mem_eq(m->file, zero, sizeof(m->file));
}

/* How many option codes the parse found (53 included). */
static int
count_opts(const struct dhcp_msg *m)
{
	size_t	len;
	int	n = 0;

	for (int c = 0; c < 256; c++)
		if (dhcp_opt_get(m, (uint8_t)c, &len) != NULL)
			n++;
	return n;
}

/*
 * Lays out a BOOTREQUEST (xid 0x01020304, chaddr 00:15:65:aa:bb:cc) with
 * the given sname, file and options bytes, sname and file zero-padded.
 * buf holds DHCP_MIN_LEN + optslen bytes at least; returns the length.
 */
static size_t
mkpkt(uint8_t *buf, const uint8_t *sname, size_t snamelen,
    const uint8_t *file, size_t filelen, const uint8_t *opts, size_t optslen)
{
	static const uint8_t	start[] = { 0x01, 0x01, 0x06, 0x00, 0x01,
				    0x02, 0x03, 0x04 };
	static const uint8_t	mac[] = { 0x00, 0x15, 0x65, 0xaa, 0xbb,
				    0xcc };
	static const uint8_t	cookie[] = { COOKIE };

	ck_assert_uint_le(snamelen, 64);
	ck_assert_uint_le(filelen, 128);
	memset(buf, 0, DHCP_MIN_LEN);
	memcpy(buf, start, sizeof(start));
	memcpy(buf + AT_CHADDR, mac, sizeof(mac));
	if (snamelen > 0)
		memcpy(buf + AT_SNAME, sname, snamelen);
	if (filelen > 0)
		memcpy(buf + AT_FILE, file, filelen);
	memcpy(buf + AT_COOKIE, cookie, sizeof(cookie));
	if (optslen > 0)
		memcpy(buf + AT_OPTIONS, opts, optslen);
	return DHCP_MIN_LEN + optslen;
}

/* Parses a message made by mkpkt() from options bytes alone. */
static enum dhcp_perr
parse_opts(const uint8_t *opts, size_t optslen, struct dhcp_msg *m)
{
	uint8_t	buf[DHCP_MAX_LEN];
	size_t	len;

	ck_assert_uint_le(optslen, sizeof(buf) - DHCP_MIN_LEN);
	len = mkpkt(buf, NULL, 0, NULL, 0, opts, optslen);
	return dhcp_parse(buf, len, m);
}

/*
 * The plain RFC 2132 walk over one area of a built message: appends the
 * code and length of each instance to codes and lens, and returns the
 * offset of END, or 0 if the area has none or an option overruns it.
 */
static size_t
walk_area(const uint8_t *buf, size_t start, size_t len, uint8_t *codes,
    uint8_t *lens, size_t *n)
{
	size_t	i = start;

	while (i < start + len) {
		if (buf[i] == DHO_PAD) {
			i++;
			continue;
		}
		if (buf[i] == DHO_END)
			return i;
		if (i + 2 > start + len || i + 2 + buf[i + 1] > start + len)
			return 0;
		codes[*n] = buf[i];
		lens[*n] = buf[i + 1];
		(*n)++;
		i += 2 + buf[i + 1];
	}
	return 0;
}

static int
all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/*
 * Golden packets, one per message type and one per phone family.
 */

START_TEST(test_golden_yealink_discover)
{
	static const uint8_t	prl[] = { 1, 2, 3, 4, 6, 7, 12, 15, 28, 42,
				    66, 67, 43, 120 };
	static const uint8_t	cid[] = {
		0x01, 0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x01,
	};
	struct dhcp_msg		m;

	ck_assert_uint_eq(sizeof(yealink_discover), 292);
	PARSE_OK(yealink_discover, &m);
	check_hdr(&m, &yealink_discover_hdr);
	ck_assert_uint_eq(m.msgtype, DHCPDISCOVER);
	ck_assert_uint_eq(m.overload, 0);
	ck_assert_int_eq(count_opts(&m), 6);
	ASSERT_OPT_BYTES(&m, DHO_MSG_TYPE, "\x01", 1);
	ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, cid, sizeof(cid));
	ASSERT_U16(&m, DHO_MAX_MSG_SIZE, 1500);
	ASSERT_OPT(&m, DHO_VENDOR_CLASS, "yealink");
	ASSERT_OPT(&m, DHO_HOST_NAME, "SIP-T46S");
	ASSERT_OPT_BYTES(&m, DHO_PARAM_REQ, prl, sizeof(prl));
	ASSERT_NO_OPT(&m, DHO_REQUESTED_ADDR);
	ASSERT_NO_OPT(&m, DHO_RELAY_INFO);
}
END_TEST

START_TEST(test_golden_cisco_discover)
{
	static const uint8_t	prl[] = { 1, 66, 6, 3, 15, 150, 35 };
	static const uint8_t	cid[] = {
		0x01, 0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22,
	};
	struct dhcp_msg		m;

	ck_assert_uint_eq(sizeof(cisco_discover), 323);
	PARSE_OK(cisco_discover, &m);
	check_hdr(&m, &cisco_discover_hdr);
	ck_assert_uint_eq(m.flags, 0x8000);
	ck_assert_uint_eq(m.msgtype, DHCPDISCOVER);
	ck_assert_int_eq(count_opts(&m), 6);
	ASSERT_U16(&m, DHO_MAX_MSG_SIZE, 576);
	ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, cid, sizeof(cid));
	ASSERT_OPT(&m, DHO_HOST_NAME, "SEP001E13A45C22");
	ASSERT_OPT_BYTES(&m, DHO_PARAM_REQ, prl, sizeof(prl));
	/* The trailing NUL is part of the value; the codec keeps it. */
	ASSERT_OPT_BYTES(&m, DHO_VENDOR_CLASS,
	    "Cisco Systems, Inc. IP Phone CP-7960G", 38);
}
END_TEST

START_TEST(test_golden_polycom_discover)
{
	static const uint8_t	vci[] = {
		0x00, 0x00, 0x36, 0x3d, 0x34,
		0x01, 0x07, 'P', 'o', 'l', 'y', 'c', 'o', 'm',
		0x02, 0x08, 'S', 'P', 'I', 'P', '_', '6', '5', '0',
		0x03, 0x10, '3', '1', '1', '1', '-', '1', '2', '6', '5', '0',
		'-', '0', '0', '1', ',', '7',
		0x05, 0x0d, 'B', 'R', '=', '4', '.', '3', '.', '0', '.', '0',
		'2', '4', '6',
	};
	static const uint8_t	prl[] = { 1, 3, 6, 15, 66, 67, 150, 160 };
	struct dhcp_msg		m;
	const uint8_t		*p;
	size_t			len;

	ck_assert_uint_eq(sizeof(polycom_discover), 326);
	PARSE_OK(polycom_discover, &m);
	check_hdr(&m, &polycom_discover_hdr);
	ck_assert_uint_eq(m.msgtype, DHCPDISCOVER);
	ck_assert_int_eq(count_opts(&m), 5);
	ASSERT_U16(&m, DHO_MAX_MSG_SIZE, 1500);
	ASSERT_OPT_BYTES(&m, DHO_PARAM_REQ, prl, sizeof(prl));
	ASSERT_OPT_BYTES(&m, DHO_VENDOR_CLASS, vci, sizeof(vci));
	/* Binary, with NULs: a length, never a C string. */
	ck_assert_ptr_nonnull(p = dhcp_opt_get(&m, DHO_VENDOR_CLASS, &len));
	ck_assert_uint_eq(len, 57);
	ck_assert_uint_eq(p[0], 0x00);
	ck_assert_uint_eq(p[3], 0x3d);
	ck_assert_mem_eq(p + 7, "Polycom", 7);
}
END_TEST

START_TEST(test_golden_offer)
{
	const struct dhcp_out_opt	opts[] = {
		OUT(DHO_MSG_TYPE, DHCPOFFER),
		OUT(DHO_SERVER_ID, 10, 20, 0, 2),
		OUT(DHO_LEASE_TIME, 0x00, 0x01, 0x51, 0x80),
		OUT(DHO_SUBNET_MASK, 255, 255, 255, 0),
		OUT(DHO_ROUTERS, 10, 20, 0, 1),
		OUT(DHO_DNS, 10, 20, 0, 2),
	};
	struct dhcp_msg			m;
	uint8_t				buf[1500 - 28];
	unsigned			omitted = 99;

	ck_assert_uint_eq(sizeof(offer), DHCP_BOOTP_MIN);
	PARSE_OK(offer, &m);
	check_hdr(&m, &offer_hdr);
	ck_assert_uint_eq(m.msgtype, DHCPOFFER);
	ck_assert_int_eq(count_opts(&m), 6);
	ASSERT_IP(&m, DHO_SERVER_ID, IP(10, 20, 0, 2));
	ASSERT_U32(&m, DHO_LEASE_TIME, 86400);
	ASSERT_IP(&m, DHO_SUBNET_MASK, IP(255, 255, 255, 0));
	ASSERT_IP(&m, DHO_ROUTERS, IP(10, 20, 0, 1));
	ASSERT_IP(&m, DHO_DNS, IP(10, 20, 0, 2));

	/* The builder makes exactly these bytes, padding included. */
	memset(buf, 0xa5, sizeof(buf));
	ck_assert_int_eq(dhcp_build(&offer_hdr, opts, NELEM(opts), buf,
	    sizeof(buf), &omitted), (int)sizeof(offer));
	ck_assert_uint_eq(omitted, 0);
	ck_assert_mem_eq(buf, offer, sizeof(offer));
}
END_TEST

START_TEST(test_golden_relayed_request)
{
	static const uint8_t	cid[] = {
		0x01, 0x80, 0x5e, 0xc0, 0x3a, 0x5b, 0x02,
	};
	struct dhcp_msg		m;
	const uint8_t		*p;
	size_t			len;

	ck_assert_uint_eq(sizeof(relayed_request), 324);
	PARSE_OK(relayed_request, &m);
	check_hdr(&m, &relayed_request_hdr);
	ck_assert_uint_eq(m.hops, 1);
	ck_assert_uint_eq(m.giaddr, IP(10, 20, 0, 1));
	ck_assert_uint_eq(m.msgtype, DHCPREQUEST);
	ck_assert_int_eq(count_opts(&m), 9);
	ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, cid, sizeof(cid));
	ASSERT_U16(&m, DHO_MAX_MSG_SIZE, 1500);
	ASSERT_IP(&m, DHO_REQUESTED_ADDR, IP(10, 20, 0, 58));
	ASSERT_IP(&m, DHO_SERVER_ID, IP(192, 0, 2, 10));
	ASSERT_OPT(&m, DHO_VENDOR_CLASS, "yealink");
	ASSERT_OPT(&m, DHO_HOST_NAME, "SIP-T46S");
	ck_assert_ptr_nonnull(dhcp_opt_get(&m, DHO_PARAM_REQ, &len));
	ck_assert_uint_eq(len, 14);
	ASSERT_OPT_BYTES(&m, DHO_RELAY_INFO, relay_info, sizeof(relay_info));
	/* Sub-option 1, circuit-id, then 2, remote-id (RFC 3046 3). */
	p = dhcp_opt_get(&m, DHO_RELAY_INFO, &len);
	ck_assert_uint_eq(p[0], 1);
	ck_assert_uint_eq(p[1], 6);
	ck_assert_uint_eq(p[8], 2);
	ck_assert_uint_eq(p[9], 8);
}
END_TEST

START_TEST(test_golden_decline)
{
	static const uint8_t	cid[] = {
		0x01, 0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22,
	};
	struct dhcp_msg		m;

	ck_assert_uint_eq(sizeof(decline), 265);
	PARSE_OK(decline, &m);
	check_hdr(&m, &decline_hdr);
	ck_assert_uint_eq(m.msgtype, DHCPDECLINE);
	ck_assert_int_eq(count_opts(&m), 4);
	ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, cid, sizeof(cid));
	ASSERT_IP(&m, DHO_REQUESTED_ADDR, IP(10, 30, 0, 77));
	ASSERT_IP(&m, DHO_SERVER_ID, IP(10, 30, 0, 1));
}
END_TEST

START_TEST(test_golden_ack)
{
	struct dhcp_msg			req, m;
	const uint8_t			*ri;
	size_t				rilen;
	uint8_t				buf[1500 - 28];
	unsigned			omitted = 99;

	ck_assert_uint_eq(sizeof(ack), 348);
	PARSE_OK(ack, &m);
	check_hdr(&m, &ack_hdr);
	ck_assert_uint_eq(m.msgtype, DHCPACK);
	ck_assert_int_eq(count_opts(&m), 11);
	ASSERT_IP(&m, DHO_SERVER_ID, IP(192, 0, 2, 10));
	ASSERT_U32(&m, DHO_LEASE_TIME, 86400);
	ASSERT_U32(&m, DHO_T1, 43200);
	ASSERT_U32(&m, DHO_T2, 75600);
	ASSERT_IP(&m, DHO_SUBNET_MASK, IP(255, 255, 255, 0));
	ASSERT_IP(&m, DHO_ROUTERS, IP(10, 20, 0, 1));
	ASSERT_IP(&m, DHO_DNS, IP(192, 0, 2, 53));
	ASSERT_OPT(&m, DHO_DOMAIN_NAME, "example.net");
	ASSERT_OPT(&m, DHO_TFTP_SERVER, "https://prov.example.net/y/");
	ASSERT_OPT_BYTES(&m, DHO_RELAY_INFO, relay_info, sizeof(relay_info));

	/* Built from the parsed REQUEST's Option 82, byte for byte. */
	PARSE_OK(relayed_request, &req);
	ck_assert_ptr_nonnull(ri = dhcp_opt_get(&req, DHO_RELAY_INFO,
	    &rilen));
	{
		const struct dhcp_out_opt	opts[] = {
			OUT(DHO_MSG_TYPE, DHCPACK),
			OUT(DHO_SERVER_ID, 192, 0, 2, 10),
			OUT(DHO_LEASE_TIME, 0x00, 0x01, 0x51, 0x80),
			OUT(DHO_T1, 0x00, 0x00, 0xa8, 0xc0),
			OUT(DHO_T2, 0x00, 0x01, 0x27, 0x50),
			OUT(DHO_SUBNET_MASK, 255, 255, 255, 0),
			OUT(DHO_ROUTERS, 10, 20, 0, 1),
			OUT(DHO_DNS, 192, 0, 2, 53),
			OUT_STR(DHO_DOMAIN_NAME, "example.net"),
			OUT_STR(DHO_TFTP_SERVER,
			    "https://prov.example.net/y/"),
			{ DHO_RELAY_INFO, (uint16_t)rilen, ri },
		};

		ck_assert_int_eq(dhcp_build(&ack_hdr, opts, NELEM(opts), buf,
		    sizeof(buf), &omitted), (int)sizeof(ack));
	}
	ck_assert_uint_eq(omitted, 0);
	ck_assert_mem_eq(buf, ack, sizeof(ack));
}
END_TEST

START_TEST(test_golden_nak)
{
	const struct dhcp_out_opt	opts[] = {
		OUT(DHO_MSG_TYPE, DHCPNAK),
		OUT(DHO_SERVER_ID, 192, 0, 2, 10),
		OUT_STR(DHO_MESSAGE, "wrong network"),
		{ DHO_RELAY_INFO, sizeof(relay_info), relay_info },
	};
	struct dhcp_msg			m;
	uint8_t				buf[576 - 28];
	unsigned			omitted = 99;

	ck_assert_uint_eq(sizeof(nak), DHCP_BOOTP_MIN);
	PARSE_OK(nak, &m);
	check_hdr(&m, &nak_hdr);
	ck_assert_uint_eq(m.msgtype, DHCPNAK);
	ck_assert_int_eq(count_opts(&m), 4);
	ASSERT_IP(&m, DHO_SERVER_ID, IP(192, 0, 2, 10));
	ASSERT_OPT(&m, DHO_MESSAGE, "wrong network");
	ASSERT_OPT_BYTES(&m, DHO_RELAY_INFO, relay_info, sizeof(relay_info));
	ASSERT_NO_OPT(&m, DHO_LEASE_TIME);

	memset(buf, 0xa5, sizeof(buf));
	ck_assert_int_eq(dhcp_build(&nak_hdr, opts, NELEM(opts), buf,
	    sizeof(buf), &omitted), (int)sizeof(nak));
	ck_assert_uint_eq(omitted, 0);
	ck_assert_mem_eq(buf, nak, sizeof(nak));
}
END_TEST

START_TEST(test_golden_release)
{
	static const uint8_t	cid[] = {
		0x01, 0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22,
	};
	struct dhcp_msg		m;

	ck_assert_uint_eq(sizeof(release), 259);
	PARSE_OK(release, &m);
	check_hdr(&m, &release_hdr);
	ck_assert_uint_eq(m.ciaddr, IP(10, 30, 0, 77));
	ck_assert_uint_eq(m.msgtype, DHCPRELEASE);
	ck_assert_int_eq(count_opts(&m), 3);
	ASSERT_IP(&m, DHO_SERVER_ID, IP(10, 30, 0, 1));
	ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, cid, sizeof(cid));
}
END_TEST

START_TEST(test_golden_inform)
{
	static const uint8_t	prl[] = { 1, 66, 6, 3, 15, 150 };
	static const uint8_t	cid[] = {
		0x01, 0x00, 0x1e, 0x13, 0xa4, 0x5c, 0x22,
	};
	struct dhcp_msg		m;

	ck_assert_uint_eq(sizeof(inform), 305);
	PARSE_OK(inform, &m);
	check_hdr(&m, &inform_hdr);
	ck_assert_uint_eq(m.msgtype, DHCPINFORM);
	ck_assert_int_eq(count_opts(&m), 5);
	ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, cid, sizeof(cid));
	ASSERT_U16(&m, DHO_MAX_MSG_SIZE, 576);
	ASSERT_OPT_BYTES(&m, DHO_PARAM_REQ, prl, sizeof(prl));
	ASSERT_OPT_BYTES(&m, DHO_VENDOR_CLASS,
	    "Cisco Systems, Inc. IP Phone CP-7960G", 38);
}
END_TEST

/*
 * Every prefix of every golden packet, each in a heap block of exactly its
 * length so that AddressSanitizer sees any read past the end. A prefix that
 * stops between options lacks END; one that stops inside an option is
 * truncated; once END is in, only padding is cut and the parse succeeds.
 */
START_TEST(test_golden_prefixes)
{
	const struct golden	*g = &goldens[_i];
	struct dhcp_msg		 m;
	size_t			 boundary = AT_OPTIONS;

	ck_assert_uint_eq(g->pkt[g->endlen - 1], DHO_END);
	for (size_t n = 0; n < g->len; n++) {
		uint8_t		*copy = malloc(n > 0 ? n : 1);
		enum dhcp_perr	 e, want;

		ck_assert_ptr_nonnull(copy);
		memcpy(copy, g->pkt, n);
		e = dhcp_parse(copy, n, &m);
		free(copy);
		/* The golden options have no PAD before END. */
		while (boundary < n)
			boundary += 2 + g->pkt[boundary + 1];
		if (n < DHCP_MIN_LEN)
			want = DHCP_P_SHORT;
		else if (n >= g->endlen)
			want = DHCP_P_OK;
		else if (n == boundary)
			want = DHCP_P_NO_END;
		else
			want = DHCP_P_OPTION_TRUNC;
		ck_assert_msg(e == want, "%s cut to %zu: got %s, want %s",
		    g->name, n, dhcp_perr_str(e), dhcp_perr_str(want));
		if (e == DHCP_P_OK)
			ck_assert_uint_eq(m.msgtype, g->msgtype);
	}
	ck_assert_int_eq(dhcp_parse(g->pkt, g->len, &m), DHCP_P_OK);
	ck_assert_uint_eq(m.msgtype, g->msgtype);
}
END_TEST

/*
 * Option overload, RFC 2131 4.1 and RFC 2132 9.3.
 */

START_TEST(test_overload_file)
{
	static const uint8_t	opts[] = {
		0x35, 0x01, 0x01,	/* (53) DHCP Message Type (Discover) */
		0x34, 0x01, 0x01,	/* (52) Option Overload: file */
		0xff,			/* (255) End */
	};
	static const uint8_t	file[] = {
		/* (60) Vendor class identifier: yealink */
		0x3c, 0x07, 'y', 'e', 'a', 'l', 'i', 'n', 'k',
		/* (55) Parameter Request List: 1, 3, 6, 66 */
		0x37, 0x04, 0x01, 0x03, 0x06, 0x42,
		0xff,			/* (255) End */
	};
	/* Options in sname are not read: 52 did not say so. */
	static const uint8_t	sname[] = {
		0x0f, 0x04, 'e', 'v', 'i', 'l',	/* (15) Domain Name */
		0xff,
	};
	static const uint8_t	prl[] = { 1, 3, 6, 66 };
	uint8_t			buf[DHCP_MAX_LEN];
	struct dhcp_msg		m;
	size_t			len;

	len = mkpkt(buf, sname, sizeof(sname), file, sizeof(file), opts,
	    sizeof(opts));
	ck_assert_int_eq(dhcp_parse(buf, len, &m), DHCP_P_OK);
	ck_assert_uint_eq(m.overload, 1);
	ck_assert_uint_eq(m.msgtype, DHCPDISCOVER);
	ck_assert_int_eq(count_opts(&m), 4);
	ASSERT_OPT_BYTES(&m, DHO_OVERLOAD, "\x01", 1);
	ASSERT_OPT(&m, DHO_VENDOR_CLASS, "yealink");
	ASSERT_OPT_BYTES(&m, DHO_PARAM_REQ, prl, sizeof(prl));
	ASSERT_NO_OPT(&m, DHO_DOMAIN_NAME);
	/* The areas themselves are kept as received. */
	ck_assert_mem_eq(m.file, file, sizeof(file));
	ck_assert_mem_eq(m.sname, sname, sizeof(sname));
}
END_TEST

START_TEST(test_overload_sname)
{
	static const uint8_t	opts[] = {
		0x35, 0x01, 0x03,	/* (53) DHCP Message Type (Request) */
		0x34, 0x01, 0x02,	/* (52) Option Overload: sname */
		0xff,			/* (255) End */
	};
	static const uint8_t	sname[] = {
		0x0c, 0x04, 't', '4', '6', 's',	/* (12) Host Name */
		/* (50) Requested IP Address: 10.20.0.58 */
		0x32, 0x04, 10, 20, 0, 58,
		0xff,				/* (255) End */
	};
	/* A boot file name, not options: overload 2 leaves file alone. */
	static const uint8_t	file[] = {
		0x0f, 0x04, 'e', 'v', 'i', 'l',	/* (15) Domain Name */
		0x2b, 0xfe, 0x01,	/* (43) would run past the field */
	};
	uint8_t			buf[DHCP_MAX_LEN];
	struct dhcp_msg		m;
	size_t			len;

	len = mkpkt(buf, sname, sizeof(sname), file, sizeof(file), opts,
	    sizeof(opts));
	ck_assert_int_eq(dhcp_parse(buf, len, &m), DHCP_P_OK);
	ck_assert_uint_eq(m.overload, 2);
	ck_assert_uint_eq(m.msgtype, DHCPREQUEST);
	ck_assert_int_eq(count_opts(&m), 4);
	ASSERT_OPT(&m, DHO_HOST_NAME, "t46s");
	ASSERT_IP(&m, DHO_REQUESTED_ADDR, IP(10, 20, 0, 58));
	ASSERT_NO_OPT(&m, DHO_DOMAIN_NAME);
	ASSERT_NO_OPT(&m, DHO_VENDOR_ENCAP);
}
END_TEST

/*
 * Overload 3: the options field, then file, then sname (RFC 2131 4.1),
 * and an option split over all three is joined in that order (RFC 3396).
 */
START_TEST(test_overload_both)
{
	static const uint8_t	opts[] = {
		0x35, 0x01, 0x01,	/* (53) DHCP Message Type (Discover) */
		0x34, 0x01, 0x03,	/* (52) Option Overload: both */
		0x2b, 0x02, 'A', 'B',	/* (43) Vendor-Specific, part 1 */
		0xff,			/* (255) End */
	};
	static const uint8_t	file[] = {
		0x2b, 0x02, 'C', 'D',	/* (43) Vendor-Specific, part 2 */
		0x0c, 0x03, 't', '4', '6',	/* (12) Host Name: t46 */
		0xff,			/* (255) End */
	};
	static const uint8_t	sname[] = {
		0x2b, 0x02, 'E', 'F',	/* (43) Vendor-Specific, part 3 */
		0x00, 0x00,		/* (0) Padding */
		0xff,			/* (255) End */
	};
	uint8_t			buf[DHCP_MAX_LEN];
	struct dhcp_msg		m;
	size_t			len;

	len = mkpkt(buf, sname, sizeof(sname), file, sizeof(file), opts,
	    sizeof(opts));
	ck_assert_int_eq(dhcp_parse(buf, len, &m), DHCP_P_OK);
	ck_assert_uint_eq(m.overload, 3);
	ck_assert_int_eq(count_opts(&m), 4);
	ASSERT_OPT(&m, DHO_VENDOR_ENCAP, "ABCDEF");
	ASSERT_OPT(&m, DHO_HOST_NAME, "t46");
}
END_TEST

/* RFC 2131 4.1: option 52 counts only in the options field. */
START_TEST(test_overload_in_areas_ignored)
{
	static const uint8_t	opts[] = {
		0x35, 0x01, 0x01,	/* (53) DHCP Message Type (Discover) */
		0x34, 0x01, 0x01,	/* (52) Option Overload: file */
		0xff,			/* (255) End */
	};
	static const uint8_t	file[] = {
		0x34, 0x01, 0x02,	/* (52) Option Overload: sname */
		0x0c, 0x05, 'p', 'h', 'o', 'n', 'e',	/* (12) Host Name */
		0xff,			/* (255) End */
	};
	static const uint8_t	file_bad52[] = {
		0x34, 0x03, 0x07, 0x00, 0x09,	/* (52) malformed */
		0x0c, 0x05, 'p', 'h', 'o', 'n', 'e',	/* (12) Host Name */
		0xff,			/* (255) End */
	};
	static const uint8_t	sname[] = {
		0x0f, 0x04, 'e', 'v', 'i', 'l',	/* (15) Domain Name */
		0xff,
	};
	uint8_t			buf[DHCP_MAX_LEN];
	struct dhcp_msg		m;
	size_t			len;

	len = mkpkt(buf, sname, sizeof(sname), file, sizeof(file), opts,
	    sizeof(opts));
	ck_assert_int_eq(dhcp_parse(buf, len, &m), DHCP_P_OK);
	ck_assert_uint_eq(m.overload, 1);
	ASSERT_OPT_BYTES(&m, DHO_OVERLOAD, "\x01", 1);
	ASSERT_OPT(&m, DHO_HOST_NAME, "phone");
	ASSERT_NO_OPT(&m, DHO_DOMAIN_NAME);

	/* Even a malformed 52 there is no error: it is not an option. */
	len = mkpkt(buf, sname, sizeof(sname), file_bad52,
	    sizeof(file_bad52), opts, sizeof(opts));
	ck_assert_int_eq(dhcp_parse(buf, len, &m), DHCP_P_OK);
	ck_assert_uint_eq(m.overload, 1);
	ASSERT_OPT_BYTES(&m, DHO_OVERLOAD, "\x01", 1);
	ASSERT_OPT(&m, DHO_HOST_NAME, "phone");
	ASSERT_NO_OPT(&m, DHO_DOMAIN_NAME);
}
END_TEST

/* Options bytes for the table-driven tests. */
struct bytes {
	uint8_t	 b[24];
	size_t	 len;
};
#define BYTES(...)							\
	{ { __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }) }

static const struct bytes bad_overload[] = {
	/* (52) of length 2 */
	BYTES(0x35, 0x01, 0x01, 0x34, 0x02, 0x01, 0x00, 0xff),
	/* (52) of length 0 */
	BYTES(0x35, 0x01, 0x01, 0x34, 0x00, 0xff),
	/* (52) value 0 */
	BYTES(0x35, 0x01, 0x01, 0x34, 0x01, 0x00, 0xff),
	/* (52) value 4 */
	BYTES(0x35, 0x01, 0x01, 0x34, 0x01, 0x04, 0xff),
	/* (52) twice, the same value */
	BYTES(0x35, 0x01, 0x01, 0x34, 0x01, 0x01, 0x34, 0x01, 0x01, 0xff),
	/* (52) twice, file then sname */
	BYTES(0x35, 0x01, 0x01, 0x34, 0x01, 0x01, 0x34, 0x01, 0x02, 0xff),
};

START_TEST(test_overload_malformed)
{
	static const uint8_t	area[] = {
		0x0c, 0x02, 'o', 'k',	/* (12) Host Name: ok */
		0xff,			/* (255) End */
	};
	const struct bytes	*c = &bad_overload[_i];
	uint8_t			 buf[DHCP_MAX_LEN];
	struct dhcp_msg		 m;
	size_t			 len;
	enum dhcp_perr		 e;

	len = mkpkt(buf, area, sizeof(area), area, sizeof(area), c->b,
	    c->len);
	e = dhcp_parse(buf, len, &m);
	ck_assert_msg(e == DHCP_P_OVERLOAD, "case %d: %s", _i,
	    dhcp_perr_str(e));
}
END_TEST

/* An option that runs past the end of the file field is truncated. */
START_TEST(test_overload_area_trunc)
{
	static const uint8_t	opts[] = {
		0x35, 0x01, 0x01, 0x34, 0x01, 0x01, 0xff,
	};
	uint8_t			file[128];
	uint8_t			buf[DHCP_MAX_LEN];
	struct dhcp_msg		m;
	size_t			len;

	/* (43) of 200 bytes: the rest of the message does not count. */
	memset(file, 0x41, sizeof(file));
	file[0] = DHO_VENDOR_ENCAP;
	file[1] = 200;
	len = mkpkt(buf, NULL, 0, file, sizeof(file), opts, sizeof(opts));
	ck_assert_int_eq(dhcp_parse(buf, len, &m), DHCP_P_OPTION_TRUNC);
	/*
	 * Filling the field with no room for END: accepted, only the
	 * options field must end with END.
	 */
	file[1] = 126;
	len = mkpkt(buf, NULL, 0, file, sizeof(file), opts, sizeof(opts));
	ck_assert_int_eq(dhcp_parse(buf, len, &m), DHCP_P_OK);
	ck_assert_ptr_nonnull(dhcp_opt_get(&m, DHO_VENDOR_ENCAP, &len));
	ck_assert_uint_eq(len, 126);
	file[1] = 127;
	len = mkpkt(buf, NULL, 0, file, sizeof(file), opts, sizeof(opts));
	ck_assert_int_eq(dhcp_parse(buf, len, &m), DHCP_P_OPTION_TRUNC);
}
END_TEST

/*
 * RFC 3396: several instances of one option are one value.
 */

START_TEST(test_concat_options_field)
{
	static const uint8_t	opts[] = {
		0x0c, 0x03, 'a', 'b', 'c',	/* (12) Host Name, part 1 */
		0x35, 0x01, 0x01,		/* (53) Discover */
		0x32, 0x02, 10, 20,		/* (50) part 1 */
		0x0c, 0x03, 'd', 'e', 'f',	/* (12) Host Name, part 2 */
		0x32, 0x02, 0, 58,		/* (50) part 2 */
		0x0c, 0x00,			/* (12) an empty part */
		0x0c, 0x01, 'g',		/* (12) part 4 */
		0xff,
	};
	struct dhcp_msg		m;

	ck_assert_int_eq(parse_opts(opts, sizeof(opts), &m), DHCP_P_OK);
	ck_assert_int_eq(count_opts(&m), 3);
	ASSERT_OPT(&m, DHO_HOST_NAME, "abcdefg");
	/* The fixed length applies to the joined value. */
	ASSERT_IP(&m, DHO_REQUESTED_ADDR, IP(10, 20, 0, 58));
}
END_TEST

START_TEST(test_concat_into_file)
{
	static const uint8_t	opts[] = {
		0x35, 0x01, 0x01,		/* (53) Discover */
		0x2b, 0x03, 0x01, 0x02, 0x03,	/* (43) part 1 */
		0x34, 0x01, 0x01,		/* (52) Overload: file */
		0x2b, 0x01, 0x04,		/* (43) part 2 */
		0xff,
	};
	static const uint8_t	file[] = {
		0x2b, 0x02, 0x05, 0x06,		/* (43) part 3 */
		0xff,
	};
	static const uint8_t	want[] = { 1, 2, 3, 4, 5, 6 };
	uint8_t			buf[DHCP_MAX_LEN];
	struct dhcp_msg		m;
	size_t			len;

	len = mkpkt(buf, NULL, 0, file, sizeof(file), opts, sizeof(opts));
	ck_assert_int_eq(dhcp_parse(buf, len, &m), DHCP_P_OK);
	ASSERT_OPT_BYTES(&m, DHO_VENDOR_ENCAP, want, sizeof(want));
	/* A joined fixed-size option of the wrong length is refused. */
	{
		static const uint8_t	twice53[] = {
			0x35, 0x01, 0x01, 0x35, 0x01, 0x01, 0xff,
		};

		ck_assert_int_eq(parse_opts(twice53, sizeof(twice53), &m),
		    DHCP_P_BAD_LEN);
	}
}
END_TEST

/* A 600-byte value goes out as 255 + 255 + 90 and comes back whole. */
START_TEST(test_build_long_option)
{
	static const struct dhcp_hdr	h = {
		.op = BOOTREPLY, .htype = 1, .hlen = 6, .xid = 42,
	};
	uint8_t				val[600], buf[1500 - 28];
	uint8_t				codes[16], lens[16];
	struct dhcp_out_opt		opts[] = {
		OUT(DHO_MSG_TYPE, DHCPACK),
		{ DHO_VENDOR_ENCAP, sizeof(val), val },
	};
	struct dhcp_msg			m;
	unsigned			omitted = 99;
	size_t				n = 0;
	int				len;

	for (size_t i = 0; i < sizeof(val); i++)
		val[i] = (uint8_t)(i * 7 + 1);
	len = dhcp_build(&h, opts, NELEM(opts), buf, sizeof(buf), &omitted);
	ck_assert_int_eq(len, AT_OPTIONS + 3 + 3 * 2 + 600 + 1);
	ck_assert_uint_eq(omitted, 0);
	ck_assert_uint_eq(walk_area(buf, AT_OPTIONS, (size_t)len - AT_OPTIONS,
	    codes, lens, &n), (size_t)len - 1);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(codes[0], DHO_MSG_TYPE);
	ck_assert_uint_eq(codes[1], DHO_VENDOR_ENCAP);
	ck_assert_uint_eq(lens[1], 255);
	ck_assert_uint_eq(codes[2], DHO_VENDOR_ENCAP);
	ck_assert_uint_eq(lens[2], 255);
	ck_assert_uint_eq(codes[3], DHO_VENDOR_ENCAP);
	ck_assert_uint_eq(lens[3], 90);
	/* The second instance starts where the first ended. */
	ck_assert_uint_eq(buf[AT_OPTIONS + 3 + 2 + 255 + 2], val[255]);

	ck_assert_int_eq(dhcp_parse(buf, (size_t)len, &m), DHCP_P_OK);
	ASSERT_OPT_BYTES(&m, DHO_VENDOR_ENCAP, val, sizeof(val));
	ck_assert_uint_eq(m.msgtype, DHCPACK);
}
END_TEST

/* Splits fall on 255-byte boundaries; no empty trailing instance. */
START_TEST(test_build_split_sizes)
{
	static const struct {
		uint16_t	len;
		size_t		ninst;
		uint8_t		last;
	} cases[] = {
		{ 254, 1, 254 }, { 255, 1, 255 }, { 256, 2, 1 },
		{ 510, 2, 255 }, { 511, 3, 1 },
	};
	static const struct dhcp_hdr	h = { .op = BOOTREPLY };
	uint8_t				val[600], buf[1500 - 28];
	uint8_t				codes[16], lens[16];
	struct dhcp_msg			m;

	memset(val, 'v', sizeof(val));
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct dhcp_out_opt	o = { DHO_VENDOR_ENCAP, cases[i].len,
					    val };
		unsigned		omitted = 99;
		size_t			n = 0;
		int			len;

		len = dhcp_build(&h, &o, 1, buf, sizeof(buf), &omitted);
		ck_assert_int_gt(len, 0);
		ck_assert_uint_ne(walk_area(buf, AT_OPTIONS,
		    (size_t)len - AT_OPTIONS, codes, lens, &n), 0);
		ck_assert_msg(n == cases[i].ninst, "%u bytes: %zu instances",
		    cases[i].len, n);
		ck_assert_uint_eq(lens[n - 1], cases[i].last);
		ck_assert_int_eq(dhcp_parse(buf, (size_t)len, &m), DHCP_P_OK);
		ASSERT_OPT_BYTES(&m, DHO_VENDOR_ENCAP, val, cases[i].len);
	}
}
END_TEST

/*
 * The builder.
 */

START_TEST(test_build_header)
{
	static const struct dhcp_hdr	h = {
		.op = BOOTREPLY, .htype = 1, .hlen = 6, .hops = 2,
		.xid = 0xdeadbeef, .secs = 0x0102,
		.flags = DHCP_FLAG_BROADCAST,
		.ciaddr = IP(10, 0, 0, 1), .yiaddr = IP(10, 0, 0, 2),
		.siaddr = IP(10, 0, 0, 3), .giaddr = IP(10, 0, 0, 4),
		.chaddr = { 0x00, 0x15, 0x65, 0xaa, 0xbb, 0xcc, 0x16, 0x17,
		    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f },
	};
	static const uint8_t		want[] = {
		0x02, 0x01, 0x06, 0x02,		/* op htype hlen hops */
		0xde, 0xad, 0xbe, 0xef,		/* xid */
		0x01, 0x02, 0x80, 0x00,		/* secs, flags */
		10, 0, 0, 1,			/* ciaddr */
		10, 0, 0, 2,			/* yiaddr */
		10, 0, 0, 3,			/* siaddr */
		10, 0, 0, 4,			/* giaddr */
		/* chaddr */
		0x00, 0x15, 0x65, 0xaa, 0xbb, 0xcc, 0x16, 0x17,
		0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	};
	static const uint8_t		tail[] = {
		0x63, 0x82, 0x53, 0x63,		/* magic cookie */
		0x35, 0x01, 0x05,		/* (53) ACK */
		0xff,				/* (255) End */
	};
	const struct dhcp_out_opt	opts[] = {
		OUT(DHO_MSG_TYPE, DHCPACK),
	};
	uint8_t				buf[576 - 28];
	struct dhcp_msg			m;
	unsigned			omitted = 99;

	memset(buf, 0xa5, sizeof(buf));
	ck_assert_int_eq(dhcp_build(&h, opts, 1, buf, sizeof(buf), &omitted),
	    DHCP_BOOTP_MIN);
	ck_assert_uint_eq(omitted, 0);
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_int_eq(all_zero(buf + AT_SNAME, 64 + 128), 1);
	ck_assert_mem_eq(buf + AT_COOKIE, tail, sizeof(tail));
	ck_assert_int_eq(all_zero(buf + AT_COOKIE + sizeof(tail),
	    DHCP_BOOTP_MIN - AT_COOKIE - sizeof(tail)), 1);

	ck_assert_int_eq(dhcp_parse(buf, DHCP_BOOTP_MIN, &m), DHCP_P_OK);
	check_hdr(&m, &h);
	ck_assert_uint_eq(m.msgtype, DHCPACK);
}
END_TEST

START_TEST(test_build_order_end_pad)
{
	static const struct dhcp_hdr	h = { .op = BOOTREPLY, .htype = 1,
					    .hlen = 6 };
	const struct dhcp_out_opt	opts[] = {
		OUT(DHO_ROUTERS, 10, 20, 0, 1),
		OUT(DHO_SUBNET_MASK, 255, 255, 255, 0),
		OUT(DHO_MSG_TYPE, DHCPACK),
		{ 80, 0, NULL },
		OUT(DHO_HOST_NAME, 'x'),
	};
	static const uint8_t		want[] = {
		0x03, 0x04, 10, 20, 0, 1,	/* (3) Router: 10.20.0.1 */
		0x01, 0x04, 255, 255, 255, 0,	/* (1) Subnet Mask */
		0x35, 0x01, 0x05,		/* (53) ACK */
		0x50, 0x00,			/* (80) Rapid Commit */
		0x0c, 0x01, 'x',		/* (12) Host Name: x */
		0xff,				/* (255) End */
	};
	uint8_t				buf[576 - 28];
	uint8_t				big[100];
	struct dhcp_msg			m;
	unsigned			omitted = 99;
	size_t				len;

	memset(buf, 0xa5, sizeof(buf));
	ck_assert_int_eq(dhcp_build(&h, opts, NELEM(opts), buf, sizeof(buf),
	    &omitted), DHCP_BOOTP_MIN);
	ck_assert_uint_eq(omitted, 0);
	ck_assert_mem_eq(buf + AT_OPTIONS, want, sizeof(want));
	ck_assert_int_eq(all_zero(buf + AT_OPTIONS + sizeof(want),
	    DHCP_BOOTP_MIN - AT_OPTIONS - sizeof(want)), 1);
	ck_assert_int_eq(dhcp_parse(buf, DHCP_BOOTP_MIN, &m), DHCP_P_OK);
	ck_assert_ptr_nonnull(dhcp_opt_get(&m, 80, &len));
	ck_assert_uint_eq(len, 0);

	/* Past 300 bytes there is no padding: the message ends at END. */
	memset(big, 'b', sizeof(big));
	{
		const struct dhcp_out_opt	o = { DHO_VENDOR_ENCAP,
						    sizeof(big), big };

		ck_assert_int_eq(dhcp_build(&h, &o, 1, buf, sizeof(buf),
		    &omitted), AT_OPTIONS + 2 + 100 + 1);
	}
	ck_assert_uint_eq(buf[AT_OPTIONS + 2 + 100], DHO_END);
}
END_TEST

/*
 * 300 bytes leave 59 for the options field: the rest spills into file,
 * then sname, with 52 first in the options field and END in each area.
 */
START_TEST(test_build_overload)
{
	static const struct dhcp_hdr	h = { .op = BOOTREPLY, .htype = 1,
					    .hlen = 6, .xid = 7 };
	uint8_t				v60[30], v43[40], v67[100];
	const struct dhcp_out_opt	opts[] = {
		OUT(DHO_MSG_TYPE, DHCPOFFER),
		OUT(DHO_SERVER_ID, 192, 0, 2, 10),
		OUT(DHO_LEASE_TIME, 0x00, 0x01, 0x51, 0x80),
		{ DHO_VENDOR_CLASS, sizeof(v60), v60 },
		{ DHO_VENDOR_ENCAP, sizeof(v43), v43 },
		{ DHO_BOOTFILE, sizeof(v67), v67 },
		OUT_STR(DHO_HOST_NAME, "phone"),
	};
	static const uint8_t		order[] = { DHO_OVERLOAD,
					    DHO_MSG_TYPE, DHO_SERVER_ID,
					    DHO_LEASE_TIME, DHO_VENDOR_CLASS,
					    DHO_VENDOR_ENCAP, DHO_BOOTFILE,
					    DHO_HOST_NAME };
	uint8_t				buf[DHCP_BOOTP_MIN];
	uint8_t				codes[64], lens[64], seen[64];
	struct dhcp_msg			m;
	unsigned			omitted = 99;
	size_t				n = 0, nseen = 0;

	memset(v60, '6', sizeof(v60));
	memset(v43, '4', sizeof(v43));
	for (size_t i = 0; i < sizeof(v67); i++)
		v67[i] = (uint8_t)('a' + i % 26);
	ck_assert_int_eq(dhcp_build(&h, opts, NELEM(opts), buf, sizeof(buf),
	    &omitted), DHCP_BOOTP_MIN);
	ck_assert_uint_eq(omitted, 0);
	/* RFC 2131 4.1: 52 is the first option of the options field. */
	ck_assert_uint_eq(buf[AT_OPTIONS], DHO_OVERLOAD);
	ck_assert_uint_eq(buf[AT_OPTIONS + 1], 1);
	ck_assert_uint_eq(buf[AT_OPTIONS + 2], 3);
	/* Each area ends with END (RFC 2132 9.3), read options, file, sname. */
	ck_assert_uint_ne(walk_area(buf, AT_OPTIONS, DHCP_BOOTP_MIN -
	    AT_OPTIONS, codes, lens, &n), 0);
	ck_assert_uint_ne(walk_area(buf, AT_FILE, 128, codes, lens, &n), 0);
	ck_assert_uint_ne(walk_area(buf, AT_SNAME, 64, codes, lens, &n), 0);
	/* The options in the order given, a split one in adjacent parts. */
	for (size_t i = 0; i < n; i++)
		if (nseen == 0 || seen[nseen - 1] != codes[i])
			seen[nseen++] = codes[i];
	ck_assert_uint_eq(nseen, sizeof(order));
	ck_assert_mem_eq(seen, order, sizeof(order));

	/* parse(build(x)) == x */
	ck_assert_int_eq(dhcp_parse(buf, sizeof(buf), &m), DHCP_P_OK);
	ck_assert_uint_eq(m.overload, 3);
	ck_assert_int_eq(count_opts(&m), (int)NELEM(opts) + 1);
	for (size_t i = 0; i < NELEM(opts); i++)
		ASSERT_OPT_BYTES(&m, opts[i].code, opts[i].data, opts[i].len);
}
END_TEST

START_TEST(test_build_overload_file_only)
{
	static const struct dhcp_hdr	h = { .op = BOOTREPLY };
	uint8_t				v60[30], v43[40];
	const struct dhcp_out_opt	opts[] = {
		OUT(DHO_MSG_TYPE, DHCPOFFER),
		OUT(DHO_SERVER_ID, 192, 0, 2, 10),
		OUT(DHO_LEASE_TIME, 0x00, 0x01, 0x51, 0x80),
		{ DHO_VENDOR_CLASS, sizeof(v60), v60 },
		{ DHO_VENDOR_ENCAP, sizeof(v43), v43 },
		OUT_STR(DHO_HOST_NAME, "phone"),
	};
	uint8_t				buf[DHCP_BOOTP_MIN];
	uint8_t				codes[64], lens[64];
	struct dhcp_msg			m;
	unsigned			omitted = 99;
	size_t				n = 0;

	memset(v60, '6', sizeof(v60));
	memset(v43, '4', sizeof(v43));
	ck_assert_int_eq(dhcp_build(&h, opts, NELEM(opts), buf, sizeof(buf),
	    &omitted), DHCP_BOOTP_MIN);
	ck_assert_uint_eq(omitted, 0);
	ck_assert_mem_eq(buf + AT_OPTIONS, "\x34\x01\x01", 3);
	ck_assert_uint_ne(walk_area(buf, AT_FILE, 128, codes, lens, &n), 0);
	ck_assert_int_eq(all_zero(buf + AT_SNAME, 64), 1);
	ck_assert_int_eq(dhcp_parse(buf, sizeof(buf), &m), DHCP_P_OK);
	ck_assert_uint_eq(m.overload, 1);
	for (size_t i = 0; i < NELEM(opts); i++)
		ASSERT_OPT_BYTES(&m, opts[i].code, opts[i].data, opts[i].len);
}
END_TEST

/*
 * The edges of the decision: 59 bytes of options fit a 300-byte message
 * without overload, 60 do not; an area with 2 bytes left takes no part of
 * an option that has a value.
 */
START_TEST(test_build_overload_edges)
{
	static const struct dhcp_hdr	h = { .op = BOOTREPLY };
	uint8_t				v43[55], v60[49];
	uint8_t				codes[16], lens[16];
	uint8_t				buf[DHCP_BOOTP_MIN];
	struct dhcp_msg			m;
	unsigned			omitted = 99;
	size_t				n = 0;

	memset(v43, '4', sizeof(v43));
	memset(v60, '6', sizeof(v60));
	{
		/* 3 + 2 + 54 = 59: the options field, exactly. */
		const struct dhcp_out_opt	opts[] = {
			OUT(DHO_MSG_TYPE, DHCPACK),
			{ DHO_VENDOR_ENCAP, 54, v43 },
		};

		ck_assert_int_eq(dhcp_build(&h, opts, NELEM(opts), buf,
		    sizeof(buf), &omitted), DHCP_BOOTP_MIN);
		ck_assert_uint_eq(omitted, 0);
		ck_assert_mem_eq(buf + AT_OPTIONS, "\x35\x01\x05\x2b\x36", 5);
		ck_assert_uint_eq(buf[DHCP_BOOTP_MIN - 1], DHO_END);
		ck_assert_int_eq(all_zero(buf + AT_SNAME, 64 + 128), 1);
		ck_assert_int_eq(dhcp_parse(buf, sizeof(buf), &m), DHCP_P_OK);
		ck_assert_uint_eq(m.overload, 0);
		ASSERT_OPT_BYTES(&m, DHO_VENDOR_ENCAP, v43, 54);
	}
	{
		/* 3 + 2 + 55 = 60: one byte too many, so overload. */
		const struct dhcp_out_opt	opts[] = {
			OUT(DHO_MSG_TYPE, DHCPACK),
			{ DHO_VENDOR_ENCAP, 55, v43 },
		};

		ck_assert_int_eq(dhcp_build(&h, opts, NELEM(opts), buf,
		    sizeof(buf), &omitted), DHCP_BOOTP_MIN);
		ck_assert_uint_eq(omitted, 0);
		ck_assert_mem_eq(buf + AT_OPTIONS, "\x34\x01\x01", 3);
		ck_assert_int_eq(dhcp_parse(buf, sizeof(buf), &m), DHCP_P_OK);
		ck_assert_uint_eq(m.overload, 1);
		ASSERT_OPT_BYTES(&m, DHO_VENDOR_ENCAP, v43, 55);
	}
	{
		/* 52, 53 and 60 leave 2 bytes: 43 goes whole into file. */
		const struct dhcp_out_opt	opts[] = {
			OUT(DHO_MSG_TYPE, DHCPACK),
			{ DHO_VENDOR_CLASS, sizeof(v60), v60 },
			{ DHO_VENDOR_ENCAP, 40, v43 },
		};

		ck_assert_int_eq(dhcp_build(&h, opts, NELEM(opts), buf,
		    sizeof(buf), &omitted), DHCP_BOOTP_MIN);
		ck_assert_uint_eq(omitted, 0);
		ck_assert_uint_eq(walk_area(buf, AT_OPTIONS, DHCP_BOOTP_MIN -
		    AT_OPTIONS, codes, lens, &n), AT_OPTIONS + 3 + 3 + 51);
		ck_assert_uint_eq(n, 3);
		ck_assert_mem_eq(codes, "\x34\x35\x3c", 3);
		n = 0;
		ck_assert_uint_eq(walk_area(buf, AT_FILE, 128, codes, lens, &n),
		    AT_FILE + 42);
		ck_assert_uint_eq(n, 1);
		ck_assert_uint_eq(codes[0], DHO_VENDOR_ENCAP);
		ck_assert_uint_eq(lens[0], 40);
		ck_assert_int_eq(dhcp_parse(buf, sizeof(buf), &m), DHCP_P_OK);
		ck_assert_uint_eq(m.overload, 1);
		ASSERT_OPT_BYTES(&m, DHO_VENDOR_CLASS, v60, sizeof(v60));
		ASSERT_OPT_BYTES(&m, DHO_VENDOR_ENCAP, v43, 40);
	}
}
END_TEST

/* What cannot fit even with overload is left out; the rest is kept. */
START_TEST(test_build_omit)
{
	static const struct dhcp_hdr	h = { .op = BOOTREPLY };
	uint8_t				v43[400], v60[50], v67[100];
	const struct dhcp_out_opt	alone[] = {
		OUT(DHO_MSG_TYPE, DHCPACK),
		{ DHO_VENDOR_ENCAP, sizeof(v43), v43 },
		OUT(DHO_SERVER_ID, 192, 0, 2, 10),
	};
	const struct dhcp_out_opt	mixed[] = {
		OUT(DHO_MSG_TYPE, DHCPACK),
		{ DHO_VENDOR_CLASS, sizeof(v60), v60 },
		{ DHO_VENDOR_ENCAP, sizeof(v43), v43 },
		{ DHO_BOOTFILE, sizeof(v67), v67 },
	};
	static const uint8_t		want[] = {
		0x35, 0x01, 0x05,		/* (53) ACK */
		0x36, 0x04, 192, 0, 2, 10,	/* (54) 192.0.2.10 */
		0xff,
	};
	uint8_t				buf[DHCP_BOOTP_MIN];
	struct dhcp_msg			m;
	unsigned			omitted = 99;
	size_t				len;

	memset(v43, '4', sizeof(v43));
	memset(v60, '6', sizeof(v60));
	memset(v67, '7', sizeof(v67));

	ck_assert_int_eq(dhcp_build(&h, alone, NELEM(alone), buf,
	    sizeof(buf), &omitted), DHCP_BOOTP_MIN);
	ck_assert_uint_eq(omitted, 1);
	/* Nothing of it left behind in file or sname, no overload claimed. */
	ck_assert_int_eq(all_zero(buf + AT_SNAME, 64 + 128), 1);
	ck_assert_int_eq(dhcp_parse(buf, sizeof(buf), &m), DHCP_P_OK);
	ck_assert_uint_eq(m.overload, 0);
	ck_assert_int_eq(count_opts(&m), 2);
	ck_assert_uint_eq(m.msgtype, DHCPACK);
	ASSERT_IP(&m, DHO_SERVER_ID, IP(192, 0, 2, 10));
	ASSERT_NO_OPT(&m, DHO_VENDOR_ENCAP);
	/* Exactly 53 and 54 after at most the 3 bytes kept for 52. */
	for (len = AT_OPTIONS; len < AT_OPTIONS + 3 && buf[len] == DHO_PAD;
	    len++)
		;
	ck_assert_mem_eq(buf + len, want, sizeof(want));

	/* An option after the omitted one still goes into file. */
	ck_assert_int_eq(dhcp_build(&h, mixed, NELEM(mixed), buf,
	    sizeof(buf), &omitted), DHCP_BOOTP_MIN);
	ck_assert_uint_eq(omitted, 1);
	ck_assert_int_eq(dhcp_parse(buf, sizeof(buf), &m), DHCP_P_OK);
	ck_assert_uint_eq(m.overload & 1, 1);
	ck_assert_int_eq(count_opts(&m), 4);
	ASSERT_OPT_BYTES(&m, DHO_VENDOR_CLASS, v60, sizeof(v60));
	ASSERT_OPT_BYTES(&m, DHO_BOOTFILE, v67, sizeof(v67));
	ASSERT_NO_OPT(&m, DHO_VENDOR_ENCAP);
}
END_TEST

START_TEST(test_build_maxlen)
{
	static const struct dhcp_hdr	h = { .op = BOOTREPLY };
	const struct dhcp_out_opt	opts[] = {
		OUT(DHO_MSG_TYPE, DHCPACK),
	};
	uint8_t				buf[DHCP_BOOTP_MIN];
	unsigned			omitted = 99;

	ck_assert_int_eq(dhcp_build(&h, opts, 1, buf, DHCP_BOOTP_MIN - 1,
	    &omitted), -1);
	ck_assert_int_eq(dhcp_build(&h, opts, 1, buf, 0, &omitted), -1);
	ck_assert_int_eq(dhcp_build(&h, opts, 1, buf, DHCP_BOOTP_MIN,
	    &omitted), DHCP_BOOTP_MIN);
	ck_assert_uint_eq(omitted, 0);
}
END_TEST

/*
 * Option 82 (RFC 3046 2.2): the relay's bytes go back unchanged, as the
 * last option before END.
 */
START_TEST(test_relay_info_echo)
{
	static const struct dhcp_hdr	h = { .op = BOOTREPLY, .htype = 1,
					    .hlen = 6, .giaddr = IP(10, 20,
					    0, 1) };
	struct dhcp_msg			req, m;
	const uint8_t			*ri;
	size_t				rilen, endat;
	uint8_t				buf[576 - 28];
	unsigned			omitted = 99;
	int				len;

	PARSE_OK(relayed_request, &req);
	ck_assert_ptr_nonnull(ri = dhcp_opt_get(&req, DHO_RELAY_INFO,
	    &rilen));
	{
		const struct dhcp_out_opt	opts[] = {
			OUT(DHO_MSG_TYPE, DHCPOFFER),
			OUT(DHO_SERVER_ID, 192, 0, 2, 10),
			OUT(DHO_LEASE_TIME, 0x00, 0x01, 0x51, 0x80),
			OUT(DHO_SUBNET_MASK, 255, 255, 255, 0),
			{ DHO_RELAY_INFO, (uint16_t)rilen, ri },
		};

		len = dhcp_build(&h, opts, NELEM(opts), buf, sizeof(buf),
		    &omitted);
	}
	ck_assert_int_eq(len, DHCP_BOOTP_MIN);
	ck_assert_uint_eq(omitted, 0);
	endat = AT_OPTIONS + 3 + 6 + 6 + 6 + 2 + sizeof(relay_info);
	ck_assert_uint_eq(buf[endat], DHO_END);
	/* The same 20 bytes as in the request, where the relay put them. */
	ck_assert_mem_eq(buf + endat - 20, relayed_request +
	    sizeof(relayed_request) - 21, 20);
	ck_assert_uint_eq(buf[endat - 20], DHO_RELAY_INFO);
	ck_assert_uint_eq(buf[endat - 19], sizeof(relay_info));
	ck_assert_mem_eq(buf + endat - 18, relay_info, sizeof(relay_info));
	ck_assert_int_eq(dhcp_parse(buf, (size_t)len, &m), DHCP_P_OK);
	ASSERT_OPT_BYTES(&m, DHO_RELAY_INFO, relay_info, sizeof(relay_info));
}
END_TEST

/*
 * Malformed and hostile input.
 */

START_TEST(test_option_trunc)
{
	static const uint8_t	past_end[] = {
		0x35, 0x01, 0x01,
		0x0c, 0x10, 'a', 'b', 'c',	/* (12) says 16, has 3 */
	};
	static const uint8_t	no_len[] = {
		0x35, 0x01, 0x01,
		0x0c,				/* (12) and nothing more */
	};
	static const uint8_t	before_end[] = {
		0x35, 0x01, 0x01,
		0x0c, 0x05, 'a', 'b', 0xff,	/* (12) swallows END */
	};
	struct dhcp_msg		m;

	ck_assert_int_eq(parse_opts(past_end, sizeof(past_end), &m),
	    DHCP_P_OPTION_TRUNC);
	ck_assert_int_eq(parse_opts(no_len, sizeof(no_len), &m),
	    DHCP_P_OPTION_TRUNC);
	ck_assert_int_eq(parse_opts(before_end, sizeof(before_end), &m),
	    DHCP_P_OPTION_TRUNC);
}
END_TEST

START_TEST(test_no_end)
{
	static const uint8_t	pads[] = {
		0x35, 0x01, 0x01, 0x0c, 0x01, 'x', 0x00, 0x00, 0x00, 0x00,
	};
	struct dhcp_msg		m;

	ck_assert_int_eq(parse_opts(pads, sizeof(pads), &m), DHCP_P_NO_END);
	ck_assert_int_eq(parse_opts(pads, 6, &m), DHCP_P_NO_END);
	/* An empty options field has no END either. */
	ck_assert_int_eq(parse_opts(NULL, 0, &m), DHCP_P_NO_END);
}
END_TEST

START_TEST(test_bad_magic)
{
	uint8_t		buf[sizeof(yealink_discover)];
	struct dhcp_msg	m;

	memcpy(buf, yealink_discover, sizeof(buf));
	buf[AT_COOKIE + 3] = 0x64;
	ck_assert_int_eq(dhcp_parse(buf, sizeof(buf), &m), DHCP_P_MAGIC);
	/* A BOOTP vendor area of zeroes (RFC 1497 without the cookie). */
	memset(buf + AT_COOKIE, 0, 4);
	ck_assert_int_eq(dhcp_parse(buf, sizeof(buf), &m), DHCP_P_MAGIC);
	/* The cookie in the other byte order. */
	memcpy(buf + AT_COOKIE, "\x63\x53\x82\x63", 4);
	ck_assert_int_eq(dhcp_parse(buf, sizeof(buf), &m), DHCP_P_MAGIC);
}
END_TEST

START_TEST(test_hlen)
{
	static const uint8_t	hlens[] = { 17, 255 };
	uint8_t			buf[sizeof(yealink_discover)];
	struct dhcp_msg		m;

	memcpy(buf, yealink_discover, sizeof(buf));
	for (size_t i = 0; i < sizeof(hlens); i++) {
		buf[2] = hlens[i];
		ck_assert_int_eq(dhcp_parse(buf, sizeof(buf), &m),
		    DHCP_P_HLEN);
	}
	/* 16 is the whole chaddr; 0 is odd but the codec's to carry. */
	buf[2] = 16;
	ck_assert_int_eq(dhcp_parse(buf, sizeof(buf), &m), DHCP_P_OK);
	ck_assert_uint_eq(m.hlen, 16);
	buf[2] = 0;
	ck_assert_int_eq(dhcp_parse(buf, sizeof(buf), &m), DHCP_P_OK);
	ck_assert_uint_eq(m.hlen, 0);
	ck_assert_uint_eq(m.msgtype, DHCPDISCOVER);
}
END_TEST

/* Only DHCP_MAX_LEN bytes are read, whatever follows. */
START_TEST(test_overlong_input)
{
	size_t		 n = sizeof(yealink_discover) + 10000;
	uint8_t		*buf = malloc(n);
	struct dhcp_msg	 m;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, yealink_discover, sizeof(yealink_discover));
	for (size_t i = sizeof(yealink_discover); i < n; i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_P_OK);
	check_hdr(&m, &yealink_discover_hdr);
	ck_assert_uint_eq(m.msgtype, DHCPDISCOVER);
	ck_assert_int_eq(count_opts(&m), 6);
	ASSERT_OPT(&m, DHO_VENDOR_CLASS, "yealink");
	free(buf);
}
END_TEST

START_TEST(test_max_len_cut)
{
	static const uint8_t	disc[] = { 0x35, 0x01, 0x01 };
	size_t			n = DHCP_MAX_LEN + 100;
	uint8_t			*buf = calloc(1, n);
	struct dhcp_msg		m;

	ck_assert_ptr_nonnull(buf);
	mkpkt(buf, NULL, 0, NULL, 0, disc, sizeof(disc));
	/* PAD up to the last byte read, END there: accepted. */
	buf[DHCP_MAX_LEN - 1] = DHO_END;
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_P_OK);
	ck_assert_uint_eq(m.msgtype, DHCPDISCOVER);
	/* One byte further, END is past what is read. */
	buf[DHCP_MAX_LEN - 1] = DHO_PAD;
	buf[DHCP_MAX_LEN] = DHO_END;
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_P_NO_END);
	/* An option across the cut is truncated, though the bytes exist. */
	buf[DHCP_MAX_LEN - 4] = DHO_HOST_NAME;
	buf[DHCP_MAX_LEN - 3] = 4;
	memset(buf + DHCP_MAX_LEN - 2, 'h', 4);
	buf[DHCP_MAX_LEN + 2] = DHO_END;
	ck_assert_int_eq(dhcp_parse(buf, n, &m), DHCP_P_OPTION_TRUNC);
	free(buf);
}
END_TEST

static const struct bytes bad_len[] = {
	/* (1) Subnet Mask of 3 and 5 bytes */
	BYTES(0x35, 0x01, 0x01, 0x01, 0x03, 255, 255, 255, 0xff),
	BYTES(0x35, 0x01, 0x01, 0x01, 0x05, 255, 255, 255, 0, 0, 0xff),
	/* (50) Requested IP Address of 3 and 5 bytes */
	BYTES(0x35, 0x01, 0x03, 0x32, 0x03, 10, 20, 0, 0xff),
	BYTES(0x35, 0x01, 0x03, 0x32, 0x05, 10, 20, 0, 58, 0, 0xff),
	/* (51) IP Address Lease Time of 3 and 5 bytes */
	BYTES(0x35, 0x01, 0x03, 0x33, 0x03, 0x01, 0x51, 0x80, 0xff),
	BYTES(0x35, 0x01, 0x03, 0x33, 0x05, 0x00, 0x00, 0x01, 0x51, 0x80,
	    0xff),
	/* (54) DHCP Server Identifier of 3 and 5 bytes */
	BYTES(0x35, 0x01, 0x03, 0x36, 0x03, 192, 0, 2, 0xff),
	BYTES(0x35, 0x01, 0x03, 0x36, 0x05, 192, 0, 2, 10, 0, 0xff),
	/* (57) Maximum DHCP Message Size of 1 and 3 bytes */
	BYTES(0x35, 0x01, 0x01, 0x39, 0x01, 0x05, 0xff),
	BYTES(0x35, 0x01, 0x01, 0x39, 0x03, 0x05, 0xdc, 0x00, 0xff),
	/* (58) Renewal and (59) Rebinding Time of 2 and 8 bytes */
	BYTES(0x35, 0x01, 0x05, 0x3a, 0x02, 0xa8, 0xc0, 0xff),
	BYTES(0x35, 0x01, 0x05, 0x3b, 0x08, 0, 0, 0, 0, 0x00, 0x01, 0x27,
	    0x50, 0xff),
	/* (53) DHCP Message Type of 0 and 2 bytes */
	BYTES(0x35, 0x00, 0xff),
	BYTES(0x35, 0x02, 0x01, 0x01, 0xff),
};

START_TEST(test_bad_len)
{
	const struct bytes	*c = &bad_len[_i];
	struct dhcp_msg		 m;
	enum dhcp_perr		 e;

	e = parse_opts(c->b, c->len, &m);
	ck_assert_msg(e == DHCP_P_BAD_LEN, "case %d: %s", _i,
	    dhcp_perr_str(e));
}
END_TEST

/*
 * RFC 2132 9.14: client identifier is a type and at least one byte (ISC
 * CVE-2012-3571: "3d 00" looped), and no more than a minimum: RFC 3396
 * joins instances past 255 bytes (test_client_id_long).
 */
START_TEST(test_client_id_len)
{
	uint8_t		opts[3 + 2 + 255 + 1], val[255];
	struct dhcp_msg	m;

	for (size_t i = 0; i < sizeof(val); i++)
		val[i] = (uint8_t)(255 - i);
	opts[0] = DHO_MSG_TYPE;
	opts[1] = 1;
	opts[2] = DHCPDISCOVER;
	opts[3] = DHO_CLIENT_ID;

	opts[4] = 0;
	opts[5] = DHO_END;
	ck_assert_int_eq(parse_opts(opts, 6, &m), DHCP_P_CLIENT_ID);
	ck_assert_uint_eq(m.bad_opt, DHO_CLIENT_ID);
	ck_assert_uint_eq(m.bad_len, 0);
	opts[4] = 1;
	memcpy(opts + 5, val, 1);
	opts[6] = DHO_END;
	ck_assert_int_eq(parse_opts(opts, 7, &m), DHCP_P_CLIENT_ID);
	ck_assert_uint_eq(m.bad_opt, DHO_CLIENT_ID);
	ck_assert_uint_eq(m.bad_len, 1);
	opts[4] = 2;
	memcpy(opts + 5, val, 2);
	opts[7] = DHO_END;
	ck_assert_int_eq(parse_opts(opts, 8, &m), DHCP_P_OK);
	ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, val, 2);
	opts[4] = 255;
	memcpy(opts + 5, val, 255);
	opts[5 + 255] = DHO_END;
	ck_assert_int_eq(parse_opts(opts, 5 + 255 + 1, &m), DHCP_P_OK);
	ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, val, 255);
	/* Two empty instances join to nothing: still under 2 bytes. */
	{
		static const uint8_t	two_empty[] = {
			0x35, 0x01, 0x01, 0x3d, 0x00, 0x3d, 0x01, 0x01, 0xff,
		};

		ck_assert_int_eq(parse_opts(two_empty, sizeof(two_empty), &m),
		    DHCP_P_CLIENT_ID);
		ck_assert_uint_eq(m.bad_len, 1);
	}
}
END_TEST

/*
 * Appends value as instances of code of the sizes given (0-terminated) at
 * p; returns the bytes written.
 */
static size_t
put_split(uint8_t *p, uint8_t code, const uint8_t *value, const size_t *sizes)
{
	size_t	n = 0, done = 0;

	for (size_t i = 0; sizes[i] != 0; i++) {
		p[n++] = code;
		p[n++] = (uint8_t)sizes[i];
		memcpy(p + n, value + done, sizes[i]);
		n += sizes[i];
		done += sizes[i];
	}
	return n;
}

/*
 * RFC 3396: a client identifier longer than 255 bytes, in two and in three
 * instances, some among other options, one across the options field, file
 * and sname (RFC 2131 4.1 order), is one identifier of every byte sent;
 * and the server's RFC 6842 echo of it goes out split and comes back
 * whole.
 */
START_TEST(test_client_id_long)
{
	static const size_t	two[] = { 255, 45, 0 };
	static const size_t	three[] = { 255, 255, 90, 0 };
	static const size_t	spread[] = { 200, 100, 50, 0 };
	uint8_t			val[600], opts[700], buf[DHCP_MAX_LEN];
	uint8_t			file[128], sname[64];
	struct dhcp_msg		m;
	size_t			n, len;

	val[0] = 0;	/* type 0: not a hardware address */
	for (size_t i = 1; i < sizeof(val); i++)
		val[i] = (uint8_t)(i * 7 + 0xa5);

	/* 300 bytes: 255 + 45, a host name between the two. */
	n = 0;
	opts[n++] = DHO_MSG_TYPE;
	opts[n++] = 1;
	opts[n++] = DHCPDISCOVER;
	n += put_split(opts + n, DHO_CLIENT_ID, val, (const size_t[]){ 255,
	    0 });
	opts[n++] = DHO_HOST_NAME;
	opts[n++] = 2;
	opts[n++] = 'p';
	opts[n++] = 'c';
	n += put_split(opts + n, DHO_CLIENT_ID, val + 255,
	    (const size_t[]){ 45, 0 });
	opts[n++] = DHO_END;
	ck_assert_int_eq(parse_opts(opts, n, &m), DHCP_P_OK);
	ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, val, 300);
	ASSERT_OPT(&m, DHO_HOST_NAME, "pc");
	ck_assert_uint_eq(m.msgtype, DHCPDISCOVER);

	/* The same 300 bytes, one after the other. */
	n = 3 + put_split(opts + 3, DHO_CLIENT_ID, val, two);
	opts[n++] = DHO_END;
	ck_assert_int_eq(parse_opts(opts, n, &m), DHCP_P_OK);
	ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, val, 300);

	/* Two identifiers equal in their first 255 bytes are two. */
	{
		uint8_t other[300];

		memcpy(other, val, sizeof(other));
		other[299] ^= 0xff;
		n = 3 + put_split(opts + 3, DHO_CLIENT_ID, other, two);
		opts[n++] = DHO_END;
		ck_assert_int_eq(parse_opts(opts, n, &m), DHCP_P_OK);
		ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, other, 300);
	}

	/* 600 bytes: 255 + 255 + 90. */
	n = 3 + put_split(opts + 3, DHO_CLIENT_ID, val, three);
	opts[n++] = DHO_END;
	ck_assert_int_eq(parse_opts(opts, n, &m), DHCP_P_OK);
	ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, val, 600);

	/* 350 bytes: options field, then file, then sname (overload 3). */
	n = 0;
	opts[n++] = DHO_MSG_TYPE;
	opts[n++] = 1;
	opts[n++] = DHCPREQUEST;
	opts[n++] = DHO_OVERLOAD;
	opts[n++] = 1;
	opts[n++] = 3;
	n += put_split(opts + n, DHO_CLIENT_ID, val, (const size_t[]){
	    spread[0], 0 });
	opts[n++] = DHO_END;
	memset(file, 0, sizeof(file));
	memset(sname, 0, sizeof(sname));
	file[put_split(file, DHO_CLIENT_ID, val + 200, (const size_t[]){
	    spread[1], 0 })] = DHO_END;
	sname[put_split(sname, DHO_CLIENT_ID, val + 300, (const size_t[]){
	    spread[2], 0 })] = DHO_END;
	len = mkpkt(buf, sname, sizeof(sname), file, sizeof(file), opts, n);
	ck_assert_int_eq(dhcp_parse(buf, len, &m), DHCP_P_OK);
	ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, val, 350);
	ck_assert_uint_eq(m.overload, 3);

	/* The echo (RFC 6842): built split, read back whole. */
	{
		static const struct dhcp_hdr	h = { .op = BOOTREPLY,
						    .htype = 1, .hlen = 6 };
		const struct dhcp_out_opt	out[] = {
			OUT(DHO_MSG_TYPE, DHCPOFFER),
			OUT(DHO_SERVER_ID, 10, 42, 0, 1),
			{ DHO_CLIENT_ID, 300, val },
		};
		uint8_t				codes[8], lens[8];
		unsigned			omitted = 99;
		size_t				k = 0;
		int				blen;

		blen = dhcp_build(&h, out, NELEM(out), buf, 1500 - 28,
		    &omitted);
		ck_assert_int_gt(blen, 0);
		ck_assert_uint_eq(omitted, 0);
		ck_assert_uint_ne(walk_area(buf, AT_OPTIONS, (size_t)blen -
		    AT_OPTIONS, codes, lens, &k), 0);
		ck_assert_uint_eq(k, 4);
		ck_assert_uint_eq(codes[2], DHO_CLIENT_ID);
		ck_assert_uint_eq(lens[2], 255);
		ck_assert_uint_eq(codes[3], DHO_CLIENT_ID);
		ck_assert_uint_eq(lens[3], 45);
		ck_assert_int_eq(dhcp_parse(buf, (size_t)blen, &m), DHCP_P_OK);
		ASSERT_OPT_BYTES(&m, DHO_CLIENT_ID, val, 300);
	}
}
END_TEST

/* Asserts that sub-option code of m's Option 82 is want[0..wantlen). */
#define ASSERT_SUBOPT(m, code, want, wantlen) do {			\
	size_t		 l_ = 99;					\
	const uint8_t	*p_ = dhcp_relay_subopt((m), (code), &l_);	\
									\
	ck_assert_msg(p_ != NULL, "sub-option %d absent", (int)(code));	\
	ck_assert_uint_eq(l_, (wantlen));				\
	if ((wantlen) > 0)						\
		ck_assert_mem_eq(p_, (want), (wantlen));		\
} while (0)
#define ASSERT_NO_SUBOPT(m, code) do {					\
	size_t	l_ = 99;						\
									\
	ck_assert_msg(dhcp_relay_subopt((m), (code), &l_) == NULL,	\
	    "sub-option %d present", (int)(code));			\
	ck_assert_uint_eq(l_, 0);					\
} while (0)

/*
 * RFC 3046 2.0 sub-options: found in any order, the golden relayed
 * REQUEST's circuit and remote id, RFC 3527 link selection (5) and RFC
 * 5107 server identifier override (11); absent ones and a message without
 * Option 82 give NULL.
 */
START_TEST(test_relay_subopt)
{
	static const uint8_t	circuit[] = { 0x00, 0x04, 0x00, 0x14, 0x01,
				    0x07 };
	static const uint8_t	remote[] = { 0x00, 0x06, 0x00, 0x1a, 0x2b,
				    0x3c, 0x4d, 0x5e };
	static const uint8_t	opts[] = {
		0x35, 0x01, 0x03,
		/*
		 * Option: (82) Agent Information Option, length 20
		 *     Suboption: (11) Server ID Override: 10.99.0.1
		 *     Suboption: (1) Agent Circuit ID: 657468302e3130
		 *         ("eth0.10")
		 *     Suboption: (5) Link selection: 10.43.0.0
		 */
		0x52, 0x15,
		0x0b, 0x04, 10, 99, 0, 1,
		0x01, 0x07, 'e', 't', 'h', '0', '.', '1', '0',
		0x05, 0x04, 10, 43, 0, 0,
		0xff,
	};
	static const uint8_t	eth[] = "eth0.10";
	static const uint8_t	link[] = { 10, 43, 0, 0 };
	static const uint8_t	over[] = { 10, 99, 0, 1 };
	struct dhcp_msg		m;

	PARSE_OK(relayed_request, &m);
	ASSERT_SUBOPT(&m, DHCP_RAI_CIRCUIT_ID, circuit, sizeof(circuit));
	ASSERT_SUBOPT(&m, DHCP_RAI_REMOTE_ID, remote, sizeof(remote));
	ASSERT_NO_SUBOPT(&m, DHCP_RAI_LINK_SELECTION);
	ASSERT_NO_SUBOPT(&m, DHCP_RAI_SERVER_OVERRIDE);
	ASSERT_NO_SUBOPT(&m, 0);
	ASSERT_NO_SUBOPT(&m, 255);

	PARSE_OK(yealink_discover, &m);
	ASSERT_NO_SUBOPT(&m, DHCP_RAI_CIRCUIT_ID);
	ASSERT_NO_SUBOPT(&m, DHCP_RAI_LINK_SELECTION);

	ck_assert_int_eq(parse_opts(opts, sizeof(opts), &m), DHCP_P_OK);
	ASSERT_SUBOPT(&m, DHCP_RAI_CIRCUIT_ID, eth, sizeof(eth) - 1);
	ASSERT_SUBOPT(&m, DHCP_RAI_LINK_SELECTION, link, sizeof(link));
	ASSERT_SUBOPT(&m, DHCP_RAI_SERVER_OVERRIDE, over, sizeof(over));
	ASSERT_NO_SUBOPT(&m, DHCP_RAI_REMOTE_ID);
	/* The pointer is into the option's value as the parse left it. */
	{
		const uint8_t	*o, *p;
		size_t		 olen, plen;

		o = dhcp_opt_get(&m, DHO_RELAY_INFO, &olen);
		p = dhcp_relay_subopt(&m, DHCP_RAI_LINK_SELECTION, &plen);
		ck_assert_ptr_nonnull(o);
		ck_assert_ptr_eq(p, o + 17);
		ck_assert_uint_eq(olen, 21);
	}
}
END_TEST

/*
 * RFC 3046 2.0: "A sub-option length may be zero": an empty sub-option is
 * present (not NULL, length 0), wherever it stands; a code sent twice
 * gives the first; RFC 3396: an Option 82 split in two instances is read
 * whole, a sub-option across the seam included.
 */
START_TEST(test_relay_subopt_edges)
{
	static const uint8_t	empty_first[] = {
		0x35, 0x01, 0x01,
		0x52, 0x08,
		0x01, 0x00,			/* (1) empty */
		0x05, 0x04, 10, 43, 0, 0,	/* (5) 10.43.0.0 */
		0xff,
	};
	static const uint8_t	empty_last[] = {
		0x35, 0x01, 0x01,
		0x52, 0x08,
		0x05, 0x04, 10, 43, 0, 0,
		0x0b, 0x00,			/* (11) empty, at the end */
		0xff,
	};
	static const uint8_t	only_empty[] = {
		0x35, 0x01, 0x01, 0x52, 0x02, 0x02, 0x00, 0xff,
	};
	static const uint8_t	twice[] = {
		0x35, 0x01, 0x01,
		0x52, 0x08,
		0x01, 0x01, 'a',
		0x02, 0x00,
		0x01, 0x01, 'b',
		0xff,
	};
	static const uint8_t	split[] = {
		0x35, 0x01, 0x01,
		0x52, 0x05,
		0x01, 0x02, 'c', 'd',
		0x05,				/* (5) starts here ... */
		0x0c, 0x02, 'p', 'c',		/* (12) between the two */
		0x52, 0x05,
		0x04, 10, 43, 0, 0,		/* ... and ends here */
		0xff,
	};
	static const uint8_t	link[] = { 10, 43, 0, 0 };
	struct dhcp_msg		m;

	ck_assert_int_eq(parse_opts(empty_first, sizeof(empty_first), &m),
	    DHCP_P_OK);
	ASSERT_SUBOPT(&m, DHCP_RAI_CIRCUIT_ID, NULL, 0);
	ASSERT_SUBOPT(&m, DHCP_RAI_LINK_SELECTION, link, sizeof(link));
	ck_assert_int_eq(parse_opts(empty_last, sizeof(empty_last), &m),
	    DHCP_P_OK);
	ASSERT_SUBOPT(&m, DHCP_RAI_SERVER_OVERRIDE, NULL, 0);
	ASSERT_SUBOPT(&m, DHCP_RAI_LINK_SELECTION, link, sizeof(link));
	ck_assert_int_eq(parse_opts(only_empty, sizeof(only_empty), &m),
	    DHCP_P_OK);
	ASSERT_SUBOPT(&m, DHCP_RAI_REMOTE_ID, NULL, 0);
	ASSERT_NO_SUBOPT(&m, DHCP_RAI_CIRCUIT_ID);
	ck_assert_int_eq(parse_opts(twice, sizeof(twice), &m), DHCP_P_OK);
	ASSERT_SUBOPT(&m, DHCP_RAI_CIRCUIT_ID, "a", 1);
	ASSERT_SUBOPT(&m, DHCP_RAI_REMOTE_ID, NULL, 0);
	ck_assert_int_eq(parse_opts(split, sizeof(split), &m), DHCP_P_OK);
	ASSERT_SUBOPT(&m, DHCP_RAI_CIRCUIT_ID, "cd", 2);
	ASSERT_SUBOPT(&m, DHCP_RAI_LINK_SELECTION, link, sizeof(link));
	ASSERT_OPT(&m, DHO_HOST_NAME, "pc");
}
END_TEST

/*
 * Sub-options that do not add up (one runs past the option's end, or
 * only a code is left; RFC 3046 2.0). From a client (giaddr 0) the message
 * parses and Option 82 is kept byte for byte for the echo, but none of
 * its sub-options is believed, not even those before the bad one. In a
 * relayed message the server would have to read them (RFC 3527 3: the
 * relay assumes it does), so the message is refused, naming option 82
 * (ISC CVE-2021-25217 came from a server that trusted such lengths).
 */
static const struct bytes bad_relay[] = {
	/* circuit id says 16 bytes and has 1; remote id overruns 82 */
	BYTES(0x01, 0x10, 'x', 0x02, 0x20, 'y'),
	/* good link selection, then a circuit id running 1 byte past */
	BYTES(0x05, 0x04, 10, 43, 0, 0, 0x01, 0x03, 'a', 'b'),
	/* good link selection, then a lone code */
	BYTES(0x05, 0x04, 10, 43, 0, 0, 0x0b),
	/* a code alone: shorter than RFC 3046 2.0's minimum of 2 */
	BYTES(0x01),
	/* good override, then a link selection cut to 3 of its 4 bytes */
	BYTES(0x0b, 0x04, 10, 99, 0, 1, 0x05, 0x04, 10, 43, 0),
};

/* Parses options as mkpkt() lays them out, relayed: giaddr 10.43.0.1. */
static enum dhcp_perr
parse_relayed(const uint8_t *opts, size_t optslen, struct dhcp_msg *m)
{
	static const uint8_t	giaddr[] = { 10, 43, 0, 1 };
	uint8_t			buf[DHCP_MAX_LEN];
	size_t			len;

	ck_assert_uint_le(optslen, sizeof(buf) - DHCP_MIN_LEN);
	len = mkpkt(buf, NULL, 0, NULL, 0, opts, optslen);
	memcpy(buf + 24, giaddr, sizeof(giaddr));
	buf[3] = 1;	/* hops */
	return dhcp_parse(buf, len, m);
}

START_TEST(test_relay_subopt_truncated)
{
	const struct bytes	*b = &bad_relay[_i];
	uint8_t			 opts[3 + 2 + 24 + 1];
	struct dhcp_msg		 m;
	size_t			 n = 0;

	opts[n++] = DHO_MSG_TYPE;
	opts[n++] = 1;
	opts[n++] = DHCPDISCOVER;
	opts[n++] = DHO_RELAY_INFO;
	opts[n++] = (uint8_t)b->len;
	memcpy(opts + n, b->b, b->len);
	n += b->len;
	opts[n++] = DHO_END;
	ck_assert_int_eq(parse_opts(opts, n, &m), DHCP_P_OK);
	ASSERT_OPT_BYTES(&m, DHO_RELAY_INFO, b->b, b->len);
	for (int code = 0; code < 256; code++)
		ASSERT_NO_SUBOPT(&m, (uint8_t)code);

	ck_assert_int_eq(parse_relayed(opts, n, &m), DHCP_P_RELAY_INFO);
	ck_assert_uint_eq(m.giaddr, IP(10, 43, 0, 1));
	ck_assert_uint_eq(m.bad_opt, DHO_RELAY_INFO);
	ck_assert_uint_eq(m.bad_len, b->len);
}
END_TEST

/*
 * Well-formed sub-options in a relayed message parse, also when Option 82
 * comes in two instances (RFC 3396) and a sub-option is empty.
 */
START_TEST(test_relay_subopt_relayed_ok)
{
	static const uint8_t	opts[] = {
		0x35, 0x01, 0x01,
		0x52, 0x03, 0x01, 0x01, 'p',	/* (1) "p", part 1 */
		0x52, 0x06, 0x0b, 0x04, 10, 43, 0, 1,	/* (11), part 2 */
		0x52, 0x02, 0x02, 0x00,		/* (2) empty, part 3 */
		0xff,
	};
	static const uint8_t	over[] = { 10, 43, 0, 1 };
	struct dhcp_msg		m;

	ck_assert_int_eq(parse_relayed(opts, sizeof(opts), &m), DHCP_P_OK);
	ASSERT_SUBOPT(&m, DHCP_RAI_CIRCUIT_ID, "p", 1);
	ASSERT_SUBOPT(&m, DHCP_RAI_SERVER_OVERRIDE, over, sizeof(over));
	ASSERT_SUBOPT(&m, DHCP_RAI_REMOTE_ID, NULL, 0);
	ASSERT_NO_SUBOPT(&m, DHCP_RAI_LINK_SELECTION);
}
END_TEST

/*
 * An empty Option 82 (below RFC 3046's minimum of 2): no sub-option from
 * a client; refused from a relay.
 */
START_TEST(test_relay_subopt_empty_option)
{
	static const uint8_t	opts[] = { 0x35, 0x01, 0x01, 0x52, 0x00,
				    0xff };
	struct dhcp_msg		m;

	ck_assert_int_eq(parse_opts(opts, sizeof(opts), &m), DHCP_P_OK);
	ASSERT_OPT_BYTES(&m, DHO_RELAY_INFO, NULL, 0);
	ASSERT_NO_SUBOPT(&m, DHCP_RAI_CIRCUIT_ID);
	ASSERT_NO_SUBOPT(&m, 0);
	ck_assert_int_eq(parse_relayed(opts, sizeof(opts), &m),
	    DHCP_P_RELAY_INFO);
	ck_assert_uint_eq(m.bad_opt, DHO_RELAY_INFO);
	ck_assert_uint_eq(m.bad_len, 0);
	/* Relayed without Option 82 at all: nothing to judge. */
	{
		static const uint8_t	none[] = { 0x35, 0x01, 0x01, 0xff };

		ck_assert_int_eq(parse_relayed(none, sizeof(none), &m),
		    DHCP_P_OK);
		ASSERT_NO_SUBOPT(&m, DHCP_RAI_CIRCUIT_ID);
	}
}
END_TEST

/* A refusal names the option it is about, for the log; OK clears it. */
START_TEST(test_bad_opt)
{
	static const uint8_t	lease3[] = {
		0x35, 0x01, 0x01,
		0x33, 0x03, 0x00, 0x0e, 0x10,	/* (51) of 3 bytes */
		0xff,
	};
	static const uint8_t	vc_trunc[] = {
		0x35, 0x01, 0x01,
		0x3c, 0xc8, 'y', 'e', 'a',	/* (60) says 200, has 3 */
	};
	static const uint8_t	good[] = { 0x35, 0x01, 0x01, 0xff };
	struct dhcp_msg		m;

	ck_assert_int_eq(parse_opts(lease3, sizeof(lease3), &m),
	    DHCP_P_BAD_LEN);
	ck_assert_uint_eq(m.bad_opt, DHO_LEASE_TIME);
	ck_assert_uint_eq(m.bad_len, 3);
	ck_assert_int_eq(parse_opts(vc_trunc, sizeof(vc_trunc), &m),
	    DHCP_P_OPTION_TRUNC);
	ck_assert_uint_eq(m.bad_opt, DHO_VENDOR_CLASS);
	ck_assert_uint_eq(m.bad_len, 200);
	ck_assert_int_eq(parse_opts(good, sizeof(good), &m), DHCP_P_OK);
	ck_assert_uint_eq(m.bad_opt, 0);
	ck_assert_uint_eq(m.bad_len, 0);
}
END_TEST

START_TEST(test_msgtype)
{
	static const uint8_t	nine[] = { 0x35, 0x01, 0x09, 0xff };
	static const uint8_t	ten[] = { 0x35, 0x01, 0x0a, 0xff };
	static const uint8_t	eighteen[] = { 0x35, 0x01, 0x12, 0xff };
	static const uint8_t	nineteen[] = { 0x35, 0x01, 0x13, 0xff };
	static const uint8_t	zero[] = { 0x35, 0x01, 0x00, 0xff };
	static const uint8_t	eight[] = { 0x35, 0x01, 0x08, 0xff };
	static const uint8_t	bootp[] = {
		0x0c, 0x02, 'p', 'c',	/* (12) Host Name, no (53) */
		0xff,
	};
	struct dhcp_msg		m;

	/*
	 * The types registered after RFC 2132 (9 FORCERENEW, RFC 3203; 10
	 * LEASEQUERY, RFC 4388; ... 18 TLS, RFC 7724) are well-formed: the
	 * server counts them as unsupported, not as malformed. 0 and the
	 * unregistered ones are malformed.
	 */
	ck_assert_int_eq(parse_opts(nine, sizeof(nine), &m), DHCP_P_OK);
	ck_assert_uint_eq(m.msgtype, DHCPFORCERENEW);
	ck_assert_int_eq(parse_opts(ten, sizeof(ten), &m), DHCP_P_OK);
	ck_assert_uint_eq(m.msgtype, DHCPLEASEQUERY);
	ck_assert_int_eq(parse_opts(eighteen, sizeof(eighteen), &m),
	    DHCP_P_OK);
	ck_assert_uint_eq(m.msgtype, DHCPTLS);
	ck_assert_int_eq(parse_opts(nineteen, sizeof(nineteen), &m),
	    DHCP_P_MSGTYPE);
	ck_assert_int_eq(parse_opts(zero, sizeof(zero), &m), DHCP_P_MSGTYPE);
	ck_assert_int_eq(parse_opts(eight, sizeof(eight), &m), DHCP_P_OK);
	ck_assert_uint_eq(m.msgtype, DHCPINFORM);
	/* A BOOTP request, or a second parse into a used struct. */
	ck_assert_int_eq(parse_opts(bootp, sizeof(bootp), &m), DHCP_P_OK);
	ck_assert_uint_eq(m.msgtype, 0);
	ASSERT_NO_OPT(&m, DHO_MSG_TYPE);
	ASSERT_OPT(&m, DHO_HOST_NAME, "pc");
}
END_TEST

START_TEST(test_opt_accessors)
{
	struct dhcp_msg	m;
	uint32_t	u32 = 7;
	uint16_t	u16 = 7;

	PARSE_OK(relayed_request, &m);
	/* Absent, or present with another length: -1, out untouched. */
	ck_assert_int_eq(dhcp_opt_ip(&m, DHO_ROUTERS, &u32), -1);
	ck_assert_int_eq(dhcp_opt_ip(&m, DHO_VENDOR_CLASS, &u32), -1);
	ck_assert_int_eq(dhcp_opt_u32(&m, DHO_MAX_MSG_SIZE, &u32), -1);
	ck_assert_uint_eq(u32, 7);
	ck_assert_int_eq(dhcp_opt_u16(&m, DHO_SERVER_ID, &u16), -1);
	ck_assert_int_eq(dhcp_opt_u16(&m, DHO_T1, &u16), -1);
	ck_assert_uint_eq(u16, 7);
	ASSERT_NO_OPT(&m, DHO_PAD);
	ASSERT_NO_OPT(&m, DHO_END);
}
END_TEST

START_TEST(test_strings)
{
	ck_assert_str_eq(dhcp_msgtype_str(DHCPDISCOVER), "DHCPDISCOVER");
	ck_assert_str_eq(dhcp_msgtype_str(DHCPNAK), "DHCPNAK");
	ck_assert_str_eq(dhcp_msgtype_str(DHCPINFORM), "DHCPINFORM");
	ck_assert_str_eq(dhcp_msgtype_str(0), "DHCPUNKNOWN");
	ck_assert_str_eq(dhcp_msgtype_str(9), "DHCPFORCERENEW");
	ck_assert_str_eq(dhcp_msgtype_str(DHCPLEASEQUERY), "DHCPLEASEQUERY");
	ck_assert_str_eq(dhcp_msgtype_str(18), "DHCPTLS");
	ck_assert_str_eq(dhcp_msgtype_str(19), "DHCPUNKNOWN");
	ck_assert_str_eq(dhcp_msgtype_str(-1), "DHCPUNKNOWN");
	ck_assert_str_eq(dhcp_msgtype_str(256), "DHCPUNKNOWN");

	ck_assert_str_eq(dhcp_perr_str(DHCP_P_OK), "ok");
	ck_assert_str_eq(dhcp_perr_str(DHCP_P_HLEN),
	    "hardware address length above 16");
	ck_assert_str_eq(dhcp_perr_str(DHCP_P_MSGTYPE),
	    "unknown message type");
	ck_assert_str_eq(dhcp_perr_str(DHCP_P_CLIENT_ID),
	    "client identifier under 2 bytes");
	ck_assert_str_eq(dhcp_perr_str(DHCP_P_RELAY_INFO),
	    "relayed with malformed relay agent information (82)");
	ck_assert_str_eq(dhcp_perr_str(DHCP_P_COUNT), "unknown");
	ck_assert_str_eq(dhcp_perr_str((enum dhcp_perr)-1), "unknown");
	for (int e = 0; e < DHCP_P_COUNT; e++) {
		ck_assert_ptr_nonnull(dhcp_perr_str((enum dhcp_perr)e));
		ck_assert_str_ne(dhcp_perr_str((enum dhcp_perr)e), "unknown");
	}
}
END_TEST

/*
 * Two options of a wrong length: the lowest code is named, wherever it
 * stands; and values whose codes come in no order read back right.
 */
START_TEST(test_bad_len_lowest_named)
{
	static const uint8_t	 bad[] = {
		0x35, 0x01, 0x01,		/* (53) DHCPDISCOVER */
		0x39, 0x03, 0x05, 0xdc, 0x00,	/* (57) 3 bytes: wrong */
		0x33, 0x03, 0x01, 0x51, 0x80,	/* (51) 3 bytes: wrong */
		0xff,
	};
	static const uint8_t	 good[] = {
		0x3d, 0x03, 0x01, 0xaa, 0xbb,	/* (61) client id */
		0x0c, 0x02, 'p', '1',		/* (12) host name */
		0x35, 0x01, 0x03,		/* (53) DHCPREQUEST */
		0x0c, 0x01, '2',		/* (12) again: joined */
		0x32, 0x04, 10, 0, 0, 7,	/* (50) 10.0.0.7 */
		0xff,
	};
	struct dhcp_msg	 m;
	const uint8_t	*p;
	size_t		 len;
	uint32_t	 ip;

	ck_assert_int_eq(parse_opts(bad, sizeof(bad), &m), DHCP_P_BAD_LEN);
	ck_assert_uint_eq(m.bad_opt, 51);
	ck_assert_uint_eq(m.bad_len, 3);

	ck_assert_int_eq(parse_opts(good, sizeof(good), &m), DHCP_P_OK);
	ck_assert_uint_eq(m.msgtype, DHCPREQUEST);
	ck_assert_ptr_nonnull(p = dhcp_opt_get(&m, DHO_HOST_NAME, &len));
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(p, "p12", 3);
	ck_assert_ptr_nonnull(p = dhcp_opt_get(&m, DHO_CLIENT_ID, &len));
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(p, "\x01\xaa\xbb", 3);
	ck_assert_int_eq(dhcp_opt_ip(&m, DHO_REQUESTED_ADDR, &ip), 0);
	ck_assert_uint_eq(ip, IP(10, 0, 0, 7));
	ck_assert_ptr_null(dhcp_opt_get(&m, DHO_SERVER_ID, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(m.optlen, 3 + 3 + 1 + 4);
}
END_TEST

/*
 * net.c's batch sending (these belong in a check_net of their own once
 * the build has one). A stand-in for sendmmsg(2) that behaves as the
 * kernel does: it sends up to `per_call` messages and stops at the first
 * one scripted to fail, returning -1 only when that one is first.
 */
static struct {
	int	 fail_errno[16];	/* per message index, 0: sends */
	int	 eintr_once;
	unsigned per_call;
	int	 sent[16];		/* how often each was sent */
	int	 calls;
	int	 zero;			/* return 0: a broken kernel */
} fake;

static int
fake_sendmmsg(int fd, struct mmsghdr *mm, unsigned n, int flags)
{
	unsigned	k;

	(void)fd;
	(void)flags;
	fake.calls++;
	if (fake.zero)
		return 0;
	if (fake.eintr_once) {
		fake.eintr_once = 0;
		errno = EINTR;
		return -1;
	}
	for (k = 0; k < n && k < fake.per_call; k++) {
		/* The message's index rides in its length. */
		size_t i = mm[k].msg_hdr.msg_iov[0].iov_len;

		if (fake.fail_errno[i] != 0) {
			if (k == 0) {
				errno = fake.fail_errno[i];
				return -1;
			}
			break;
		}
		fake.sent[i]++;
		mm[k].msg_len = (unsigned)i;
	}
	return (int)k;
}

static void
fake_msgs(struct mmsghdr *mm, struct iovec *iov, size_t n)
{
	memset(mm, 0, n * sizeof(*mm));
	for (size_t i = 0; i < n; i++) {
		iov[i].iov_base = NULL;
		iov[i].iov_len = i;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
}

START_TEST(test_sendmmsg_partial)
{
	struct mmsghdr	mm[12];
	struct iovec	iov[12];
	int		err[12];

	memset(&fake, 0, sizeof(fake));
	fake.per_call = 4;
	fake.eintr_once = 1;
	fake.fail_errno[2] = EAGAIN;
	fake.fail_errno[3] = EPERM;
	fake.fail_errno[11] = ENOBUFS;
	fake_msgs(mm, iov, 12);
	memset(err, 0xff, sizeof(err));
	ck_assert_uint_eq(net_sendmmsg_all(3, mm, 12, err, fake_sendmmsg), 3);
	for (int i = 0; i < 12; i++) {
		int want = fake.fail_errno[i];

		ck_assert_msg(err[i] == want, "message %d: err %d, not %d", i,
		    err[i], want);
		ck_assert_int_eq(fake.sent[i], want == 0 ? 1 : 0);
	}
	/* EINTR, [0 1], [2] fails, [3] fails, [4-7], [8-10], [11] fails. */
	ck_assert_int_eq(fake.calls, 7);
}
END_TEST

START_TEST(test_sendmmsg_all_at_once)
{
	struct mmsghdr	mm[12];
	struct iovec	iov[12];
	int		err[12];

	memset(&fake, 0, sizeof(fake));
	fake.per_call = 64;
	fake_msgs(mm, iov, 12);
	ck_assert_uint_eq(net_sendmmsg_all(3, mm, 12, err, fake_sendmmsg), 0);
	ck_assert_int_eq(fake.calls, 1);
	for (int i = 0; i < 12; i++)
		ck_assert_int_eq(err[i], 0);
	/* A call that sends nothing and reports nothing ends, failing all. */
	memset(&fake, 0, sizeof(fake));
	fake.zero = 1;
	ck_assert_uint_eq(net_sendmmsg_all(3, mm, 12, err, fake_sendmmsg), 12);
	ck_assert_int_eq(fake.calls, 12);
	ck_assert_int_eq(err[5], EIO);
}
END_TEST

/* The one's complement sum of p, folded; 0xffff over a valid header. */
static uint16_t
ones_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

START_TEST(test_frame_udp)
{
	uint8_t		frame[NET_HDR_ROOM + 301], pseudo[12];
	size_t		len;

	for (size_t i = 0; i < 301; i++)
		frame[NET_HDR_ROOM + i] = (uint8_t)(i * 7);
	len = net_frame_udp(frame, 301, IP(10, 42, 0, 1), IP(10, 42, 0, 100));
	ck_assert_uint_eq(len, NET_HDR_ROOM + 301);
	/* IPv4: version 4, 20 bytes, total length, UDP, the addresses. */
	ck_assert_uint_eq(frame[0], 0x45);
	ck_assert_uint_eq(frame[2] << 8 | frame[3], 20 + 8 + 301);
	ck_assert_uint_eq(frame[9], 17);
	ck_assert_mem_eq(frame + 12, "\x0a\x2a\x00\x01\x0a\x2a\x00\x64", 8);
	ck_assert_uint_eq(ones_sum(frame, 20, 0), 0xffff);
	/* UDP 67 -> 68, length, checksum over the pseudo-header. */
	ck_assert_uint_eq(frame[20] << 8 | frame[21], 67);
	ck_assert_uint_eq(frame[22] << 8 | frame[23], 68);
	ck_assert_uint_eq(frame[24] << 8 | frame[25], 8 + 301);
	memcpy(pseudo, frame + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 17;
	pseudo[10] = (uint8_t)((8 + 301) >> 8);
	pseudo[11] = (uint8_t)(8 + 301);
	ck_assert_uint_eq(ones_sum(frame + 20, 8 + 301,
	    ones_sum(pseudo, 12, 0)), 0xffff);
	/* The payload is where it was. */
	for (size_t i = 0; i < 301; i++)
		ck_assert_uint_eq(frame[NET_HDR_ROOM + i], (uint8_t)(i * 7));
}
END_TEST

/*
 * A batch through real sockets on the loopback: the UDP replies arrive
 * in order, one too long and one for a packet socket that is not there
 * fail on their own, and every message says how it went.
 */
START_TEST(test_send_batch)
{
	struct iface		ifc;
	struct sockaddr_in	sin;
	socklen_t		slen = sizeof(sin);
	struct net_msg		msgs[5];
	uint8_t			frames[5][NET_HDR_ROOM + 16], got[64];
	int			fd;

	ck_assert_int_ge(fd = socket(AF_INET, SOCK_DGRAM, 0), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	memset(&ifc, 0, sizeof(ifc));
	ifc.udp_fd = fd;
	ifc.raw_fd = -1;
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < 5; i++) {
		memset(frames[i], 'a' + i, sizeof(frames[i]));
		msgs[i].frame = frames[i];
		msgs[i].len = 16;
		msgs[i].ip = INADDR_LOOPBACK;
		msgs[i].port = ntohs(sin.sin_port);
		msgs[i].err = -1;
	}
	msgs[1].hw = 1;			/* no packet socket */
	msgs[3].len = DHCP_MAX_LEN + 1;	/* too long */
	ck_assert_uint_eq(net_send_batch(&ifc, msgs, 5), 2);
	ck_assert_int_eq(msgs[0].err, 0);
	ck_assert_int_eq(msgs[1].err, EBADF);
	ck_assert_int_eq(msgs[2].err, 0);
	ck_assert_int_eq(msgs[3].err, EMSGSIZE);
	ck_assert_int_eq(msgs[4].err, 0);
	for (int i = 0; i < 5; i += 2) {
		ck_assert_int_eq(recv(fd, got, sizeof(got), MSG_DONTWAIT), 16);
		ck_assert_uint_eq(got[0], 'a' + i);
	}
	ck_assert_int_eq(recv(fd, got, sizeof(got), MSG_DONTWAIT), -1);
	close(fd);
}
END_TEST

static Suite *
packet_suite(void)
{
	Suite	*s = suite_create("packet");
	TCase	*tc;

	tc = tcase_create("golden");
	tcase_add_test(tc, test_golden_yealink_discover);
	tcase_add_test(tc, test_golden_cisco_discover);
	tcase_add_test(tc, test_golden_polycom_discover);
	tcase_add_test(tc, test_golden_offer);
	tcase_add_test(tc, test_golden_relayed_request);
	tcase_add_test(tc, test_golden_decline);
	tcase_add_test(tc, test_golden_ack);
	tcase_add_test(tc, test_golden_nak);
	tcase_add_test(tc, test_golden_release);
	tcase_add_test(tc, test_golden_inform);
	tcase_add_loop_test(tc, test_golden_prefixes, 0, NELEM(goldens));
	suite_add_tcase(s, tc);

	tc = tcase_create("overload");
	tcase_add_test(tc, test_overload_file);
	tcase_add_test(tc, test_overload_sname);
	tcase_add_test(tc, test_overload_both);
	tcase_add_test(tc, test_overload_in_areas_ignored);
	tcase_add_loop_test(tc, test_overload_malformed, 0,
	    NELEM(bad_overload));
	tcase_add_test(tc, test_overload_area_trunc);
	suite_add_tcase(s, tc);

	tc = tcase_create("rfc3396");
	tcase_add_test(tc, test_concat_options_field);
	tcase_add_test(tc, test_concat_into_file);
	tcase_add_test(tc, test_build_long_option);
	tcase_add_test(tc, test_build_split_sizes);
	tcase_add_test(tc, test_client_id_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("build");
	tcase_add_test(tc, test_build_header);
	tcase_add_test(tc, test_build_order_end_pad);
	tcase_add_test(tc, test_build_overload);
	tcase_add_test(tc, test_build_overload_file_only);
	tcase_add_test(tc, test_build_overload_edges);
	tcase_add_test(tc, test_build_omit);
	tcase_add_test(tc, test_build_maxlen);
	tcase_add_test(tc, test_relay_info_echo);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_test(tc, test_option_trunc);
	tcase_add_test(tc, test_no_end);
	tcase_add_test(tc, test_bad_magic);
	tcase_add_test(tc, test_hlen);
	tcase_add_test(tc, test_overlong_input);
	tcase_add_test(tc, test_max_len_cut);
	tcase_add_loop_test(tc, test_bad_len, 0, NELEM(bad_len));
	tcase_add_test(tc, test_client_id_len);
	tcase_add_test(tc, test_bad_opt);
	tcase_add_test(tc, test_msgtype);
	tcase_add_test(tc, test_opt_accessors);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_bad_len_lowest_named);
	suite_add_tcase(s, tc);

	tc = tcase_create("rfc3046");
	tcase_add_test(tc, test_relay_subopt);
	tcase_add_test(tc, test_relay_subopt_edges);
	tcase_add_loop_test(tc, test_relay_subopt_truncated, 0,
	    NELEM(bad_relay));
	tcase_add_test(tc, test_relay_subopt_relayed_ok);
	tcase_add_test(tc, test_relay_subopt_empty_option);
	suite_add_tcase(s, tc);

	tc = tcase_create("net");
	tcase_add_test(tc, test_sendmmsg_partial);
	tcase_add_test(tc, test_sendmmsg_all_at_once);
	tcase_add_test(tc, test_frame_udp);
	tcase_add_test(tc, test_send_batch);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(packet_suite());
}
