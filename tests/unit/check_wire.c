/*
 * check_wire.c - the bounds-checked cursor under every parser.
 */
#include "config.h"

#include "testutil.h"

#include "wire.h"

START_TEST(test_read_be)
{
	static const uint8_t	buf[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
				    0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
				    0x0e, 0x0f };
	struct wire		w;

	/* Start at an odd offset: reads must not need alignment. */
	wire_init(&w, buf + 1, sizeof(buf) - 1);
	ck_assert_uint_eq(wire_read_u16(&w), 0x0203);
	ck_assert_uint_eq(wire_read_u32(&w), 0x04050607);
	ck_assert_uint_eq(wire_read_u64(&w), 0x08090a0b0c0d0e0fULL);
	ck_assert_int_eq(w.err, 0);
	ck_assert_uint_eq(w.rem, 0);
}
END_TEST

START_TEST(test_overrun_is_sticky)
{
	static const uint8_t	buf[3] = { 0xaa, 0xbb, 0xcc };
	struct wire		w;
	uint8_t			out[4] = { 1, 2, 3, 4 };

	wire_init(&w, buf, sizeof(buf));
	ck_assert_uint_eq(wire_read_u16(&w), 0xaabb);
	ck_assert_uint_eq(wire_read_u16(&w), 0);	/* one byte left */
	ck_assert_int_eq(w.err, 1);
	/* The last byte is not handed out after the error. */
	ck_assert_uint_eq(wire_read_u8(&w), 0);
	wire_read(&w, out, 2);
	ck_assert_uint_eq(out[0], 0);
	ck_assert_uint_eq(out[1], 0);
	ck_assert_uint_eq(out[2], 3);
	wire_skip(&w, 1);
	ck_assert_int_eq(w.err, 1);
}
END_TEST

START_TEST(test_write)
{
	uint8_t		buf[7];
	struct wire	w;

	memset(buf, 0xee, sizeof(buf));
	wire_init(&w, buf, 6);
	wire_write_u8(&w, 0x35);
	wire_write_u16(&w, 0x0102);
	wire_write(&w, "ab", 2);
	wire_write_u16(&w, 0xffff);	/* one byte of room: refused whole */
	ck_assert_int_eq(w.err, 1);
	ck_assert_mem_eq(buf, "\x35\x01\x02" "ab\xee\xee", 7);
}
END_TEST

static Suite *
wire_suite(void)
{
	Suite	*s = suite_create("wire");
	TCase	*tc = tcase_create("wire");

	tcase_add_test(tc, test_read_be);
	tcase_add_test(tc, test_overrun_is_sticky);
	tcase_add_test(tc, test_write);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(wire_suite());
}
