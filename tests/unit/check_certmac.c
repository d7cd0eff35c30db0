/*
 * check_certmac.c - the MAC address in a phone's factory client
 * certificate: MACs in free text, then in certificates the tests make
 * themselves (self-signed, EC P-256, parsed back from DER like a peer's).
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "testutil.h"

#include "addr.h"
#include "certmac.h"

#define SNOM_MAC	"00:04:13:92:2d:24"
#define CISCO_MAC	"00:0e:08:ab:cd:ef"
#define YEA_MAC		"80:5e:c0:aa:bb:cc"

/*
 * Runs certmac_from_text on a copy of text in a buffer of exactly its
 * length, without a NUL: ASan reports any read past the end.
 */
static int
from_text_exact(const char *text, size_t len, struct mac_addr *out)
{
	char	*copy = malloc(len > 0 ? len : 1);
	int	 rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, len);
	rc = certmac_from_text(copy, len, out);
	free(copy);
	return rc;
}

static char *
fmt(const struct mac_addr *m, char buf[MAC_STR_LEN])
{
	return mac_format(m, buf);
}

START_TEST(test_text_accepts)
{
	static const char *const ok[] = {
		"000413922D24", "000413922d24", "00:04:13:92:2D:24",
		"00:04:13:92:2d:24", "00-04-13-92-2D-24", "0004.1392.2D24",
		"0004.1392.2d24", "SEP000413922D24", "sep000413922d24.cnf.xml",
		"MAC:000413922d24", "MAC:00-04-13-92-2D-24",
		"MAC:00:04:13:92:2D:24", "MAC=0004.1392.2d24",
		"urn:dev:mac:000413922d24", "mac-000413922d24.phones.example",
		"snom D785 000413922D24 rev2", "unit000413922D24x",
		"CP-8841-000413922d24", "SIP-T46S 00:04:13:92:2d:24",
		"SEP00:04:13:92:2D:24", "00:04:13:92:2d:24:cafeteria",
		"(00-04-13-92-2d-24)", "000413922D24\n", "00:04:13:92:2d:24:",
		/* The same MAC twice, in the same or another form. */
		"000413922d24 000413922D24", "00:04:13:92:2d:24 / 000413922d24",
		"SEP000413922D24 0004.1392.2d24",
	};
	struct mac_addr	 m;
	char		 b[MAC_STR_LEN];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		memset(&m, 0xee, sizeof(m));
		ck_assert_msg(from_text_exact(ok[i], strlen(ok[i]), &m) == 0,
		    "'%s' refused", ok[i]);
		ck_assert_msg(strcmp(fmt(&m, b), SNOM_MAC) == 0, "'%s' -> %s",
		    ok[i], b);
	}
}
END_TEST

START_TEST(test_text_rejects)
{
	static const char *const bad[] = {
		"", "no mac here", "SEPZZ",
		/* Hex runs of 11, 13 and 16 digits. */
		"000413922D2", "000413922D24a", "SEP000413922D245",
		"cafe000413922D24", "0123456789abcdef", "x0123456789abcdefx",
		/* Mixed or wrong separators, wrong groups. */
		"00:04-13:92:2d:24", "00:04:13:92:2d-24", "00-04-13-92-2d:24",
		"00.04.13.92.2d.24", "0004:1392:2d24", "0004-1392-2d24",
		"0004.1392-2d24", "00:04:13:92:2d", "0:04:13:92:2d:24",
		"000:04:13:92:2d:24", "00:04:13:92:2d:245",
		"00::04:13:92:2d:24", ":00:04:13:92:2d:2",
		/* Part of a longer run of groups. */
		"00:04:13:92:2d:24:55", "55:00:04:13:92:2d:24",
		"AC:00:04:13:92:2D:24", "1234.0004.1392.2d24",
		"0004.1392.2d24.abcd", "fe80:00:04:13:92:2d:24",
		/* Two different MACs. */
		"000413922d24 805ec0aabbcc", "000413922d24/80:5e:c0:aa:bb:cc",
		"SEP000413922D24 SEP000413922D25",
	};
	struct mac_addr	 m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(from_text_exact(bad[i], strlen(bad[i]), &m) ==
		    -1, "'%s' accepted", bad[i]);
}
END_TEST

START_TEST(test_text_bounds)
{
	static const char	 nul[] = "000413922d24\0x";
	struct mac_addr		 m;
	char			 b[MAC_STR_LEN];

	/* Only s[0..len) counts: what follows is never looked at. */
	ck_assert_int_eq(from_text_exact("000413922d24ff", 12, &m), 0);
	ck_assert_str_eq(fmt(&m, b), SNOM_MAC);
	ck_assert_int_eq(from_text_exact("000413922d24", 11, &m), -1);
	ck_assert_int_eq(from_text_exact("00:04:13:92:2d:24", 16, &m), -1);
	ck_assert_int_eq(from_text_exact("MAC:00:04:13:92:2d:24:55", 21, &m),
	    0);
	ck_assert_str_eq(fmt(&m, b), SNOM_MAC);
	/* Empty, and a NUL byte inside. */
	ck_assert_int_eq(certmac_from_text(NULL, 0, &m), -1);
	ck_assert_int_eq(certmac_from_text("000413922d24", 0, &m), -1);
	ck_assert_int_eq(from_text_exact(nul, sizeof(nul) - 1, &m), -1);
	ck_assert_int_eq(from_text_exact(nul, 12, &m), 0);
}
END_TEST

/*
 * A certificate under construction: the subject and SANs are added one by
 * one, then cert_done() signs it and parses it back from DER.
 */
struct certb {
	X509		*x;
	GENERAL_NAMES	*san;
};

static void
cb_init(struct certb *cb)
{
	ck_assert_ptr_nonnull(cb->x = X509_new());
	ck_assert_ptr_nonnull(cb->san = GENERAL_NAMES_new());
	ck_assert_int_eq(X509_set_version(cb->x, X509_VERSION_3), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(cb->x), 42),
	    1);
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(cb->x), 0));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(cb->x),
	    3600));
}

static void
cb_subj_n(struct certb *cb, const char *field, const char *value,
    size_t len)
{
	X509_NAME *name = X509_get_subject_name(cb->x);

	ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
	    (const unsigned char *)value, (int)len, -1, 0), 1);
}

static void
cb_subj(struct certb *cb, const char *field, const char *value)
{
	cb_subj_n(cb, field, value, strlen(value));
}

/* A DNS name, URI or e-mail address. */
static void
cb_san_ia5(struct certb *cb, int type, const char *text)
{
	GENERAL_NAME	*gen = GENERAL_NAME_new();
	ASN1_IA5STRING	*s = ASN1_IA5STRING_new();

	ck_assert_ptr_nonnull(gen);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(ASN1_STRING_set(s, text, (int)strlen(text)), 1);
	GENERAL_NAME_set0_value(gen, type, s);
	ck_assert_int_gt(sk_GENERAL_NAME_push(cb->san, gen), 0);
}

/* A directoryName with one attribute. */
static void
cb_san_dirname(struct certb *cb, const char *field, const char *value)
{
	GENERAL_NAME	*gen = GENERAL_NAME_new();
	X509_NAME	*name = X509_NAME_new();

	ck_assert_ptr_nonnull(gen);
	ck_assert_ptr_nonnull(name);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
	    (const unsigned char *)value, -1, -1, 0), 1);
	GENERAL_NAME_set0_value(gen, GEN_DIRNAME, name);
	ck_assert_int_gt(sk_GENERAL_NAME_push(cb->san, gen), 0);
}

/* An otherName (private OID) whose value has the ASN.1 type `type`. */
static void
cb_san_other(struct certb *cb, int type, const char *text)
{
	GENERAL_NAME	*gen = GENERAL_NAME_new();
	ASN1_OBJECT	*oid = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
	ASN1_STRING	*s = ASN1_STRING_type_new(type);
	ASN1_TYPE	*val = ASN1_TYPE_new();

	ck_assert_ptr_nonnull(gen);
	ck_assert_ptr_nonnull(oid);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(val);
	ck_assert_int_eq(ASN1_STRING_set(s, text, (int)strlen(text)), 1);
	ASN1_TYPE_set(val, type, s);
	ck_assert_int_eq(GENERAL_NAME_set0_othername(gen, oid, val), 1);
	ck_assert_int_gt(sk_GENERAL_NAME_push(cb->san, gen), 0);
}

/* Signs, encodes and decodes the certificate; frees the builder. */
static X509 *
cb_done(struct certb *cb)
{
	EVP_PKEY		*key = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "P-256");
	unsigned char		*der = NULL;
	const unsigned char	*p;
	X509			*parsed;
	int			 len;

	ck_assert_ptr_nonnull(key);
	ck_assert_int_eq(X509_set_issuer_name(cb->x,
	    X509_get_subject_name(cb->x)), 1);
	if (sk_GENERAL_NAME_num(cb->san) > 0)
		ck_assert_int_eq(X509_add1_ext_i2d(cb->x, NID_subject_alt_name,
		    cb->san, 0, X509V3_ADD_DEFAULT), 1);
	ck_assert_int_eq(X509_set_pubkey(cb->x, key), 1);
	ck_assert_int_gt(X509_sign(cb->x, key, EVP_sha256()), 0);
	ck_assert_int_gt(len = i2d_X509(cb->x, &der), 0);
	p = der;
	ck_assert_ptr_nonnull(parsed = d2i_X509(NULL, &p, len));
	OPENSSL_free(der);
	EVP_PKEY_free(key);
	GENERAL_NAMES_free(cb->san);
	X509_free(cb->x);
	cb->san = NULL;
	cb->x = NULL;
	return parsed;
}

/* certmac_find must give want (a "aa:bb:.." string) from the place where. */
static void
expect_find(X509 *x, const char *want, const char *where)
{
	struct mac_addr	 m;
	char		 b[MAC_STR_LEN], w[64];

	ck_assert_int_eq(certmac_find(x, &m, w, sizeof(w)), 0);
	ck_assert_str_eq(fmt(&m, b), want);
	ck_assert_str_eq(w, where);
}

START_TEST(test_find_snom)
{
	struct certb	 cb;
	X509		*x;

	cb_init(&cb);
	cb_subj(&cb, "O", "snom technology GmbH");
	cb_subj(&cb, "CN", "000413922D24");
	x = cb_done(&cb);
	expect_find(x, SNOM_MAC, "CN");
	X509_free(x);
}
END_TEST

START_TEST(test_find_cisco)
{
	struct certb	 cb;
	X509		*x;

	/* The MAC in serialNumber; the CN holds product and serial only. */
	cb_init(&cb);
	cb_subj(&cb, "O", "Cisco Systems Inc.");
	cb_subj(&cb, "CN", "CP-8841-3PCC FCH2148A1B2");
	cb_subj(&cb, "serialNumber", "000e08abcdef");
	x = cb_done(&cb);
	expect_find(x, CISCO_MAC, "subject serialNumber");
	X509_free(x);

	/* "S=000e08abcdef" in an OU, after an OU without a MAC. */
	cb_init(&cb);
	cb_subj(&cb, "OU", "PID:CP-8841-3PCC SN:FCH2148A1B2");
	cb_subj(&cb, "OU", "S=000e08abcdef");
	cb_subj(&cb, "CN", "CP-8841-3PCC");
	x = cb_done(&cb);
	expect_find(x, CISCO_MAC, "subject OU");
	X509_free(x);
}
END_TEST

START_TEST(test_find_yealink)
{
	struct certb	 cb;
	X509		*x;

	cb_init(&cb);
	cb_subj(&cb, "O", "Yealink");
	cb_subj(&cb, "CN", "SIP-T46S 80:5e:c0:aa:bb:cc");
	x = cb_done(&cb);
	expect_find(x, YEA_MAC, "CN");
	X509_free(x);
}
END_TEST

START_TEST(test_find_san)
{
	struct certb	 cb;
	X509		*x;

	/* Only in a DNS name. */
	cb_init(&cb);
	cb_subj(&cb, "CN", "Yealink Phone");
	cb_san_ia5(&cb, GEN_DNS, "phone.example");
	cb_san_ia5(&cb, GEN_DNS, "mac-805ec0aabbcc.phones.example");
	x = cb_done(&cb);
	expect_find(x, YEA_MAC, "SAN DNS");
	X509_free(x);

	/* Only in a URI (listed before a DNS name without one). */
	cb_init(&cb);
	cb_subj(&cb, "CN", "Phone");
	cb_san_ia5(&cb, GEN_URI, "urn:dev:mac:805ec0aabbcc");
	cb_san_ia5(&cb, GEN_DNS, "phone.example");
	x = cb_done(&cb);
	expect_find(x, YEA_MAC, "SAN URI");
	X509_free(x);

	/* DNS beats URI whatever the order in the certificate. */
	cb_init(&cb);
	cb_san_ia5(&cb, GEN_URI, "urn:dev:mac:000413922d24");
	cb_san_ia5(&cb, GEN_DNS, "mac-805ec0aabbcc.phones.example");
	x = cb_done(&cb);
	expect_find(x, YEA_MAC, "SAN DNS");
	X509_free(x);

	cb_init(&cb);
	cb_san_ia5(&cb, GEN_EMAIL, "805ec0aabbcc@phones.example");
	x = cb_done(&cb);
	expect_find(x, YEA_MAC, "SAN email");
	X509_free(x);
}
END_TEST

START_TEST(test_find_san_dirname_othername)
{
	struct certb	 cb;
	X509		*x;

	cb_init(&cb);
	cb_subj(&cb, "CN", "Phone");
	cb_san_dirname(&cb, "OU", "80-5E-C0-AA-BB-CC");
	x = cb_done(&cb);
	expect_find(x, YEA_MAC, "SAN dirName OU");
	X509_free(x);

	cb_init(&cb);
	cb_san_other(&cb, V_ASN1_UTF8STRING, "mac 805ec0aabbcc");
	x = cb_done(&cb);
	expect_find(x, YEA_MAC, "SAN otherName");
	X509_free(x);

	/* An otherName that is not a character string is not read. */
	cb_init(&cb);
	cb_san_other(&cb, V_ASN1_OCTET_STRING, "805ec0aabbcc");
	x = cb_done(&cb);
	ck_assert_int_eq(certmac_find(x, &(struct mac_addr){ { 0 } }, NULL,
	    0), -1);
	X509_free(x);
}
END_TEST

START_TEST(test_find_order)
{
	struct certb	 cb;
	X509		*x;

	/* CN beats SAN, and beats an attribute listed before it. */
	cb_init(&cb);
	cb_subj(&cb, "OU", "000e08abcdef");
	cb_subj(&cb, "CN", "000413922D24");
	cb_san_ia5(&cb, GEN_DNS, "mac-805ec0aabbcc.phones.example");
	x = cb_done(&cb);
	expect_find(x, SNOM_MAC, "CN");
	X509_free(x);

	/* A subject attribute beats SAN. */
	cb_init(&cb);
	cb_subj(&cb, "CN", "CP-8841-3PCC");
	cb_subj(&cb, "serialNumber", "000e08abcdef");
	cb_san_ia5(&cb, GEN_DNS, "mac-805ec0aabbcc.phones.example");
	x = cb_done(&cb);
	expect_find(x, CISCO_MAC, "subject serialNumber");
	X509_free(x);
}
END_TEST

START_TEST(test_find_ambiguous_skipped)
{
	static const char	 nul[] = "000413922D24\0.evil.example";
	struct certb		 cb;
	X509			*x;

	/* A CN with two different MACs is passed over, not guessed at. */
	cb_init(&cb);
	cb_subj(&cb, "CN", "000413922D24 000e08abcdef");
	cb_san_ia5(&cb, GEN_DNS, "mac-805ec0aabbcc.phones.example");
	x = cb_done(&cb);
	expect_find(x, YEA_MAC, "SAN DNS");
	X509_free(x);

	/* So is a CN with a NUL byte inside. */
	cb_init(&cb);
	cb_subj_n(&cb, "CN", nul, sizeof(nul) - 1);
	cb_san_ia5(&cb, GEN_URI, "urn:dev:mac:000e08abcdef");
	x = cb_done(&cb);
	expect_find(x, CISCO_MAC, "SAN URI");
	X509_free(x);
}
END_TEST

START_TEST(test_find_none)
{
	struct certb	 cb;
	struct mac_addr	 m;
	X509		*x;
	char		 w[16] = "junk";

	cb_init(&cb);
	cb_subj(&cb, "O", "ACME Phones");
	cb_subj(&cb, "CN", "Phone 0123456789abcdef");
	cb_subj(&cb, "serialNumber", "000413922D2");
	cb_san_ia5(&cb, GEN_DNS, "00-04-13-92-2d-24-55.phones.example");
	cb_san_ia5(&cb, GEN_URI, "urn:dev:mac:000413922d24 805ec0aabbcc");
	x = cb_done(&cb);
	ck_assert_int_eq(certmac_find(x, &m, w, sizeof(w)), -1);
	ck_assert_str_eq(w, "");
	X509_free(x);

	/* No subject at all, no SAN. */
	cb_init(&cb);
	x = cb_done(&cb);
	ck_assert_int_eq(certmac_find(x, &m, NULL, 0), -1);
	X509_free(x);

	ck_assert_int_eq(certmac_find(NULL, &m, w, sizeof(w)), -1);
}
END_TEST

START_TEST(test_find_where_buffer)
{
	struct certb	 cb;
	struct mac_addr	 m;
	X509		*x;
	char		 b[MAC_STR_LEN], w[8];

	cb_init(&cb);
	cb_subj(&cb, "serialNumber", "000e08abcdef");
	x = cb_done(&cb);
	ck_assert_int_eq(certmac_find(x, &m, NULL, 0), 0);
	ck_assert_str_eq(fmt(&m, b), CISCO_MAC);
	ck_assert_int_eq(certmac_find(x, &m, w, sizeof(w)), 0);
	ck_assert_str_eq(w, "subject");	/* cut to fit */
	X509_free(x);
}
END_TEST

START_TEST(test_subject)
{
	static const char	 cn[] = "evil\nCN=admin\x01";
	struct certb		 cb;
	X509			*x;
	char			 buf[256], small[16];

	cb_init(&cb);
	cb_subj(&cb, "O", "Doe, \"J\"");
	cb_subj(&cb, "CN", cn);
	x = cb_done(&cb);
	ck_assert_str_eq(certmac_subject(x, buf, sizeof(buf)),
	    "CN=evil\\x0aCN=admin\\x01,O=Doe\\\\, \\\\\\\"J\\\\\\\"");
	for (const char *p = buf; *p != '\0'; p++)
		ck_assert_msg(*p >= 0x20 && *p < 0x7f, "raw byte 0x%02x",
		    (unsigned char)*p);

	/* Cut to fit, still terminated. */
	ck_assert_str_eq(certmac_subject(x, small, sizeof(small)),
	    "CN=evil\\x0aC...");
	X509_free(x);

	ck_assert_str_eq(certmac_subject(NULL, buf, sizeof(buf)), "(unknown)");
	small[0] = 'z';
	ck_assert_ptr_eq(certmac_subject(NULL, small, 0), small);
	ck_assert_int_eq(small[0], 'z');
}
END_TEST

static Suite *
certmac_suite(void)
{
	Suite	*s = suite_create("certmac");
	TCase	*text = tcase_create("text");
	TCase	*cert = tcase_create("cert");

	tcase_add_test(text, test_text_accepts);
	tcase_add_test(text, test_text_rejects);
	tcase_add_test(text, test_text_bounds);
	suite_add_tcase(s, text);

	tcase_add_test(cert, test_find_snom);
	tcase_add_test(cert, test_find_cisco);
	tcase_add_test(cert, test_find_yealink);
	tcase_add_test(cert, test_find_san);
	tcase_add_test(cert, test_find_san_dirname_othername);
	tcase_add_test(cert, test_find_order);
	tcase_add_test(cert, test_find_ambiguous_skipped);
	tcase_add_test(cert, test_find_none);
	tcase_add_test(cert, test_find_where_buffer);
	tcase_add_test(cert, test_subject);
	suite_add_tcase(s, cert);
	return s;
}

int
main(void)
{
	return tu_run(certmac_suite());
}
