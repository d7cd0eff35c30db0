/*
 * tls.h - the provisioning service's TLS context: TLS 1.2 at least, 1.3
 * preferred, forward-secret AEAD ciphers only, session tickets and a
 * session cache for resumption, the certificate chain and key from the
 * config (the key file read into memory, loaded, then wiped), and, with a
 * client CA configured, optional client certificates whose verification
 * result is kept for the legacy guards rather than failing the handshake.
 */
#ifndef PB_TLS_H
#define PB_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "cfg.h"

/* A new context for cfg's TLS files, or NULL with a message in err. */
SSL_CTX	*tls_ctx_new(const struct cfg *cfg, char *err, size_t errsz);

#endif /* PB_TLS_H */
