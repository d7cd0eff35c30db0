/*
 * tls.c - the provisioning service's TLS context.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "tls.h"
#include "tlsctx.h"

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

SSL_CTX *
tls_ctx_new(const struct cfg *cfg, char *err, size_t errsz)
{
	const struct cfg_prov	*p = &cfg->prov;
	SSL_CTX			*ctx = NULL;
	static const unsigned char sid[] = "provbox";

	if (p->tls_cert == NULL || p->tls_key == NULL) {
		snprintf(err, errsz, "provisioning.tls needs cert and key");
		return NULL;
	}
	if ((ctx = tlsctx_server_new(p->tls_cert, p->tls_key, err,
	    errsz)) == NULL)
		return NULL;
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
	SSL_CTX_sess_set_cache_size(ctx, 20000);
	SSL_CTX_set_timeout(ctx, 3600);
	if (p->tls_client_ca != NULL) {
		STACK_OF(X509_NAME) *names;

		if (SSL_CTX_load_verify_locations(ctx, p->tls_client_ca,
		    NULL) != 1) {
			tlsctx_error(err, errsz, p->tls_client_ca);
			goto fail;
		}
		if ((names = SSL_load_client_CA_file(p->tls_client_ca)) != NULL)
			SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_any);
		SSL_CTX_set_verify_depth(ctx, 4);
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}
