/*
 * check_tftp.c - the TFTP codec and read transfers (tftp_proto.h), with
 * packets as tftp-hpa, atftp and Cisco phones send them and as an
 * attacker would.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tftp_proto.h"

/* A request from its fields: opcode, then NUL-terminated strings. */
static size_t
mkreq(uint8_t *buf, size_t sz, unsigned op, const char *const *fields,
    size_t n)
{
	size_t o = 2;

	buf[0] = (uint8_t)(op >> 8);
	buf[1] = (uint8_t)op;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(fields[i]) + 1;

		ck_assert_uint_le(o + len, sz);
		memcpy(buf + o, fields[i], len);
		o += len;
	}
	return o;
}

#define REQ(buf, op, ...) mkreq(buf, sizeof(buf), op, \
	(const char *const[]){ __VA_ARGS__ }, \
	sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *))

START_TEST(test_parse_plain)
{
	uint8_t		buf[600];
	struct tftp_req	r;
	size_t		n = REQ(buf, TFTP_RRQ, "SEP001BD4AABB09.cnf.xml",
			    "octet");

	ck_assert_int_eq(tftp_parse_request(buf, n, &r), TFTP_REQ_OK);
	ck_assert_str_eq(r.name, "SEP001BD4AABB09.cnf.xml");
	ck_assert_int_eq(r.mode, TFTP_MODE_OCTET);
	ck_assert_uint_eq(r.blksize, 0);
	ck_assert_int_eq(r.tsize, 0);
	ck_assert_uint_eq(r.noptions, 0);
	/* tftp-hpa's default mode, in capitals as some clients send it. */
	n = REQ(buf, TFTP_RRQ, "XMLDefault.cnf.xml", "NETASCII");
	ck_assert_int_eq(tftp_parse_request(buf, n, &r), TFTP_REQ_OK);
	ck_assert_int_eq(r.mode, TFTP_MODE_NETASCII);
}
END_TEST

/* RFC 2347/2348/2349/7440 options as atftp sends them. */
START_TEST(test_parse_options)
{
	uint8_t		buf[600];
	struct tftp_req	r;
	size_t		n = REQ(buf, TFTP_RRQ, "f.cfg", "octet", "BLKSIZE",
			    "1428", "tsize", "0", "timeout", "3", "windowsize",
			    "8", "multicast", "", "blksize", "512");

	ck_assert_int_eq(tftp_parse_request(buf, n, &r), TFTP_REQ_OK);
	ck_assert_uint_eq(r.blksize, 1428);	/* the first one counts */
	ck_assert_int_eq(r.tsize, 1);
	ck_assert_uint_eq(r.timeout, 3);
	ck_assert_uint_eq(r.windowsize, 8);
	ck_assert_uint_eq(r.noptions, 6);
	/* Out of range or not numbers: ignored, so left out of the OACK. */
	n = REQ(buf, TFTP_RRQ, "f.cfg", "octet", "blksize", "7", "timeout",
	    "0", "windowsize", "70000", "tsize", "12", "blksize", "1e3");
	ck_assert_int_eq(tftp_parse_request(buf, n, &r), TFTP_REQ_OK);
	ck_assert_uint_eq(r.blksize, 0);
	ck_assert_uint_eq(r.timeout, 0);
	ck_assert_uint_eq(r.windowsize, 0);
	ck_assert_int_eq(r.tsize, 0);
	/* An option without its value. */
	n = REQ(buf, TFTP_RRQ, "f.cfg", "octet", "blksize");
	ck_assert_int_eq(tftp_parse_request(buf, n, &r), TFTP_REQ_OPTIONS);
}
END_TEST

/* What may never reach the folder: paths, odd bytes, writes. */
START_TEST(test_parse_refused)
{
	static const char *const names[] = { "../etc/passwd", "/etc/passwd",
		"a/b.cfg", "..", ".", ".hidden", "a\\b", "a b", "a%2fb",
		"caf\xc3\xa9.cfg", "" };
	uint8_t		 buf[600];
	struct tftp_req	 r;
	char		 longname[TFTP_NAME_MAX + 2];
	size_t		 n;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = REQ(buf, TFTP_RRQ, names[i], "octet");
		ck_assert_msg(tftp_parse_request(buf, n, &r) == TFTP_REQ_NAME,
		    "'%s' taken", names[i]);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	n = REQ(buf, TFTP_RRQ, longname, "octet");
	ck_assert_int_eq(tftp_parse_request(buf, n, &r), TFTP_REQ_NAME);
	longname[TFTP_NAME_MAX] = '\0';
	n = REQ(buf, TFTP_RRQ, longname, "octet");
	ck_assert_int_eq(tftp_parse_request(buf, n, &r), TFTP_REQ_OK);

	n = REQ(buf, TFTP_WRQ, "SEP001BD4AABB09.cnf.xml", "octet");
	ck_assert_int_eq(tftp_parse_request(buf, n, &r), TFTP_REQ_WRITE);
	n = REQ(buf, TFTP_RRQ, "f.cfg", "mail");
	ck_assert_int_eq(tftp_parse_request(buf, n, &r), TFTP_REQ_MODE);
	n = REQ(buf, TFTP_DATA, "f.cfg", "octet");
	ck_assert_int_eq(tftp_parse_request(buf, n, &r), TFTP_REQ_OPCODE);
	n = REQ(buf, 0x0100 | TFTP_RRQ, "f.cfg", "octet");
	ck_assert_int_eq(tftp_parse_request(buf, n, &r), TFTP_REQ_OPCODE);
	/* A name or a mode without its NUL. */
	n = REQ(buf, TFTP_RRQ, "f.cfg", "octet");
	ck_assert_int_eq(tftp_parse_request(buf, n - 1, &r), TFTP_REQ_SHORT);
	ck_assert_int_eq(tftp_parse_request(buf, 8, &r), TFTP_REQ_SHORT);
	ck_assert_int_eq(tftp_parse_request(buf, 3, &r), TFTP_REQ_SHORT);
	ck_assert_int_eq(tftp_parse_request(buf, 0, &r), TFTP_REQ_SHORT);
	/* Longer than any request needs. */
	memset(buf, 'x', sizeof(buf));
	buf[0] = 0;
	buf[1] = TFTP_RRQ;
	ck_assert_int_eq(tftp_parse_request(buf, TFTP_REQ_MAX + 1, &r),
	    TFTP_REQ_LONG);
	ck_assert_str_eq(tftp_req_err_str(TFTP_REQ_WRITE), "write");
	ck_assert_str_eq(tftp_req_err_str((enum tftp_req_err)99), "unknown");
}
END_TEST

START_TEST(test_reply_and_error)
{
	static const uint8_t ack[] = { 0, 4, 0x12, 0x34 };
	static const uint8_t err[] = { 0, 5, 0, 8, 'n', 'o', 0 };
	static const uint8_t long_ack[] = { 0, 4, 0, 1, 0 };
	static const uint8_t data[] = { 0, 3, 0, 1 };
	struct tftp_reply	 r;
	uint8_t			 pkt[16];
	size_t			 n;

	ck_assert_int_eq(tftp_parse_reply(ack, sizeof(ack), &r), 0);
	ck_assert_int_eq(r.op, TFTP_ACK);
	ck_assert_uint_eq(r.block, 0x1234);
	ck_assert_int_eq(tftp_parse_reply(err, sizeof(err), &r), 0);
	ck_assert_int_eq(r.op, TFTP_ERROR);
	ck_assert_uint_eq(r.code, 8);
	ck_assert_int_eq(tftp_parse_reply(long_ack, sizeof(long_ack), &r), -1);
	ck_assert_int_eq(tftp_parse_reply(data, sizeof(data), &r), -1);
	ck_assert_int_eq(tftp_parse_reply(ack, 3, &r), -1);
	/* An error message is cut to fit, and NUL-terminated. */
	n = tftp_build_error(pkt, sizeof(pkt), TFTP_ENOTFOUND,
	    "file not found, really not");
	ck_assert_uint_eq(n, sizeof(pkt));
	ck_assert_int_eq(pkt[1], TFTP_ERROR);
	ck_assert_int_eq(pkt[3], TFTP_ENOTFOUND);
	ck_assert_int_eq(pkt[n - 1], '\0');
	ck_assert_int_eq(memcmp(pkt + 4, "file not foun", 11), 0);
}
END_TEST

START_TEST(test_netascii)
{
	static const uint8_t in[] = "a\nb\rc\r\n";
	uint8_t	*out;
	size_t	 n;

	ck_assert_ptr_nonnull(out = tftp_netascii(in, sizeof(in) - 1, &n));
	ck_assert_uint_eq(n, 11);
	ck_assert_int_eq(memcmp(out, "a\r\nb\r\0c\r\0\r\n", 11), 0);
	free(out);
}
END_TEST

/* A transfer under test: its data, and every packet it sent. */
#define MAXPKT	64
static struct {
	uint8_t		*data;
	size_t		 size;
	int		 fail_read;
	uint8_t		 pkt[MAXPKT][TFTP_PKT_MAX];
	size_t		 len[MAXPKT];
	size_t		 n;
} T;

static ssize_t
t_read(void *arg, uint64_t off, uint8_t *buf, size_t len)
{
	(void)arg;
	if (T.fail_read || off + len > T.size)
		return -1;
	memcpy(buf, T.data + off, len);
	return (ssize_t)len;
}

static void
t_send(void *arg, const uint8_t *pkt, size_t len)
{
	(void)arg;
	ck_assert_uint_lt(T.n, MAXPKT);
	memcpy(T.pkt[T.n], pkt, len);
	T.len[T.n++] = len;
}

static void
t_setup(size_t size)
{
	free(T.data);
	memset(&T, 0, sizeof(T));
	T.size = size;
	T.data = malloc(size + 1);
	for (size_t i = 0; i < size; i++)
		T.data[i] = (uint8_t)(i * 7 + 3);
}

static void
t_teardown(void)
{
	free(T.data);
	T.data = NULL;
}

static void
xfer_init(struct tftp_xfer *x)
{
	memset(x, 0, sizeof(*x));
	x->size = T.size;
	x->read = t_read;
	x->send = t_send;
}

/* Packet i is DATA block blk with the len bytes at off. */
static void
assert_data(size_t i, unsigned blk, size_t off, size_t len)
{
	ck_assert_uint_lt(i, T.n);
	ck_assert_uint_eq(T.len[i], 4 + len);
	ck_assert_int_eq(T.pkt[i][1], TFTP_DATA);
	ck_assert_uint_eq((unsigned)T.pkt[i][2] << 8 | T.pkt[i][3], blk);
	ck_assert_int_eq(memcmp(T.pkt[i] + 4, T.data + off, len), 0);
}

static enum tftp_state
ack(struct tftp_xfer *x, unsigned blk)
{
	uint8_t p[4] = { 0, TFTP_ACK, (uint8_t)(blk >> 8), (uint8_t)blk };

	return tftp_xfer_input(x, p, sizeof(p));
}

/* RFC 1350 lock-step: a 1000-byte file is blocks of 512 and 488. */
START_TEST(test_xfer_lockstep)
{
	struct tftp_xfer	x;
	struct tftp_req		r;

	t_setup(1000);
	xfer_init(&x);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(tftp_xfer_start(&x, &r), TFTP_XFER_RUNNING);
	ck_assert_uint_eq(T.n, 1);
	assert_data(0, 1, 0, 512);
	/* A duplicate ACK 0 or a stray one sends nothing (RFC 1123). */
	ck_assert_int_eq(ack(&x, 0), TFTP_XFER_RUNNING);
	ck_assert_int_eq(ack(&x, 5), TFTP_XFER_RUNNING);
	ck_assert_uint_eq(T.n, 1);
	ck_assert_int_eq(ack(&x, 1), TFTP_XFER_RUNNING);
	assert_data(1, 2, 512, 488);
	ck_assert_int_eq(ack(&x, 1), TFTP_XFER_RUNNING);
	ck_assert_uint_eq(T.n, 2);
	/* A timeout sends the block again. */
	ck_assert_int_eq(tftp_xfer_timeout(&x), TFTP_XFER_RUNNING);
	assert_data(2, 2, 512, 488);
	ck_assert_int_eq(ack(&x, 2), TFTP_XFER_DONE);
	/* Over: nothing more. */
	ck_assert_int_eq(ack(&x, 3), TFTP_XFER_DONE);
	ck_assert_int_eq(tftp_xfer_timeout(&x), TFTP_XFER_DONE);
	ck_assert_uint_eq(T.n, 3);
	t_teardown();
}
END_TEST

/* A file of a whole number of blocks ends with an empty one. */
START_TEST(test_xfer_exact_blocks)
{
	struct tftp_xfer	x;
	struct tftp_req		r;

	t_setup(1024);
	xfer_init(&x);
	memset(&r, 0, sizeof(r));
	tftp_xfer_start(&x, &r);
	ck_assert_int_eq(ack(&x, 1), TFTP_XFER_RUNNING);
	ck_assert_int_eq(ack(&x, 2), TFTP_XFER_RUNNING);
	assert_data(2, 3, 1024, 0);
	ck_assert_int_eq(ack(&x, 3), TFTP_XFER_DONE);
	/* And an empty file is one empty block. */
	t_setup(0);
	xfer_init(&x);
	tftp_xfer_start(&x, &r);
	assert_data(0, 1, 0, 0);
	ck_assert_int_eq(ack(&x, 1), TFTP_XFER_DONE);
	t_teardown();
}
END_TEST

/* Options: an OACK with what was asked, ACK 0, then the blocks. */
START_TEST(test_xfer_oack)
{
	static const uint8_t want[] = "\0\6blksize\0" "1468\0tsize\0" "3000\0"
	    "windowsize\0" "16";
	struct tftp_xfer	x;
	struct tftp_req		r;

	t_setup(3000);
	xfer_init(&x);
	memset(&r, 0, sizeof(r));
	r.blksize = 8192;		/* capped at one frame */
	r.tsize = 1;
	r.windowsize = 100;		/* capped */
	ck_assert_int_eq(tftp_xfer_start(&x, &r), TFTP_XFER_RUNNING);
	ck_assert_uint_eq(T.n, 1);
	ck_assert_uint_eq(T.len[0], sizeof(want));
	ck_assert_int_eq(memcmp(T.pkt[0], want, sizeof(want)), 0);
	/* Lost OACK: the same one again. */
	ck_assert_int_eq(tftp_xfer_timeout(&x), TFTP_XFER_RUNNING);
	ck_assert_uint_eq(T.len[1], sizeof(want));
	ck_assert_int_eq(memcmp(T.pkt[1], want, sizeof(want)), 0);
	/* Only ACK 0 answers it. */
	ck_assert_int_eq(ack(&x, 1), TFTP_XFER_RUNNING);
	ck_assert_uint_eq(T.n, 2);
	ck_assert_int_eq(ack(&x, 0), TFTP_XFER_RUNNING);
	/* The whole file fits in the window: three blocks at once. */
	ck_assert_uint_eq(T.n, 5);
	assert_data(2, 1, 0, 1468);
	assert_data(3, 2, 1468, 1468);
	assert_data(4, 3, 2936, 64);
	ck_assert_int_eq(ack(&x, 3), TFTP_XFER_DONE);
	t_teardown();
}
END_TEST

/*
 * RFC 7440: the client acknowledges the last block it got in order; the
 * next window starts after it.
 */
START_TEST(test_xfer_window_gap)
{
	struct tftp_xfer	x;
	struct tftp_req		r;

	t_setup(8 * 512 + 10);
	xfer_init(&x);
	memset(&r, 0, sizeof(r));
	r.windowsize = 4;
	tftp_xfer_start(&x, &r);
	ck_assert_int_eq(ack(&x, 0), TFTP_XFER_RUNNING);
	ck_assert_uint_eq(T.n, 5);		/* OACK, blocks 1-4 */
	/* Block 3 was lost: the client acknowledges 2. */
	ck_assert_int_eq(ack(&x, 2), TFTP_XFER_RUNNING);
	ck_assert_uint_eq(T.n, 9);
	assert_data(5, 3, 2 * 512, 512);
	assert_data(8, 6, 5 * 512, 512);
	/* An ACK for a block never sent is ignored. */
	ck_assert_int_eq(ack(&x, 7), TFTP_XFER_RUNNING);
	ck_assert_uint_eq(T.n, 9);
	ck_assert_int_eq(ack(&x, 6), TFTP_XFER_RUNNING);
	ck_assert_uint_eq(T.n, 12);		/* 7, 8, 9 (the last) */
	assert_data(11, 9, 8 * 512, 10);
	ck_assert_int_eq(ack(&x, 9), TFTP_XFER_DONE);
	t_teardown();
}
END_TEST

/* Block numbers roll over from 65535 to 0, as tftp-hpa and atftp do. */
START_TEST(test_xfer_rollover)
{
	struct tftp_xfer	x;
	struct tftp_req		r;
	unsigned		blk;

	t_setup(65537 * 8);
	xfer_init(&x);
	memset(&r, 0, sizeof(r));
	r.blksize = 8;
	tftp_xfer_start(&x, &r);
	ck_assert_int_eq(ack(&x, 0), TFTP_XFER_RUNNING);
	for (blk = 1; blk < 65536 + 2; blk++) {
		T.n = 0;
		ck_assert_int_eq(ack(&x, blk & 0xffff), TFTP_XFER_RUNNING);
	}
	/* Block 65538 went out as block 2. */
	ck_assert_uint_eq(T.n, 1);
	ck_assert_uint_eq((unsigned)T.pkt[0][2] << 8 | T.pkt[0][3], 2);
	ck_assert_int_eq(ack(&x, 2), TFTP_XFER_DONE);
	t_teardown();
}
END_TEST

START_TEST(test_xfer_give_up)
{
	struct tftp_xfer	x;
	struct tftp_req		r;
	static const uint8_t	err[] = { 0, 5, 0, 0, 0 };

	t_setup(100);
	xfer_init(&x);
	memset(&r, 0, sizeof(r));
	tftp_xfer_start(&x, &r);
	for (int i = 1; i < TFTP_SENDS_MAX; i++)
		ck_assert_int_eq(tftp_xfer_timeout(&x), TFTP_XFER_RUNNING);
	ck_assert_uint_eq(T.n, TFTP_SENDS_MAX);
	ck_assert_int_eq(tftp_xfer_timeout(&x), TFTP_XFER_TIMEDOUT);
	ck_assert_uint_eq(T.n, TFTP_SENDS_MAX);
	/* An ERROR from the client ends it. */
	xfer_init(&x);
	tftp_xfer_start(&x, &r);
	ck_assert_int_eq(tftp_xfer_input(&x, err, sizeof(err)),
	    TFTP_XFER_ABORTED);
	/* A source that cannot be read. */
	T.fail_read = 1;
	xfer_init(&x);
	ck_assert_int_eq(tftp_xfer_start(&x, &r), TFTP_XFER_FAILED);
	ck_assert_str_eq(tftp_state_str(TFTP_XFER_TIMEDOUT), "timed-out");
	t_teardown();
}
END_TEST

static Suite *
tftp_suite(void)
{
	Suite	*s = suite_create("tftp");
	TCase	*tc = tcase_create("tftp");

	tcase_add_test(tc, test_parse_plain);
	tcase_add_test(tc, test_parse_options);
	tcase_add_test(tc, test_parse_refused);
	tcase_add_test(tc, test_reply_and_error);
	tcase_add_test(tc, test_netascii);
	tcase_add_test(tc, test_xfer_lockstep);
	tcase_add_test(tc, test_xfer_exact_blocks);
	tcase_add_test(tc, test_xfer_oack);
	tcase_add_test(tc, test_xfer_window_gap);
	tcase_add_test(tc, test_xfer_rollover);
	tcase_add_test(tc, test_xfer_give_up);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(tftp_suite());
}
