/*
 * log.h - logging for the provbox daemons and tools.
 *
 * In the foreground messages go to stderr, as a daemon to syslog; under
 * systemd (stderr is the journal stream, or log.target is "journal") they
 * go to the journal as structured entries instead, with their priority and
 * the fields of struct log_fields. log_warn() appends strerror(errno),
 * log_warnx() does not. fatal()/fatalx() are for start-up failures and
 * broken invariants only, never for bad input.
 *
 * Per-packet and per-request problems go through a struct log_ratelimit so a
 * flood of bad input costs a handful of lines and a "suppressed" count.
 * Bytes from the network are escaped with log_escape() before they are
 * logged; tokens and passwords are never logged in full (log_redact()).
 */
#ifndef PB_LOG_H
#define PB_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

enum log_level {
	PB_LOG_ERR = 0,
	PB_LOG_WARNING,
	PB_LOG_NOTICE,
	PB_LOG_INFO,
	PB_LOG_DEBUG,
};

/* ident: program name; foreground: 1 for stderr, 0 for syslog. */
void		 log_init(const char *ident, int foreground, enum log_level level);
void		 log_set_level(enum log_level level);
enum log_level	 log_get_level(void);
const char	*log_level_str(enum log_level level);
int		 log_level_parse(const char *name, enum log_level *out);
/* syslog facility by name ("daemon", "local0".."local7"); -1 if unknown. */
int		 log_facility_parse(const char *name);
void		 log_set_facility(int facility);

/*
 * Where the lines go. LOG_TARGET_AUTO: the journal when stderr is the
 * stream systemd connected to it ($JOURNAL_STREAM names its device and
 * inode, systemd.exec(5)), else stderr in the foreground and syslog as a
 * daemon. LOG_TARGET_JOURNAL: the journal, whatever stderr is. An entry
 * the journal does not take (no journald) goes where it would without it.
 */
enum log_target {
	LOG_TARGET_AUTO = 0,
	LOG_TARGET_JOURNAL,
};
/* "auto" or "journal"; 0, or -1 if unknown. */
int		 log_target_parse(const char *name, enum log_target *out);
void		 log_set_target(enum log_target target);

/*
 * What a line is about, for the journal: each non-NULL, non-empty member
 * becomes a field of the entry (PROVBOX_MAC, PROVBOX_IP, PROVBOX_USER,
 * PROVBOX_CLASS, PROVBOX_EVENT), so that `journalctl PROVBOX_MAC=...`
 * finds a device's lines. stderr and syslog show only the message, which
 * must name the same things. The strings are borrowed for the call.
 */
struct log_fields {
	const char	*mac;		/* "80:5e:c0:aa:bb:cc" */
	const char	*ip;		/* the device's address */
	const char	*user;
	const char	*class;		/* the vendor class */
	const char	*event;		/* what happened: "dhcp-ack", ... */
};

/*
 * A sink receives every message that passes the level filter instead of
 * stderr/syslog; tests use it to capture output. NULL restores the default.
 */
typedef void	(*log_sink_fn)(enum log_level, const char *msg, void *arg);
void		 log_set_sink(log_sink_fn fn, void *arg);

/*
 * Held output, for an event loop: stderr lines are kept in a buffer
 * (16 KiB) and written together by log_flush() instead of one write()
 * each. first(arg) is called when a line is held into an empty buffer; the
 * caller arranges a log_flush() soon after (at the end of the loop's
 * pass). Warnings and errors, a full buffer and a line from an earlier
 * second are written at once, so that nothing waits long; log_flush()
 * also runs at exit(). A crash loses the held lines of the current pass.
 * first == NULL writes what is held and ends holding. Syslog and sinks
 * are never held.
 */
void		 log_hold(void (*first)(void *), void *arg);
void		 log_flush(void);

void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_msg(enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* log_msg() with the fields of f (may be NULL) in its journal entry. */
void	log_fields_msg(enum log_level level, const struct log_fields *f,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * A rate limit for one kind of warning: at most `burst` messages per
 * `interval` seconds. What is suppressed is counted and reported with the
 * first message of the next window.
 */
struct log_ratelimit {
	unsigned	 burst;
	unsigned	 interval;
	time_t		 window_start;
	unsigned	 count;		/* messages let through in this window */
	unsigned long	 suppressed;	/* messages dropped since last report */
};
#define LOG_RATELIMIT_INIT(burst, interval) { (burst), (interval), 0, 0, 0 }
/* A rate limit that follows log_set_ratelimit() (log.warn_burst/interval). */
#define LOG_RATELIMIT_CONFIGURED LOG_RATELIMIT_INIT(0, 0)

/* The burst and interval of LOG_RATELIMIT_CONFIGURED limits (10 / 60 s). */
void	log_set_ratelimit(unsigned burst, unsigned interval);

/*
 * Decides whether a message at `now` may be logged. Returns 1 and stores in
 * *reported how many were suppressed before it (then resets that count), or
 * returns 0 and counts the message as suppressed.
 */
int	log_ratelimit_allow(struct log_ratelimit *rl, time_t now,
	    unsigned long *reported);
void	log_warnx_rl(struct log_ratelimit *rl, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_fields_warnx_rl(struct log_ratelimit *rl,
	    const struct log_fields *f, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Escapes untrusted bytes for a log line: printable ASCII stays (backslash
 * and double quote are escaped), everything else becomes \xNN. The output is
 * always NUL-terminated and cut (with "...") to fit dstsz. Returns dst.
 */
char	*log_escape(char *dst, size_t dstsz, const void *src, size_t srclen);

/*
 * Shows a secret as its first four characters and its length, e.g.
 * "Xy3k...(32)", so log lines can tell tokens apart without leaking them.
 * Secrets shorter than 12 characters show no characters at all.
 */
char	*log_redact(char *dst, size_t dstsz, const char *secret);

#endif /* PB_LOG_H */
