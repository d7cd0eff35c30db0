/*
 * provisiond.c - provbox-provisiond: HTTPS on libevent and OpenSSL around
 * the answers of serve.c, with the enumeration guard and one audit line
 * per request.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "certmac.h"
#include "cfg.h"
#include "daemon.h"
#include "enroll.h"
#include "guard.h"
#include "policy.h"
#include "log.h"
#include "registry.h"
#include "sandbox.h"
#include "runstate.h"
#include "serve.h"
#include "sync.h"
#include "tls.h"
#include "tlsconn.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG	SYSCONFDIR "/provbox/provbox.conf"
#ifndef PB_VERSION
#define PB_VERSION	PACKAGE_VERSION
#endif
#define GUARD_TRACKED	65536
#define SWEEP_SECONDS	5
#define FETCH_QUEUE	512	/* fetch records written at most once a second */
#define ENROLL_QUEUE	256	/* enrollment events, written with them */
#define LISTEN_BACKLOG	4096	/* a whole office's phones at once */
/* Answers up to this size leave as one TLS record (see join_answer). */
#define ONE_RECORD	16384
/* Header fields in one request at most, as Apache's LimitRequestFields. */
struct provd {
	const char		*cfgpath;
	int			 foreground;
	int			 debug;
	struct event_base	*base;
	struct cfg		*cfg;
	struct reg		*reg;
	struct reg_txn		 rtxn;		/* reset between requests */
	struct prov_templates	*tp;
	SSL_CTX			*ctx;
	struct guard		*guard;
	struct evhttp		*https;
	struct evhttp		*http;
	char			*pidfile;
	struct reg_fetch	 fetches[FETCH_QUEUE];
	size_t			 nfetches;
	struct enroll_op	 eops[ENROLL_QUEUE];
	time_t			 eop_time[ENROLL_QUEUE];
	size_t			 neops;
	unsigned long		 requests;
	unsigned long		 status[6];	/* by hundreds */
};

static struct provd	 P;
static int		 tag_tls = 1, tag_plain = 0;

/* -h and --help: on stdout, exit 0; a wrong option: on stderr, exit 2. */
static void
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: provbox-provisiond [-dfnt] [-c config]\n"
	    "       provbox-provisiond --version | --help\n"
	    "  -c file    config file (default %s)\n"
	    "  -d         debug logging\n"
	    "  -f         stay in the foreground, log to stderr (or the "
	    "journal)\n"
	    "  -t, -n     check the config, templates and TLS files and exit\n"
	    "  --version  print the version and exit\n"
	    "  -h, --help print this and exit\n", DEFAULT_CONFIG);
	exit(status);
}

/* evbuffer_add_reference cleanup: the body may hold a password. */
static void
wipe_body(const void *data, size_t len, void *arg)
{
	(void)arg;
	OPENSSL_cleanse((void *)(uintptr_t)data, len);
	free((void *)(uintptr_t)data);
}

/*
 * libevent's memory is wiped when it is freed: its buffers hold the
 * answers, and the answers hold SIP passwords (join_answer copies the body
 * into the connection's output buffer). malloc_usable_size() covers the
 * whole block, slack included.
 */
static void
ev_free(void *p)
{
	if (p == NULL)
		return;
	/* explicit_bzero: memset's speed, OPENSSL_cleanse's guarantee. */
	explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

static void *
ev_realloc(void *p, size_t n)
{
	void	*q;
	size_t	 old;

	if (p == NULL)
		return malloc(n);
	old = malloc_usable_size(p);
	if ((q = malloc(n > 0 ? n : 1)) == NULL)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	ev_free(p);
	return q;
}

/*
 * One TLS record per answer. evhttp queues the header and the body as two
 * chains of the connection's output buffer, and the TLS bufferevent hands
 * each chain to SSL_write() on its own: two records, two write()s, two TCP
 * segments per answer. The write happens on a later pass of the loop, so
 * joining the chains here costs one copy of a few KiB and saves a system
 * call and a segment. Bigger answers (a static file) stay as they are. The
 * reference keeps the bufferevent alive should evhttp have dropped the
 * connection while sending.
 */
static void
join_answer(struct bufferevent *bev)
{
	struct evbuffer	*out = bufferevent_get_output(bev);
	size_t		 n = evbuffer_get_length(out);

	if (n > 0 && n <= ONE_RECORD)
		evbuffer_pullup(out, -1);
	bufferevent_decref(bev);
}

/* log_hold() callback: the first line of a pass is held; write at its end. */
static void
on_log_held(void *arg)
{
	event_active(arg, EV_TIMEOUT, 0);
}

static void
on_log_flush(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	log_flush();
}

static void
peer_of(struct evhttp_connection *conn, struct guard_addr *ga,
    uint32_t *ip4)
{
	const struct sockaddr *sa = evhttp_connection_get_addr(conn);

	memset(ga, 0, sizeof(*ga));
	*ip4 = 0;
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		ga->family = AF_INET;
		memcpy(ga->b, &sin->sin_addr, 4);
		*ip4 = ntohl(sin->sin_addr.s_addr);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		ga->family = AF_INET6;
		memcpy(ga->b, &sin6->sin6_addr, 16);
		/* An IPv4 client on a dual-stack socket. */
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			ga->family = AF_INET;
			memcpy(ga->b, &sin6->sin6_addr.s6_addr[12], 4);
			memset(ga->b + 4, 0, 12);
			*ip4 = (uint32_t)ga->b[0] << 24 | ga->b[1] << 16 |
			    ga->b[2] << 8 | ga->b[3];
		}
	}
}

/*
 * The request's audit line; in the journal with the peer, MAC, user and
 * class as fields, and PROVBOX_EVENT "http-served" or "http-refused".
 */
static void
audit(const char *peer, const char *method, const struct prov_resp *r,
    size_t bytes, const char *subject)
{
	struct log_fields	f;
	char			mac[MAC_STR_LEN] = "-";
	char			file[ROUTE_FILE_MAX * 4 + 8];
	char			where[sizeof(file) + 64];

	if (r->has_mac)
		mac_format(&r->mac, mac);
	log_escape(file, sizeof(file), r->file, strlen(r->file));
	switch (r->kind) {
	case ROUTE_TOKEN:
		snprintf(where, sizeof(where), "%s %s/%s", r->first_access ?
		    "first-access" : "token", r->token_hint, file);
		break;
	case ROUTE_LEGACY:
	case ROUTE_STATIC:
		snprintf(where, sizeof(where), "%s %s",
		    route_kind_str(r->kind), file);
		break;
	default:
		/* Never the raw path: it may hold a token. */
		snprintf(where, sizeof(where), "%s path",
		    r->refused == REF_GUARD || r->refused == REF_METHOD ||
		    r->refused == REF_HEADERS ? "unread" :
		    r->kind == ROUTE_BAD ? "malformed" : "unknown");
		break;
	}
	memset(&f, 0, sizeof(f));
	f.ip = peer;
	f.mac = r->has_mac ? mac : NULL;
	f.user = r->user;
	f.class = r->vendor;
	f.event = r->refused == REF_NONE ? "http-served" : "http-refused";
	log_fields_msg(PB_LOG_INFO, &f, "%s %s %s %d %zu mac %s user %s "
	    "vendor %s cert \"%s\" refused %s", peer, method, where,
	    r->status, bytes, mac,
	    r->user[0] ? r->user : "-", r->vendor ? r->vendor : "-",
	    subject[0] ? subject : "-", prov_refusal_str(r->refused));
}

static struct log_ratelimit rl_fetch = LOG_RATELIMIT_CONFIGURED;

/*
 * Writes the queued fetch records in one transaction. They are what
 * provboxctl status shows of a phone; losing a second of them to a crash
 * costs nothing, so they share one commit instead of one per request.
 */
/*
 * Writes the queued fetch records and enrollment events in one
 * transaction. The fetch records are what provboxctl status shows of a
 * phone; losing a second of them to a crash costs nothing, so they share
 * one commit instead of one per request. Enrollment events (a phone's
 * first fetches through its first-access URL, its first use of the
 * permanent one, a refused first-access URL) are applied in the order
 * they happened, re-reading each record (enroll_apply), so a boot storm
 * costs one commit a second, not one per phone; their audit lines follow
 * the commit.
 */
static void
fetch_flush(void)
{
	struct reg_txn		 txn;
	struct reg_event	 evs[ENROLL_QUEUE];
	int			 ok, got[ENROLL_QUEUE];

	if (P.nfetches == 0 && P.neops == 0)
		return;
	ok = reg_txn_begin(P.reg, &txn, 0) == 0;
	for (size_t i = 0; ok && i < P.nfetches; i++)
		ok = reg_fetch_put(&txn, &P.fetches[i]) == 0;
	for (size_t i = 0; ok && i < P.neops; i++)
		ok = (got[i] = enroll_apply(&txn, &P.eops[i], P.eop_time[i],
		    &evs[i])) >= 0;
	if (!ok || reg_txn_commit(&txn) != 0) {
		log_warnx_rl(&rl_fetch, "cannot record %zu fetches and %zu "
		    "enrollment events: %s", P.nfetches, P.neops,
		    reg_strerror(txn.err));
		reg_txn_abort(&txn);
	} else
		for (size_t i = 0; i < P.neops; i++)
			if (got[i] > 0)
				enroll_log(&evs[i]);
	P.nfetches = 0;
	P.neops = 0;
}

static struct log_ratelimit rl_enroll = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_guard = LOG_RATELIMIT_CONFIGURED;

/*
 * Queues what a request taught a device's enrollment (fetch_flush). An
 * identity bound (the phone's next request, through its first-access
 * URL, is checked against it) or a suspect (it must take effect before
 * the impostor's next request) is written at once, with what was queued
 * before it.
 */
static void
enroll_note(const struct prov_resp *r, time_t now)
{
	if (r->eop.kind == EOP_NONE)
		return;
	if (P.neops == ENROLL_QUEUE)
		fetch_flush();
	P.eops[P.neops] = r->eop;
	P.eop_time[P.neops] = now;
	P.neops++;
	if (r->eop.kind == EOP_HANDED || r->eop.kind == EOP_DUPLICATE)
		fetch_flush();
}

static void
on_enroll_closed(const struct reg_event *ev, void *arg)
{
	(void)arg;
	enroll_log(ev);
}

/* Closes the enrollment windows that ran out, with their audit lines. */
static void
enroll_sweep_now(time_t now)
{
	struct reg_txn	txn;

	if (reg_txn_begin(P.reg, &txn, 0) != 0)
		return;
	if (enroll_sweep(&txn, now, on_enroll_closed, NULL) < 0 ||
	    reg_txn_commit(&txn) != 0) {
		log_warnx_rl(&rl_enroll, "cannot close ended enrollment "
		    "windows: %s", reg_strerror(txn.err));
		reg_txn_abort(&txn);
	}
}

static void
fetch_note(const struct prov_resp *r, uint32_t ip, time_t now)
{
	struct reg_fetch	*f = NULL;

	if (!r->has_mac)
		return;
	for (size_t i = 0; i < P.nfetches && f == NULL; i++)
		if (mac_cmp(&P.fetches[i].mac, &r->mac) == 0)
			f = &P.fetches[i];
	if (f == NULL) {
		if (P.nfetches == FETCH_QUEUE)
			fetch_flush();
		f = &P.fetches[P.nfetches++];
	}
	memset(f, 0, sizeof(*f));
	f->mac = r->mac;
	f->time = now;
	f->ip = ip;
	f->status = (uint16_t)r->status;
	snprintf(f->file, sizeof(f->file), "%s", r->file);
	if (r->refused != REF_NONE)
		snprintf(f->refused, sizeof(f->refused), "%s",
		    prov_refusal_str(r->refused));
}

static void
on_block_ended(const struct guard_addr *a, void *arg)
{
	char ip[INET6_ADDRSTRLEN];

	(void)arg;
	log_notice("guard: block of %s ended", guard_addr_str(a, ip,
	    sizeof(ip)));
}

static void
on_sweep(evutil_socket_t fd, short what, void *arg)
{
	unsigned long	refused, blocked;
	time_t		now = time(NULL);

	(void)fd;
	(void)what;
	(void)arg;
	guard_sweep(P.guard, now, on_block_ended, NULL);
	if (guard_attack_ended(P.guard, now, &refused, &blocked))
		log_notice("guard: attack over: %lu requests refused, %lu "
		    "sources blocked meanwhile", refused, blocked);
	enroll_sweep_now(now);
}

static void
on_fetch_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	fetch_flush();
}

static void
fill_cert(SSL *ssl, struct prov_req *pr, char *subject, size_t sz)
{
	X509	*cert;
	char	 where[64];

	subject[0] = '\0';
	if (ssl == NULL || (cert = SSL_get1_peer_certificate(ssl)) == NULL)
		return;
	pr->cert_present = 1;
	pr->cert_verified = P.cfg->prov.tls_client_ca != NULL &&
	    SSL_get_verify_result(ssl) == X509_V_OK;
	pr->cert_has_mac = certmac_find(cert, &pr->cert_mac, where,
	    sizeof(where)) == 0;
	certmac_subject(cert, subject, sz);
	X509_free(cert);
}

/*
 * One line when a source's block starts (rate-limited while under
 * attack, when many start) and one when an attack starts; their ends are
 * logged by the sweep.
 */
static void
guard_log(int acct, const char *peer, time_t now)
{
	const struct cfg_guard *gc = &P.cfg->prov.guard;

	if (acct & GUARD_ATTACK_STARTED)
		log_warnx("guard: more than %u misses from all sources in %us: "
		    "under attack for %us, every source may miss %u times",
		    gc->global_max_misses, gc->window, gc->block,
		    GUARD_UNDER_ATTACK_MISSES);
	if ((acct & GUARD_SOURCE_BLOCKED) &&
	    guard_under_attack(P.guard, now, NULL))
		log_warnx_rl(&rl_guard, "guard: %s blocked for %us (under "
		    "attack)", peer, gc->block);
	else if (acct & GUARD_SOURCE_BLOCKED)
		log_warnx("guard: %s blocked for %us after more than %u misses "
		    "in %us", peer, gc->block, gc->max_misses, gc->window);
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct evhttp_connection	*conn = evhttp_request_get_connection(req);
	struct bufferevent		*bev = evhttp_connection_get_bufferevent(
					    conn);
	struct evkeyvalq		*in = evhttp_request_get_input_headers(req);
	struct evkeyvalq		*out = evhttp_request_get_output_headers(
					    req);
	const struct evhttp_uri		*uri = evhttp_request_get_evhttp_uri(req);
	struct prov_req			 pr;
	struct prov_resp		 r;
	struct policy_req		 pq;
	struct guard_addr		 ga;
	struct evbuffer			*body = NULL;
	enum evhttp_cmd_type		 cmd = evhttp_request_get_command(req);
	SSL				*ssl = NULL;
	time_t				 now = time(NULL);
	char				 peer[INET6_ADDRSTRLEN], subject[256];
	char				 hdr[32];
	const struct evkeyval		*kv;
	size_t				 bytes = 0;
	const char			*method = cmd == EVHTTP_REQ_HEAD ?
					    "HEAD" : "GET";

	memset(&pr, 0, sizeof(pr));
	prov_resp_init(&r);
	P.requests++;
	if (arg == &tag_tls)
		ssl = bufferevent_openssl_get_ssl(bev);
	peer_of(conn, &ga, &pr.peer_ip4);
	guard_addr_str(&ga, peer, sizeof(peer));
	subject[0] = '\0';
	tlsconn_request(req);

	/* The policy (policy.c) decides; this is only the evhttp side. */
	memset(&pq, 0, sizeof(pq));
	pq.peer = &ga;
	pq.now = now;
	pq.method = cmd == EVHTTP_REQ_GET ? PM_GET : cmd == EVHTTP_REQ_HEAD ?
	    PM_HEAD : PM_OTHER;
	TAILQ_FOREACH(kv, in, next)
		pq.nfields++;
	if (policy_admit(P.guard, &pq, &r))
		goto send;
	pr.path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	pr.head = cmd == EVHTTP_REQ_HEAD;
	pr.tls = ssl != NULL;
	pr.if_none_match = evhttp_find_header(in, "If-None-Match");
	pr.range = evhttp_find_header(in, "Range");
	pr.now = now;
	fill_cert(ssl, &pr, subject, sizeof(subject));

	if (reg_txn_renew(&P.rtxn) != 0) {
		prov_refuse(&r, REF_INTERNAL);
		goto send;
	}
	prov_handle(P.cfg, P.tp, &P.rtxn, &pr, &r);
	reg_txn_reset(&P.rtxn);

	guard_log(policy_account(P.guard, &pq, &r), peer, now);
send:
	evhttp_add_header(out, "Content-Type", r.content_type);
	if (r.retry_after > 0) {
		snprintf(hdr, sizeof(hdr), "%u", r.retry_after);
		evhttp_add_header(out, "Retry-After", hdr);
	}
	if (r.allow != NULL)
		evhttp_add_header(out, "Allow", r.allow);
	/*
	 * The files hold passwords: a browser shown one must neither take it
	 * for another type nor run or load anything from it.
	 */
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(out, "Content-Security-Policy", "default-src 'none'");
	if (r.no_store)
		evhttp_add_header(out, "Cache-Control", "no-store");
	if (r.etag[0] != '\0')
		evhttp_add_header(out, "ETag", r.etag);
	if (r.fd >= 0 || r.etag[0] != '\0')
		evhttp_add_header(out, "Accept-Ranges", "bytes");
	if (r.content_range[0] != '\0')
		evhttp_add_header(out, "Content-Range", r.content_range);
	if ((body = evbuffer_new()) == NULL) {
		prov_resp_clear(&r);
		evhttp_send_error(req, 500, NULL);
		return;
	}
	if (r.body != NULL) {
		bytes = r.len;
		if (evbuffer_add_reference(body, r.body, r.len, wipe_body,
		    NULL) == 0)
			r.body = NULL;	/* the buffer owns it now */
	} else if (r.fd >= 0) {
		bytes = r.len;
		if (evbuffer_add_file(body, r.fd, r.off, (ev_off_t)r.len) == 0)
			r.fd = -1;
	} else if (r.status >= 400)
		evbuffer_add_printf(body, "%d %s\n", r.status, r.reason);
	if (pr.head && r.status < 400) {
		/* HEAD: the length the GET would have, and no body. */
		snprintf(hdr, sizeof(hdr), "%zu", r.len);
		evhttp_add_header(out, "Content-Length", hdr);
	}
	P.status[r.status / 100 < 6 ? r.status / 100 : 5]++;
	if (ssl != NULL)
		bufferevent_incref(bev);
	evhttp_send_reply(req, r.status, r.reason, body);
	if (ssl != NULL)
		join_answer(bev);
	evbuffer_free(body);
	audit(peer, method, &r, bytes, subject);
	fetch_note(&r, pr.peer_ip4, now);
	enroll_note(&r, now);
	prov_resp_clear(&r);
}

static struct evhttp *
new_http(int tls)
{
	const struct cfg_limits	*lim = &P.cfg->prov.limits;
	struct evhttp		*h;

	if ((h = evhttp_new(P.base)) == NULL)
		return NULL;
	evhttp_set_allowed_methods(h, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT);
	evhttp_set_max_headers_size(h, lim->max_header_size);
	evhttp_set_max_body_size(h, lim->max_body_size);
	evhttp_set_timeout(h, (int)lim->timeout);
	evhttp_set_gencb(h, on_request, tls ? &tag_tls : &tag_plain);
	if (tls)
		evhttp_set_bevcb(h, tlsconn_bevcb, NULL);
	return h;
}

/* Binds every "addr:port" of list; 0 or -1. */
static int
bind_all(struct evhttp *h, char **list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct evhttp_bound_socket *bs;
		int	 one = 1;
		char	 host[64];
		char	*colon = strrchr(list[i], ':');
		size_t	 hlen = (size_t)(colon - list[i]);
		long	 port = strtol(colon + 1, NULL, 10);

		if (hlen >= sizeof(host))
			return -1;
		memcpy(host, list[i], hlen);
		host[hlen] = '\0';
		if (host[0] == '[') {
			memmove(host, host + 1, hlen);
			host[strlen(host) - 1] = '\0';
		}
		if ((bs = evhttp_bind_socket_with_handle(h, host,
		    (uint16_t)port)) == NULL) {
			log_warn("cannot listen on %s", list[i]);
			return -1;
		}
		/*
		 * A close_notify or a large answer's last record would wait
		 * for the client's delayed ACK (~40 ms) under Nagle. Linux
		 * passes TCP_NODELAY from the listener to accepted sockets.
		 */
		if (setsockopt(evhttp_bound_socket_get_fd(bs), IPPROTO_TCP,
		    TCP_NODELAY, &one, sizeof(one)) != 0)
			log_warn("TCP_NODELAY on %s", list[i]);
		/*
		 * evhttp listens with a backlog of 128. After a power cut
		 * every phone of the office connects at once: past the
		 * backlog the kernel drops SYNs (a second's retry each) or
		 * answers with SYN cookies, which reset some handshakes.
		 * Listening again sets the backlog; the kernel caps it at
		 * net.core.somaxconn (4096 by default).
		 */
		if (listen(evhttp_bound_socket_get_fd(bs), LISTEN_BACKLOG) != 0)
			log_warn("listen backlog on %s", list[i]);
		if (h == P.https)
			tlsconn_add_listener(
			    evhttp_bound_socket_get_listener(bs));
		log_info("listening on %s (%s)", list[i], h == P.https ?
		    "HTTPS" : "plain HTTP");
	}
	return 0;
}

/* Config, templates and TLS context: all of them or none. */
static int
load_all(const char *path, struct cfg **cfg, struct prov_templates **tp,
    SSL_CTX **ctx, char *why, size_t whysz)
{
	char err[512];

	*tp = NULL;
	*ctx = NULL;
	if ((*cfg = daemon_load_config(path, 0, why, whysz)) == NULL)
		return -1;
	if ((*tp = prov_templates_load(*cfg, err, sizeof(err))) == NULL) {
		log_warnx("template %s", err);
		snprintf(why, whysz, "template %.400s", err);
		goto fail;
	}
	if (daemon_check_private((*cfg)->prov.tls_key, "TLS key", err,
	    sizeof(err)) != 0 ||
	    (*ctx = tls_ctx_new(*cfg, err, sizeof(err))) == NULL) {
		log_warnx("TLS: %s", err);
		snprintf(why, whysz, "TLS: %.400s", err);
		goto fail;
	}
	return 0;
fail:
	prov_templates_free(*tp);
	cfg_free(*cfg);
	*cfg = NULL;
	*tp = NULL;
	return -1;
}

static void
apply_limits(struct evhttp *h)
{
	const struct cfg_limits *lim = &P.cfg->prov.limits;

	if (h == NULL)
		return;
	evhttp_set_max_headers_size(h, lim->max_header_size);
	evhttp_set_max_body_size(h, lim->max_body_size);
	evhttp_set_timeout(h, (int)lim->timeout);
}

/* Tells provboxctl reload how the reload went (why NULL: it took). */
static void
reloaded(const char *why)
{
	daemon_reload_done(P.cfg, "provbox-provisiond", P.cfgpath, why);
}

/*
 * SIGHUP: config, templates and TLS material anew, the registry synced.
 * Open connections finish on the context they started with (OpenSSL
 * counts its references). Any failure keeps the running config.
 */
static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct cfg		*cfg;
	struct prov_templates	*tp;
	SSL_CTX			*ctx;
	char			 why[512];

	(void)sig;
	(void)what;
	(void)arg;
	log_info("reloading %s", P.cfgpath);
	daemon_notify_reloading();
	if (load_all(P.cfgpath, &cfg, &tp, &ctx, why, sizeof(why)) != 0) {
		reloaded(why);
		return;
	}
	if (daemon_sync(P.reg, cfg) != 0) {
		SSL_CTX_free(ctx);
		prov_templates_free(tp);
		cfg_free(cfg);
		reloaded("the registry sync failed (see the log)");
		return;
	}
	if (cfg->prov.nlisten != P.cfg->prov.nlisten ||
	    cfg->prov.nhttp_listen != P.cfg->prov.nhttp_listen)
		log_warnx("listen addresses changed: they take effect at "
		    "restart");
	SSL_CTX_free(P.ctx);
	prov_templates_free(P.tp);
	cfg_free(P.cfg);
	P.cfg = cfg;
	P.tp = tp;
	P.ctx = ctx;
	guard_configure(P.guard, &cfg->prov.guard);
	tlsconn_configure(ctx, &cfg->prov.limits);
	apply_limits(P.https);
	apply_limits(P.http);
	if (!P.debug)
		log_set_level(cfg->log_level);
	reloaded(NULL);
}

static void
on_term(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	log_info("signal %d: stopping", (int)sig);
	event_base_loopbreak(P.base);
}

static void
log_stats(void)
{
	struct guard_stats	gs;
	struct tlsconn_stats	ts;

	guard_get_stats(P.guard, &gs);
	tlsconn_get_stats(&ts);
	log_notice("stats: requests %lu (2xx %lu, 3xx %lu, 4xx %lu, 5xx %lu); "
	    "guard: hits %lu, misses %lu, refused %lu, blocks %lu; "
	    "connections: open %u, closed without a handshake %lu, without "
	    "a request %lu, for a newcomer %lu",
	    P.requests, P.status[2], P.status[3], P.status[4], P.status[5],
	    gs.hits, gs.misses, gs.refused, gs.blocks, ts.open,
	    ts.closed_handshake, ts.closed_request, ts.closed_limit);
}

static void
on_usr1(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	log_stats();
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct event	*sigs[4], *sweep, *fetch_ev, *log_ev;
	struct event_config *ecfg;
	struct timeval	 tv = { SWEEP_SECONDS, 0 }, one_second = { 1, 0 };
	char		 err[512];
	int		 ch, check_only = 0;

	/* Before libevent allocates anything. */
	event_set_mem_functions(malloc, ev_realloc, ev_free);
	P.cfgpath = DEFAULT_CONFIG;
	while ((ch = getopt_long(argc, argv, "c:dfnth", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			P.cfgpath = optarg;
			break;
		case 'd':
			P.debug = 1;
			break;
		case 'f':
			P.foreground = 1;
			break;
		case 'n':
		case 't':
			check_only = 1;
			break;
		case 'h':
			usage(0);
			break;
		case 'V':
			printf("provbox-provisiond %s\n", PB_VERSION);
			return 0;
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	log_init("provbox-provisiond", 1, P.debug ? PB_LOG_DEBUG :
	    PB_LOG_INFO);
	/* Under systemd, even the config's errors are journal entries. */
	log_set_target(LOG_TARGET_AUTO);
	if (load_all(P.cfgpath, &P.cfg, &P.tp, &P.ctx, err, sizeof(err)) != 0)
		return 1;
	if (check_only) {
		fprintf(stderr, "%s: OK\n", P.cfgpath);
		goto out;
	}
	if (!P.debug)
		log_set_level(P.cfg->log_level);
	log_set_facility(P.cfg->log_facility);
	log_set_target(P.cfg->log_target);
	log_set_ratelimit(P.cfg->log_warn_burst, P.cfg->log_warn_interval);
	signal(SIGPIPE, SIG_IGN);

	if (reg_open(P.cfg->registry_path, P.cfg->registry_map_size,
	    P.cfg->registry_sync ? 0 : REG_NOSYNC, &P.reg, err,
	    sizeof(err)) != 0)
		fatalx("%s", err);
	if (daemon_sync(P.reg, P.cfg) != 0)
		fatalx("cannot bring the config into the registry");
	if (reg_txn_begin(P.reg, &P.rtxn, 1) != 0)
		fatalx("cannot read the registry");
	reg_txn_reset(&P.rtxn);
	if ((P.guard = guard_new(&P.cfg->prov.guard, GUARD_TRACKED)) == NULL)
		fatalx("out of memory for the guard");
	/*
	 * The changelist folds the add/delete pairs evhttp makes on every
	 * request (read off while answering, write on until sent) into one
	 * epoll_ctl() per change that survives the pass, if any. Three
	 * priorities: everything runs at the middle one, the log flush at the
	 * lowest, so that it waits for the pass's I/O.
	 */
	if ((ecfg = event_config_new()) == NULL ||
	    event_config_set_flag(ecfg,
	    EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) != 0 ||
	    (P.base = event_base_new_with_config(ecfg)) == NULL ||
	    event_base_priority_init(P.base, 3) != 0)
		fatalx("cannot create the event loop");
	event_config_free(ecfg);
	if (tlsconn_init(P.base, P.ctx, &P.cfg->prov.limits) != 0)
		fatalx("cannot start the connection deadlines");
	if ((P.https = new_http(1)) == NULL ||
	    bind_all(P.https, P.cfg->prov.listen, P.cfg->prov.nlisten) != 0)
		fatalx("cannot start HTTPS");
	if (P.cfg->prov.nhttp_listen > 0 && ((P.http = new_http(0)) == NULL ||
	    bind_all(P.http, P.cfg->prov.http_listen,
	    P.cfg->prov.nhttp_listen) != 0))
		fatalx("cannot start plain HTTP");

	if (!P.foreground) {
		if (daemon(0, 0) != 0)
			fatal("daemon");
		log_init("provbox-provisiond", 0, P.debug ? PB_LOG_DEBUG :
		    P.cfg->log_level);
	}
	P.pidfile = runstate_write_pid(P.cfg->run_dir, "provbox-provisiond");
	daemon_drop_privileges(P.cfg->user, 0);
	if (sandbox_enter(SANDBOX_PROVISIOND) != 0)
		fatalx("cannot start without the seccomp filter");

	sigs[0] = evsignal_new(P.base, SIGHUP, on_hup, NULL);
	sigs[1] = evsignal_new(P.base, SIGTERM, on_term, NULL);
	sigs[2] = evsignal_new(P.base, SIGINT, on_term, NULL);
	sigs[3] = evsignal_new(P.base, SIGUSR1, on_usr1, NULL);
	for (int i = 0; i < 4; i++)
		if (sigs[i] == NULL || evsignal_add(sigs[i], NULL) != 0)
			fatalx("cannot watch signals");
	if ((sweep = event_new(P.base, -1, EV_PERSIST, on_sweep, NULL)) ==
	    NULL || event_add(sweep, &tv) != 0)
		fatalx("cannot start the guard sweep");
	if ((fetch_ev = event_new(P.base, -1, EV_PERSIST, on_fetch_timer,
	    NULL)) == NULL || event_add(fetch_ev, &one_second) != 0)
		fatalx("cannot start the fetch records");
	/*
	 * The audit lines of one pass of the loop leave in one write() when
	 * its I/O is done (log_hold in log.h), not one each.
	 */
	if ((log_ev = event_new(P.base, -1, 0, on_log_flush, NULL)) == NULL ||
	    event_priority_set(log_ev, 2) != 0)
		fatalx("cannot start the log");
	log_hold(on_log_held, log_ev);
	log_info("provbox-provisiond started (config %s, registry %s)",
	    P.cfgpath, P.cfg->registry_path);
	/* Its sockets are open and its privileges dropped: it serves. */
	daemon_notify_ready(P.cfgpath);

	event_base_dispatch(P.base);

	daemon_notify_stopping();

	log_stats();
	fetch_flush();
	log_hold(NULL, NULL);
	event_free(log_ev);
	event_free(fetch_ev);
	event_free(sweep);
	for (int i = 0; i < 4; i++)
		event_free(sigs[i]);
	tlsconn_shutdown();
	if (P.http != NULL)
		evhttp_free(P.http);
	evhttp_free(P.https);
	event_base_free(P.base);
	guard_free(P.guard);
	reg_txn_abort(&P.rtxn);
	reg_close(P.reg);
	if (P.pidfile != NULL) {
		unlink(P.pidfile);
		free(P.pidfile);
	}
out:
	SSL_CTX_free(P.ctx);
	prov_templates_free(P.tp);
	cfg_free(P.cfg);
	return 0;
}
