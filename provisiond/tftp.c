/*
 * tftp.c - the read-only TFTP server's sockets and sessions (tftp.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "tftp.h"
#include "udp.h"

/* Requests read per wake-up of a listener: others wait for the next. */
#define READ_BURST	32

struct tftp_session {
	LIST_ENTRY(tftp_session) entry;
	struct tftp_server	*srv;
	int			 fd;
	struct event		*rd;
	struct event		*tm;
	struct sockaddr_storage	 peer;
	struct tftp_xfer	 x;
	uint8_t			*mem;		/* rendered file, wiped */
	size_t			 memlen;
	int			 file_fd;	/* static file, or -1 */
	off_t			 file_off;
	char			 name[TFTP_NAME_MAX + 1];
};

struct tftp_listener {
	struct tftp_server	*srv;
	int			 fd;
	int			 family;
	struct sockaddr_storage	 local;		/* as bound */
	struct event		*ev;
};

struct tftp_server {
	struct event_base	*base;
	struct tftp_listener	*ls;
	size_t			 nls;
	LIST_HEAD(, tftp_session) sessions;
	tftp_answer_fn		 answer;
	void			*arg;
	struct tftp_stats	 st;
};

static struct log_ratelimit rl_bad = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_busy = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_io = LOG_RATELIMIT_CONFIGURED;

static const char *
addr_str(const struct sockaddr *sa, char *buf, size_t sz)
{
	const void *a = sa->sa_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->
	    sin6_addr : (const void *)&((const struct sockaddr_in *)
	    (const void *)sa)->sin_addr;

	if (inet_ntop(sa->sa_family, a, buf, (socklen_t)sz) == NULL)
		snprintf(buf, sz, "?");
	return buf;
}

static socklen_t
sa_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

/* The same host (ports aside). */
static int
same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)a)->
		    sin_addr.s_addr == ((const struct sockaddr_in *)
		    (const void *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)(const void *)a)->
	    sin6_addr, &((const struct sockaddr_in6 *)(const void *)b)->
	    sin6_addr, 16) == 0;
}

static void
session_free(struct tftp_session *ss)
{
	if (ss == NULL)
		return;
	LIST_REMOVE(ss, entry);
	ss->srv->st.sessions--;
	if (ss->rd != NULL)
		event_free(ss->rd);
	if (ss->tm != NULL)
		event_free(ss->tm);
	if (ss->fd >= 0)
		close(ss->fd);
	if (ss->file_fd >= 0)
		close(ss->file_fd);
	if (ss->mem != NULL) {
		/* A phone's file: its SIP password. */
		explicit_bzero(ss->mem, ss->memlen);
		free(ss->mem);
	}
	free(ss);
}

static void
session_end(struct tftp_session *ss, enum tftp_state st)
{
	struct tftp_stats	*s = &ss->srv->st;
	char			 ip[INET6_ADDRSTRLEN];

	s->packets += ss->x.packets;
	switch (st) {
	case TFTP_XFER_DONE:
		s->done++;
		break;
	case TFTP_XFER_TIMEDOUT:
		s->timedout++;
		break;
	case TFTP_XFER_ABORTED:
		s->aborted++;
		break;
	default:
		s->failed++;
		break;
	}
	log_debug("tftp: %s %s: %s after %llu packets",
	    addr_str((struct sockaddr *)&ss->peer, ip, sizeof(ip)), ss->name,
	    tftp_state_str(st), (unsigned long long)ss->x.packets);
	session_free(ss);
}

static ssize_t
xfer_read(void *arg, uint64_t off, uint8_t *buf, size_t len)
{
	struct tftp_session	*ss = arg;
	ssize_t			 n;

	if (ss->mem != NULL) {
		if (off > ss->memlen || len > ss->memlen - off)
			return -1;
		memcpy(buf, ss->mem + off, len);
		return (ssize_t)len;
	}
	n = pread(ss->file_fd, buf, len, ss->file_off + (off_t)off);
	return n;
}

static void
xfer_send(void *arg, const uint8_t *pkt, size_t len)
{
	struct tftp_session *ss = arg;

	/* A lost packet is the timeout's to resend; nothing to do here. */
	if (send(ss->fd, pkt, len, 0) < 0 && errno != EAGAIN &&
	    errno != ECONNREFUSED)
		log_warnx_rl(&rl_io, "tftp: send %s: %s", ss->name,
		    strerror(errno));
}

static void
arm(struct tftp_session *ss)
{
	struct timeval tv = { (time_t)ss->x.timeout, 0 };

	evtimer_add(ss->tm, &tv);
}

/* Whether the last call moved the transfer on; ends it when it is over. */
static void
after(struct tftp_session *ss, enum tftp_state st, uint64_t packets)
{
	if (st != TFTP_XFER_RUNNING) {
		session_end(ss, st);
		return;
	}
	if (ss->x.packets != packets)
		arm(ss);
}

static void
on_session_read(evutil_socket_t fd, short what, void *arg)
{
	struct tftp_session	*ss = arg;
	uint8_t			 buf[TFTP_PKT_MAX];
	uint64_t		 packets = ss->x.packets;
	ssize_t			 n;

	(void)what;
	/*
	 * A connected socket: only the client's address and port reach it.
	 * An ICMP port unreachable for what was sent shows as ECONNREFUSED:
	 * the client is gone.
	 */
	if ((n = recv(fd, buf, sizeof(buf), MSG_TRUNC)) < 0) {
		if (errno == ECONNREFUSED)
			session_end(ss, TFTP_XFER_ABORTED);
		return;
	}
	if ((size_t)n > sizeof(buf))
		return;
	after(ss, tftp_xfer_input(&ss->x, buf, (size_t)n), packets);
}

static void
on_session_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct tftp_session	*ss = arg;
	enum tftp_state		 st;

	(void)fd;
	(void)what;
	if ((st = tftp_xfer_timeout(&ss->x)) != TFTP_XFER_RUNNING)
		session_end(ss, st);
	else
		arm(ss);
}

/* Sends an error from the listener to a request that gets none. */
static void
reply_error(struct tftp_listener *l, const struct sockaddr *peer,
    enum tftp_err code, const char *msg)
{
	uint8_t pkt[128];
	size_t	len = tftp_build_error(pkt, sizeof(pkt), code, msg);

	(void)sendto(l->fd, pkt, len, 0, peer, sa_len(peer));
}

/* Sessions from peer's host now. */
static unsigned
sessions_of(const struct tftp_server *s, const struct sockaddr *peer)
{
	const struct tftp_session	*ss;
	unsigned			 n = 0;

	LIST_FOREACH(ss, &s->sessions, entry)
		n += same_host((const struct sockaddr *)&ss->peer, peer);
	return n;
}

/*
 * The transfer's socket: a new port on the address the request came to
 * (local; its port 0), connected to the client's.
 */
static int
session_socket(const struct sockaddr *local, const struct sockaddr *peer)
{
	int fd;

	if ((fd = socket(peer->sa_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (bind(fd, local, sa_len(local)) != 0 ||
	    connect(fd, peer, sa_len(peer)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Starts the transfer of what resp holds (which it takes over). */
static void
session_start(struct tftp_listener *l, const struct sockaddr *local,
    const struct sockaddr *peer, const struct tftp_req *req,
    struct prov_resp *resp)
{
	struct tftp_server	*s = l->srv;
	struct tftp_session	*ss;
	char			 ip[INET6_ADDRSTRLEN];

	if ((ss = calloc(1, sizeof(*ss))) == NULL)
		goto fail;
	ss->srv = s;
	ss->fd = ss->file_fd = -1;
	LIST_INSERT_HEAD(&s->sessions, ss, entry);
	s->st.sessions++;
	memcpy(&ss->peer, peer, sa_len(peer));
	snprintf(ss->name, sizeof(ss->name), "%s", req->name);
	if (resp->body != NULL) {
		if (req->mode == TFTP_MODE_NETASCII) {
			ss->mem = tftp_netascii((uint8_t *)resp->body,
			    resp->len, &ss->memlen);
			if (ss->mem == NULL)
				goto fail;
		} else {
			ss->mem = (uint8_t *)resp->body;
			ss->memlen = resp->len;
			resp->body = NULL;
		}
		ss->x.size = ss->memlen;
	} else if (resp->fd >= 0) {
		if (req->mode == TFTP_MODE_NETASCII) {
			/* A firmware image is never text. */
			reply_error(l, peer, TFTP_EUNDEF, "static files are "
			    "sent in octet mode only");
			s->st.refused++;
			session_free(ss);
			return;
		}
		ss->file_fd = resp->fd;
		ss->file_off = resp->off;
		resp->fd = -1;
		ss->x.size = resp->len;
	} else
		ss->x.size = 0;
	ss->x.read = xfer_read;
	ss->x.send = xfer_send;
	ss->x.arg = ss;
	if ((ss->fd = session_socket(local, peer)) < 0) {
		log_warnx_rl(&rl_io, "tftp: cannot open a transfer socket for "
		    "%s: %s", addr_str(peer, ip, sizeof(ip)), strerror(errno));
		goto fail;
	}
	if ((ss->rd = event_new(s->base, ss->fd, EV_READ | EV_PERSIST,
	    on_session_read, ss)) == NULL ||
	    (ss->tm = evtimer_new(s->base, on_session_timeout, ss)) == NULL ||
	    event_add(ss->rd, NULL) != 0)
		goto fail;
	if (tftp_xfer_start(&ss->x, req) != TFTP_XFER_RUNNING) {
		session_end(ss, ss->x.state);
		return;
	}
	arm(ss);
	return;
fail:
	reply_error(l, peer, TFTP_EUNDEF, "server error");
	s->st.failed++;
	if (ss != NULL)
		session_free(ss);
}

static const char *
refusal_text(const struct prov_resp *r, enum tftp_err *code)
{
	*code = TFTP_ENOTFOUND;
	switch (r->status) {
	case 429:
		*code = TFTP_EUNDEF;
		return "too many misses from this address: try later";
	case 500:
		*code = TFTP_EUNDEF;
		return "server error";
	default:
		/* 404 and 403 alike, as over HTTPS: nothing about the MAC. */
		return "file not found";
	}
}

static void
handle_request(struct tftp_listener *l, const uint8_t *pkt, size_t n,
    const struct sockaddr *peer, const struct sockaddr *local)
{
	struct tftp_server	*s = l->srv;
	struct tftp_req		 req;
	struct prov_resp	 resp;
	enum tftp_req_err	 e;
	enum tftp_err		 code;
	char			 ip[INET6_ADDRSTRLEN];

	if ((e = tftp_parse_request(pkt, n, &req)) != TFTP_REQ_OK) {
		s->st.malformed[e]++;
		log_warnx_rl(&rl_bad, "tftp: %s: request refused (%s)",
		    addr_str(peer, ip, sizeof(ip)), tftp_req_err_str(e));
		switch (e) {
		case TFTP_REQ_WRITE:
			reply_error(l, peer, TFTP_EACCESS, "read-only server");
			break;
		case TFTP_REQ_NAME:
			/* Folders, absolute paths, odd bytes: nothing. */
			reply_error(l, peer, TFTP_ENOTFOUND, "file not found");
			break;
		case TFTP_REQ_MODE:
			reply_error(l, peer, TFTP_EBADOP, "octet or netascii "
			    "mode only");
			break;
		default:
			/* Not TFTP, or a broken one: no answer at all. */
			break;
		}
		return;
	}
	s->st.requests++;
	if (s->st.sessions >= TFTP_SESSIONS ||
	    sessions_of(s, peer) >= TFTP_PER_SOURCE) {
		s->st.busy++;
		log_warnx_rl(&rl_busy, "tftp: %s: %s refused: %u transfers "
		    "now (at most %d, %d per address)", addr_str(peer, ip,
		    sizeof(ip)), req.name, s->st.sessions, TFTP_SESSIONS,
		    TFTP_PER_SOURCE);
		reply_error(l, peer, TFTP_EUNDEF, "too many transfers: try "
		    "later");
		return;
	}
	prov_resp_init(&resp);
	s->answer(&req, peer, &resp, s->arg);
	if (resp.status == 200)
		session_start(l, local, peer, &req, &resp);
	else {
		const char *msg = refusal_text(&resp, &code);

		s->st.refused++;
		reply_error(l, peer, code, msg);
	}
	prov_resp_clear(&resp);
}

static void
on_listen_read(evutil_socket_t fd, short what, void *arg)
{
	struct tftp_listener	*l = arg;
	uint8_t			 buf[TFTP_REQ_MAX + 1];

	(void)what;
	for (int i = 0; i < READ_BURST; i++) {
		struct udp_dgram	 d;
		ssize_t			 n;

		if ((n = udp_recv(fd, buf, sizeof(buf), &d)) < 0)
			return;
		if (d.peer.ss_family != l->family || udp_port(&d.peer) == 0)
			continue;	/* nowhere to answer */
		if ((size_t)n > TFTP_REQ_MAX || d.truncated) {
			l->srv->st.truncated++;
			continue;
		}
		/*
		 * The transfer answers from the address the request came
		 * to, on a new port (port 0); the listener's own address when
		 * the kernel did not say.
		 */
		if (d.local.ss_family != l->family)
			memcpy(&d.local, &l->local, sizeof(d.local));
		if (d.local.ss_family == AF_INET)
			((struct sockaddr_in *)(void *)&d.local)->sin_port = 0;
		else
			((struct sockaddr_in6 *)(void *)&d.local)->sin6_port =
			    0;
		handle_request(l, buf, (size_t)n, (struct sockaddr *)&d.peer,
		    (struct sockaddr *)&d.local);
	}
}

/* "a.b.c.d:port" or "[v6]:port" (checked by the config) into ss. */
static int
parse_addr(const char *s, struct sockaddr_storage *ss)
{
	const char	*colon = strrchr(s, ':');
	char		 host[64];
	size_t		 hlen;
	long		 port;

	memset(ss, 0, sizeof(*ss));
	if (colon == NULL || (hlen = (size_t)(colon - s)) >= sizeof(host))
		return -1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	port = strtol(colon + 1, NULL, 10);
	if (host[0] == '[' && hlen > 2) {
		struct sockaddr_in6 *sin6 = (void *)ss;

		host[hlen - 1] = '\0';
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) == 1 ?
		    0 : -1;
	} else {
		struct sockaddr_in *sin = (void *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
	}
}

static int
listen_one(struct tftp_server *s, struct tftp_listener *l, const char *addr,
    char *err, size_t errsz)
{
	int one = 1;

	l->srv = s;
	if (parse_addr(addr, &l->local) != 0) {
		snprintf(err, errsz, "'%s' is not an address", addr);
		return -1;
	}
	l->family = l->local.ss_family;
	if ((l->fd = socket(l->family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	if (l->family == AF_INET6 && setsockopt(l->fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) != 0)
		goto fail;
	if (setsockopt(l->fd, l->family == AF_INET ? IPPROTO_IP :
	    IPPROTO_IPV6, l->family == AF_INET ? IP_PKTINFO :
	    IPV6_RECVPKTINFO, &one, sizeof(one)) != 0)
		goto fail;
	if (bind(l->fd, (struct sockaddr *)&l->local,
	    sa_len((struct sockaddr *)&l->local)) != 0)
		goto fail;
	if ((l->ev = event_new(s->base, l->fd, EV_READ | EV_PERSIST,
	    on_listen_read, l)) == NULL || event_add(l->ev, NULL) != 0) {
		snprintf(err, errsz, "%s: cannot watch the socket", addr);
		return -1;
	}
	log_info("listening on %s (TFTP, read-only)", addr);
	return 0;
fail:
	snprintf(err, errsz, "cannot listen on %s (TFTP): %s", addr,
	    strerror(errno));
	return -1;
}

struct tftp_server *
tftp_server_new(struct event_base *base, char *const *listen, size_t nlisten,
    tftp_answer_fn answer, void *arg, char *err, size_t errsz)
{
	struct tftp_server *s;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->ls = calloc(nlisten, sizeof(*s->ls))) == NULL) {
		free(s);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->base = base;
	s->answer = answer;
	s->arg = arg;
	LIST_INIT(&s->sessions);
	for (size_t i = 0; i < nlisten; i++)
		s->ls[i].fd = -1;
	s->nls = nlisten;
	for (size_t i = 0; i < nlisten; i++)
		if (listen_one(s, &s->ls[i], listen[i], err, errsz) != 0) {
			tftp_server_free(s);
			return NULL;
		}
	return s;
}

void
tftp_server_free(struct tftp_server *s)
{
	if (s == NULL)
		return;
	while (!LIST_EMPTY(&s->sessions))
		session_free(LIST_FIRST(&s->sessions));
	for (size_t i = 0; i < s->nls; i++) {
		if (s->ls[i].ev != NULL)
			event_free(s->ls[i].ev);
		if (s->ls[i].fd >= 0)
			close(s->ls[i].fd);
	}
	free(s->ls);
	free(s);
}

unsigned long
tftp_stats_malformed(const struct tftp_stats *st)
{
	unsigned long n = st->truncated;

	for (int i = 0; i < TFTP_REQ_ERR_COUNT; i++)
		n += st->malformed[i];
	return n;
}

void
tftp_server_stats(const struct tftp_server *s, struct tftp_stats *st)
{
	if (s == NULL) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = s->st;
}
