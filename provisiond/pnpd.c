/*
 * pnpd.c - the SIP plug-and-play responder's socket and transactions
 * (pnpd.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cfg.h"
#include "guard.h"
#include "log.h"
#include "pnpd.h"
#include "udp.h"

#define READ_BURST	32
#define SWEEP_SECONDS	5
#define GUARD_TRACKED	4096
#define MSG_BUF		(SIPPNP_MSG_MAX + SIPPNP_URL_MAX + 1024)

/* One answered SUBSCRIBE: its 200 OK and its NOTIFY in flight. */
struct pnp_txn {
	LIST_ENTRY(pnp_txn)	 entry;
	struct pnpd		*d;
	char			 call_id[SIPPNP_ID_MAX];
	uint32_t		 cseq;
	struct sockaddr_in	 peer;
	char			*ok;		/* resent to a retransmission */
	int			 oklen;
	char			*notify;	/* holds a first-access URL */
	int			 nlen;
	int			 acked;		/* a final answer came */
	struct sippnp_timer	 tm;
	unsigned		 since_ms;	/* time since the first send */
	struct event		*ev;
};

struct pnpd {
	struct event_base	*base;
	int			 fd;
	struct event		*rd;
	struct event		*sweep;
	struct guard		*guard;
	LIST_HEAD(, pnp_txn)	 txns;
	pnpd_answer_fn		 answer;
	void			*arg;
	unsigned		 block, max_misses;	/* the guard's */
	struct pnpd_stats	 st;
};

static struct log_ratelimit rl_bad = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_busy = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_io = LOG_RATELIMIT_CONFIGURED;

/* A random token of 16 hex digits (tags, branches). */
static void
random_token(char out[17])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	  b[8];

	if (RAND_bytes(b, sizeof(b)) != 1)
		memset(b, 0, sizeof(b));	/* unique enough per txn */
	for (int i = 0; i < 8; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[16] = '\0';
}

static void
txn_free(struct pnp_txn *t)
{
	if (t == NULL)
		return;
	LIST_REMOVE(t, entry);
	t->d->st.txns--;
	if (t->ev != NULL)
		event_free(t->ev);
	if (t->notify != NULL) {
		OPENSSL_cleanse(t->notify, (size_t)t->nlen);
		free(t->notify);
	}
	free(t->ok);
	free(t);
}

static void
send_to(struct pnpd *d, const struct sockaddr_in *to, const char *msg,
    int len)
{
	char ip[INET_ADDRSTRLEN];

	if (sendto(d->fd, msg, (size_t)len, 0, (const struct sockaddr *)to,
	    sizeof(*to)) < 0)
		log_warnx_rl(&rl_io, "sip-pnp: send to %s: %s",
		    inet_ntop(AF_INET, &to->sin_addr, ip, sizeof(ip)),
		    strerror(errno));
}

/*
 * Timer E and F for the NOTIFY; past Timer F the transaction is dropped
 * (its 200 OK no longer answers a retransmitted SUBSCRIBE).
 */
static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct pnp_txn	*t = arg;
	struct timeval	 tv;
	unsigned	 delay;

	(void)fd;
	(void)what;
	if (t->acked) {
		/* Kept as long as Timer F, for retransmitted SUBSCRIBEs. */
		txn_free(t);
		return;
	}
	if (sippnp_timer_next(&t->tm, &delay) != 0) {
		t->d->st.notify_timeout++;
		log_debug("sip-pnp: NOTIFY %s: no answer", t->call_id);
		txn_free(t);
		return;
	}
	send_to(t->d, &t->peer, t->notify, t->nlen);
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(t->ev, &tv);
}

static struct pnp_txn *
txn_find(struct pnpd *d, const char *call_id, const struct sockaddr_in *peer)
{
	struct pnp_txn *t;

	LIST_FOREACH(t, &d->txns, entry)
		if (strcmp(t->call_id, call_id) == 0 &&
		    t->peer.sin_addr.s_addr == peer->sin_addr.s_addr)
			return t;
	return NULL;
}

static unsigned
txns_of(const struct pnpd *d, const struct sockaddr_in *peer)
{
	const struct pnp_txn	*t;
	unsigned		 n = 0;

	LIST_FOREACH(t, &d->txns, entry)
		n += t->peer.sin_addr.s_addr == peer->sin_addr.s_addr;
	return n;
}

static void
on_response(struct pnpd *d, const char *buf, size_t n,
    const struct sockaddr_in *src)
{
	struct sippnp_resp	 r;
	struct pnp_txn		*t;
	struct timeval		 tv;
	enum sippnp_err		 e;
	unsigned		 left;

	if ((e = sippnp_parse_response(buf, n, &r)) != SIPPNP_OK) {
		d->st.malformed[e]++;
		return;
	}
	if ((t = txn_find(d, r.call_id, src)) == NULL ||
	    strcmp(r.method, "NOTIFY") != 0 || t->acked) {
		d->st.stray++;
		return;
	}
	if (r.status < 200) {
		sippnp_timer_provisional(&t->tm);
		return;
	}
	t->acked = 1;
	d->st.notify_acked++;
	log_debug("sip-pnp: NOTIFY %s: %d", t->call_id, r.status);
	/* The NOTIFY is done: wipe it now, keep the 200 OK. */
	OPENSSL_cleanse(t->notify, (size_t)t->nlen);
	/* Until Timer F, for a SUBSCRIBE sent again (17.2.2: Timer J). */
	left = SIPPNP_TF_MS - t->tm.elapsed_ms;
	tv.tv_sec = left / 1000;
	tv.tv_usec = (left % 1000) * 1000;
	evtimer_add(t->ev, &tv);
}

/* Answers an accepted SUBSCRIBE: 200 OK, then the NOTIFY. */
static void
answer(struct pnpd *d, struct sippnp_sub *s, const struct sockaddr_in *src,
    uint32_t local, const struct pnp_answer *a)
{
	struct sippnp_notify_args	 na;
	struct pnp_txn			*t = NULL;
	struct timeval			 tv;
	char				 ip[INET_ADDRSTRLEN], lhost[32];
	char				 tag[17], branch[17], *buf = NULL;
	struct in_addr			 la = { htonl(local) };
	unsigned			 first;
	int				 n;

	inet_ntop(AF_INET, &src->sin_addr, ip, sizeof(ip));
	snprintf(lhost, sizeof(lhost), "%s:%d", inet_ntoa(la), PNPD_PORT);
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (buf = malloc(MSG_BUF)) == NULL)
		goto fail;
	t->d = d;
	snprintf(t->call_id, sizeof(t->call_id), "%s", s->call_id);
	t->cseq = s->cseq;
	t->peer = *src;
	random_token(tag);
	random_token(branch);
	(void)sippnp_set_source(s, ip, ntohs(src->sin_port));
	if ((n = sippnp_build_ok(s, tag, lhost, buf, MSG_BUF)) < 0 ||
	    (t->ok = malloc((size_t)n)) == NULL)
		goto fail;
	memcpy(t->ok, buf, (size_t)n);
	t->oklen = n;
	memset(&na, 0, sizeof(na));
	na.local = lhost;
	na.branch = branch;
	na.to_tag = tag;
	na.cseq = 1;
	na.url = a->url;
	na.expires = -1;	/* one NOTIFY ends the subscription */
	if ((n = sippnp_build_notify(s, &na, buf, MSG_BUF)) < 0 ||
	    (t->notify = malloc((size_t)n)) == NULL)
		goto fail;
	memcpy(t->notify, buf, (size_t)n);
	t->nlen = n;
	if ((t->ev = evtimer_new(d->base, on_timer, t)) == NULL)
		goto fail;
	LIST_INSERT_HEAD(&d->txns, t, entry);
	d->st.txns++;
	send_to(d, src, t->ok, t->oklen);
	send_to(d, src, t->notify, t->nlen);
	first = sippnp_timer_start(&t->tm);
	tv.tv_sec = first / 1000;
	tv.tv_usec = (first % 1000) * 1000;
	evtimer_add(t->ev, &tv);
	OPENSSL_cleanse(buf, MSG_BUF);
	free(buf);
	return;
fail:
	log_warnx_rl(&rl_io, "sip-pnp: %s: cannot build the answer", ip);
	if (buf != NULL) {
		OPENSSL_cleanse(buf, MSG_BUF);
		free(buf);
	}
	if (t != NULL) {
		if (t->notify != NULL) {
			OPENSSL_cleanse(t->notify, (size_t)t->nlen);
			free(t->notify);
		}
		free(t->ok);
		free(t);
	}
}

static void
on_subscribe(struct pnpd *d, const char *buf, size_t n,
    const struct sockaddr_in *src, uint32_t local)
{
	struct sippnp_sub	*s = NULL;
	struct pnp_answer	 a;
	struct guard_addr	 ga;
	struct pnp_txn		*t;
	enum sippnp_err		 e;
	time_t			 now = time(NULL);
	char			 ip[INET_ADDRSTRLEN];

	memset(&ga, 0, sizeof(ga));
	ga.family = AF_INET;
	memcpy(ga.b, &src->sin_addr, 4);
	if (guard_check(d->guard, &ga, now, NULL)) {
		d->st.blocked++;
		return;
	}
	/* sippnp_sub is a few KiB: not on the loop's stack. */
	if ((s = malloc(sizeof(*s))) == NULL)
		return;
	if ((e = sippnp_parse(buf, n, s)) != SIPPNP_OK) {
		d->st.malformed[e]++;
		log_warnx_rl(&rl_bad, "sip-pnp: %s: message dropped (%s)",
		    inet_ntop(AF_INET, &src->sin_addr, ip, sizeof(ip)),
		    sippnp_err_str(e));
		goto done;
	}
	d->st.subscribes++;
	if ((t = txn_find(d, s->call_id, src)) != NULL) {
		/* Our 200 OK was lost: the same one again (17.2.2). */
		d->st.retransmitted++;
		send_to(d, src, t->ok, t->oklen);
		goto done;
	}
	if (d->st.txns >= PNPD_TXNS || txns_of(d, src) >= PNPD_PER_SOURCE) {
		d->st.busy++;
		log_warnx_rl(&rl_busy, "sip-pnp: %s: SUBSCRIBE dropped: %u "
		    "transactions now (at most %d, %d per address)",
		    inet_ntop(AF_INET, &src->sin_addr, ip, sizeof(ip)),
		    d->st.txns, PNPD_TXNS, PNPD_PER_SOURCE);
		goto done;
	}
	d->answer(s, src, local, &a, d->arg);
	if ((unsigned)a.refused < PNP_COUNT)
		d->st.refused[a.refused]++;
	if (a.refused == PNP_OK) {
		guard_hit(d->guard, &ga, now);
		answer(d, s, src, local, &a);
	} else if (a.refused != PNP_INTERNAL &&
	    (guard_miss(d->guard, &ga, now) & GUARD_SOURCE_BLOCKED))
		log_warnx("sip-pnp: %s blocked for %us after more than %u "
		    "refused SUBSCRIBEs", inet_ntop(AF_INET, &src->sin_addr,
		    ip, sizeof(ip)), d->block, d->max_misses);
	pnp_answer_clear(&a);
done:
	free(s);
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct pnpd	*d = arg;
	char		 buf[SIPPNP_MSG_MAX + 1];

	(void)what;
	for (int i = 0; i < READ_BURST; i++) {
		struct udp_dgram	 dg;
		struct sockaddr_in	 src;
		ssize_t			 n;
		uint32_t		 local;

		if ((n = udp_recv(fd, buf, sizeof(buf), &dg)) < 0)
			return;
		d->st.received++;
		if (dg.peer.ss_family != AF_INET || udp_port(&dg.peer) == 0 ||
		    dg.local.ss_family != AF_INET)
			continue;
		if ((size_t)n > SIPPNP_MSG_MAX || dg.truncated) {
			d->st.malformed[SIPPNP_ERR_SIZE]++;
			continue;
		}
		memcpy(&src, &dg.peer, sizeof(src));
		/* For a multicast, our address on that link. */
		local = ntohl(((struct sockaddr_in *)(void *)&dg.local)->
		    sin_addr.s_addr);
		/* A response starts "SIP/2.0 ", a request with its method. */
		if (n >= 8 && memcmp(buf, "SIP/2.0 ", 8) == 0)
			on_response(d, buf, (size_t)n, &src);
		else
			on_subscribe(d, buf, (size_t)n, &src, local);
	}
}

static void
no_log(const struct guard_addr *a, void *arg)
{
	(void)a;
	(void)arg;
}

static void
on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct pnpd *d = arg;

	(void)fd;
	(void)what;
	guard_sweep(d->guard, time(NULL), no_log, NULL);
}

/* 1 if name is an interface provbox serves by the config. */
static int
served(const struct cfg *cfg, const char *name, uint32_t addr)
{
	if (cfg->dhcp.ninterfaces > 0) {
		for (size_t i = 0; i < cfg->dhcp.ninterfaces; i++)
			if (strcmp(cfg->dhcp.interfaces[i], name) == 0)
				return 1;
		return 0;
	}
	for (size_t i = 0; i < cfg->dhcp.nsubnets; i++)
		if ((addr & cfg->dhcp.subnets[i].mask) ==
		    cfg->dhcp.subnets[i].network)
			return 1;
	return 0;
}

/* Joins 224.0.1.75 on every served interface; the number joined. */
static unsigned
join_groups(struct pnpd *d, const struct cfg *cfg)
{
	struct ifaddrs	*ifs = NULL, *i;
	unsigned	 idx[64], n = 0;

	if (getifaddrs(&ifs) != 0) {
		log_warn("sip-pnp: getifaddrs");
		return 0;
	}
	for (i = ifs; i != NULL; i = i->ifa_next) {
		struct ip_mreqn		 mr;
		const struct sockaddr_in *sin = (const void *)i->ifa_addr;
		unsigned		 ix;
		int			 dup = 0;

		if (sin == NULL || sin->sin_family != AF_INET ||
		    (i->ifa_flags & IFF_LOOPBACK) ||
		    !(i->ifa_flags & IFF_MULTICAST) ||
		    !served(cfg, i->ifa_name, ntohl(sin->sin_addr.s_addr)) ||
		    (ix = if_nametoindex(i->ifa_name)) == 0)
			continue;
		for (unsigned k = 0; k < n; k++)
			dup |= idx[k] == ix;
		if (dup || n == sizeof(idx) / sizeof(idx[0]))
			continue;
		memset(&mr, 0, sizeof(mr));
		inet_pton(AF_INET, PNPD_GROUP, &mr.imr_multiaddr);
		mr.imr_address = sin->sin_addr;
		mr.imr_ifindex = (int)ix;
		if (setsockopt(d->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
		    sizeof(mr)) != 0) {
			log_warn("sip-pnp: cannot join %s on %s", PNPD_GROUP,
			    i->ifa_name);
			continue;
		}
		idx[n++] = ix;
		log_info("sip-pnp: listening on %s for %s:%d", i->ifa_name,
		    PNPD_GROUP, PNPD_PORT);
	}
	freeifaddrs(ifs);
	return n;
}

struct pnpd *
pnpd_new(struct event_base *base, const struct cfg *cfg,
    pnpd_answer_fn answer_fn, void *arg, char *err, size_t errsz)
{
	struct pnpd		*d;
	struct sockaddr_in	 sin;
	struct timeval		 tv = { SWEEP_SECONDS, 0 };
	int			 one = 1;

	if (sippnp_init() != 0) {
		snprintf(err, errsz, "sip-pnp: cannot start the SIP parser");
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	d->base = base;
	d->fd = -1;
	d->answer = answer_fn;
	d->arg = arg;
	LIST_INIT(&d->txns);
	d->block = cfg->prov.guard.block;
	d->max_misses = cfg->prov.guard.max_misses;
	if ((d->guard = guard_new(&cfg->prov.guard, GUARD_TRACKED)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(PNPD_PORT);
	if ((d->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(d->fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 ||
	    setsockopt(d->fd, IPPROTO_IP, IP_PKTINFO, &one,
	    sizeof(one)) != 0 ||
	    bind(d->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		snprintf(err, errsz, "sip-pnp: cannot listen on UDP port %d: "
		    "%s", PNPD_PORT, strerror(errno));
		goto fail;
	}
	if ((d->st.joined = join_groups(d, cfg)) == 0)
		log_warnx("sip-pnp: no served interface to join %s on: only "
		    "SUBSCRIBEs sent to this box's own address are answered",
		    PNPD_GROUP);
	if ((d->rd = event_new(base, d->fd, EV_READ | EV_PERSIST, on_read,
	    d)) == NULL || event_add(d->rd, NULL) != 0 ||
	    (d->sweep = event_new(base, -1, EV_PERSIST, on_sweep, d)) ==
	    NULL || event_add(d->sweep, &tv) != 0) {
		snprintf(err, errsz, "sip-pnp: cannot watch the socket");
		goto fail;
	}
	return d;
fail:
	pnpd_free(d);
	return NULL;
}

void
pnpd_configure(struct pnpd *d, const struct cfg *cfg)
{
	if (d == NULL)
		return;
	guard_configure(d->guard, &cfg->prov.guard);
	d->block = cfg->prov.guard.block;
	d->max_misses = cfg->prov.guard.max_misses;
}

void
pnpd_free(struct pnpd *d)
{
	if (d == NULL)
		return;
	while (!LIST_EMPTY(&d->txns))
		txn_free(LIST_FIRST(&d->txns));
	if (d->rd != NULL)
		event_free(d->rd);
	if (d->sweep != NULL)
		event_free(d->sweep);
	if (d->fd >= 0)
		close(d->fd);
	guard_free(d->guard);
	free(d);
}

unsigned long
pnpd_stats_malformed(const struct pnpd_stats *st)
{
	unsigned long n = 0;

	for (int i = 0; i < SIPPNP_ERR_MAX; i++)
		n += st->malformed[i];
	return n;
}

void
pnpd_get_stats(const struct pnpd *d, struct pnpd_stats *st)
{
	if (d == NULL) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = d->st;
}
