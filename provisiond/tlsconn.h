/*
 * tlsconn.h - the HTTPS connections of provbox-provisiond: the SSL object
 * evhttp gets for each, limits.max_connections and the handshake and
 * request deadlines of conns.h, enforced on libevent.
 *
 * A connection is closed by shutting its socket down under evhttp, which
 * then reads the end of the stream and frees the connection as for a
 * client that went away: nothing is freed here, inside or outside
 * evhttp's callbacks. A connection's record lives until OpenSSL frees its
 * SSL object, and with it the socket.
 */
#ifndef PB_TLSCONN_H
#define PB_TLSCONN_H

#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "cfg.h"

struct tlsconn_stats {
	unsigned	 open;
	unsigned long	 closed_handshake;	/* past handshake_timeout */
	unsigned long	 closed_request;	/* past request_timeout */
	unsigned long	 closed_limit;		/* for a newcomer */
	/* For the metrics. */
	unsigned long	 accepted;		/* connections */
	unsigned long	 handshakes;		/* TLS handshakes done */
	unsigned long	 resumed;		/* ... of them resumptions */
};

/*
 * Once, before the first connection: the event loop (for the deadline
 * timer), the TLS context and the limits. 0 or -1.
 */
int		 tlsconn_init(struct event_base *base, SSL_CTX *ctx,
		    const struct cfg_limits *lim);
/*
 * A reload: new connections get ctx (borrowed until the next call; open
 * ones keep theirs), lim is copied and applies to every connection.
 */
void		 tlsconn_configure(SSL_CTX *ctx, const struct cfg_limits *lim);
/* For evhttp_set_bevcb(): a new connection's TLS bufferevent. */
struct bufferevent *tlsconn_bevcb(struct event_base *base, void *arg);
/* An HTTPS listener, paused when every connection is being answered. */
void		 tlsconn_add_listener(struct evconnlistener *l);
/*
 * A complete request arrived on req's connection: it is being answered
 * until the answer is out. A no-op for plain HTTP.
 */
void		 tlsconn_request(struct evhttp_request *req);
void		 tlsconn_get_stats(struct tlsconn_stats *st);
/*
 * At exit, before evhttp_free(): forgets the listeners and stops the
 * timer. The records go as evhttp frees the connections.
 */
void		 tlsconn_shutdown(void);

#endif /* PB_TLSCONN_H */
