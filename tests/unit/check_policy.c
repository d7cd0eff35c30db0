/*
 * check_policy.c - the request policy around serve.c (provisiond/policy.h)
 * and the guard's global budget: what is refused before serving, with
 * which status and headers, and what the guard learns from answers; an
 * attacker with many addresses. No sockets: the guard takes the time.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <time.h>

#include "testutil.h"

#include "guard.h"
#include "policy.h"

#define T0	((time_t)1700000000)

/* 3 misses in 60 s per source, blocked 300 s; 20 misses from all. */
static const struct cfg_guard	 gcfg = { 3, 60, 300, 20 };

static struct guard_addr
v4(uint32_t n)
{
	struct guard_addr g;

	memset(&g, 0, sizeof(g));
	g.family = AF_INET;
	g.b[0] = 10;
	g.b[1] = (uint8_t)(n >> 16);
	g.b[2] = (uint8_t)(n >> 8);
	g.b[3] = (uint8_t)n;
	return g;
}

static struct policy_req
preq(const struct guard_addr *a, enum policy_method m, time_t now)
{
	struct policy_req pq;

	memset(&pq, 0, sizeof(pq));
	pq.peer = a;
	pq.method = m;
	pq.now = now;
	pq.nfields = 5;
	return pq;
}

/* An answer of status st, as serve.c would give it. */
static struct prov_resp
answer(int st)
{
	struct prov_resp r;

	prov_resp_init(&r);
	if (st == 404)
		prov_refuse(&r, REF_NOT_FOUND);
	else {
		r.status = st;
		r.reason = "OK";
	}
	return r;
}

START_TEST(test_header_fields)
{
	struct guard		*g = guard_new(&gcfg, 64);
	struct guard_addr	 a = v4(1);
	struct policy_req	 pq = preq(&a, PM_GET, T0);
	struct prov_resp	 r;

	ck_assert_ptr_nonnull(g);
	pq.nfields = POLICY_MAX_HEADER_FIELDS;
	prov_resp_init(&r);
	ck_assert_int_eq(policy_admit(g, &pq, &r), 0);
	pq.nfields = POLICY_MAX_HEADER_FIELDS + 1;
	ck_assert_int_eq(policy_admit(g, &pq, &r), 1);
	ck_assert_int_eq(r.status, 431);
	ck_assert_int_eq(r.refused, REF_HEADERS);
	ck_assert_str_eq(prov_refusal_str(r.refused), "header-fields");
	guard_free(g);
}
END_TEST

START_TEST(test_method)
{
	struct guard		*g = guard_new(&gcfg, 64);
	struct guard_addr	 a = v4(1);
	struct policy_req	 pq = preq(&a, PM_OTHER, T0);
	struct prov_resp	 r;

	prov_resp_init(&r);
	ck_assert_int_eq(policy_admit(g, &pq, &r), 1);
	ck_assert_int_eq(r.status, 405);
	ck_assert_str_eq(r.allow, "GET, HEAD");
	ck_assert_int_eq(r.refused, REF_METHOD);
	pq.method = PM_HEAD;
	prov_resp_init(&r);
	ck_assert_int_eq(policy_admit(g, &pq, &r), 0);
	ck_assert_ptr_null(r.allow);
	guard_free(g);
}
END_TEST

/*
 * Misses are counted from answers (404/403), hits are not misses; the
 * fourth miss blocks the source: then 429 with Retry-After, before
 * anything is served, until the block ends.
 */
START_TEST(test_guard_accounting)
{
	struct guard		*g = guard_new(&gcfg, 64);
	struct guard_addr	 a = v4(1), b = v4(2);
	struct policy_req	 pq;
	struct prov_resp	 r, miss = answer(404), hit = answer(200);
	struct prov_resp	 forb = answer(200);

	forb.status = 403;
	for (int i = 0; i < 3; i++) {
		pq = preq(&a, PM_GET, T0 + i);
		ck_assert_int_eq(policy_account(g, &pq, i == 1 ? &forb :
		    &miss), 0);
		ck_assert_int_eq(policy_account(g, &pq, &hit), 0);
	}
	pq = preq(&a, PM_GET, T0 + 10);
	prov_resp_init(&r);
	ck_assert_int_eq(policy_admit(g, &pq, &r), 0);
	ck_assert_int_eq(policy_account(g, &pq, &miss),
	    GUARD_SOURCE_BLOCKED);
	prov_resp_init(&r);
	ck_assert_int_eq(policy_admit(g, &pq, &r), 1);
	ck_assert_int_eq(r.status, 429);
	ck_assert_int_eq(r.refused, REF_GUARD);
	ck_assert_uint_eq(r.retry_after, 300);
	pq.now = T0 + 110;
	prov_resp_init(&r);
	ck_assert_int_eq(policy_admit(g, &pq, &r), 1);
	ck_assert_uint_eq(r.retry_after, 200);
	/* Another source is not blocked. */
	pq = preq(&b, PM_GET, T0 + 110);
	prov_resp_init(&r);
	ck_assert_int_eq(policy_admit(g, &pq, &r), 0);
	/* Over at the block's end. */
	pq = preq(&a, PM_GET, T0 + 310);
	prov_resp_init(&r);
	ck_assert_int_eq(policy_admit(g, &pq, &r), 0);
	guard_free(g);
}
END_TEST

/*
 * The attacker has many addresses, each staying under max_misses: alone,
 * none would ever be blocked. The global budget (20 misses a window) runs
 * out at the 21st miss, once; from then every source may miss only
 * GUARD_UNDER_ATTACK_MISSES times.
 */
START_TEST(test_global_budget)
{
	struct guard		*g = guard_new(&gcfg, 4096);
	struct policy_req	 pq;
	struct prov_resp	 r, miss = answer(404);
	struct guard_addr	 a[200];
	unsigned long		 refused = 0, blocked = 0;
	int			 flags, started = 0, nblocked = 0;
	time_t			 until;

	for (uint32_t i = 0; i < 200; i++)
		a[i] = v4(100 + i);
	/* 10 addresses, 2 misses each: 20, within the budget. */
	for (int i = 0; i < 10; i++)
		for (int k = 0; k < 2; k++) {
			pq = preq(&a[i], PM_GET, T0 + 1);
			ck_assert_int_eq(policy_account(g, &pq, &miss), 0);
		}
	ck_assert_int_eq(guard_under_attack(g, T0 + 1, NULL), 0);
	/* The 21st miss spends it. */
	pq = preq(&a[10], PM_GET, T0 + 2);
	flags = policy_account(g, &pq, &miss);
	ck_assert_int_eq(flags, GUARD_ATTACK_STARTED);
	ck_assert_int_eq(guard_under_attack(g, T0 + 2, &until), 1);
	ck_assert_int_eq(until, T0 + 2 + 300);
	/* Now three misses block any source (limit 2). */
	for (int i = 11; i < 200; i++) {
		for (int k = 0; k < 3; k++) {
			pq = preq(&a[i], PM_GET, T0 + 3);
			prov_resp_init(&r);
			if (policy_admit(g, &pq, &r)) {
				ck_assert_int_eq(r.status, 429);
				continue;
			}
			flags = policy_account(g, &pq, &miss);
			started += (flags & GUARD_ATTACK_STARTED) != 0;
			if (flags & GUARD_SOURCE_BLOCKED) {
				ck_assert_int_eq(k, 2);
				nblocked++;
			}
		}
		pq = preq(&a[i], PM_GET, T0 + 3);
		prov_resp_init(&r);
		ck_assert_int_eq(policy_admit(g, &pq, &r), 1);
	}
	/* One start, however many misses follow. */
	ck_assert_int_eq(started, 0);
	ck_assert_int_eq(nblocked, 189);
	/* A source from before (2 misses) is at its limit, not over it. */
	pq = preq(&a[0], PM_GET, T0 + 4);
	prov_resp_init(&r);
	ck_assert_int_eq(policy_admit(g, &pq, &r), 0);
	ck_assert_int_eq(guard_attack_ended(g, T0 + 301, &refused, &blocked),
	    0);
	ck_assert_int_eq(guard_attack_ended(g, T0 + 302, &refused, &blocked),
	    1);
	ck_assert_uint_eq(refused, 189);
	ck_assert_uint_eq(blocked, 189);
	/* Reported once. */
	ck_assert_int_eq(guard_attack_ended(g, T0 + 303, &refused, &blocked),
	    0);
	ck_assert_int_eq(guard_under_attack(g, T0 + 303, NULL), 0);
	guard_free(g);
}
END_TEST

/* A boot storm: many phones, one miss each, then hits: nobody blocked. */
START_TEST(test_storm_not_blocked)
{
	struct guard		*g = guard_new(&gcfg, 4096);
	struct policy_req	 pq;
	struct prov_resp	 r, miss = answer(404), hit = answer(200);
	int			 flags = 0;

	for (uint32_t i = 0; i < 1000; i++) {
		struct guard_addr a = v4(5000 + i);

		pq = preq(&a, PM_GET, T0 + 5);
		prov_resp_init(&r);
		ck_assert_int_eq(policy_admit(g, &pq, &r), 0);
		ck_assert_int_eq(policy_account(g, &pq, &hit), 0);
		flags |= policy_account(g, &pq, &miss);
		prov_resp_init(&r);
		ck_assert_int_eq(policy_admit(g, &pq, &r), 0);
	}
	/* Under attack by the numbers, yet no phone was blocked. */
	ck_assert_int_eq(flags, GUARD_ATTACK_STARTED);
	guard_free(g);
}
END_TEST

/* global_max_misses = 0: no global budget at all. */
START_TEST(test_global_off)
{
	static const struct cfg_guard	 off = { 3, 60, 300, 0 };
	struct guard			*g = guard_new(&off, 4096);
	struct prov_resp		 miss = answer(404);

	for (uint32_t i = 0; i < 500; i++) {
		struct guard_addr	a = v4(9000 + i);
		struct policy_req	pq = preq(&a, PM_GET, T0);

		for (int k = 0; k < 3; k++)
			ck_assert_int_eq(policy_account(g, &pq, &miss), 0);
	}
	ck_assert_int_eq(guard_under_attack(g, T0, NULL), 0);
	guard_free(g);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite	*s = suite_create("policy");
	TCase	*tc = tcase_create("policy");

	tcase_add_test(tc, test_header_fields);
	tcase_add_test(tc, test_method);
	tcase_add_test(tc, test_guard_accounting);
	tcase_add_test(tc, test_global_budget);
	tcase_add_test(tc, test_storm_not_blocked);
	tcase_add_test(tc, test_global_off);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(policy_suite());
}
