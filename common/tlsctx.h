/*
 * tlsctx.h - the TLS server settings every provbox listener shares (the
 * provisioning service, and the metrics listener with metrics.tls), kept
 * in one place so that they cannot drift apart.
 */
#ifndef PB_TLSCTX_H
#define PB_TLSCTX_H

#include <stddef.h>

#include <openssl/ssl.h>

/* The OpenSSL error queue as "what: reason" in err (and emptied). */
void	 tlsctx_error(char *err, size_t errsz, const char *what);

/*
 * A server context: TLS 1.2 at least; for TLS 1.2 ECDHE with AEAD only
 * (TLS 1.3 keeps OpenSSL's defaults); the groups X25519, P-256, P-384;
 * the server's preference; no renegotiation, no compression; the
 * certificate chain in cert and the key in key (read into memory, loaded
 * from there and the copy wiped; a key other users may read is warned
 * about). The caller adds its session cache and client certificate
 * settings. NULL with err on failure.
 */
SSL_CTX	*tlsctx_server_new(const char *cert, const char *key, char *err,
	    size_t errsz);

#endif /* PB_TLSCTX_H */
