/*
 * check_pnp.c - what a SIP plug-and-play SUBSCRIBE gets (pnp.h): the DHCP
 * answer's rules, played by a phone and by an attacker who names its MAC.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "tu_reg.h"

#include "cfg.h"
#include "enroll.h"
#include "pnp.h"
#include "registry.h"
#include "sync.h"

#define IP4(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			    (uint32_t)(c) << 8 | (uint32_t)(d))
#define NOW		((time_t)1700000100)
#define PHONE_IP	IP4(10, 42, 0, 60)
#define OTHER_IP	IP4(10, 42, 0, 61)
#define SERVER_IP	IP4(10, 42, 0, 1)

static const char conf[] =
    "registry = { path = \"reg\"; sync = false; };\n"
    "provisioning = {\n"
    "  listen = [ \"127.0.0.1:8443\" ];\n"
    "  base_url = \"https://10.42.0.1\";\n"
    "  sip_pnp = true;\n"
    "  tls = { cert = \"server.crt\"; key = \"server.key\";\n"
    "          client_ca = \"phones-ca.pem\"; };\n"
    "};\n"
    "vendors = (\n"
    "  { name = \"yealink\"; match = { oui = [ \"80:5e:c0\" ]; };\n"
    "    mode = \"token\"; pnp_url = \"{{ base_url }}/p/{{ token }}/\"; },\n"
    "  { name = \"snom\"; match = { oui = [ \"00:04:13\" ]; };\n"
    "    mode = \"token\"; },\n"
    "  { name = \"aastra\"; match = { oui = [ \"00:08:5d\" ]; };\n"
    "    mode = \"legacy\"; legacy = { client_cert = false; };\n"
    "    pnp_url = \"tftp://{{ server_ip }}/{{ device.MAC }}.cfg\"; },\n"
    "  { name = \"tcert\"; match = { oui = [ \"64:16:7f\" ]; };\n"
    "    mode = \"token\"; client_cert = true;\n"
    "    pnp_url = \"{{ base_url }}/p/{{ token }}/{{ device.mac }}\"; },\n"
    "  { name = \"other\"; default = true; }\n"
    ");\n"
    "users = (\n"
    "  { name = \"alice\"; sip = { user = \"201\"; password = \"pw-a\";\n"
    "      server = \"10.42.0.1\"; };\n"
    "    devices = ( { mac = \"80:5e:c0:00:00:01\"; vendor = \"yealink\"; },\n"
    "      { mac = \"00:04:13:00:00:02\"; vendor = \"snom\"; } ); },\n"
    "  { name = \"bob\"; sip = { user = \"202\"; password = \"pw-b\";\n"
    "      server = \"10.42.0.1\"; };\n"
    "    devices = ( { mac = \"00:08:5d:00:00:03\"; vendor = \"aastra\"; },\n"
    "      { mac = \"64:16:7f:00:00:04\"; vendor = \"tcert\"; } ); }\n"
    ");\n";

static char		*dir;
static struct cfg	*cfg;
static struct reg	*reg;

static void
setup(void)
{
	struct cfg_errors	 errs;
	struct reg_sync_stats	 st;
	char			*path, err[512], line[512];

	dir = tu_mkdtemp();
	path = tu_write(dir, "provbox.conf", conf);
	if (cfg_load(path, CFG_NO_FILE_CHECKS, &cfg, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", cfg_error_format(&errs.v[i],
			    line, sizeof(line)));
		ck_abort_msg("the test config does not load");
	}
	free(path);
	ck_assert(asprintf(&path, "%s/reg", dir) > 0);
	if (reg_open(path, 16 << 20, REG_NOSYNC, &reg, err, sizeof(err)) != 0)
		ck_abort_msg("%s", err);
	free(path);
	if (reg_sync(reg, cfg, NOW - 100, &st, err, sizeof(err)) != 0)
		ck_abort_msg("%s", err);
}

static void
teardown(void)
{
	reg_close(reg);
	cfg_free(cfg);
	tu_rmtree(dir);
}

static void
lease(uint32_t ip, const char *mac)
{
	tu_lease(reg, ip, mac, NOW - 100, NOW + 3600);
}

/*
 * An enrollment window for mac; with bind, its first-access token goes to
 * the identity "H\1" + mac with the last byte id_byte (dhcpd's way), at
 * PHONE_IP; the token goes to fa.
 */
static void
enroll(const char *mac, int bind, uint8_t id_byte, char fa[TOKEN_LEN + 1])
{
	struct mac_addr	m;
	uint8_t		id[8];

	ck_assert_int_eq(mac_parse(mac, &m), 0);
	tu_hw_key(&m, id);
	id[7] = id_byte;
	tu_enroll(reg, mac, NOW - 60, PHONE_IP, bind ? id : NULL, sizeof(id),
	    fa);
}

/* Asks as a SUBSCRIBE naming mac (NULL: none) from src. */
static void
ask(const char *mac, uint32_t src, struct pnp_answer *a)
{
	struct sippnp_sub	*s = calloc(1, sizeof(*s));
	struct reg_txn		 txn;

	ck_assert_ptr_nonnull(s);
	if (mac != NULL) {
		ck_assert_int_eq(mac_parse(mac, &s->mac), 0);
		s->has_mac = 1;
	}
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	pnp_decide(cfg, &txn, s, src, SERVER_IP, NOW, a);
	reg_txn_abort(&txn);
	free(s);
}

static void
assert_refused(const struct pnp_answer *a, enum pnp_refusal why)
{
	ck_assert_msg(a->refused == why, "refused %s, expected %s",
	    pnp_refusal_str(a->refused), pnp_refusal_str(why));
	ck_assert_str_eq(a->url, "");
}

/* The enrolling phone, from its lease: its first-access folder, bound. */
START_TEST(test_enrolling_phone)
{
	struct pnp_answer	a;
	char			fa[TOKEN_LEN + 1], want[256];

	lease(PHONE_IP, "80:5e:c0:00:00:01");
	enroll("80:5e:c0:00:00:01", 0, 0, fa);
	ask("80:5e:c0:00:00:01", PHONE_IP, &a);
	ck_assert_msg(a.refused == PNP_OK, "%s", pnp_refusal_str(a.refused));
	snprintf(want, sizeof(want), "https://10.42.0.1/p/%s/", fa);
	ck_assert_str_eq(a.url, want);
	ck_assert_int_eq(a.first_access, 1);
	ck_assert_str_eq(a.user, "alice");
	ck_assert_str_eq(a.vendor, "yealink");
	/* Its token shortened for the log, never whole. */
	ck_assert_ptr_null(strstr(a.token_hint, fa));
	ck_assert_int_eq(strncmp(a.token_hint, fa, 4), 0);
	/* Nobody had it: it goes to the lease's identity now. */
	ck_assert_int_eq(a.eop.kind, EOP_HANDED);
	ck_assert_uint_eq(a.eop.ip, PHONE_IP);
	ck_assert_uint_eq(a.eop.id_len, 8);
	pnp_answer_clear(&a);
	ck_assert_str_eq(a.url, "");
}
END_TEST

/* What an attacker naming the phone's MAC gets: nothing, every way. */
START_TEST(test_attacker)
{
	struct pnp_answer	a;

	lease(PHONE_IP, "80:5e:c0:00:00:01");
	/* Before any window: nothing to give. */
	ask("80:5e:c0:00:00:01", PHONE_IP, &a);
	assert_refused(&a, PNP_NOT_ENROLLING);
	ck_assert_int_eq(a.eop.kind, EOP_NONE);
	enroll("80:5e:c0:00:00:01", 0, 0, NULL);
	/* From an address that does not hold the MAC's lease. */
	ask("80:5e:c0:00:00:01", OTHER_IP, &a);
	assert_refused(&a, PNP_NO_LEASE);
	ck_assert_int_eq(a.eop.kind, EOP_NONE);
	/* A MAC nobody registered, and no MAC at all. */
	ask("80:5e:c0:00:00:99", PHONE_IP, &a);
	assert_refused(&a, PNP_UNREGISTERED);
	ck_assert_ptr_null(a.vendor);
	ask(NULL, PHONE_IP, &a);
	assert_refused(&a, PNP_NO_MAC);
	/* A class without a pnp_url, even enrolling, from its lease. */
	lease(OTHER_IP, "00:04:13:00:00:02");
	enroll("00:04:13:00:00:02", 0, 0, NULL);
	ask("00:04:13:00:00:02", OTHER_IP, &a);
	assert_refused(&a, PNP_NO_URL);
}
END_TEST

/*
 * The token went to another client identity first (the lease here is
 * under the MAC's hardware identity, the enrollment under another): one
 * of the two is not the phone, and nobody gets it; the device's history
 * learns of it.
 */
START_TEST(test_other_identity)
{
	struct pnp_answer	a;

	lease(PHONE_IP, "80:5e:c0:00:00:01");
	enroll("80:5e:c0:00:00:01", 1, 0x77, NULL);
	ask("80:5e:c0:00:00:01", PHONE_IP, &a);
	assert_refused(&a, PNP_IDENTITY);
	ck_assert_int_eq(a.eop.kind, EOP_REFUSED);
	/* Bound to the lease's own identity: served, nothing to learn. */
	teardown();
	setup();
	lease(PHONE_IP, "80:5e:c0:00:00:01");
	enroll("80:5e:c0:00:00:01", 1, 0x01, NULL);
	ask("80:5e:c0:00:00:01", PHONE_IP, &a);
	ck_assert_msg(a.refused == PNP_OK, "%s", pnp_refusal_str(a.refused));
	ck_assert_int_eq(a.eop.kind, EOP_NONE);
	pnp_answer_clear(&a);
}
END_TEST

/*
 * A legacy class's URL names no token: any registered phone gets it (the
 * flat folder's guards decide what it then serves); ${server_ip} is the
 * address the SUBSCRIBE came to.
 */
START_TEST(test_legacy)
{
	struct pnp_answer a;

	ask("00:08:5d:00:00:03", OTHER_IP, &a);
	ck_assert_msg(a.refused == PNP_OK, "%s", pnp_refusal_str(a.refused));
	ck_assert_str_eq(a.url, "tftp://10.42.0.1/00085D000003.cfg");
	ck_assert_int_eq(a.first_access, 0);
	ck_assert_str_eq(a.token_hint, "");
	ck_assert_int_eq(a.eop.kind, EOP_NONE);
	pnp_answer_clear(&a);
}
END_TEST

/* A class that wants client certificates: the permanent folder, as DHCP. */
START_TEST(test_client_cert_class)
{
	struct pnp_answer	a;
	char			tok[TOKEN_LEN + 1], want[256];

	tu_token_of(reg, "bob", tok);
	ask("64:16:7f:00:00:04", OTHER_IP, &a);
	ck_assert_msg(a.refused == PNP_OK, "%s", pnp_refusal_str(a.refused));
	snprintf(want, sizeof(want), "https://10.42.0.1/p/%s/64167f000004",
	    tok);
	ck_assert_str_eq(a.url, want);
	ck_assert_int_eq(a.first_access, 0);
	pnp_answer_clear(&a);
}
END_TEST

START_TEST(test_refusal_names)
{
	ck_assert_str_eq(pnp_refusal_str(PNP_OK), "-");
	ck_assert_str_eq(pnp_refusal_str(PNP_NO_LEASE), "lease-binding");
	ck_assert_str_eq(pnp_refusal_str(PNP_COUNT), "unknown");
	for (int i = 0; i < PNP_COUNT; i++)
		ck_assert_ptr_nonnull(pnp_refusal_str((enum pnp_refusal)i));
}
END_TEST

static Suite *
pnp_suite(void)
{
	Suite	*s = suite_create("pnp");
	TCase	*tc = tcase_create("pnp");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_enrolling_phone);
	tcase_add_test(tc, test_attacker);
	tcase_add_test(tc, test_other_identity);
	tcase_add_test(tc, test_legacy);
	tcase_add_test(tc, test_client_cert_class);
	tcase_add_test(tc, test_refusal_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(pnp_suite());
}
