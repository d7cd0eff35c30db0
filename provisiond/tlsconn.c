/*
 * tlsconn.c - the HTTPS connections of provbox-provisiond: their limit and
 * deadlines (see tlsconn.h and conns.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/http_struct.h>	/* the request's HTTP version */
#include <openssl/err.h>

#include "conns.h"
#include "log.h"
#include "tlsconn.h"

#define DEADLINE_MS	250	/* how often the deadlines are read */
#define MAX_LISTENERS	16

enum close_why { CLOSE_HANDSHAKE = 0, CLOSE_REQUEST, CLOSE_LIMIT };

static struct {
	struct conns		 conns;
	SSL_CTX			*ctx;		/* borrowed */
	struct cfg_limits	 lim;
	struct event		*timer;
	struct evconnlistener	*listeners[MAX_LISTENERS];
	size_t			 nlisteners;
	int			 paused;	/* listeners off */
	int			 idx;		/* SSL ex_data: the record */
	unsigned long		 closed[3];	/* by enum close_why */
	unsigned long		 accepted, handshakes, resumed;
} T = { .idx = -1 };

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
set_paused(int pause)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_CONFIGURED;

	if (pause == T.paused)
		return;
	for (size_t i = 0; i < T.nlisteners; i++) {
		if (pause)
			evconnlistener_disable(T.listeners[i]);
		else
			evconnlistener_enable(T.listeners[i]);
	}
	T.paused = pause;
	if (pause && conns_oldest(&T.conns) == NULL)
		log_warnx_rl(&rl, "all %u connections are being answered: not "
		    "accepting more until one ends (limits.max_connections)",
		    conns_total(&T.conns));
}

/* Shuts c's socket down (see tlsconn.h); c is closing from now on. */
static void
conn_close(struct conn *c, enum close_why why, uint64_t now)
{
	static struct log_ratelimit	 rl[] = {
		LOG_RATELIMIT_CONFIGURED, LOG_RATELIMIT_CONFIGURED,
		LOG_RATELIMIT_CONFIGURED,
	};
	static const char *const	 what[] = {
		[CLOSE_HANDSHAKE] = "no TLS handshake",
		[CLOSE_REQUEST] = "no complete request",
		[CLOSE_LIMIT] = "at the connection limit, it waited longest",
	};
	struct sockaddr_storage		 ss;
	socklen_t			 sslen = sizeof(ss);
	char				 peer[INET6_ADDRSTRLEN] = "?";
	int				 fd = SSL_get_fd(c->owner);
	uint64_t			 waited = now - c->since;

	if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &sslen) == 0) {
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->
			    sin_addr, peer, sizeof(peer));
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->
			    sin6_addr, peer, sizeof(peer));
	}
	log_warnx_rl(&rl[why], "closed %s's connection: %s in %llu.%03llus (%s, "
	    "%u requests answered)", peer, what[why],
	    (unsigned long long)(waited / 1000),
	    (unsigned long long)(waited % 1000), conn_state_str(c->state),
	    c->requests);
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
	T.closed[why]++;
	conns_set(&T.conns, c, CONN_CLOSING, now);
}

/*
 * limits.max_connections: a connection that brings the total to the limit
 * closes the one that has waited longest for its handshake or request,
 * and accepting pauses until that one is gone; when every connection is
 * being answered, until one ends or waits again.
 */
static void
enforce_limit(void)
{
	struct conn *c;

	if (conns_total(&T.conns) < T.lim.max_connections) {
		set_paused(0);
		return;
	}
	if (conns_live(&T.conns) >= T.lim.max_connections &&
	    (c = conns_oldest(&T.conns)) != NULL)
		conn_close(c, CLOSE_LIMIT, now_ms());
	set_paused(1);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	uint64_t	 now = now_ms();
	struct conn	*c;

	(void)fd;
	(void)what;
	(void)arg;
	while ((c = conns_expired(&T.conns, now,
	    (uint64_t)T.lim.handshake_timeout * 1000,
	    (uint64_t)T.lim.request_timeout * 1000)) != NULL)
		conn_close(c, c->state == CONN_HANDSHAKE ? CLOSE_HANDSHAKE :
		    CLOSE_REQUEST, now);
}

static struct conn *
conn_of(struct evhttp_request *req)
{
	struct evhttp_connection	*evcon = evhttp_request_get_connection(
					    req);
	SSL				*ssl;

	if (evcon == NULL || T.idx < 0 || (ssl = bufferevent_openssl_get_ssl(
	    evhttp_connection_get_bufferevent(evcon))) == NULL)
		return NULL;
	return SSL_get_ex_data(ssl, T.idx);
}

/*
 * Whether evhttp closes the connection after this answer: HTTP/1.0
 * without "Connection: keep-alive", or "Connection: close" either way
 * (RFC 9112 9.3), as evhttp decides it.
 */
static int
closes_after(struct evhttp_request *req)
{
	const char *in = evhttp_find_header(evhttp_request_get_input_headers(
	    req), "Connection");
	const char *out = evhttp_find_header(evhttp_request_get_output_headers(
	    req), "Connection");

	if ((in != NULL && strcasecmp(in, "close") == 0) ||
	    (out != NULL && strcasecmp(out, "close") == 0))
		return 1;
	return (req->major < 1 || (req->major == 1 && req->minor < 1)) &&
	    (in == NULL || strcasecmp(in, "keep-alive") != 0);
}

/*
 * The answer is out: the connection waits for its next request, or ends.
 * An ending one says so with a TLS close_notify first (RFC 8446 6.1):
 * without it an OpenSSL 3 client takes the end for a truncation attack
 * and does not keep the session to resume it.
 */
static void
on_answered(struct evhttp_request *req, void *arg)
{
	struct conn *c = conn_of(req);

	(void)arg;
	if (c == NULL)
		return;
	if (closes_after(req)) {
		SSL_shutdown(c->owner);
		ERR_clear_error();
	}
	conns_set(&T.conns, c, CONN_WAITING, now_ms());
	if (T.paused)
		enforce_limit();
}

static void
on_ssl_info(const SSL *ssl, int where, int ret)
{
	struct conn *c;

	(void)ret;
	if ((where & SSL_CB_HANDSHAKE_DONE) && (c = SSL_get_ex_data(ssl,
	    T.idx)) != NULL && c->state == CONN_HANDSHAKE) {
		T.handshakes++;
		if (SSL_session_reused(ssl))
			T.resumed++;
		conns_set(&T.conns, c, CONN_WAITING, now_ms());
	}
}

/* OpenSSL frees a connection's SSL object: the connection has ended. */
static void
on_ssl_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (ptr == NULL)
		return;
	conns_remove(&T.conns, ptr);
	free(ptr);
	if (T.paused && conns_total(&T.conns) < T.lim.max_connections)
		set_paused(0);
}

int
tlsconn_init(struct event_base *base, SSL_CTX *ctx,
    const struct cfg_limits *lim)
{
	struct timeval tv = { 0, DEADLINE_MS * 1000 };

	conns_init(&T.conns);
	tlsconn_configure(ctx, lim);
	if ((T.idx = SSL_get_ex_new_index(0, NULL, NULL, NULL,
	    on_ssl_free)) < 0)
		return -1;
	if ((T.timer = event_new(base, -1, EV_PERSIST, on_timer, NULL)) ==
	    NULL || event_add(T.timer, &tv) != 0)
		return -1;
	return 0;
}

void
tlsconn_configure(SSL_CTX *ctx, const struct cfg_limits *lim)
{
	T.ctx = ctx;
	T.lim = *lim;
	if (T.nlisteners > 0)
		enforce_limit();
}

struct bufferevent *
tlsconn_bevcb(struct event_base *base, void *arg)
{
	struct conn	*c = NULL;
	SSL		*ssl;

	(void)arg;
	/*
	 * Never NULL: evhttp would then make a plain connection on the
	 * HTTPS port. A bufferevent without SSL is refused per request.
	 */
	if ((ssl = SSL_new(T.ctx)) == NULL || (c = calloc(1, sizeof(*c))) ==
	    NULL) {
		log_warnx("SSL_new failed");
		ERR_clear_error();
		SSL_free(ssl);
		return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	c->owner = ssl;
	T.accepted++;
	conns_add(&T.conns, c, now_ms());
	SSL_set_ex_data(ssl, T.idx, c);
	SSL_set_info_callback(ssl, on_ssl_info);
	enforce_limit();
	return bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
}

void
tlsconn_add_listener(struct evconnlistener *l)
{
	if (T.nlisteners < MAX_LISTENERS)
		T.listeners[T.nlisteners++] = l;
}

void
tlsconn_request(struct evhttp_request *req)
{
	struct conn *c = conn_of(req);

	if (c == NULL)
		return;
	conns_set(&T.conns, c, CONN_BUSY, now_ms());
	evhttp_request_set_on_complete_cb(req, on_answered, NULL);
}

void
tlsconn_get_stats(struct tlsconn_stats *st)
{
	st->open = conns_total(&T.conns);
	st->closed_handshake = T.closed[CLOSE_HANDSHAKE];
	st->closed_request = T.closed[CLOSE_REQUEST];
	st->closed_limit = T.closed[CLOSE_LIMIT];
	st->accepted = T.accepted;
	st->handshakes = T.handshakes;
	st->resumed = T.resumed;
}

void
tlsconn_shutdown(void)
{
	T.nlisteners = 0;
	T.paused = 0;
	if (T.timer != NULL)
		event_free(T.timer);
	T.timer = NULL;
}
