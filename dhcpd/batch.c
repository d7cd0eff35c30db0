/*
 * batch.c - the DHCP server's batch: receive, decide, commit, send (see
 * batch.h), and the log lines of its decisions.
 *
 * The batch is whatever has queued up, so it grows with the load by
 * itself: while one batch's fsync runs, the next one's datagrams arrive.
 * BATCH_MAX bounds the extra wait of a batch's first datagram (the
 * decisions of the others and one commit: a few milliseconds at most) and
 * the memory kept for it. The transaction never stays open across the
 * event loop.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "batch.h"
#include "enroll.h"
#include "log.h"

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
	struct probe		*probe;		/* DA_PROBE: its NEW probe */
	/* The reply, built after room for its IPv4/UDP headers. */
	uint8_t			 frame[NET_HDR_ROOM + 1500];
};

/* A datagram to decide: from a socket, or one that waited for a probe. */
struct dgram {
	const struct iface	*ifc;
	const uint8_t		*buf;
	size_t			 len;
	uint32_t		 src;
	int			 unicast;
	const struct probe	*ended;		/* the probe it waited for */
	int			 give_up;	/* no probe more: drop it if it
						 * needs one */
};

struct batch {
	const struct batch_ops	*ops;
	void			*arg;
	struct batch_env	 env;
	struct probe_table	*pt;
	struct batch_stats	 st;
	int			 in_txn;
	struct lease_view	 view;
	struct dhcp_msg		 msg;		/* one at a time */
	struct pending		 pend[BATCH_MAX];
	struct net_msg		 out[BATCH_MAX];
	struct net_rx		 rx[BATCH_MAX];
	uint8_t			 rxbuf[BATCH_MAX][DHCP_MAX_LEN];
	/* Probes that ended, decided in this batch: freed at its end. */
	struct probe		*ended[BATCH_MAX];
	size_t			 nended;
	/* Addresses this batch sets aside as answering: logged if durable. */
	uint32_t		 conflicts[BATCH_MAX];
	size_t			 nconflicts;
};

/*
 * The metrics' buckets: a commit takes tens of microseconds without
 * fsync and milliseconds with it (more on a busy disk); a batch holds
 * one message when idle, up to BATCH_MAX under a boot storm.
 */
static const double commit_bounds[] = {
	0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
	0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
};
static const double size_bounds[] = { 1, 2, 4, 8, 16, 32, 64, 128 };

static struct log_ratelimit rl_malformed = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_exhausted = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_duplicate = LOG_RATELIMIT_CONFIGURED;
/* One limit per kind: a flood of one must not hide the others. */
static struct log_ratelimit rl_send = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_registry = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_reply = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_admit = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_reserved = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_decline = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_decline_rate = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_declined = LOG_RATELIMIT_CONFIGURED;
/* Addresses that answered; probes that could not go; clients dropped. */
static struct log_ratelimit rl_conflict = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_probe = LOG_RATELIMIT_CONFIGURED;
static struct log_ratelimit rl_probe_drop = LOG_RATELIMIT_CONFIGURED;

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

/*
 * The refusals that are logged as warnings once per burst (the decision
 * carries a note then), each kind under its own limit; NULL for others.
 */
static struct log_ratelimit *
refusal_limit(enum dhcp_drop why)
{
	switch (why) {
	case DROP_RESERVED:
		return &rl_reserved;
	case DROP_LIMIT_MAC:
	case DROP_LIMIT_RELAY:
	case DROP_LIMIT_IFACE:
		return &rl_admit;
	case DROP_DECLINE_LIMIT:
		return &rl_decline_rate;
	case DROP_DECLINE_CAP:
	case DROP_DECLINE_LATE:
		return &rl_decline;
	case DROP_CONFLICT:
		return &rl_probe_drop;
	default:
		break;
	}
	return NULL;
}

/*
 * The decision's line. In the journal it carries the client's MAC, the
 * address, user and class, and PROVBOX_EVENT ("dhcp-ack", "dhcp-refused",
 * ...) as fields (log.h); the text is the same everywhere.
 */
static void
log_decision(const struct iface *ifc, const struct pending *p)
{
	const struct dhcp_decision	*d = &p->d;
	const char			*who = p->who;
	struct log_ratelimit		*rl;
	struct log_fields		 f;
	char				 ip[IP4_STR_LEN], via[64], cls[96];

	if (p->giaddr != 0) {
		char relay[IP4_STR_LEN];

		snprintf(via, sizeof(via), "%s (relay %s)", ifc->name,
		    ip4_format(p->giaddr, relay));
	} else
		snprintf(via, sizeof(via), "%s", ifc->name);
	snprintf(cls, sizeof(cls), "%s%s%s", d->vendor != NULL ?
	    d->vendor->name : "-", d->user[0] ? ", " : "", d->user);
	memset(&f, 0, sizeof(f));
	f.mac = d->has_mac ? who : NULL;
	f.user = d->user;
	f.class = d->vendor != NULL ? d->vendor->name : NULL;

	switch (d->action) {
	case DA_REPLY:
		if (d->type == DHCPNAK) {
			f.event = "dhcp-nak";
			log_fields_msg(PB_LOG_INFO, &f, "DHCPNAK to %s (%s) via "
			    "%s: %s", who, cls, via, d->note != NULL ?
			    d->note : "");
		} else if (d->lease_time == 0) {
			f.event = "dhcp-inform";
			f.ip = ip4_format(d->dest_ip, ip);
			log_fields_msg(PB_LOG_INFO, &f, "DHCPACK (inform) to %s "
			    "%s (%s) via %s", ip, who, cls, via);
		} else {
			f.event = d->type == DHCPOFFER ? "dhcp-offer" :
			    "dhcp-ack";
			f.ip = ip4_format(d->hdr.yiaddr, ip);
			log_fields_msg(PB_LOG_INFO, &f, "%s %s to %s (%s) via "
			    "%s lease %us", dhcp_msgtype_str(d->type), ip, who,
			    cls, via, d->lease_time);
		}
		break;
	case DA_RELEASE:
		f.event = "dhcp-release";
		f.ip = ip4_format(d->lease.ip, ip);
		log_fields_msg(PB_LOG_INFO, &f, "DHCPRELEASE of %s from %s via "
		    "%s", ip, who, via);
		break;
	case DA_DECLINE:
		f.event = "dhcp-decline";
		f.ip = ip4_format(d->lease.ip, ip);
		log_fields_warnx_rl(&rl_declined, &f, "DHCPDECLINE of %s from "
		    "%s via %s: the address is in use elsewhere; quarantined "
		    "for %us", ip, who, via, d->lease_time);
		break;
	case DA_PROBE:
		f.event = "dhcp-probe";
		f.ip = ip4_format(d->lease.ip, ip);
		log_fields_msg(PB_LOG_DEBUG, &f, "%s from %s via %s: probing %s "
		    "before the offer", dhcp_msgtype_str(p->msgtype), who, via,
		    ip);
		break;
	case DA_DROP:
		f.event = "dhcp-refused";
		if (d->drop == DROP_DUPLICATE_MAC)
			log_fields_warnx_rl(&rl_duplicate, &f, "%s from %s via "
			    "%s refused: %s", dhcp_msgtype_str(p->msgtype),
			    who, via, d->eop.detail);
		else if (d->drop == DROP_RELEASE_SOURCE)
			log_fields_warnx_rl(&rl_duplicate, &f, "DHCPRELEASE "
			    "from %s via %s ignored: %s", who, via,
			    dhcp_drop_str(d->drop));
		else if (d->drop == DROP_POOL_EXHAUSTED)
			log_fields_warnx_rl(&rl_exhausted, &f, "%s from %s via "
			    "%s: no free address in %s/%u", dhcp_msgtype_str(
			    p->msgtype), who, via, ip4_format(
			    d->subnet->network, ip), d->subnet->prefix);
		else if ((rl = refusal_limit(d->drop)) != NULL &&
		    d->note != NULL)
			log_fields_warnx_rl(rl, &f, "%s from %s via %s refused: "
			    "%s%s%s", dhcp_msgtype_str(p->msgtype), who, via,
			    dhcp_drop_str(d->drop), strcmp(d->note,
			    dhcp_drop_str(d->drop)) != 0 ? ": " : "",
			    strcmp(d->note, dhcp_drop_str(d->drop)) != 0 ?
			    d->note : "");
		else {
			f.event = "dhcp-ignored";
			log_fields_msg(PB_LOG_DEBUG, &f, "%s from %s via %s "
			    "ignored: %s%s%s", dhcp_msgtype_str(p->msgtype),
			    who, via, dhcp_drop_str(d->drop), d->note ? ": " :
			    "", d->note ? d->note : "");
		}
		break;
	}
}

/*
 * Does this decision make a log line at the running level? Decided before
 * the client's name is formatted: at level warning (the usual setting
 * under load) only a DECLINE, an exhausted pool and the first refusal of
 * a burst log anything.
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
	case DA_PROBE:
		return level >= PB_LOG_DEBUG;
	case DA_DROP:
		if (d->drop == DROP_POOL_EXHAUSTED ||
		    d->drop == DROP_DUPLICATE_MAC ||
		    d->drop == DROP_RELEASE_SOURCE)
			return level >= PB_LOG_WARNING;
		if (refusal_limit(d->drop) != NULL && d->note != NULL)
			return level >= PB_LOG_WARNING;
		return level >= PB_LOG_DEBUG;
	}
	return 1;
}

/*
 * One rate-limited line per refused datagram: the sender, its MAC when the
 * header got that far, and which option broke it, so that an admin can
 * find the device. Nothing of the client's bytes but the MAC is shown.
 */
static void
log_malformed(const struct iface *ifc, uint32_t from, enum dhcp_perr e,
    const struct dhcp_msg *m)
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
	    e == DHCP_P_CLIENT_ID || e == DHCP_P_RELAY_INFO)
		snprintf(opt, sizeof(opt), " (option %u, length %u)",
		    m->bad_opt, m->bad_len);
	log_warnx_rl(&rl_malformed, "malformed packet from %s%s via %s "
	    "dropped: %s%s", ip4_format(from, src), who, ifc->name,
	    dhcp_perr_str(e), opt);
}

/* The reply of p as a message for the send op. */
static void
reply_msg(struct pending *p, struct net_msg *m)
{
	const struct dhcp_decision *d = &p->d;

	m->frame = p->frame;
	m->len = (size_t)p->len;
	m->hw = 0;
	m->ip = d->dest_ip;
	m->port = DHCP_CLIENT_PORT;
	m->err = 0;
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
send_replies(struct batch *b, const struct iface *ifc, size_t np)
{
	size_t	n = 0;

	for (size_t i = 0; i < np; i++)
		if (b->pend[i].ifc == ifc && b->pend[i].d.action == DA_REPLY)
			reply_msg(&b->pend[i], &b->out[n++]);
	if (n == 0)
		return;
	b->ops->send(b->arg, ifc, b->out, n);
	n = 0;
	for (size_t i = 0; i < np; i++) {
		const struct dhcp_decision *d = &b->pend[i].d;

		if (b->pend[i].ifc != ifc || d->action != DA_REPLY)
			continue;
		if (b->out[n].err == 0)
			b->st.sent[d->type]++;
		else {
			b->st.send_errors++;
			log_warnx_rl(&rl_send, "%s: sending %s: %s", ifc->name,
			    dhcp_msgtype_str(d->type),
			    strerror(b->out[n].err));
		}
		n++;
	}
}

/* Drops p's decision for why; a probe it started is taken back. */
static void
pend_drop(struct batch *b, struct pending *p, enum dhcp_drop why)
{
	p->d.action = DA_DROP;
	p->d.drop = why;
	if (p->probe != NULL) {
		probe_remove(b->pt, p->probe);
		p->probe = NULL;
	}
}

/* Is ip in one of cfg's pools? */
static int
in_pool(const struct cfg *cfg, uint32_t ip)
{
	for (size_t i = 0; i < cfg->dhcp.nsubnets; i++) {
		const struct cfg_subnet *sn = &cfg->dhcp.subnets[i];

		for (size_t k = 0; k < sn->npools; k++)
			if (ip >= sn->pools[k].start && ip <= sn->pools[k].end)
				return 1;
	}
	return 0;
}

/* The served interface of that name, or NULL. */
static const struct iface *
find_iface(const struct batch *b, const char *name)
{
	for (size_t i = 0; i < b->env.nifs; i++)
		if (strcmp(b->env.ifs[i].name, name) == 0)
			return &b->env.ifs[i];
	return NULL;
}

/*
 * A decision DA_PROBE: the datagram is kept in a NEW probe of the
 * address, so that the client's own retransmissions (and every other
 * client) see it as probing from now on. -1 when it cannot be kept: the
 * table is full (a flood of new clients); the client asks again.
 */
static int
start_probe(struct batch *b, const struct dgram *g, struct pending *p)
{
	struct probe	*pr;
	char		 ip[IP4_STR_LEN];

	if ((pr = probe_add(b->pt, p->d.lease.ip, g->buf, g->len)) == NULL) {
		log_warnx_rl(&rl_probe, "conflict: %zu probes out; %s not "
		    "probed, its DISCOVER dropped", probe_count(b->pt),
		    ip4_format(p->d.lease.ip, ip));
		pend_drop(b, p, DROP_PROBING);
		p->d.write_lease = 0;
		return -1;
	}
	snprintf(pr->ifname, sizeof(pr->ifname), "%s", g->ifc->name);
	pr->src = g->src;
	pr->unicast = g->unicast;
	if (g->ended != NULL) {
		pr->answered = g->ended->answered +
		    (g->ended->state == PROBE_ANSWERED);
		pr->rounds = g->ended->rounds + 1;
	}
	p->probe = pr;
	return 0;
}

/*
 * Parses and decides one datagram into the next pending record, in the
 * open transaction. Returns the number of records it stored.
 */
static int
decide_one(struct batch *b, const struct dgram *g, size_t *np, time_t now,
    int level)
{
	struct pending	*p = &b->pend[*np];
	struct dhcp_msg	*m = &b->msg;
	struct dhcp_rx	 rx;
	enum dhcp_perr	 e;
	unsigned	 omitted;
	int		 writes = 0;

	if ((e = dhcp_parse(g->buf, g->len, m)) != DHCP_P_OK) {
		b->st.malformed[e]++;
		log_malformed(g->ifc, g->src, e, m);
		return 0;
	}
	if (g->ended == NULL && m->msgtype <= DHCP_MSGTYPE_MAX)
		b->st.received[m->msgtype]++;
	rx.ifname = g->ifc->name;
	rx.if_addrs = g->ifc->addrs;
	rx.nif_addrs = g->ifc->naddrs;
	rx.src_ip = g->src;
	rx.mtu = g->ifc->mtu;
	rx.unicast = g->unicast;
	p->ifc = g->ifc;
	p->probe = NULL;
	dhcp_decide(b->env.cfg, &b->view, m, &rx, now, &p->d);
	p->msgtype = m->msgtype;
	p->giaddr = m->giaddr;
	memcpy(p->chaddr, m->chaddr, 6);
	if (p->d.action == DA_PROBE) {
		/* Nothing goes out: what it teaches is learnt when it does. */
		p->d.eop.kind = EOP_NONE;
		if (g->give_up) {
			/* Its probes are spent (answered): no more. */
			pend_drop(b, p, DROP_CONFLICT);
			p->d.write_lease = 0;
			p->d.note = "it may ask again";
		} else
			(void)start_probe(b, g, p);
	}
	if (p->d.write_lease) {
		if (leasedb_store(b->env.ldb, &p->d.lease) != 0)
			/* The batch is lost: say so once, at the commit. */
			pend_drop(b, p, DROP_REGISTRY);
		else
			writes++;
	}
	p->ev.kind = EV_NONE;
	if (p->d.eop.kind != EOP_NONE) {
		int r = leasedb_enroll(b->env.ldb, &p->d.eop, now, &p->ev);

		if (r < 0) {
			pend_drop(b, p, DROP_REGISTRY);
			p->ev.kind = EV_NONE;
		} else if (r > 0)
			writes++;
	}
	if (p->d.action == DA_REPLY) {
		p->len = dhcp_build(&p->d.hdr, p->d.opts, p->d.nopts,
		    p->frame + NET_HDR_ROOM, p->d.max_size, &omitted);
		if (p->len < 0)
			pend_drop(b, p, DROP_REGISTRY);
		else if (omitted > 0)
			log_warnx_rl(&rl_reply, "reply to xid 0x%08x: %u "
			    "options did not fit in %u bytes", m->xid,
			    omitted, p->d.max_size);
	}
	/* The client's name needs the message, which the next one reuses. */
	if ((p->log = wants_log(&p->d, level)))
		client_str(m, &p->d, p->who, sizeof(p->who));
	(*np)++;
	return writes;
}

/* Opens the batch's transaction (once) and its lease view. */
static int
begin(struct batch *b)
{
	if (b->in_txn)
		return 0;
	if ((b->ops->fail != NULL && b->ops->fail(b->arg, BATCH_BEGIN)) ||
	    leasedb_begin(b->env.ldb) != 0)
		return -1;
	b->in_txn = 1;
	leasedb_view(b->env.ldb, &b->view);
	b->view.admit = b->env.admit;
	b->view.admit_arg = b->env.admit_arg;
	b->view.probing = probe_pending;
	b->view.probe_arg = b->pt;
	return 0;
}

/* Commits the batch (nothing open: nothing to do). 0 or -1. */
static int
commit(struct batch *b)
{
	if (!b->in_txn)
		return 0;
	b->in_txn = 0;
	if (b->ops->fail != NULL && b->ops->fail(b->arg, BATCH_COMMIT)) {
		leasedb_abort(b->env.ldb);
		return -1;
	}
	return leasedb_commit(b->env.ldb);
}

/*
 * The probes that ended, up to the room in the batch: an address that
 * answered is set aside (dhcp_conflict_lease()), then the datagram that
 * waited is decided again. Returns the number of records stored.
 */
static int
take_ended(struct batch *b, size_t *np, time_t now, int level)
{
	struct probe	*e;
	int		 writes = 0;

	while (*np < BATCH_MAX && b->nended < BATCH_MAX &&
	    (e = probe_take_done(b->pt)) != NULL) {
		struct dgram	g;
		int		answered = e->state == PROBE_ANSWERED;

		b->ended[b->nended++] = e;
		if (answered)
			b->st.conflicts++;
		else
			b->st.probe_timeouts++;
		memset(&g, 0, sizeof(g));
		/* Its interface or its pool gone (a reload): it just ends. */
		if ((g.ifc = find_iface(b, e->ifname)) == NULL ||
		    !in_pool(b->env.cfg, e->ip))
			continue;
		if (begin(b) != 0) {
			log_warnx_rl(&rl_registry, "registry: cannot begin a "
			    "transaction; a probed DISCOVER dropped");
			b->st.dropped[DROP_REGISTRY]++;
			continue;
		}
		if (answered) {
			struct reg_lease rec;

			dhcp_conflict_lease(b->env.cfg, e->ip, now, &rec);
			if (leasedb_store(b->env.ldb, &rec) != 0) {
				/* Else the client would get that address. */
				b->st.dropped[DROP_REGISTRY]++;
				continue;
			}
			writes++;
			b->conflicts[b->nconflicts++] = e->ip;
		}
		g.buf = e->buf;
		g.len = e->len;
		g.src = e->src;
		g.unicast = e->unicast;
		g.ended = e;
		g.give_up = answered ? e->answered + 1 >= PROBE_ANSWERS_MAX :
		    e->rounds + 1 >= PROBE_ROUNDS_MAX;
		writes += decide_one(b, &g, np, now, level);
	}
	return writes;
}

/*
 * Reads what ifc's socket holds, up to the room left in the batch, and
 * decides it in the open transaction. Returns the number of records
 * stored.
 */
static int
take(struct batch *b, const struct iface *ifc, size_t *np, time_t now,
    int level)
{
	int	n, writes = 0;

	if (*np >= BATCH_MAX ||
	    (n = b->ops->recv(b->arg, ifc, b->rx, BATCH_MAX - *np)) <= 0)
		return 0;
	if (begin(b) != 0) {
		log_warnx_rl(&rl_registry, "registry: cannot begin a "
		    "transaction; %d messages dropped", n);
		b->st.dropped[DROP_REGISTRY] += (unsigned long)n;
		return 0;
	}
	for (int i = 0; i < n; i++) {
		struct dgram g;

		b->st.rx++;
		memset(&g, 0, sizeof(g));
		g.ifc = ifc;
		g.buf = b->rx[i].buf;
		g.len = b->rx[i].len;
		g.src = b->rx[i].src;
		g.unicast = b->rx[i].unicast;
		writes += decide_one(b, &g, np, now, level);
	}
	return writes;
}

/*
 * The batch is durable: the echoes of its probes leave, each OUT until
 * the timeout; one that cannot leave ends at once, and its client gets
 * the address unprobed. Then the addresses set aside are logged.
 */
static void
start_probes(struct batch *b, size_t np)
{
	uint64_t	deadline = probe_clock_ms() +
			    b->env.cfg->dhcp.conflict_timeout;
	char		ip[IP4_STR_LEN];

	for (size_t i = 0; i < np; i++) {
		struct probe *pr = b->pend[i].probe;

		if (pr == NULL)
			continue;
		b->pend[i].probe = NULL;	/* the table's now */
		if (b->ops->echo(b->arg, pr->ip, probe_id(b->pt),
		    pr->seq) == 0) {
			b->st.probes++;
			probe_sent(b->pt, pr, deadline);
			continue;
		}
		b->st.probe_errors++;
		log_warnx_rl(&rl_probe, "conflict: cannot ping %s (%s): "
		    "offering it unprobed", ip4_format(pr->ip, ip),
		    strerror(errno));
		probe_fail(b->pt, pr);
	}
	for (size_t i = 0; i < b->nconflicts; i++)
		log_warnx_rl(&rl_conflict, "conflict: %s answered a ping; set "
		    "aside for %u s", ip4_format(b->conflicts[i], ip),
		    b->env.cfg->dhcp.decline_time);
}

size_t
batch_serve(struct batch *b, struct iface *only)
{
	size_t	np = 0;
	int	writes = 0, level = (int)log_get_level(), failed = 0;
	time_t	now = time(NULL);
	double	t0;

	b->nended = b->nconflicts = 0;
	if (probe_done_count(b->pt) > 0)
		writes += take_ended(b, &np, now, level);
	if (only != NULL)
		writes += take(b, only, &np, now, level);
	else
		for (size_t k = 0; k < b->env.nifs; k++)
			writes += take(b, &b->env.ifs[k], &np, now, level);
	/* Two clock reads per batch (vDSO), none per message. */
	t0 = b->in_txn && writes > 0 ? metrics_now() : 0;
	if (commit(b) != 0) {
		failed = 1;
		b->st.commit_errors++;
		/* Per batch, so per packet when the disk is full. */
		log_warnx_rl(&rl_registry, "registry commit failed (%s): %zu "
		    "replies of this batch not sent; clients will retry",
		    leasedb_error(b->env.ldb), np);
		/* Nothing of the batch was stored: only NAKs may go out. */
		for (size_t i = 0; i < np; i++) {
			struct pending *p = &b->pend[i];

			if (!(p->d.action == DA_REPLY &&
			    p->d.type == DHCPNAK)) {
				pend_drop(b, p, DROP_REGISTRY);
				p->log = wants_log(&p->d, level) && p->log;
			}
		}
	} else if (writes > 0) {
		b->st.commits++;
		if (t0 > 0)
			metrics_hist_observe(&b->st.commit_seconds,
			    metrics_now() - t0);
	}
	if (np > 0)
		metrics_hist_observe(&b->st.batch_size, (double)np);
	/* Only now, with the batch durable, do its replies leave. */
	for (size_t k = 0; k < b->env.nifs; k++)
		send_replies(b, &b->env.ifs[k], np);
	if (!failed)
		start_probes(b, np);
	for (size_t i = 0; i < np; i++) {
		struct pending *p = &b->pend[i];

		if (p->d.action == DA_DROP)
			b->st.dropped[p->d.drop]++;
		if (p->log)
			log_decision(p->ifc, p);
		/* Enrollment events are audit lines: only once durable. */
		if (p->ev.kind != EV_NONE && !failed) {
			enroll_log(&p->ev);
			if (p->ev.kind < EV_COUNT)
				b->st.enroll_events[p->ev.kind]++;
		}
	}
	for (size_t i = 0; i < b->nended; i++)
		probe_free(b->ended[i]);
	b->nended = 0;
	return np;
}

struct batch *
batch_new(const struct batch_ops *ops, void *arg)
{
	struct batch *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	if ((b->pt = probe_table_new()) == NULL) {
		free(b);
		return NULL;
	}
	b->ops = ops;
	b->arg = arg;
	(void)metrics_hist_init(&b->st.commit_seconds, commit_bounds,
	    sizeof(commit_bounds) / sizeof(commit_bounds[0]));
	(void)metrics_hist_init(&b->st.batch_size, size_bounds,
	    sizeof(size_bounds) / sizeof(size_bounds[0]));
	for (size_t i = 0; i < BATCH_MAX; i++)
		b->rx[i].buf = b->rxbuf[i];
	return b;
}

void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	if (b->in_txn)
		leasedb_abort(b->env.ldb);
	probe_table_free(b->pt);
	free(b);
}

/* A probe survives a reload while its interface and its pool do. */
static int
probe_keep(void *arg, const struct probe *p)
{
	const struct batch *b = arg;

	return find_iface(b, p->ifname) != NULL && in_pool(b->env.cfg, p->ip);
}

void
batch_set_env(struct batch *b, const struct batch_env *env)
{
	b->env = *env;
	probe_prune(b->pt, probe_keep, b);
}

struct probe_table *
batch_probes(struct batch *b)
{
	return b->pt;
}

const struct batch_stats *
batch_stats(const struct batch *b)
{
	return &b->st;
}
