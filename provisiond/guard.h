/*
 * guard.h - the enumeration guard of the provisioning service.
 *
 * A source address that collects more than max_misses misses (answers 404
 * or 403) within window seconds is answered 429 for block seconds; the
 * start and the end of each block are reported so they can be logged.
 *
 * A global budget bounds what many addresses achieve together: when more
 * than global_max_misses misses from all sources fall in one window, the
 * guard is under attack for block seconds, and meanwhile every source may
 * miss only GUARD_UNDER_ATTACK_MISSES times before its own block. Phones
 * miss once or twice a boot (a file they try that nobody serves), so a
 * boot storm goes on; a sweep from a thousand addresses gets a fifth of
 * the guesses. The start and the end of that state are reported once.
 * Memory is bounded: at most max_tracked addresses are followed at once,
 * the least recently seen unblocked one making room for a new one.
 * Pure: the caller passes the time, so tests need no clock.
 */
#ifndef PB_GUARD_H
#define PB_GUARD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cfg.h"

/* An IPv4 or IPv6 source address. */
struct guard_addr {
	uint8_t		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 b[16];		/* IPv4 in the first 4 bytes */
};

/* A miss from a source may allow this many misses while under attack. */
#define GUARD_UNDER_ATTACK_MISSES	2

/* guard_miss() results, or-ed. */
#define GUARD_SOURCE_BLOCKED	0x1	/* this miss blocked its source */
#define GUARD_ATTACK_STARTED	0x2	/* this miss spent the global budget */

struct guard_stats {
	unsigned long	 hits;		/* requests answered 2xx/3xx */
	unsigned long	 misses;	/* 404 and 403 */
	unsigned long	 refused;	/* requests answered 429 */
	unsigned long	 blocks;	/* blocks started */
	unsigned long	 tracked;	/* addresses followed now */
	unsigned long	 evicted;	/* addresses dropped to make room */
	unsigned long	 attacks;	/* times the global budget ran out */
};

struct guard;

/* NULL when out of memory. cfg is copied. */
struct guard	*guard_new(const struct cfg_guard *cfg, size_t max_tracked);
void		 guard_free(struct guard *g);
/* New limits (a reload); blocks in force keep their end. */
void		 guard_configure(struct guard *g, const struct cfg_guard *cfg);

/* 1 if a is blocked at now (*until: when the block ends), else 0. */
int		 guard_check(struct guard *g, const struct guard_addr *a,
		    time_t now, time_t *until);
/*
 * Counts a miss for a; returns GUARD_SOURCE_BLOCKED when this miss starts
 * a's block, GUARD_ATTACK_STARTED when it spends the global budget (or
 * both), else 0.
 */
int		 guard_miss(struct guard *g, const struct guard_addr *a,
		    time_t now);
/* 1 while the global budget is spent (*until: when that ends). */
int		 guard_under_attack(const struct guard *g, time_t now,
		    time_t *until);
/*
 * 1, once, when an attack (the global budget spent) is over at now, with
 * the numbers of requests refused and sources blocked meanwhile.
 */
int		 guard_attack_ended(struct guard *g, time_t now,
		    unsigned long *refused, unsigned long *blocked);
void		 guard_hit(struct guard *g, const struct guard_addr *a,
		    time_t now);
/* A request refused with 429 (counted only). */
void		 guard_refused(struct guard *g);

/*
 * Forgets addresses whose window and block are over; calls ended() for
 * each block that ended since the last sweep. Cost O(max_tracked).
 */
void		 guard_sweep(struct guard *g, time_t now,
		    void (*ended)(const struct guard_addr *, void *), void *arg);
void		 guard_get_stats(const struct guard *g, struct guard_stats *st);

/* "10.0.0.5" or "2001:db8::1" */
const char	*guard_addr_str(const struct guard_addr *a, char *buf,
		    size_t sz);

#endif /* PB_GUARD_H */
