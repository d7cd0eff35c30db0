/*
 * tz.h - one IANA time zone name turned into what each vendor's phone
 * wants: the POSIX TZ rule from the system's TZif file, and per-vendor
 * renderings of it (offset strings, DST rule syntaxes, field values).
 *
 * The admin names one zone ("Europe/Berlin"); tz_lookup() reads
 * <dir>/<name> (dir is /usr/share/zoneinfo, Debian package tzdata, unless
 * tz_set_dir() changed it), takes the POSIX TZ string from the TZif v2+
 * footer (RFC 8536 3.3) and parses it into struct tz_info. tz_format()
 * then renders one value a vendor template needs. Nothing here allocates:
 * struct tz_info is a plain value the caller owns.
 */
#ifndef PB_TZ_H
#define PB_TZ_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TZ_DEFAULT_DIR	"/usr/share/zoneinfo"
#define TZ_NAME_MAX	64	/* longest tzdata name today is 32 */
#define TZ_POSIX_MAX	128	/* longest tzdata footer today is ~45 */
#define TZ_ABBR_MAX	15	/* POSIX TZNAME_MAX is at least 6 */

/* How a POSIX TZ rule names a day (POSIX.1-2017 8.3, RFC 8536 3.3.1). */
enum tz_rule_kind {
	TZ_RULE_MWD,		/* Mm.w.d: weekday d of week w of month m */
	TZ_RULE_JULIAN1,	/* Jn: day n in 1..365, Feb 29 never counted */
	TZ_RULE_JULIAN0,	/* n: day n in 0..365, Feb 29 counted */
};

struct tz_rule {
	enum tz_rule_kind kind;
	int		 month;	/* MWD: 1..12 */
	int		 week;	/* MWD: 1..5, 5 = the last in the month */
	int		 wday;	/* MWD: 0 = Sunday .. 6 = Saturday */
	int		 day;	/* JULIAN1: 1..365; JULIAN0: 0..365 */
	int		 time;	/* seconds after local midnight, in the time
				   in force before the change; -167h..167h
				   (RFC 8536 3.3.1), default 02:00 */
};

struct tz_info {
	char		 name[TZ_NAME_MAX + 1];	/* as the admin wrote it */
	char		 posix[TZ_POSIX_MAX + 1];	/* the TZif footer */
	char		 std_abbr[TZ_ABBR_MAX + 1];	/* "CET", "+0530" */
	char		 dst_abbr[TZ_ABBR_MAX + 1];	/* "" without DST */
	int		 std_offset;	/* seconds east of UTC: Berlin 3600 */
	int		 dst_offset;	/* seconds east of UTC during DST */
	int		 has_dst;	/* the footer has a DST part */
	struct tz_rule	 start;		/* DST starts (local standard time) */
	struct tz_rule	 end;		/* DST ends (local daylight time) */
	int		 now_offset;	/* seconds east of UTC at `now` */
	int		 now_is_dst;
};

/*
 * One value a vendor template needs. Each style cites the vendor guide
 * its syntax comes from in tz.c. A style that cannot express a zone
 * (a Jn rule, a 30-minute DST shift where the phone only knows hours)
 * makes tz_format() fail rather than emit a wrong clock.
 */
enum tz_style {
	TZ_STYLE_POSIX,			/* "CET-1CEST,M3.5.0,M10.5.0/3" */
	TZ_STYLE_DST_ENABLED,		/* "1" / "0" */
	TZ_STYLE_DST_MINUTES,		/* "60", "0" without DST */
	TZ_STYLE_OFFSET_SECONDS,	/* "3600", "-18000" (Polycom) */
	TZ_STYLE_CISCO_TIME_ZONE,	/* "GMT+01:00", "GMT-05:00" */
	TZ_STYLE_CISCO_DST_RULE,	/* "start=3/-1/7/2;end=...;save=1" */
	TZ_STYLE_GRANDSTREAM_DST_RULE,	/* "3,-1,7,2,0;10,-1,7,3,0;60" */
	TZ_STYLE_YEALINK_TIME_ZONE,	/* "+1", "-5", "+5:30" */
	TZ_STYLE_YEALINK_DST_START,	/* "3/5/7/2" (by week) */
	TZ_STYLE_YEALINK_DST_END,	/* "10/5/7/3" */
	TZ_STYLE_POLYCOM_START_MONTH,	/* tcpIpApp.sntp.daylightSavings.* */
	TZ_STYLE_POLYCOM_START_DATE,
	TZ_STYLE_POLYCOM_START_TIME,
	TZ_STYLE_POLYCOM_START_DOW,
	TZ_STYLE_POLYCOM_START_LAST,
	TZ_STYLE_POLYCOM_STOP_MONTH,
	TZ_STYLE_POLYCOM_STOP_DATE,
	TZ_STYLE_POLYCOM_STOP_TIME,
	TZ_STYLE_POLYCOM_STOP_DOW,
	TZ_STYLE_POLYCOM_STOP_LAST,
	TZ_STYLE_AASTRA_MINUTES,	/* "time zone minutes": west positive */
	TZ_STYLE_AASTRA_START_MONTH,	/* "dst start month" etc. (relative) */
	TZ_STYLE_AASTRA_START_WEEK,
	TZ_STYLE_AASTRA_START_DAY,
	TZ_STYLE_AASTRA_START_HOUR,
	TZ_STYLE_AASTRA_END_MONTH,
	TZ_STYLE_AASTRA_END_WEEK,
	TZ_STYLE_AASTRA_END_DAY,
	TZ_STYLE_AASTRA_END_HOUR,
	TZ_STYLE_FANVIL_TIME_ZONE,	/* "Time Zone": quarter hours, "4" */
	TZ_STYLE_FANVIL_START_MONTH,	/* "DST Start Mon" etc.: 1-12, */
	TZ_STYLE_FANVIL_START_WEEK,	/* week 1-5 (5 = last), */
	TZ_STYLE_FANVIL_START_WDAY,	/* 0 = Sunday..6, hour 0-23 */
	TZ_STYLE_FANVIL_START_HOUR,
	TZ_STYLE_FANVIL_END_MONTH,
	TZ_STYLE_FANVIL_END_WEEK,
	TZ_STYLE_FANVIL_END_WDAY,
	TZ_STYLE_FANVIL_END_HOUR,
	TZ_STYLE_SNOM_TIMEZONE,		/* snom "timezone" id: "GER+1" */
	TZ_STYLE_CISCO_ENTERPRISE_ZONE,	/* 79xx <timeZone>: "Central Europe
					   Standard/Daylight Time" */
	TZ_STYLE_COUNT
};

/*
 * Sets the zoneinfo directory (tests point it at a scratch directory);
 * NULL restores TZ_DEFAULT_DIR. The string is borrowed: it must outlive
 * every later tz_lookup(). Not thread-safe; call it at start-up.
 */
void	tz_set_dir(const char *dir);

/*
 * Checks an IANA name without touching the file system: 1..TZ_NAME_MAX
 * bytes of [A-Za-z0-9_+-/] (so no '.', hence no ".."), no leading '/',
 * no empty component. Returns 0, or -1 with the reason in err.
 */
int	tz_name_check(const char *iana, char *err, size_t errsz);

/*
 * Reads the zone's TZif file, parses its footer and fills out, with
 * now_offset / now_is_dst computed for `now` (from the file's transition
 * table when `now` is before its last transition, from the footer rule
 * after it). Returns 0, or -1 with a message naming the zone and what is
 * wrong (unknown zone, not a TZif file, version 1 without footer,
 * truncated, unparsable rule) in err; out is then undefined.
 */
int	tz_lookup(const char *iana, time_t now, struct tz_info *out,
	    char *err, size_t errsz);

/*
 * Parses a POSIX TZ string (RFC 8536 3.3 with the 3.3.1 extensions) into
 * out's posix, abbreviation, offset and rule fields; name and the now_*
 * fields are left alone. Returns 0, or -1 with the reason in err.
 */
int	tz_posix_parse(const char *s, struct tz_info *out, char *err,
	    size_t errsz);

/*
 * Computes the offset (seconds east of UTC) the POSIX rule in tz puts in
 * force at t; *is_dst (if not NULL) says whether that is daylight time.
 * t is clamped to +-2^55 s (about a billion years) to keep the calendar
 * arithmetic from overflowing.
 */
int	tz_posix_offset(const struct tz_info *tz, time_t t, int *is_dst);
/* Days in month m (1-12) of year y, leap years counted. */
int	tz_month_days(int64_t y, int m);

/*
 * Renders one style into out (NUL-terminated). Returns the length, or -1
 * with the reason in err when the style cannot express this zone or out
 * is too small. The per-field DST styles render "" for a zone without
 * DST. A zone whose DST shift is negative (Europe/Dublin) is rendered as
 * its mirror image with a positive shift, which is what phones model.
 */
int	tz_format(const struct tz_info *tz, enum tz_style style, char *out,
	    size_t outsz, char *err, size_t errsz);

/*
 * The snom_timezone table, for tests and documentation: entry i's snom
 * id (NULL past the end), its IANA name in *iana (borrowed, static).
 * tz_snom_offset() reads the standard offset an id states ("CAN-3.5":
 * -12600 s) into *secs; -1 if the id has no offset tail.
 */
size_t		 tz_snom_count(void);
const char	*tz_snom_entry(size_t i, const char **iana);
int		 tz_snom_offset(const char *id, int *secs);

/*
 * The cisco_enterprise_zone table, for tests and documentation: entry
 * i's Cisco zone name (NULL past the end), the POSIX rule it stands for
 * in *rule and the IANA zone that rule was taken from in *iana (both
 * borrowed, static; either pointer may be NULL).
 */
size_t		 tz_cisco_ent_count(void);
const char	*tz_cisco_ent_entry(size_t i, const char **iana,
		    const char **rule);

/* "posix", "cisco_dst_rule", ...: the style's name for templates and
 * logs; tz_style_from_str() is its inverse (-1 for an unknown name). */
const char	*tz_style_str(enum tz_style style);
int		 tz_style_from_str(const char *name);

#endif /* PB_TZ_H */
