/*
 * leasedb.c - the DHCP server's lease view over the LMDB registry, with an
 * in-memory bitmap of held pool addresses.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leasedb.h"
#include "log.h"

/* One pool's bitmap: bit set = a lease record or a reservation holds it. */
struct pool_map {
	uint32_t	 start;
	uint32_t	 end;
	uint64_t	*bits;
	uint32_t	 next;		/* where the next free search starts */
	unsigned long	 held;
	time_t		 no_expiry_before;	/* no lease ends earlier */
	const struct cfg_subnet *sn;		/* its subnet */
	/* available(): the scan's answer, for the second it was made. */
	long		 avail;
	time_t		 avail_at;
	time_t		 resynced_at;		/* the last resync() */
};

struct leasedb {
	struct reg		*reg;
	struct reg_txn		 txn;
	int			 in_batch;
	struct pool_map		*maps;
	size_t			 nmaps;
	/*
	 * The addresses this batch marked that were clear before: a batch
	 * that does not commit gives them back, or they would stay
	 * unusable until a reload.
	 */
	uint32_t		*taken;
	size_t			 ntaken;
	size_t			 taken_cap;
};

static struct pool_map *
map_for(struct leasedb *ldb, uint32_t ip)
{
	for (size_t i = 0; i < ldb->nmaps; i++)
		if (ip >= ldb->maps[i].start && ip <= ldb->maps[i].end)
			return &ldb->maps[i];
	return NULL;
}

/* Sets ip's bit: 1 if it was clear, else 0. */
static int
map_mark(struct leasedb *ldb, uint32_t ip)
{
	struct pool_map	*pm = map_for(ldb, ip);
	uint32_t	 off;

	if (pm == NULL)
		return 0;
	off = ip - pm->start;
	if (pm->bits[off / 64] & (1ULL << (off % 64)))
		return 0;
	pm->bits[off / 64] |= 1ULL << (off % 64);
	pm->held++;
	if (pm->avail > 0)
		pm->avail--;
	return 1;
}

static void
map_clear(struct leasedb *ldb, uint32_t ip)
{
	struct pool_map	*pm = map_for(ldb, ip);
	uint32_t	 off;

	if (pm == NULL)
		return;
	off = ip - pm->start;
	if (!(pm->bits[off / 64] & (1ULL << (off % 64))))
		return;
	pm->bits[off / 64] &= ~(1ULL << (off % 64));
	pm->held--;
	pm->avail_at = 0;
}

/* The batch did not land: its new marks go back. */
static void
give_back(struct leasedb *ldb)
{
	for (size_t i = 0; i < ldb->ntaken; i++)
		map_clear(ldb, ldb->taken[i]);
	ldb->ntaken = 0;
}

static int
mark_lease(const struct reg_lease *l, void *arg)
{
	struct leasedb	*ldb = arg;
	struct pool_map	*pm = map_for(ldb, l->ip);

	map_mark(ldb, l->ip);
	if (pm != NULL && (pm->no_expiry_before == 0 ||
	    l->expire < pm->no_expiry_before))
		pm->no_expiry_before = l->expire;
	return 0;
}

struct leasedb *
leasedb_new(struct reg *reg, const struct cfg *cfg, char *err, size_t errsz)
{
	struct leasedb	*ldb;
	struct reg_txn	 txn;
	size_t		 n = 0;

	if ((ldb = calloc(1, sizeof(*ldb))) == NULL)
		goto nomem;
	ldb->reg = reg;
	for (size_t i = 0; i < cfg->dhcp.nsubnets; i++)
		n += cfg->dhcp.subnets[i].npools;
	if (n > 0 && (ldb->maps = calloc(n, sizeof(*ldb->maps))) == NULL)
		goto nomem;
	for (size_t i = 0; i < cfg->dhcp.nsubnets; i++) {
		const struct cfg_subnet *sn = &cfg->dhcp.subnets[i];

		for (size_t k = 0; k < sn->npools; k++) {
			struct pool_map	*pm = &ldb->maps[ldb->nmaps++];
			uint64_t	 size = (uint64_t)sn->pools[k].end -
					    sn->pools[k].start + 1;

			pm->start = sn->pools[k].start;
			pm->end = sn->pools[k].end;
			pm->sn = sn;
			if ((pm->bits = calloc((size_t)(size + 63) / 64,
			    sizeof(uint64_t))) == NULL)
				goto nomem;
		}
		/* Reserved addresses are never handed out dynamically. */
		for (size_t k = 0; k < sn->nreservations; k++)
			map_mark(ldb, sn->reservations[k].ip);
	}
	if (reg_txn_begin(reg, &txn, 1) != 0 ||
	    reg_lease_foreach(&txn, mark_lease, ldb) != 0) {
		snprintf(err, errsz, "reading the leases: %s",
		    reg_strerror(txn.err));
		reg_txn_abort(&txn);
		leasedb_free(ldb);
		return NULL;
	}
	reg_txn_abort(&txn);
	return ldb;
nomem:
	snprintf(err, errsz, "out of memory for the address index");
	leasedb_free(ldb);
	return NULL;
}

void
leasedb_free(struct leasedb *ldb)
{
	if (ldb == NULL)
		return;
	if (ldb->in_batch)
		leasedb_abort(ldb);
	for (size_t i = 0; i < ldb->nmaps; i++)
		free(ldb->maps[i].bits);
	free(ldb->maps);
	free(ldb->taken);
	free(ldb);
}

void
leasedb_usage(const struct leasedb *ldb, unsigned long *held,
    unsigned long *total)
{
	*held = *total = 0;
	for (size_t i = 0; i < ldb->nmaps; i++) {
		*held += ldb->maps[i].held;
		*total += ldb->maps[i].end - ldb->maps[i].start + 1;
	}
}

int
leasedb_begin(struct leasedb *ldb)
{
	if (ldb->in_batch)
		return 0;
	if (reg_txn_begin(ldb->reg, &ldb->txn, 0) != 0)
		return -1;
	ldb->in_batch = 1;
	ldb->ntaken = 0;
	return 0;
}

int
leasedb_store(struct leasedb *ldb, const struct reg_lease *l)
{
	struct pool_map *pm;

	if (!ldb->in_batch)
		return -1;
	/* Room first: a mark that cannot be given back is not taken. */
	if (ldb->ntaken == ldb->taken_cap) {
		size_t		 cap = ldb->taken_cap ? ldb->taken_cap * 2 : 64;
		uint32_t	*t = reallocarray(ldb->taken, cap,
				    sizeof(*t));

		if (t == NULL)
			return -1;
		ldb->taken = t;
		ldb->taken_cap = cap;
	}
	pm = map_for(ldb, l->ip);
	if (pm != NULL && pm->avail_at != 0 && pm->avail > 0) {
		struct reg_lease	 prev;
		time_t			 now = time(NULL);

		/* A low pool's count: an ended lease taken again. */
		if (pm->avail_at == now && l->expire > now &&
		    reg_lease_get(&ldb->txn, l->ip, &prev) == 0 &&
		    prev.expire <= now)
			pm->avail--;
	}
	if (reg_lease_put(&ldb->txn, l) != 0)
		return -1;
	if (map_mark(ldb, l->ip))
		ldb->taken[ldb->ntaken++] = l->ip;
	if (pm != NULL &&
	    l->expire < pm->no_expiry_before)
		pm->no_expiry_before = l->expire;
	return 0;
}

int
leasedb_commit(struct leasedb *ldb)
{
	if (!ldb->in_batch)
		return 0;
	ldb->in_batch = 0;
	if (reg_txn_commit(&ldb->txn) != 0) {
		give_back(ldb);
		return -1;
	}
	ldb->ntaken = 0;
	return 0;
}

void
leasedb_abort(struct leasedb *ldb)
{
	if (ldb->in_batch) {
		reg_txn_abort(&ldb->txn);
		give_back(ldb);
	}
	ldb->in_batch = 0;
}

const char *
leasedb_error(const struct leasedb *ldb)
{
	return reg_strerror(ldb->txn.err);
}

static int
v_get(void *arg, uint32_t ip, struct reg_lease *out)
{
	struct leasedb *ldb = arg;

	return reg_lease_get(&ldb->txn, ip, out);
}

static int
v_by_client(void *arg, const uint8_t *key, size_t len, uint32_t *ips,
    size_t max)
{
	struct leasedb *ldb = arg;

	return reg_lease_ips_by_client(&ldb->txn, key, len, ips, max);
}

static int
remark(const struct reg_lease *l, void *arg)
{
	struct leasedb *ldb = arg;

	map_mark(ldb, l->ip);
	return 0;
}

/*
 * Rebuilds a pool's bits from the registry: provboxctl deletes lease
 * records while the server runs, and nothing else tells it. Done when the
 * pool looks full, at most once a second.
 */
static int
resync(struct leasedb *ldb, struct pool_map *pm, time_t now)
{
	const struct cfg_subnet	*sn = pm->sn;
	unsigned long		 before = pm->held;

	pm->resynced_at = now;
	memset(pm->bits, 0, ((size_t)(pm->end - pm->start) + 64) / 64 *
	    sizeof(uint64_t));
	pm->held = 0;
	for (size_t k = 0; sn != NULL && k < sn->nreservations; k++)
		if (sn->reservations[k].ip >= pm->start &&
		    sn->reservations[k].ip <= pm->end)
			map_mark(ldb, sn->reservations[k].ip);
	if (reg_lease_foreach_range(&ldb->txn, pm->start, pm->end, remark,
	    ldb) != 0)
		return -1;
	pm->no_expiry_before = 0;
	pm->avail_at = 0;
	if (pm->held < before) {
		char a[IP4_STR_LEN], b[IP4_STR_LEN];

		log_info("address index: %lu addresses of pool %s-%s were "
		    "freed by provboxctl lease delete", before - pm->held,
		    ip4_format(pm->start, a), ip4_format(pm->end, b));
	}
	return 0;
}

/*
 * The first clear bit from the pool's rotating start: O(pool / 64) at
 * worst, and the rotation spreads new clients over the pool.
 */
static int
v_find_free(void *arg, const struct cfg_subnet *sn,
    const struct cfg_pool *pool, uint32_t *out)
{
	struct leasedb	*ldb = arg;
	struct pool_map	*pm = map_for(ldb, pool->start);
	uint32_t	 size, off;
	time_t		 now;

	(void)sn;
	if (pm == NULL)
		return REG_NOTFOUND;
	size = pm->end - pm->start + 1;
	if (pm->held >= size && pm->resynced_at != (now = time(NULL)) &&
	    resync(ldb, pm, now) != 0)
		return -1;
	if (pm->held >= size)
		return REG_NOTFOUND;
	off = pm->next < size ? pm->next : 0;
	for (uint32_t n = 0; n < size; n++, off = off + 1 < size ? off + 1 :
	    0) {
		uint64_t word = pm->bits[off / 64];

		/* Skip whole full words. */
		if (word == ~0ULL && off % 64 == 0 && size - off >= 64) {
			n += 63;
			off += 63;
			continue;
		}
		if (!(word & (1ULL << (off % 64)))) {
			*out = pm->start + off;
			pm->next = off + 1;
			return 0;
		}
	}
	return REG_NOTFOUND;
}

struct expired_scan {
	time_t			 now;
	const struct cfg_subnet	*sn;
	uint32_t		 best;
	time_t			 best_expire;
	time_t			 next_expiry;
};

static int
scan_expired(const struct reg_lease *l, void *arg)
{
	struct expired_scan *s = arg;

	for (size_t i = 0; i < s->sn->nreservations; i++)
		if (s->sn->reservations[i].ip == l->ip)
			return 0;
	if (l->expire > s->now) {
		if (s->next_expiry == 0 || l->expire < s->next_expiry)
			s->next_expiry = l->expire;
		return 0;
	}
	if (s->best == 0 || l->expire < s->best_expire) {
		s->best = l->ip;
		s->best_expire = l->expire;
	}
	return 0;
}

/*
 * The pool address whose lease ended longest ago. O(pool) in LMDB, so a
 * scan that finds none remembers when the next lease ends and is not
 * repeated before then: a flood against a full pool costs nothing.
 */
static int
v_find_expired(void *arg, const struct cfg_subnet *sn,
    const struct cfg_pool *pool, time_t now, uint32_t *out)
{
	struct leasedb		*ldb = arg;
	struct pool_map		*pm = map_for(ldb, pool->start);
	struct expired_scan	 s = { now, sn, 0, 0, 0 };

	if (pm != NULL && pm->no_expiry_before > now)
		return REG_NOTFOUND;
	if (reg_lease_foreach_range(&ldb->txn, pool->start, pool->end,
	    scan_expired, &s) != 0)
		return -1;
	if (s.best == 0) {
		if (pm != NULL)
			pm->no_expiry_before = s.next_expiry != 0 ?
			    s.next_expiry : now + 60;
		return REG_NOTFOUND;
	}
	*out = s.best;
	return 0;
}

static int
reserved(const struct cfg_subnet *sn, uint32_t ip)
{
	for (size_t i = 0; sn != NULL && i < sn->nreservations; i++)
		if (sn->reservations[i].ip == ip)
			return 1;
	return 0;
}

struct pool_scan {
	time_t			 now;
	const struct cfg_subnet	*sn;
	long			 expired;	/* records whose lease is over */
	long			 quarantined;	/* declined, not over */
	uint32_t		 oldest;	/* the quarantined set aside
						 * longest ago */
	time_t			 oldest_start;
};

static int
scan_pool(const struct reg_lease *l, void *arg)
{
	struct pool_scan *s = arg;

	if (reserved(s->sn, l->ip))
		return 0;
	if (l->expire <= s->now) {
		s->expired++;
		return 0;
	}
	if (l->state != LEASE_DECLINED)
		return 0;
	s->quarantined++;
	if (s->oldest == 0 || l->start < s->oldest_start) {
		s->oldest = l->ip;
		s->oldest_start = l->start;
	}
	return 0;
}

static int
pool_scan(struct leasedb *ldb, const struct cfg_subnet *sn,
    const struct cfg_pool *pool, time_t now, struct pool_scan *s)
{
	memset(s, 0, sizeof(*s));
	s->now = now;
	s->sn = sn;
	return reg_lease_foreach_range(&ldb->txn, pool->start, pool->end,
	    scan_pool, s);
}

/*
 * Clear bits are available; so are records whose lease is over, which
 * takes a scan: made only when the bits alone say fewer than `enough`,
 * and then kept for the second (new marks count it down meanwhile).
 */
static long
v_available(void *arg, const struct cfg_subnet *sn,
    const struct cfg_pool *pool, long enough, time_t now)
{
	struct leasedb	*ldb = arg;
	struct pool_map	*pm = map_for(ldb, pool->start);
	struct pool_scan s;
	long		 clear;

	if (pm == NULL)
		return 0;
	clear = (long)(pm->end - pm->start + 1) - (long)pm->held;
	if (clear >= enough)
		return clear;
	if (pm->avail_at == now)
		return pm->avail;
	if (pool_scan(ldb, sn, pool, now, &s) != 0)
		return -1;
	pm->avail = clear + s.expired;
	pm->avail_at = now;
	return pm->avail;
}

static long
v_quarantined(void *arg, const struct cfg_subnet *sn,
    const struct cfg_pool *pool, time_t now)
{
	struct pool_scan s;

	if (pool_scan(arg, sn, pool, now, &s) != 0)
		return -1;
	return s.quarantined;
}

static int
v_find_quarantined(void *arg, const struct cfg_subnet *sn,
    const struct cfg_pool *pool, time_t now, uint32_t *out)
{
	struct pool_scan s;

	if (pool_scan(arg, sn, pool, now, &s) != 0)
		return -1;
	if (s.oldest == 0)
		return REG_NOTFOUND;
	*out = s.oldest;
	return 0;
}

static int
v_device(void *arg, const struct mac_addr *mac, struct reg_device *out)
{
	struct leasedb *ldb = arg;

	return reg_device_get(&ldb->txn, mac, out);
}

static int
v_user(void *arg, const char *name, struct reg_user *out)
{
	struct leasedb *ldb = arg;

	return reg_user_get(&ldb->txn, name, out);
}

static int
v_by_mac(void *arg, const struct mac_addr *mac, uint32_t *ips, size_t max)
{
	struct leasedb *ldb = arg;

	return reg_lease_ips_by_mac(&ldb->txn, mac, ips, max);
}

static int
v_enroll(void *arg, const struct mac_addr *mac, struct reg_enroll *out)
{
	struct leasedb *ldb = arg;

	return reg_enroll_get(&ldb->txn, mac, out);
}

int
leasedb_enroll(struct leasedb *ldb, const struct enroll_op *op, time_t now,
    struct reg_event *ev)
{
	if (!ldb->in_batch)
		return -1;
	return enroll_apply(&ldb->txn, op, now, ev);
}

void
leasedb_view(struct leasedb *ldb, struct lease_view *v)
{
	v->by_mac = v_by_mac;
	v->enroll = v_enroll;
	v->arg = ldb;
	v->get = v_get;
	v->by_client = v_by_client;
	v->find_free = v_find_free;
	v->find_expired = v_find_expired;
	v->device = v_device;
	v->user = v_user;
	v->available = v_available;
	v->quarantined = v_quarantined;
	v->find_quarantined = v_find_quarantined;
	/* The batch sets these: they are not the registry's. */
	v->admit_arg = NULL;
	v->admit = NULL;
	v->probe_arg = NULL;
	v->probing = NULL;
}

int
leasedb_admin(struct leasedb *ldb, uint32_t ip, int release, time_t now,
    struct reg_lease *was, char *err, size_t errsz)
{
	struct reg_txn	 txn;
	struct reg_lease l;
	struct pool_map	*pm;
	int		 r;

	if (ldb->in_batch) {
		snprintf(err, errsz, "a batch of DHCP decisions is open: "
		    "try again");
		return -1;
	}
	if (reg_txn_begin(ldb->reg, &txn, 0) != 0)
		goto fail;
	if ((r = reg_lease_get(&txn, ip, &l)) == REG_NOTFOUND) {
		reg_txn_abort(&txn);
		return REG_NOTFOUND;
	}
	if (r != 0)
		goto fail;
	*was = l;
	if (release) {
		/*
		 * RFC 2131 4.3.4, done for the client: the record and its
		 * identity stay, so the client gets this address back, but
		 * it is over now. A lease already over keeps its end.
		 */
		l.state = LEASE_RELEASED;
		if (l.expire > (int64_t)now)
			l.expire = (int64_t)now;
		if (reg_lease_put(&txn, &l) != 0)
			goto fail;
	} else if (reg_lease_del(&txn, ip) != 0)
		goto fail;
	if (reg_txn_commit(&txn) != 0)
		goto fail_committed;
	/*
	 * The index: a deleted record's bit clears (a reservation's stays);
	 * a released one keeps its bit (the record is there) and the pool's
	 * "nothing ends before" and availability are forgotten, so the next
	 * full-pool search finds it over.
	 */
	if ((pm = map_for(ldb, ip)) != NULL) {
		if (!release && !reserved(pm->sn, ip))
			map_clear(ldb, ip);
		pm->no_expiry_before = 0;
		pm->avail_at = 0;
	}
	return 0;
fail:
	reg_txn_abort(&txn);
fail_committed:
	snprintf(err, errsz, "registry: %s", reg_strerror(txn.err));
	return -1;
}
