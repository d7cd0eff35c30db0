/*
 * mkpacket - writes one DHCP message, byte by byte, for the fuzz seed
 * corpora (tests/fuzz/mkcorpus.sh runs it). It has its own little writer
 * and shares no code with dhcpd/packet.c, so the seeds do not inherit the
 * codec's idea of what a packet is.
 *
 *   mkpacket OUT [key=value ...]
 *
 *   op=1|2 type=1..8|none mac=aa:bb:cc:dd:ee:ff htype=N hlen=N hops=N
 *   xid=HEX secs=N flags=N ciaddr= yiaddr= siaddr= giaddr= (dotted quads)
 *   req=IP (50) sid=IP (54) lease=N (51) maxsize=N (57) host=TEXT (12)
 *   vc=TEXT (60; \0 and \xNN escapes) vchex=HEX (60, binary) prl=1,3,6 (55)
 *   cid=HEX (61) relay=HEX (82) opt=CODE:HEX (any option, repeatable)
 *   split=CODE (that option goes out as two instances, RFC 3396)
 *   overload=1|2|3 (options after 53 move into file / sname, option 52)
 *   pad=N (N pad bytes before END)
 *
 * Options are written in the order given, after 53. Not built by make: it
 * exists to regenerate the committed corpus.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXOPTS	64

struct opt {
	uint8_t		 code;
	size_t		 len;
	uint8_t		 v[1024];
};

static struct opt	 opts[MAXOPTS];
static size_t		 nopts;
static uint8_t		 pkt[4096];

static void
die(const char *what, const char *arg)
{
	fprintf(stderr, "mkpacket: %s: %s\n", what, arg);
	exit(2);
}

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("bad address", s);
	return ntohl(a.s_addr);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static size_t
hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (*s != '\0') {
		unsigned v;

		if (*s == ':' || *s == ' ' || *s == '-') {
			s++;
			continue;
		}
		if (n >= max || sscanf(s, "%2x", &v) != 1)
			die("bad hex", s);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* Text with \0 and \xNN escapes. */
static size_t
text(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	for (; *s != '\0' && n < max; s++) {
		unsigned v;

		if (s[0] == '\\' && s[1] == '0') {
			out[n++] = 0;
			s++;
		} else if (s[0] == '\\' && s[1] == 'x' &&
		    sscanf(s + 2, "%2x", &v) == 1) {
			out[n++] = (uint8_t)v;
			s += 3;
		} else
			out[n++] = (uint8_t)*s;
	}
	return n;
}

static struct opt *
add(uint8_t code)
{
	if (nopts >= MAXOPTS)
		die("too many options", "");
	opts[nopts].code = code;
	opts[nopts].len = 0;
	return &opts[nopts++];
}

/* Writes one option (split in two instances if asked) at *pos. */
static void
emit(uint8_t *area, size_t *pos, size_t end, const struct opt *o, int split)
{
	size_t	 first = o->len, done = 0;

	if (split && o->len >= 2)
		first = o->len / 2;
	while (done < o->len || (o->len == 0 && done == 0)) {
		size_t chunk = done == 0 ? first : o->len - done;

		if (chunk > 255)
			chunk = 255;
		if (*pos + 2 + chunk > end)
			die("option does not fit", "");
		area[(*pos)++] = o->code;
		area[(*pos)++] = (uint8_t)chunk;
		memcpy(area + *pos, o->v + done, chunk);
		*pos += chunk;
		done += chunk;
		if (o->len == 0)
			break;
	}
}

int
main(int argc, char **argv)
{
	uint8_t	 op = 1, htype = 1, hlen = 6, hops = 0, type = 1;
	uint8_t	 chaddr[16] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint32_t xid = 0x1d2c3b4a, ciaddr = 0, yiaddr = 0, siaddr = 0;
	uint32_t giaddr = 0;
	unsigned secs = 0, flags = 0, overload = 0, split = 0, pad = 0;
	int	 has_type = 1;
	size_t	 pos, fpos = 0, spos = 0;
	FILE	*f;

	if (argc < 2)
		die("usage", "mkpacket OUT [key=value ...]");
	for (int i = 2; i < argc; i++) {
		char		*k = argv[i], *v = strchr(k, '=');
		struct opt	*o;

		if (v == NULL)
			die("not key=value", k);
		*v++ = '\0';
		if (strcmp(k, "op") == 0)
			op = (uint8_t)atoi(v);
		else if (strcmp(k, "type") == 0) {
			has_type = strcmp(v, "none") != 0;
			type = (uint8_t)atoi(v);
		} else if (strcmp(k, "mac") == 0) {
			memset(chaddr, 0, sizeof(chaddr));
			hex(v, chaddr, sizeof(chaddr));
		} else if (strcmp(k, "htype") == 0)
			htype = (uint8_t)atoi(v);
		else if (strcmp(k, "hlen") == 0)
			hlen = (uint8_t)atoi(v);
		else if (strcmp(k, "hops") == 0)
			hops = (uint8_t)atoi(v);
		else if (strcmp(k, "xid") == 0)
			xid = (uint32_t)strtoul(v, NULL, 16);
		else if (strcmp(k, "secs") == 0)
			secs = (unsigned)atoi(v);
		else if (strcmp(k, "flags") == 0)
			flags = (unsigned)strtoul(v, NULL, 0);
		else if (strcmp(k, "ciaddr") == 0)
			ciaddr = ip(v);
		else if (strcmp(k, "yiaddr") == 0)
			yiaddr = ip(v);
		else if (strcmp(k, "siaddr") == 0)
			siaddr = ip(v);
		else if (strcmp(k, "giaddr") == 0)
			giaddr = ip(v);
		else if (strcmp(k, "req") == 0 || strcmp(k, "sid") == 0) {
			o = add(k[0] == 'r' ? 50 : 54);
			put32(o->v, ip(v));
			o->len = 4;
		} else if (strcmp(k, "lease") == 0) {
			o = add(51);
			put32(o->v, (uint32_t)strtoul(v, NULL, 10));
			o->len = 4;
		} else if (strcmp(k, "maxsize") == 0) {
			unsigned n = (unsigned)atoi(v);

			o = add(57);
			o->v[0] = (uint8_t)(n >> 8);
			o->v[1] = (uint8_t)n;
			o->len = 2;
		} else if (strcmp(k, "host") == 0) {
			o = add(12);
			o->len = text(v, o->v, 255);
		} else if (strcmp(k, "vc") == 0) {
			o = add(60);
			o->len = text(v, o->v, 255);
		} else if (strcmp(k, "vchex") == 0) {
			o = add(60);
			o->len = hex(v, o->v, 255);
		} else if (strcmp(k, "prl") == 0) {
			o = add(55);
			for (char *p = strtok(v, ","); p != NULL;
			    p = strtok(NULL, ","))
				o->v[o->len++] = (uint8_t)atoi(p);
		} else if (strcmp(k, "cid") == 0) {
			o = add(61);
			o->len = hex(v, o->v, 255);
		} else if (strcmp(k, "relay") == 0) {
			o = add(82);
			o->len = hex(v, o->v, 255);
		} else if (strcmp(k, "opt") == 0) {
			char *colon = strchr(v, ':');

			if (colon == NULL)
				die("opt=CODE:HEX", v);
			*colon = '\0';
			o = add((uint8_t)atoi(v));
			o->len = hex(colon + 1, o->v, sizeof(o->v));
		} else if (strcmp(k, "split") == 0)
			split = (unsigned)atoi(v);
		else if (strcmp(k, "overload") == 0)
			overload = (unsigned)atoi(v);
		else if (strcmp(k, "pad") == 0)
			pad = (unsigned)atoi(v);
		else
			die("unknown key", k);
	}

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = op;
	pkt[1] = htype;
	pkt[2] = hlen;
	pkt[3] = hops;
	put32(pkt + 4, xid);
	pkt[8] = (uint8_t)(secs >> 8);
	pkt[9] = (uint8_t)secs;
	pkt[10] = (uint8_t)(flags >> 8);
	pkt[11] = (uint8_t)flags;
	put32(pkt + 12, ciaddr);
	put32(pkt + 16, yiaddr);
	put32(pkt + 20, siaddr);
	put32(pkt + 24, giaddr);
	memcpy(pkt + 28, chaddr, 16);
	put32(pkt + 236, 0x63825363);
	pos = 240;
	if (has_type) {
		pkt[pos++] = 53;
		pkt[pos++] = 1;
		pkt[pos++] = type;
	}
	if (overload) {
		pkt[pos++] = 52;
		pkt[pos++] = 1;
		pkt[pos++] = (uint8_t)overload;
	}
	/* With overload: file first, then sname (RFC 2131 4.1), then here. */
	for (size_t i = 0; i < nopts; i++) {
		const struct opt *o = &opts[i];
		size_t need = o->len + 2 + (split == o->code ? 2 : 0);

		if ((overload & 1) && fpos + need <= 127)
			emit(pkt + 108, &fpos, 127, o, split == o->code);
		else if ((overload & 2) && spos + need <= 63)
			emit(pkt + 44, &spos, 63, o, split == o->code);
		else
			emit(pkt, &pos, sizeof(pkt) - 1 - pad, o,
			    split == o->code);
	}
	if (overload & 1)
		pkt[108 + fpos] = 255;
	if (overload & 2)
		pkt[44 + spos] = 255;
	pos += pad;	/* zeroes: PAD */
	pkt[pos++] = 255;
	if (pos < 300)
		pos = 300;	/* RFC 1542: what relays expect */
	if ((f = fopen(argv[1], "wb")) == NULL)
		die("cannot write", argv[1]);
	if (fwrite(pkt, 1, pos, f) != pos || fclose(f) != 0)
		die("cannot write", argv[1]);
	return 0;
}
