/*
 * fuzz_tftp.c - the TFTP server's parser and transfers (tftp_proto.h).
 *
 * The whole input is first a request packet for tftp_parse_request() and
 * a reply for tftp_parse_reply(). Then it is read as a conversation:
 * records of a length byte and that many bytes; the first record is the
 * request, each further one a packet from the client (tftp_xfer_input())
 * or, when it is empty or a short one starting with 0xff, a timeout. A
 * request that parses starts a transfer of a file whose size comes from
 * the request's name length and option values.
 *
 * Invariants: a parsed name is a plain file name (no '/', no leading
 * '.'), no packet is longer than 4 + blksize, blksize and windowsize stay
 * within their caps, DATA goes out in block order from the last ACK, a
 * finished transfer had every block acknowledged, and no call sends more
 * than a window.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"

#include "tftp_proto.h"

static struct {
	uint64_t	 size;
	size_t		 npkts;		/* in the current call */
	unsigned	 blksize;
	int		 started;
} F;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

static ssize_t
f_read(void *arg, uint64_t off, uint8_t *buf, size_t len)
{
	(void)arg;
	FUZZ_CHECK(off + len <= F.size);
	/* A read that fails now and then: the transfer must end. */
	if (off > 0 && off % 7919 == 0)
		return -1;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(off + i);
	return (ssize_t)len;
}

static void
f_send(void *arg, const uint8_t *pkt, size_t len)
{
	(void)arg;
	FUZZ_CHECK(len >= 2);
	if (pkt[1] == TFTP_DATA)
		FUZZ_CHECK(F.started && len >= 4 && len <= 4 + F.blksize);
	F.npkts++;
}

static void
check_xfer(const struct tftp_xfer *x)
{
	FUZZ_CHECK(x->blksize >= TFTP_BLKSIZE_MIN &&
	    x->blksize <= TFTP_BLKSIZE_MAX);
	FUZZ_CHECK(x->windowsize >= 1 && x->windowsize <= TFTP_WINDOW_MAX);
	FUZZ_CHECK(x->acked <= x->sent && x->sent <= x->nblocks);
	FUZZ_CHECK(x->sent - x->acked <= x->windowsize);
	FUZZ_CHECK(F.npkts <= x->windowsize);
	FUZZ_CHECK(x->nblocks == x->size / x->blksize + 1);
	if (x->state == TFTP_XFER_DONE)
		FUZZ_CHECK(x->acked == x->nblocks);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tftp_req		 req;
	struct tftp_reply	 rep;
	struct tftp_xfer	 x;
	size_t			 off = 0, len, outlen;
	uint8_t			*asc;

	if (tftp_parse_request(data, size, &req) == TFTP_REQ_OK) {
		FUZZ_CHECK(req.name[0] != '\0' && req.name[0] != '.');
		FUZZ_CHECK(strchr(req.name, '/') == NULL);
		FUZZ_CHECK(strlen(req.name) <= TFTP_NAME_MAX);
	}
	(void)tftp_parse_reply(data, size, &rep);
	if (size <= 4096 && (asc = tftp_netascii(data, size, &outlen)) !=
	    NULL) {
		FUZZ_CHECK(outlen >= size && outlen <= 2 * size);
		free(asc);
	}

	/* The conversation. */
	if (size < 1 || (len = data[0]) > size - 1)
		return 0;
	off = 1 + len;
	if (tftp_parse_request(data + 1, len, &req) != TFTP_REQ_OK)
		return 0;
	memset(&F, 0, sizeof(F));
	memset(&x, 0, sizeof(x));
	F.size = (uint64_t)strlen(req.name) * 997 + req.blksize * 3 +
	    req.windowsize + req.timeout;
	x.size = F.size;
	x.read = f_read;
	x.send = f_send;
	F.blksize = req.blksize == 0 ? TFTP_BLKSIZE_DEF :
	    req.blksize > TFTP_BLKSIZE_MAX ? TFTP_BLKSIZE_MAX : req.blksize;
	F.started = 1;
	(void)tftp_xfer_start(&x, &req);
	FUZZ_CHECK(x.blksize == F.blksize);
	check_xfer(&x);
	while (off < size) {
		unsigned rl = data[off++];

		F.npkts = 0;
		if (rl > size - off)
			rl = (unsigned)(size - off);
		if (rl == 0 || (rl & 1 && rl < 4 && data[off] == 0xff))
			(void)tftp_xfer_timeout(&x);
		else
			(void)tftp_xfer_input(&x, data + off, rl);
		off += rl;
		check_xfer(&x);
		if (x.state != TFTP_XFER_RUNNING)
			break;
	}
	return 0;
}
