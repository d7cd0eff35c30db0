/*
 * check_enroll.c - the enrollment records, events and state machine
 * (common/enroll.h, the registry's enroll, fa_tokens and history tables).
 */
#include "config.h"

#include "testutil.h"

#include "enroll.h"
#include "registry.h"

START_TEST(test_state_names)
{
	ck_assert_str_eq(enroll_state_str(ENROLL_NEW), "new");
	ck_assert_str_eq(enroll_state_str(ENROLL_SUSPECT), "suspect");
	ck_assert_str_eq(enroll_state_str(ENROLL_STATE_COUNT), "unknown");
}
END_TEST

static Suite *
enroll_suite(void)
{
	Suite	*s = suite_create("enroll");
	TCase	*tc = tcase_create("enroll");

	tcase_add_test(tc, test_state_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(enroll_suite());
}
