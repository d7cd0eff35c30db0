/*
 * secret.c - AES-256-GCM sealing of the registry's secrets, and the key
 * file they are sealed with.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "addr.h"
#include "secret.h"

#define KEY_HEX_LEN	(SECRET_KEY_LEN * 2)

/*
 * A second context for opening, keyed once and kept keyed: provisiond
 * opens a password and a token per request with the same key, and the AES
 * key schedule and the GCM hash key cost as much as the decryption of a
 * few dozen bytes. Each call only sets the nonce. The copy of the key that
 * tells whether the context is still keyed for the caller's key is wiped,
 * with the context, by secret_key_clear().
 */
static EVP_CIPHER_CTX	*open_ctx;
static uint8_t		 open_key[SECRET_KEY_LEN];
static int		 open_keyed;

static void
open_forget(void)
{
	if (open_ctx != NULL)
		EVP_CIPHER_CTX_reset(open_ctx);
	OPENSSL_cleanse(open_key, sizeof(open_key));
	open_keyed = 0;
}

void
secret_key_clear(struct secret_key *key)
{
	if (open_keyed && CRYPTO_memcmp(open_key, key->k,
	    sizeof(open_key)) == 0)
		open_forget();
	OPENSSL_cleanse(key, sizeof(*key));
}

/* 0 read, 1 missing or not ours to read, -1 unusable (err says why). */
static int
key_read(const char *path, struct secret_key *key, char *err, size_t errsz)
{
	struct stat	 st;
	char		 buf[KEY_HEX_LEN + 2];
	ssize_t		 n;
	int		 fd, ret = -1;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "cannot read secret key %s: %s", path,
		    strerror(errno));
		return errno == ENOENT || errno == EACCES ? 1 : -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "secret key %s is not a regular file",
		    path);
		goto done;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, errsz, "secret key %s has mode %04o: others may "
		    "read it (chmod 600 %s)", path,
		    (unsigned)(st.st_mode & 07777), path);
		goto done;
	}
	n = read(fd, buf, sizeof(buf));
	if (n == KEY_HEX_LEN + 1 && buf[KEY_HEX_LEN] == '\n')
		n--;
	if (n != KEY_HEX_LEN) {
		snprintf(err, errsz, "secret key %s is not %d hex digits",
		    path, KEY_HEX_LEN);
		goto done;
	}
	for (int i = 0; i < SECRET_KEY_LEN; i++) {
		int hi = hex_digit(buf[2 * i]), lo = hex_digit(buf[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			snprintf(err, errsz, "secret key %s is not %d hex "
			    "digits", path, KEY_HEX_LEN);
			secret_key_clear(key);
			goto done;
		}
		key->k[i] = (uint8_t)(hi << 4 | lo);
	}
	ret = 0;
done:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return ret;
}

/* The directory part of path, in dir. */
static void
dir_of(const char *path, char *dir, size_t dirsz)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, dirsz, ".");
	else if (slash == path)
		snprintf(dir, dirsz, "/");
	else
		snprintf(dir, dirsz, "%.*s", (int)(slash - path), path);
}

/*
 * Writes a new key to a temporary file and links it into place, so no
 * process ever reads half a key. 0 created, 1 another process was first,
 * -1 on error.
 */
static int
key_create(const char *path, char *err, size_t errsz)
{
	static const char	 hex[] = "0123456789abcdef";
	struct secret_key	 key;
	struct stat		 dst;
	char			 tmp[4096], dir[4096], buf[KEY_HEX_LEN + 1];
	int			 fd = -1, dfd, ret = -1;

	dir_of(path, dir, sizeof(dir));
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    (int)sizeof(tmp)) {
		snprintf(err, errsz, "secret key path too long: %s", path);
		return -1;
	}
	if (RAND_priv_bytes(key.k, sizeof(key.k)) != 1) {
		snprintf(err, errsz, "no random bytes for a secret key");
		return -1;
	}
	for (int i = 0; i < SECRET_KEY_LEN; i++) {
		buf[2 * i] = hex[key.k[i] >> 4];
		buf[2 * i + 1] = hex[key.k[i] & 15];
	}
	buf[KEY_HEX_LEN] = '\n';
	secret_key_clear(&key);
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errsz, "cannot create secret key %s: %s", path,
		    strerror(errno));
		goto done;
	}
	/* Root making the daemons' key hands it to them (see registry.c). */
	if (geteuid() == 0 && stat(dir, &dst) == 0 && dst.st_uid != 0 &&
	    fchown(fd, dst.st_uid, dst.st_gid) != 0) {
		snprintf(err, errsz, "cannot give secret key %s to the "
		    "registry's owner: %s", path, strerror(errno));
		goto unlink;
	}
	if (fchmod(fd, 0600) != 0 ||
	    write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
	    fsync(fd) != 0) {
		snprintf(err, errsz, "cannot write secret key %s: %s", path,
		    strerror(errno));
		goto unlink;
	}
	if (link(tmp, path) != 0) {
		if (errno == EEXIST)
			ret = 1;
		else
			snprintf(err, errsz, "cannot create secret key %s: %s",
			    path, strerror(errno));
		goto unlink;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	ret = 0;
unlink:
	unlink(tmp);
done:
	if (fd != -1)
		close(fd);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

int
secret_key_load(const char *path, int create, struct secret_key *key,
    char *err, size_t errsz)
{
	int r = 1;

	for (int attempt = 0; attempt < 3; attempt++) {
		if ((r = key_read(path, key, err, errsz)) != 1 || !create)
			return r;
		if (key_create(path, err, errsz) < 0)
			return -1;
	}
	return r < 0 ? -1 : r;
}

/*
 * The cipher and a context for it, made once per process and reused:
 * provisiond opens a user's secrets on every request, and looking the
 * cipher up by name each time cost as much as the decryption. The
 * context is reset after each use, which wipes the key schedule. The
 * daemons are single-threaded; a forked child has its own copy.
 */
static EVP_CIPHER_CTX *
gcm_ctx(const EVP_CIPHER **cipher)
{
	static EVP_CIPHER	*c;
	static EVP_CIPHER_CTX	*ctx;

	if (c == NULL && (c = EVP_CIPHER_fetch(NULL, "AES-256-GCM",
	    NULL)) == NULL)
		return NULL;
	if (ctx == NULL && (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	*cipher = c;
	return ctx;
}

static EVP_CIPHER_CTX *
open_ctx_for(const struct secret_key *key)
{
	const EVP_CIPHER *cipher;

	if (open_keyed && CRYPTO_memcmp(open_key, key->k,
	    sizeof(open_key)) == 0)
		return open_ctx;
	if (gcm_ctx(&cipher) == NULL || (open_ctx == NULL &&
	    (open_ctx = EVP_CIPHER_CTX_new()) == NULL))
		return NULL;
	open_forget();
	if (EVP_DecryptInit_ex(open_ctx, cipher, NULL, key->k, NULL) != 1)
		return NULL;
	memcpy(open_key, key->k, sizeof(open_key));
	open_keyed = 1;
	return open_ctx;
}

int
secret_seal(const struct secret_key *key, const void *aad, size_t aadlen,
    const void *plain, size_t len, uint8_t *out)
{
	const EVP_CIPHER *cipher;
	EVP_CIPHER_CTX	*ctx;
	uint8_t		*nonce = out, *ct = out + SECRET_NONCE_LEN;
	int		 n, ret = -1;

	if (len > INT32_MAX || aadlen > INT32_MAX ||
	    RAND_bytes(nonce, SECRET_NONCE_LEN) != 1 ||
	    (ctx = gcm_ctx(&cipher)) == NULL)
		return -1;
	if (EVP_EncryptInit_ex(ctx, cipher, NULL, key->k,
	    nonce) == 1 &&
	    EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aadlen) == 1 &&
	    EVP_EncryptUpdate(ctx, ct, &n, plain, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(ctx, ct + n, &n) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SECRET_TAG_LEN,
	    ct + len) == 1)
		ret = 0;
	EVP_CIPHER_CTX_reset(ctx);
	return ret;
}

int
secret_open(const struct secret_key *key, const void *aad, size_t aadlen,
    const uint8_t *in, size_t inlen, void *out)
{
	EVP_CIPHER_CTX	*ctx;
	const uint8_t	*ct = in + SECRET_NONCE_LEN;
	size_t		 len;
	int		 n, ret = -1;

	if (inlen < SECRET_OVERHEAD || inlen > INT32_MAX ||
	    aadlen > INT32_MAX || (ctx = open_ctx_for(key)) == NULL)
		return -1;
	len = inlen - SECRET_OVERHEAD;
	if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, in) == 1 &&
	    EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aadlen) == 1 &&
	    EVP_DecryptUpdate(ctx, out, &n, ct, (int)len) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SECRET_TAG_LEN,
	    (void *)(uintptr_t)(ct + len)) == 1 &&
	    EVP_DecryptFinal_ex(ctx, (uint8_t *)out + n, &n) == 1)
		ret = 0;
	else
		OPENSSL_cleanse(out, len);
	return ret;
}
