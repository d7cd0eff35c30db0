/*
 * check_token.c - token format, entropy and hashing.
 */
#include "config.h"

#include "testutil.h"

#include "token.h"

/*
 * Constants, checked where the compiler sees them: at least 128 random
 * bits, and every base64url character carries 6 of them (24 bytes are 32
 * characters with no padding and no part-filled last character), which
 * the per-bit count in test_entropy assumes.
 */
_Static_assert(TOKEN_BYTES * 8 >= 128, "a token carries fewer than 128 bits");
_Static_assert(TOKEN_LEN * 6 == TOKEN_BYTES * 8,
    "TOKEN_LEN characters do not carry exactly TOKEN_BYTES random bytes");

START_TEST(test_format)
{
	char tok[TOKEN_LEN + 1];

	ck_assert_int_eq(token_generate(tok), 0);
	ck_assert_uint_eq(strlen(tok), TOKEN_LEN);
	ck_assert(token_valid_format(tok, strlen(tok)));
	/* URL-safe: nothing a path would need escaped. */
	ck_assert_ptr_null(strpbrk(tok, "+/=%?#&. "));
}
END_TEST

START_TEST(test_valid_format_rejects)
{
	char tok[TOKEN_LEN + 2];

	ck_assert_int_eq(token_generate(tok), 0);
	ck_assert(!token_valid_format(tok, TOKEN_LEN - 1));
	tok[TOKEN_LEN] = 'A';
	tok[TOKEN_LEN + 1] = '\0';
	ck_assert(!token_valid_format(tok, TOKEN_LEN + 1));
	tok[TOKEN_LEN] = '\0';
	tok[3] = '/';
	ck_assert(!token_valid_format(tok, TOKEN_LEN));
	tok[3] = '=';
	ck_assert(!token_valid_format(tok, TOKEN_LEN));
	tok[3] = '\0';
	ck_assert(!token_valid_format(tok, TOKEN_LEN));
	ck_assert(!token_valid_format("", 0));
}
END_TEST

/* b64url alphabet index, or -1. */
static int
sym(char c)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789-_";
	const char *p = strchr(a, c);

	return c != '\0' && p != NULL ? (int)(p - a) : -1;
}

static int
tok_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

START_TEST(test_entropy)
{
	enum { N = 4000 };
	static char	 toks[N][TOKEN_LEN + 1];
	unsigned	 count[64] = { 0 };
	unsigned	 bits[TOKEN_LEN * 6] = { 0 };
	double		 chi = 0, expect = (double)N * TOKEN_LEN / 64;

	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(token_generate(toks[i]), 0);
		for (int k = 0; k < TOKEN_LEN; k++) {
			int v = sym(toks[i][k]);

			ck_assert_int_ge(v, 0);
			count[v]++;
			for (int b = 0; b < 6; b++)
				bits[k * 6 + b] += (unsigned)(v >> b) & 1;
		}
	}
	/* No two tokens alike. */
	qsort(toks, N, sizeof(toks[0]), tok_cmp);
	for (int i = 1; i < N; i++)
		ck_assert_str_ne(toks[i - 1], toks[i]);
	/*
	 * Symbols uniform: chi-square with 63 degrees of freedom stays
	 * below 120 with probability 1 - 1e-5 for a uniform source.
	 */
	for (int i = 0; i < 64; i++)
		chi += (count[i] - expect) * (count[i] - expect) / expect;
	ck_assert_msg(chi < 120, "chi-square %.1f: symbols not uniform", chi);
	/* Every bit position of every character varies (no stuck bits). */
	for (int i = 0; i < TOKEN_LEN * 6; i++)
		ck_assert_msg(bits[i] > N * 4 / 10 && bits[i] < N * 6 / 10,
		    "bit %d set %u times of %d", i, bits[i], N);
}
END_TEST

START_TEST(test_hash)
{
	/* SHA-256("abc"), FIPS 180-2 appendix B.1. */
	static const uint8_t abc[TOKEN_HASH_LEN] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
		0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	uint8_t	h[TOKEN_HASH_LEN], h2[TOKEN_HASH_LEN];

	ck_assert_int_eq(token_hash("abc", 3, h), 0);
	ck_assert_mem_eq(h, abc, sizeof(abc));
	ck_assert_int_eq(token_hash("abd", 3, h2), 0);
	ck_assert(memcmp(h, h2, sizeof(h)) != 0);
}
END_TEST

static Suite *
token_suite(void)
{
	Suite	*s = suite_create("token");
	TCase	*tc = tcase_create("token");

	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_valid_format_rejects);
	tcase_add_test(tc, test_entropy);
	tcase_add_test(tc, test_hash);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(token_suite());
}
