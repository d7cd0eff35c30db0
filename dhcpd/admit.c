/*
 * admit.c - token buckets in fixed tables, one per kind of key.
 *
 * Written here rather than taken from a library: it is forty lines of
 * arithmetic, and the table must stay bounded whatever keys a flood
 * brings. Each kind has ADMIT_SLOTS buckets; a key hashes (with a seed
 * drawn at start, so nobody can aim keys at one slot) to a run of
 * ADMIT_PROBE slots, and a new key takes a free slot of its run or the
 * one idle longest. A flood of fresh keys thus evicts old buckets instead
 * of growing memory; a key evicted and seen again starts full, which only
 * matters for the per-MAC kind, where each random MAC is a fresh key
 * anyway and the per-interface and per-relay buckets do the limiting.
 *
 * Credits are integers: a bucket holds at most limit * window credits, an
 * admission costs window of them and each second gives back limit, so
 * `limit` admissions per `window` seconds pass on average, and `limit` at
 * once after a quiet window.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "admit.h"
#include "server.h"

#define ADMIT_SLOTS	4096	/* per kind, a power of two */
#define ADMIT_PROBE	8

struct bucket {
	uint64_t	 hash;		/* 0: free */
	uint64_t	 credit;
	time_t		 last;		/* last refill */
	int		 refusing;	/* in a burst of refusals */
};

struct admit {
	struct cfg_dhcp_limits	 lim;
	uint64_t		 seed;
	struct bucket		*t[ADMIT_KINDS];
};

static unsigned
limit_of(const struct cfg_dhcp_limits *lim, int kind)
{
	switch (kind) {
	case ADMIT_MAC:
		return lim->per_mac;
	case ADMIT_RELAY:
		return lim->per_relay;
	case ADMIT_IFACE:
		return lim->per_interface;
	case ADMIT_DECLINE_CLIENT:
	case ADMIT_DECLINE_SOURCE:
		return lim->declines;
	}
	return 0;
}

struct admit *
admit_new(const struct cfg_dhcp_limits *lim)
{
	struct admit *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->lim = *lim;
	if (a->lim.window == 0)
		a->lim.window = 1;
	if (RAND_bytes((unsigned char *)&a->seed, sizeof(a->seed)) != 1)
		a->seed = (uint64_t)(uintptr_t)a ^ (uint64_t)time(NULL);
	for (int k = 0; k < ADMIT_KINDS; k++)
		if (limit_of(&a->lim, k) > 0 && (a->t[k] =
		    calloc(ADMIT_SLOTS, sizeof(struct bucket))) == NULL) {
			admit_free(a);
			return NULL;
		}
	return a;
}

void
admit_free(struct admit *a)
{
	if (a == NULL)
		return;
	for (int k = 0; k < ADMIT_KINDS; k++)
		free(a->t[k]);
	free(a);
}

/* FNV-1a over the seed and the key, then a finaliser (never 0). */
static uint64_t
hash(uint64_t seed, int kind, const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed ^ (uint64_t)kind;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h != 0 ? h : 1;
}

static struct bucket *
find(struct bucket *t, uint64_t h, uint64_t full, time_t now)
{
	struct bucket	*victim = NULL;
	size_t		 i = (size_t)h & (ADMIT_SLOTS - 1);

	for (int n = 0; n < ADMIT_PROBE; n++) {
		struct bucket *b = &t[(i + (size_t)n) & (ADMIT_SLOTS - 1)];

		if (b->hash == h)
			return b;
		if (victim == NULL || b->hash == 0 ||
		    (victim->hash != 0 && b->last < victim->last))
			victim = b;
	}
	victim->hash = h;
	victim->credit = full;
	victim->last = now;
	victim->refusing = 0;
	return victim;
}

int
admit_check(void *arg, int kind, const void *key, size_t len, time_t now)
{
	struct admit	*a = arg;
	struct bucket	*b;
	unsigned	 limit;
	uint64_t	 full, cost;

	if (a == NULL || kind < 0 || kind >= ADMIT_KINDS ||
	    (limit = limit_of(&a->lim, kind)) == 0 || a->t[kind] == NULL)
		return ADMIT_OK;
	cost = a->lim.window;
	full = (uint64_t)limit * cost;
	b = find(a->t[kind], hash(a->seed, kind, key, len), full, now);
	if (now > b->last) {
		uint64_t gain = (uint64_t)(now - b->last) * limit;

		b->credit = b->credit + gain > full ? full : b->credit + gain;
		b->last = now;
	}
	if (b->credit >= cost) {
		b->credit -= cost;
		b->refusing = 0;
		return ADMIT_OK;
	}
	if (b->refusing)
		return ADMIT_REFUSED;
	b->refusing = 1;
	return ADMIT_REFUSED_FIRST;
}
