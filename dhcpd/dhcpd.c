/*
 * dhcpd.c - provbox-dhcpd: the event loop around the DHCP decisions.
 *
 * Each readable socket is drained in batches of up to BATCH datagrams
 * (one recvmmsg). A batch is one LMDB write transaction: every message is
 * parsed, decided and its lease stored, then the batch commits (durably,
 * unless the admin turned registry.sync off) and only then are the replies
 * sent, all of them in one sendmmsg. No acknowledged lease can be lost to
 * a crash, and the fsync cost is shared by the whole batch.
 *
 * The batch is whatever has queued up, so it grows with the load by
 * itself: while one batch's fsync runs, the next one's datagrams arrive.
 * Under a steady stream the server also waits LINGER_US before reading a
 * batch (group commit), which about halves the fsyncs per DORA at a few
 * thousand DORA/s; an idle server, or one that is behind (a full batch),
 * never waits. BATCH bounds the extra wait of a batch's first datagram
 * (the linger, the decisions of the others and one commit: a few
 * milliseconds at most) and the memory kept for it. The transaction never
 * stays open across the event loop.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "daemon.h"
#include "enroll.h"
#include "leasedb.h"
#include "log.h"
#include "net.h"
#include "packet.h"
#include "registry.h"
#include "runstate.h"
#include "sandbox.h"
#include "server.h"
#include "sync.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG	SYSCONFDIR "/provbox/provbox.conf"
#define BATCH		NET_BATCH_MAX	/* 128 */
/*
 * Group commit under load: when the last batch had at least LINGER_MIN
 * messages (but was not full) and went out less than LINGER_BUSY_NS ago,
 * the next batch waits LINGER_US before it is read, so that one fsync
 * covers the datagrams of that time as well.
 */
#define LINGER_US	1000
#define LINGER_BUSY_NS	2000000L
#define LINGER_MIN	4

struct stats {
	unsigned long	 rx;
	unsigned long	 malformed[DHCP_P_COUNT];
	unsigned long	 dropped[DROP_COUNT];
	unsigned long	 sent[DHCPINFORM + 1];
	unsigned long	 send_errors;
	unsigned long	 commits;
	unsigned long	 commit_errors;
};

/* A decided message waiting for its batch to commit. */
struct pending {
	const struct iface	*ifc;		/* where it came in */
	struct dhcp_decision	 d;
	uint8_t			 msgtype;
	uint32_t		 giaddr;
	uint8_t			 chaddr[6];
	int			 log;		/* log_decision() it */
	struct reg_event	 ev;		/* an enrollment event, or
						 * kind EV_NONE */
	char			 who[48];	/* the client, for the log */
	int			 len;
	/* The reply, built after room for its IPv4/UDP headers. */
	uint8_t			 frame[NET_HDR_ROOM + 1500];
};

struct dhcpd {
	const char		*cfgpath;
	int			 foreground;
	int			 debug;
	struct event_base	*base;
	struct cfg		*cfg;
	struct reg		*reg;
	struct leasedb		*ldb;
	struct iface		*ifs;
	size_t			 nifs;
	char			*pidfile;
	struct stats		 st;
	/* Group commit (see serve()). */
	struct event		*linger;	/* ends a wait for more */
	int			 lingering;	/* sockets unwatched meanwhile */
	size_t			 last_batch;	/* messages in the last batch */
	struct timespec		 last_end;	/* when it was sent */
};

static struct dhcpd	 D;
static struct dhcp_msg	 rxmsg;			/* one at a time */
static struct pending	 pend[BATCH];
static struct net_msg	 outmsg[BATCH];
static uint8_t		 rxbuf[BATCH][DHCP_MAX_LEN];
/* recvmmsg's headers, set up once (rx_init) and refreshed per batch. */
static struct mmsghdr	 rxmm[BATCH];
static struct iovec	 rxiov[BATCH];
static struct sockaddr_in rxfrom[BATCH];
static uint8_t		 rxctl[BATCH][64];
static struct log_ratelimit rl_malformed = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_exhausted = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_duplicate = LOG_RATELIMIT_CONFIGURED;
/* One limit per kind: a flood of one must not hide the others. */
static struct log_ratelimit rl_send = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_registry = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_reply = LOG_RATELIMIT_CONFIGURED;

static void
usage(void)
{
	fprintf(stderr, "usage: provbox-dhcpd [-dfnt] [-c config]\n"
	    "  -c file  config file (default %s)\n"
	    "  -d       debug logging\n"
	    "  -f       stay in the foreground, log to stderr\n"
	    "  -t, -n   check the config and exit (0 valid, 1 not)\n",
	    DEFAULT_CONFIG);
	exit(2);
}

/*
 * The client as the log names it: "80:5e:c0:aa:bb:cc"; without an
 * Ethernet address, "id " and its client identifier in hex (the first 12
 * bytes: a 255-byte one would drown the line), else its hardware type and
 * length. Never the client's bytes as they came.
 */
static void
client_str(const struct dhcp_msg *m, const struct dhcp_decision *d,
    char *buf, size_t sz)
{
	const uint8_t	*id;
	size_t		 len, n;
	int		 k;

	if (d->has_mac) {
		mac_format(&d->mac, buf);
		return;
	}
	if ((id = dhcp_opt_get(m, DHO_CLIENT_ID, &len)) == NULL) {
		snprintf(buf, sz, "(htype %u, hlen %u)", m->htype, m->hlen);
		return;
	}
	n = (size_t)snprintf(buf, sz, "id ");
	for (size_t i = 0; i < len && i < 12 && n < sz; i++, n += (size_t)k)
		k = snprintf(buf + n, sz - n, "%02x", id[i]);
	if (len > 12 && n < sz)
		snprintf(buf + n, sz - n, "...");
}

static void
log_decision(const struct iface *ifc, const struct pending *p)
{
	const struct dhcp_decision	*d = &p->d;
	const char			*who = p->who;
	char				 ip[IP4_STR_LEN], via[64], cls[96];

	if (p->giaddr != 0) {
		char relay[IP4_STR_LEN];

		snprintf(via, sizeof(via), "%s (relay %s)", ifc->name,
		    ip4_format(p->giaddr, relay));
	} else
		snprintf(via, sizeof(via), "%s", ifc->name);
	snprintf(cls, sizeof(cls), "%s%s%s", d->vendor != NULL ?
	    d->vendor->name : "-", d->user[0] ? ", " : "", d->user);

	switch (d->action) {
	case DA_REPLY:
		if (d->type == DHCPNAK)
			log_info("DHCPNAK to %s (%s) via %s: %s", who, cls, via,
			    d->note != NULL ? d->note : "");
		else if (d->lease_time == 0)
			log_info("DHCPACK (inform) to %s %s (%s) via %s",
			    ip4_format(d->dest_ip, ip), who, cls, via);
		else
			log_info("%s %s to %s (%s) via %s lease %us",
			    dhcp_msgtype_str(d->type),
			    ip4_format(d->hdr.yiaddr, ip), who, cls, via,
			    d->lease_time);
		break;
	case DA_RELEASE:
		log_info("DHCPRELEASE of %s from %s via %s",
		    ip4_format(d->lease.ip, ip), who, via);
		break;
	case DA_DECLINE:
		log_warnx("DHCPDECLINE of %s from %s via %s: the address is "
		    "in use elsewhere; quarantined for %us",
		    ip4_format(d->lease.ip, ip), who, via, d->lease_time);
		break;
	case DA_DROP:
		if (d->drop == DROP_DUPLICATE_MAC)
			log_warnx_rl(&rl_duplicate, "%s from %s via %s refused: "
			    "%s", dhcp_msgtype_str(p->msgtype), who, via,
			    d->eop.detail);
		else if (d->drop == DROP_RELEASE_SOURCE)
			log_warnx_rl(&rl_duplicate, "DHCPRELEASE from %s via "
			    "%s ignored: %s", who, via, dhcp_drop_str(d->drop));
		else if (d->drop == DROP_POOL_EXHAUSTED)
			log_warnx_rl(&rl_exhausted, "%s from %s via %s: no "
			    "free address in %s/%u", dhcp_msgtype_str(
			    p->msgtype), who, via, ip4_format(
			    d->subnet->network, ip), d->subnet->prefix);
		else
			log_debug("%s from %s via %s ignored: %s%s%s",
			    dhcp_msgtype_str(p->msgtype), who, via,
			    dhcp_drop_str(d->drop), d->note ? ": " : "",
			    d->note ? d->note : "");
		break;
	}
}

/* The reply of p as a message for net_send_batch(). */
static void
reply_msg(struct pending *p, struct net_msg *m)
{
	const struct dhcp_decision *d = &p->d;

	m->frame = p->frame;
	m->len = (size_t)p->len;
	m->hw = 0;
	m->ip = d->dest_ip;
	m->port = DHCP_CLIENT_PORT;
	switch (d->dest) {
	case DEST_RELAY:
		m->port = DHCP_SERVER_PORT;
		break;
	case DEST_CIADDR:
		break;
	case DEST_BROADCAST:
		m->ip = INADDR_BROADCAST;
		break;
	case DEST_HWADDR:
		m->hw = 1;
		m->src = d->server_id;
		memcpy(m->hwaddr, p->chaddr, 6);
		break;
	}
}

/*
 * Sends the replies of the batch that came in on ifc in one go (one
 * sendmmsg per socket) and counts them; a reply that did not leave is
 * counted and logged.
 */
static void
send_replies(const struct iface *ifc, size_t np)
{
	size_t	n = 0;

	for (size_t i = 0; i < np; i++)
		if (pend[i].ifc == ifc && pend[i].d.action == DA_REPLY)
			reply_msg(&pend[i], &outmsg[n++]);
	if (n == 0)
		return;
	net_send_batch(ifc, outmsg, n);
	n = 0;
	for (size_t i = 0; i < np; i++) {
		const struct dhcp_decision *d = &pend[i].d;

		if (pend[i].ifc != ifc || d->action != DA_REPLY)
			continue;
		if (outmsg[n].err == 0)
			D.st.sent[d->type]++;
		else {
			D.st.send_errors++;
			log_warnx_rl(&rl_send, "%s: sending %s: %s", ifc->name,
			    dhcp_msgtype_str(d->type),
			    strerror(outmsg[n].err));
		}
		n++;
	}
}

/* Was the datagram sent to one of our addresses (not broadcast)? */
static int
rx_unicast(const struct iface *ifc, struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
	    c = CMSG_NXTHDR(mh, c)) {
		struct in_pktinfo pi;

		if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_PKTINFO)
			continue;
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		for (size_t k = 0; k < ifc->naddrs; k++)
			if (ntohl(pi.ipi_addr.s_addr) == ifc->addrs[k])
				return 1;
	}
	return 0;
}

/*
 * One rate-limited line per refused datagram: the sender, its MAC when the
 * header got that far, and which option broke it, so that an admin can
 * find the device. Nothing of the client's bytes but the MAC is shown.
 */
static void
log_malformed(const struct iface *ifc, const struct sockaddr_in *from,
    enum dhcp_perr e, const struct dhcp_msg *m)
{
	char		 src[IP4_STR_LEN], who[MAC_STR_LEN + 3] = "";
	char		 opt[48] = "";
	struct mac_addr	 mac;

	if (e != DHCP_P_SHORT && m->htype == 1 && m->hlen == 6) {
		memcpy(mac.b, m->chaddr, 6);
		who[0] = ' ';
		who[1] = '(';
		mac_format(&mac, who + 2);
		strcat(who, ")");
	}
	if (e == DHCP_P_OPTION_TRUNC || e == DHCP_P_BAD_LEN ||
	    e == DHCP_P_CLIENT_ID)
		snprintf(opt, sizeof(opt), " (option %u, length %u)",
		    m->bad_opt, m->bad_len);
	log_warnx_rl(&rl_malformed, "malformed packet from %s%s via %s "
	    "dropped: %s%s", ip4_format(ntohl(from->sin_addr.s_addr), src),
	    who, ifc->name, dhcp_perr_str(e), opt);
}

static void
rx_init(void)
{
	for (int i = 0; i < BATCH; i++) {
		rxiov[i].iov_base = rxbuf[i];
		rxiov[i].iov_len = sizeof(rxbuf[i]);
		rxmm[i].msg_hdr.msg_iov = &rxiov[i];
		rxmm[i].msg_hdr.msg_iovlen = 1;
		rxmm[i].msg_hdr.msg_name = &rxfrom[i];
		rxmm[i].msg_hdr.msg_namelen = sizeof(rxfrom[i]);
		rxmm[i].msg_hdr.msg_control = rxctl[i];
		rxmm[i].msg_hdr.msg_controllen = sizeof(rxctl[i]);
	}
}

/*
 * Does this decision make a log line at the running level? Decided before
 * the client's name is formatted: at level warning (the usual setting
 * under load) only a DECLINE and an exhausted pool log anything.
 */
static int
wants_log(const struct dhcp_decision *d, int level)
{
	switch (d->action) {
	case DA_REPLY:
	case DA_RELEASE:
		return level >= PB_LOG_INFO;
	case DA_DECLINE:
		return level >= PB_LOG_WARNING;
	case DA_DROP:
		return level >= (d->drop == DROP_POOL_EXHAUSTED ||
		    d->drop == DROP_DUPLICATE_MAC ||
		    d->drop == DROP_RELEASE_SOURCE ?
		    PB_LOG_WARNING : PB_LOG_DEBUG);
	}
	return 1;
}

/*
 * Reads what ifc's socket holds, up to the room left in the batch, and
 * decides it in the open transaction. Returns the number of leases stored,
 * or -1 when the datagrams read could not be decided (no transaction).
 */
static int
take(struct iface *ifc, size_t *np, int level)
{
	struct lease_view	 view;
	time_t			 now = time(NULL);
	int			 n, writes = 0;

	if (*np >= BATCH || ifc->udp_fd < 0 ||
	    (n = recvmmsg(ifc->udp_fd, rxmm, (unsigned)(BATCH - *np),
	    MSG_DONTWAIT, NULL)) <= 0)
		return 0;
	if (leasedb_begin(D.ldb) != 0) {
		log_warnx_rl(&rl_registry, "registry: cannot begin a transaction; "
		    "%d messages dropped", n);
		D.st.dropped[DROP_REGISTRY] += (unsigned long)n;
		writes = -1;
		goto done;
	}
	leasedb_view(D.ldb, &view);
	for (int i = 0; i < n; i++) {
		struct pending	*p = &pend[*np];
		struct dhcp_rx	 rx;
		enum dhcp_perr	 e;
		unsigned	 omitted;

		D.st.rx++;
		if ((e = dhcp_parse(rxbuf[i], rxmm[i].msg_len, &rxmsg)) !=
		    DHCP_P_OK) {
			D.st.malformed[e]++;
			log_malformed(ifc, &rxfrom[i], e, &rxmsg);
			continue;
		}
		rx.ifname = ifc->name;
		rx.if_addrs = ifc->addrs;
		rx.nif_addrs = ifc->naddrs;
		rx.src_ip = ntohl(rxfrom[i].sin_addr.s_addr);
		rx.mtu = ifc->mtu;
		rx.unicast = rx_unicast(ifc, &rxmm[i].msg_hdr);
		p->ifc = ifc;
		dhcp_decide(D.cfg, &view, &rxmsg, &rx, now, &p->d);
		p->msgtype = rxmsg.msgtype;
		p->giaddr = rxmsg.giaddr;
		memcpy(p->chaddr, rxmsg.chaddr, 6);
		if (p->d.write_lease) {
			if (leasedb_store(D.ldb, &p->d.lease) != 0) {
				/* The batch is lost: say so once, below. */
				p->d.action = DA_DROP;
				p->d.drop = DROP_REGISTRY;
			} else
				writes++;
		}
		p->ev.kind = EV_NONE;
		if (p->d.eop.kind != EOP_NONE) {
			int r = leasedb_enroll(D.ldb, &p->d.eop, now, &p->ev);

			if (r < 0) {
				p->d.action = DA_DROP;
				p->d.drop = DROP_REGISTRY;
				p->ev.kind = EV_NONE;
			} else if (r > 0)
				writes++;
		}
		if (p->d.action == DA_REPLY) {
			p->len = dhcp_build(&p->d.hdr, p->d.opts, p->d.nopts,
			    p->frame + NET_HDR_ROOM, p->d.max_size, &omitted);
			if (p->len < 0) {
				p->d.action = DA_DROP;
				p->d.drop = DROP_REGISTRY;
			} else if (omitted > 0)
				log_warnx_rl(&rl_reply, "reply to xid 0x%08x: %u "
				    "options did not fit in %u bytes",
				    rxmsg.xid, omitted, p->d.max_size);
		}
		/* The client's name needs rxmsg, which the next one reuses. */
		if ((p->log = wants_log(&p->d, level)))
			client_str(&rxmsg, &p->d, p->who, sizeof(p->who));
		(*np)++;
	}
done:
	/* recvmmsg wrote the lengths of what it returned: reset them. */
	for (int i = 0; i < n; i++) {
		rxmm[i].msg_hdr.msg_namelen = sizeof(rxfrom[i]);
		rxmm[i].msg_hdr.msg_controllen = sizeof(rxctl[i]);
		rxmm[i].msg_hdr.msg_flags = 0;
	}
	return writes;
}

/*
 * One batch: what ifc's socket holds (or, ifc NULL, every socket's, up to
 * BATCH in all) is read and decided in one write transaction, which then
 * commits (one fsync); only then do the replies leave, per interface in
 * one sendmmsg. A failed commit sends no reply but NAKs.
 */
static void
serve(struct iface *ifc)
{
	size_t	np = 0;
	int	writes = 0, w, level = (int)log_get_level(), failed = 0;

	if (ifc != NULL)
		writes = take(ifc, &np, level);
	else
		for (size_t k = 0; k < D.nifs; k++)
			if ((w = take(&D.ifs[k], &np, level)) > 0)
				writes += w;
	if (leasedb_commit(D.ldb) != 0) {
		failed = 1;
		D.st.commit_errors++;
		/* Per batch, so per packet when the disk is full. */
		log_warnx_rl(&rl_registry, "registry commit failed (%s): %zu "
		    "replies of this batch not sent; clients will retry",
		    leasedb_error(D.ldb), np);
		/* Nothing of the batch was stored: only NAKs may go out. */
		for (size_t i = 0; i < np; i++)
			if (!(pend[i].d.action == DA_REPLY &&
			    pend[i].d.type == DHCPNAK)) {
				pend[i].d.action = DA_DROP;
				pend[i].d.drop = DROP_REGISTRY;
				pend[i].log = wants_log(&pend[i].d, level) &&
				    pend[i].log;
			}
	} else if (writes > 0)
		D.st.commits++;
	/* Only now, with the batch durable, do its replies leave. */
	for (size_t k = 0; k < D.nifs; k++)
		send_replies(&D.ifs[k], np);
	for (size_t i = 0; i < np; i++) {
		if (pend[i].d.action == DA_DROP)
			D.st.dropped[pend[i].d.drop]++;
		if (pend[i].log)
			log_decision(pend[i].ifc, &pend[i]);
		/* Enrollment events are audit lines: only once durable. */
		if (pend[i].ev.kind != EV_NONE && !failed)
			enroll_log(&pend[i].ev);
	}
	D.last_batch = np;
	clock_gettime(CLOCK_MONOTONIC, &D.last_end);
}

/* Is a stream coming in that a short wait would gather into one commit? */
static int
busy(void)
{
	struct timespec	now;
	long		ns;

	if (D.last_batch < LINGER_MIN || D.last_batch >= BATCH)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (now.tv_sec - D.last_end.tv_sec) * 1000000000L +
	    (now.tv_nsec - D.last_end.tv_nsec);
	return ns >= 0 && ns < LINGER_BUSY_NS;
}

/* Stops a wait: the sockets are watched again. */
static void
linger_end(void)
{
	if (!D.lingering)
		return;
	D.lingering = 0;
	evtimer_del(D.linger);
	for (size_t k = 0; k < D.nifs; k++)
		if (D.ifs[k].ev != NULL && event_add(D.ifs[k].ev, NULL) != 0)
			log_warnx("%s: cannot watch the socket again",
			    D.ifs[k].name);
}

/* The wait is over: every socket's datagrams make one batch. */
static void
on_linger(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	linger_end();
	serve(NULL);
}

/*
 * A socket is readable: serve it now, or, under a steady stream (busy()),
 * stop watching the sockets for LINGER_US and serve them all then. Nothing
 * blocks: the wait is a timer, and no transaction is open during it.
 */
static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct timeval	tv = { 0, LINGER_US };

	(void)fd;
	(void)what;
	if (D.lingering)
		return;
	if (D.linger != NULL && busy()) {
		/* Unwatched, the sockets fill without waking us. */
		for (size_t k = 0; k < D.nifs; k++)
			if (D.ifs[k].ev != NULL)
				event_del(D.ifs[k].ev);
		if (evtimer_add(D.linger, &tv) == 0) {
			D.lingering = 1;
			return;
		}
		for (size_t k = 0; k < D.nifs; k++)
			if (D.ifs[k].ev != NULL)
				event_add(D.ifs[k].ev, NULL);
	}
	serve(arg);
}

/*
 * "stats: WHAT by reason: reason N, reason N" for the non-zero counters,
 * or nothing if all are zero: what an admin needs to tell a broken phone
 * (one kind of malformed packet) from a flood (no free address).
 */
static void
log_reasons(const char *what, const unsigned long *count, int n,
    const char *(*name)(int))
{
	char	line[1024];
	size_t	len = 0;

	line[0] = '\0';
	for (int i = 1; i < n && len < sizeof(line); i++)
		if (count[i] > 0)
			len += (size_t)snprintf(line + len, sizeof(line) - len,
			    "%s%s %lu", len > 0 ? ", " : "", name(i),
			    count[i]);
	if (len > 0)
		log_notice("stats: %s by reason: %s", what, line);
}

static const char *
perr_name(int e)
{
	return dhcp_perr_str((enum dhcp_perr)e);
}

static const char *
drop_name(int why)
{
	return dhcp_drop_str((enum dhcp_drop)why);
}

/* The reasons first: the totals line last, so it marks a complete set. */
static void
log_stats(void)
{
	unsigned long	held, total, mal = 0, dropped = 0;

	for (int i = 0; i < DHCP_P_COUNT; i++)
		mal += D.st.malformed[i];
	for (int i = 0; i < DROP_COUNT; i++)
		dropped += D.st.dropped[i];
	log_reasons("malformed", D.st.malformed, DHCP_P_COUNT, perr_name);
	log_reasons("ignored", D.st.dropped, DROP_COUNT, drop_name);
	leasedb_usage(D.ldb, &held, &total);
	log_notice("stats: received %lu, malformed %lu, ignored %lu, "
	    "offers %lu, acks %lu, naks %lu, send errors %lu, commits %lu "
	    "(%lu failed); pool addresses used %lu of %lu", D.st.rx, mal,
	    dropped, D.st.sent[DHCPOFFER], D.st.sent[DHCPACK],
	    D.st.sent[DHCPNAK], D.st.send_errors, D.st.commits,
	    D.st.commit_errors, held, total);
}

/* The running interface of that name, or NULL. */
static struct iface *
running_iface(const char *name)
{
	for (size_t i = 0; i < D.nifs; i++)
		if (D.ifs[i].udp_fd >= 0 && strcmp(D.ifs[i].name, name) == 0)
			return &D.ifs[i];
	return NULL;
}

/*
 * Finds and opens the interfaces cfg names. An interface that is already
 * served keeps its sockets (they move to the new set), so a reload needs
 * no privilege to bind again; only new interfaces open new sockets.
 */
static int
open_interfaces(struct cfg *cfg, struct iface **out, size_t *nout)
{
	struct iface	*ifs, *old;
	char		 err[256];
	int		 n;

	if ((n = net_discover(cfg, &ifs, err, sizeof(err))) < 0) {
		log_warnx("%s", err);
		return -1;
	}
	if (n == 0)
		log_warnx("no interface has an address in a configured subnet: "
		    "serving nothing until a reload");
	for (int i = 0; i < n; i++) {
		if ((old = running_iface(ifs[i].name)) != NULL)
			continue;
		if (net_open(&ifs[i], err, sizeof(err)) != 0) {
			log_warnx("%s", err);
			for (int k = 0; k < i; k++)
				if (running_iface(ifs[k].name) == NULL)
					net_close(&ifs[k]);
			free(ifs);
			return -1;
		}
	}
	/* Only now, when nothing can fail any more, take the old sockets. */
	for (int i = 0; i < n; i++) {
		if ((old = running_iface(ifs[i].name)) == NULL)
			continue;
		ifs[i].udp_fd = old->udp_fd;
		ifs[i].raw_fd = old->raw_fd;
		old->udp_fd = old->raw_fd = -1;
		if (old->ev != NULL) {
			event_free(old->ev);
			old->ev = NULL;
		}
	}
	*out = ifs;
	*nout = (size_t)n;
	return 0;
}

static int
watch_interfaces(void)
{
	for (size_t i = 0; i < D.nifs; i++) {
		struct iface *ifc = &D.ifs[i];

		ifc->ev = event_new(D.base, ifc->udp_fd, EV_READ | EV_PERSIST,
		    on_read, ifc);
		if (ifc->ev == NULL || event_add(ifc->ev, NULL) != 0)
			return -1;
		log_info("serving DHCP on %s", ifc->name);
	}
	return 0;
}

static void
close_interfaces(struct iface *ifs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ifs[i].ev != NULL)
			event_free(ifs[i].ev);
		net_close(&ifs[i]);
	}
	free(ifs);
}

/* Tells provboxctl reload how the reload went (why NULL: it took). */
static void
reloaded(const char *why)
{
	daemon_reload_done(D.cfg, "provbox-dhcpd", D.cfgpath, why);
}

/*
 * SIGHUP: a new config, the registry synced to it, a new address index and
 * the interfaces it names. Any failure leaves the running config in place.
 * Leases are untouched.
 */
static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct cfg	*cfg;
	struct leasedb	*ldb;
	struct iface	*ifs;
	size_t		 nifs;
	char		 why[512];

	(void)sig;
	(void)what;
	(void)arg;
	/* The sockets may move to a new set: none may stay unwatched. */
	linger_end();
	log_info("reloading %s", D.cfgpath);
	if ((cfg = daemon_load_config(D.cfgpath, CFG_NO_FILE_CHECKS, why,
	    sizeof(why))) == NULL) {
		reloaded(why);
		return;
	}
	if (strcmp(cfg->registry_path, D.cfg->registry_path) != 0)
		log_warnx("registry.path changed: it takes effect at restart");
	if ((ldb = leasedb_new(D.reg, cfg, why, sizeof(why))) == NULL) {
		cfg_free(cfg);
		reloaded(why);
		return;
	}
	/* The sync is one transaction: it lands whole or not at all. */
	if (daemon_sync(D.reg, cfg) != 0) {
		leasedb_free(ldb);
		cfg_free(cfg);
		reloaded("the registry sync failed (see the log)");
		return;
	}
	if (open_interfaces(cfg, &ifs, &nifs) != 0) {
		leasedb_free(ldb);
		cfg_free(cfg);
		reloaded("cannot open the interfaces (see the log); its "
		    "users and devices are in the registry already");
		return;
	}
	close_interfaces(D.ifs, D.nifs);
	leasedb_free(D.ldb);
	cfg_free(D.cfg);
	D.cfg = cfg;
	D.ldb = ldb;
	D.ifs = ifs;
	D.nifs = nifs;
	if (!D.debug)
		log_set_level(cfg->log_level);
	if (watch_interfaces() != 0)
		log_warnx("reload: cannot watch the sockets");
	reloaded(NULL);
}

static void
on_term(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	log_info("signal %d: stopping", (int)sig);
	event_base_loopbreak(D.base);
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
	struct event	*sigs[4];
	char		 err[512];
	int		 ch, check_only = 0;

	D.cfgpath = DEFAULT_CONFIG;
	while ((ch = getopt(argc, argv, "c:dfnth")) != -1) {
		switch (ch) {
		case 'c':
			D.cfgpath = optarg;
			break;
		case 'd':
			D.debug = 1;
			break;
		case 'f':
			D.foreground = 1;
			break;
		case 'n':
		case 't':
			check_only = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("provbox-dhcpd", 1, D.debug ? PB_LOG_DEBUG : PB_LOG_INFO);
	if ((D.cfg = daemon_load_config(D.cfgpath, CFG_NO_FILE_CHECKS, err,
	    sizeof(err))) == NULL)
		return 1;
	if (check_only) {
		fprintf(stderr, "%s: OK\n", D.cfgpath);
		cfg_free(D.cfg);
		return 0;
	}
	if (!D.debug)
		log_set_level(D.cfg->log_level);
	log_set_facility(D.cfg->log_facility);
	log_set_ratelimit(D.cfg->log_warn_burst, D.cfg->log_warn_interval);
	signal(SIGPIPE, SIG_IGN);

	if (reg_open(D.cfg->registry_path, D.cfg->registry_map_size,
	    D.cfg->registry_sync ? 0 : REG_NOSYNC, &D.reg, err,
	    sizeof(err)) != 0)
		fatalx("%s", err);
	if (!D.cfg->registry_sync)
		log_warnx("registry.sync is off: acknowledged leases can be "
		    "lost in a power failure");
	if (daemon_sync(D.reg, D.cfg) != 0)
		fatalx("cannot bring the config into the registry");
	if ((D.ldb = leasedb_new(D.reg, D.cfg, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if ((D.base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	if (open_interfaces(D.cfg, &D.ifs, &D.nifs) != 0)
		fatalx("cannot open the DHCP sockets");

	if (!D.foreground) {
		if (daemon(0, 0) != 0)
			fatal("daemon");
		log_init("provbox-dhcpd", 0, D.debug ? PB_LOG_DEBUG :
		    D.cfg->log_level);
	}
	D.pidfile = runstate_write_pid(D.cfg->run_dir, "provbox-dhcpd");
	/* Kept so a reload can open the sockets of a new interface. */
	daemon_drop_privileges(D.cfg->user, 1ULL << CAP_NET_BIND_SERVICE |
	    1ULL << CAP_NET_RAW);
	if (sandbox_enter(SANDBOX_DHCPD) != 0)
		fatalx("cannot start without the seccomp filter");

	sigs[0] = evsignal_new(D.base, SIGHUP, on_hup, NULL);
	sigs[1] = evsignal_new(D.base, SIGTERM, on_term, NULL);
	sigs[2] = evsignal_new(D.base, SIGINT, on_term, NULL);
	sigs[3] = evsignal_new(D.base, SIGUSR1, on_usr1, NULL);
	for (int i = 0; i < 4; i++)
		if (sigs[i] == NULL || evsignal_add(sigs[i], NULL) != 0)
			fatalx("cannot watch signals");
	rx_init();
	if ((D.linger = evtimer_new(D.base, on_linger, NULL)) == NULL)
		fatalx("cannot create the group commit timer");
	if (watch_interfaces() != 0)
		fatalx("cannot watch the sockets");
	log_info("provbox-dhcpd started (config %s, registry %s)", D.cfgpath,
	    D.cfg->registry_path);

	event_base_dispatch(D.base);

	log_stats();
	for (int i = 0; i < 4; i++)
		event_free(sigs[i]);
	event_free(D.linger);
	close_interfaces(D.ifs, D.nifs);
	leasedb_free(D.ldb);
	reg_close(D.reg);
	cfg_free(D.cfg);
	event_base_free(D.base);
	if (D.pidfile != NULL) {
		unlink(D.pidfile);
		free(D.pidfile);
	}
	return 0;
}
