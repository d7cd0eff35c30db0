/*
 * check_conns.c - the connection queues of provisiond: states and counts,
 * the handshake and request deadlines (no byte moves them), and the choice
 * of the connection to close at the limit.
 *
 * Times are milliseconds from T0; the caller passes them, so no test
 * sleeps. Unless a test says otherwise the deadlines are 5 s for the
 * handshake and 10 s for the request.
 */
#include "config.h"

#include "testutil.h"

#include "conns.h"

#define T0	((uint64_t)1000000)
#define HS	5000
#define RQ	10000

static struct conns	 cs;
static struct conn	 c[8];

static void
setup(void)
{
	conns_init(&cs);
	memset(c, 0, sizeof(c));
}

static void
assert_counts(unsigned total, unsigned live)
{
	ck_assert_uint_eq(conns_total(&cs), total);
	ck_assert_uint_eq(conns_live(&cs), live);
}

START_TEST(test_empty)
{
	ck_assert_ptr_null(conns_oldest(&cs));
	ck_assert_ptr_null(conns_expired(&cs, T0, HS, RQ));
	assert_counts(0, 0);
}
END_TEST

START_TEST(test_states_and_counts)
{
	conns_add(&cs, &c[0], T0);
	conns_add(&cs, &c[1], T0 + 1);
	ck_assert_int_eq(c[0].state, CONN_HANDSHAKE);
	assert_counts(2, 2);
	conns_set(&cs, &c[0], CONN_WAITING, T0 + 10);
	conns_set(&cs, &c[0], CONN_BUSY, T0 + 20);
	ck_assert_uint_eq(c[0].requests, 0);
	conns_set(&cs, &c[0], CONN_WAITING, T0 + 30);
	ck_assert_uint_eq(c[0].requests, 1);
	ck_assert(c[0].since == T0 + 30);
	conns_set(&cs, &c[1], CONN_CLOSING, T0 + 40);
	assert_counts(2, 1);
	/* Closing is final. */
	conns_set(&cs, &c[1], CONN_WAITING, T0 + 50);
	ck_assert_int_eq(c[1].state, CONN_CLOSING);
	conns_remove(&cs, &c[1]);
	assert_counts(1, 1);
	conns_remove(&cs, &c[0]);
	assert_counts(0, 0);
}
END_TEST

/* A handshake that trickles on is closed at its deadline all the same. */
START_TEST(test_handshake_deadline)
{
	conns_add(&cs, &c[0], T0);
	conns_add(&cs, &c[1], T0 + 1000);
	ck_assert_ptr_null(conns_expired(&cs, T0 + HS - 1, HS, RQ));
	ck_assert_ptr_eq(conns_expired(&cs, T0 + HS, HS, RQ), &c[0]);
	conns_set(&cs, &c[0], CONN_CLOSING, T0 + HS);
	ck_assert_ptr_null(conns_expired(&cs, T0 + HS, HS, RQ));
	ck_assert_ptr_eq(conns_expired(&cs, T0 + HS + 1000, HS, RQ), &c[1]);
	/* Done in time: the request deadline starts. */
	conns_set(&cs, &c[1], CONN_WAITING, T0 + HS + 999);
	ck_assert_ptr_null(conns_expired(&cs, T0 + HS + 1000, HS, RQ));
	ck_assert_ptr_eq(conns_expired(&cs, T0 + HS + 999 + RQ, HS, RQ),
	    &c[1]);
}
END_TEST

/* Busy connections have no deadline here; the answer restarts it. */
START_TEST(test_request_deadline)
{
	conns_add(&cs, &c[0], T0);
	conns_set(&cs, &c[0], CONN_WAITING, T0 + 100);
	conns_set(&cs, &c[0], CONN_BUSY, T0 + RQ);
	ck_assert_ptr_null(conns_expired(&cs, T0 + 10 * RQ, HS, RQ));
	conns_set(&cs, &c[0], CONN_WAITING, T0 + 10 * RQ);
	ck_assert_ptr_null(conns_expired(&cs, T0 + 11 * RQ - 1, HS, RQ));
	ck_assert_ptr_eq(conns_expired(&cs, T0 + 11 * RQ, HS, RQ), &c[0]);
}
END_TEST

/* Of two overdue queues, the one further past its deadline comes first. */
START_TEST(test_expired_order)
{
	conns_add(&cs, &c[0], T0);		/* handshake due T0+5000 */
	conns_add(&cs, &c[1], T0);
	conns_set(&cs, &c[1], CONN_WAITING, T0 - 8000);	/* due T0+2000 */
	ck_assert_ptr_eq(conns_expired(&cs, T0 + 6000, HS, RQ), &c[1]);
	conns_set(&cs, &c[1], CONN_CLOSING, T0 + 6000);
	ck_assert_ptr_eq(conns_expired(&cs, T0 + 6000, HS, RQ), &c[0]);
}
END_TEST

/*
 * At the limit: the connection that has waited longest, in either wait,
 * never a busy or a closing one.
 */
START_TEST(test_oldest)
{
	conns_add(&cs, &c[0], T0);
	conns_add(&cs, &c[1], T0 + 10);
	conns_add(&cs, &c[2], T0 + 20);
	ck_assert_ptr_eq(conns_oldest(&cs), &c[0]);
	/* c[0] is answered: busy ones are never picked. */
	conns_set(&cs, &c[0], CONN_WAITING, T0 + 30);
	conns_set(&cs, &c[0], CONN_BUSY, T0 + 40);
	ck_assert_ptr_eq(conns_oldest(&cs), &c[1]);
	/* c[1] finished its handshake later than c[2] began its own. */
	conns_set(&cs, &c[1], CONN_WAITING, T0 + 50);
	ck_assert_ptr_eq(conns_oldest(&cs), &c[2]);
	conns_set(&cs, &c[2], CONN_CLOSING, T0 + 60);
	ck_assert_ptr_eq(conns_oldest(&cs), &c[1]);
	conns_set(&cs, &c[1], CONN_BUSY, T0 + 70);
	ck_assert_ptr_null(conns_oldest(&cs));
	/* The answer is out: c[0] waits again, the oldest waiter. */
	conns_set(&cs, &c[0], CONN_WAITING, T0 + 80);
	ck_assert_ptr_eq(conns_oldest(&cs), &c[0]);
}
END_TEST

/*
 * Slow clients hold every slot; each newcomer takes the place of the one
 * waiting longest, so a newcomer that completes quickly is served.
 */
START_TEST(test_slow_clients_make_room)
{
	struct conn	 slow[4], good;
	uint64_t	 t = T0;
	struct conn	*v;

	for (int i = 0; i < 4; i++) {
		conns_add(&cs, &slow[i], t);
		t += 100;
	}
	/* The good client arrives: the oldest slow one goes. */
	conns_add(&cs, &good, t);
	ck_assert_ptr_eq(v = conns_oldest(&cs), &slow[0]);
	conns_set(&cs, v, CONN_CLOSING, t);
	conns_set(&cs, &good, CONN_WAITING, t + 5);
	conns_set(&cs, &good, CONN_BUSY, t + 6);
	/* Another slow one: the next oldest slow one goes, not good. */
	conns_remove(&cs, &slow[0]);
	conns_add(&cs, &slow[0], t + 7);
	ck_assert_ptr_eq(conns_oldest(&cs), &slow[1]);
	assert_counts(5, 5);
}
END_TEST

/* A late caller keeps each queue in order. */
START_TEST(test_clock_order)
{
	conns_add(&cs, &c[0], T0);
	conns_add(&cs, &c[1], T0);
	conns_set(&cs, &c[0], CONN_WAITING, T0 + 100);
	conns_set(&cs, &c[1], CONN_WAITING, T0 + 50);
	ck_assert(c[1].since == T0 + 100);
	ck_assert_ptr_eq(conns_oldest(&cs), &c[0]);
}
END_TEST

START_TEST(test_state_str)
{
	ck_assert_str_eq(conn_state_str(CONN_HANDSHAKE), "handshake");
	ck_assert_str_eq(conn_state_str(CONN_WAITING), "waiting");
	ck_assert_str_eq(conn_state_str(CONN_BUSY), "busy");
	ck_assert_str_eq(conn_state_str(CONN_CLOSING), "closing");
	ck_assert_str_eq(conn_state_str(CONN_NSTATES), "unknown");
}
END_TEST

static Suite *
conns_suite(void)
{
	Suite	*s = suite_create("conns");
	TCase	*tc = tcase_create("conns");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_states_and_counts);
	tcase_add_test(tc, test_handshake_deadline);
	tcase_add_test(tc, test_request_deadline);
	tcase_add_test(tc, test_expired_order);
	tcase_add_test(tc, test_oldest);
	tcase_add_test(tc, test_slow_clients_make_room);
	tcase_add_test(tc, test_clock_order);
	tcase_add_test(tc, test_state_str);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(conns_suite());
}
