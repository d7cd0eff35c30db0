/*
 * token.h - per-user provisioning tokens.
 *
 * A token is 24 bytes from OpenSSL's RAND_bytes (192 bits), written as 32
 * characters of unpadded base64url (RFC 4648 section 5), so it can stand in
 * a URL path as it is. The registry finds a user by the SHA-256 of the
 * token, never by comparing token text, so a lookup's timing says nothing
 * about how close a guess was.
 */
#ifndef PB_TOKEN_H
#define PB_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_BYTES	24
#define TOKEN_LEN	32	/* characters, without the NUL */
#define TOKEN_HASH_LEN	32	/* SHA-256 */

/* Fills out with a new token and its NUL. Returns 0, or -1 if the RNG failed. */
int	token_generate(char out[TOKEN_LEN + 1]);
/*
 * A random password for a phone's own web UI (issue #14): TOKEN_PW_LEN
 * letters and digits, about 93 bits. 0, or -1 when the RNG failed.
 */
#define TOKEN_PW_LEN	16
int	token_password(char out[TOKEN_PW_LEN + 1]);
/* 1 if s[0..len) has the exact length and alphabet of a token. */
int	token_valid_format(const char *s, size_t len);
/* SHA-256 of the token text. Returns 0, or -1 on a library failure. */
int	token_hash(const char *s, size_t len, uint8_t out[TOKEN_HASH_LEN]);

#endif /* PB_TOKEN_H */
