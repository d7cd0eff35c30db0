/*
 * metrics_http.c - the admin listener of the metrics (metrics.h): GET or
 * HEAD /metrics over HTTP/1.x, or over HTTPS with metrics.tls, on
 * loopback unless the admin says otherwise.
 *
 * Not evhttp: libevent 2.1 (Debian 12) can neither cap evhttp's
 * connections (evhttp_set_max_connections() came in 2.2) nor tell when
 * one ends, and its timeouts start over with every byte, so a local
 * client trickling headers would hold descriptors of a DHCP server
 * indefinitely. An admin endpoint needs three things, done here on
 * bufferevents in a few lines:
 *   - at most METRICS_MAX_CONNS connections: at the cap accepting pauses
 *     until one ends;
 *   - one deadline per connection, METRICS_DEADLINE seconds from accept
 *     to the end of the answer, that no byte moves;
 *   - request headers of at most METRICS_MAX_HEADERS bytes; a body is
 *     never read.
 * One request per connection: the answer says "Connection: close" and
 * the connection ends once it is written. Only the request line is
 * parsed (method, target, HTTP/1.x): a scraper's headers do not matter.
 *
 * With metrics.tls the connections are bufferevent_openssl ones with the
 * provisioning service's certificate, key and protocol settings, read at
 * start-up (before the privileges are dropped); a reload keeps them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cfg.h"
#include "log.h"
#include "metrics.h"
#include "tlsctx.h"

#define METRICS_MAX_CONNS	16	/* open at once */
#define METRICS_DEADLINE	5	/* seconds, accept to answer sent */
#define METRICS_MAX_HEADERS	8192	/* request line and headers */

struct mconn {
	TAILQ_ENTRY(mconn)	 link;
	struct metrics_listener	*ml;
	struct bufferevent	*bev;
	struct event		*deadline;
	int			 answered;	/* closes once written */
};

struct metrics_listener {
	struct evconnlistener	*lev;
	SSL_CTX			*ctx;		/* metrics.tls; else NULL */
	void			(*write)(struct evbuffer *out);
	TAILQ_HEAD(, mconn)	 conns;
	unsigned		 nconns;
	int			 paused;	/* at the cap */
};

/* ------------------------------------------------------------------- TLS */

/*
 * The TLS settings of the provisioning service (tlsctx.h) with its
 * certificate chain and key. No client certificates and no session
 * cache: a scraper makes one connection every few seconds.
 */
static SSL_CTX *
tls_ctx(const struct cfg *cfg, char *err, size_t errsz)
{
	SSL_CTX	*ctx;
	char	 why[400];

	if ((ctx = tlsctx_server_new(cfg->prov.tls_cert, cfg->prov.tls_key,
	    why, sizeof(why))) == NULL) {
		snprintf(err, errsz, "metrics.tls: %s", why);
		return NULL;
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	return ctx;
}

/* ----------------------------------------------------------- connections */

/*
 * Ends c, whatever state it is in; accepting resumes below the cap.
 * Called from c's own callbacks too: libevent holds a reference on a
 * bufferevent while it runs one of its callbacks and finishes the free
 * after it returns (as in its sample le-proxy.c), and the timer is not
 * persistent.
 */
static void
conn_free(struct mconn *c)
{
	struct metrics_listener *ml = c->ml;

	TAILQ_REMOVE(&ml->conns, c, link);
	ml->nconns--;
	if (c->bev != NULL) {
		bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
		bufferevent_free(c->bev);	/* closes the socket */
	}
	if (c->deadline != NULL)
		event_free(c->deadline);
	free(c);
	if (ml->paused && ml->nconns < METRICS_MAX_CONNS && ml->lev != NULL) {
		evconnlistener_enable(ml->lev);
		ml->paused = 0;
	}
}

/*
 * Queues the answer: status line, headers, body (body is moved, not
 * copied; NULL: none); with head, the body's length and no body. The
 * connection ends once it is written (on_written()).
 */
static void
answer(struct mconn *c, int code, const char *reason, const char *type,
    const char *extra, struct evbuffer *body, int head)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	size_t		 len = body != NULL ? evbuffer_get_length(body) : 0;

	c->answered = 1;
	bufferevent_disable(c->bev, EV_READ);
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Connection: close\r\n"
	    "%s"
	    "\r\n", code, reason, type, len, extra != NULL ? extra : "");
	if (body != NULL && !head)
		evbuffer_add_buffer(out, body);
	bufferevent_enable(c->bev, EV_WRITE);
}

/* A short text answer (errors). */
static void
answer_text(struct mconn *c, int code, const char *reason,
    const char *extra, const char *text, int head)
{
	struct evbuffer *b;

	if ((b = evbuffer_new()) == NULL) {
		conn_free(c);
		return;
	}
	evbuffer_add_printf(b, "%d %s\n", code, text);
	answer(c, code, reason, "text/plain; charset=utf-8", extra, b, head);
	evbuffer_free(b);
}

enum metrics_req
metrics_request_parse(const char *line)
{
	const char	*sp1, *sp2, *target;
	size_t		 mlen, tlen;

	/* METHOD SP TARGET SP HTTP/1.x, nothing more (RFC 9112 3). */
	if ((sp1 = strchr(line, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL ||
	    strchr(sp2 + 1, ' ') != NULL ||
	    strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || sp1[1] != '/')
		return METRICS_REQ_BAD;
	mlen = (size_t)(sp1 - line);
	target = sp1 + 1;
	tlen = (size_t)(sp2 - target);
	if (!(mlen == 3 && memcmp(line, "GET", 3) == 0) &&
	    !(mlen == 4 && memcmp(line, "HEAD", 4) == 0))
		return METRICS_REQ_METHOD;
	if (tlen < 8 || memcmp(target, "/metrics", 8) != 0 ||
	    (tlen > 8 && target[8] != '?'))
		return METRICS_REQ_NOT_FOUND;
	return mlen == 4 ? METRICS_REQ_HEAD : METRICS_REQ_GET;
}

/*
 * The request line, its headers already in: the answer. Only GET and
 * HEAD of /metrics (any query) are served.
 */
static void
handle(struct mconn *c, const char *line)
{
	struct evbuffer		*body;
	enum metrics_req	 r = metrics_request_parse(line);
	int			 head = r == METRICS_REQ_HEAD;

	switch (r) {
	case METRICS_REQ_BAD:
		answer_text(c, 400, "Bad Request", NULL, "not an HTTP/1.x "
		    "request line", 0);
		return;
	case METRICS_REQ_METHOD:
		answer_text(c, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n",
		    "only GET /metrics", 0);
		return;
	case METRICS_REQ_NOT_FOUND:
		/* HEAD of another path: the status alone. */
		answer_text(c, 404, "Not Found", NULL, "only /metrics is served",
		    strncmp(line, "HEAD ", 5) == 0);
		return;
	case METRICS_REQ_GET:
	case METRICS_REQ_HEAD:
		break;
	}
	if ((body = evbuffer_new()) == NULL) {
		conn_free(c);
		return;
	}
	c->ml->write(body);
	metrics_process(body);
	answer(c, 200, "OK", "text/plain; version=0.0.4; charset=utf-8",
	    NULL, body, head);
	evbuffer_free(body);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct mconn		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 end;
	char			*line;

	if (c->answered) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	/* The end of the headers: an empty line (CRLF, or a bare LF). */
	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (end.pos < 0)
		end = evbuffer_search(in, "\n\n", 2, NULL);
	if (end.pos < 0) {
		if (evbuffer_get_length(in) >= METRICS_MAX_HEADERS)
			answer_text(c, 431, "Request Header Fields Too Large",
			    NULL, "request headers over 8192 bytes", 0);
		return;
	}
	if ((line = evbuffer_readln(in, NULL, EVBUFFER_EOL_CRLF)) == NULL) {
		conn_free(c);
		return;
	}
	evbuffer_drain(in, evbuffer_get_length(in));
	handle(c, line);
	free(line);
}

/* The answer is out: the connection ends. */
static void
on_written(struct bufferevent *bev, void *arg)
{
	struct mconn *c = arg;

	(void)bev;
	if (c->answered)
		conn_free(c);
}

/* The client went away, the TLS handshake failed, or the socket broke. */
static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
		ERR_clear_error();
		conn_free(arg);
	}
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	conn_free(arg);
}

static void
on_accept(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct metrics_listener	*ml = arg;
	struct event_base	*base = evconnlistener_get_base(lev);
	struct timeval		 tv = { METRICS_DEADLINE, 0 };
	struct mconn		*c;
	SSL			*ssl;

	(void)sa;
	(void)salen;
	if (ml->nconns >= METRICS_MAX_CONNS ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	c->ml = ml;
	TAILQ_INSERT_TAIL(&ml->conns, c, link);
	ml->nconns++;
	if (ml->ctx == NULL)
		c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	else if ((ssl = SSL_new(ml->ctx)) != NULL) {
		c->bev = bufferevent_openssl_socket_new(base, fd, ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL)
			SSL_free(ssl);
	}
	ERR_clear_error();
	if (c->bev == NULL) {
		evutil_closesocket(fd);
		conn_free(c);
		return;
	}
	if ((c->deadline = evtimer_new(base, on_deadline, c)) == NULL ||
	    evtimer_add(c->deadline, &tv) != 0) {
		conn_free(c);
		return;
	}
	/* Past the headers' cap nothing more is read. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, METRICS_MAX_HEADERS);
	bufferevent_setcb(c->bev, on_read, on_written, on_event, c);
	bufferevent_enable(c->bev, EV_READ);
	if (ml->nconns >= METRICS_MAX_CONNS && !ml->paused) {
		evconnlistener_disable(lev);
		ml->paused = 1;
	}
}

/* ---------------------------------------------------------------- set-up */

/*
 * "a.b.c.d:port" or "[v6]:port" (cfg_metrics.c validated it) into a
 * socket address. -1 when it is not that.
 */
static int
parse_listen(const char *s, struct sockaddr_storage *ss, int *len)
{
	char	 buf[80];
	int	 n = (int)sizeof(*ss);

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf) ||
	    evutil_parse_sockaddr_port(buf, (struct sockaddr *)ss, &n) != 0)
		return -1;
	*len = n;
	return 0;
}

struct metrics_listener *
metrics_start(struct event_base *base, const struct cfg *cfg,
    const char *name, void (*write)(struct evbuffer *out), char *err,
    size_t errsz)
{
	struct metrics_listener	*ml = NULL;
	const char		*listen = NULL, *setting = NULL;
	struct sockaddr_storage	 ss;
	int			 sslen;

	err[0] = '\0';
	if (strcmp(name, "provbox-dhcpd") == 0) {
		listen = cfg->metrics.dhcpd_listen;
		setting = "metrics.dhcpd_listen";
	} else if (strcmp(name, "provbox-provisiond") == 0) {
		listen = cfg->metrics.provisiond_listen;
		setting = "metrics.provisiond_listen";
	}
	if (listen == NULL || write == NULL)
		return NULL;
	memset(&ss, 0, sizeof(ss));
	if (parse_listen(listen, &ss, &sslen) != 0) {
		snprintf(err, errsz, "%s: '%s' is not an address:port",
		    setting, listen);
		return NULL;
	}
	if ((ml = calloc(1, sizeof(*ml))) == NULL) {
		snprintf(err, errsz, "%s: out of memory", setting);
		return NULL;
	}
	TAILQ_INIT(&ml->conns);
	ml->write = write;
	if (cfg->metrics.tls && (ml->ctx = tls_ctx(cfg, err, errsz)) == NULL)
		goto fail;
	if ((ml->lev = evconnlistener_new_bind(base, on_accept, ml,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE,
	    METRICS_MAX_CONNS, (struct sockaddr *)&ss, sslen)) == NULL) {
		snprintf(err, errsz, "%s: cannot listen on %s: %s", setting,
		    listen, strerror(errno));
		goto fail;
	}
	log_info("metrics: serving %s://%s/metrics", ml->ctx != NULL ?
	    "https" : "http", listen);
	return ml;
fail:
	metrics_free(ml);
	return NULL;
}

void
metrics_free(struct metrics_listener *ml)
{
	if (ml == NULL)
		return;
	if (ml->lev != NULL)
		evconnlistener_free(ml->lev);
	ml->lev = NULL;
	while (!TAILQ_EMPTY(&ml->conns))
		conn_free(TAILQ_FIRST(&ml->conns));
	SSL_CTX_free(ml->ctx);
	free(ml);
}
