/*
 * check_guard.c - the enumeration guard: windows, blocks and their ends,
 * sweeping, bounded memory under an address spray, reloads, stats and
 * freeing.
 *
 * Times are T0 plus seconds; the guard takes the time from its caller, so
 * no test sleeps. Unless a test says otherwise the limits are 3 misses in
 * 60 seconds, blocked for 300, and no global budget (check_policy.c tests
 * that).
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <time.h>

#include "testutil.h"

#include "guard.h"

#define T0		((time_t)1700000000)
#define MAX_MISSES	3
#define WINDOW		60
#define BLOCK		300

static const struct cfg_guard	 def_cfg = { MAX_MISSES, WINDOW, BLOCK, 0 };

static struct guard_addr
v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct guard_addr	 g;

	memset(&g, 0, sizeof(g));
	g.family = AF_INET;
	g.b[0] = a;
	g.b[1] = b;
	g.b[2] = c;
	g.b[3] = d;
	return g;
}

/* 2001:db8::<n>, n in the last four bytes. */
static struct guard_addr
v6(uint32_t n)
{
	struct guard_addr	 g;

	memset(&g, 0, sizeof(g));
	g.family = AF_INET6;
	g.b[0] = 0x20;
	g.b[1] = 0x01;
	g.b[2] = 0x0d;
	g.b[3] = 0xb8;
	g.b[12] = (uint8_t)(n >> 24);
	g.b[13] = (uint8_t)(n >> 16);
	g.b[14] = (uint8_t)(n >> 8);
	g.b[15] = (uint8_t)n;
	return g;
}

/* The n-th of 2^24 distinct IPv4 addresses in 10/8. */
static struct guard_addr
v4n(uint32_t n)
{
	return v4(10, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n);
}

static struct guard *
new_guard(const struct cfg_guard *cfg, size_t max_tracked)
{
	struct guard	*g = guard_new(cfg, max_tracked);

	ck_assert_ptr_nonnull(g);
	return g;
}

static struct guard_stats
stats(const struct guard *g)
{
	struct guard_stats	 st;

	memset(&st, 0xa5, sizeof(st));
	guard_get_stats(g, &st);
	return st;
}

/* Gives a max_misses + 1 misses at t; the last must start the block. */
static void
block_now(struct guard *g, const struct guard_addr *a, unsigned max_misses,
    time_t t)
{
	for (unsigned i = 0; i < max_misses; i++)
		ck_assert_int_eq(guard_miss(g, a, t), 0);
	ck_assert_int_eq(guard_miss(g, a, t), 1);
}

/* What guard_sweep reported: the addresses, in order. */
struct ended_log {
	struct guard_addr	 a[64];
	size_t			 n;
};

static void
on_ended(const struct guard_addr *a, void *arg)
{
	struct ended_log	*log = arg;

	ck_assert_uint_lt(log->n, sizeof(log->a) / sizeof(log->a[0]));
	log->a[log->n++] = *a;
}

static int
addr_same(const struct guard_addr *x, const struct guard_addr *y)
{
	return x->family == y->family && memcmp(x->b, y->b,
	    x->family == AF_INET ? 4 : sizeof(x->b)) == 0;
}

static size_t
sweep(struct guard *g, time_t now, struct ended_log *log)
{
	log->n = 0;
	guard_sweep(g, now, on_ended, log);
	return log->n;
}

START_TEST(test_threshold)
{
	struct guard		*g = new_guard(&def_cfg, 64);
	struct guard_addr	 a = v4(192, 0, 2, 7);
	time_t			 until = 0;

	for (int i = 0; i < MAX_MISSES; i++) {
		ck_assert_int_eq(guard_miss(g, &a, T0 + i), 0);
		ck_assert_int_eq(guard_check(g, &a, T0 + i, &until), 0);
	}
	/* The (N+1)-th miss within the window blocks, once. */
	ck_assert_int_eq(guard_miss(g, &a, T0 + 10), 1);
	ck_assert_int_eq(guard_check(g, &a, T0 + 10, &until), 1);
	ck_assert_int_eq(until, T0 + 10 + BLOCK);
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(guard_miss(g, &a, T0 + 11 + i), 0);
	/* Misses while blocked do not push the end out. */
	ck_assert_int_eq(guard_check(g, &a, T0 + 40, &until), 1);
	ck_assert_int_eq(until, T0 + 10 + BLOCK);
	ck_assert_uint_eq(stats(g).blocks, 1);
	guard_free(g);
}
END_TEST

START_TEST(test_zero_misses_allowed)
{
	struct cfg_guard	 cfg = { 0, WINDOW, BLOCK, 0 };
	struct guard		*g = new_guard(&cfg, 16);
	struct guard_addr	 a = v4(192, 0, 2, 7);

	ck_assert_int_eq(guard_miss(g, &a, T0), 1);
	ck_assert_int_eq(guard_check(g, &a, T0, NULL), 1);
	guard_free(g);
}
END_TEST

START_TEST(test_window_edges)
{
	struct guard		*g = new_guard(&def_cfg, 64);
	struct guard_addr	 a = v4(192, 0, 2, 1), b = v4(192, 0, 2, 2);

	/* One miss every 20 s: each 60 s window holds exactly 3. */
	for (int i = 0; i < 300; i++) {
		ck_assert_int_eq(guard_miss(g, &a, T0 + 20 * i), 0);
		ck_assert_int_eq(guard_check(g, &a, T0 + 20 * i, NULL), 0);
	}
	/* Bursts of 3 with long pauses never block either. */
	for (int i = 0; i < 100; i++)
		for (int j = 0; j < MAX_MISSES; j++)
			ck_assert_int_eq(guard_miss(g, &b, T0 + 1000 * i + j),
			    0);
	/* The window starts at the first miss and its last second counts. */
	ck_assert_int_eq(guard_miss(g, &b, T0 + 200000), 0);
	ck_assert_int_eq(guard_miss(g, &b, T0 + 200000 + 30), 0);
	ck_assert_int_eq(guard_miss(g, &b, T0 + 200000 + 40), 0);
	ck_assert_int_eq(guard_miss(g, &b, T0 + 200000 + WINDOW - 1), 1);
	ck_assert_uint_eq(stats(g).blocks, 1);
	guard_free(g);
}
END_TEST

START_TEST(test_block_check)
{
	struct guard		*g = new_guard(&def_cfg, 64);
	struct guard_addr	 a = v4(192, 0, 2, 7), other = v4(192, 0, 2, 8);
	time_t			 until = 0;

	block_now(g, &a, MAX_MISSES, T0 + 5);
	ck_assert_int_eq(guard_check(g, &a, T0 + 5, &until), 1);
	ck_assert_int_eq(until, T0 + 5 + BLOCK);
	until = 0;
	ck_assert_int_eq(guard_check(g, &a, T0 + 5 + BLOCK - 1, &until), 1);
	ck_assert_int_eq(until, T0 + 5 + BLOCK);
	/* An address never seen is not blocked and *until is left alone. */
	until = 42;
	ck_assert_int_eq(guard_check(g, &other, T0 + 6, &until), 0);
	ck_assert_int_eq(until, 42);
	/* The block end is exclusive. */
	ck_assert_int_eq(guard_check(g, &a, T0 + 5 + BLOCK, &until), 0);
	ck_assert_int_eq(until, 42);
	ck_assert_int_eq(guard_check(g, &a, T0 + 5 + BLOCK + 100, NULL), 0);
	guard_free(g);
}
END_TEST

START_TEST(test_fresh_after_block)
{
	struct guard		*g = new_guard(&def_cfg, 64);
	struct guard_addr	 a = v4(192, 0, 2, 7), b = v6(7);
	time_t			 end = T0 + BLOCK, until;

	/* a: the end is noticed by guard_check. */
	block_now(g, &a, MAX_MISSES, T0);
	ck_assert_int_eq(guard_check(g, &a, end, NULL), 0);
	for (int i = 0; i < MAX_MISSES; i++)
		ck_assert_int_eq(guard_miss(g, &a, end + i), 0);
	ck_assert_int_eq(guard_miss(g, &a, end + 10), 1);
	ck_assert_int_eq(guard_check(g, &a, end + 10, &until), 1);
	ck_assert_int_eq(until, end + 10 + BLOCK);

	/* b: the end is noticed by the next miss itself. */
	block_now(g, &b, MAX_MISSES, T0);
	for (int i = 0; i < MAX_MISSES; i++)
		ck_assert_int_eq(guard_miss(g, &b, end + i), 0);
	ck_assert_int_eq(guard_miss(g, &b, end + 3), 1);
	ck_assert_uint_eq(stats(g).blocks, 4);
	guard_free(g);
}
END_TEST

/* A block shorter than the window: the old window's misses are gone. */
START_TEST(test_fresh_after_short_block)
{
	struct cfg_guard	 cfg = { MAX_MISSES, 1000, 10, 0 };
	struct guard		*g = new_guard(&cfg, 16);
	struct guard_addr	 a = v4(192, 0, 2, 7);

	block_now(g, &a, MAX_MISSES, T0);
	ck_assert_int_eq(guard_check(g, &a, T0 + 9, NULL), 1);
	for (int i = 0; i < MAX_MISSES; i++)
		ck_assert_int_eq(guard_miss(g, &a, T0 + 10 + i), 0);
	ck_assert_int_eq(guard_miss(g, &a, T0 + 20), 1);
	guard_free(g);
}
END_TEST

START_TEST(test_hits_do_not_reset)
{
	struct guard		*g = new_guard(&def_cfg, 64);
	struct guard_addr	 a = v4(192, 0, 2, 7), b = v4(192, 0, 2, 9);

	for (int i = 0; i < MAX_MISSES; i++) {
		ck_assert_int_eq(guard_miss(g, &a, T0 + i), 0);
		guard_hit(g, &a, T0 + i);
		guard_hit(g, &a, T0 + i);
	}
	ck_assert_int_eq(guard_miss(g, &a, T0 + 10), 1);
	/* A hit from an address never missed is not followed. */
	guard_hit(g, &b, T0 + 11);
	ck_assert_uint_eq(stats(g).tracked, 1);
	ck_assert_uint_eq(stats(g).hits, 2 * MAX_MISSES + 1);
	/* Hits during a block do not end it. */
	guard_hit(g, &a, T0 + 12);
	ck_assert_int_eq(guard_check(g, &a, T0 + 12, NULL), 1);
	guard_free(g);
}
END_TEST

START_TEST(test_independent)
{
	struct guard		*g = new_guard(&def_cfg, 64);
	struct guard_addr	 a = v4(1, 2, 3, 4), b = v4(1, 2, 3, 5);
	struct guard_addr	 a6, a_junk = v4(1, 2, 3, 4);

	/* 0102:0304:: shares its first bytes with 1.2.3.4. */
	memset(&a6, 0, sizeof(a6));
	a6.family = AF_INET6;
	memcpy(a6.b, a.b, 4);
	/* Bytes 4..15 of an IPv4 address are not part of it. */
	memset(a_junk.b + 4, 0xee, sizeof(a_junk.b) - 4);

	for (int i = 0; i < MAX_MISSES; i++) {
		ck_assert_int_eq(guard_miss(g, &b, T0), 0);
		ck_assert_int_eq(guard_miss(g, &a6, T0), 0);
	}
	ck_assert_int_eq(guard_miss(g, &a, T0), 0);
	ck_assert_int_eq(guard_miss(g, &a_junk, T0), 0);
	ck_assert_int_eq(guard_miss(g, &a, T0), 0);
	ck_assert_int_eq(guard_miss(g, &a_junk, T0), 1);
	ck_assert_int_eq(guard_check(g, &a, T0, NULL), 1);
	ck_assert_int_eq(guard_check(g, &b, T0, NULL), 0);
	ck_assert_int_eq(guard_check(g, &a6, T0, NULL), 0);
	ck_assert_uint_eq(stats(g).tracked, 3);
	/* The others are still one miss short. */
	ck_assert_int_eq(guard_miss(g, &a6, T0), 1);
	ck_assert_int_eq(guard_miss(g, &b, T0), 1);
	guard_free(g);
}
END_TEST

START_TEST(test_sweep)
{
	struct guard		*g = new_guard(&def_cfg, 64);
	struct guard_addr	 a = v4(192, 0, 2, 1), b = v4(192, 0, 2, 2);
	struct guard_addr	 c = v6(3);
	struct ended_log	 log;

	block_now(g, &a, MAX_MISSES, T0);		/* until T0 + 300 */
	block_now(g, &c, MAX_MISSES, T0 + 100);		/* until T0 + 400 */
	ck_assert_int_eq(guard_miss(g, &b, T0), 0);	/* window to T0 + 60 */
	ck_assert_uint_eq(stats(g).tracked, 3);

	ck_assert_uint_eq(sweep(g, T0 + 30, &log), 0);
	ck_assert_uint_eq(stats(g).tracked, 3);
	/* b's window is over: forgotten, nothing to report. */
	ck_assert_uint_eq(sweep(g, T0 + WINDOW, &log), 0);
	ck_assert_uint_eq(stats(g).tracked, 2);
	ck_assert_uint_eq(sweep(g, T0 + BLOCK - 1, &log), 0);
	ck_assert_uint_eq(stats(g).tracked, 2);
	/* a's block ends: reported once, then a is forgotten. */
	ck_assert_uint_eq(sweep(g, T0 + BLOCK, &log), 1);
	ck_assert(addr_same(&log.a[0], &a));
	ck_assert_uint_eq(stats(g).tracked, 1);
	ck_assert_uint_eq(sweep(g, T0 + BLOCK + 1, &log), 0);
	/* c's end was seen by guard_check first; the sweep still reports
	 * it, once. */
	ck_assert_int_eq(guard_check(g, &c, T0 + 100 + BLOCK, NULL), 0);
	ck_assert_uint_eq(sweep(g, T0 + 100 + BLOCK, &log), 1);
	ck_assert(addr_same(&log.a[0], &c));
	ck_assert_uint_eq(stats(g).tracked, 0);
	ck_assert_uint_eq(sweep(g, T0 + 10000, &log), 0);
	/* A NULL callback is allowed. */
	block_now(g, &a, MAX_MISSES, T0 + 20000);
	guard_sweep(g, T0 + 30000, NULL, NULL);
	ck_assert_uint_eq(stats(g).tracked, 0);
	guard_free(g);
}
END_TEST

START_TEST(test_sweep_keeps_open)
{
	struct guard		*g = new_guard(&def_cfg, 64);
	struct guard_addr	 a = v4(192, 0, 2, 1), b = v4(192, 0, 2, 2);
	struct ended_log	 log;

	/* a blocked and ended; a new window opened before the sweep. */
	block_now(g, &a, MAX_MISSES, T0);
	ck_assert_int_eq(guard_miss(g, &a, T0 + BLOCK), 0);
	ck_assert_int_eq(guard_miss(g, &b, T0 + BLOCK), 0);
	ck_assert_uint_eq(sweep(g, T0 + BLOCK + 1, &log), 1);
	ck_assert(addr_same(&log.a[0], &a));
	/* Both windows are open: nobody is forgotten, misses are kept. */
	ck_assert_uint_eq(stats(g).tracked, 2);
	ck_assert_int_eq(guard_miss(g, &a, T0 + BLOCK + 2), 0);
	ck_assert_int_eq(guard_miss(g, &a, T0 + BLOCK + 2), 0);
	ck_assert_int_eq(guard_miss(g, &a, T0 + BLOCK + 2), 1);

	/* Two blocks of one address end between sweeps: two reports. */
	block_now(g, &b, MAX_MISSES - 1, T0 + BLOCK + 3);
	block_now(g, &b, MAX_MISSES, T0 + 2 * BLOCK + 3);
	ck_assert_uint_eq(sweep(g, T0 + 4 * BLOCK, &log), 3);
	ck_assert(addr_same(&log.a[0], &log.a[1]) ||
	    addr_same(&log.a[1], &log.a[2]));
	ck_assert_uint_eq(stats(g).tracked, 0);
	guard_free(g);
}
END_TEST

/*
 * Half the addresses are forgotten by a sweep and the other half must all
 * still be found. Small tables and fresh random keys give probe runs that
 * wrap around the end, which the backward shift must get right.
 */
START_TEST(test_sweep_delete_keeps_rest)
{
	struct cfg_guard	 cfg = { 1, WINDOW, BLOCK, 0 };

	for (int round = 0; round < 300; round++) {
		struct guard		*g = new_guard(&cfg, 16);
		struct guard_addr	 a;

		for (uint32_t i = 0; i < 16; i++) {
			a = v4n(1000 * (uint32_t)round + i);
			ck_assert_int_eq(guard_miss(g, &a,
			    T0 + (i & 1 ? 50 : 0)), 0);
		}
		ck_assert_uint_eq(stats(g).tracked, 16);
		guard_sweep(g, T0 + WINDOW, NULL, NULL);
		ck_assert_uint_eq(stats(g).tracked, 8);
		for (uint32_t i = 1; i < 16; i += 2) {
			a = v4n(1000 * (uint32_t)round + i);
			ck_assert_int_eq(guard_miss(g, &a, T0 + WINDOW), 1);
		}
		ck_assert_uint_eq(stats(g).tracked, 8);
		ck_assert_uint_eq(stats(g).evicted, 0);
		guard_free(g);
	}
}
END_TEST

START_TEST(test_spray)
{
	struct cfg_guard	 cfg = { MAX_MISSES, WINDOW, 100000, 0 };
	struct guard		*g = new_guard(&cfg, 16);
	struct guard_addr	 a = v4(192, 0, 2, 66), s;
	struct guard_stats	 st;
	time_t			 until = 0;

	block_now(g, &a, MAX_MISSES, T0);
	for (uint32_t i = 0; i < 10000; i++) {
		time_t	 t = T0 + 1 + i / 100;

		s = i & 1 ? v6(i) : v4n(i);
		ck_assert_int_eq(guard_miss(g, &s, t), 0);
		ck_assert_uint_le(stats(g).tracked, 16);
		ck_assert_int_eq(guard_check(g, &a, t, &until), 1);
		ck_assert_int_eq(until, T0 + 100000);
	}
	st = stats(g);
	ck_assert_uint_eq(st.tracked, 16);
	/* 15 free records, then one eviction per new address. */
	ck_assert_uint_eq(st.evicted, 10000 - 15);
	ck_assert_uint_eq(st.misses, 10000 + MAX_MISSES + 1);
	ck_assert_uint_eq(st.blocks, 1);
	guard_free(g);
}
END_TEST

START_TEST(test_min_capacity)
{
	struct guard		*g = new_guard(&def_cfg, 0);
	struct guard_addr	 s;

	for (uint32_t i = 0; i < 100; i++) {
		s = v4n(i);
		ck_assert_int_eq(guard_miss(g, &s, T0 + i), 0);
	}
	ck_assert_uint_eq(stats(g).tracked, 16);
	ck_assert_uint_eq(stats(g).evicted, 100 - 16);
	guard_free(g);
}
END_TEST

/* The least recently seen goes first, and a hit counts as seen. */
START_TEST(test_evict_lru)
{
	struct cfg_guard	 cfg = { 1, 1000, BLOCK, 0 };
	struct guard		*g = new_guard(&cfg, 16);
	struct guard_addr	 s;

	for (uint32_t i = 0; i < 16; i++) {
		s = v4n(i);
		ck_assert_int_eq(guard_miss(g, &s, T0 + 1 + i), 0);
	}
	s = v4n(0);
	guard_hit(g, &s, T0 + 20);
	s = v4n(100);
	ck_assert_int_eq(guard_miss(g, &s, T0 + 21), 0);
	ck_assert_uint_eq(stats(g).evicted, 1);
	/* 0 kept its miss: a second one blocks. */
	s = v4n(0);
	ck_assert_int_eq(guard_miss(g, &s, T0 + 22), 1);
	/* 1 was evicted and starts over (evicting 2). */
	s = v4n(1);
	ck_assert_int_eq(guard_miss(g, &s, T0 + 23), 0);
	s = v4n(3);
	ck_assert_int_eq(guard_miss(g, &s, T0 + 24), 1);
	ck_assert_uint_eq(stats(g).evicted, 2);
	guard_free(g);
}
END_TEST

/* Every record blocked: a new address is refused, no block is lost. */
START_TEST(test_full_of_blocks)
{
	struct guard		*g = new_guard(&def_cfg, 16);
	struct guard_addr	 s, x = v6(999);
	struct ended_log	 log;

	for (uint32_t i = 0; i < 16; i++) {
		s = v4n(i);
		block_now(g, &s, MAX_MISSES, T0 + i);
	}
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(guard_miss(g, &x, T0 + 20), 0);
	ck_assert_int_eq(guard_check(g, &x, T0 + 20, NULL), 0);
	ck_assert_uint_eq(stats(g).tracked, 16);
	ck_assert_uint_eq(stats(g).evicted, 10);
	for (uint32_t i = 0; i < 16; i++) {
		s = v4n(i);
		ck_assert_int_eq(guard_check(g, &s, T0 + 20, NULL), 1);
	}
	/* Once the first block is over its record may go. */
	ck_assert_int_eq(guard_miss(g, &x, T0 + BLOCK), 0);
	ck_assert_uint_eq(stats(g).evicted, 11);
	ck_assert_uint_eq(stats(g).tracked, 16);
	s = v4n(1);
	ck_assert_int_eq(guard_check(g, &s, T0 + BLOCK, NULL), 1);
	/* Its end is lost with it (nothing else could go), the rest are
	 * reported by the sweep. */
	ck_assert_uint_eq(sweep(g, T0 + 100 + BLOCK, &log), 15);
	guard_free(g);
}
END_TEST

/* A block that ended but was not swept yet goes after plain records. */
START_TEST(test_evict_keeps_pending_end)
{
	struct cfg_guard	 cfg = { 1, 1000, 10, 0 };
	struct guard		*g = new_guard(&cfg, 16);
	struct guard_addr	 a = v6(1), s;
	struct ended_log	 log;

	block_now(g, &a, 1, T0);			/* ends T0 + 10 */
	for (uint32_t i = 1; i <= 15; i++) {
		s = v4n(i);
		ck_assert_int_eq(guard_miss(g, &s, T0 + i), 0);
	}
	s = v4n(100);
	ck_assert_int_eq(guard_miss(g, &s, T0 + 20), 0);
	ck_assert_uint_eq(stats(g).evicted, 1);
	ck_assert_uint_eq(sweep(g, T0 + 20, &log), 1);
	ck_assert(addr_same(&log.a[0], &a));
	ck_assert_uint_eq(stats(g).tracked, 15);
	/* The plain record seen longest ago (1) went instead; 2 is kept. */
	s = v4n(1);
	ck_assert_int_eq(guard_miss(g, &s, T0 + 21), 0);
	s = v4n(2);
	ck_assert_int_eq(guard_miss(g, &s, T0 + 21), 1);
	guard_free(g);
}
END_TEST

START_TEST(test_configure)
{
	struct guard		*g = new_guard(&def_cfg, 64);
	struct guard_addr	 a = v4(192, 0, 2, 1), b = v4(192, 0, 2, 2);
	struct cfg_guard	 cfg = { 1, 1000, 10, 0 };
	time_t			 until = 0;

	block_now(g, &a, MAX_MISSES, T0);
	ck_assert_int_eq(guard_miss(g, &b, T0), 0);	/* window to T0 + 60 */
	ck_assert_int_eq(guard_miss(g, &b, T0), 0);
	guard_configure(g, &cfg);
	/* The block in force keeps its end. */
	ck_assert_int_eq(guard_check(g, &a, T0 + 100, &until), 1);
	ck_assert_int_eq(until, T0 + BLOCK);
	ck_assert_int_eq(guard_check(g, &a, T0 + BLOCK - 1, NULL), 1);
	ck_assert_int_eq(guard_check(g, &a, T0 + BLOCK, NULL), 0);
	/* New blocks use the new limits. */
	ck_assert_int_eq(guard_miss(g, &a, T0 + BLOCK), 0);
	ck_assert_int_eq(guard_miss(g, &a, T0 + BLOCK + 1), 1);
	ck_assert_int_eq(guard_check(g, &a, T0 + BLOCK + 1, &until), 1);
	ck_assert_int_eq(until, T0 + BLOCK + 1 + 10);
	/* b's open window keeps its old end (T0 + 60), so this miss opens
	 * a new one instead of being b's third in a 1000 s window. */
	ck_assert_int_eq(guard_miss(g, &b, T0 + WINDOW), 0);
	ck_assert_int_eq(guard_miss(g, &b, T0 + WINDOW + 500), 1);
	guard_free(g);
}
END_TEST

START_TEST(test_stats)
{
	struct guard		*g = new_guard(&def_cfg, 16);
	struct guard_addr	 a = v4(192, 0, 2, 1), b = v6(2), s;
	struct guard_stats	 st;

	st = stats(g);
	ck_assert_uint_eq(st.hits, 0);
	ck_assert_uint_eq(st.misses, 0);
	ck_assert_uint_eq(st.refused, 0);
	ck_assert_uint_eq(st.blocks, 0);
	ck_assert_uint_eq(st.tracked, 0);
	ck_assert_uint_eq(st.evicted, 0);

	block_now(g, &a, MAX_MISSES, T0);		/* 4 misses, 1 block */
	guard_refused(g);
	guard_refused(g);
	guard_hit(g, &b, T0);				/* not followed */
	ck_assert_int_eq(guard_miss(g, &b, T0), 0);
	guard_hit(g, &b, T0);
	guard_hit(g, &a, T0);
	for (uint32_t i = 0; i < 20; i++) {		/* 14 free records */
		s = v4n(i);
		ck_assert_int_eq(guard_miss(g, &s, T0 + 1), 0);
	}
	st = stats(g);
	ck_assert_uint_eq(st.hits, 3);
	ck_assert_uint_eq(st.misses, 4 + 1 + 20);
	ck_assert_uint_eq(st.refused, 2);
	ck_assert_uint_eq(st.blocks, 1);
	ck_assert_uint_eq(st.tracked, 16);
	ck_assert_uint_eq(st.evicted, 20 - 14);
	guard_free(g);
}
END_TEST

START_TEST(test_addr_str)
{
	struct guard_addr	 a = v4(10, 0, 0, 5), b = v6(1), c;
	char			 buf[64], small[4];

	ck_assert_str_eq(guard_addr_str(&a, buf, sizeof(buf)), "10.0.0.5");
	ck_assert_str_eq(guard_addr_str(&b, buf, sizeof(buf)), "2001:db8::1");
	memset(&c, 0, sizeof(c));
	c.family = AF_INET6;
	c.b[15] = 1;
	ck_assert_str_eq(guard_addr_str(&c, buf, sizeof(buf)), "::1");
	c.family = AF_UNIX;
	ck_assert_str_eq(guard_addr_str(&c, buf, sizeof(buf)), "?");
	ck_assert_str_eq(guard_addr_str(&a, small, sizeof(small)), "?");
	ck_assert_str_eq(guard_addr_str(&a, buf, 0), "?");
}
END_TEST

/*
 * guard_free(NULL) is a no-op, and guard_new's failure path relies on it:
 * a capacity too large to allocate fails before anything is allocated and
 * frees the NULL guard. Freeing one guard leaves another untouched (under
 * ASan or valgrind the frees are also checked for leaks and double frees).
 */
START_TEST(test_free)
{
	struct guard		*g = new_guard(&def_cfg, 16);
	struct guard		*h = new_guard(&def_cfg, 16);
	struct guard_addr	 a = v4(192, 0, 2, 7);

	ck_assert_ptr_null(guard_new(&def_cfg, SIZE_MAX));
	block_now(g, &a, MAX_MISSES, T0);
	ck_assert_int_eq(guard_miss(h, &a, T0), 0);
	guard_free(NULL);
	ck_assert_int_eq(guard_check(g, &a, T0 + 1, NULL), 1);
	ck_assert_uint_eq(stats(g).tracked, 1);
	guard_free(g);
	/* h kept its one miss: MAX_MISSES more block. */
	ck_assert_uint_eq(stats(h).tracked, 1);
	for (int i = 1; i < MAX_MISSES; i++)
		ck_assert_int_eq(guard_miss(h, &a, T0 + 2), 0);
	ck_assert_int_eq(guard_miss(h, &a, T0 + 2), 1);
	guard_free(h);
}
END_TEST

static Suite *
guard_suite(void)
{
	Suite	*s = suite_create("guard");
	TCase	*tc = tcase_create("guard");

	tcase_add_test(tc, test_threshold);
	tcase_add_test(tc, test_zero_misses_allowed);
	tcase_add_test(tc, test_window_edges);
	tcase_add_test(tc, test_block_check);
	tcase_add_test(tc, test_fresh_after_block);
	tcase_add_test(tc, test_fresh_after_short_block);
	tcase_add_test(tc, test_hits_do_not_reset);
	tcase_add_test(tc, test_independent);
	tcase_add_test(tc, test_sweep);
	tcase_add_test(tc, test_sweep_keeps_open);
	tcase_add_test(tc, test_sweep_delete_keeps_rest);
	tcase_add_test(tc, test_spray);
	tcase_add_test(tc, test_min_capacity);
	tcase_add_test(tc, test_evict_lru);
	tcase_add_test(tc, test_full_of_blocks);
	tcase_add_test(tc, test_evict_keeps_pending_end);
	tcase_add_test(tc, test_configure);
	tcase_add_test(tc, test_stats);
	tcase_add_test(tc, test_addr_str);
	tcase_add_test(tc, test_free);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(guard_suite());
}
