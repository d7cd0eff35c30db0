/*
 * check_addr.c - MAC and IPv4 text forms.
 */
#include "config.h"

#include "testutil.h"

#include "addr.h"

static const uint8_t want[6] = { 0x00, 0x04, 0x13, 0xaa, 0xbb, 0x0c };

START_TEST(test_mac_forms)
{
	static const char *const ok[] = {
		"00:04:13:aa:bb:0c", "00:04:13:AA:BB:0C", "00-04-13-aa-bb-0c",
		"0004.13aa.bb0c", "000413aabb0c", "000413AABB0C",
	};
	struct mac_addr m;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		memset(&m, 0xee, sizeof(m));
		ck_assert_msg(mac_parse(ok[i], &m) == 0, "%s", ok[i]);
		ck_assert_mem_eq(m.b, want, 6);
	}
}
END_TEST

START_TEST(test_mac_rejects)
{
	static const char *const bad[] = {
		"", "00:04:13:aa:bb", "00:04:13:aa:bb:0c:", "00:04:13:aa:bb:0g",
		"00:04-13:aa:bb:0c", "0004.13aa.bb0", "000413aabb0c0",
		"00:04:13:aa:bb:c", " 00:04:13:aa:bb:0c", "0:04:13:aa:bb:0cc",
		"00.04.13.aa.bb.0c", "000413aabb0c\n",
	};
	struct mac_addr m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(mac_parse(bad[i], &m) == -1, "'%s' accepted",
		    bad[i]);
	/* A length-bounded parse ignores what follows. */
	ck_assert_int_eq(mac_parse_n("000413aabb0c.cfg", 12, &m), 0);
	ck_assert_mem_eq(m.b, want, 6);
}
END_TEST

START_TEST(test_mac_format)
{
	struct mac_addr	m;
	char		s[MAC_STR_LEN], p[MAC_PLAIN_LEN];

	memcpy(m.b, want, 6);
	ck_assert_str_eq(mac_format(&m, s), "00:04:13:aa:bb:0c");
	ck_assert_str_eq(mac_format_plain(&m, p, 0), "000413aabb0c");
	ck_assert_str_eq(mac_format_plain(&m, p, 1), "000413AABB0C");
}
END_TEST

START_TEST(test_ip4)
{
	uint32_t	ip;
	char		s[IP4_STR_LEN];

	ck_assert_int_eq(ip4_parse("10.42.0.1", &ip), 0);
	ck_assert_uint_eq(ip, 0x0a2a0001);
	ck_assert_int_eq(ip4_parse("255.255.255.255", &ip), 0);
	ck_assert_uint_eq(ip, 0xffffffff);
	ck_assert_int_eq(ip4_parse("0.0.0.0", &ip), 0);
	ck_assert_uint_eq(ip, 0);
	ck_assert_str_eq(ip4_format(0xc0a8010a, s), "192.168.1.10");
	ck_assert_int_eq(ip4_parse("256.1.1.1", &ip), -1);
	ck_assert_int_eq(ip4_parse("1.2.3", &ip), -1);
	ck_assert_int_eq(ip4_parse("1.2.3.4.5", &ip), -1);
	ck_assert_int_eq(ip4_parse("1.2.3.", &ip), -1);
	ck_assert_int_eq(ip4_parse(".1.2.3", &ip), -1);
	ck_assert_int_eq(ip4_parse("1..2.3", &ip), -1);
	ck_assert_int_eq(ip4_parse("1.2.3.4 ", &ip), -1);
	ck_assert_int_eq(ip4_parse("1.2.3.0004", &ip), -1);
	ck_assert_int_eq(ip4_parse("a.b.c.d", &ip), -1);
	ck_assert_int_eq(ip4_parse("", &ip), -1);
}
END_TEST

START_TEST(test_cidr)
{
	uint32_t	net;
	unsigned	len;

	ck_assert_int_eq(cidr_parse("10.42.0.0/24", &net, &len), 0);
	ck_assert_uint_eq(net, 0x0a2a0000);
	ck_assert_uint_eq(len, 24);
	ck_assert_uint_eq(ip4_mask(24), 0xffffff00);
	ck_assert_uint_eq(ip4_mask(0), 0);
	ck_assert_uint_eq(ip4_mask(32), 0xffffffff);
	ck_assert_int_eq(cidr_parse("10.42.0.0/33", &net, &len), -1);
	ck_assert_int_eq(cidr_parse("10.42.0.0/", &net, &len), -1);
	ck_assert_int_eq(cidr_parse("10.42.0.0", &net, &len), -1);
	ck_assert_int_eq(cidr_parse("10.42.0.0/2x", &net, &len), -1);
	ck_assert_int_eq(cidr_parse("10.42.0/24", &net, &len), -1);
}
END_TEST

static Suite *
addr_suite(void)
{
	Suite	*s = suite_create("addr");
	TCase	*tc = tcase_create("addr");

	tcase_add_test(tc, test_mac_forms);
	tcase_add_test(tc, test_mac_rejects);
	tcase_add_test(tc, test_mac_format);
	tcase_add_test(tc, test_ip4);
	tcase_add_test(tc, test_cidr);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(addr_suite());
}
