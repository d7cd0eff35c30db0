/*
 * token.c - per-user provisioning tokens.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "token.h"

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/*
 * Letters and digits only (phones' web UIs and keypads take them all),
 * none that reads as another (0 O 1 l I): 56 symbols, 5.8 bits each.
 */
static const char pw_chars[] =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

int
token_password(char out[TOKEN_PW_LEN + 1])
{
	uint8_t	 raw[64];
	size_t	 o = 0, n = sizeof(pw_chars) - 1;

	while (o < TOKEN_PW_LEN) {
		if (RAND_bytes(raw, sizeof(raw)) != 1)
			return -1;
		/* Rejection keeps every symbol equally likely. */
		for (size_t i = 0; i < sizeof(raw) && o < TOKEN_PW_LEN; i++)
			if (raw[i] < 256 - 256 % n)
				out[o++] = pw_chars[raw[i] % n];
	}
	out[o] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

int
token_generate(char out[TOKEN_LEN + 1])
{
	uint8_t	 raw[TOKEN_BYTES];
	size_t	 o = 0;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	/* 24 bytes are exactly 8 groups of 3: no padding to handle. */
	for (size_t i = 0; i < TOKEN_BYTES; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 |
		    raw[i + 2];

		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		out[o++] = b64url[(v >> 6) & 63];
		out[o++] = b64url[v & 63];
	}
	out[o] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

int
token_valid_format(const char *s, size_t len)
{
	if (len != TOKEN_LEN)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int
token_hash(const char *s, size_t len, uint8_t out[TOKEN_HASH_LEN])
{
	/*
	 * The digest and a context, made once per process: provisiond hashes
	 * the token of every request, and an implicit fetch of SHA-256 and a
	 * new context per call cost more than hashing 32 bytes.
	 */
	static EVP_MD		*md;
	static EVP_MD_CTX	*ctx;
	unsigned int		 n = 0;

	if ((md == NULL && (md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL) ||
	    (ctx == NULL && (ctx = EVP_MD_CTX_new()) == NULL))
		return -1;
	if (EVP_DigestInit_ex2(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, s, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &n) != 1 || n != TOKEN_HASH_LEN)
		return -1;
	return 0;
}
