/*
 * tz_format.c - a zone (tz.h: its POSIX rule, read from tzdata) in each
 * vendor's syntax: the values vendor templates put in their time zone
 * and daylight saving settings.
 *
 * A style that cannot express a zone says why (tz_format() returns -1)
 * rather than giving a phone a wrong clock.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tz.h"

/*
 * Vendor renderings. Each style names the guide its syntax comes from.
 * Left out, for want of a guide found for this work (no guessing):
 *  - Yealink local_time.time_zone_name ("Germany(Berlin)"): the name
 *    list was not found; the offset plus an explicit DST rule
 *    (summer_time 1, dst_time_type 1) needs no name.
 *  - Aastra/Mitel "time zone name" codes ("US-Eastern"): the code table
 *    (Appendix A) was not reachable; the "Custom" fields below are.
 *  - Fanvil and Gigaset: no admin guide with the time zone keys found.
 */
static const char *const tz_style_names[TZ_STYLE_COUNT] = {
	[TZ_STYLE_POSIX] = "posix",
	[TZ_STYLE_DST_ENABLED] = "dst_enabled",
	[TZ_STYLE_DST_MINUTES] = "dst_minutes",
	[TZ_STYLE_OFFSET_SECONDS] = "offset_seconds",
	[TZ_STYLE_CISCO_TIME_ZONE] = "cisco_time_zone",
	[TZ_STYLE_CISCO_DST_RULE] = "cisco_dst_rule",
	[TZ_STYLE_GRANDSTREAM_DST_RULE] = "grandstream_dst_rule",
	[TZ_STYLE_YEALINK_TIME_ZONE] = "yealink_time_zone",
	[TZ_STYLE_YEALINK_DST_START] = "yealink_dst_start",
	[TZ_STYLE_YEALINK_DST_END] = "yealink_dst_end",
	[TZ_STYLE_POLYCOM_START_MONTH] = "polycom_start_month",
	[TZ_STYLE_POLYCOM_START_DATE] = "polycom_start_date",
	[TZ_STYLE_POLYCOM_START_TIME] = "polycom_start_time",
	[TZ_STYLE_POLYCOM_START_DOW] = "polycom_start_dow",
	[TZ_STYLE_POLYCOM_START_LAST] = "polycom_start_last",
	[TZ_STYLE_POLYCOM_STOP_MONTH] = "polycom_stop_month",
	[TZ_STYLE_POLYCOM_STOP_DATE] = "polycom_stop_date",
	[TZ_STYLE_POLYCOM_STOP_TIME] = "polycom_stop_time",
	[TZ_STYLE_POLYCOM_STOP_DOW] = "polycom_stop_dow",
	[TZ_STYLE_POLYCOM_STOP_LAST] = "polycom_stop_last",
	[TZ_STYLE_AASTRA_MINUTES] = "aastra_minutes",
	[TZ_STYLE_AASTRA_START_MONTH] = "aastra_start_month",
	[TZ_STYLE_AASTRA_START_WEEK] = "aastra_start_week",
	[TZ_STYLE_AASTRA_START_DAY] = "aastra_start_day",
	[TZ_STYLE_AASTRA_START_HOUR] = "aastra_start_hour",
	[TZ_STYLE_AASTRA_END_MONTH] = "aastra_end_month",
	[TZ_STYLE_AASTRA_END_WEEK] = "aastra_end_week",
	[TZ_STYLE_AASTRA_END_DAY] = "aastra_end_day",
	[TZ_STYLE_AASTRA_END_HOUR] = "aastra_end_hour",
	[TZ_STYLE_FANVIL_TIME_ZONE] = "fanvil_time_zone",
	[TZ_STYLE_FANVIL_START_MONTH] = "fanvil_start_month",
	[TZ_STYLE_FANVIL_START_WEEK] = "fanvil_start_week",
	[TZ_STYLE_FANVIL_START_WDAY] = "fanvil_start_wday",
	[TZ_STYLE_FANVIL_START_HOUR] = "fanvil_start_hour",
	[TZ_STYLE_FANVIL_END_MONTH] = "fanvil_end_month",
	[TZ_STYLE_FANVIL_END_WEEK] = "fanvil_end_week",
	[TZ_STYLE_FANVIL_END_WDAY] = "fanvil_end_wday",
	[TZ_STYLE_FANVIL_END_HOUR] = "fanvil_end_hour",
	[TZ_STYLE_SNOM_TIMEZONE] = "snom_timezone",
	[TZ_STYLE_CISCO_ENTERPRISE_ZONE] = "cisco_enterprise_zone",
};

const char *
tz_style_str(enum tz_style style)
{
	if ((int)style < 0 || style >= TZ_STYLE_COUNT)
		return "unknown";
	return tz_style_names[style];
}

int
tz_style_from_str(const char *name)
{
	for (int i = 0; i < TZ_STYLE_COUNT; i++)
		if (strcmp(tz_style_names[i], name) == 0)
			return i;
	return -1;
}

/*
 * Phones count DST as a positive shift. Europe/Dublin's footer
 * "IST-1GMT0,M10.5.0,M3.5.0/1" has a negative one (winter is its
 * "daylight" time); swapped, it is GMT with +1 h from the last Sunday in
 * March 01:00 to the last Sunday in October 02:00. No time needs
 * adjusting: the old end time was in GMT (the new standard time), the
 * old start time in IST (the new daylight time), as POSIX wants.
 */
static void
tz_forward(const struct tz_info *in, struct tz_info *out)
{
	*out = *in;
	if (!in->has_dst || in->dst_offset >= in->std_offset)
		return;
	out->std_offset = in->dst_offset;
	out->dst_offset = in->std_offset;
	out->start = in->end;
	out->end = in->start;
	memcpy(out->std_abbr, in->dst_abbr, sizeof(out->std_abbr));
	memcpy(out->dst_abbr, in->std_abbr, sizeof(out->dst_abbr));
}

/* "H", "H:MM" or "H:MM:SS" for 0 <= secs, shortest exact form. */
static void
tz_hms(char *buf, size_t sz, int secs)
{
	if (secs % 3600 == 0)
		snprintf(buf, sz, "%d", secs / 3600);
	else if (secs % 60 == 0)
		snprintf(buf, sz, "%d:%02d", secs / 3600, secs / 60 % 60);
	else
		snprintf(buf, sz, "%d:%02d:%02d", secs / 3600, secs / 60 % 60,
		    secs % 60);
}

/* A rule the weekday-based vendor syntaxes can express, or -1. */
static int
tz_need_mwd(const struct tz_info *tz, const struct tz_rule *r,
    const char *vendor, char *err, size_t errsz)
{
	if (r->kind != TZ_RULE_MWD) {
		snprintf(err, errsz, "time zone \"%s\": %s has no form for "
		    "the day-of-year DST rule in \"%s\"", tz->name, vendor,
		    tz->posix);
		return -1;
	}
	return 0;
}

/* A rule time in whole hours 0..23, for vendors that take only that. */
static int
tz_need_hour(const struct tz_info *tz, const struct tz_rule *r,
    const char *vendor, char *err, size_t errsz)
{
	if (r->time < 0 || r->time > 23 * 3600 || r->time % 3600 != 0) {
		snprintf(err, errsz, "time zone \"%s\": %s takes DST change "
		    "times as whole hours 0-23, the rule \"%s\" changes at "
		    "%d s", tz->name, vendor, tz->posix, r->time);
		return -1;
	}
	return 0;
}

/*
 * Cisco SPA/MPP Daylight_Saving_Time_Rule, from the Cisco Small Business
 * SPA300/SPA500 Series IP Phone Administration Guide, Regional tab
 * (also the IP Phone 8800 Series Multiplatform Phone Administration
 * Guide): start=<m>/<day>/<weekday>[/HH[:mm[:ss]]];end=...;save=[+|-]H...
 * weekday 1-7 is Monday-Sunday; a positive day means the weekday on or
 * after that date, a negative one on or before it counted from the
 * month's end (-1: the last); weekday 0 means exactly that date.
 */
static int
tz_cisco_date(const struct tz_info *tz, const struct tz_rule *r, char *buf,
    size_t sz, char *err, size_t errsz)
{
	char	 t[16];

	if (r->time < 0 || r->time >= 24 * 3600) {
		snprintf(err, errsz, "time zone \"%s\": Cisco takes DST change "
		    "times 0:00-23:59:59, the rule \"%s\" changes at %d s",
		    tz->name, tz->posix, r->time);
		return -1;
	}
	tz_hms(t, sizeof(t), r->time);
	switch (r->kind) {
	case TZ_RULE_MWD:
		snprintf(buf, sz, "%d/%d/%d/%s", r->month,
		    r->week == 5 ? -1 : (r->week - 1) * 7 + 1,
		    r->wday == 0 ? 7 : r->wday, t);
		return 0;
	case TZ_RULE_JULIAN1: {
		/* Jn never counts 29 February: a fixed date. */
		int m = 1, d = r->day;

		while (d > tz_month_days(1970, m))
			d -= tz_month_days(1970, m++);
		snprintf(buf, sz, "%d/%d/0/%s", m, d, t);
		return 0;
	}
	case TZ_RULE_JULIAN0:
	default:
		return tz_need_mwd(tz, r, "Cisco", err, errsz);
	}
}

/*
 * Grandstream GXP "Optional Rule" (Daylight Savings Time), from the
 * Grandstream GXP User Manual, firmware 1.2.5.3 (GXP1200/GXP2000):
 * "month,day,weekday,hour,minute;month,day,weekday,hour,minute;saving"
 * with weekday 1-7 Monday-Sunday, day n>0 the n-th such weekday, -n the
 * n-th last, saving in minutes. US example: 3,2,7,2,0;11,1,7,2,0;60.
 */
static int
tz_gs_date(const struct tz_info *tz, const struct tz_rule *r, char *buf,
    size_t sz, char *err, size_t errsz)
{
	if (tz_need_mwd(tz, r, "Grandstream", err, errsz) == -1)
		return -1;
	if (r->time < 0 || r->time >= 24 * 3600 || r->time % 60 != 0) {
		snprintf(err, errsz, "time zone \"%s\": Grandstream takes DST "
		    "change times as hour,minute 0:00-23:59, the rule \"%s\" "
		    "changes at %d s", tz->name, tz->posix, r->time);
		return -1;
	}
	snprintf(buf, sz, "%d,%d,%d,%d,%d", r->month,
	    r->week == 5 ? -1 : r->week, r->wday == 0 ? 7 : r->wday,
	    r->time / 3600, r->time / 60 % 60);
	return 0;
}

/*
 * snom "timezone": one of snom's own ids, a region code, an optional
 * digit telling apart regions with the same code, and the standard UTC
 * offset in hours ("GER+1", "USA-5", "AUS2+9.5", "NZL+12.75", "GBR-0").
 * The phone applies the id's region's DST rule itself, so an id cannot
 * be computed from the POSIX rule: it has to be looked up by zone name.
 * No snom page listing every id was found (snom wiki "timezone" only
 * shows examples). Every id below is in the 115-id table of FreePBX's
 * endpoint manager (endpointman install.php, `endpointman_time_zones`:
 * id and offset in seconds), and each zone is the city or region two
 * labelled lists give for that id: nethesis/nethvoice-wizard-ui
 * ProvSnomService "timezone_snom" (English labels) and tine20/tine20
 * Voipmanager (German labels). VoIP-Domain/voipdomain's snom generator
 * (IANA name -> id) agrees for the northern and no-DST zones; its
 * southern-hemisphere ids use the summer offset (Sydney NCL+11) and
 * were not followed, nor its wider guesses (Hong Kong or Manila as
 * SGP+8, Johannesburg as CAT+2), which no labelled list backs.
 * Left out on purpose: ids the sources disagree on (China CHN+7/CHN+8,
 * Korea KOR+8/KOR+9, Lithuania LTU+2/UKR+2, the Emirates
 * UAE+4 (in one list only), Arizona USA2-7/USA-7,
 * Hawaii and Adak both USA-10), and regions whose law changed since
 * those lists were made, where the phone's built-in rule may be old
 * (Russia, Belarus, Turkey, Mexico, Greenland, Namibia, Egypt, Jordan,
 * Syria, Iran, Israel, Venezuela, Chile, Paraguay, Argentina, Moldova,
 * Whitehorse, Tonga). A zone not listed is refused, which makes a
 * template that writes tz.snom_timezone a config error for its devices.
 * Sorted by name (the unit test checks it).
 */
static const struct tz_snom_id {
	const char	*iana;
	const char	*id;
} tz_snom_ids[] = {
	{ "Africa/Harare", "CAT+2" },
	{ "Africa/Lagos", "WAT+1" },
	{ "Africa/Lusaka", "CAT+2" },
	{ "Africa/Maputo", "CAT+2" },
	{ "Africa/Nairobi", "EAT+3" },
	{ "America/Anchorage", "USA-9" },
	{ "America/Bahia", "BRA2-3" },
	{ "America/Belem", "BRA2-3" },
	{ "America/Chicago", "USA-6" },
	{ "America/Denver", "USA-7" },
	{ "America/Detroit", "USA-5" },
	{ "America/Edmonton", "CAN-7" },
	{ "America/Fortaleza", "BRA2-3" },
	{ "America/Halifax", "CAN-4" },
	{ "America/Indiana/Indianapolis", "USA-5" },
	{ "America/Kentucky/Louisville", "USA-5" },
	{ "America/Los_Angeles", "USA-8" },
	{ "America/Montreal", "CAN-5" },
	{ "America/New_York", "USA-5" },
	{ "America/Noronha", "BRA-2" },
	{ "America/Recife", "BRA2-3" },
	{ "America/Sao_Paulo", "BRA2-3" },
	{ "America/St_Johns", "CAN-3.5" },
	{ "America/Toronto", "CAN-5" },
	{ "America/Vancouver", "CAN-8" },
	{ "America/Winnipeg", "CAN-6" },
	{ "Asia/Bangkok", "THA+7" },
	{ "Asia/Calcutta", "IND+5.5" },
	{ "Asia/Kolkata", "IND+5.5" },
	{ "Asia/Nicosia", "CYP+2" },
	{ "Asia/Singapore", "SGP+8" },
	{ "Asia/Tokyo", "JPN+9" },
	{ "Atlantic/Azores", "PRT-1" },
	{ "Atlantic/Canary", "ESP-0" },
	{ "Atlantic/Faroe", "FRO-0" },
	{ "Atlantic/Madeira", "PRT-0" },
	{ "Australia/Adelaide", "AUS+9.5" },
	{ "Australia/Brisbane", "AUS2+10" },
	{ "Australia/Darwin", "AUS2+9.5" },
	{ "Australia/Hobart", "AUS3+10" },
	{ "Australia/Melbourne", "AUS+10" },
	{ "Australia/Perth", "AUS+8" },
	{ "Australia/Sydney", "AUS+10" },
	{ "Europe/Amsterdam", "NLD+1" },
	{ "Europe/Athens", "GRC+2" },
	{ "Europe/Belgrade", "YUG+1" },
	{ "Europe/Berlin", "GER+1" },
	{ "Europe/Bratislava", "SVK+1" },
	{ "Europe/Brussels", "BEL+1" },
	{ "Europe/Bucharest", "ROU+2" },
	{ "Europe/Budapest", "HUN+1" },
	{ "Europe/Copenhagen", "DNK+1" },
	{ "Europe/Dublin", "IRL-0" },
	{ "Europe/Gibraltar", "GIB+1" },
	{ "Europe/Helsinki", "FIN+2" },
	{ "Europe/Kiev", "UKR+2" },
	{ "Europe/Kyiv", "UKR+2" },
	{ "Europe/Lisbon", "PRT-0" },
	{ "Europe/London", "GBR-0" },
	{ "Europe/Luxembourg", "LUX+1" },
	{ "Europe/Madrid", "ESP+1" },
	{ "Europe/Oslo", "NOR+1" },
	{ "Europe/Paris", "FRA+1" },
	{ "Europe/Prague", "CZE+1" },
	{ "Europe/Riga", "LVA+2" },
	{ "Europe/Rome", "ITA+1" },
	{ "Europe/Skopje", "MAK+1" },
	{ "Europe/Sofia", "BGR+2" },
	{ "Europe/Stockholm", "SWE+1" },
	{ "Europe/Tallinn", "EST+2" },
	{ "Europe/Tirane", "ALB+1" },
	{ "Europe/Vienna", "AUT+1" },
	{ "Europe/Warsaw", "POL+1" },
	{ "Europe/Zagreb", "HRV+1" },
	{ "Europe/Zurich", "CHE+1" },
	{ "Pacific/Auckland", "NZL+12" },
	{ "Pacific/Chatham", "NZL+12.75" },
};

size_t
tz_snom_count(void)
{
	return sizeof(tz_snom_ids) / sizeof(tz_snom_ids[0]);
}

const char *
tz_snom_entry(size_t i, const char **iana)
{
	if (i >= tz_snom_count())
		return NULL;
	if (iana != NULL)
		*iana = tz_snom_ids[i].iana;
	return tz_snom_ids[i].id;
}

/*
 * The standard offset a snom id states, in seconds east of UTC: the
 * signed number after the region ("-3.5", "+12.75", "-0"), whose
 * fraction is hundredths of an hour. -1 with *secs untouched if the id
 * has no such tail.
 */
int
tz_snom_offset(const char *id, int *secs)
{
	const char	*p = id + strcspn(id, "+-");
	int		 sign, h = 0, cent = 0, n = 0;

	if (*p == '\0')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	for (; *p >= '0' && *p <= '9' && n < 3; p++, n++)
		h = h * 10 + (*p - '0');
	if (n == 0)
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		cent = (*p++ - '0') * 10;
		if (*p >= '0' && *p <= '9')
			cent += *p++ - '0';
	}
	if (*p != '\0')
		return -1;
	*secs = sign * (h * 3600 + cent * 36);
	return 0;
}

/* The snom id for tz's zone, checked against its standard offset. */
static int
tz_snom(const struct tz_info *tz, char *buf, size_t sz, char *err,
    size_t errsz)
{
	const char	*id = NULL;
	int		 secs;

	for (size_t i = 0; i < tz_snom_count(); i++)
		if (strcmp(tz_snom_ids[i].iana, tz->name) == 0) {
			id = tz_snom_ids[i].id;
			break;
		}
	if (id == NULL) {
		snprintf(err, errsz, "time zone \"%s\": no snom timezone id "
		    "is known for this zone (the zones snom_timezone can "
		    "write are listed in common/tz_format.c)", tz->name);
		return -1;
	}
	/*
	 * tzdata moves faster than phone firmware: if the zone's standard
	 * offset is no longer the one the id states, the phone's own rule
	 * is out of date too, so refuse rather than write a wrong clock.
	 */
	if (tz_snom_offset(id, &secs) == -1 || secs != tz->std_offset) {
		snprintf(err, errsz, "time zone \"%s\": the snom id %s does "
		    "not state the zone's standard offset (%d s east of UTC, "
		    "rule \"%s\")", tz->name, id, tz->std_offset, tz->posix);
		return -1;
	}
	snprintf(buf, sz, "%s", id);
	return 0;
}

/*
 * Cisco enterprise SIP firmware (79x1/79x5, 78xx, 88xx) <timeZone> in
 * SEP<MAC>.cnf.xml: a Windows-style name ("Central Europe
 * Standard/Daylight Time") for which the phone applies its own offset
 * and DST rule. No Cisco document listing the names for these phones
 * was found. The names and the zone each stands for are those of
 * wazo-platform/wazo-provd-plugins plugins/wazo_cisco_sip/common/
 * common.py and plugins/wazo_cisco_sccp/common/common.py (_ZONE_MAP),
 * which, like this table, pick the name by the zone's offset and DST
 * rule, not by its name; the wazo keys US/Pacific, Asia/Calcutta,
 * Canada/Atlantic ... are written here as today's canonical names.
 * Left out of wazo's map on purpose: values with a trailing blank
 * (Samoa, Hawaiian, South Africa, Afghanistan, Central Asia: not
 * copied as a guess either way); "Mid-Atlantic Standard/Daylight Time"
 * for a zone without DST; the Australian entries, whose names' offsets
 * are not their zones' (Australia/ACT as "Cen. Australia", Brisbane as
 * "AUS Central"), and Tasmania; and zones whose law changed since the
 * firmware was built, so that the phone's own rule may be old (Egypt,
 * Jerusalem, Moscow, Iran, Sao Paulo, Mexico City). A zone whose rule
 * is none of these is refused.
 */
static const struct tz_cisco_ent {
	const char	*iana;	/* where the rule was read (tzdata 2024) */
	const char	*rule;
	const char	*name;
} tz_cisco_ents[] = {
	{ "Etc/GMT+12", "<-12>12", "Dateline Standard Time" },
	{ "America/Anchorage", "AKST9AKDT,M3.2.0,M11.1.0",
	    "Alaskan Standard/Daylight Time" },
	{ "America/Los_Angeles", "PST8PDT,M3.2.0,M11.1.0",
	    "Pacific Standard/Daylight Time" },
	{ "America/Denver", "MST7MDT,M3.2.0,M11.1.0",
	    "Mountain Standard/Daylight Time" },
	{ "Etc/GMT+7", "<-07>7", "US Mountain Standard Time" },
	{ "America/Chicago", "CST6CDT,M3.2.0,M11.1.0",
	    "Central Standard/Daylight Time" },
	{ "America/New_York", "EST5EDT,M3.2.0,M11.1.0",
	    "Eastern Standard/Daylight Time" },
	{ "Etc/GMT+5", "<-05>5", "US Eastern Standard Time" },
	{ "America/Halifax", "AST4ADT,M3.2.0,M11.1.0",
	    "Atlantic Standard/Daylight Time" },
	{ "Etc/GMT+4", "<-04>4", "SA Western Standard Time" },
	{ "America/St_Johns", "NST3:30NDT,M3.2.0,M11.1.0",
	    "Newfoundland Standard/Daylight Time" },
	{ "Etc/GMT+3", "<-03>3", "SA Eastern Standard Time" },
	{ "Atlantic/Azores", "<-01>1<+00>,M3.5.0/0,M10.5.0/1",
	    "Azores Standard/Daylight Time" },
	{ "Europe/London", "GMT0BST,M3.5.0/1,M10.5.0",
	    "GMT Standard/Daylight Time" },
	{ "Etc/GMT", "GMT0", "Greenwich Standard Time" },
	{ "Europe/Paris", "CET-1CEST,M3.5.0,M10.5.0/3",
	    "Central Europe Standard/Daylight Time" },
	{ "Europe/Athens", "EET-2EEST,M3.5.0/3,M10.5.0/4",
	    "E. Europe Standard/Daylight Time" },
	{ "Asia/Riyadh", "<+03>-3", "Saudi Arabia Standard Time" },
	{ "Etc/GMT-4", "<+04>-4", "Arabian Standard Time" },
	{ "Etc/GMT-5", "<+05>-5", "West Asia Standard Time" },
	{ "Asia/Kolkata", "IST-5:30", "India Standard Time" },
	{ "Etc/GMT-7", "<+07>-7", "SE Asia Standard Time" },
	{ "Asia/Taipei", "CST-8", "Taipei Standard Time" },
	{ "Asia/Tokyo", "JST-9", "Tokyo Standard Time" },
	{ "Etc/GMT-10", "<+10>-10", "West Pacific Standard Time" },
	{ "Etc/GMT-11", "<+11>-11", "Central Pacific Standard Time" },
	{ "Etc/GMT-12", "<+12>-12", "Fiji Standard Time" },
};

size_t
tz_cisco_ent_count(void)
{
	return sizeof(tz_cisco_ents) / sizeof(tz_cisco_ents[0]);
}

const char *
tz_cisco_ent_entry(size_t i, const char **iana, const char **rule)
{
	if (i >= tz_cisco_ent_count())
		return NULL;
	if (iana != NULL)
		*iana = tz_cisco_ents[i].iana;
	if (rule != NULL)
		*rule = tz_cisco_ents[i].rule;
	return tz_cisco_ents[i].name;
}

static int
tz_rule_eq(const struct tz_rule *a, const struct tz_rule *b)
{
	return a->kind == b->kind && a->month == b->month &&
	    a->week == b->week && a->wday == b->wday && a->day == b->day &&
	    a->time == b->time;
}

/*
 * The Cisco name whose rule is tz's: the same offsets and, with DST, the
 * same change dates; the abbreviations do not matter to the phone.
 */
static int
tz_cisco_ent(const struct tz_info *tz, char *buf, size_t sz, char *err,
    size_t errsz)
{
	struct tz_info	 t;
	char		 perr[128];

	for (size_t i = 0; i < tz_cisco_ent_count(); i++) {
		if (tz_posix_parse(tz_cisco_ents[i].rule, &t, perr,
		    sizeof(perr)) == -1)
			continue;	/* the unit test proves none is */
		if (t.std_offset != tz->std_offset ||
		    t.has_dst != tz->has_dst)
			continue;
		if (t.has_dst && (t.dst_offset != tz->dst_offset ||
		    !tz_rule_eq(&t.start, &tz->start) ||
		    !tz_rule_eq(&t.end, &tz->end)))
			continue;
		snprintf(buf, sz, "%s", tz_cisco_ents[i].name);
		return 0;
	}
	snprintf(err, errsz, "time zone \"%s\": no Cisco enterprise "
	    "timeZone name is known for its rule \"%s\" (the rules "
	    "cisco_enterprise_zone can write are listed in "
	    "common/tz_format.c)", tz->name, tz->posix);
	return -1;
}

int
tz_format(const struct tz_info *in, enum tz_style style, char *out,
    size_t outsz, char *err, size_t errsz)
{
	struct tz_info	 tz;
	char		 buf[160], a[48], b[48];
	const struct tz_rule *r;
	int		 save, off, n;

	tz_forward(in, &tz);
	save = tz.dst_offset - tz.std_offset;
	off = tz.std_offset;
	buf[0] = '\0';
	r = NULL;
	switch (style) {
	case TZ_STYLE_POLYCOM_START_MONTH:
	case TZ_STYLE_POLYCOM_START_DATE:
	case TZ_STYLE_POLYCOM_START_TIME:
	case TZ_STYLE_POLYCOM_START_DOW:
	case TZ_STYLE_POLYCOM_START_LAST:
	case TZ_STYLE_AASTRA_START_MONTH:
	case TZ_STYLE_AASTRA_START_WEEK:
	case TZ_STYLE_AASTRA_START_DAY:
	case TZ_STYLE_AASTRA_START_HOUR:
	case TZ_STYLE_FANVIL_START_MONTH:
	case TZ_STYLE_FANVIL_START_WEEK:
	case TZ_STYLE_FANVIL_START_WDAY:
	case TZ_STYLE_FANVIL_START_HOUR:
	case TZ_STYLE_YEALINK_DST_START:
		r = &tz.start;
		break;
	case TZ_STYLE_POLYCOM_STOP_MONTH:
	case TZ_STYLE_POLYCOM_STOP_DATE:
	case TZ_STYLE_POLYCOM_STOP_TIME:
	case TZ_STYLE_POLYCOM_STOP_DOW:
	case TZ_STYLE_POLYCOM_STOP_LAST:
	case TZ_STYLE_AASTRA_END_MONTH:
	case TZ_STYLE_AASTRA_END_WEEK:
	case TZ_STYLE_AASTRA_END_DAY:
	case TZ_STYLE_AASTRA_END_HOUR:
	case TZ_STYLE_FANVIL_END_MONTH:
	case TZ_STYLE_FANVIL_END_WEEK:
	case TZ_STYLE_FANVIL_END_WDAY:
	case TZ_STYLE_FANVIL_END_HOUR:
	case TZ_STYLE_YEALINK_DST_END:
		r = &tz.end;
		break;
	default:
		break;
	}
	/*
	 * The per-field DST styles are empty for a zone without DST: the
	 * template puts them inside its "DST observed" conditional and
	 * sets the vendor's enable key from TZ_STYLE_DST_ENABLED.
	 */
	if (r != NULL && !tz.has_dst)
		goto emit;

	switch (style) {
	/*
	 * The footer itself. Consumers: Grandstream "Self-Defined Time
	 * Zone" ("std offset dst [offset],start[/time],end[/time]",
	 * Grandstream UCM6510 User Manual, System Settings, Time Settings;
	 * the phone-side P-value is not confirmed from a phone guide here)
	 * and ATAs that take a POSIX string (Allied Telesis AT-VP504E
	 * Administration Manual, sntpTimeZoneCustomTimeZone).
	 */
	case TZ_STYLE_POSIX:
		snprintf(buf, sizeof(buf), "%s", in->posix);
		break;
	/* "1"/"0" for each vendor's DST enable key. */
	case TZ_STYLE_DST_ENABLED:
		snprintf(buf, sizeof(buf), "%d", tz.has_dst);
		break;
	/*
	 * Minutes of DST shift: Yealink local_time.offset_time (-300..300,
	 * Yealink Administrator's Guide for SIP-T2/T4/T5 Series, "DST
	 * Settings") and Aastra "dst minutes" (0..60, Aastra 6700i/9000i SIP
	 * IP Phone Administrator Guide 41-001343-02, "Time Zone & DST").
	 */
	case TZ_STYLE_DST_MINUTES:
		if (save % 60 != 0)
			goto inexpressible;
		snprintf(buf, sizeof(buf), "%d", save / 60);
		break;
	/*
	 * Polycom tcpIpApp.sntp.gmtOffset: "offset in seconds of the local
	 * time zone from GMT", east positive (Polycom SoundPoint IP /
	 * SoundStation IP Administrator Guide, SIP 1.4-2.2, tcpIpApp.sntp).
	 */
	case TZ_STYLE_OFFSET_SECONDS:
		snprintf(buf, sizeof(buf), "%d", off);
		break;
	/*
	 * Cisco Time_Zone: "GMT-12:00, GMT-11:00, ..., GMT, GMT+01:00, ...,
	 * GMT+13:00" (Cisco SPA9000 Voice System Administration Guide,
	 * Regional tab; the SPA500 guide uses the same field). Offsets not
	 * in whole hours come out as GMT+05:30; firmware whose list lacks
	 * them wants GMT+05:00 plus Time_Offset, which this does not emit.
	 */
	case TZ_STYLE_CISCO_TIME_ZONE:
		if (off % 60 != 0)
			goto inexpressible;
		if (off == 0)
			snprintf(buf, sizeof(buf), "GMT");
		else
			snprintf(buf, sizeof(buf), "GMT%c%02d:%02d",
			    off < 0 ? '-' : '+', abs(off) / 3600,
			    abs(off) / 60 % 60);
		break;
	case TZ_STYLE_CISCO_DST_RULE:
		if (!tz.has_dst)
			break;
		if (tz_cisco_date(&tz, &tz.start, a, sizeof(a), err,
		    errsz) == -1 || tz_cisco_date(&tz, &tz.end, b, sizeof(b),
		    err, errsz) == -1)
			return -1;
		{
			char s[16];

			tz_hms(s, sizeof(s), save);
			snprintf(buf, sizeof(buf), "start=%s;end=%s;save=%s",
			    a, b, s);
		}
		break;
	case TZ_STYLE_GRANDSTREAM_DST_RULE:
		if (!tz.has_dst)
			break;
		if (save % 60 != 0)
			goto inexpressible;
		if (tz_gs_date(&tz, &tz.start, a, sizeof(a), err,
		    errsz) == -1 || tz_gs_date(&tz, &tz.end, b, sizeof(b),
		    err, errsz) == -1)
			return -1;
		snprintf(buf, sizeof(buf), "%s;%s;%d", a, b, save / 60);
		break;
	/*
	 * Yealink local_time.time_zone: "+1", "-5", "+5:30", "0" (Yealink
	 * Administrator's Guide for SIP-T2/T4/T5 Series, "Time and Date";
	 * the AutoDST file's szTime is "[+/-][X]:[Y], X=0~14, Y=0~59").
	 */
	case TZ_STYLE_YEALINK_TIME_ZONE:
		if (off % 60 != 0)
			goto inexpressible;
		if (off == 0)
			snprintf(buf, sizeof(buf), "0");
		else if (off % 3600 == 0)
			snprintf(buf, sizeof(buf), "%+d", off / 3600);
		else
			snprintf(buf, sizeof(buf), "%c%d:%02d",
			    off < 0 ? '-' : '+', abs(off) / 3600,
			    abs(off) / 60 % 60);
		break;
	/*
	 * Yealink local_time.start_time / end_time with dst_time_type 1 (by
	 * week): "Month/Week of Month/Day of Week/Hour of Day", week 1-5
	 * (5 = the last), day 1-7 Monday-Sunday, hour 0 (midnight)-23; the
	 * guide's own example is 3/5/7/2 to 10/5/7/3 (same guide as above).
	 */
	case TZ_STYLE_YEALINK_DST_START:
	case TZ_STYLE_YEALINK_DST_END:
		if (tz_need_mwd(&tz, r, "Yealink", err, errsz) == -1 ||
		    tz_need_hour(&tz, r, "Yealink", err, errsz) == -1)
			return -1;
		snprintf(buf, sizeof(buf), "%d/%d/%d/%d", r->month, r->week,
		    r->wday == 0 ? 7 : r->wday, r->time / 3600);
		break;
	/*
	 * Polycom tcpIpApp.sntp.daylightSavings.{start,stop}.* (Polycom
	 * SoundPoint IP Administrator Guide SIP 2.2, Configuration Files):
	 * month 1-12; date "1 = the first occurrence of a given day-of-week
	 * in a month, 8 = the second, 15 = the third, 22 = the fourth" (with
	 * fixedDayEnable 0); time 0-23 whole hours; dayOfWeek 1=Sun..7=Sat;
	 * dayOfWeek.lastInMonth 1 = the last such weekday, date ignored (we
	 * then write 1). The guide has no key for the size of the shift:
	 * the phone moves one hour, so other shifts are refused.
	 */
	case TZ_STYLE_POLYCOM_START_MONTH:
	case TZ_STYLE_POLYCOM_STOP_MONTH:
	case TZ_STYLE_POLYCOM_START_DATE:
	case TZ_STYLE_POLYCOM_STOP_DATE:
	case TZ_STYLE_POLYCOM_START_TIME:
	case TZ_STYLE_POLYCOM_STOP_TIME:
	case TZ_STYLE_POLYCOM_START_DOW:
	case TZ_STYLE_POLYCOM_STOP_DOW:
	case TZ_STYLE_POLYCOM_START_LAST:
	case TZ_STYLE_POLYCOM_STOP_LAST:
		if (save != 3600) {
			snprintf(err, errsz, "time zone \"%s\": Polycom phones "
			    "shift by one hour in DST, \"%s\" shifts by %d "
			    "minutes", tz.name, tz.posix, save / 60);
			return -1;
		}
		if (tz_need_mwd(&tz, r, "Polycom", err, errsz) == -1 ||
		    tz_need_hour(&tz, r, "Polycom", err, errsz) == -1)
			return -1;
		switch (style) {
		case TZ_STYLE_POLYCOM_START_MONTH:
		case TZ_STYLE_POLYCOM_STOP_MONTH:
			n = r->month;
			break;
		case TZ_STYLE_POLYCOM_START_DATE:
		case TZ_STYLE_POLYCOM_STOP_DATE:
			n = r->week == 5 ? 1 : (r->week - 1) * 7 + 1;
			break;
		case TZ_STYLE_POLYCOM_START_TIME:
		case TZ_STYLE_POLYCOM_STOP_TIME:
			n = r->time / 3600;
			break;
		case TZ_STYLE_POLYCOM_START_DOW:
		case TZ_STYLE_POLYCOM_STOP_DOW:
			n = r->wday + 1;
			break;
		default:
			n = r->week == 5;
			break;
		}
		snprintf(buf, sizeof(buf), "%d", n);
		break;
	/*
	 * Aastra/Mitel "time zone name: Custom" fields (Aastra 6700i/9000i
	 * SIP IP Phone Administrator Guide 41-001343-02, "Time Zone & DST"):
	 * "time zone minutes" is minutes WEST of UTC (EST = 300); with
	 * "dst [start|end] relative date: 1", "dst start week" 1..5 is the
	 * n-th week and -1 the last occurrence of the day, "dst start day"
	 * 1=Sunday..7=Saturday, "dst start hour" 0-23. "dst minutes" is
	 * TZ_STYLE_DST_MINUTES (0..60).
	 */
	case TZ_STYLE_AASTRA_MINUTES:
		if (off % 60 != 0)
			goto inexpressible;
		snprintf(buf, sizeof(buf), "%d", -off / 60);
		break;
	case TZ_STYLE_AASTRA_START_MONTH:
	case TZ_STYLE_AASTRA_END_MONTH:
	case TZ_STYLE_AASTRA_START_WEEK:
	case TZ_STYLE_AASTRA_END_WEEK:
	case TZ_STYLE_AASTRA_START_DAY:
	case TZ_STYLE_AASTRA_END_DAY:
	case TZ_STYLE_AASTRA_START_HOUR:
	case TZ_STYLE_AASTRA_END_HOUR:
		if (save <= 0 || save > 3600 || save % 60 != 0) {
			snprintf(err, errsz, "time zone \"%s\": Aastra takes a "
			    "DST shift of 1-60 minutes, \"%s\" shifts by %d s",
			    tz.name, tz.posix, save);
			return -1;
		}
		if (tz_need_mwd(&tz, r, "Aastra", err, errsz) == -1 ||
		    tz_need_hour(&tz, r, "Aastra", err, errsz) == -1)
			return -1;
		switch (style) {
		case TZ_STYLE_AASTRA_START_MONTH:
		case TZ_STYLE_AASTRA_END_MONTH:
			n = r->month;
			break;
		case TZ_STYLE_AASTRA_START_WEEK:
		case TZ_STYLE_AASTRA_END_WEEK:
			n = r->week == 5 ? -1 : r->week;
			break;
		case TZ_STYLE_AASTRA_START_DAY:
		case TZ_STYLE_AASTRA_END_DAY:
			n = r->wday + 1;
			break;
		default:
			n = r->time / 3600;
			break;
		}
		snprintf(buf, sizeof(buf), "%d", n);
		break;
	/*
	 * Fanvil text configuration (version 2.0, <PHONE FEATURE MODULE>,
	 * --DateTime Config--): "Time Zone" is the standard offset in
	 * quarter hours, east positive (UTC+1 = 4); "DST Start Mon/Week/
	 * Wday/Hour" and "DST End ..." are the POSIX rule's fields, week 5
	 * the last, Wday 0 = Sunday (public X3U exports: "Time Zone :4",
	 * "Time Zone Name :UTC+1", start 3/5/0/2 and end 10/5/0/2 for
	 * Europe; wazo-provd-plugins wazo_fanvil serie_x entry.py _TZ_INFO
	 * maps +1 h to 4 and -5 h to -20). "DST Min Offset" is
	 * TZ_STYLE_DST_MINUTES.
	 */
	case TZ_STYLE_FANVIL_TIME_ZONE:
		if (off % 900 != 0)
			goto inexpressible;
		snprintf(buf, sizeof(buf), "%d", off / 900);
		break;
	case TZ_STYLE_FANVIL_START_MONTH:
	case TZ_STYLE_FANVIL_END_MONTH:
	case TZ_STYLE_FANVIL_START_WEEK:
	case TZ_STYLE_FANVIL_END_WEEK:
	case TZ_STYLE_FANVIL_START_WDAY:
	case TZ_STYLE_FANVIL_END_WDAY:
	case TZ_STYLE_FANVIL_START_HOUR:
	case TZ_STYLE_FANVIL_END_HOUR:
		if (tz_need_mwd(&tz, r, "Fanvil", err, errsz) == -1 ||
		    tz_need_hour(&tz, r, "Fanvil", err, errsz) == -1)
			return -1;
		switch (style) {
		case TZ_STYLE_FANVIL_START_MONTH:
		case TZ_STYLE_FANVIL_END_MONTH:
			n = r->month;
			break;
		case TZ_STYLE_FANVIL_START_WEEK:
		case TZ_STYLE_FANVIL_END_WEEK:
			n = r->week;
			break;
		case TZ_STYLE_FANVIL_START_WDAY:
		case TZ_STYLE_FANVIL_END_WDAY:
			n = r->wday;
			break;
		default:
			n = r->time / 3600;
			break;
		}
		snprintf(buf, sizeof(buf), "%d", n);
		break;
	case TZ_STYLE_SNOM_TIMEZONE:
		if (tz_snom(&tz, buf, sizeof(buf), err, errsz) == -1)
			return -1;
		break;
	case TZ_STYLE_CISCO_ENTERPRISE_ZONE:
		if (tz_cisco_ent(&tz, buf, sizeof(buf), err, errsz) == -1)
			return -1;
		break;
	case TZ_STYLE_COUNT:
	default:
		snprintf(err, errsz, "unknown time zone style %d", (int)style);
		return -1;
	}
emit:
	n = snprintf(out, outsz, "%s", buf);
	if (n < 0 || (size_t)n >= outsz) {
		snprintf(err, errsz, "time zone \"%s\": %s value does not fit "
		    "%zu bytes", tz.name, tz_style_str(style), outsz);
		return -1;
	}
	return n;
inexpressible:
	snprintf(err, errsz, "time zone \"%s\": %s cannot express the offset "
	    "in \"%s\" (not whole minutes)", tz.name, tz_style_str(style),
	    tz.posix);
	return -1;
}
