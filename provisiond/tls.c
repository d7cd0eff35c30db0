/*
 * tls.c - the provisioning service's TLS context.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "log.h"
#include "tls.h"

/* The OpenSSL error queue as one message (and emptied). */
static void
ssl_error(char *err, size_t errsz, const char *what)
{
	unsigned long	e = ERR_get_error();
	char		buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errsz, "%s: %s", what, e != 0 ? buf : "unknown error");
	ERR_clear_error();
}

/*
 * Any certificate the phone shows is accepted at the handshake; whether
 * it verified is read later (SSL_get_verify_result) by the legacy guard,
 * so a phone with a foreign certificate still reaches its token folder.
 */
static int
verify_any(int ok, X509_STORE_CTX *ctx)
{
	(void)ok;
	(void)ctx;
	return 1;
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

	if ((f = fopen(path, "r")) == NULL) {
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
		ssl_error(err, errsz, path);
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
tls_ctx_new(const struct cfg *cfg, char *err, size_t errsz)
{
	const struct cfg_prov	*p = &cfg->prov;
	SSL_CTX			*ctx = NULL;
	EVP_PKEY		*key = NULL;
	static const unsigned char sid[] = "provbox";

	if (p->tls_cert == NULL || p->tls_key == NULL) {
		snprintf(err, errsz, "provisioning.tls needs cert and key");
		return NULL;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		ssl_error(err, errsz, "SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* TLS 1.2: ECDHE with AEAD only; TLS 1.3 keeps its defaults. */
	if (SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1 ||
	    SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1) {
		ssl_error(err, errsz, "cipher list");
		goto fail;
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
	SSL_CTX_sess_set_cache_size(ctx, 20000);
	SSL_CTX_set_timeout(ctx, 3600);
	if (SSL_CTX_use_certificate_chain_file(ctx, p->tls_cert) != 1) {
		ssl_error(err, errsz, p->tls_cert);
		goto fail;
	}
	if ((key = load_key(p->tls_key, err, errsz)) == NULL)
		goto fail;
	if (SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ssl_error(err, errsz, "the key does not match the certificate");
		goto fail;
	}
	EVP_PKEY_free(key);
	key = NULL;
	if (p->tls_client_ca != NULL) {
		STACK_OF(X509_NAME) *names;

		if (SSL_CTX_load_verify_locations(ctx, p->tls_client_ca,
		    NULL) != 1) {
			ssl_error(err, errsz, p->tls_client_ca);
			goto fail;
		}
		if ((names = SSL_load_client_CA_file(p->tls_client_ca)) != NULL)
			SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_any);
		SSL_CTX_set_verify_depth(ctx, 4);
	}
	return ctx;
fail:
	EVP_PKEY_free(key);
	SSL_CTX_free(ctx);
	return NULL;
}
