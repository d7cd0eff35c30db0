/*
 * check_tz.c - IANA zone lookup from the system's TZif files, the POSIX
 * TZ parser, the offset in force at a given time, every vendor style
 * for Berlin, New York and Kolkata, the snom id table and the Cisco
 * enterprise zone names.
 *
 * The lookups read the real /usr/share/zoneinfo (package tzdata). A
 * missing zone fails the test with a message saying so: a provisioning
 * box without tzdata cannot set any phone's clock, and a skipped test
 * would hide that. Crafted files go to a scratch directory through
 * tz_set_dir().
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>

#include "testutil.h"

#include "tz.h"

/* Fixed instants (UTC). */
#define T_2024_JAN_15	((time_t)1705320000)	/* 2024-01-15 12:00 */
#define T_2024_JUL_01	((time_t)1719835200)	/* 2024-07-01 12:00 */
#define T_BERLIN_DST_ON	((time_t)1711846800)	/* 2024-03-31 01:00 */
#define T_BERLIN_DST_OFF ((time_t)1729990800)	/* 2024-10-27 01:00 */
#define T_NY_DST_ON	((time_t)1710054000)	/* 2024-03-10 07:00 */
#define T_2018_JAN_15	((time_t)1516017600)	/* 2018-01-15 12:00 */

static void
lookup_ok(const char *zone, time_t now, struct tz_info *tz)
{
	char	 err[256] = "";
	int	 rc = tz_lookup(zone, now, tz, err, sizeof(err));

	ck_assert_msg(rc == 0, "tz_lookup(%s) failed: %s (the Debian package "
	    "tzdata provides " TZ_DEFAULT_DIR "; it must be installed)",
	    zone, err);
}

static void
lookup_fails(const char *zone, const char *needle)
{
	struct tz_info	 tz;
	char		 err[256] = "";

	ck_assert_int_eq(tz_lookup(zone, T_2024_JUL_01, &tz, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, needle) != NULL, "%s: error \"%s\" lacks "
	    "\"%s\"", zone, err, needle);
}

static void
offset_at(const char *zone, time_t now, int off, int dst)
{
	struct tz_info tz;

	lookup_ok(zone, now, &tz);
	ck_assert_msg(tz.now_offset == off && tz.now_is_dst == dst,
	    "%s at %lld: offset %d dst %d, want %d %d", zone, (long long)now,
	    tz.now_offset, tz.now_is_dst, off, dst);
}

START_TEST(test_berlin)
{
	struct tz_info tz;

	lookup_ok("Europe/Berlin", T_2024_JUL_01, &tz);
	ck_assert_str_eq(tz.name, "Europe/Berlin");
	ck_assert_str_eq(tz.posix, "CET-1CEST,M3.5.0,M10.5.0/3");
	ck_assert_str_eq(tz.std_abbr, "CET");
	ck_assert_str_eq(tz.dst_abbr, "CEST");
	ck_assert_int_eq(tz.std_offset, 3600);
	ck_assert_int_eq(tz.dst_offset, 7200);
	ck_assert_int_eq(tz.has_dst, 1);
	ck_assert_int_eq(tz.start.kind, TZ_RULE_MWD);
	ck_assert_int_eq(tz.start.month, 3);
	ck_assert_int_eq(tz.start.week, 5);
	ck_assert_int_eq(tz.start.wday, 0);
	ck_assert_int_eq(tz.start.time, 2 * 3600);
	ck_assert_int_eq(tz.end.month, 10);
	ck_assert_int_eq(tz.end.week, 5);
	ck_assert_int_eq(tz.end.wday, 0);
	ck_assert_int_eq(tz.end.time, 3 * 3600);
	ck_assert_int_eq(tz.now_offset, 7200);
	ck_assert_int_eq(tz.now_is_dst, 1);

	offset_at("Europe/Berlin", T_2024_JAN_15, 3600, 0);
	/* The changes themselves, to the second. */
	offset_at("Europe/Berlin", T_BERLIN_DST_ON - 1, 3600, 0);
	offset_at("Europe/Berlin", T_BERLIN_DST_ON, 7200, 1);
	offset_at("Europe/Berlin", T_BERLIN_DST_OFF - 1, 7200, 1);
	offset_at("Europe/Berlin", T_BERLIN_DST_OFF, 3600, 0);
	/* Far beyond the file's table: the footer rule alone. */
	offset_at("Europe/Berlin", (time_t)4118083200LL, 7200, 1); /* 2100-07 */
	offset_at("Europe/Berlin", (time_t)4105123200LL, 3600, 0); /* 2100-02 */
}
END_TEST

START_TEST(test_new_york)
{
	struct tz_info tz;

	lookup_ok("America/New_York", T_2024_JAN_15, &tz);
	ck_assert_str_eq(tz.posix, "EST5EDT,M3.2.0,M11.1.0");
	ck_assert_int_eq(tz.std_offset, -18000);
	ck_assert_int_eq(tz.dst_offset, -14400);
	ck_assert_int_eq(tz.start.month, 3);
	ck_assert_int_eq(tz.start.week, 2);
	ck_assert_int_eq(tz.end.month, 11);
	ck_assert_int_eq(tz.end.week, 1);
	ck_assert_int_eq(tz.end.time, 2 * 3600);
	ck_assert_int_eq(tz.now_offset, -18000);
	offset_at("America/New_York", T_2024_JUL_01, -14400, 1);
	offset_at("America/New_York", T_NY_DST_ON - 1, -18000, 0);
	offset_at("America/New_York", T_NY_DST_ON, -14400, 1);
	/* A link inside the tree: US/Eastern -> ../America/New_York. */
	lookup_ok("US/Eastern", T_2024_JAN_15, &tz);
	ck_assert_str_eq(tz.posix, "EST5EDT,M3.2.0,M11.1.0");
}
END_TEST

START_TEST(test_no_dst_zones)
{
	struct tz_info tz;

	lookup_ok("Asia/Kolkata", T_2024_JUL_01, &tz);
	ck_assert_str_eq(tz.posix, "IST-5:30");
	ck_assert_int_eq(tz.std_offset, 19800);
	ck_assert_int_eq(tz.has_dst, 0);
	ck_assert_int_eq(tz.now_offset, 19800);
	ck_assert_str_eq(tz.dst_abbr, "");

	/* Brazil dropped DST in 2019: none now, the table still knows. */
	lookup_ok("America/Sao_Paulo", T_2024_JAN_15, &tz);
	ck_assert_str_eq(tz.posix, "<-03>3");
	ck_assert_str_eq(tz.std_abbr, "-03");
	ck_assert_int_eq(tz.has_dst, 0);
	ck_assert_int_eq(tz.now_offset, -10800);
	offset_at("America/Sao_Paulo", T_2018_JAN_15, -7200, 1);

	/* UTC is a link (UTC -> Etc/UTC) on Debian. */
	lookup_ok("UTC", T_2024_JUL_01, &tz);
	ck_assert_str_eq(tz.posix, "UTC0");
	ck_assert_int_eq(tz.std_offset, 0);
	ck_assert_int_eq(tz.now_offset, 0);
}
END_TEST

START_TEST(test_lord_howe)
{
	struct tz_info	 tz;
	char		 out[64], err[256];

	lookup_ok("Australia/Lord_Howe", T_2024_JAN_15, &tz);
	ck_assert_str_eq(tz.posix, "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
	ck_assert_str_eq(tz.std_abbr, "+1030");
	ck_assert_str_eq(tz.dst_abbr, "+11");
	ck_assert_int_eq(tz.std_offset, 37800);
	ck_assert_int_eq(tz.dst_offset, 39600);
	/* Southern hemisphere: DST spans the new year. */
	ck_assert_int_eq(tz.now_offset, 39600);
	ck_assert_int_eq(tz.now_is_dst, 1);
	offset_at("Australia/Lord_Howe", T_2024_JUL_01, 37800, 0);

	ck_assert_int_ge(tz_format(&tz, TZ_STYLE_CISCO_DST_RULE, out,
	    sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "start=10/1/7/2;end=4/1/7/2;save=0:30");
	ck_assert_int_ge(tz_format(&tz, TZ_STYLE_DST_MINUTES, out,
	    sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "30");
	ck_assert_int_ge(tz_format(&tz, TZ_STYLE_YEALINK_TIME_ZONE, out,
	    sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "+10:30");
	/* Polycom phones shift by one hour only: refused, not wrong. */
	ck_assert_int_eq(tz_format(&tz, TZ_STYLE_POLYCOM_START_MONTH, out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "30 minutes"));
}
END_TEST

START_TEST(test_dublin_negative_dst)
{
	struct tz_info	 tz;
	char		 out[64], err[256];

	/* "IST-1GMT0,M10.5.0,M3.5.0/1": winter is the "DST" part. */
	lookup_ok("Europe/Dublin", T_2024_JAN_15, &tz);
	ck_assert_int_eq(tz.std_offset, 3600);
	ck_assert_int_eq(tz.dst_offset, 0);
	ck_assert_int_eq(tz.now_offset, 0);
	offset_at("Europe/Dublin", T_2024_JUL_01, 3600, 0);
	ck_assert_int_ge(tz_format(&tz, TZ_STYLE_CISCO_DST_RULE, out,
	    sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "start=3/-1/7/1;end=10/-1/7/2;save=1");
	ck_assert_int_ge(tz_format(&tz, TZ_STYLE_CISCO_TIME_ZONE, out,
	    sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "GMT");
}
END_TEST

START_TEST(test_bad_names)
{
	char		 long_name[TZ_NAME_MAX + 8];

	lookup_fails("../etc/passwd", "'.'");
	lookup_fails("Europe/../../etc/passwd", "'.'");
	lookup_fails("/etc/localtime", "not a path");
	lookup_fails("Nope/Nowhere", "unknown time zone \"Nope/Nowhere\"");
	lookup_fails("", "empty");
	lookup_fails("Europe//Berlin", "empty path component");
	lookup_fails("Europe/", "empty path component");
	lookup_fails("Europe/Berlin ", "outside");
	lookup_fails("Europe\\Berlin", "outside");
	lookup_fails("Europe", "directory");
	memset(long_name, 'A', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	lookup_fails(long_name, "longer than");
	/* Without touching the file system. */
	ck_assert_int_eq(tz_name_check("Etc/GMT+5", NULL, 0), 0);
	ck_assert_int_eq(tz_name_check("America/Port-au-Prince", NULL, 0), 0);
}
END_TEST

/* A minimal TZif file: one type (UTC, offset off), no transitions. */
static size_t
tzif_make(uint8_t *buf, char version, int32_t off, const char *footer)
{
	size_t	 n = 0;

	for (int part = 0; part < (version == 0 ? 1 : 2); part++) {
		memcpy(buf + n, "TZif", 4);
		buf[n + 4] = (uint8_t)version;
		memset(buf + n + 5, 0, 39);
		buf[n + 39] = 1;		/* typecnt */
		buf[n + 43] = 4;		/* charcnt */
		n += 44;
		buf[n++] = (uint8_t)(off >> 24);	/* ttinfo */
		buf[n++] = (uint8_t)(off >> 16);
		buf[n++] = (uint8_t)(off >> 8);
		buf[n++] = (uint8_t)off;
		buf[n++] = 0;
		buf[n++] = 0;
		memcpy(buf + n, "UTC", 4);
		n += 4;
	}
	if (footer != NULL) {
		size_t fl = strlen(footer);

		memcpy(buf + n, footer, fl);
		n += fl;
	}
	return n;
}

static void
write_bytes(const char *dir, const char *name, const uint8_t *b, size_t n)
{
	char	*path;
	FILE	*f;

	ck_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	ck_assert_ptr_nonnull(f = fopen(path, "wb"));
	ck_assert_uint_eq(fwrite(b, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
	free(path);
}

START_TEST(test_crafted_files)
{
	char		*dir = tu_mkdtemp(), *sub, *path;
	uint8_t		 buf[4096];
	size_t		 n;
	struct tz_info	 tz;
	char		 err[256];

	ck_assert(asprintf(&sub, "%s/Fake", dir) > 0);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	tz_set_dir(dir);

	/* A well-formed v2 file is accepted, so the refusals below are
	 * about what they change. */
	n = tzif_make(buf, '2', 0, "\nUTC0\n");
	write_bytes(dir, "Fake/Good", buf, n);
	ck_assert_int_eq(tz_lookup("Fake/Good", T_2024_JUL_01, &tz, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(tz.posix, "UTC0");

	/* Version 1: no footer at all (RFC 8536 3.3). */
	n = tzif_make(buf, 0, 0, NULL);
	write_bytes(dir, "Fake/V1", buf, n);
	lookup_fails("Fake/V1", "version 1");

	/* Truncated: a real file cut short, and a footer cut short. */
	n = tzif_make(buf, '2', 0, "\nUTC0\n");
	write_bytes(dir, "Fake/Trunc", buf, 60);
	lookup_fails("Fake/Trunc", "truncated");
	write_bytes(dir, "Fake/NoNL", buf, n - 1);
	lookup_fails("Fake/NoNL", "truncated");
	write_bytes(dir, "Fake/Short", buf, 10);
	lookup_fails("Fake/Short", "truncated");

	/* Not TZif; a bad footer rule; an empty footer. */
	write_bytes(dir, "Fake/Text", (const uint8_t *)"hello world\n", 12);
	lookup_fails("Fake/Text", "not a TZif file");
	n = tzif_make(buf, '2', 0, "\nCET-25\n");
	write_bytes(dir, "Fake/BadRule", buf, n);
	lookup_fails("Fake/BadRule", "footer rule");
	n = tzif_make(buf, '3', 0, "\n\n");
	write_bytes(dir, "Fake/Empty", buf, n);
	lookup_fails("Fake/Empty", "empty footer");
	n = tzif_make(buf, '2', INT32_MIN, "\nUTC0\n");
	write_bytes(dir, "Fake/BadType", buf, n);
	lookup_fails("Fake/BadType", "local time type");

	/* Links: inside the tree followed, out of it or absolute refused. */
	ck_assert(asprintf(&path, "%s/Alias", dir) > 0);
	ck_assert_int_eq(symlink("Fake/Good", path), 0);
	free(path);
	ck_assert_int_eq(tz_lookup("Alias", T_2024_JUL_01, &tz, err,
	    sizeof(err)), 0);
	ck_assert(asprintf(&path, "%s/Fake/Escape", dir) > 0);
	ck_assert_int_eq(symlink("../../../../../../etc/passwd", path), 0);
	free(path);
	lookup_fails("Fake/Escape", "outside");
	ck_assert(asprintf(&path, "%s/Fake/Abs", dir) > 0);
	ck_assert_int_eq(symlink("/usr/share/zoneinfo/UTC", path), 0);
	free(path);
	lookup_fails("Fake/Abs", "absolute");
	ck_assert(asprintf(&path, "%s/Fake/Loop", dir) > 0);
	ck_assert_int_eq(symlink("Loop", path), 0);
	free(path);
	lookup_fails("Fake/Loop", "links");
	/* A FIFO must not block the lookup. */
	ck_assert(asprintf(&path, "%s/Fake/Fifo", dir) > 0);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	free(path);
	lookup_fails("Fake/Fifo", "not a zone");

	tz_set_dir("/nonexistent-zoneinfo");
	lookup_fails("UTC", "tzdata");
	tz_set_dir(NULL);
	free(sub);
	tu_rmtree(dir);
}
END_TEST

static void
posix_fails(const char *s, const char *needle)
{
	struct tz_info	 tz;
	char		 err[256] = "";

	memset(&tz, 0, sizeof(tz));
	ck_assert_msg(tz_posix_parse(s, &tz, err, sizeof(err)) == -1,
	    "\"%s\" accepted", s);
	ck_assert_msg(strstr(err, needle) != NULL, "\"%s\": error \"%s\" "
	    "lacks \"%s\"", s, err, needle);
}

START_TEST(test_posix_hostile)
{
	char long_rule[TZ_POSIX_MAX + 16];

	posix_fails("", "empty");
	posix_fails("<", "quoted");
	posix_fails("<+0530", "quoted");
	posix_fails("<>0", "at least 3");
	posix_fails("<a b>0", "quoted");
	posix_fails("CE-1", "at least 3");
	posix_fails("CET", "offset expected");
	posix_fails("CET-25", "hours out of range");
	posix_fails("CET-1:60", "minutes out of range");
	posix_fails("CET-1:00:99", "seconds out of range");
	posix_fails("CET-99999999999", "too long");
	posix_fails("J0", "at least 3");
	posix_fails("M13.5.0", "at least 3");
	posix_fails("CET-1CEST", "start rule");
	posix_fails("CET-1CEST,M3.5.0", "end rule");
	posix_fails("CET-1CEST,M13.5.0,M10.5.0/3", "month");
	posix_fails("CET-1CEST,M0.5.0,M10.5.0/3", "month");
	posix_fails("CET-1CEST,M3.6.0,M10.5.0/3", "week");
	posix_fails("CET-1CEST,M3.0.0,M10.5.0/3", "week");
	posix_fails("CET-1CEST,M3.5.7,M10.5.0/3", "weekday");
	posix_fails("CET-1CEST,M3.5,M10.5.0/3", "Mm.w.d");
	posix_fails("CET-1CEST,J0,J365", "1..365");
	posix_fails("CET-1CEST,J366,J1", "1..365");
	posix_fails("CET-1CEST,366,1", "0..365");
	posix_fails("CET-1CEST,M3.5.0/168,M10.5.0", "hours out of range");
	posix_fails("CET-1CEST,M3.5.0,M10.5.0/3x", "end of TZ string");
	posix_fails("CET-1CEST,X,M10.5.0", "Mm.w.d, Jn or n");
	memset(long_rule, 'A', sizeof(long_rule) - 1);
	long_rule[sizeof(long_rule) - 1] = '\0';
	posix_fails(long_rule, "longer than");
}
END_TEST

START_TEST(test_posix_forms)
{
	struct tz_info	 tz;
	char		 err[256], out[96];
	int		 dst;

	memset(&tz, 0, sizeof(tz));
	/* RFC 8536 3.3.1: times beyond 24 h and negative. */
	ck_assert_int_eq(tz_posix_parse("<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
	    &tz, err, sizeof(err)), 0);
	ck_assert_int_eq(tz.std_offset, -7200);
	ck_assert_int_eq(tz.dst_offset, -3600);
	ck_assert_int_eq(tz.start.time, -3600);
	ck_assert_int_eq(tz_posix_offset(&tz, T_2024_JUL_01, &dst), -3600);
	ck_assert_int_eq(dst, 1);
	/* Cisco takes 0-23 h only: refused rather than shifted. */
	ck_assert_int_eq(tz_format(&tz, TZ_STYLE_CISCO_DST_RULE, out,
	    sizeof(out), err, sizeof(err)), -1);

	/* RFC 8536 3.3.1's example: DST all year. */
	ck_assert_int_eq(tz_posix_parse("EST5EDT4,0/0,J365/25", &tz, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(tz.start.kind, TZ_RULE_JULIAN0);
	ck_assert_int_eq(tz.end.kind, TZ_RULE_JULIAN1);
	ck_assert_int_eq(tz.end.time, 25 * 3600);
	ck_assert_int_eq(tz_posix_offset(&tz, T_2024_JAN_15, &dst), -14400);
	ck_assert_int_eq(dst, 1);
	ck_assert_int_eq(tz_posix_offset(&tz, (time_t)1704085200, &dst),
	    -14400);	/* 2024-01-01 05:00 UTC, local midnight */
	ck_assert_int_eq(dst, 1);

	/* Jn: a fixed date; Cisco's weekday 0 form expresses it. */
	ck_assert_int_eq(tz_posix_parse("XXX0YYY,J60/2,J300/2", &tz, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(tz.dst_offset, 3600);
	ck_assert_int_ge(tz_format(&tz, TZ_STYLE_CISCO_DST_RULE, out,
	    sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "start=3/1/0/2;end=10/27/0/2;save=1");
	ck_assert_int_eq(tz_format(&tz, TZ_STYLE_POLYCOM_START_MONTH, out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "day-of-year"));
	ck_assert_int_eq(tz_format(&tz, TZ_STYLE_YEALINK_DST_START, out,
	    sizeof(out), err, sizeof(err)), -1);

	/* Seconds and explicit '+'. */
	ck_assert_int_eq(tz_posix_parse("<+0530>-5:30", &tz, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(tz.std_offset, 19800);
	ck_assert_int_eq(tz_posix_parse("LMT+0:17:30", &tz, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(tz.std_offset, -1050);
	ck_assert_int_eq(tz_format(&tz, TZ_STYLE_CISCO_TIME_ZONE, out,
	    sizeof(out), err, sizeof(err)), -1);
}
END_TEST

struct style_case {
	enum tz_style	 style;
	const char	*berlin, *new_york, *kolkata;
};

static const struct style_case style_cases[] = {
	{ TZ_STYLE_POSIX, "CET-1CEST,M3.5.0,M10.5.0/3",
	    "EST5EDT,M3.2.0,M11.1.0", "IST-5:30" },
	{ TZ_STYLE_DST_ENABLED, "1", "1", "0" },
	{ TZ_STYLE_DST_MINUTES, "60", "60", "0" },
	{ TZ_STYLE_OFFSET_SECONDS, "3600", "-18000", "19800" },
	{ TZ_STYLE_CISCO_TIME_ZONE, "GMT+01:00", "GMT-05:00", "GMT+05:30" },
	{ TZ_STYLE_CISCO_DST_RULE, "start=3/-1/7/2;end=10/-1/7/3;save=1",
	    "start=3/8/7/2;end=11/1/7/2;save=1", "" },
	{ TZ_STYLE_GRANDSTREAM_DST_RULE, "3,-1,7,2,0;10,-1,7,3,0;60",
	    "3,2,7,2,0;11,1,7,2,0;60", "" },
	{ TZ_STYLE_YEALINK_TIME_ZONE, "+1", "-5", "+5:30" },
	{ TZ_STYLE_YEALINK_DST_START, "3/5/7/2", "3/2/7/2", "" },
	{ TZ_STYLE_YEALINK_DST_END, "10/5/7/3", "11/1/7/2", "" },
	{ TZ_STYLE_POLYCOM_START_MONTH, "3", "3", "" },
	{ TZ_STYLE_POLYCOM_START_DATE, "1", "8", "" },
	{ TZ_STYLE_POLYCOM_START_TIME, "2", "2", "" },
	{ TZ_STYLE_POLYCOM_START_DOW, "1", "1", "" },
	{ TZ_STYLE_POLYCOM_START_LAST, "1", "0", "" },
	{ TZ_STYLE_POLYCOM_STOP_MONTH, "10", "11", "" },
	{ TZ_STYLE_POLYCOM_STOP_DATE, "1", "1", "" },
	{ TZ_STYLE_POLYCOM_STOP_TIME, "3", "2", "" },
	{ TZ_STYLE_POLYCOM_STOP_DOW, "1", "1", "" },
	{ TZ_STYLE_POLYCOM_STOP_LAST, "1", "0", "" },
	{ TZ_STYLE_AASTRA_MINUTES, "-60", "300", "-330" },
	{ TZ_STYLE_AASTRA_START_MONTH, "3", "3", "" },
	{ TZ_STYLE_AASTRA_START_WEEK, "-1", "2", "" },
	{ TZ_STYLE_AASTRA_START_DAY, "1", "1", "" },
	{ TZ_STYLE_AASTRA_START_HOUR, "2", "2", "" },
	{ TZ_STYLE_AASTRA_END_MONTH, "10", "11", "" },
	{ TZ_STYLE_AASTRA_END_WEEK, "-1", "1", "" },
	{ TZ_STYLE_AASTRA_END_DAY, "1", "1", "" },
	{ TZ_STYLE_AASTRA_END_HOUR, "3", "2", "" },
	{ TZ_STYLE_FANVIL_TIME_ZONE, "4", "-20", "22" },
	{ TZ_STYLE_FANVIL_START_MONTH, "3", "3", "" },
	{ TZ_STYLE_FANVIL_START_WEEK, "5", "2", "" },
	{ TZ_STYLE_FANVIL_START_WDAY, "0", "0", "" },
	{ TZ_STYLE_FANVIL_START_HOUR, "2", "2", "" },
	{ TZ_STYLE_FANVIL_END_MONTH, "10", "11", "" },
	{ TZ_STYLE_FANVIL_END_WEEK, "5", "1", "" },
	{ TZ_STYLE_FANVIL_END_WDAY, "0", "0", "" },
	{ TZ_STYLE_FANVIL_END_HOUR, "3", "2", "" },
	{ TZ_STYLE_SNOM_TIMEZONE, "GER+1", "USA-5", "IND+5.5" },
	{ TZ_STYLE_CISCO_ENTERPRISE_ZONE,
	    "Central Europe Standard/Daylight Time",
	    "Eastern Standard/Daylight Time", "India Standard Time" },
};
#define NSTYLE_CASES (sizeof(style_cases) / sizeof(style_cases[0]))

START_TEST(test_vendor_styles)
{
	struct tz_info	 z[3];
	const char	*names[3] = { "Europe/Berlin", "America/New_York",
	    "Asia/Kolkata" };
	char		 out[128], err[256];
	int		 seen[TZ_STYLE_COUNT] = { 0 };

	for (int i = 0; i < 3; i++)
		lookup_ok(names[i], T_2024_JUL_01, &z[i]);
	for (size_t c = 0; c < NSTYLE_CASES; c++) {
		const struct style_case *sc = &style_cases[c];
		const char *want[3] = { sc->berlin, sc->new_york,
		    sc->kolkata };

		seen[sc->style] = 1;
		for (int i = 0; i < 3; i++) {
			int n = tz_format(&z[i], sc->style, out, sizeof(out),
			    err, sizeof(err));

			ck_assert_msg(n == (int)strlen(want[i]) &&
			    strcmp(out, want[i]) == 0, "%s %s: got %d \"%s\" "
			    "(%s), want \"%s\"", names[i],
			    tz_style_str(sc->style), n, n >= 0 ? out : "", err,
			    want[i]);
		}
	}
	/* Every style has a case, and its name round-trips. */
	for (int s = 0; s < TZ_STYLE_COUNT; s++) {
		ck_assert_msg(seen[s], "style %s untested", tz_style_str(s));
		ck_assert_int_eq(tz_style_from_str(tz_style_str(s)), s);
	}
	ck_assert_int_eq(tz_style_from_str("snom"), -1);
	ck_assert_int_eq(tz_style_from_str("snom_timezone"),
	    TZ_STYLE_SNOM_TIMEZONE);
	ck_assert_str_eq(tz_style_str(TZ_STYLE_COUNT), "unknown");
	ck_assert_int_eq(tz_format(&z[0], TZ_STYLE_COUNT, out, sizeof(out),
	    err, sizeof(err)), -1);
	/* Too small a buffer is an error, not a cut value. */
	ck_assert_int_eq(tz_format(&z[0], TZ_STYLE_POSIX, out, 8, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "does not fit"));
}
END_TEST

/*
 * The snom id table: sorted, every id's offset tail readable, and every
 * zone, looked up in the system's tzdata, rendered as its id (which
 * also proves the id states the zone's standard offset today). The
 * backward-compatible names (Europe/Kiev, Asia/Calcutta,
 * America/Montreal) move to tzdata-legacy in newer Debian releases, so
 * only those may be absent.
 */
START_TEST(test_snom_ids)
{
	struct tz_info	 tz;
	const char	*iana, *prev = "", *id;
	char		 out[32], err[256], path[256];
	int		 secs, absent = 0;

	ck_assert_uint_gt(tz_snom_count(), 50);
	for (size_t i = 0; (id = tz_snom_entry(i, &iana)) != NULL; i++) {
		ck_assert_msg(strcmp(prev, iana) < 0, "%s after %s: the "
		    "table must be sorted", iana, prev);
		prev = iana;
		ck_assert_msg(tz_snom_offset(id, &secs) == 0, "%s: id %s has "
		    "no offset", iana, id);
		snprintf(path, sizeof(path), TZ_DEFAULT_DIR "/%s", iana);
		if (access(path, R_OK) != 0 && (strcmp(iana,
		    "Europe/Kiev") == 0 || strcmp(iana, "Asia/Calcutta") == 0 ||
		    strcmp(iana, "America/Montreal") == 0)) {
			absent++;
			continue;
		}
		lookup_ok(iana, T_2024_JUL_01, &tz);
		ck_assert_msg(tz_format(&tz, TZ_STYLE_SNOM_TIMEZONE, out,
		    sizeof(out), err, sizeof(err)) == (int)strlen(id) &&
		    strcmp(out, id) == 0, "%s: want %s: %s", iana, id, err);
	}
	ck_assert_int_le(absent, 3);
	ck_assert_ptr_null(tz_snom_entry(tz_snom_count(), NULL));

	/* Southern hemisphere and Dublin's mirrored rule. */
	lookup_ok("Australia/Sydney", T_2024_JAN_15, &tz);
	ck_assert_int_eq(tz_format(&tz, TZ_STYLE_SNOM_TIMEZONE, out,
	    sizeof(out), err, sizeof(err)), 6);
	ck_assert_str_eq(out, "AUS+10");
	lookup_ok("Europe/Dublin", T_2024_JAN_15, &tz);
	ck_assert_int_ge(tz_format(&tz, TZ_STYLE_SNOM_TIMEZONE, out,
	    sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "IRL-0");

	/* Offsets: fractions are hundredths of an hour. */
	ck_assert_int_eq(tz_snom_offset("CAN-3.5", &secs), 0);
	ck_assert_int_eq(secs, -12600);
	ck_assert_int_eq(tz_snom_offset("NZL+12.75", &secs), 0);
	ck_assert_int_eq(secs, 45900);
	ck_assert_int_eq(tz_snom_offset("AUS2+9.5", &secs), 0);
	ck_assert_int_eq(secs, 34200);
	ck_assert_int_eq(tz_snom_offset("GBR-0", &secs), 0);
	ck_assert_int_eq(secs, 0);
	ck_assert_int_eq(tz_snom_offset("GER", &secs), -1);
	ck_assert_int_eq(tz_snom_offset("GER+", &secs), -1);
	ck_assert_int_eq(tz_snom_offset("GER+1x", &secs), -1);
	ck_assert_int_eq(tz_snom_offset("GER+1.", &secs), -1);

	/* A zone the sources disagree on, and one with no id. */
	lookup_ok("Asia/Shanghai", T_2024_JUL_01, &tz);
	ck_assert_int_eq(tz_format(&tz, TZ_STYLE_SNOM_TIMEZONE, out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Asia/Shanghai"));
	ck_assert_ptr_nonnull(strstr(err, "no snom timezone id"));
	lookup_ok("Etc/UTC", T_2024_JUL_01, &tz);
	ck_assert_int_eq(tz_format(&tz, TZ_STYLE_SNOM_TIMEZONE, out,
	    sizeof(out), err, sizeof(err)), -1);

	/* A listed name whose rule no longer matches its id is refused. */
	ck_assert_int_eq(tz_posix_parse("EET-2EEST,M3.5.0/3,M10.5.0/4", &tz,
	    err, sizeof(err)), 0);
	snprintf(tz.name, sizeof(tz.name), "Europe/Berlin");
	ck_assert_int_eq(tz_format(&tz, TZ_STYLE_SNOM_TIMEZONE, out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "GER+1"));
}
END_TEST

/*
 * The Cisco enterprise <timeZone> table: every rule parses and is the
 * one tzdata has today for the zone it was read from, that zone renders
 * as its name, and no two entries share a rule. Other zones with the
 * same rule get the same name; a rule not listed is refused.
 */
START_TEST(test_cisco_enterprise_zones)
{
	struct tz_info	 tz;
	const char	*iana, *rule, *name, *iana2, *rule2;
	char		 out[64], err[256];

	ck_assert_uint_ge(tz_cisco_ent_count(), 20);
	for (size_t i = 0; (name = tz_cisco_ent_entry(i, &iana, &rule)) !=
	    NULL; i++) {
		lookup_ok(iana, T_2024_JUL_01, &tz);
		ck_assert_msg(strcmp(tz.posix, rule) == 0, "%s: tzdata has "
		    "\"%s\", the table \"%s\"", iana, tz.posix, rule);
		ck_assert_msg(tz_format(&tz, TZ_STYLE_CISCO_ENTERPRISE_ZONE,
		    out, sizeof(out), err, sizeof(err)) == (int)strlen(name) &&
		    strcmp(out, name) == 0, "%s: want %s: %s", iana, name,
		    err);
		for (size_t j = i + 1; tz_cisco_ent_entry(j, &iana2, &rule2) !=
		    NULL; j++)
			ck_assert_msg(strcmp(rule, rule2) != 0, "%s and %s "
			    "share a rule", iana, iana2);
	}
	ck_assert_ptr_null(tz_cisco_ent_entry(tz_cisco_ent_count(), NULL,
	    NULL));

	/* Same rule, another name: by rule, abbreviations aside. */
	lookup_ok("Europe/Berlin", T_2024_JUL_01, &tz);
	ck_assert_int_ge(tz_format(&tz, TZ_STYLE_CISCO_ENTERPRISE_ZONE, out,
	    sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "Central Europe Standard/Daylight Time");
	lookup_ok("America/Phoenix", T_2024_JUL_01, &tz);
	ck_assert_int_ge(tz_format(&tz, TZ_STYLE_CISCO_ENTERPRISE_ZONE, out,
	    sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "US Mountain Standard Time");
	lookup_ok("Etc/UTC", T_2024_JUL_01, &tz);
	ck_assert_int_ge(tz_format(&tz, TZ_STYLE_CISCO_ENTERPRISE_ZONE, out,
	    sizeof(out), err, sizeof(err)), 0);
	ck_assert_str_eq(out, "Greenwich Standard Time");
	ck_assert_int_eq(tz_style_from_str("cisco_enterprise_zone"),
	    TZ_STYLE_CISCO_ENTERPRISE_ZONE);

	/* Southern DST and a half-hour zone with DST left out: refused. */
	lookup_ok("Australia/Sydney", T_2024_JAN_15, &tz);
	ck_assert_int_eq(tz_format(&tz, TZ_STYLE_CISCO_ENTERPRISE_ZONE, out,
	    sizeof(out), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Australia/Sydney"));
	ck_assert_ptr_nonnull(strstr(err, "no Cisco enterprise"));
	/* Same offset as Central Europe, US dates: refused, not guessed. */
	ck_assert_int_eq(tz_posix_parse("CET-1CEST,M3.2.0,M11.1.0", &tz, err,
	    sizeof(err)), 0);
	snprintf(tz.name, sizeof(tz.name), "Test/Zone");
	ck_assert_int_eq(tz_format(&tz, TZ_STYLE_CISCO_ENTERPRISE_ZONE, out,
	    sizeof(out), err, sizeof(err)), -1);
}
END_TEST

static Suite *
tz_suite(void)
{
	Suite	*s = suite_create("tz");
	TCase	*tc = tcase_create("tz");

	tcase_add_test(tc, test_berlin);
	tcase_add_test(tc, test_new_york);
	tcase_add_test(tc, test_no_dst_zones);
	tcase_add_test(tc, test_lord_howe);
	tcase_add_test(tc, test_dublin_negative_dst);
	tcase_add_test(tc, test_bad_names);
	tcase_add_test(tc, test_crafted_files);
	tcase_add_test(tc, test_posix_hostile);
	tcase_add_test(tc, test_posix_forms);
	tcase_add_test(tc, test_vendor_styles);
	tcase_add_test(tc, test_snom_ids);
	tcase_add_test(tc, test_cisco_enterprise_zones);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(tz_suite());
}
