/*
 * tz.c - IANA time zone name -> POSIX TZ rule -> each vendor's syntax.
 *
 * Why a hand-written TZif reader and POSIX TZ parser: glibc reads the
 * same files, but only behind the process-global TZ variable and tzset(),
 * and it exposes local times, never the parsed rule (month, week,
 * weekday, time of day) that a phone's DST fields need. No Debian 12
 * library exposes that either: ICU carries its own zone data rather than
 * the system's tzdata footers, and libical's VTIMEZONE code wants its own
 * zoneinfo tree. The TZif format (RFC 8536) and the POSIX TZ grammar
 * (POSIX.1-2017 8.3, RFC 8536 3.3.1) are small, so this file reads them
 * itself, through a bounds-checked cursor, as untrusted input.
 *
 * The vendor renderings of a zone are in tz_format.c.
 *
 * Limits, stated plainly: the vendor styles describe the footer rule,
 * i.e. the zone's rule from its last recorded transition on; a zone
 * whose rules change in the future gets the new rule when tzdata is
 * updated and the config is rendered again.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tz.h"

#define TZ_FILE_MAX	(256 * 1024)	/* tzdata's biggest file: ~4 KiB */
#define TZ_LINK_HOPS	8		/* symlinks followed inside the tree */
#define TZ_PATH_MAX	256		/* a name after following links */
#define TZ_HDR_LEN	44		/* RFC 8536 3.1 */
#define TZ_MAX_HOURS	24		/* POSIX offsets: 0..24 hours */
#define TZ_T_LIMIT	((int64_t)1 << 55)	/* tz_posix_offset() clamp */
#define TZ_MAX_RULE_H	167		/* RFC 8536 3.3.1: -167..167 h */

static const char *tz_dir = TZ_DEFAULT_DIR;

void
tz_set_dir(const char *dir)
{
	tz_dir = dir != NULL ? dir : TZ_DEFAULT_DIR;
}

/* Bytes a zone name may hold (tzdata's Theory file: "[A-Za-z0-9_+-/]"). */
static int
tz_name_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-' ||
	    c == '/';
}

int
tz_name_check(const char *iana, char *err, size_t errsz)
{
	size_t	 len, comp = 0;

	if (iana == NULL || *iana == '\0') {
		snprintf(err, errsz, "empty time zone name");
		return -1;
	}
	len = strnlen(iana, TZ_NAME_MAX + 1);
	if (len > TZ_NAME_MAX) {
		snprintf(err, errsz, "time zone name longer than %d bytes",
		    TZ_NAME_MAX);
		return -1;
	}
	if (iana[0] == '/') {
		snprintf(err, errsz, "time zone \"%s\": a zone name is "
		    "relative (e.g. Europe/Berlin), not a path", iana);
		return -1;
	}
	for (size_t i = 0; i <= len; i++) {
		if (i == len || iana[i] == '/') {
			/* '.' is refused below, so only "a//b" or "a/". */
			if (comp == 0) {
				snprintf(err, errsz, "time zone \"%s\": empty "
				    "path component", iana);
				return -1;
			}
			comp = 0;
			continue;
		}
		if (iana[i] == '.') {
			snprintf(err, errsz, "time zone \"%.*s\": '.' is in "
			    "no zone name (and \"..\" would leave the zoneinfo "
			    "directory)", TZ_NAME_MAX, iana);
			return -1;
		}
		if (!tz_name_char((unsigned char)iana[i])) {
			snprintf(err, errsz, "time zone name has a byte 0x%02x "
			    "outside [A-Za-z0-9_+-/]", (unsigned char)iana[i]);
			return -1;
		}
		comp++;
	}
	return 0;
}

/*
 * Rewrites name lexically: drops "." and empty components and resolves
 * "..", refusing to climb above the zoneinfo directory. Returns 0 or -1.
 */
static int
tz_normalize(const char *in, char *out, size_t outsz)
{
	char	 buf[TZ_PATH_MAX * 2];
	char	*save = NULL, *c;
	size_t	 len = 0;

	if (snprintf(buf, sizeof(buf), "%s", in) >= (int)sizeof(buf))
		return -1;
	out[0] = '\0';
	for (c = strtok_r(buf, "/", &save); c != NULL;
	    c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			char *slash;

			if (len == 0)
				return -1;
			slash = strrchr(out, '/');
			len = slash != NULL ? (size_t)(slash - out) : 0;
			out[len] = '\0';
			continue;
		}
		if (len + (len > 0) + strlen(c) + 1 > outsz)
			return -1;
		len += snprintf(out + len, outsz - len, "%s%s",
		    len > 0 ? "/" : "", c);
	}
	return len > 0 ? 0 : -1;
}

/*
 * Rewrites cur after finding that its component at comps[off..] (the
 * rest, if any, at rest) is a symlink in dfd: cur becomes the link's
 * directory + target + rest, normalized. Returns 0, or -1 with err set
 * for an absolute link or one that climbs out of the zoneinfo tree.
 */
static int
tz_relink(int dfd, const char *comp, size_t off, const char *rest,
    char *cur, size_t cursz, const char *iana, char *err, size_t errsz)
{
	char	 link[TZ_PATH_MAX], joined[TZ_PATH_MAX * 2];
	ssize_t	 n;

	n = readlinkat(dfd, comp, link, sizeof(link) - 1);
	if (n <= 0 || (size_t)n >= sizeof(link) - 1 || link[0] == '/') {
		snprintf(err, errsz, "time zone \"%s\": link %s is absolute "
		    "or unreadable; only links within %s are followed", iana,
		    cur, tz_dir);
		return -1;
	}
	link[n] = '\0';
	snprintf(joined, sizeof(joined), "%.*s%s%s%s", (int)off, cur, link,
	    rest != NULL ? "/" : "", rest != NULL ? rest : "");
	if (tz_normalize(joined, cur, cursz) == -1) {
		snprintf(err, errsz, "time zone \"%s\": link leads outside %s",
		    iana, tz_dir);
		return -1;
	}
	return 0;
}

/*
 * Opens dir/name one component at a time with O_NOFOLLOW, so nothing
 * outside dir is ever opened. tzdata links zones (UTC -> Etc/UTC,
 * US/Eastern -> ../America/New_York, posix/Africa -> ../Africa): a
 * relative link is followed by rewriting the name and starting again,
 * as long as it stays inside dir; an absolute link is refused. Returns
 * an fd for a regular file, or -1 with a message in err.
 */
static int
tz_open(const char *iana, char *err, size_t errsz)
{
	char		 cur[TZ_PATH_MAX], comps[TZ_PATH_MAX];
	int		 dfd = -1, fd = -1;

	if (snprintf(cur, sizeof(cur), "%s", iana) >= (int)sizeof(cur)) {
		snprintf(err, errsz, "time zone name too long");
		goto fail;
	}
	for (int hop = 0; hop <= TZ_LINK_HOPS; hop++) {
		char		*save = NULL, *c, *next;
		int		 relinked = 0;
		struct stat	 st;

		dfd = open(tz_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd == -1) {
			snprintf(err, errsz, "zoneinfo directory %s: %s "
			    "(is the tzdata package installed?)", tz_dir,
			    strerror(errno));
			goto fail;
		}
		memcpy(comps, cur, sizeof(comps));
		for (c = strtok_r(comps, "/", &save); c != NULL; c = next) {
			next = strtok_r(NULL, "/", &save);
			fd = openat(dfd, c, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
			    O_NONBLOCK | (next == NULL ? 0 : O_DIRECTORY));
			if (fd != -1) {
				close(dfd);
				dfd = -1;
				if (next == NULL)
					break;
				dfd = fd;
				fd = -1;
				continue;
			}
			if (errno == ENOENT) {
				snprintf(err, errsz, "unknown time zone \"%s\" "
				    "(no %s/%s)", iana, tz_dir, cur);
				goto fail;
			}
			/* O_NOFOLLOW met a link: ELOOP, or ENOTDIR. */
			if ((errno != ELOOP && errno != ENOTDIR) ||
			    fstatat(dfd, c, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
			    !S_ISLNK(st.st_mode)) {
				snprintf(err, errsz, "time zone \"%s\": %s/%s: "
				    "%s", iana, tz_dir, cur, strerror(errno));
				goto fail;
			}
			if (tz_relink(dfd, c, (size_t)(c - comps),
			    next != NULL ? cur + (next - comps) : NULL, cur,
			    sizeof(cur), iana, err, errsz) == -1)
				goto fail;
			relinked = 1;
			break;
		}
		if (!relinked) {
			if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
				snprintf(err, errsz, "time zone \"%s\" names a "
				    "directory or special file, not a zone",
				    iana);
				goto fail;
			}
			return fd;
		}
		close(dfd);
		dfd = -1;
	}
	snprintf(err, errsz, "time zone \"%s\": more than %d links",
	    iana, TZ_LINK_HOPS);
fail:
	if (dfd != -1)
		close(dfd);
	if (fd != -1)
		close(fd);
	return -1;
}

/* Reads at most TZ_FILE_MAX bytes; *lenp is what was read. */
static uint8_t *
tz_slurp(int fd, const char *iana, size_t *lenp, char *err, size_t errsz)
{
	uint8_t	*buf;
	size_t	 len = 0;
	ssize_t	 n;

	if ((buf = malloc(TZ_FILE_MAX + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	while (len <= TZ_FILE_MAX) {
		n = read(fd, buf + len, TZ_FILE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errsz, "time zone \"%s\": read: %s",
			    iana, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > TZ_FILE_MAX) {
		snprintf(err, errsz, "time zone \"%s\": file larger than "
		    "%d bytes, not a TZif file", iana, TZ_FILE_MAX);
		goto fail;
	}
	*lenp = len;
	return buf;
fail:
	free(buf);
	return NULL;
}

/* A read cursor over the file; every read checks rem first. */
struct tz_cur {
	const uint8_t	*p;
	size_t		 rem;
};

static int
tz_skip(struct tz_cur *c, size_t n)
{
	if (c->rem < n)
		return -1;
	c->p += n;
	c->rem -= n;
	return 0;
}

static uint32_t
tz_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
tz_be64(const uint8_t *p)
{
	return (int64_t)((uint64_t)tz_be32(p) << 32 | tz_be32(p + 4));
}

struct tz_hdr {
	uint8_t		 version;
	uint32_t	 isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

/* RFC 8536 3.1: the header, with the 3.1 consistency rules. */
static int
tz_header(struct tz_cur *c, struct tz_hdr *h, const char *iana, char *err,
    size_t errsz)
{
	const uint8_t	*p = c->p;

	if (c->rem < 4 || memcmp(p, "TZif", 4) != 0) {
		snprintf(err, errsz, "time zone \"%s\": not a TZif file "
		    "(RFC 8536)", iana);
		return -1;
	}
	if (c->rem < TZ_HDR_LEN) {
		snprintf(err, errsz, "time zone \"%s\": TZif file truncated "
		    "in a header", iana);
		return -1;
	}
	h->version = p[4];
	h->isutcnt = tz_be32(p + 20);
	h->isstdcnt = tz_be32(p + 24);
	h->leapcnt = tz_be32(p + 28);
	h->timecnt = tz_be32(p + 32);
	h->typecnt = tz_be32(p + 36);
	h->charcnt = tz_be32(p + 40);
	tz_skip(c, TZ_HDR_LEN);
	if (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0 ||
	    (h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
	    (h->isstdcnt != 0 && h->isstdcnt != h->typecnt)) {
		snprintf(err, errsz, "time zone \"%s\": TZif header counts "
		    "are inconsistent (RFC 8536 3.1)", iana);
		return -1;
	}
	return 0;
}

/* Bytes of the data block after a header (RFC 8536 3.2); tsize 4 or 8. */
static size_t
tz_block_len(const struct tz_hdr *h, size_t tsize)
{
	return (size_t)h->timecnt * (tsize + 1) + (size_t)h->typecnt * 6 +
	    h->charcnt + (size_t)h->leapcnt * (tsize + 4) + h->isstdcnt +
	    h->isutcnt;
}

/*
 * Parses a whole TZif v2+ file: skips the v1 block, reads the v2 block's
 * transitions and types (for the offset at `now`) and the footer.
 */
static int
tz_parse_file(const uint8_t *buf, size_t len, time_t now, struct tz_info *tz,
    int *table_off, int *table_dst, int *use_table, char *err, size_t errsz)
{
	struct tz_cur	 c = { buf, len };
	struct tz_hdr	 h;
	const uint8_t	*trans, *idx, *types;
	const uint8_t	*nl;
	size_t		 flen;

	if (tz_header(&c, &h, tz->name, err, errsz) == -1)
		return -1;
	if (h.version == 0) {
		snprintf(err, errsz, "time zone \"%s\": TZif version 1 file "
		    "has no footer with a POSIX TZ rule (RFC 8536 3.3); "
		    "install a current tzdata", tz->name);
		return -1;
	}
	if (h.version < '2' || h.version > '4') {
		snprintf(err, errsz, "time zone \"%s\": unknown TZif version "
		    "byte 0x%02x", tz->name, h.version);
		return -1;
	}
	if (tz_skip(&c, tz_block_len(&h, 4)) == -1)
		goto truncated;
	if (tz_header(&c, &h, tz->name, err, errsz) == -1)
		return -1;
	trans = c.p;
	if (tz_skip(&c, (size_t)h.timecnt * 8) == -1)
		goto truncated;
	idx = c.p;
	if (tz_skip(&c, h.timecnt) == -1)
		goto truncated;
	types = c.p;
	if (tz_skip(&c, (size_t)h.typecnt * 6) == -1)
		goto truncated;
	for (uint32_t i = 0; i < h.typecnt; i++) {
		int32_t off = (int32_t)tz_be32(types + i * 6);

		/* RFC 8536 3.2: not -2^31; in practice within +-25 h. */
		if (off <= -90000 || off >= 93600 || types[i * 6 + 4] > 1 ||
		    types[i * 6 + 5] >= h.charcnt) {
			snprintf(err, errsz, "time zone \"%s\": bad local "
			    "time type %u (RFC 8536 3.2)", tz->name, i);
			return -1;
		}
	}
	for (uint32_t i = 0; i < h.timecnt; i++)
		if (idx[i] >= h.typecnt) {
			snprintf(err, errsz, "time zone \"%s\": transition %u "
			    "names type %u of %u", tz->name, i, idx[i],
			    h.typecnt);
			return -1;
		}
	if (tz_skip(&c, h.charcnt + (size_t)h.leapcnt * 12 + h.isstdcnt +
	    h.isutcnt) == -1)
		goto truncated;

	/* RFC 8536 3.3: footer = NL, TZ string, NL. */
	if (c.rem < 2 || c.p[0] != '\n')
		goto truncated;
	tz_skip(&c, 1);
	if ((nl = memchr(c.p, '\n', c.rem)) == NULL)
		goto truncated;
	flen = (size_t)(nl - c.p);
	if (flen == 0) {
		snprintf(err, errsz, "time zone \"%s\": empty footer, no "
		    "POSIX TZ rule for times after the last transition",
		    tz->name);
		return -1;
	}
	if (flen > TZ_POSIX_MAX || memchr(c.p, '\0', flen) != NULL) {
		snprintf(err, errsz, "time zone \"%s\": footer longer than %d "
		    "bytes or not text", tz->name, TZ_POSIX_MAX);
		return -1;
	}
	{
		char	 rule[TZ_POSIX_MAX + 1], perr[160];

		memcpy(rule, c.p, flen);
		rule[flen] = '\0';
		if (tz_posix_parse(rule, tz, perr, sizeof(perr)) == -1) {
			snprintf(err, errsz, "time zone \"%s\": footer rule: "
			    "%s", tz->name, perr);
			return -1;
		}
	}

	/* Before the last transition the table rules (RFC 8536 3.2). */
	*use_table = 0;
	if (h.timecnt > 0 &&
	    (int64_t)now < tz_be64(trans + ((size_t)h.timecnt - 1) * 8)) {
		uint32_t type = 0;

		for (uint32_t i = 0; i < h.timecnt; i++) {
			if (tz_be64(trans + (size_t)i * 8) > (int64_t)now)
				break;
			type = idx[i];
		}
		*table_off = (int32_t)tz_be32(types + type * 6);
		*table_dst = types[type * 6 + 4];
		*use_table = 1;
	}
	return 0;
truncated:
	snprintf(err, errsz, "time zone \"%s\": TZif file truncated (%zu "
	    "bytes)", tz->name, len);
	return -1;
}

/*
 * POSIX TZ strings (POSIX.1-2017 8.3 with RFC 8536 3.3.1):
 *   std offset [dst [offset] , rule [/time] , rule [/time]]
 * A cursor over a NUL-terminated string; each helper leaves through
 * -1 with a message naming what it expected.
 */
struct tz_pcur {
	const char	*p;
	char		*err;
	size_t		 errsz;
};

static int
tz_perr(struct tz_pcur *c, const char *what)
{
	snprintf(c->err, c->errsz, "%s at \"%.20s\"", what, c->p);
	return -1;
}

/* An unsigned number of at most maxdig digits. */
static int
tz_pnum(struct tz_pcur *c, int maxdig, int *out)
{
	int	 n = 0, d = 0;

	while (*c->p >= '0' && *c->p <= '9') {
		if (++d > maxdig)
			return tz_perr(c, "number too long");
		n = n * 10 + (*c->p++ - '0');
	}
	if (d == 0)
		return tz_perr(c, "number expected");
	*out = n;
	return 0;
}

/* <quoted> or alphabetic abbreviation, 3..TZ_ABBR_MAX bytes. */
static int
tz_pname(struct tz_pcur *c, char *out)
{
	size_t	 n = 0;

	if (*c->p == '<') {
		c->p++;
		while (*c->p != '>') {
			char ch = *c->p;

			if (!((ch >= 'A' && ch <= 'Z') ||
			    (ch >= 'a' && ch <= 'z') ||
			    (ch >= '0' && ch <= '9') || ch == '+' ||
			    ch == '-'))
				return tz_perr(c, "unterminated or bad "
				    "<quoted> zone abbreviation");
			if (n == TZ_ABBR_MAX)
				return tz_perr(c, "zone abbreviation too long");
			out[n++] = *c->p++;
		}
		c->p++;
	} else {
		while ((*c->p >= 'A' && *c->p <= 'Z') ||
		    (*c->p >= 'a' && *c->p <= 'z')) {
			if (n == TZ_ABBR_MAX)
				return tz_perr(c, "zone abbreviation too long");
			out[n++] = *c->p++;
		}
	}
	out[n] = '\0';
	if (n < 3)
		return tz_perr(c, "zone abbreviation of at least 3 "
		    "characters expected");
	return 0;
}

/* [+-]hh[:mm[:ss]] in seconds; hours at most maxh. */
static int
tz_ptime(struct tz_pcur *c, int maxh, int *out)
{
	int	 sign = 1, h, m = 0, s = 0;

	if (*c->p == '+' || *c->p == '-')
		sign = *c->p++ == '-' ? -1 : 1;
	if (tz_pnum(c, 3, &h) == -1)
		return -1;
	if (h > maxh)
		return tz_perr(c, "hours out of range");
	if (*c->p == ':') {
		c->p++;
		if (tz_pnum(c, 2, &m) == -1)
			return -1;
		if (m > 59)
			return tz_perr(c, "minutes out of range");
		if (*c->p == ':') {
			c->p++;
			if (tz_pnum(c, 2, &s) == -1)
				return -1;
			if (s > 59)
				return tz_perr(c, "seconds out of range");
		}
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return 0;
}

/* Jn | n | Mm.w.d, then [/time]. */
static int
tz_prule(struct tz_pcur *c, struct tz_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->time = 2 * 3600;	/* POSIX default 02:00:00 */
	if (*c->p == 'M') {
		c->p++;
		r->kind = TZ_RULE_MWD;
		if (tz_pnum(c, 2, &r->month) == -1)
			return -1;
		if (r->month < 1 || r->month > 12)
			return tz_perr(c, "rule month not in 1..12");
		if (*c->p++ != '.' || tz_pnum(c, 1, &r->week) == -1)
			return tz_perr(c, "rule Mm.w.d expected");
		if (r->week < 1 || r->week > 5)
			return tz_perr(c, "rule week not in 1..5");
		if (*c->p++ != '.' || tz_pnum(c, 1, &r->wday) == -1)
			return tz_perr(c, "rule Mm.w.d expected");
		if (r->wday > 6)
			return tz_perr(c, "rule weekday not in 0..6");
	} else if (*c->p == 'J') {
		c->p++;
		r->kind = TZ_RULE_JULIAN1;
		if (tz_pnum(c, 3, &r->day) == -1)
			return -1;
		if (r->day < 1 || r->day > 365)
			return tz_perr(c, "rule Jn day not in 1..365");
	} else {
		r->kind = TZ_RULE_JULIAN0;
		if (tz_pnum(c, 3, &r->day) == -1)
			return tz_perr(c, "rule Mm.w.d, Jn or n expected");
		if (r->day > 365)
			return tz_perr(c, "rule day not in 0..365");
	}
	if (*c->p == '/') {
		c->p++;
		if (tz_ptime(c, TZ_MAX_RULE_H, &r->time) == -1)
			return -1;
	}
	return 0;
}

int
tz_posix_parse(const char *s, struct tz_info *tz, char *err, size_t errsz)
{
	struct tz_pcur	 c = { s, err, errsz };
	int		 off;

	if (s == NULL || *s == '\0') {
		snprintf(err, errsz, "empty POSIX TZ string");
		return -1;
	}
	if (strlen(s) > TZ_POSIX_MAX) {
		snprintf(err, errsz, "POSIX TZ string longer than %d bytes",
		    TZ_POSIX_MAX);
		return -1;
	}
	memset(tz->dst_abbr, 0, sizeof(tz->dst_abbr));
	memset(&tz->start, 0, sizeof(tz->start));
	memset(&tz->end, 0, sizeof(tz->end));
	tz->has_dst = 0;
	if (tz_pname(&c, tz->std_abbr) == -1)
		return -1;
	if (*c.p == '\0')
		return tz_perr(&c, "UTC offset expected");
	if (tz_ptime(&c, TZ_MAX_HOURS, &off) == -1)
		return -1;
	/* POSIX counts west of Greenwich positive; we count east. */
	tz->std_offset = -off;
	tz->dst_offset = tz->std_offset;
	if (*c.p != '\0') {
		if (tz_pname(&c, tz->dst_abbr) == -1)
			return -1;
		tz->has_dst = 1;
		tz->dst_offset = tz->std_offset + 3600;
		if (*c.p != ',' && *c.p != '\0') {
			if (tz_ptime(&c, TZ_MAX_HOURS, &off) == -1)
				return -1;
			tz->dst_offset = -off;
		}
		/*
		 * POSIX leaves DST without rules implementation-defined;
		 * RFC 8536 footers always carry them, and a phone needs them.
		 */
		if (*c.p != ',')
			return tz_perr(&c, "',' and a DST start rule expected");
		c.p++;
		if (tz_prule(&c, &tz->start) == -1)
			return -1;
		if (*c.p != ',')
			return tz_perr(&c, "',' and a DST end rule expected");
		c.p++;
		if (tz_prule(&c, &tz->end) == -1)
			return -1;
	}
	if (*c.p != '\0')
		return tz_perr(&c, "end of TZ string expected");
	snprintf(tz->posix, sizeof(tz->posix), "%s", s);
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
tz_days(int64_t y, int m, int d)
{
	int64_t		 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
tz_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
tz_month_days(int64_t y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return md[m - 1] + (m == 2 && tz_leap(y));
}

/* The local date a rule names in year y, as days since the epoch. */
static int64_t
tz_rule_day(const struct tz_rule *r, int64_t y)
{
	int64_t	 d0, d;

	switch (r->kind) {
	case TZ_RULE_JULIAN1:
		d = tz_days(y, 1, 1) + r->day - 1;
		return d + (tz_leap(y) && r->day >= 60);
	case TZ_RULE_JULIAN0:
		return tz_days(y, 1, 1) + r->day;
	case TZ_RULE_MWD:
	default:
		d0 = tz_days(y, r->month, 1);
		/* 1970-01-01 was a Thursday (4). */
		d = d0 + ((r->wday - (d0 % 7 + 7 + 4) % 7) + 7) % 7 +
		    (int64_t)(r->week - 1) * 7;
		while (d - d0 >= tz_month_days(y, r->month))
			d -= 7;
		return d;
	}
}

/* The proleptic Gregorian year of instant t (H. Hinnant's
 * civil_from_days, exact for any 64-bit day count). */
static int64_t
tz_year_of(int64_t t)
{
	int64_t	 z, era, doe, yoe, doy, mp;

	z = (t >= 0 ? t / 86400 : (t - 86399) / 86400) + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10);
}

/*
 * The rule's offset at t: the latest of the start/end transitions of the
 * years around t that is not after t decides. Start instants are in
 * local standard time, end instants in local daylight time (POSIX 8.3).
 * On a tie the start wins, so a zone with DST all year (RFC 8536 3.3.1
 * "EST5EDT4,0/0,J365/25") stays in DST across the year boundary.
 */
int
tz_posix_offset(const struct tz_info *tz, time_t t, int *is_dst)
{
	int64_t		 y, best = INT64_MIN;
	int		 dst = 0;

	/* Keep the day arithmetic far from overflow: +-1e9 years. */
	if ((int64_t)t > TZ_T_LIMIT)
		t = (time_t)TZ_T_LIMIT;
	if ((int64_t)t < -TZ_T_LIMIT)
		t = (time_t)-TZ_T_LIMIT;
	if (tz->has_dst) {
		y = tz_year_of((int64_t)t + tz->std_offset);
		for (int64_t yy = y - 1; yy <= y + 1; yy++) {
			int64_t s = tz_rule_day(&tz->start, yy) * 86400 +
			    tz->start.time - tz->std_offset;
			int64_t e = tz_rule_day(&tz->end, yy) * 86400 +
			    tz->end.time - tz->dst_offset;

			if (e <= (int64_t)t && e > best) {
				best = e;
				dst = 0;
			}
			if (s <= (int64_t)t && s >= best) {
				best = s;
				dst = 1;
			}
		}
	}
	if (is_dst != NULL)
		*is_dst = dst;
	return dst ? tz->dst_offset : tz->std_offset;
}

int
tz_lookup(const char *iana, time_t now, struct tz_info *tz, char *err,
    size_t errsz)
{
	uint8_t		*buf = NULL;
	size_t		 len;
	int		 fd = -1, rc = -1, toff = 0, tdst = 0, use_table = 0;

	memset(tz, 0, sizeof(*tz));
	if (tz_name_check(iana, err, errsz) == -1)
		goto done;
	snprintf(tz->name, sizeof(tz->name), "%s", iana);
	if ((fd = tz_open(iana, err, errsz)) == -1)
		goto done;
	if ((buf = tz_slurp(fd, iana, &len, err, errsz)) == NULL)
		goto done;
	if (tz_parse_file(buf, len, now, tz, &toff, &tdst, &use_table, err,
	    errsz) == -1)
		goto done;
	if (use_table) {
		tz->now_offset = toff;
		tz->now_is_dst = tdst;
	} else
		tz->now_offset = tz_posix_offset(tz, now, &tz->now_is_dst);
	rc = 0;
done:
	if (fd != -1)
		close(fd);
	free(buf);
	return rc;
}
