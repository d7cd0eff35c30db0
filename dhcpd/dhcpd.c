/*
 * dhcpd.c - provbox-dhcpd: the event loop around the DHCP batches.
 *
 * Each readable socket is drained in batches (batch.h: one recvmmsg, one
 * LMDB write transaction, one commit, then the replies in one sendmmsg).
 * Under a steady stream the server also waits LINGER_US before reading a
 * batch (group commit), which about halves the fsyncs per DORA at a few
 * thousand DORA/s; an idle server, or one that is behind (a full batch),
 * never waits. BATCH_MAX bounds the extra wait of a batch's first
 * datagram (the linger, the decisions of the others and one commit: a
 * few milliseconds at most).
 *
 * Conflict detection: the ICMP socket is watched for echo replies and a
 * timer ends the probes nobody answered; either way the probes that
 * ended make a batch of their own at once (probe.h). Nothing waits for a
 * probe but the one client whose OFFER it holds.
 */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admit.h"
#include "batch.h"
#include "cfg.h"
#include "ctl.h"
#include "daemon.h"
#include "dhcpd.h"
#include "leasedb.h"
#include "log.h"
#include "net.h"
#include "probe.h"
#include "registry.h"
#include "sandbox.h"
#include "server.h"

/*
 * Group commit under load: when the last batch had at least LINGER_MIN
 * messages (but was not full) and went out less than LINGER_BUSY_NS ago,
 * the next batch waits LINGER_US before it is read, so that one fsync
 * covers the datagrams of that time as well.
 */
#define LINGER_US	1000
#define LINGER_BUSY_NS	2000000L
#define LINGER_MIN	4

struct dhcpd {
	struct event_base	*base;		/* daemon_main()'s */
	const struct cfg	*cfg;		/* borrowed: daemon_main()'s */
	struct reg		*reg;
	struct leasedb		*ldb;
	struct admit		*admit;
	struct iface		*ifs;
	size_t			 nifs;
	struct batch		*batch;
	/* Group commit (see on_read()). */
	struct event		*linger;	/* ends a wait for more */
	int			 lingering;	/* sockets unwatched meanwhile */
	size_t			 last_batch;	/* messages in the last batch */
	struct timespec		 last_end;	/* when it was sent */
	/* Conflict detection. */
	int			 probe_fd;	/* -1: none open */
	struct event		*probe_ev;	/* echo replies */
	struct event		*probe_timer;	/* the next deadline */
	uint64_t		 probe_timer_at;	/* ms; 0: not armed */
};

static struct dhcpd	 D = { .probe_fd = -1 };

/* The batch's sockets: the kernel's. */
static int
op_recv(void *arg, const struct iface *ifc, struct net_rx *rx, size_t n)
{
	(void)arg;
	return net_recv_batch(ifc, rx, n);
}

static size_t
op_send(void *arg, const struct iface *ifc, struct net_msg *msgs, size_t n)
{
	(void)arg;
	return net_send_batch(ifc, msgs, n);
}

static int
op_echo(void *arg, uint32_t ip, uint16_t id, uint16_t seq)
{
	(void)arg;
	if (D.probe_fd < 0) {
		errno = ENOTCONN;
		return -1;
	}
	return probe_send_echo(D.probe_fd, ip, id, seq);
}

static const struct batch_ops net_ops = {
	.recv = op_recv,
	.send = op_send,
	.echo = op_echo,
	.fail = NULL,
};

/* Arms the probe timer for the earliest deadline, if it is not already. */
static void
probe_timer_arm(void)
{
	struct timeval	tv;
	uint64_t	at, now;

	if (!probe_next_deadline(batch_probes(D.batch), &at)) {
		if (D.probe_timer_at != 0)
			evtimer_del(D.probe_timer);
		D.probe_timer_at = 0;
		return;
	}
	if (D.probe_timer_at == at)
		return;
	now = probe_clock_ms();
	at = at > now ? at - now : 0;
	tv.tv_sec = (time_t)(at / 1000);
	tv.tv_usec = (suseconds_t)(at % 1000 * 1000);
	if (evtimer_add(D.probe_timer, &tv) != 0) {
		log_warnx("conflict detection: cannot arm the probe timer");
		D.probe_timer_at = 0;
		return;
	}
	probe_next_deadline(batch_probes(D.batch), &D.probe_timer_at);
}

/*
 * One batch (ifc NULL: every socket), then batches for the probes that
 * ended beyond its room: each takes at least one, so this ends.
 */
static void
serve(struct iface *ifc)
{
	D.last_batch = batch_serve(D.batch, ifc);
	while (probe_done_count(batch_probes(D.batch)) > 0)
		D.last_batch = batch_serve(D.batch, NULL);
	clock_gettime(CLOCK_MONOTONIC, &D.last_end);
	probe_timer_arm();
}

/* Is a stream coming in that a short wait would gather into one commit? */
static int
busy(void)
{
	struct timespec	now;
	long		ns;

	if (D.last_batch < LINGER_MIN || D.last_batch >= BATCH_MAX)
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
 * Probes ended (answered, or their time is up): their clients are decided
 * again now, unless a group-commit wait is on, whose batch takes them
 * first when it ends.
 */
static void
probes_ended(void)
{
	if (probe_done_count(batch_probes(D.batch)) > 0 && !D.lingering)
		serve(NULL);
	else
		probe_timer_arm();
}

static void
on_probe_reply(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	(void)arg;
	if (probe_recv(batch_probes(D.batch), fd) > 0)
		probes_ended();
}

static void
on_probe_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	D.probe_timer_at = 0;
	probe_expire(batch_probes(D.batch), probe_clock_ms());
	probes_ended();
}

/*
 * The ICMP socket, opened while the daemon may (CAP_NET_RAW is kept for
 * reloads): only when conflict_check is on, and kept once open. 0, or -1
 * with err.
 */
static int
probe_socket(const struct cfg *cfg, char *err, size_t errsz)
{
	if (!cfg->dhcp.conflict_check || D.probe_fd >= 0)
		return 0;
	if ((D.probe_fd = probe_open(err, errsz)) < 0)
		return -1;
	return 0;
}

/* Watches the ICMP socket, once it is open. 0, or -1 with err. */
static int
probe_watch(char *err, size_t errsz)
{
	if (D.probe_fd < 0 || D.probe_ev != NULL)
		return 0;
	if ((D.probe_ev = event_new(D.base, D.probe_fd, EV_READ | EV_PERSIST,
	    on_probe_reply, NULL)) == NULL ||
	    event_add(D.probe_ev, NULL) != 0) {
		snprintf(err, errsz, "conflict detection: cannot watch the "
		    "ICMP socket");
		return -1;
	}
	return 0;
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
	const struct batch_stats	*st = batch_stats(D.batch);
	unsigned long			 held, total, mal = 0, dropped = 0;

	for (int i = 0; i < DHCP_P_COUNT; i++)
		mal += st->malformed[i];
	for (int i = 0; i < DROP_COUNT; i++)
		dropped += st->dropped[i];
	log_reasons("malformed", st->malformed, DHCP_P_COUNT, perr_name);
	log_reasons("ignored", st->dropped, DROP_COUNT, drop_name);
	if (st->probes > 0 || st->probe_errors > 0)
		log_notice("stats: conflict probes sent %lu (%lu could not "
		    "be sent), answered %lu, unanswered %lu", st->probes,
		    st->probe_errors, st->conflicts, st->probe_timeouts);
	leasedb_usage(D.ldb, &held, &total);
	log_notice("stats: received %lu, malformed %lu, ignored %lu, "
	    "offers %lu, acks %lu, naks %lu, send errors %lu, commits %lu "
	    "(%lu failed); pool addresses used %lu of %lu", st->rx, mal,
	    dropped, st->sent[DHCPOFFER], st->sent[DHCPACK],
	    st->sent[DHCPNAK], st->send_errors, st->commits,
	    st->commit_errors, held, total);
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
 * A pool may not hold an address of the server's own interfaces (it
 * would be offered to a client): every address of the interfaces to
 * serve goes to the config's check. 0, or -1 with err.
 */
static int
check_own_addrs(const struct cfg *cfg, const struct iface *ifs, int n,
    char *err, size_t errsz)
{
	uint32_t	*addrs;
	size_t		 na = 0;
	int		 r;

	if (n <= 0)
		return 0;
	if ((addrs = calloc((size_t)n, IFACE_MAX_ADDRS *
	    sizeof(*addrs))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < ifs[i].naddrs; k++)
			addrs[na++] = ifs[i].addrs[k];
	r = cfg_dhcp_check_addrs(cfg, addrs, na, err, errsz);
	free(addrs);
	return r;
}

/*
 * Finds and opens the interfaces cfg names. An interface that is already
 * served keeps its sockets (they move to the new set), so a reload needs
 * no privilege to bind again; only new interfaces open new sockets. -1 on
 * a failure: why then says what is wrong with the config (the caller
 * ends the start or the reload with it), or is empty when the system
 * failed (logged here).
 */
static int
open_interfaces(const struct cfg *cfg, struct iface **out, size_t *nout,
    char *why, size_t whysz)
{
	struct iface	*ifs, *old;
	char		 err[256];
	int		 n;

	why[0] = '\0';
	if ((n = net_discover(cfg, &ifs, err, sizeof(err))) < 0) {
		log_warnx("%s", err);
		return -1;
	}
	if (check_own_addrs(cfg, ifs, n, why, whysz) != 0) {
		free(ifs);
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

/* Hands the running config, registry and interfaces to the batch. */
static void
batch_env_set(void)
{
	struct batch_env env;

	memset(&env, 0, sizeof(env));
	env.cfg = D.cfg;
	env.ldb = D.ldb;
	env.ifs = D.ifs;
	env.nifs = D.nifs;
	env.admit = admit_check;
	env.admit_arg = D.admit;
	batch_set_env(D.batch, &env);
}

/*
 * Reload (daemon.h): a new address index, new admission counters and the
 * interfaces the new config names, after daemon_main() synced the
 * registry. Any failure leaves the running ones in place. Leases are
 * untouched; a conflict probe whose interface or pool is gone ends.
 */
static int
apply(const struct cfg *cfg, void *staged, char *why, size_t whysz)
{
	struct leasedb	*ldb;
	struct admit	*admit;
	struct iface	*ifs;
	size_t		 nifs;

	(void)staged;
	/* The sockets may move to a new set: none may stay unwatched. */
	linger_end();
	if (probe_socket(cfg, why, whysz) != 0 || probe_watch(why,
	    whysz) != 0) {
		log_warnx("%s", why);
		return -1;
	}
	if ((admit = admit_new(&cfg->dhcp.limits)) == NULL) {
		snprintf(why, whysz, "out of memory for the admission limits");
		return -1;
	}
	if ((ldb = leasedb_new(D.reg, cfg, why, whysz)) == NULL) {
		admit_free(admit);
		return -1;
	}
	why[0] = '\0';
	if (open_interfaces(cfg, &ifs, &nifs, why, whysz) != 0) {
		leasedb_free(ldb);
		admit_free(admit);
		if (why[0] == '\0')
			snprintf(why, whysz, "cannot open the interfaces (see "
			    "the log); its users and devices are in the "
			    "registry already");
		return -1;
	}
	close_interfaces(D.ifs, D.nifs);
	leasedb_free(D.ldb);
	admit_free(D.admit);
	D.cfg = cfg;
	D.ldb = ldb;
	D.admit = admit;
	D.ifs = ifs;
	D.nifs = nifs;
	batch_env_set();
	probe_timer_arm();
	if (watch_interfaces() != 0)
		log_warnx("reload: cannot watch the sockets");
	return 0;
}

/* Start (daemon.h): after the fork, as root, before the sandbox. */
static int
start(struct event_base *base, struct reg *reg, const struct cfg *cfg,
    void *staged, char *err, size_t errsz)
{
	(void)staged;
	D.base = base;
	D.reg = reg;
	D.cfg = cfg;
	if ((D.ldb = leasedb_new(reg, cfg, err, errsz)) == NULL)
		return -1;
	if ((D.admit = admit_new(&cfg->dhcp.limits)) == NULL) {
		snprintf(err, errsz, "out of memory for the admission limits");
		return -1;
	}
	err[0] = '\0';
	if (open_interfaces(cfg, &D.ifs, &D.nifs, err, errsz) != 0) {
		if (err[0] == '\0')
			snprintf(err, errsz, "cannot open the DHCP sockets");
		return -1;
	}
	if (probe_socket(cfg, err, errsz) != 0)
		return -1;
	if ((D.batch = batch_new(&net_ops, NULL)) == NULL) {
		snprintf(err, errsz, "out of memory for the batch");
		return -1;
	}
	batch_env_set();
	if ((D.linger = evtimer_new(base, on_linger, NULL)) == NULL ||
	    (D.probe_timer = evtimer_new(base, on_probe_timer, NULL)) ==
	    NULL) {
		snprintf(err, errsz, "cannot create the timers");
		return -1;
	}
	if (probe_watch(err, errsz) != 0)
		return -1;
	if (watch_interfaces() != 0) {
		snprintf(err, errsz, "cannot watch the sockets");
		return -1;
	}
	return 0;
}

static void
stop(void)
{
	event_free(D.linger);
	event_free(D.probe_timer);
	if (D.probe_ev != NULL)
		event_free(D.probe_ev);
	if (D.probe_fd >= 0)
		close(D.probe_fd);
	close_interfaces(D.ifs, D.nifs);
	batch_free(D.batch);
	admit_free(D.admit);
	leasedb_free(D.ldb);
}

const struct dhcpd_view *
dhcpd_view(void)
{
	static struct dhcpd_view v;

	v.cfg = D.cfg;
	v.reg = D.reg;
	v.ldb = D.ldb;
	v.batch = D.batch;
	v.admit = D.admit;
	return &v;
}

int
main(int argc, char *argv[])
{
	static const struct daemon_hooks hooks = {
		.name = "provbox-dhcpd",
		/* The TLS files are provisiond's, checked where it runs. */
		.cfg_flags = CFG_NO_FILE_CHECKS,
		/*
		 * Kept so a reload can open the sockets of a new interface,
		 * and the ICMP socket when conflict_check is turned on.
		 */
		.caps = 1ULL << CAP_NET_BIND_SERVICE | 1ULL << CAP_NET_RAW,
		.sandbox = SANDBOX_DHCPD,
		.start = start,
		.apply = apply,
		.stats = log_stats,
		.stop = stop,
		.commands = dhcpd_ctl_commands,
		.metrics = dhcpd_metrics,
	};
	struct daemon_hooks h = hooks;

	h.ncommands = dhcpd_ctl_ncommands;
	return daemon_main(argc, argv, &h);
}
