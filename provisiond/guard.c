/*
 * guard.c - the enumeration guard of the provisioning service.
 *
 * One record per source address in an open-addressing hash table (linear
 * probing, deletion by backward shift, so no tombstones) that is allocated
 * once in guard_new: a request never allocates. The table has at least
 * twice as many slots as addresses it may follow, so a probe sequence is
 * short and always ends at an empty slot.
 *
 * Slots are chosen by SipHash-2-4 under a random key drawn at start-up:
 * the peer picks its address (within what it can route), and without the
 * key it cannot aim many addresses at one probe sequence.
 *
 * Limits, stated plainly:
 *  - One record per address. An IPv6 peer that owns a /64 can use a fresh
 *    address for every request and is never blocked; it also pushes other
 *    unblocked addresses out of the table. Blocks in force are never
 *    pushed out.
 *  - When every record holds a blocked address, new addresses are not
 *    followed at all (counted as evicted) until a block ends.
 *  - An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is a different address
 *    from a.b.c.d; the caller sees one form per socket, so this does not
 *    split one peer in practice.
 *  - now is a count of seconds that does not jump backwards by much and is
 *    far below the largest time_t (window and block ends are now + n).
 */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "guard.h"

#define GUARD_MIN_TRACKED	16

struct guard_ent {
	struct guard_addr a;		/* normalised, see addr_norm() */
	uint8_t		 used;
	uint8_t		 inblock;	/* a block started and not yet over */
	uint32_t	 h;		/* low bits of the hash: home slot */
	unsigned	 misses;	/* in the window ending at win_end */
	unsigned	 ended;		/* blocks ended, not yet swept */
	time_t		 win_end;	/* fixed when the window starts */
	time_t		 until;		/* block end, if inblock */
	time_t		 seen;		/* last miss or hit */
};

struct guard {
	struct cfg_guard	 cfg;
	struct guard_ent	*tab;
	size_t			 nslots;	/* a power of two */
	size_t			 cap;		/* most addresses followed */
	uint64_t		 k0, k1;	/* SipHash key */
	struct guard_stats	 st;		/* st.tracked: used slots */
	/* The global budget: misses from every source in one window. */
	unsigned long		 gmisses;
	time_t			 gwin_end;
	time_t			 attack_until;	/* 0: not under attack */
	unsigned long		 attack_refused, attack_blocked;
};

/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012) of len bytes of m under the key (k0, k1), the key and the words
 * of m read as little-endian.
 */
static uint64_t
rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void
sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13);
	v[1] ^= v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17);
	v[1] ^= v[2];
	v[2] = rotl(v[2], 32);
}

static uint64_t
siphash24(uint64_t k0, uint64_t k1, const uint8_t *m, size_t len)
{
	uint64_t	 v[4];
	uint64_t	 w;
	size_t		 i, j, tail = len & 7;

	v[0] = 0x736f6d6570736575ULL ^ k0;
	v[1] = 0x646f72616e646f6dULL ^ k1;
	v[2] = 0x6c7967656e657261ULL ^ k0;
	v[3] = 0x7465646279746573ULL ^ k1;
	for (i = 0; i + 8 <= len; i += 8) {
		w = 0;
		for (j = 0; j < 8; j++)
			w |= (uint64_t)m[i + j] << (8 * j);
		v[3] ^= w;
		sipround(v);
		sipround(v);
		v[0] ^= w;
	}
	/* The last word: the bytes left over, and the length on top. */
	w = (uint64_t)(len & 0xff) << 56;
	for (j = 0; j < tail; j++)
		w |= (uint64_t)m[i + j] << (8 * j);
	v[3] ^= w;
	sipround(v);
	sipround(v);
	v[0] ^= w;
	v[2] ^= 0xff;
	for (j = 0; j < 4; j++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static uint64_t
load64le(const uint8_t *p)
{
	uint64_t	 w = 0;

	for (size_t j = 0; j < 8; j++)
		w |= (uint64_t)p[j] << (8 * j);
	return w;
}

/*
 * The record key for a: the family and the bytes that belong to it, the
 * rest zero, so an IPv4 address matches itself whatever the caller left in
 * bytes 4..15. Families other than AF_INET keep all 16 bytes.
 */
static void
addr_norm(const struct guard_addr *a, struct guard_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = a->family;
	if (a->family == AF_INET)
		memcpy(out->b, a->b, 4);
	else
		memcpy(out->b, a->b, sizeof(out->b));
}

static uint32_t
addr_hash(const struct guard *g, const struct guard_addr *n)
{
	uint8_t		 m[1 + sizeof(n->b)];

	m[0] = n->family;
	memcpy(m + 1, n->b, sizeof(n->b));
	return (uint32_t)siphash24(g->k0, g->k1, m, sizeof(m));
}

static int
addr_eq(const struct guard_addr *x, const struct guard_addr *y)
{
	return x->family == y->family &&
	    memcmp(x->b, y->b, sizeof(x->b)) == 0;
}

/*
 * The slot holding the normalised address n (hash h), or NULL. Expected
 * O(1): the table is at most half full.
 */
static struct guard_ent *
tab_find(struct guard *g, const struct guard_addr *n, uint32_t h)
{
	size_t		 mask = g->nslots - 1;
	size_t		 i;
	struct guard_ent *e = NULL;

	for (i = h & mask; g->tab[i].used; i = (i + 1) & mask) {
		if (g->tab[i].h == h && addr_eq(&g->tab[i].a, n)) {
			e = &g->tab[i];
			break;
		}
	}
	return e;
}

/*
 * Empties slot i and moves later records of its probe run back so that
 * every record stays reachable from its home slot (Knuth 6.4, algorithm
 * R). Cost: the length of the run.
 */
static void
tab_delete(struct guard *g, size_t i)
{
	size_t		 mask = g->nslots - 1;
	size_t		 hole = i, j = i, home;

	for (;;) {
		j = (j + 1) & mask;
		if (!g->tab[j].used)
			break;
		home = g->tab[j].h & mask;
		/* Leave j where it is if its home lies cyclically in
		 * (hole, j]: moving it to hole would put it before home. */
		if (hole <= j ? (hole < home && home <= j) :
		    (hole < home || home <= j))
			continue;
		g->tab[hole] = g->tab[j];
		hole = j;
	}
	memset(&g->tab[hole], 0, sizeof(g->tab[hole]));
	g->st.tracked--;
}

static int
ent_blocked(const struct guard_ent *e, time_t now)
{
	return e->inblock && now < e->until;
}

/* Ends e's block if it is over at now: the address starts fresh. */
static void
ent_expire(struct guard_ent *e, time_t now)
{
	if (!e->inblock || now < e->until)
		return;
	e->inblock = 0;
	e->until = 0;
	e->misses = 0;		/* no window open */
	if (e->ended < UINT_MAX)
		e->ended++;
}

/*
 * Makes room for one address in a full table. The victim is the least
 * recently seen address that is not blocked at now, preferring one with
 * no block end waiting for guard_sweep (so "block ended" is not lost
 * while anything else can go). Returns -1, evicting nothing, when every
 * address is blocked. O(nslots), but only runs when the table is full.
 */
static int
tab_evict(struct guard *g, time_t now)
{
	size_t		 i, plain = SIZE_MAX, pending = SIZE_MAX, victim;
	struct guard_ent *e;

	for (i = 0; i < g->nslots; i++) {
		e = &g->tab[i];
		if (!e->used || ent_blocked(e, now))
			continue;
		/* Over but not yet expired counts as a pending block end. */
		if (e->ended == 0 && !e->inblock) {
			if (plain == SIZE_MAX || e->seen < g->tab[plain].seen)
				plain = i;
		} else if (pending == SIZE_MAX ||
		    e->seen < g->tab[pending].seen)
			pending = i;
	}
	victim = plain != SIZE_MAX ? plain : pending;
	if (victim == SIZE_MAX)
		return -1;
	tab_delete(g, victim);
	return 0;
}

/*
 * A new record for n (hash h, not in the table), evicting another when the
 * table is full; NULL when every address is blocked (counted as evicted).
 * O(1) expected, O(nslots) when the table is full.
 */
static struct guard_ent *
tab_insert(struct guard *g, const struct guard_addr *n, uint32_t h,
    time_t now)
{
	size_t		 mask = g->nslots - 1;
	size_t		 i;
	struct guard_ent *e = NULL;

	if (g->st.tracked >= g->cap) {
		g->st.evicted++;
		if (tab_evict(g, now) == -1)
			goto done;
	}
	for (i = h & mask; g->tab[i].used; i = (i + 1) & mask)
		;
	e = &g->tab[i];
	memset(e, 0, sizeof(*e));
	e->a = *n;
	e->used = 1;
	e->h = h;
	e->seen = now;
	g->st.tracked++;
done:
	return e;
}

/*
 * Follows at most max(max_tracked, 16) addresses in twice as many slots
 * (rounded up to a power of two), allocated here once. NULL when out of
 * memory, when max_tracked is too large to size, or when no random key
 * can be had.
 */
struct guard *
guard_new(const struct cfg_guard *cfg, size_t max_tracked)
{
	struct guard	*g = NULL;
	uint8_t		 key[16];
	size_t		 nslots = 1;

	if (max_tracked < GUARD_MIN_TRACKED)
		max_tracked = GUARD_MIN_TRACKED;
	if (max_tracked > SIZE_MAX / 4 / sizeof(struct guard_ent))
		goto fail;
	while (nslots < 2 * max_tracked)
		nslots <<= 1;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		goto fail;
	if ((g->tab = calloc(nslots, sizeof(*g->tab))) == NULL)
		goto fail;
	if (RAND_bytes(key, sizeof(key)) != 1)
		goto fail;
	g->k0 = load64le(key);
	g->k1 = load64le(key + 8);
	g->cfg = *cfg;
	g->nslots = nslots;
	g->cap = max_tracked;
	goto done;
fail:
	guard_free(g);
	g = NULL;
done:
	OPENSSL_cleanse(key, sizeof(key));
	return g;
}

void
guard_free(struct guard *g)
{
	if (g == NULL)
		return;
	free(g->tab);
	OPENSSL_cleanse(g, sizeof(*g));
	free(g);
}

/*
 * The new max_misses counts from the next miss; the new window length and
 * block length apply to windows and blocks that start from now on. Open
 * windows and blocks in force keep their ends.
 */
void
guard_configure(struct guard *g, const struct cfg_guard *cfg)
{
	g->cfg = *cfg;
}

/*
 * 1 with *until (when not NULL) set to the block end if a is blocked at
 * now; else 0. An address whose block is over starts fresh here (its end
 * is still reported by guard_sweep). Never adds a record; expected O(1).
 */
int
guard_check(struct guard *g, const struct guard_addr *a, time_t now,
    time_t *until)
{
	struct guard_addr n;
	struct guard_ent *e;
	int		 blocked = 0;

	addr_norm(a, &n);
	if ((e = tab_find(g, &n, addr_hash(g, &n))) == NULL)
		goto done;
	ent_expire(e, now);
	if (e->inblock) {
		blocked = 1;
		if (until != NULL)
			*until = e->until;
	}
done:
	return blocked;
}

/*
 * Counts a miss. The first miss of a window opens it for cfg.window
 * seconds; a miss at or after its end opens a new one. The miss that takes
 * the count above max_misses starts a block of cfg.block seconds and
 * returns 1; that is the only 1 for that block. A miss from an address
 * already blocked (the caller should have answered 429) is counted in the
 * stats and changes nothing. May evict another address (O(nslots) when the
 * table is full); when every address is blocked, a is not followed.
 */
int
guard_miss(struct guard *g, const struct guard_addr *a, time_t now)
{
	struct guard_addr n;
	struct guard_ent *e;
	uint32_t	 h;
	int		 started = 0;
	unsigned	 limit = g->cfg.max_misses;

	g->st.misses++;
	/* The global budget, in fixed windows of the same length. */
	if (now >= g->gwin_end) {
		g->gmisses = 0;
		g->gwin_end = now + (time_t)g->cfg.window;
	}
	g->gmisses++;
	if (g->cfg.global_max_misses > 0 &&
	    g->gmisses > g->cfg.global_max_misses &&
	    !guard_under_attack(g, now, NULL)) {
		if (g->attack_until == 0) {
			g->attack_refused = 0;
			g->attack_blocked = 0;
		}
		g->attack_until = now + (time_t)g->cfg.block;
		g->st.attacks++;
		started |= GUARD_ATTACK_STARTED;
	}
	if (guard_under_attack(g, now, NULL) &&
	    limit > GUARD_UNDER_ATTACK_MISSES)
		limit = GUARD_UNDER_ATTACK_MISSES;
	addr_norm(a, &n);
	h = addr_hash(g, &n);
	if ((e = tab_find(g, &n, h)) == NULL &&
	    (e = tab_insert(g, &n, h, now)) == NULL)
		goto done;
	ent_expire(e, now);
	e->seen = now;
	if (e->inblock)
		goto done;
	if (e->misses == 0 || now >= e->win_end) {
		e->misses = 0;
		e->win_end = now + (time_t)g->cfg.window;
	}
	if (e->misses < UINT_MAX)
		e->misses++;
	if (e->misses > limit) {
		e->inblock = 1;
		/* The count and window are cleared when the block ends. */
		e->until = now + (time_t)g->cfg.block;
		g->st.blocks++;
		if (guard_under_attack(g, now, NULL))
			g->attack_blocked++;
		started |= GUARD_SOURCE_BLOCKED;
	}
done:
	return started;
}

int
guard_under_attack(const struct guard *g, time_t now, time_t *until)
{
	if (g->attack_until == 0 || now >= g->attack_until)
		return 0;
	if (until != NULL)
		*until = g->attack_until;
	return 1;
}

/*
 * An attack is over when its time is: the misses that came in meanwhile
 * do not prolong it unless they spend a new window's budget, which starts
 * a new one (reported as such).
 */
int
guard_attack_ended(struct guard *g, time_t now, unsigned long *refused,
    unsigned long *blocked)
{
	if (g->attack_until == 0 || now < g->attack_until)
		return 0;
	*refused = g->attack_refused;
	*blocked = g->attack_blocked;
	g->attack_until = 0;
	return 1;
}

/*
 * Counts a hit. Hits do not reset or lower the miss count: a peer that
 * fetches a real file between guesses must not launder its misses. A hit
 * keeps a followed address fresh (last seen) but never adds one.
 */
void
guard_hit(struct guard *g, const struct guard_addr *a, time_t now)
{
	struct guard_addr n;
	struct guard_ent *e;

	g->st.hits++;
	addr_norm(a, &n);
	if ((e = tab_find(g, &n, addr_hash(g, &n))) != NULL) {
		ent_expire(e, now);
		e->seen = now;
	}
}

void
guard_refused(struct guard *g)
{
	g->st.refused++;
	if (g->attack_until != 0)
		g->attack_refused++;
}

/*
 * Calls ended() once for each block that ended since the last sweep
 * (ended() gets a copy of the address and must not call back into g), and
 * forgets addresses that are neither blocked nor inside an open window.
 * O(nslots): one pass, plus the backward shift of each deletion.
 */
void
guard_sweep(struct guard *g, time_t now,
    void (*ended)(const struct guard_addr *, void *), void *arg)
{
	struct guard_ent *e;
	struct guard_addr a;
	size_t		 i = 0;

	/*
	 * A deletion may shift a later record into slot i, so i only moves
	 * on when slot i is kept. A record of a run that wraps past the end
	 * may be shifted from slot 0.. to the end and be seen twice; that is
	 * harmless, as its pending ends were cleared the first time.
	 */
	while (i < g->nslots) {
		e = &g->tab[i];
		if (!e->used) {
			i++;
			continue;
		}
		ent_expire(e, now);
		while (e->ended > 0) {
			e->ended--;
			a = e->a;
			if (ended != NULL)
				ended(&a, arg);
		}
		if (!e->inblock && (e->misses == 0 || now >= e->win_end))
			tab_delete(g, i);
		else
			i++;
	}
}

void
guard_get_stats(const struct guard *g, struct guard_stats *st)
{
	*st = g->st;
}

/*
 * Formats a into buf with inet_ntop. Returns buf, or the constant "?" when
 * the family is neither AF_INET nor AF_INET6 or buf is too small
 * (INET6_ADDRSTRLEN always fits).
 */
const char *
guard_addr_str(const struct guard_addr *a, char *buf, size_t sz)
{
	const char	*s = "?";

	if (buf == NULL || sz == 0 ||
	    (a->family != AF_INET && a->family != AF_INET6))
		goto done;
	/* More than INET6_ADDRSTRLEN is never needed; keeps the cast safe. */
	if (sz > INET6_ADDRSTRLEN)
		sz = INET6_ADDRSTRLEN;
	if (inet_ntop(a->family, a->b, buf, (socklen_t)sz) != NULL)
		s = buf;
done:
	return s;
}
