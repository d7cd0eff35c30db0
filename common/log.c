/*
 * log.c - stderr/syslog/journal logging with levels, rate limits and
 * escaping.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* The entries' CODE_FILE and CODE_LINE would all name this file. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "log.h"

static const char	*log_ident = "provbox";
static int		 log_foreground = 1;
static enum log_level	 log_level = PB_LOG_INFO;
static int		 log_facility = LOG_DAEMON;
static int		 log_opened;
static int		 log_to_journal;
static log_sink_fn	 log_sink;
static unsigned		 rl_burst = 10;
static unsigned		 rl_interval = 60;
static void		*log_sink_arg;

/* Held stderr lines (log_hold), written by log_flush(). */
#define HOLD_MAX	16384
static void		(*hold_cb)(void *);
static void		*hold_arg;
static char		 hold_buf[HOLD_MAX];
static size_t		 hold_len;
static time_t		 hold_since;

static const char *const level_names[] = {
	[PB_LOG_ERR] = "error",
	[PB_LOG_WARNING] = "warning",
	[PB_LOG_NOTICE] = "notice",
	[PB_LOG_INFO] = "info",
	[PB_LOG_DEBUG] = "debug",
};

static const int level_prio[] = {
	[PB_LOG_ERR] = LOG_ERR,
	[PB_LOG_WARNING] = LOG_WARNING,
	[PB_LOG_NOTICE] = LOG_NOTICE,
	[PB_LOG_INFO] = LOG_INFO,
	[PB_LOG_DEBUG] = LOG_DEBUG,
};

void
log_init(const char *ident, int foreground, enum log_level level)
{
	log_ident = ident;
	log_foreground = foreground;
	log_level = level;
	if (!foreground && !log_opened) {
		openlog(ident, LOG_PID | LOG_NDELAY, log_facility);
		log_opened = 1;
	}
	tzset();
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_set_facility(int facility)
{
	log_facility = facility;
	if (log_opened) {
		closelog();
		openlog(log_ident, LOG_PID | LOG_NDELAY, log_facility);
	}
}

const char *
log_level_str(enum log_level level)
{
	if ((unsigned)level > PB_LOG_DEBUG)
		return "unknown";
	return level_names[level];
}

int
log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i <= PB_LOG_DEBUG; i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

int
log_facility_parse(const char *name)
{
	static const struct {
		const char	*name;
		int		 fac;
	} fac[] = {
		{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};

	for (size_t i = 0; i < sizeof(fac) / sizeof(fac[0]); i++)
		if (strcasecmp(name, fac[i].name) == 0)
			return fac[i].fac;
	return -1;
}

int
log_target_parse(const char *name, enum log_target *out)
{
	if (strcasecmp(name, "auto") == 0)
		*out = LOG_TARGET_AUTO;
	else if (strcasecmp(name, "journal") == 0)
		*out = LOG_TARGET_JOURNAL;
	else
		return -1;
	return 0;
}

/*
 * Is stderr the journal's stream? systemd sets JOURNAL_STREAM to its
 * "device:inode"; a stderr redirected since (a test's log file) differs.
 */
static int
stderr_is_journal(void)
{
	const char		*env = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 st;
	int			 end = 0;

	if (env == NULL || sscanf(env, "%llu:%llu%n", &dev, &ino, &end) != 2 ||
	    end == 0 || env[end] != '\0')
		return 0;
	if (fstat(STDERR_FILENO, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_set_target(enum log_target target)
{
	log_to_journal = target == LOG_TARGET_JOURNAL ||
	    (target == LOG_TARGET_AUTO && stderr_is_journal());
}

void
log_set_sink(log_sink_fn fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

/* Writes all of buf to stderr; a line that cannot be written is lost. */
static void
write_all(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void
log_flush(void)
{
	if (hold_len > 0)
		write_all(hold_buf, hold_len);
	hold_len = 0;
}

void
log_hold(void (*first)(void *), void *arg)
{
	static int registered;

	log_flush();
	hold_cb = first;
	hold_arg = arg;
	if (first != NULL && !registered && atexit(log_flush) == 0)
		registered = 1;
}

/* The stderr time stamp, formatted once a second. */
static const char *
stamp(time_t now)
{
	static char	ts[32];
	static time_t	last = -1;
	struct tm	tm;

	if (now != last) {
		localtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
		last = now;
	}
	return ts;
}

/* One journal entry being put together: "FIELD=value" strings in buf. */
struct jentry {
	struct iovec	 iov[10];
	size_t		 n;
	size_t		 used;
	char		 buf[4096];
};

/* Adds name=value; a NULL or empty value, or one that does not fit, not. */
static void
jfield(struct jentry *e, const char *name, const char *value)
{
	size_t	room = sizeof(e->buf) - e->used;
	int	k;

	if (value == NULL || value[0] == '\0' ||
	    e->n == sizeof(e->iov) / sizeof(e->iov[0]))
		return;
	k = snprintf(e->buf + e->used, room, "%s=%s", name, value);
	if (k < 0 || (size_t)k >= room)
		return;
	e->iov[e->n].iov_base = e->buf + e->used;
	e->iov[e->n].iov_len = (size_t)k;
	e->n++;
	e->used += (size_t)k + 1;
}

/*
 * Sends msg to the journal with its priority, the syslog identifier and
 * facility, and the fields of f. 0, or -1 when the journal did not take
 * it (no journald listening).
 */
static int
journal_emit(enum log_level level, const char *msg,
    const struct log_fields *f)
{
	struct jentry	e;
	char		num[16];

	e.n = e.used = 0;
	jfield(&e, "MESSAGE", msg);
	snprintf(num, sizeof(num), "%d", level_prio[level]);
	jfield(&e, "PRIORITY", num);
	snprintf(num, sizeof(num), "%d", log_facility >> 3);
	jfield(&e, "SYSLOG_FACILITY", num);
	jfield(&e, "SYSLOG_IDENTIFIER", log_ident);
	if (f != NULL) {
		jfield(&e, "PROVBOX_MAC", f->mac);
		jfield(&e, "PROVBOX_IP", f->ip);
		jfield(&e, "PROVBOX_USER", f->user);
		jfield(&e, "PROVBOX_CLASS", f->class);
		jfield(&e, "PROVBOX_EVENT", f->event);
	}
	return sd_journal_sendv(e.iov, (int)e.n) < 0 ? -1 : 0;
}

static void
log_emit(enum log_level level, const char *msg, const struct log_fields *f)
{
	char	line[2200];
	time_t	now;
	int	n;

	if (log_sink != NULL) {
		log_sink(level, msg, log_sink_arg);
		return;
	}
	if (log_to_journal && journal_emit(level, msg, f) == 0)
		return;
	if (!log_foreground) {
		syslog(level_prio[level], "%s", msg);
		return;
	}
	now = time(NULL);
	n = snprintf(line, sizeof(line), "%s %s[%s]: %s\n", stamp(now),
	    log_ident, level_names[level], msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (hold_cb == NULL) {
		write_all(line, (size_t)n);
		return;
	}
	/*
	 * Held: warnings and errors, a full buffer or a second-old line
	 * write at once (in order); the rest waits for log_flush().
	 */
	if (hold_len > 0 && (hold_len + (size_t)n > sizeof(hold_buf) ||
	    now != hold_since))
		log_flush();
	memcpy(hold_buf + hold_len, line, (size_t)n);
	if (hold_len == 0) {
		hold_since = now;
		hold_cb(hold_arg);
	}
	hold_len += (size_t)n;
	if (level <= PB_LOG_WARNING)
		log_flush();
}

static void
log_vmsg(enum log_level level, const struct log_fields *f, int with_errno,
    const char *fmt, va_list ap)
{
	char	 msg[2048];
	int	 saved = errno;
	int	 n;

	if (level > log_level)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		n = 0;
	if (with_errno && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
		    strerror(saved));
	log_emit(level, msg, f);
	errno = saved;
}

#define LOG_FN(name, level, with_errno)				\
	void							\
	name(const char *fmt, ...)				\
	{							\
		va_list ap;					\
		va_start(ap, fmt);				\
		log_vmsg(level, NULL, with_errno, fmt, ap);	\
		va_end(ap);					\
	}

LOG_FN(log_warn, PB_LOG_WARNING, 1)
LOG_FN(log_warnx, PB_LOG_WARNING, 0)
LOG_FN(log_notice, PB_LOG_NOTICE, 0)
LOG_FN(log_info, PB_LOG_INFO, 0)
LOG_FN(log_debug, PB_LOG_DEBUG, 0)

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_fields_msg(enum log_level level, const struct log_fields *f,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, f, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(PB_LOG_ERR, NULL, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(PB_LOG_ERR, NULL, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_set_ratelimit(unsigned burst, unsigned interval)
{
	rl_burst = burst;
	rl_interval = interval;
}

int
log_ratelimit_allow(struct log_ratelimit *rl, time_t now,
    unsigned long *reported)
{
	unsigned burst = rl->burst ? rl->burst : rl_burst;
	unsigned interval = rl->burst ? rl->interval : rl_interval;

	if (rl->window_start == 0 || now < rl->window_start ||
	    now - rl->window_start >= (time_t)interval) {
		rl->window_start = now;
		rl->count = 0;
	}
	if (rl->count >= burst) {
		rl->suppressed++;
		return 0;
	}
	rl->count++;
	*reported = rl->suppressed;
	rl->suppressed = 0;
	return 1;
}

static void
log_vwarnx_rl(struct log_ratelimit *rl, const struct log_fields *f,
    const char *fmt, va_list ap)
{
	struct timespec	 ts;
	unsigned long	 dropped;
	char		 msg[1024];

	if (PB_LOG_WARNING > log_level)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!log_ratelimit_allow(rl, ts.tv_sec, &dropped))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (dropped > 0)
		log_fields_msg(PB_LOG_WARNING, f, "%s (%lu similar messages "
		    "suppressed)", msg, dropped);
	else
		log_fields_msg(PB_LOG_WARNING, f, "%s", msg);
}

void
log_warnx_rl(struct log_ratelimit *rl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwarnx_rl(rl, NULL, fmt, ap);
	va_end(ap);
}

void
log_fields_warnx_rl(struct log_ratelimit *rl, const struct log_fields *f,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwarnx_rl(rl, f, fmt, ap);
	va_end(ap);
}

/* One input byte as it appears escaped; returns its length (1, 2 or 4). */
static size_t
escape_byte(unsigned char c, char out[4])
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\\' || c == '"') {
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 0xf];
	return 4;
}

char *
log_escape(char *dst, size_t dstsz, const void *src, size_t srclen)
{
	const unsigned char	*s = src;
	char			 tmp[4];
	size_t			 full = 0, o = 0, room;

	if (dstsz == 0)
		return dst;
	for (size_t i = 0; i < srclen; i++)
		full += escape_byte(s[i], tmp);
	/* All of it fits: no marker. Otherwise keep room for "..." + NUL. */
	room = full < dstsz ? full : (dstsz > 4 ? dstsz - 4 : 0);
	for (size_t i = 0; i < srclen; i++) {
		size_t n = escape_byte(s[i], tmp);

		if (o + n > room)
			break;
		memcpy(dst + o, tmp, n);
		o += n;
	}
	if (full >= dstsz && dstsz > 4) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
	return dst;
}

char *
log_redact(char *dst, size_t dstsz, const char *secret)
{
	size_t len = secret != NULL ? strlen(secret) : 0;

	if (len == 0)
		snprintf(dst, dstsz, "(none)");
	else if (len < 12)
		snprintf(dst, dstsz, "...(%zu)", len);
	else
		snprintf(dst, dstsz, "%.4s...(%zu)", secret, len);
	return dst;
}
