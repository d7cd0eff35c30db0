/*
 * tftp_proto.h - the read-only TFTP server's packets and transfers, as
 * pure functions: no sockets, no clock, no files (a transfer reads its
 * data through a callback and sends through another), so unit tests and
 * the fuzzer drive them directly. provisiond/tftp.c puts them on sockets.
 *
 * RFC 1350 (the protocol; read requests only), RFC 2347 (option
 * extension), RFC 2348 (blksize), RFC 2349 (timeout and tsize), RFC 7440
 * (windowsize). Debian packages TFTP servers (tftpd-hpa, atftpd) but no
 * library to embed one: the codec is small, written here and fuzzed
 * (tests/fuzz/fuzz_tftp.c).
 */
#ifndef PB_TFTP_PROTO_H
#define PB_TFTP_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* RFC 1350 5: opcodes. RFC 2347: OACK. */
enum tftp_op {
	TFTP_RRQ = 1,
	TFTP_WRQ = 2,
	TFTP_DATA = 3,
	TFTP_ACK = 4,
	TFTP_ERROR = 5,
	TFTP_OACK = 6,
};

/* RFC 1350 appendix, RFC 2347: error codes. */
enum tftp_err {
	TFTP_EUNDEF = 0,	/* see the message */
	TFTP_ENOTFOUND = 1,
	TFTP_EACCESS = 2,
	TFTP_ENOSPACE = 3,
	TFTP_EBADOP = 4,
	TFTP_EBADID = 5,
	TFTP_EEXISTS = 6,
	TFTP_ENOUSER = 7,
	TFTP_EOPTNEG = 8,
};

/* A request packet at most this long; RFC 1350 names no limit. */
#define TFTP_REQ_MAX		512
/* File names as the flat folder's (route.h): one segment, short. */
#define TFTP_NAME_MAX		128
#define TFTP_BLKSIZE_DEF	512
/*
 * RFC 2348 allows 8..65464. Blocks are capped at what one Ethernet frame
 * carries (1500 - 20 IP - 8 UDP - 4 TFTP): a larger block would be sent
 * as IP fragments, which a lost fragment turns into a lost block and
 * which some switches and phones drop. The OACK names the cap.
 */
#define TFTP_BLKSIZE_MIN	8
#define TFTP_BLKSIZE_MAX	1468
/* RFC 2349: 1..255 seconds. */
#define TFTP_TIMEOUT_DEF	2
#define TFTP_TIMEOUT_MAX	255
/*
 * RFC 7440 allows 1..65535 blocks in flight. Sixteen keeps a transfer's
 * burst (and what a spoofed request can aim at a victim) at 23 KiB.
 */
#define TFTP_WINDOW_MAX		16
/* Sent before a transfer is given up: the first and four retries. */
#define TFTP_SENDS_MAX		5
/* A DATA packet at the largest block. */
#define TFTP_PKT_MAX		(4 + TFTP_BLKSIZE_MAX)

enum tftp_mode {
	TFTP_MODE_OCTET = 0,
	TFTP_MODE_NETASCII,
};

/* What tftp_parse_request() found wrong; TFTP_REQ_OK when nothing. */
enum tftp_req_err {
	TFTP_REQ_OK = 0,
	TFTP_REQ_SHORT,		/* under 4 bytes, or a field without NUL */
	TFTP_REQ_LONG,		/* over TFTP_REQ_MAX */
	TFTP_REQ_OPCODE,	/* neither RRQ nor WRQ */
	TFTP_REQ_WRITE,		/* WRQ: the server never writes */
	TFTP_REQ_NAME,		/* empty, too long, or not a plain name */
	TFTP_REQ_MODE,		/* "mail" or unknown */
	TFTP_REQ_OPTIONS,	/* an option without its value */
	TFTP_REQ_ERR_COUNT
};
const char	*tftp_req_err_str(enum tftp_req_err e);

/* A read request. Options not asked for are 0. */
struct tftp_req {
	char		 name[TFTP_NAME_MAX + 1];
	enum tftp_mode	 mode;
	unsigned	 blksize;	/* asked, valid: 8..65464 */
	unsigned	 timeout;	/* 1..255 */
	unsigned	 windowsize;	/* 1..65535 */
	int		 tsize;		/* asked for the size */
	unsigned	 noptions;	/* options read, known or not */
};

/*
 * Parses a request (RFC 1350 5, RFC 2347). Options are read in any case;
 * unknown ones, repeated ones and invalid values are ignored, so they are
 * left out of the OACK (RFC 2347: the server omits what it refuses). A
 * name must be a plain file name, letters, digits, '.', '_' and '-', not
 * starting with '.': no absolute paths, no folders, nothing to decode.
 */
enum tftp_req_err	 tftp_parse_request(const uint8_t *p, size_t n,
			    struct tftp_req *out);

/* Packets a client sends during a transfer. */
struct tftp_reply {
	enum tftp_op	 op;		/* TFTP_ACK or TFTP_ERROR */
	uint16_t	 block;		/* ACK */
	uint16_t	 code;		/* ERROR */
};

/* 0 for a well-formed ACK or ERROR, else -1. */
int	tftp_parse_reply(const uint8_t *p, size_t n, struct tftp_reply *out);

/*
 * An ERROR packet (RFC 1350 5) with code and msg (cut to fit); its
 * length, at most outsz. outsz must be at least 5.
 */
size_t	tftp_build_error(uint8_t *out, size_t outsz, enum tftp_err code,
	    const char *msg);

/*
 * netascii (RFC 1350, RFC 764): LF becomes CR LF, a bare CR becomes CR
 * NUL. The converted copy of in (caller frees, NULL when out of memory)
 * and its length.
 */
uint8_t	*tftp_netascii(const uint8_t *in, size_t n, size_t *outlen);

/*
 * One read transfer. The caller fills the source and the two callbacks,
 * calls tftp_xfer_start() once, tftp_xfer_input() with every packet that
 * arrives from the client, tftp_xfer_timeout() when xfer->timeout seconds
 * pass without one. Each returns a tftp_state; past TFTP_XFER_RUNNING the
 * transfer is over and its callbacks are not called again.
 *
 * Blocks are counted with 64 bits and sent with the low 16, so a file of
 * more than 65535 blocks rolls over to block 0 as tftp-hpa and atftp
 * expect. An ACK that is not for a block in flight is ignored: a
 * duplicate ACK never triggers a retransmission (RFC 1123 4.2.3.1, the
 * Sorcerer's Apprentice), only a timeout does.
 */
enum tftp_state {
	TFTP_XFER_RUNNING = 0,
	TFTP_XFER_DONE,		/* the last block acknowledged */
	TFTP_XFER_ABORTED,	/* the client sent an ERROR */
	TFTP_XFER_TIMEDOUT,	/* TFTP_SENDS_MAX sends without an answer */
	TFTP_XFER_FAILED,	/* the source could not be read */
};
const char	*tftp_state_str(enum tftp_state s);

struct tftp_xfer {
	/* Filled by the caller before tftp_xfer_start(). */
	uint64_t	 size;
	/* Reads len bytes at off into buf; returns len, or -1. */
	ssize_t		(*read)(void *arg, uint64_t off, uint8_t *buf,
			    size_t len);
	/* Sends one packet to the client. */
	void		(*send)(void *arg, const uint8_t *pkt, size_t len);
	void		*arg;

	/* Negotiated by tftp_xfer_start(). */
	unsigned	 blksize;
	unsigned	 windowsize;
	unsigned	 timeout;	/* seconds */

	/* State. */
	enum tftp_state	 state;
	int		 oack;		/* waiting for ACK 0 of an OACK */
	uint8_t		 oack_pkt[128];	/* sent again on a timeout */
	size_t		 oack_len;
	uint64_t	 nblocks;	/* size / blksize + 1 */
	uint64_t	 acked;		/* blocks acknowledged */
	uint64_t	 sent;		/* blocks sent, acked or not */
	unsigned	 sends;		/* of the current window, or OACK */
	uint64_t	 packets;	/* DATA and OACK sent, retries too */
};

/*
 * Answers req: an OACK when req asked for options this server honours,
 * else the first window of DATA. Returns the state (FAILED if the first
 * read fails).
 */
enum tftp_state	 tftp_xfer_start(struct tftp_xfer *x,
		    const struct tftp_req *req);
enum tftp_state	 tftp_xfer_input(struct tftp_xfer *x, const uint8_t *p,
		    size_t n);
enum tftp_state	 tftp_xfer_timeout(struct tftp_xfer *x);

#endif /* PB_TFTP_PROTO_H */
