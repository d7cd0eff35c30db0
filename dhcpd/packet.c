/*
 * packet.c - the DHCPv4 wire codec (RFC 2131, RFC 2132, RFC 3396), and the
 * sub-options of relay agent information (RFC 3046).
 */
#include "config.h"

#include <string.h>

#include "packet.h"
#include "wire.h"

#define SNAME_OFF	44
#define SNAME_LEN	64
#define FILE_OFF	108
#define FILE_LEN	128
#define OPTIONS_OFF	DHCP_MIN_LEN
#define MAX_INSTANCES	(DHCP_MAX_LEN / 2)

static const char *const msgtype_names[] = {
	"DHCPUNKNOWN", "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST",
	"DHCPDECLINE", "DHCPACK", "DHCPNAK", "DHCPRELEASE", "DHCPINFORM",
	"DHCPFORCERENEW", "DHCPLEASEQUERY", "DHCPLEASEUNASSIGNED",
	"DHCPLEASEUNKNOWN", "DHCPLEASEACTIVE", "DHCPBULKLEASEQUERY",
	"DHCPLEASEQUERYDONE", "DHCPACTIVELEASEQUERY", "DHCPLEASEQUERYSTATUS",
	"DHCPTLS",
};

_Static_assert(sizeof(msgtype_names) / sizeof(msgtype_names[0]) ==
    DHCP_MSGTYPE_MAX + 1, "a name for every message type");

const char *
dhcp_msgtype_str(int type)
{
	if (type < DHCPDISCOVER || type > DHCP_MSGTYPE_MAX)
		return msgtype_names[0];
	return msgtype_names[type];
}

static const char *const perr_names[DHCP_P_COUNT] = {
	[DHCP_P_OK] = "ok",
	[DHCP_P_SHORT] = "shorter than a DHCP header",
	[DHCP_P_MAGIC] = "no DHCP magic cookie",
	[DHCP_P_HLEN] = "hardware address length above 16",
	[DHCP_P_OPTION_TRUNC] = "an option runs past the end",
	[DHCP_P_NO_END] = "no END option",
	[DHCP_P_OVERLOAD] = "malformed option overload (52)",
	[DHCP_P_BAD_LEN] = "a fixed-size option with the wrong length",
	[DHCP_P_MSGTYPE] = "unknown message type",
	[DHCP_P_CLIENT_ID] = "client identifier under 2 bytes",
	[DHCP_P_RELAY_INFO] = "relayed with malformed relay agent "
	    "information (82)",
};

const char *
dhcp_perr_str(enum dhcp_perr err)
{
	if ((unsigned)err >= DHCP_P_COUNT)
		return "unknown";
	return perr_names[err];
}

/* One option instance as found in the packet, before concatenation. */
struct instance {
	uint16_t	 off;	/* of the value, in the input buffer */
	uint8_t		 code;
	uint8_t		 len;
};

/*
 * Collects the option instances of buf[start..end). Stops at END. Returns
 * DHCP_P_OK, DHCP_P_OPTION_TRUNC (naming the option in m->bad_opt), or
 * DHCP_P_NO_END when require_end is set and the area has none.
 */
static enum dhcp_perr
scan_area(const uint8_t *buf, size_t start, size_t end, int require_end,
    struct instance *inst, size_t *ninst, struct dhcp_msg *m)
{
	struct wire	w;

	wire_init(&w, buf + start, end - start);
	while (w.rem > 0) {
		uint8_t code = wire_read_u8(&w);
		uint8_t len;

		if (code == DHO_PAD)
			continue;
		if (code == DHO_END)
			return DHCP_P_OK;
		len = wire_read_u8(&w);
		if (w.err || w.rem < len) {
			m->bad_opt = code;
			m->bad_len = len;
			return DHCP_P_OPTION_TRUNC;
		}
		if (*ninst >= MAX_INSTANCES)	/* cannot happen: >= 2 bytes each */
			return DHCP_P_OPTION_TRUNC;
		inst[*ninst].off = (uint16_t)(w.p - buf);
		inst[*ninst].code = code;
		inst[*ninst].len = len;
		(*ninst)++;
		wire_skip(&w, len);
	}
	return require_end ? DHCP_P_NO_END : DHCP_P_OK;
}

/*
 * RFC 3046 2.0: Option 82 is a sequence of SubOpt/Len/Value tuples, with
 * no pad and no end sub-option; a sub-option may be empty. Walks them with
 * the cursor and finds the first of code when found is not NULL. Returns
 * 0, or -1 when one runs past the option's end.
 */
static int
relay_walk(const uint8_t *p, size_t len, uint8_t code, const uint8_t **found,
    size_t *flen)
{
	struct wire	w;

	wire_init(&w, p, len);
	while (w.rem > 0) {
		uint8_t	sub = wire_read_u8(&w);
		uint8_t	sublen = wire_read_u8(&w);

		if (w.err || w.rem < sublen)
			return -1;
		if (found != NULL && *found == NULL && sub == code) {
			*found = w.p;
			*flen = sublen;
		}
		wire_skip(&w, sublen);
	}
	return 0;
}

/* Fixed lengths of the options the server relies on (RFC 2132). */
static int
fixed_len_ok(uint8_t code, size_t len)
{
	switch (code) {
	case DHO_SUBNET_MASK:
	case DHO_REQUESTED_ADDR:
	case DHO_LEASE_TIME:
	case DHO_SERVER_ID:
	case DHO_T1:
	case DHO_T2:
		return len == 4;
	case DHO_MSG_TYPE:
	case DHO_OVERLOAD:
		return len == 1;
	case DHO_MAX_MSG_SIZE:
		return len == 2;
	default:
		return 1;
	}
}

enum dhcp_perr
dhcp_parse(const uint8_t *buf, size_t len, struct dhcp_msg *m)
{
	struct instance	 inst[MAX_INSTANCES];
	size_t		 ninst = 0, nmain, total = 0;
	uint16_t	 start[256];	/* set for the codes present */
	uint8_t		 bad = 0;
	struct wire	 w;
	enum dhcp_perr	 e;

	if (len > DHCP_MAX_LEN)
		len = DHCP_MAX_LEN;
	if (len < DHCP_MIN_LEN)
		return DHCP_P_SHORT;
	memset(m->opt, 0, sizeof(m->opt));
	m->optlen = 0;
	m->overload = 0;
	m->msgtype = 0;
	m->bad_opt = 0;
	m->bad_len = 0;

	wire_init(&w, buf, len);
	m->op = wire_read_u8(&w);
	m->htype = wire_read_u8(&w);
	m->hlen = wire_read_u8(&w);
	m->hops = wire_read_u8(&w);
	m->xid = wire_read_u32(&w);
	m->secs = wire_read_u16(&w);
	m->flags = wire_read_u16(&w);
	m->ciaddr = wire_read_u32(&w);
	m->yiaddr = wire_read_u32(&w);
	m->siaddr = wire_read_u32(&w);
	m->giaddr = wire_read_u32(&w);
	wire_read(&w, m->chaddr, sizeof(m->chaddr));
	wire_read(&w, m->sname, sizeof(m->sname));
	wire_read(&w, m->file, sizeof(m->file));
	if (wire_read_u32(&w) != DHCP_MAGIC)
		return DHCP_P_MAGIC;
	/* dnsmasq CVE-2021-45956 came from trusting hlen. */
	if (m->hlen > sizeof(m->chaddr))
		return DHCP_P_HLEN;

	if ((e = scan_area(buf, OPTIONS_OFF, len, 1, inst, &ninst, m)) !=
	    DHCP_P_OK)
		return e;
	nmain = ninst;
	/* RFC 2131 4.1: option 52 only counts in the options field. */
	for (size_t i = 0; i < nmain; i++) {
		if (inst[i].code != DHO_OVERLOAD)
			continue;
		if (inst[i].len != 1 || m->overload != 0 ||
		    buf[inst[i].off] < 1 || buf[inst[i].off] > 3)
			return DHCP_P_OVERLOAD;
		m->overload = buf[inst[i].off];
	}
	if ((m->overload & 1) && (e = scan_area(buf, FILE_OFF, FILE_OFF +
	    FILE_LEN, 0, inst, &ninst, m)) != DHCP_P_OK)
		return e;
	if ((m->overload & 2) && (e = scan_area(buf, SNAME_OFF, SNAME_OFF +
	    SNAME_LEN, 0, inst, &ninst, m)) != DHCP_P_OK)
		return e;

	/*
	 * RFC 3396: concatenate the instances of each code, in order. The
	 * loops run over the instances, not over all 256 codes: a value
	 * lies in optbuf in the order its code first appears.
	 */
	for (size_t i = 0; i < ninst; i++) {
		if (inst[i].code == DHO_OVERLOAD && i >= nmain)
			continue;
		m->opt[inst[i].code].len += inst[i].len;
		m->opt[inst[i].code].present = 1;
	}
	for (size_t i = 0; i < ninst; i++) {
		struct dhcp_opt	*o = &m->opt[inst[i].code];

		if ((inst[i].code == DHO_OVERLOAD && i >= nmain) ||
		    o->present == 2)
			continue;
		o->present = 2;		/* placed; 1 again below */
		o->off = (uint16_t)total;
		start[inst[i].code] = (uint16_t)total;
		total += o->len;
		/* The lowest code of a wrong length is the one named. */
		if (!fixed_len_ok(inst[i].code, o->len) && (bad == 0 ||
		    inst[i].code < bad))
			bad = inst[i].code;
	}
	for (size_t i = 0; i < ninst; i++) {
		if (inst[i].code == DHO_OVERLOAD && i >= nmain)
			continue;
		m->opt[inst[i].code].present = 1;
		memcpy(m->optbuf + start[inst[i].code], buf + inst[i].off,
		    inst[i].len);
		start[inst[i].code] += inst[i].len;
	}
	m->optlen = total;

	if (bad != 0) {
		m->bad_opt = bad;
		m->bad_len = m->opt[bad].len;
		return DHCP_P_BAD_LEN;
	}
	/*
	 * RFC 2132 9.14: a type and at least one byte (ISC CVE-2012-3571:
	 * an empty one made dhcpd loop), and no maximum: RFC 3396 joins
	 * instances past 255 bytes, up to what the datagram holds. The
	 * server keys a long one by its digest (dhcp_client_key()), never by
	 * a cut of it: two clients cut to the same bytes would be one.
	 */
	if (m->opt[DHO_CLIENT_ID].present && m->opt[DHO_CLIENT_ID].len < 2) {
		m->bad_opt = DHO_CLIENT_ID;
		m->bad_len = m->opt[DHO_CLIENT_ID].len;
		return DHCP_P_CLIENT_ID;
	}
	/*
	 * RFC 3046 2.0: a relay's Option 82 is at least one sub-option (2
	 * bytes), and its sub-options end where it ends. The server takes
	 * the subnet (RFC 3527 3), its own identifier (RFC 5107) and the
	 * relay a client counts against (circuit-id) from them, and a relay
	 * that sends link selection "MUST assume that the server ...
	 * supports" it (RFC 3527 3): a relayed message whose sub-options
	 * cannot be read is refused whole, not served on giaddr's subnet,
	 * which may be another link. From a client (giaddr 0) the option is
	 * not read, only echoed (RFC 3046 2.0), so it is not judged.
	 */
	if (m->giaddr != 0 && m->opt[DHO_RELAY_INFO].present &&
	    (m->opt[DHO_RELAY_INFO].len < 2 || relay_walk(m->optbuf +
	    m->opt[DHO_RELAY_INFO].off, m->opt[DHO_RELAY_INFO].len, 0, NULL,
	    NULL) != 0)) {
		m->bad_opt = DHO_RELAY_INFO;
		m->bad_len = m->opt[DHO_RELAY_INFO].len;
		return DHCP_P_RELAY_INFO;
	}
	if (m->opt[DHO_MSG_TYPE].present) {
		m->msgtype = m->optbuf[m->opt[DHO_MSG_TYPE].off];
		/*
		 * A registered type the server does not serve (RFC 4388
		 * LEASEQUERY, ...) is well-formed: the server counts it as
		 * unsupported. Only an unregistered one is malformed.
		 */
		if (m->msgtype < DHCPDISCOVER ||
		    m->msgtype > DHCP_MSGTYPE_MAX)
			return DHCP_P_MSGTYPE;
	}
	return DHCP_P_OK;
}

const uint8_t *
dhcp_opt_get(const struct dhcp_msg *m, uint8_t code, size_t *len)
{
	if (!m->opt[code].present) {
		*len = 0;
		return NULL;
	}
	*len = m->opt[code].len;
	return m->optbuf + m->opt[code].off;
}

int
dhcp_opt_ip(const struct dhcp_msg *m, uint8_t code, uint32_t *out)
{
	const uint8_t	*p;
	size_t		 len;
	struct wire	 w;

	if ((p = dhcp_opt_get(m, code, &len)) == NULL || len != 4)
		return -1;
	wire_init(&w, p, len);
	*out = wire_read_u32(&w);
	return 0;
}

int
dhcp_opt_u32(const struct dhcp_msg *m, uint8_t code, uint32_t *out)
{
	return dhcp_opt_ip(m, code, out);
}

int
dhcp_opt_u16(const struct dhcp_msg *m, uint8_t code, uint16_t *out)
{
	const uint8_t	*p;
	size_t		 len;
	struct wire	 w;

	if ((p = dhcp_opt_get(m, code, &len)) == NULL || len != 2)
		return -1;
	wire_init(&w, p, len);
	*out = wire_read_u16(&w);
	return 0;
}

/*
 * The sub-options are read from the whole (RFC 3396 concatenated) option;
 * when one runs past the end, none of them is believed, not even those
 * before it (dhcp_parse() has refused such a relayed message already).
 */
const uint8_t *
dhcp_relay_subopt(const struct dhcp_msg *m, uint8_t code, size_t *len)
{
	const uint8_t	*p, *found = NULL;
	size_t		 olen, flen = 0;

	*len = 0;
	if ((p = dhcp_opt_get(m, DHO_RELAY_INFO, &olen)) == NULL ||
	    relay_walk(p, olen, code, &found, &flen) != 0 || found == NULL)
		return NULL;
	*len = flen;
	return found;
}

/* An area of the message that options may fill: [pos, end) before END. */
struct area {
	size_t	 pos;
	size_t	 end;	/* one byte before the area's end: room for END */
	int	 used;
};

static size_t
encoded_size(size_t len)
{
	size_t n = len == 0 ? 1 : (len + 254) / 255;

	return 2 * n + len;
}

/*
 * Places one option, split into instances of at most 255 bytes, across the
 * areas from *cur on. Returns 0, or -1 if it does not fit (nothing placed).
 */
static int
place(uint8_t *buf, struct area *areas, size_t nareas, size_t *cur,
    const struct dhcp_out_opt *o)
{
	struct area	 saved[3];
	size_t		 savedcur = *cur, left = o->len, done = 0;

	memcpy(saved, areas, nareas * sizeof(*areas));
	do {
		struct area	*a;
		size_t		 room, chunk;

		while (*cur < nareas && areas[*cur].end - areas[*cur].pos <
		    (left > 0 ? 3u : 2u))
			(*cur)++;
		if (*cur >= nareas)
			goto rollback;
		a = &areas[*cur];
		room = a->end - a->pos - 2;
		chunk = left < room ? left : room;
		if (chunk > 255)
			chunk = 255;
		buf[a->pos] = o->code;
		buf[a->pos + 1] = (uint8_t)chunk;
		if (chunk > 0)
			memcpy(buf + a->pos + 2, o->data + done, chunk);
		a->pos += 2 + chunk;
		a->used = 1;
		done += chunk;
		left -= chunk;
	} while (left > 0);
	return 0;
rollback:
	for (size_t i = 0; i < nareas; i++)
		memset(buf + saved[i].pos, 0, areas[i].pos - saved[i].pos);
	memcpy(areas, saved, nareas * sizeof(*areas));
	*cur = savedcur;
	return -1;
}

int
dhcp_build(const struct dhcp_hdr *h, const struct dhcp_out_opt *opts,
    size_t nopts, uint8_t *buf, size_t maxlen, unsigned *omitted)
{
	struct area	 areas[3];
	size_t		 nareas = 1, cur = 0, need = 0, len;
	struct wire	 w;
	int		 overload = 0;

	*omitted = 0;
	if (maxlen < DHCP_BOOTP_MIN)
		return -1;
	memset(buf, 0, maxlen);
	wire_init(&w, buf, maxlen);
	wire_write_u8(&w, h->op);
	wire_write_u8(&w, h->htype);
	wire_write_u8(&w, h->hlen);
	wire_write_u8(&w, h->hops);
	wire_write_u32(&w, h->xid);
	wire_write_u16(&w, h->secs);
	wire_write_u16(&w, h->flags);
	wire_write_u32(&w, h->ciaddr);
	wire_write_u32(&w, h->yiaddr);
	wire_write_u32(&w, h->siaddr);
	wire_write_u32(&w, h->giaddr);
	wire_write(&w, h->chaddr, sizeof(h->chaddr));
	wire_skip(&w, SNAME_LEN + FILE_LEN);
	wire_write_u32(&w, DHCP_MAGIC);

	for (size_t i = 0; i < nopts; i++)
		need += encoded_size(opts[i].len);
	areas[0].pos = OPTIONS_OFF;
	areas[0].end = maxlen - 1;
	areas[0].used = 0;
	if (need > areas[0].end - areas[0].pos) {
		/* RFC 2131 4.1: option 52 first, then file, then sname. */
		overload = 1;
		areas[0].pos += 3;
		areas[1] = (struct area){ FILE_OFF, FILE_OFF + FILE_LEN - 1, 0 };
		areas[2] = (struct area){ SNAME_OFF, SNAME_OFF + SNAME_LEN - 1,
		    0 };
		nareas = 3;
	}
	for (size_t i = 0; i < nopts; i++)
		if (place(buf, areas, nareas, &cur, &opts[i]) != 0)
			(*omitted)++;
	if (overload) {
		uint8_t v = (uint8_t)((areas[1].used ? 1 : 0) |
		    (areas[2].used ? 2 : 0));

		if (v != 0) {
			buf[OPTIONS_OFF] = DHO_OVERLOAD;
			buf[OPTIONS_OFF + 1] = 1;
			buf[OPTIONS_OFF + 2] = v;
		} else {
			/* Nothing spilt after all: pad where 52 would be. */
			memset(buf + OPTIONS_OFF, DHO_PAD, 3);
		}
		for (size_t i = 1; i < 3; i++)
			if (areas[i].used)
				buf[areas[i].pos] = DHO_END;
	}
	buf[areas[0].pos] = DHO_END;
	len = areas[0].pos + 1;
	return (int)(len < DHCP_BOOTP_MIN ? DHCP_BOOTP_MIN : len);
}
