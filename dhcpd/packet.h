/*
 * packet.h - the DHCPv4 wire codec: BOOTP/DHCP messages to a struct and
 * back, with no I/O and no globals, so it can be fuzzed.
 *
 * Parsing follows RFC 2131/2132 with option overload (52) into file and
 * sname, and RFC 3396: an option that appears several times is one option
 * whose value is the concatenation of the instances, in the order options
 * field, file, sname. Every read goes through the bounds-checked cursor.
 *
 * Building writes options in the order given, splits values longer than
 * 255 bytes into several instances (RFC 3396), spills into file and sname
 * through option 52 when the options field is full, and pads the message to
 * the 300 bytes BOOTP relays expect (RFC 1542).
 */
#ifndef PB_PACKET_H
#define PB_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68
#define DHCP_FIXED_LEN		236	/* op .. file */
#define DHCP_MAGIC		0x63825363u
#define DHCP_MIN_LEN		(DHCP_FIXED_LEN + 4)
#define DHCP_BOOTP_MIN		300	/* replies are padded to this */
#define DHCP_MIN_MAX_SIZE	576	/* RFC 2132 9.10: the least a client
					 * must accept, IP and UDP included */
#define DHCP_MAX_LEN		4096	/* what we read at most */
#define DHCP_OPTBUF		DHCP_MAX_LEN

#define BOOTREQUEST		1
#define BOOTREPLY		2
#define DHCP_FLAG_BROADCAST	0x8000

enum dhcp_msgtype {
	DHCPDISCOVER = 1,
	DHCPOFFER,
	DHCPREQUEST,
	DHCPDECLINE,
	DHCPACK,
	DHCPNAK,
	DHCPRELEASE,
	DHCPINFORM,
	/*
	 * Registered later (IANA "DHCP Message Type 53 Values"): parsed so
	 * that they are counted as what they are, not as malformed; none is
	 * served (server.c).
	 */
	DHCPFORCERENEW,		/* RFC 3203, server to client */
	DHCPLEASEQUERY,		/* RFC 4388 */
	DHCPLEASEUNASSIGNED,	/* RFC 4388, server to requestor */
	DHCPLEASEUNKNOWN,	/* RFC 4388, server to requestor */
	DHCPLEASEACTIVE,	/* RFC 4388, server to requestor */
	DHCPBULKLEASEQUERY,	/* RFC 6926 */
	DHCPLEASEQUERYDONE,	/* RFC 6926, server to requestor */
	DHCPACTIVELEASEQUERY,	/* RFC 7724 */
	DHCPLEASEQUERYSTATUS,	/* RFC 7724, server to requestor */
	DHCPTLS,		/* RFC 7724 */
	DHCP_MSGTYPE_MAX = DHCPTLS
};
const char	*dhcp_msgtype_str(int type);

/* Option codes the codec and server look at. */
enum {
	DHO_PAD = 0,
	DHO_SUBNET_MASK = 1,
	DHO_ROUTERS = 3,
	DHO_DNS = 6,
	DHO_HOST_NAME = 12,
	DHO_DOMAIN_NAME = 15,
	DHO_VENDOR_ENCAP = 43,
	DHO_REQUESTED_ADDR = 50,
	DHO_LEASE_TIME = 51,
	DHO_OVERLOAD = 52,
	DHO_MSG_TYPE = 53,
	DHO_SERVER_ID = 54,
	DHO_PARAM_REQ = 55,
	DHO_MESSAGE = 56,
	DHO_MAX_MSG_SIZE = 57,
	DHO_T1 = 58,
	DHO_T2 = 59,
	DHO_VENDOR_CLASS = 60,
	DHO_CLIENT_ID = 61,
	DHO_TFTP_SERVER = 66,
	DHO_BOOTFILE = 67,
	DHO_FQDN = 81,
	DHO_RELAY_INFO = 82,
	DHO_END = 255,
};

/* Where one option's (concatenated) value lies in dhcp_msg.optbuf. */
struct dhcp_opt {
	uint16_t	 off;
	uint16_t	 len;
	uint8_t		 present;
};

struct dhcp_msg {
	uint8_t		 op;
	uint8_t		 htype;
	uint8_t		 hlen;
	uint8_t		 hops;
	uint32_t	 xid;
	uint16_t	 secs;
	uint16_t	 flags;
	uint32_t	 ciaddr;	/* addresses in host order */
	uint32_t	 yiaddr;
	uint32_t	 siaddr;
	uint32_t	 giaddr;
	uint8_t		 chaddr[16];
	uint8_t		 sname[64];	/* as received (may hold options) */
	uint8_t		 file[128];
	uint8_t		 overload;	/* option 52, 0 if absent */
	uint8_t		 msgtype;	/* option 53, 0 if absent (BOOTP) */
	uint8_t		 bad_opt;	/* the option a DHCP_P_OPTION_TRUNC,
					 * DHCP_P_BAD_LEN, DHCP_P_CLIENT_ID
					 * or DHCP_P_RELAY_INFO refusal is
					 * about */
	uint16_t	 bad_len;	/* its (concatenated) length */
	struct dhcp_opt	 opt[256];
	uint8_t		 optbuf[DHCP_OPTBUF];
	size_t		 optlen;
};

/* Why a message was refused, for counters and rate-limited logs. */
enum dhcp_perr {
	DHCP_P_OK = 0,
	DHCP_P_SHORT,		/* shorter than the fixed header + cookie */
	DHCP_P_MAGIC,		/* no DHCP magic cookie */
	DHCP_P_HLEN,		/* hlen above 16 */
	DHCP_P_OPTION_TRUNC,	/* an option runs past the end of its area */
	DHCP_P_NO_END,		/* the options field has no END */
	DHCP_P_OVERLOAD,	/* option 52 malformed */
	DHCP_P_BAD_LEN,		/* a fixed-size option with the wrong length */
	DHCP_P_MSGTYPE,		/* option 53 is 0 or unregistered */
	DHCP_P_CLIENT_ID,	/* option 61 under 2 bytes */
	DHCP_P_RELAY_INFO,	/* relayed, and option 82's sub-options do
				 * not add up */
	DHCP_P_COUNT
};
const char	*dhcp_perr_str(enum dhcp_perr err);

/*
 * Parses buf[0..len) into m. Returns DHCP_P_OK or why it was refused; m is
 * only meaningful on DHCP_P_OK, but for the header fields (when the refusal
 * comes after them) and bad_opt/bad_len, which name the option of a
 * DHCP_P_OPTION_TRUNC, DHCP_P_BAD_LEN, DHCP_P_CLIENT_ID or
 * DHCP_P_RELAY_INFO for the log. Input longer than DHCP_MAX_LEN is read
 * only up to that length.
 *
 * A client identifier (61) may be of any length from 2 bytes up to what
 * the datagram holds (RFC 2132 9.14 sets a minimum only; RFC 3396 joins
 * instances past 255). In a relayed message (giaddr set) Option 82 must be
 * sub-options that end where it ends (RFC 3046 2.0), else DHCP_P_RELAY_INFO;
 * in a message from a client it is opaque bytes, taken as they are.
 */
enum dhcp_perr	 dhcp_parse(const uint8_t *buf, size_t len, struct dhcp_msg *m);

/* The value of option code, or NULL (and *len 0) if absent. */
const uint8_t	*dhcp_opt_get(const struct dhcp_msg *m, uint8_t code,
		    size_t *len);
/* Option value as an address / u16; 0 and -1 if absent. */
int		 dhcp_opt_ip(const struct dhcp_msg *m, uint8_t code,
		    uint32_t *out);
int		 dhcp_opt_u16(const struct dhcp_msg *m, uint8_t code,
		    uint16_t *out);
int		 dhcp_opt_u32(const struct dhcp_msg *m, uint8_t code,
		    uint32_t *out);

/* Option 82 sub-options the server reads (RFC 3046 2.0). */
#define DHCP_RAI_CIRCUIT_ID		1	/* RFC 3046 2.1.1 */
#define DHCP_RAI_REMOTE_ID		2	/* RFC 3046 2.1.2 */
#define DHCP_RAI_LINK_SELECTION		5	/* RFC 3527 */
#define DHCP_RAI_SERVER_OVERRIDE	11	/* RFC 5107 */

/*
 * The value of sub-option code in the message's Option 82 (the first one
 * if a relay sent the code twice), or NULL (and *len 0) when Option 82 or
 * the sub-option is absent, or when the sub-option TLVs are malformed
 * (one runs past the option's end: then none of them is believed; a
 * relayed message with such an Option 82 does not parse). A sub-option may
 * be empty (RFC 3046 2.0): then the result is not NULL and *len is 0, so a
 * caller checks the length it needs (4 for 5 and 11). Borrowed from m.
 */
const uint8_t	*dhcp_relay_subopt(const struct dhcp_msg *m, uint8_t code,
		    size_t *len);

/* One option to build: code and value (any length; split when > 255). */
struct dhcp_out_opt {
	uint8_t		 code;
	uint16_t	 len;
	const uint8_t	*data;
};

/* The header of a message to build; addresses in host order. */
struct dhcp_hdr {
	uint8_t		 op;
	uint8_t		 htype;
	uint8_t		 hlen;
	uint8_t		 hops;
	uint32_t	 xid;
	uint16_t	 secs;
	uint16_t	 flags;
	uint32_t	 ciaddr;
	uint32_t	 yiaddr;
	uint32_t	 siaddr;
	uint32_t	 giaddr;
	uint8_t		 chaddr[16];
};

/*
 * Builds a message into buf of at most maxlen bytes (maxlen >= 300).
 * Options go in the order given; an option that does not fit whole, even
 * with overload, is left out and counted in *omitted. Returns the message
 * length, or -1 if maxlen is too small for the header.
 */
int	dhcp_build(const struct dhcp_hdr *h, const struct dhcp_out_opt *opts,
	    size_t nopts, uint8_t *buf, size_t maxlen, unsigned *omitted);

#endif /* PB_PACKET_H */
