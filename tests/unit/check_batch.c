/*
 * check_batch.c - the DHCP server's batch (dhcpd/batch.c) driven through
 * fake sockets: received datagrams are queued by the test, replies and
 * ICMP echoes are recorded with what the registry held when they left,
 * and the registry (real LMDB in a scratch directory) fails a begin or a
 * commit on demand.
 *
 * What is proved: no reply leaves before its batch is committed (the fake
 * send reads the lease back in a read transaction of its own, which sees
 * committed data only); after a failed commit only NAKs leave; a failed
 * commit gives back the pool addresses its batch marked; a batch decides
 * each message seeing the leases decided before it. Conflict detection:
 * the echo leaves after the commit, the client's OFFER waits for it while
 * others are served, a timeout OFFERs the held address, an answer sets
 * the address aside and another is probed, three answers drop the
 * client, and a reload that drops the interface ends the probe.
 */
#include "config.h"

#include <errno.h>
#include <time.h>

#include "testutil.h"

#include "batch.h"
#include "cfg.h"
#include "leasedb.h"
#include "net.h"
#include "packet.h"
#include "probe.h"
#include "registry.h"
#include "server.h"
#include "sync.h"

#define IP4(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			    (uint32_t)(c) << 8 | (uint32_t)(d))
#define SERVER_IP	IP4(10, 42, 0, 1)
#define POOL_START	IP4(10, 42, 0, 100)
#define POOL_END	IP4(10, 42, 0, 139)	/* 40 addresses */

static const char cfg_fmt[] =
    "registry = { path = \"reg\"; sync = false; };\n"
    "dhcp = {\n"
    "  authoritative = true;\n"
    "  lease_time = 3600; offer_time = 60; decline_time = 3600;\n"
    "  conflict_check = %s; conflict_timeout = 500;\n"
    "  subnets = (\n"
    "    { subnet = \"10.42.0.0/24\";\n"
    "      pools = ( { start = \"10.42.0.100\"; end = \"10.42.0.139\"; } );\n"
    "      routers = [ \"10.42.0.1\" ]; }\n"
    "  );\n"
    "};\n"
    "provisioning = {\n"
    "  base_url = \"https://10.42.0.1\";\n"
    "  tls = { cert = \"server.crt\"; key = \"server.key\"; };\n"
    "};\n"
    "vendors = ( { name = \"other\"; default = true; } );\n"
    "users = ( );\n";

/* What the fake send saw of one reply. */
struct sent {
	uint8_t		 type;
	uint32_t	 yiaddr;
	uint32_t	 xid;
	uint8_t		 chaddr[6];
	/* Commits asked of the registry (the fail hook) when it left. */
	unsigned	 commits;
	/* The lease of yiaddr as a reader outside the batch saw it. */
	int		 durable;
	uint8_t		 state;
};

struct echo {
	uint32_t	 ip;
	uint16_t	 id;
	uint16_t	 seq;
	unsigned	 commits;
	int		 durable;	/* yiaddr's hold seen by a reader */
};

/* A datagram queued for the fake receive. */
struct queued {
	uint8_t		 buf[1500];
	size_t		 len;
	uint32_t	 src;
	int		 unicast;
};

static struct {
	struct queued	 q[64];
	size_t		 nq;
	struct sent	 sent[64];
	size_t		 nsent;
	struct echo	 echo[16];
	size_t		 necho;
	int		 fail_begin;
	int		 fail_commit;
	int		 fail_echo;
	unsigned	 commits;	/* BATCH_COMMIT steps reached */
} fx;

static char			*dir;
static struct cfg		*cfg;
static struct reg		*reg;
static struct leasedb		*ldb;
static struct batch		*b;
static struct iface		 ifc;
static struct dhcp_msg		*parsed;	/* several KB: not on the stack */
static uint32_t			 xid = 0x5000;

/* A reader of its own: sees what is committed, nothing of an open batch. */
static int
committed_lease(uint32_t ip, struct reg_lease *l)
{
	struct reg_txn	t;
	int		r;

	ck_assert_int_eq(reg_txn_begin(reg, &t, 1), 0);
	r = reg_lease_get(&t, ip, l);
	reg_txn_abort(&t);
	return r;
}

static int
fake_recv(void *arg, const struct iface *i, struct net_rx *rx, size_t n)
{
	size_t k;

	(void)arg;
	ck_assert_ptr_eq(i, &ifc);
	for (k = 0; k < n && k < fx.nq; k++) {
		memcpy(rx[k].buf, fx.q[k].buf, fx.q[k].len);
		rx[k].len = fx.q[k].len;
		rx[k].src = fx.q[k].src;
		rx[k].unicast = fx.q[k].unicast;
	}
	memmove(fx.q, fx.q + k, (fx.nq - k) * sizeof(fx.q[0]));
	fx.nq -= k;
	return (int)k;
}

static size_t
fake_send(void *arg, const struct iface *i, struct net_msg *msgs, size_t n)
{
	(void)arg;
	ck_assert_ptr_eq(i, &ifc);
	for (size_t k = 0; k < n; k++) {
		struct sent		*s = &fx.sent[fx.nsent++];
		struct reg_lease	 l;

		ck_assert_uint_lt(fx.nsent, 64);
		ck_assert_int_eq(dhcp_parse(msgs[k].frame + NET_HDR_ROOM,
		    msgs[k].len, parsed), DHCP_P_OK);
		s->type = parsed->msgtype;
		s->yiaddr = parsed->yiaddr;
		s->xid = parsed->xid;
		memcpy(s->chaddr, parsed->chaddr, 6);
		s->commits = fx.commits;
		s->durable = s->yiaddr != 0 &&
		    committed_lease(s->yiaddr, &l) == 0 &&
		    memcmp(l.chaddr, s->chaddr, 6) == 0;
		s->state = s->durable ? l.state : 0;
		msgs[k].err = 0;
	}
	return 0;
}

static int
fake_echo(void *arg, uint32_t ip, uint16_t id, uint16_t seq)
{
	struct echo		*e = &fx.echo[fx.necho++];
	struct reg_lease	 l;

	(void)arg;
	ck_assert_uint_lt(fx.necho, 16);
	e->ip = ip;
	e->id = id;
	e->seq = seq;
	e->commits = fx.commits;
	e->durable = committed_lease(ip, &l) == 0 &&
	    l.state == LEASE_OFFERED;
	if (fx.fail_echo) {
		errno = EHOSTUNREACH;
		return -1;
	}
	return 0;
}

static int
fake_fail(void *arg, enum batch_step step)
{
	(void)arg;
	if (step == BATCH_BEGIN)
		return fx.fail_begin;
	fx.commits++;
	return fx.fail_commit;
}

static const struct batch_ops fake_ops = {
	.recv = fake_recv,
	.send = fake_send,
	.echo = fake_echo,
	.fail = fake_fail,
};

static void
set_env(size_t nifs)
{
	struct batch_env env;

	memset(&env, 0, sizeof(env));
	env.cfg = cfg;
	env.ldb = ldb;
	env.ifs = &ifc;
	env.nifs = nifs;
	batch_set_env(b, &env);
}

/* Config (conflict_check on or off), registry, lease index, batch. */
static void
start(int conflict_check)
{
	struct cfg_errors	 errs;
	struct reg_sync_stats	 st;
	char			*text, *path, err[512], line[512];

	ck_assert(asprintf(&text, cfg_fmt, conflict_check ? "true" :
	    "false") > 0);
	path = tu_write(dir, "provbox.conf", text);
	free(text);
	if (cfg_load(path, CFG_NO_FILE_CHECKS, &cfg, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", cfg_error_format(&errs.v[i],
			    line, sizeof(line)));
		cfg_errors_free(&errs);
		ck_abort_msg("the test config does not load");
	}
	free(path);
	ck_assert(asprintf(&path, "%s/reg", dir) > 0);
	if (reg_open(path, 16 << 20, REG_NOSYNC, &reg, err, sizeof(err)) != 0)
		ck_abort_msg("reg_open: %s", err);
	free(path);
	if (reg_sync(reg, cfg, time(NULL), &st, err, sizeof(err)) != 0)
		ck_abort_msg("reg_sync: %s", err);
	if ((ldb = leasedb_new(reg, cfg, err, sizeof(err))) == NULL)
		ck_abort_msg("leasedb_new: %s", err);
	memset(&ifc, 0, sizeof(ifc));
	snprintf(ifc.name, sizeof(ifc.name), "pb0");
	ifc.addrs[0] = SERVER_IP;
	ifc.naddrs = 1;
	ifc.udp_fd = ifc.raw_fd = -1;
	ifc.mtu = 1500;
	ck_assert_ptr_nonnull(b = batch_new(&fake_ops, NULL));
	set_env(1);
}

static void
start_plain(void)
{
	start(0);
}

static void
start_probing(void)
{
	start(1);
}

static void
setup(void)
{
	memset(&fx, 0, sizeof(fx));
	dir = tu_mkdtemp();
	ck_assert_ptr_nonnull(parsed = calloc(1, sizeof(*parsed)));
}

static void
teardown(void)
{
	batch_free(b);
	b = NULL;
	leasedb_free(ldb);
	ldb = NULL;
	reg_close(reg);
	reg = NULL;
	cfg_free(cfg);
	cfg = NULL;
	free(parsed);
	tu_rmtree(dir);
	dir = NULL;
}

/*
 * Queues a request of type from MAC 02:00:00:00:00:<n>: requested (option
 * 50) and server id (54) when not 0, ciaddr as given. Returns its xid.
 */
static uint32_t
queue(uint8_t type, uint8_t n, uint32_t requested, uint32_t sid,
    uint32_t ciaddr)
{
	struct dhcp_hdr		 h;
	struct dhcp_out_opt	 o[3];
	uint8_t			 req[4], srv[4];
	size_t			 no = 0;
	unsigned		 omitted;
	int			 len;
	struct queued		*q = &fx.q[fx.nq++];

	ck_assert_uint_lt(fx.nq, 64);
	memset(&h, 0, sizeof(h));
	h.op = BOOTREQUEST;
	h.htype = 1;
	h.hlen = 6;
	h.xid = ++xid;
	h.ciaddr = ciaddr;
	h.chaddr[0] = 0x02;
	h.chaddr[5] = n;
	o[no].code = DHO_MSG_TYPE;
	o[no].len = 1;
	o[no++].data = &type;
	if (requested != 0) {
		for (int i = 0; i < 4; i++)
			req[i] = (uint8_t)(requested >> (24 - 8 * i));
		o[no].code = DHO_REQUESTED_ADDR;
		o[no].len = 4;
		o[no++].data = req;
	}
	if (sid != 0) {
		for (int i = 0; i < 4; i++)
			srv[i] = (uint8_t)(sid >> (24 - 8 * i));
		o[no].code = DHO_SERVER_ID;
		o[no].len = 4;
		o[no++].data = srv;
	}
	len = dhcp_build(&h, o, no, q->buf, sizeof(q->buf), &omitted);
	ck_assert_int_gt(len, 0);
	q->len = (size_t)len;
	q->src = ciaddr;
	q->unicast = ciaddr != 0;
	return h.xid;
}

static uint32_t
discover(uint8_t n)
{
	return queue(DHCPDISCOVER, n, 0, 0, 0);
}

/* SELECTING (RFC 2131 4.3.2): the offered address, our server id. */
static uint32_t
select_req(uint8_t n, uint32_t ip)
{
	return queue(DHCPREQUEST, n, ip, SERVER_IP, 0);
}

/* The reply of xid, or NULL. */
static const struct sent *
reply_to(uint32_t x)
{
	for (size_t i = 0; i < fx.nsent; i++)
		if (fx.sent[i].xid == x)
			return &fx.sent[i];
	return NULL;
}

static const struct sent *
expect_reply(uint32_t x, uint8_t type)
{
	const struct sent *s = reply_to(x);

	ck_assert_msg(s != NULL, "no reply to xid 0x%x", x);
	ck_assert_msg(s->type == type, "reply to xid 0x%x is %s, expected %s",
	    x, dhcp_msgtype_str(s->type), dhcp_msgtype_str(type));
	return s;
}

static unsigned long
held(void)
{
	unsigned long h, total;

	leasedb_usage(ldb, &h, &total);
	ck_assert_uint_eq(total, 40);
	return h;
}

/* A full DORA of client n, conflict detection off: its address. */
static uint32_t
dora(uint8_t n)
{
	uint32_t	x, ip;

	x = discover(n);
	batch_serve(b, NULL);
	ip = expect_reply(x, DHCPOFFER)->yiaddr;
	x = select_req(n, ip);
	batch_serve(b, NULL);
	ck_assert_uint_eq(expect_reply(x, DHCPACK)->yiaddr, ip);
	return ip;
}

/*
 * (a) No reply leaves before its batch is committed: when the fake send
 * runs, the commit step has been reached, and a reader outside the batch
 * (which sees committed data only) finds each OFFER's hold and each ACK's
 * binding, with the client's MAC.
 */
START_TEST(test_reply_after_commit)
{
	const struct batch_stats	*st = batch_stats(b);
	const struct sent		*oa, *ob, *s;
	uint32_t			 xa, xb, ia, ib;

	xa = discover(1);
	xb = discover(2);
	ck_assert_uint_eq(batch_serve(b, NULL), 2);
	ck_assert_uint_eq(fx.nsent, 2);
	oa = expect_reply(xa, DHCPOFFER);
	ob = expect_reply(xb, DHCPOFFER);
	ck_assert_uint_ne(oa->yiaddr, ob->yiaddr);
	for (size_t i = 0; i < fx.nsent; i++) {
		ck_assert_uint_eq(fx.sent[i].commits, 1);
		ck_assert_msg(fx.sent[i].durable, "OFFER of xid 0x%x left "
		    "before its hold was committed", fx.sent[i].xid);
		ck_assert_uint_eq(fx.sent[i].state, LEASE_OFFERED);
	}
	ck_assert_uint_eq(st->commits, 1);
	ia = oa->yiaddr;
	ib = ob->yiaddr;
	xa = select_req(1, ia);
	xb = select_req(2, ib);
	batch_serve(b, NULL);
	ck_assert_uint_eq(fx.nsent, 4);
	s = expect_reply(xa, DHCPACK);
	ck_assert_uint_eq(s->yiaddr, ia);
	ck_assert_uint_eq(s->commits, 2);
	ck_assert_msg(s->durable && s->state == LEASE_BOUND, "ACK left "
	    "before its binding was committed");
	s = expect_reply(xb, DHCPACK);
	ck_assert_msg(s->durable && s->state == LEASE_BOUND, "ACK left "
	    "before its binding was committed");
	ck_assert_uint_eq(st->commits, 2);
	ck_assert_uint_eq(st->sent[DHCPOFFER], 2);
	ck_assert_uint_eq(st->sent[DHCPACK], 2);
	ck_assert_uint_eq(st->rx, 4);
}
END_TEST

/*
 * (b) After a failed commit only NAKs leave: a batch holding an OFFER, an
 * ACK and a NAK (INIT-REBOOT for an address of another network, RFC 2131
 * 4.3.2) sends the NAK alone; the others are counted as registry drops,
 * and the client asking again is served.
 */
START_TEST(test_failed_commit_only_naks)
{
	const struct batch_stats	*st = batch_stats(b);
	uint32_t			 xo, xa, xn, ip;

	xo = discover(1);
	batch_serve(b, NULL);
	ip = expect_reply(xo, DHCPOFFER)->yiaddr;
	fx.nsent = 0;
	xo = discover(2);
	xa = select_req(1, ip);
	xn = queue(DHCPREQUEST, 3, IP4(10, 99, 0, 5), 0, 0);
	fx.fail_commit = 1;
	ck_assert_uint_eq(batch_serve(b, NULL), 3);
	ck_assert_uint_eq(fx.nsent, 1);
	expect_reply(xn, DHCPNAK);
	ck_assert_ptr_null(reply_to(xo));
	ck_assert_ptr_null(reply_to(xa));
	ck_assert_uint_eq(st->commit_errors, 1);
	ck_assert_uint_eq(st->dropped[DROP_REGISTRY], 2);
	ck_assert_uint_eq(st->sent[DHCPNAK], 1);
	ck_assert_uint_eq(st->sent[DHCPACK], 0);
	/* The registry is back: the same REQUEST is ACKed. */
	fx.fail_commit = 0;
	xa = select_req(1, ip);
	batch_serve(b, NULL);
	ck_assert_uint_eq(expect_reply(xa, DHCPACK)->yiaddr, ip);
}
END_TEST

/*
 * (c) A failed commit gives back the pool marks its batch took: the
 * addresses held are as before the batch (else they would stay unusable
 * until a reload), and the next batch can take them.
 */
START_TEST(test_failed_commit_gives_back)
{
	unsigned long	before;

	dora(1);
	before = held();
	ck_assert_uint_eq(before, 1);
	discover(2);
	discover(3);
	discover(4);
	fx.fail_commit = 1;
	ck_assert_uint_eq(batch_serve(b, NULL), 3);
	ck_assert_uint_eq(fx.nsent, 2);	/* the DORA's */
	ck_assert_msg(held() == before, "a failed commit left %lu pool "
	    "addresses marked (%lu before the batch)", held(), before);
	/* A begin that fails decides nothing and marks nothing. */
	fx.fail_commit = 0;
	fx.fail_begin = 1;
	discover(2);
	batch_serve(b, NULL);
	ck_assert_uint_eq(held(), before);
	ck_assert_uint_eq(fx.nsent, 2);
	ck_assert_uint_eq(batch_stats(b)->dropped[DROP_REGISTRY], 4);
	/* Committed, the same three take three addresses. */
	fx.fail_begin = 0;
	discover(2);
	discover(3);
	discover(4);
	batch_serve(b, NULL);
	ck_assert_uint_eq(fx.nsent, 5);
	ck_assert_uint_eq(held(), before + 3);
}
END_TEST

/*
 * (d) A batch decides each message seeing the leases decided before it:
 * a client's DISCOVER sent twice in one batch is offered the same address
 * both times (the second finds the first's hold in the open
 * transaction), another client a different one. A RELEASE and, after it
 * in the same batch, another client's DISCOVER asking for the released
 * address (Option 50): the address is offered to it, which it could not
 * be while the binding held.
 */
START_TEST(test_sees_earlier_decisions)
{
	const struct sent	*a1, *a2, *o;
	uint32_t		 x1, x2, x3, ip;

	x1 = discover(1);
	x2 = discover(1);
	x3 = discover(2);
	ck_assert_uint_eq(batch_serve(b, NULL), 3);
	a1 = expect_reply(x1, DHCPOFFER);
	a2 = expect_reply(x2, DHCPOFFER);
	o = expect_reply(x3, DHCPOFFER);
	ck_assert_uint_eq(a1->yiaddr, a2->yiaddr);
	ck_assert_uint_ne(a1->yiaddr, o->yiaddr);
	ck_assert_uint_eq(held(), 2);
	fx.nsent = 0;
	ip = dora(3);
	/* While client 3 holds it, client 4 asking for it gets another. */
	fx.nsent = 0;
	x1 = queue(DHCPDISCOVER, 4, ip, 0, 0);
	batch_serve(b, NULL);
	ck_assert_uint_ne(expect_reply(x1, DHCPOFFER)->yiaddr, ip);
	fx.nsent = 0;
	queue(DHCPRELEASE, 3, 0, SERVER_IP, ip);
	x1 = queue(DHCPDISCOVER, 5, ip, 0, 0);
	ck_assert_uint_eq(batch_serve(b, NULL), 2);
	ck_assert_uint_eq(batch_stats(b)->dropped[DROP_RELEASE_SOURCE], 0);
	ck_assert_uint_eq(expect_reply(x1, DHCPOFFER)->yiaddr, ip);
}
END_TEST

/* Ends every probe out as unanswered, and runs the batch that follows. */
static void
time_out(void)
{
	ck_assert_uint_gt(probe_expire(batch_probes(b), UINT64_MAX), 0);
	batch_serve(b, NULL);
}

/*
 * A DISCOVER for a new address: the hold is stored, one echo leaves once
 * it is committed, and no OFFER yet; the client's retransmission waits
 * (DROP_PROBING) while another client, already bound, renews at once; the
 * timeout OFFERs the held address to the waiting client.
 */
START_TEST(test_probe_timeout_offers)
{
	const struct batch_stats	*st = batch_stats(b);
	const struct echo		*e;
	uint32_t			 x, xr, ip, bound;

	/* Client 9 gets an address first (its probe times out). */
	x = discover(9);
	batch_serve(b, NULL);
	ck_assert_uint_eq(fx.nsent, 0);
	time_out();
	bound = expect_reply(x, DHCPOFFER)->yiaddr;
	x = select_req(9, bound);
	batch_serve(b, NULL);
	expect_reply(x, DHCPACK);
	fx.nsent = fx.necho = 0;

	x = discover(1);
	ck_assert_uint_eq(batch_serve(b, NULL), 1);
	ck_assert_uint_eq(fx.nsent, 0);
	ck_assert_uint_eq(fx.necho, 1);
	e = &fx.echo[0];
	ip = e->ip;
	ck_assert_msg(e->durable, "the echo left before the hold was "
	    "committed");
	ck_assert_uint_eq(e->id, probe_id(batch_probes(b)));
	ck_assert_int_eq(probe_pending(batch_probes(b), ip), 1);
	/* Its retransmission waits; the bound client renews meanwhile. */
	discover(1);
	xr = queue(DHCPREQUEST, 9, 0, 0, bound);
	batch_serve(b, NULL);
	ck_assert_uint_eq(fx.nsent, 1);
	ck_assert_uint_eq(expect_reply(xr, DHCPACK)->yiaddr, bound);
	ck_assert_uint_eq(st->dropped[DROP_PROBING], 1);
	ck_assert_uint_eq(fx.necho, 1);
	/* A late timer finds nothing; the timeout OFFERs the held address. */
	ck_assert_uint_eq(probe_expire(batch_probes(b), 0), 0);
	time_out();
	ck_assert_uint_eq(expect_reply(x, DHCPOFFER)->yiaddr, ip);
	ck_assert_int_eq(probe_pending(batch_probes(b), ip), 0);
	ck_assert_uint_eq(probe_count(batch_probes(b)), 0);
	ck_assert_uint_eq(st->probe_timeouts, 2);
	ck_assert_uint_eq(st->probes, 2);
	/* The client takes it, and is not probed again. */
	x = select_req(1, ip);
	batch_serve(b, NULL);
	expect_reply(x, DHCPACK);
	ck_assert_uint_eq(fx.necho, 1);
}
END_TEST

/*
 * An address that answers is set aside (a record owned by no client) and
 * another is probed for the same client; the OFFER names an address that
 * did not answer. A reply with another sequence number or identifier is
 * not an answer.
 */
START_TEST(test_probe_answer_moves_on)
{
	struct probe_table	*pt = batch_probes(b);
	struct reg_lease	 l;
	const struct echo	*e;
	uint32_t		 x, first, second;
	uint16_t		 id = probe_id(pt);

	x = discover(1);
	batch_serve(b, NULL);
	ck_assert_uint_eq(fx.necho, 1);
	e = &fx.echo[0];
	first = e->ip;
	ck_assert_int_eq(probe_answer(pt, first, id, (uint16_t)(e->seq + 1)),
	    0);
	ck_assert_int_eq(probe_answer(pt, first, (uint16_t)(id + 1), e->seq),
	    0);
	ck_assert_int_eq(probe_answer(pt, first + 1, id, e->seq), 0);
	ck_assert_int_eq(probe_answer(pt, first, id, e->seq), 1);
	ck_assert_int_eq(probe_pending(pt, first), 1);
	batch_serve(b, NULL);
	ck_assert_uint_eq(fx.nsent, 0);
	ck_assert_uint_eq(fx.necho, 2);
	second = fx.echo[1].ip;
	ck_assert_uint_ne(second, first);
	ck_assert_int_eq(committed_lease(first, &l), 0);
	ck_assert_uint_eq(l.state, LEASE_DECLINED);
	ck_assert_int_eq(probe_pending(pt, first), 0);
	ck_assert_int_eq(probe_pending(pt, second), 1);
	ck_assert_uint_eq(batch_stats(b)->conflicts, 1);
	time_out();
	ck_assert_uint_eq(expect_reply(x, DHCPOFFER)->yiaddr, second);
}
END_TEST

/* Three answered probes for one client: it is dropped (DROP_CONFLICT). */
START_TEST(test_probe_three_answers_drop)
{
	struct probe_table	*pt = batch_probes(b);
	uint32_t		 seen[PROBE_ANSWERS_MAX];

	discover(1);
	batch_serve(b, NULL);
	for (int i = 0; i < PROBE_ANSWERS_MAX; i++) {
		const struct echo *e = &fx.echo[fx.necho - 1];

		ck_assert_uint_eq(fx.necho, (size_t)i + 1);
		seen[i] = e->ip;
		for (int k = 0; k < i; k++)
			ck_assert_uint_ne(seen[k], seen[i]);
		ck_assert_int_eq(probe_answer(pt, e->ip, e->id, e->seq), 1);
		batch_serve(b, NULL);
	}
	ck_assert_uint_eq(fx.necho, PROBE_ANSWERS_MAX);
	ck_assert_uint_eq(fx.nsent, 0);
	ck_assert_uint_eq(batch_stats(b)->dropped[DROP_CONFLICT], 1);
	ck_assert_uint_eq(batch_stats(b)->conflicts, PROBE_ANSWERS_MAX);
	ck_assert_uint_eq(probe_count(pt), 0);
	/* Its addresses stay set aside; held: the three. */
	ck_assert_uint_eq(held(), PROBE_ANSWERS_MAX);
}
END_TEST

/*
 * A failed commit starts no probe (and sends no echo); an echo that
 * cannot leave ends its probe at once, and the client is offered the
 * address unprobed; a reload that no longer serves the interface ends a
 * probe without deciding its DISCOVER again.
 */
START_TEST(test_probe_failures)
{
	struct probe_table	*pt = batch_probes(b);
	uint32_t		 x;

	discover(1);
	fx.fail_commit = 1;
	batch_serve(b, NULL);
	ck_assert_uint_eq(fx.necho, 0);
	ck_assert_uint_eq(probe_count(pt), 0);
	ck_assert_uint_eq(held(), 0);
	fx.fail_commit = 0;
	fx.fail_echo = 1;
	x = discover(1);
	batch_serve(b, NULL);
	ck_assert_uint_eq(fx.necho, 1);
	ck_assert_uint_eq(batch_stats(b)->probe_errors, 1);
	ck_assert_uint_eq(probe_done_count(pt), 1);
	batch_serve(b, NULL);
	ck_assert_uint_eq(expect_reply(x, DHCPOFFER)->yiaddr, fx.echo[0].ip);
	fx.fail_echo = 0;
	fx.nsent = 0;
	discover(2);
	batch_serve(b, NULL);
	ck_assert_uint_eq(probe_count(pt), 1);
	set_env(0);
	ck_assert_uint_eq(probe_count(pt), 0);
	set_env(1);
	batch_serve(b, NULL);
	ck_assert_uint_eq(fx.nsent, 0);
}
END_TEST

/* The probe table on its own: deadlines, order, capacity, parsing. */
START_TEST(test_probe_table)
{
	struct probe_table	*pt;
	struct probe		*p[3], *d;
	uint8_t			 dg[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	/* An echo reply from 10.42.0.100, id 0x1234, seq 7 (IPv4 + ICMP). */
	uint8_t			 rep[28] = {
		0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, 0, 0,
		10, 42, 0, 100, 10, 42, 0, 1,
		0, 0, 0, 0, 0x12, 0x34, 0, 7 };
	uint32_t		 sum = 0, src;
	uint16_t		 id, seq;
	uint64_t		 at;

	for (int i = 20; i < 28; i += 2)
		sum += (uint32_t)(rep[i] << 8 | rep[i + 1]);
	sum = (sum & 0xffff) + (sum >> 16);
	rep[22] = (uint8_t)(~sum >> 8);
	rep[23] = (uint8_t)~sum;
	ck_assert_int_eq(probe_parse_reply(rep, sizeof(rep), &src, &id, &seq),
	    0);
	ck_assert_uint_eq(src, POOL_START);
	ck_assert_uint_eq(id, 0x1234);
	ck_assert_uint_eq(seq, 7);
	rep[27] ^= 1;	/* a bad checksum */
	ck_assert_int_eq(probe_parse_reply(rep, sizeof(rep), &src, &id, &seq),
	    -1);
	ck_assert_int_eq(probe_parse_reply(rep, 20, &src, &id, &seq), -1);

	ck_assert_ptr_nonnull(pt = probe_table_new());
	ck_assert_int_eq(probe_next_deadline(pt, &at), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(p[i] = probe_add(pt, POOL_START +
		    (uint32_t)i, dg, sizeof(dg)));
	ck_assert_ptr_null(probe_add(pt, POOL_START, dg, sizeof(dg)));
	probe_sent(pt, p[0], 100);
	probe_sent(pt, p[1], 200);
	probe_sent(pt, p[2], 300);
	ck_assert_int_eq(probe_next_deadline(pt, &at), 1);
	ck_assert_uint_eq(at, 100);
	ck_assert_uint_eq(probe_expire(pt, 150), 1);
	ck_assert_int_eq(probe_next_deadline(pt, &at), 1);
	ck_assert_uint_eq(at, 200);
	ck_assert_int_eq(probe_answer(pt, POOL_START + 2, probe_id(pt),
	    p[2]->seq), 1);
	ck_assert_uint_eq(probe_done_count(pt), 2);
	d = probe_take_done(pt);
	ck_assert_ptr_eq(d, p[0]);
	ck_assert_int_eq(d->state, PROBE_TIMEOUT);
	ck_assert_mem_eq(d->buf, dg, sizeof(dg));
	probe_free(d);
	d = probe_take_done(pt);
	ck_assert_int_eq(d->state, PROBE_ANSWERED);
	probe_free(d);
	ck_assert_uint_eq(probe_count(pt), 1);
	probe_table_free(pt);

	ck_assert_ptr_nonnull(pt = probe_table_new());
	for (uint32_t i = 0; i < PROBE_MAX; i++)
		ck_assert_ptr_nonnull(probe_add(pt, IP4(10, 0, 0, 0) + i, dg,
		    sizeof(dg)));
	ck_assert_ptr_null(probe_add(pt, IP4(10, 1, 0, 0), dg, sizeof(dg)));
	probe_table_free(pt);
}
END_TEST

static Suite *
batch_suite(void)
{
	Suite	*s = suite_create("batch");
	TCase	*tc;

	tc = tcase_create("commit");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(tc, start_plain, NULL);
	tcase_add_test(tc, test_reply_after_commit);
	tcase_add_test(tc, test_failed_commit_only_naks);
	tcase_add_test(tc, test_failed_commit_gives_back);
	tcase_add_test(tc, test_sees_earlier_decisions);
	suite_add_tcase(s, tc);

	tc = tcase_create("probe");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(tc, start_probing, NULL);
	tcase_add_test(tc, test_probe_timeout_offers);
	tcase_add_test(tc, test_probe_answer_moves_on);
	tcase_add_test(tc, test_probe_three_answers_drop);
	tcase_add_test(tc, test_probe_failures);
	tcase_add_test(tc, test_probe_table);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(batch_suite());
}
