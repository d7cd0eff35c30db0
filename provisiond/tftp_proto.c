/*
 * tftp_proto.c - TFTP packets and read transfers (tftp_proto.h).
 *
 * Written here rather than taken from a library: Debian has TFTP servers
 * and clients but no library that parses requests or runs a transfer
 * without its own sockets. The parser reads through a cursor with the
 * length checked before every byte, and is fuzzed (fuzz_tftp).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tftp_proto.h"

static const char *const req_err_names[TFTP_REQ_ERR_COUNT] = {
	[TFTP_REQ_OK] = "ok",
	[TFTP_REQ_SHORT] = "short",
	[TFTP_REQ_LONG] = "long",
	[TFTP_REQ_OPCODE] = "opcode",
	[TFTP_REQ_WRITE] = "write",
	[TFTP_REQ_NAME] = "name",
	[TFTP_REQ_MODE] = "mode",
	[TFTP_REQ_OPTIONS] = "options",
};

const char *
tftp_req_err_str(enum tftp_req_err e)
{
	if ((unsigned)e >= TFTP_REQ_ERR_COUNT)
		return "unknown";
	return req_err_names[e];
}

static const char *const state_names[] = {
	[TFTP_XFER_RUNNING] = "running",
	[TFTP_XFER_DONE] = "done",
	[TFTP_XFER_ABORTED] = "aborted",
	[TFTP_XFER_TIMEDOUT] = "timed-out",
	[TFTP_XFER_FAILED] = "failed",
};

const char *
tftp_state_str(enum tftp_state s)
{
	if ((unsigned)s > TFTP_XFER_FAILED)
		return "unknown";
	return state_names[s];
}

/*
 * The NUL-terminated string at *p (rem bytes left): its start and length,
 * the cursor moved past the NUL. -1 if no NUL ends it.
 */
static int
take_string(const uint8_t **p, size_t *rem, const char **s, size_t *len)
{
	const uint8_t *nul = memchr(*p, '\0', *rem);

	if (nul == NULL)
		return -1;
	*s = (const char *)*p;
	*len = (size_t)(nul - *p);
	*rem -= *len + 1;
	*p = nul + 1;
	return 0;
}

/* A decimal number of at most 9 digits within [min, max]; else 0. */
static unsigned
option_value(const char *s, size_t len, unsigned min, unsigned max)
{
	unsigned v = 0;

	if (len == 0 || len > 9)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v >= min && v <= max ? v : 0;
}

static int
plain_name(const char *s, size_t len)
{
	if (len == 0 || len > TFTP_NAME_MAX || s[0] == '.')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return 0;
	}
	return 1;
}

static int
is_word(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && strncasecmp(s, word, len) == 0;
}

enum tftp_req_err
tftp_parse_request(const uint8_t *p, size_t n, struct tftp_req *out)
{
	const char	*s, *v;
	size_t		 rem = n, len, vlen;
	unsigned	 op;

	memset(out, 0, sizeof(*out));
	if (n > TFTP_REQ_MAX)
		return TFTP_REQ_LONG;
	if (rem < 4)
		return TFTP_REQ_SHORT;
	op = (unsigned)p[0] << 8 | p[1];
	p += 2;
	rem -= 2;
	if (op == TFTP_WRQ)
		return TFTP_REQ_WRITE;
	if (op != TFTP_RRQ)
		return TFTP_REQ_OPCODE;
	if (take_string(&p, &rem, &s, &len) != 0)
		return TFTP_REQ_SHORT;
	if (!plain_name(s, len))
		return TFTP_REQ_NAME;
	memcpy(out->name, s, len);
	out->name[len] = '\0';
	if (take_string(&p, &rem, &s, &len) != 0)
		return TFTP_REQ_SHORT;
	if (is_word(s, len, "octet"))
		out->mode = TFTP_MODE_OCTET;
	else if (is_word(s, len, "netascii"))
		out->mode = TFTP_MODE_NETASCII;
	else
		return TFTP_REQ_MODE;	/* "mail" too: RFC 1350 5 */
	/* RFC 2347: option, NUL, value, NUL; case-insensitive names. */
	while (rem > 0) {
		unsigned x;

		if (take_string(&p, &rem, &s, &len) != 0 ||
		    take_string(&p, &rem, &v, &vlen) != 0)
			return TFTP_REQ_OPTIONS;
		out->noptions++;
		if (is_word(s, len, "blksize")) {
			if (out->blksize == 0 && (x = option_value(v, vlen,
			    TFTP_BLKSIZE_MIN, 65464)) != 0)
				out->blksize = x;
		} else if (is_word(s, len, "timeout")) {
			if (out->timeout == 0 && (x = option_value(v, vlen, 1,
			    TFTP_TIMEOUT_MAX)) != 0)
				out->timeout = x;
		} else if (is_word(s, len, "windowsize")) {
			if (out->windowsize == 0 && (x = option_value(v, vlen,
			    1, 65535)) != 0)
				out->windowsize = x;
		} else if (is_word(s, len, "tsize")) {
			/* RFC 2349: a reading client sends 0. */
			if (vlen == 1 && v[0] == '0')
				out->tsize = 1;
		}
	}
	return TFTP_REQ_OK;
}

int
tftp_parse_reply(const uint8_t *p, size_t n, struct tftp_reply *out)
{
	memset(out, 0, sizeof(*out));
	if (n < 4)
		return -1;
	switch ((unsigned)p[0] << 8 | p[1]) {
	case TFTP_ACK:
		/* RFC 1350 5: exactly four bytes. */
		if (n != 4)
			return -1;
		out->op = TFTP_ACK;
		out->block = (uint16_t)(p[2] << 8 | p[3]);
		return 0;
	case TFTP_ERROR:
		out->op = TFTP_ERROR;
		out->code = (uint16_t)(p[2] << 8 | p[3]);
		return 0;
	default:
		return -1;
	}
}

size_t
tftp_build_error(uint8_t *out, size_t outsz, enum tftp_err code,
    const char *msg)
{
	size_t len = strlen(msg);

	if (len > outsz - 5)
		len = outsz - 5;
	out[0] = 0;
	out[1] = TFTP_ERROR;
	out[2] = (uint8_t)((unsigned)code >> 8);
	out[3] = (uint8_t)code;
	memcpy(out + 4, msg, len);
	out[4 + len] = '\0';
	return 5 + len;
}

uint8_t *
tftp_netascii(const uint8_t *in, size_t n, size_t *outlen)
{
	uint8_t	*out;
	size_t	 o = 0, extra = 0;

	for (size_t i = 0; i < n; i++)
		extra += in[i] == '\n' || in[i] == '\r';
	if ((out = malloc(n + extra + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\n') {
			out[o++] = '\r';
			out[o++] = '\n';
		} else if (in[i] == '\r') {
			out[o++] = '\r';
			out[o++] = '\0';
		} else
			out[o++] = in[i];
	}
	*outlen = o;
	return out;
}

/* Appends "name\0value\0" to an OACK; 0, or -1 if it does not fit. */
static int
oack_put(uint8_t *buf, size_t sz, size_t *o, const char *name,
    unsigned long long value)
{
	char	v[24];
	size_t	nl = strlen(name) + 1, vl;

	snprintf(v, sizeof(v), "%llu", value);
	vl = strlen(v) + 1;
	if (*o + nl + vl > sz)
		return -1;
	memcpy(buf + *o, name, nl);
	memcpy(buf + *o + nl, v, vl);
	*o += nl + vl;
	return 0;
}

static void
build_oack(struct tftp_xfer *x, const struct tftp_req *req)
{
	uint8_t	*pkt = x->oack_pkt;
	size_t	 o = 2;

	pkt[0] = 0;
	pkt[1] = TFTP_OACK;
	/* Each fits: four short options in 128 bytes. */
	if (req->blksize != 0)
		oack_put(pkt, sizeof(x->oack_pkt), &o, "blksize", x->blksize);
	if (req->timeout != 0)
		oack_put(pkt, sizeof(x->oack_pkt), &o, "timeout", x->timeout);
	if (req->tsize)
		oack_put(pkt, sizeof(x->oack_pkt), &o, "tsize", x->size);
	if (req->windowsize != 0)
		oack_put(pkt, sizeof(x->oack_pkt), &o, "windowsize",
		    x->windowsize);
	x->oack_len = o;
}

static enum tftp_state
send_block(struct tftp_xfer *x, uint64_t blk)
{
	uint8_t		pkt[TFTP_PKT_MAX];
	uint64_t	off = (blk - 1) * x->blksize;
	size_t		len = 0;

	if (off < x->size)
		len = x->size - off < x->blksize ? (size_t)(x->size - off) :
		    x->blksize;
	pkt[0] = 0;
	pkt[1] = TFTP_DATA;
	pkt[2] = (uint8_t)(blk >> 8);
	pkt[3] = (uint8_t)blk;
	if (len > 0 && x->read(x->arg, off, pkt + 4, len) != (ssize_t)len)
		return x->state = TFTP_XFER_FAILED;
	x->send(x->arg, pkt, 4 + len);
	x->packets++;
	return TFTP_XFER_RUNNING;
}

/* Sends the window after the last acknowledged block (RFC 7440). */
static enum tftp_state
send_window(struct tftp_xfer *x)
{
	uint64_t end = x->acked + x->windowsize;

	if (end > x->nblocks)
		end = x->nblocks;
	for (x->sent = x->acked; x->sent < end; x->sent++)
		if (send_block(x, x->sent + 1) != TFTP_XFER_RUNNING)
			return x->state;
	return TFTP_XFER_RUNNING;
}

enum tftp_state
tftp_xfer_start(struct tftp_xfer *x, const struct tftp_req *req)
{
	x->blksize = req->blksize != 0 ? req->blksize : TFTP_BLKSIZE_DEF;
	if (x->blksize > TFTP_BLKSIZE_MAX)
		x->blksize = TFTP_BLKSIZE_MAX;
	x->windowsize = req->windowsize != 0 ? req->windowsize : 1;
	if (x->windowsize > TFTP_WINDOW_MAX)
		x->windowsize = TFTP_WINDOW_MAX;
	x->timeout = req->timeout != 0 ? req->timeout : TFTP_TIMEOUT_DEF;
	x->nblocks = x->size / x->blksize + 1;
	x->acked = x->sent = 0;
	x->sends = 1;
	x->packets = 0;
	x->state = TFTP_XFER_RUNNING;
	/* RFC 2347: an OACK only when an option is honoured. */
	x->oack = req->blksize != 0 || req->timeout != 0 || req->tsize ||
	    req->windowsize != 0;
	if (x->oack) {
		build_oack(x, req);
		x->send(x->arg, x->oack_pkt, x->oack_len);
		x->packets++;
		return x->state;
	}
	return send_window(x);
}

enum tftp_state
tftp_xfer_input(struct tftp_xfer *x, const uint8_t *p, size_t n)
{
	struct tftp_reply	r;
	uint64_t		d;

	if (x->state != TFTP_XFER_RUNNING || tftp_parse_reply(p, n, &r) != 0)
		return x->state;
	if (r.op == TFTP_ERROR)
		return x->state = TFTP_XFER_ABORTED;
	if (x->oack) {
		/* RFC 2347: the client acknowledges the OACK with ACK 0. */
		if (r.block != 0)
			return x->state;
		x->oack = 0;
	} else {
		/* How far past the last ACK this one is, in flight only. */
		d = (uint16_t)(r.block - (uint16_t)x->acked);
		if (d == 0 || d > x->sent - x->acked)
			return x->state;
		x->acked += d;
	}
	if (x->acked == x->nblocks)
		return x->state = TFTP_XFER_DONE;
	x->sends = 1;
	/* All the window, or the client's last block in order: go on. */
	return send_window(x);
}

enum tftp_state
tftp_xfer_timeout(struct tftp_xfer *x)
{
	if (x->state != TFTP_XFER_RUNNING)
		return x->state;
	if (x->sends >= TFTP_SENDS_MAX)
		return x->state = TFTP_XFER_TIMEDOUT;
	x->sends++;
	if (x->oack) {
		x->send(x->arg, x->oack_pkt, x->oack_len);
		x->packets++;
		return x->state;
	}
	return send_window(x);
}
