/*
 * secret.h - the registry's secrets (SIP passwords, tokens) sealed with
 * AES-256-GCM under a key kept in a file of its own, so a copy of the
 * registry alone (a backup, an mdb_dump) gives none of them away.
 *
 * The key file holds 64 hex digits and a newline. It is created on first
 * use with mode 0600, and refused when group or others may read it.
 */
#ifndef PB_SECRET_H
#define PB_SECRET_H

#include <stddef.h>
#include <stdint.h>

#define SECRET_KEY_LEN		32
#define SECRET_NONCE_LEN	12
#define SECRET_TAG_LEN		16
/* A sealed value is nonce || ciphertext || tag. */
#define SECRET_OVERHEAD		(SECRET_NONCE_LEN + SECRET_TAG_LEN)
#define SECRET_KEY_FILE		"secret.key"	/* in the registry dir */

struct secret_key {
	uint8_t	k[SECRET_KEY_LEN];
};

/*
 * Reads the key at path. With create, a missing file is made (mode 0600,
 * atomically: when two processes race, both end up with the one that was
 * linked first), and when root creates it in a directory that belongs to
 * another user, the file goes to that user. Returns 0, 1 when the file is
 * missing (without create) or cannot be read by this user, -1 on any
 * other error (err says what: a bad mode, a malformed file).
 */
int	secret_key_load(const char *path, int create, struct secret_key *key,
	    char *err, size_t errsz);
/* Wipes a key. */
void	secret_key_clear(struct secret_key *key);

/*
 * Seals len bytes of plain into out (len + SECRET_OVERHEAD bytes), bound
 * to aad: a value sealed for one user's field does not open as another's.
 * 0 or -1.
 */
int	secret_seal(const struct secret_key *key, const void *aad,
	    size_t aadlen, const void *plain, size_t len, uint8_t *out);
/*
 * Opens a sealed value of inlen bytes into out (inlen - SECRET_OVERHEAD
 * bytes). -1 when it was not sealed with this key and aad, or altered.
 */
int	secret_open(const struct secret_key *key, const void *aad,
	    size_t aadlen, const uint8_t *in, size_t inlen, void *out);

#endif /* PB_SECRET_H */
