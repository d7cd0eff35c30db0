/*
 * provisiond.c - provbox-provisiond: HTTPS on libevent and OpenSSL around
 * the answers of serve.c, with the enumeration guard and one audit line
 * per request.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
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
#include "ctl.h"
#include "daemon.h"
#include "enroll.h"
#include "guard.h"
#include "log.h"
#include "pmetrics.h"
#include "policy.h"
#include "provisiond.h"
#include "registry.h"
#include "sandbox.h"
#include "serve.h"
#include "pnpd.h"
#include "sync.h"
#include "tftp.h"
#include "tls.h"
#include "tlsconn.h"

#define GUARD_TRACKED	65536
#define SWEEP_SECONDS	5
#define FETCH_QUEUE	512	/* fetch records written at most once a second */
#define ENROLL_QUEUE	256	/* enrollment events, written with them */
#define LISTEN_BACKLOG	4096	/* a whole office's phones at once */
/*
 * provbox takes no uploads (provbox.conf(5), "Uploads"): a PUT or POST
 * with a small body reaches on_request() to be answered 405 and logged;
 * a larger one is refused (413) before its body is read.
 */
#define PROV_MAX_BODY	1024
/* Answers up to this size leave as one TLS record (see join_answer). */
#define ONE_RECORD	16384
/* Header fields in one request at most, as Apache's LimitRequestFields. */
struct provd {
	struct event_base	*base;		/* daemon_main()'s */
	const struct cfg	*cfg;		/* borrowed: daemon_main()'s */
	struct reg		*reg;
	struct reg_txn		 rtxn;		/* reset between requests */
	struct prov_templates	*tp;
	SSL_CTX			*ctx;
	struct guard		*guard;
	struct evhttp		*https;
	struct evhttp		*http;
	struct tftp_server	*tftp;		/* NULL: no tftp_listen */
	struct pnpd		*pnpd;		/* NULL: no sip_pnp */
	struct event		*sweep;		/* the guard's */
	struct event		*fetch_ev;	/* fetch records, once a second */
	struct event		*log_ev;	/* the audit lines' flush */
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
peer_of_sa(const struct sockaddr *sa, struct guard_addr *ga, uint32_t *ip4)
{
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

static void
peer_of(struct evhttp_connection *conn, struct guard_addr *ga,
    uint32_t *ip4)
{
	peer_of_sa(evhttp_connection_get_addr(conn), ga, ip4);
}

/*
 * The request's audit line; in the journal with the peer, MAC, user and
 * class as fields, and PROVBOX_EVENT "http-served" or "http-refused"
 * ("tftp-served", "tftp-refused" for a TFTP read request, method RRQ).
 */
static void
audit(const char *peer, const char *method, int tftp,
    const struct prov_resp *r, size_t bytes, const char *subject)
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
	if (tftp)
		f.event = r->refused == REF_NONE ? "tftp-served" :
		    "tftp-refused";
	else
		f.event = r->refused == REF_NONE ? "http-served" :
		    "http-refused";
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
enroll_note_op(const struct enroll_op *op, time_t now)
{
	if (op->kind == EOP_NONE)
		return;
	if (P.neops == ENROLL_QUEUE)
		fetch_flush();
	P.eops[P.neops] = *op;
	P.eop_time[P.neops] = now;
	P.neops++;
	if (op->kind == EOP_HANDED || op->kind == EOP_DUPLICATE)
		fetch_flush();
}

static void
enroll_note(const struct prov_resp *r, time_t now)
{
	enroll_note_op(&r->eop, now);
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
	pmetrics_begin();
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
	pmetrics_request(&r, ssl != NULL ? PM_SCHEME_HTTPS :
	    PM_SCHEME_HTTP);
	if (ssl != NULL)
		join_answer(bev);
	evbuffer_free(body);
	audit(peer, method, 0, &r, bytes, subject);
	fetch_note(&r, pr.peer_ip4, now);
	enroll_note(&r, now);
	prov_resp_clear(&r);
}

/*
 * A SIP plug-and-play SUBSCRIBE (pnpd.h): pnp_decide() on the registry,
 * its audit line (PROVBOX_EVENT "sip-pnp-answered" or "sip-pnp-refused";
 * the URL's token shortened), and what it taught enrollment.
 */
static void
on_pnp_subscribe(const struct sippnp_sub *s, const struct sockaddr_in *src,
    uint32_t local, struct pnp_answer *a, void *arg)
{
	struct log_fields	f;
	time_t			now = time(NULL);
	char			peer[INET_ADDRSTRLEN], mac[MAC_STR_LEN] = "-";
	char			vendor[SIPPNP_NAME_MAX * 4 + 1];
	char			model[SIPPNP_NAME_MAX * 4 + 1];
	char			what[64];

	(void)arg;
	inet_ntop(AF_INET, &src->sin_addr, peer, sizeof(peer));
	if (reg_txn_renew(&P.rtxn) != 0) {
		memset(a, 0, sizeof(*a));
		a->refused = PNP_INTERNAL;
	} else {
		pnp_decide(P.cfg, &P.rtxn, s, ntohl(src->sin_addr.s_addr),
		    local, now, a);
		reg_txn_reset(&P.rtxn);
	}
	if (s->has_mac)
		mac_format(&s->mac, mac);
	log_escape(vendor, sizeof(vendor), s->vendor, strlen(s->vendor));
	log_escape(model, sizeof(model), s->model, strlen(s->model));
	if (a->refused != PNP_OK)
		snprintf(what, sizeof(what), "nothing");
	else if (a->token_hint[0] != '\0')
		snprintf(what, sizeof(what), "%s %s", a->first_access ?
		    "first-access" : "token", a->token_hint);
	else
		snprintf(what, sizeof(what), "url");
	memset(&f, 0, sizeof(f));
	f.ip = peer;
	f.mac = s->has_mac ? mac : NULL;
	f.user = a->user;
	f.class = a->vendor;
	f.event = a->refused == PNP_OK ? "sip-pnp-answered" :
	    "sip-pnp-refused";
	log_fields_msg(PB_LOG_INFO, &f, "%s SUBSCRIBE pnp vendor \"%s\" "
	    "model \"%s\" -> %s mac %s user %s class %s refused %s", peer,
	    vendor, model, what, mac, a->user[0] ? a->user : "-",
	    a->vendor != NULL ? a->vendor : "-", pnp_refusal_str(a->refused));
	enroll_note_op(&a->eop, now);
}

/*
 * A TFTP read request (tftp.h): the flat folder's file of that name, by
 * the same rules, guard and audit line as over HTTP; tftp.c sends it.
 */
static void
on_tftp_request(const struct tftp_req *req, const struct sockaddr *sa,
    struct prov_resp *r, void *arg)
{
	struct prov_req		 pr;
	struct policy_req	 pq;
	struct guard_addr	 ga;
	time_t			 now = time(NULL);
	char			 peer[INET6_ADDRSTRLEN];
	char			 path[ROUTE_PATH_MAX + 1];

	(void)arg;
	memset(&pr, 0, sizeof(pr));
	pmetrics_begin();
	P.requests++;
	peer_of_sa(sa, &ga, &pr.peer_ip4);
	guard_addr_str(&ga, peer, sizeof(peer));
	memset(&pq, 0, sizeof(pq));
	pq.peer = &ga;
	pq.now = now;
	pq.method = PM_GET;
	if (policy_admit(P.guard, &pq, r))
		goto done;
	snprintf(path, sizeof(path), "%s/%s", P.cfg->prov.legacy_path,
	    req->name);
	pr.path = path;
	pr.tftp = 1;
	pr.now = now;
	if (reg_txn_renew(&P.rtxn) != 0) {
		prov_refuse(r, REF_INTERNAL);
		goto done;
	}
	prov_handle(P.cfg, P.tp, &P.rtxn, &pr, r);
	reg_txn_reset(&P.rtxn);
	guard_log(policy_account(P.guard, &pq, r), peer, now);
done:
	P.status[r->status / 100 < 6 ? r->status / 100 : 5]++;
	pmetrics_request(r, PM_SCHEME_TFTP);
	audit(peer, "RRQ", 1, r, r->len, "");
	fetch_note(r, pr.peer_ip4, now);
	enroll_note(r, now);
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
	evhttp_set_max_body_size(h, PROV_MAX_BODY);
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

/* What a (re)load reads beside the config: templates and TLS context. */
struct staged {
	struct prov_templates	*tp;
	SSL_CTX			*ctx;
};

static void
discard(void *arg)
{
	struct staged *st = arg;

	if (st == NULL)
		return;
	SSL_CTX_free(st->ctx);
	prov_templates_free(st->tp);
	free(st);
}

/* Load (daemon.h): templates and TLS context, both or neither. */
static int
load(const struct cfg *cfg, void **out, char *why, size_t whysz)
{
	struct staged	*st;
	char		 err[512];

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(why, whysz, "out of memory");
		return -1;
	}
	if ((st->tp = prov_templates_load(cfg, err, sizeof(err))) == NULL) {
		snprintf(why, whysz, "template %.400s", err);
		goto fail;
	}
	if (daemon_check_private(cfg->prov.tls_key, "TLS key", err,
	    sizeof(err)) != 0 ||
	    (st->ctx = tls_ctx_new(cfg, err, sizeof(err))) == NULL) {
		snprintf(why, whysz, "TLS: %.400s", err);
		goto fail;
	}
	*out = st;
	return 0;
fail:
	discard(st);
	return -1;
}

static void
apply_limits(struct evhttp *h)
{
	const struct cfg_limits *lim = &P.cfg->prov.limits;

	if (h == NULL)
		return;
	evhttp_set_max_headers_size(h, lim->max_header_size);
	evhttp_set_max_body_size(h, PROV_MAX_BODY);
	evhttp_set_timeout(h, (int)lim->timeout);
}

/*
 * Reload (daemon.h): templates and TLS material anew, after daemon_main()
 * synced the registry. Open connections finish on the context they
 * started with (OpenSSL counts its references).
 */
static int
apply(const struct cfg *cfg, void *arg, char *why, size_t whysz)
{
	struct staged *st = arg;

	(void)why;
	(void)whysz;
	if (cfg->prov.nlisten != P.cfg->prov.nlisten ||
	    cfg->prov.nhttp_listen != P.cfg->prov.nhttp_listen ||
	    cfg->prov.ntftp_listen != P.cfg->prov.ntftp_listen ||
	    cfg->prov.sip_pnp != P.cfg->prov.sip_pnp)
		log_warnx("listen addresses changed: they take effect at "
		    "restart");
	SSL_CTX_free(P.ctx);
	prov_templates_free(P.tp);
	P.cfg = cfg;
	P.tp = st->tp;
	P.ctx = st->ctx;
	free(st);
	guard_configure(P.guard, &cfg->prov.guard);
	pnpd_configure(P.pnpd, cfg);
	tlsconn_configure(P.ctx, &cfg->prov.limits);
	apply_limits(P.https);
	apply_limits(P.http);
	return 0;
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
	if (P.tftp != NULL) {
		struct tftp_stats	st;

		tftp_server_stats(P.tftp, &st);
		log_notice("stats: tftp: requests %lu, malformed %lu, refused "
		    "%lu, busy %lu; transfers done %lu, timed out %lu, "
		    "aborted %lu, failed %lu; open %u", st.requests,
		    tftp_stats_malformed(&st),
		    st.refused, st.busy, st.done, st.timedout, st.aborted,
		    st.failed, st.sessions);
	}
	if (P.pnpd != NULL) {
		struct pnpd_stats	ps;
		unsigned long		refused = 0;

		pnpd_get_stats(P.pnpd, &ps);
		for (int i = 1; i < PNP_COUNT; i++)
			refused += ps.refused[i];
		log_notice("stats: sip-pnp: datagrams %lu, malformed %lu, "
		    "subscribes %lu, answered %lu, refused %lu, blocked %lu, "
		    "busy %lu; notify acked %lu, timed out %lu", ps.received,
		    pnpd_stats_malformed(&ps), ps.subscribes, ps.refused[PNP_OK], refused,
		    ps.blocked, ps.busy, ps.notify_acked, ps.notify_timeout);
	}
}

/* Start (daemon.h): after the fork, as root, before the sandbox. */
static int
start(struct event_base *base, struct reg *reg, const struct cfg *cfg,
    void *arg, char *err, size_t errsz)
{
	struct staged	*st = arg;
	struct timeval	 tv = { SWEEP_SECONDS, 0 }, one_second = { 1, 0 };

	P.base = base;
	P.reg = reg;
	P.cfg = cfg;
	P.tp = st->tp;
	P.ctx = st->ctx;
	free(st);
	if (reg_txn_begin(P.reg, &P.rtxn, 1) != 0) {
		snprintf(err, errsz, "cannot read the registry");
		return -1;
	}
	reg_txn_reset(&P.rtxn);
	if ((P.guard = guard_new(&cfg->prov.guard, GUARD_TRACKED)) == NULL) {
		snprintf(err, errsz, "out of memory for the guard");
		return -1;
	}
	if (tlsconn_init(base, P.ctx, &cfg->prov.limits) != 0) {
		snprintf(err, errsz, "cannot start the connection deadlines");
		return -1;
	}
	if ((P.https = new_http(1)) == NULL ||
	    bind_all(P.https, cfg->prov.listen, cfg->prov.nlisten) != 0) {
		snprintf(err, errsz, "cannot start HTTPS");
		return -1;
	}
	if (cfg->prov.nhttp_listen > 0 && ((P.http = new_http(0)) == NULL ||
	    bind_all(P.http, cfg->prov.http_listen,
	    cfg->prov.nhttp_listen) != 0)) {
		snprintf(err, errsz, "cannot start plain HTTP");
		return -1;
	}
	if (cfg->prov.ntftp_listen > 0 && (P.tftp = tftp_server_new(base,
	    cfg->prov.tftp_listen, cfg->prov.ntftp_listen, on_tftp_request,
	    NULL, err, errsz)) == NULL)
		return -1;
	if (cfg->prov.sip_pnp && (P.pnpd = pnpd_new(base, cfg,
	    on_pnp_subscribe, NULL, err, errsz)) == NULL)
		return -1;
	if ((P.sweep = event_new(base, -1, EV_PERSIST, on_sweep, NULL)) ==
	    NULL || event_add(P.sweep, &tv) != 0) {
		snprintf(err, errsz, "cannot start the guard sweep");
		return -1;
	}
	if ((P.fetch_ev = event_new(base, -1, EV_PERSIST, on_fetch_timer,
	    NULL)) == NULL || event_add(P.fetch_ev, &one_second) != 0) {
		snprintf(err, errsz, "cannot start the fetch records");
		return -1;
	}
	/*
	 * The audit lines of one pass of the loop leave in one write() when
	 * its I/O is done (log_hold in log.h), not one each: the flush runs
	 * at the lowest of the loop's three priorities.
	 */
	if ((P.log_ev = event_new(base, -1, 0, on_log_flush, NULL)) == NULL ||
	    event_priority_set(P.log_ev, 2) != 0) {
		snprintf(err, errsz, "cannot start the log");
		return -1;
	}
	log_hold(on_log_held, P.log_ev);
	return 0;
}

static void
stop(void)
{
	fetch_flush();
	log_hold(NULL, NULL);
	event_free(P.log_ev);
	event_free(P.fetch_ev);
	event_free(P.sweep);
	tlsconn_shutdown();
	tftp_server_free(P.tftp);
	pnpd_free(P.pnpd);
	if (P.http != NULL)
		evhttp_free(P.http);
	evhttp_free(P.https);
	guard_free(P.guard);
	reg_txn_abort(&P.rtxn);
	SSL_CTX_free(P.ctx);
	prov_templates_free(P.tp);
}

const struct provd_view *
provd_view(void)
{
	static struct provd_view v;

	v.cfg = P.cfg;
	v.reg = P.reg;
	v.tp = P.tp;
	v.guard = P.guard;
	v.tftp = P.tftp;
	v.pnpd = P.pnpd;
	v.requests = P.requests;
	memcpy(v.status, P.status, sizeof(v.status));
	return &v;
}

int
main(int argc, char *argv[])
{
	static const struct daemon_hooks hooks = {
		.name = "provbox-provisiond",
		.caps = 0,
		.sandbox = SANDBOX_PROVISIOND,
		.load = load,
		.discard = discard,
		.start = start,
		.apply = apply,
		.stats = log_stats,
		.stop = stop,
		.commands = provd_ctl_commands,
		.metrics = provd_metrics,
	};
	struct daemon_hooks h = hooks;

	/* Before libevent allocates anything. */
	event_set_mem_functions(malloc, ev_realloc, ev_free);
	h.ncommands = provd_ctl_ncommands;
	return daemon_main(argc, argv, &h);
}
