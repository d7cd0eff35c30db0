/*
 * tlsctx.c - the TLS server settings every provbox listener shares
 * (tlsctx.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "log.h"
#include "tlsctx.h"

void
tlsctx_error(char *err, size_t errsz, const char *what)
{
	unsigned long	e = ERR_get_error();
	char		buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errsz, "%s: %s", what, e != 0 ? buf : "unknown error");
	ERR_clear_error();
}

/* Reads the key file into memory, loads it, wipes the copy. */
static EVP_PKEY *
load_key(const char *path, char *err, size_t errsz)
{
	EVP_PKEY	*key = NULL;
	BIO		*bio = NULL;
	FILE		*f;
	struct stat	 st;
	char		*buf = NULL;
	size_t		 len = 0;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || st.st_size <= 0 ||
	    st.st_size > 1 << 20 || (buf = malloc((size_t)st.st_size)) ==
	    NULL) {
		snprintf(err, errsz, "%s: not a key file", path);
		goto done;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		log_warnx("%s can be read by other users: chmod 600 it", path);
	len = fread(buf, 1, (size_t)st.st_size, f);
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL ||
	    (key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL)
		tlsctx_error(err, errsz, path);
done:
	BIO_free(bio);
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	fclose(f);
	return key;
}

SSL_CTX *
tlsctx_server_new(const char *cert, const char *keyfile, char *err,
    size_t errsz)
{
	SSL_CTX		*ctx;
	EVP_PKEY	*key = NULL;

	if (cert == NULL || keyfile == NULL) {
		snprintf(err, errsz, "a certificate and a key are needed");
		return NULL;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		tlsctx_error(err, errsz, "SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* TLS 1.2: ECDHE with AEAD only; TLS 1.3 keeps its defaults. */
	if (SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1 ||
	    SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1) {
		tlsctx_error(err, errsz, "cipher list");
		goto fail;
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		tlsctx_error(err, errsz, cert);
		goto fail;
	}
	if ((key = load_key(keyfile, err, errsz)) == NULL)
		goto fail;
	if (SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		tlsctx_error(err, errsz, "the key does not match the "
		    "certificate");
		goto fail;
	}
	EVP_PKEY_free(key);
	return ctx;
fail:
	EVP_PKEY_free(key);
	SSL_CTX_free(ctx);
	return NULL;
}
