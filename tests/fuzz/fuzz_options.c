/*
 * fuzz_options.c - the option encoder: parse -> build -> parse is stable.
 *
 * Every option of a message that parses is handed back to the builder
 * (values of any length: RFC 3396 splitting, option overload into file and
 * sname when the options field is full) and the result parsed again. Every
 * option must come back with the same value, byte for byte, and the header
 * unchanged; building the parsed-back message again gives the same bytes.
 *
 * Option 52 is the builder's own (it writes it when it overloads), so it
 * is neither passed in nor compared; 0 and 255 never appear as options.
 * The builder may leave an option out only when the input used nearly the
 * whole message: it then counts it, and exactly that many are missing.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"

#include "packet.h"

/* What the builder can place without overload: options field, no END. */
#define PLAIN_ROOM	(DHCP_MAX_LEN - DHCP_MIN_LEN - 1)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

static void
hdr_of(const struct dhcp_msg *m, struct dhcp_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->op = m->op;
	h->htype = m->htype;
	h->hlen = m->hlen;
	h->hops = m->hops;
	h->xid = m->xid;
	h->secs = m->secs;
	h->flags = m->flags;
	h->ciaddr = m->ciaddr;
	h->yiaddr = m->yiaddr;
	h->siaddr = m->siaddr;
	h->giaddr = m->giaddr;
	memcpy(h->chaddr, m->chaddr, sizeof(h->chaddr));
}

/* The options of m, in code order; returns how many. */
static size_t
opts_of(const struct dhcp_msg *m, struct dhcp_out_opt *out, size_t *need)
{
	size_t n = 0;

	*need = 0;
	for (unsigned c = 1; c < 255; c++) {
		const uint8_t	*p;
		size_t		 len;

		if (c == DHO_OVERLOAD ||
		    (p = dhcp_opt_get(m, (uint8_t)c, &len)) == NULL)
			continue;
		FUZZ_CHECK(len <= 0xffff);
		out[n].code = (uint8_t)c;
		out[n].len = (uint16_t)len;
		out[n].data = p;
		/* Instances of at most 255 bytes, 2 bytes of header each. */
		*need += len + 2 * (len == 0 ? 1 : (len + 254) / 255);
		n++;
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dhcp_msg		 m1, m2;
	static struct dhcp_out_opt	 o1[256], o2[256];
	static uint8_t			 b1[DHCP_MAX_LEN];
	static uint8_t			 b2[DHCP_MAX_LEN];
	struct dhcp_hdr			 h;
	size_t				 n1, n2, need, missing = 0;
	unsigned			 omitted, omitted2;
	int				 len1, len2;
	enum dhcp_perr			 e;

	if (dhcp_parse(data, size, &m1) != DHCP_P_OK)
		return 0;
	n1 = opts_of(&m1, o1, &need);
	hdr_of(&m1, &h);
	len1 = dhcp_build(&h, o1, n1, b1, sizeof(b1), &omitted);
	FUZZ_CHECK(len1 >= DHCP_BOOTP_MIN && (size_t)len1 <= sizeof(b1));
	/* Without overload everything fits; with it, all but a few bytes. */
	FUZZ_CHECK(omitted == 0 || need > PLAIN_ROOM);

	e = dhcp_parse(b1, (size_t)len1, &m2);
	if (e != DHCP_P_OK) {
		fprintf(stderr, "rebuilt message does not parse: %s\n",
		    dhcp_perr_str(e));
		abort();
	}
	FUZZ_CHECK(m2.op == m1.op && m2.htype == m1.htype &&
	    m2.hlen == m1.hlen && m2.hops == m1.hops && m2.xid == m1.xid &&
	    m2.secs == m1.secs && m2.flags == m1.flags &&
	    m2.ciaddr == m1.ciaddr && m2.yiaddr == m1.yiaddr &&
	    m2.siaddr == m1.siaddr && m2.giaddr == m1.giaddr);
	FUZZ_CHECK(memcmp(m2.chaddr, m1.chaddr, sizeof(m1.chaddr)) == 0);
	FUZZ_CHECK(m2.msgtype == m1.msgtype || (omitted > 0 &&
	    !m2.opt[DHO_MSG_TYPE].present));
	for (size_t i = 0; i < n1; i++) {
		const uint8_t	*p;
		size_t		 len;

		if ((p = dhcp_opt_get(&m2, o1[i].code, &len)) == NULL) {
			missing++;
			continue;
		}
		if (len != o1[i].len || (len > 0 && memcmp(p, o1[i].data,
		    len) != 0)) {
			fprintf(stderr, "option %u: %zu bytes in, %zu out\n",
			    o1[i].code, (size_t)o1[i].len, len);
			abort();
		}
	}
	FUZZ_CHECK(missing == omitted);
	/* Nothing the builder was not given. */
	n2 = opts_of(&m2, o2, &need);
	FUZZ_CHECK(n2 == n1 - missing);

	/* Stable: the parsed-back message builds to the same bytes. */
	if (omitted == 0) {
		hdr_of(&m2, &h);
		len2 = dhcp_build(&h, o2, n2, b2, sizeof(b2), &omitted2);
		FUZZ_CHECK(omitted2 == 0);
		FUZZ_CHECK(len2 == len1);
		FUZZ_CHECK(memcmp(b1, b2, (size_t)len1) == 0);
	}
	return 0;
}
