/*
 * check_log.c - levels, the test sink, rate limits, escaping, redaction,
 * held stderr output.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#include "log.h"

static char		last[2048];
static enum log_level	last_level;
static int		nmsgs;

static void
sink(enum log_level level, const char *msg, void *arg)
{
	(void)arg;
	snprintf(last, sizeof(last), "%s", msg);
	last_level = level;
	nmsgs++;
}

static void
setup(void)
{
	log_init("check_log", 1, PB_LOG_INFO);
	log_set_sink(sink, NULL);
	last[0] = '\0';
	nmsgs = 0;
}

START_TEST(test_levels)
{
	log_debug("hidden %d", 1);
	ck_assert_int_eq(nmsgs, 0);
	log_info("shown %d", 2);
	ck_assert_int_eq(nmsgs, 1);
	ck_assert_str_eq(last, "shown 2");
	ck_assert_int_eq(last_level, PB_LOG_INFO);
	log_set_level(PB_LOG_DEBUG);
	log_debug("now %s", "visible");
	ck_assert_str_eq(last, "now visible");
	log_set_level(PB_LOG_WARNING);
	log_notice("dropped");
	ck_assert_str_eq(last, "now visible");
}
END_TEST

START_TEST(test_warn_appends_errno)
{
	errno = ENOENT;
	log_warn("open %s", "/x");
	ck_assert_str_eq(last, "open /x: No such file or directory");
	ck_assert_int_eq(errno, ENOENT);	/* logging keeps errno */
	log_warnx("plain");
	ck_assert_str_eq(last, "plain");
}
END_TEST

START_TEST(test_level_names)
{
	enum log_level l;

	ck_assert_int_eq(log_level_parse("debug", &l), 0);
	ck_assert_int_eq(l, PB_LOG_DEBUG);
	ck_assert_int_eq(log_level_parse("WARNING", &l), 0);
	ck_assert_int_eq(l, PB_LOG_WARNING);
	ck_assert_int_eq(log_level_parse("verbose", &l), -1);
	ck_assert_str_eq(log_level_str(PB_LOG_ERR), "error");
	ck_assert_int_ge(log_facility_parse("local7"), 0);
	ck_assert_int_eq(log_facility_parse("kernel"), -1);
}
END_TEST

START_TEST(test_ratelimit_window)
{
	struct log_ratelimit	rl = LOG_RATELIMIT_INIT(3, 10);
	unsigned long		rep = 99;

	/* Three pass, the rest of the window is counted, not logged. */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(log_ratelimit_allow(&rl, 100, &rep), 1);
		ck_assert_uint_eq(rep, 0);
	}
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(log_ratelimit_allow(&rl, 105, &rep), 0);
	/* The next window's first message reports the five dropped. */
	ck_assert_int_eq(log_ratelimit_allow(&rl, 110, &rep), 1);
	ck_assert_uint_eq(rep, 5);
	ck_assert_int_eq(log_ratelimit_allow(&rl, 111, &rep), 1);
	ck_assert_uint_eq(rep, 0);
	/* A clock that steps back starts a new window, not a stall. */
	ck_assert_int_eq(log_ratelimit_allow(&rl, 50, &rep), 1);
}
END_TEST

START_TEST(test_warnx_rl_floods)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(2, 3600);

	for (int i = 0; i < 1000; i++)
		log_warnx_rl(&rl, "bad packet %d", i);
	ck_assert_int_eq(nmsgs, 2);
	ck_assert_str_eq(last, "bad packet 1");
}
END_TEST

START_TEST(test_ratelimit_configured)
{
	struct log_ratelimit	rl = LOG_RATELIMIT_CONFIGURED;
	unsigned long		rep;

	/* log.warn_burst = 2, warn_interval = 30, as a daemon applies it. */
	log_set_ratelimit(2, 30);
	ck_assert_int_eq(log_ratelimit_allow(&rl, 100, &rep), 1);
	ck_assert_int_eq(log_ratelimit_allow(&rl, 101, &rep), 1);
	ck_assert_int_eq(log_ratelimit_allow(&rl, 102, &rep), 0);
	ck_assert_int_eq(log_ratelimit_allow(&rl, 129, &rep), 0);
	ck_assert_int_eq(log_ratelimit_allow(&rl, 130, &rep), 1);
	ck_assert_uint_eq(rep, 2);
	log_set_ratelimit(10, 60);
}
END_TEST

START_TEST(test_escape)
{
	char	buf[64];
	char	small[10];

	log_escape(buf, sizeof(buf), "ok-host", 7);
	ck_assert_str_eq(buf, "ok-host");
	log_escape(buf, sizeof(buf), "a\0b\n\x1b[31m\"\\", 11);
	ck_assert_str_eq(buf, "a\\x00b\\x0a\\x1b[31m\\\"\\\\");
	log_escape(buf, sizeof(buf), "\xff\x80", 2);
	ck_assert_str_eq(buf, "\\xff\\x80");
	/* Cut with a marker, never an escape split in half. */
	log_escape(small, sizeof(small), "abcdefghijklmnop", 16);
	ck_assert_str_eq(small, "abcdef...");
	log_escape(small, sizeof(small), "\x01\x02\x03", 3);
	ck_assert_str_eq(small, "\\x01...");
	log_escape(small, sizeof(small), "abcdefghi", 9);
	ck_assert_str_eq(small, "abcdefghi");
	log_escape(buf, sizeof(buf), "", 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_redact)
{
	char	buf[32];

	ck_assert_str_eq(log_redact(buf, sizeof(buf),
	    "AbCdEfGhIjKlMnOpQrStUvWxYz012345"), "AbCd...(32)");
	ck_assert_str_eq(log_redact(buf, sizeof(buf), "secret"), "...(6)");
	ck_assert_str_eq(log_redact(buf, sizeof(buf), ""), "(none)");
	ck_assert_str_eq(log_redact(buf, sizeof(buf), NULL), "(none)");
}
END_TEST


/* Held output: stderr goes to a file this test reads back. */
static int	held_calls;
static FILE	*errf;

static void
on_held(void *arg)
{
	(void)arg;
	held_calls++;
}

static void
hold_setup(void)
{
	log_init("check_log", 1, PB_LOG_INFO);
	log_set_sink(NULL, NULL);
	ck_assert_ptr_nonnull(errf = tmpfile());
	ck_assert_int_eq(dup2(fileno(errf), STDERR_FILENO), STDERR_FILENO);
	held_calls = 0;
}

/* What stderr holds so far. */
static const char *
err_text(void)
{
	static char	buf[65536];
	size_t		n;

	rewind(errf);
	n = fread(buf, 1, sizeof(buf) - 1, errf);
	buf[n] = '\0';
	return buf;
}

START_TEST(test_hold_until_flush)
{
	const char	*t;

	log_hold(on_held, NULL);
	log_info("first %d", 1);
	log_info("second %d", 2);
	ck_assert_int_eq(held_calls, 1);	/* once per empty buffer */
	ck_assert_str_eq(err_text(), "");
	log_flush();
	t = err_text();
	ck_assert_ptr_nonnull(strstr(t, "check_log[info]: first 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "check_log[info]: second 2\n"));
	ck_assert(strstr(t, "first 1") < strstr(t, "second 2"));
	log_info("third");
	ck_assert_int_eq(held_calls, 2);
	log_hold(NULL, NULL);			/* ends holding: written */
	ck_assert_ptr_nonnull(strstr(err_text(), "third\n"));
	log_info("fourth");			/* not held any more */
	ck_assert_ptr_nonnull(strstr(err_text(), "fourth\n"));
}
END_TEST

START_TEST(test_hold_warning_writes_at_once)
{
	const char	*t;

	log_hold(on_held, NULL);
	log_info("before");
	log_warnx("trouble");
	t = err_text();
	ck_assert_ptr_nonnull(strstr(t, "before\n"));
	ck_assert_ptr_nonnull(strstr(t, "check_log[warning]: trouble\n"));
	ck_assert(strstr(t, "before") < strstr(t, "trouble"));
	log_hold(NULL, NULL);
}
END_TEST

START_TEST(test_hold_full_buffer)
{
	const char	*t, *prev;
	char		 want[32];

	/* 400 lines of about 60 bytes: more than the 16 KiB held. */
	log_hold(on_held, NULL);
	for (int i = 0; i < 400; i++)
		log_info("line %03d padding-padding-padding", i);
	ck_assert_str_ne(err_text(), "");	/* some went out already */
	log_flush();
	t = err_text();
	prev = t;
	for (int i = 0; i < 400; i++) {
		snprintf(want, sizeof(want), "line %03d ", i);
		ck_assert_msg((t = strstr(prev, want)) != NULL, "%s lost or "
		    "out of order", want);
		prev = t;
	}
	log_hold(NULL, NULL);
}
END_TEST

static Suite *
log_suite(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_warn_appends_errno);
	tcase_add_test(tc, test_level_names);
	tcase_add_test(tc, test_ratelimit_window);
	tcase_add_test(tc, test_warnx_rl_floods);
	tcase_add_test(tc, test_ratelimit_configured);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_redact);
	suite_add_tcase(s, tc);

	tc = tcase_create("hold");
	tcase_add_checked_fixture(tc, hold_setup, NULL);
	tcase_add_test(tc, test_hold_until_flush);
	tcase_add_test(tc, test_hold_warning_writes_at_once);
	tcase_add_test(tc, test_hold_full_buffer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(log_suite());
}
