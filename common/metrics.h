/*
 * metrics.h - Prometheus metrics: the text exposition format (version
 * 0.0.4) written into a libevent evbuffer, histograms that a hot path
 * observes into without allocating, the process metrics every Prometheus
 * client exports, and the admin listener that serves GET /metrics.
 *
 * A daemon's metrics function (daemon_hooks.metrics) appends its families
 * with metrics_family() and metrics_sample*() / metrics_hist_write(); the
 * listener adds the process_* families after them.
 */
#ifndef PB_METRICS_H
#define PB_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct cfg;
struct event_base;
struct evbuffer;

enum metrics_type {
	METRICS_COUNTER = 0,
	METRICS_GAUGE,
	METRICS_HISTOGRAM,
};

/*
 * "# HELP name help" and "# TYPE name type". help is escaped (\\ and \n)
 * as the format wants. A counter's name ends in _total (its samples carry
 * it), a histogram's is the base name of its _bucket/_sum/_count.
 */
void	metrics_family(struct evbuffer *out, const char *name,
	    enum metrics_type type, const char *help);

/*
 * One sample line: name{k1="v1",k2="v2"} value. labels is NULL, or a
 * NULL-ended list of name, value pairs (values escaped: \\, \", \n);
 * a compound literal reads well: (const char *[]){ "type", "ack", NULL }.
 */
void	metrics_sample(struct evbuffer *out, const char *name,
	    const char *const *labels, double value);
void	metrics_sample_u(struct evbuffer *out, const char *name,
	    const char *const *labels, uint64_t value);

/* A family of one unlabelled sample: the common case. */
void	metrics_counter(struct evbuffer *out, const char *name,
	    const char *help, uint64_t value);
void	metrics_gauge(struct evbuffer *out, const char *name,
	    const char *help, double value);

/*
 * A histogram with fixed upper bounds (ascending, in the metric's unit,
 * seconds for a duration), counted per bucket; observing is a short scan
 * of the bounds and three additions: no allocation, no lock (each daemon
 * has one thread). The +Inf bucket is implicit.
 */
#define METRICS_HIST_MAX	24

struct metrics_hist {
	const double	*bounds;	/* borrowed, usually static */
	size_t		 nbounds;	/* <= METRICS_HIST_MAX */
	uint64_t	 counts[METRICS_HIST_MAX + 1];	/* per bucket, last
							 * is +Inf */
	double		 sum;
	uint64_t	 count;
};

/* 0, or -1 when there are too many bounds or they do not ascend. */
int	metrics_hist_init(struct metrics_hist *h, const double *bounds,
	    size_t nbounds);
void	metrics_hist_observe(struct metrics_hist *h, double v);
/*
 * The samples of h (cumulative _bucket{le=...} with +Inf, _sum, _count)
 * under name, with labels as metrics_sample() takes them (le is added);
 * the family line is the caller's.
 */
void	metrics_hist_write(struct evbuffer *out, const char *name,
	    const char *const *labels, const struct metrics_hist *h);

/* Seconds on CLOCK_MONOTONIC, for latencies. */
double	metrics_now(void);

/*
 * The process_* families (Prometheus client conventions): CPU seconds,
 * resident and virtual memory, open and maximum file descriptors, start
 * time, read from /proc/self (ProcSubset=pid leaves it; nothing outside
 * it is read) and from getrlimit(). A value that cannot be read is left
 * out, with its family.
 */
void	metrics_process(struct evbuffer *out);

/*
 * The admin listener: GET (or HEAD) /metrics answers write()'s families
 * and the process ones as text/plain; version=0.0.4; other paths 404,
 * other methods 405. Started before the privileges are dropped (it binds
 * the configured address), on base. name picks the setting:
 * "provbox-dhcpd" metrics.dhcpd_listen, "provbox-provisiond"
 * metrics.provisiond_listen.
 *
 * NULL with err[0] == '\0' when the config names no listener for this
 * daemon; NULL with err set when it cannot be started (fatal).
 */
struct metrics_listener;

/*
 * What the listener makes of a request line (no I/O: unit tested and
 * fuzzed in fuzz_route): GET or HEAD of /metrics (a query allowed),
 * another method (405), another path (404), or not "METHOD SP TARGET SP
 * HTTP/1.x" (400).
 */
enum metrics_req {
	METRICS_REQ_GET = 0,
	METRICS_REQ_HEAD,
	METRICS_REQ_METHOD,
	METRICS_REQ_NOT_FOUND,
	METRICS_REQ_BAD,
};

enum metrics_req	 metrics_request_parse(const char *line);

struct metrics_listener	*metrics_start(struct event_base *base,
			    const struct cfg *cfg, const char *name,
			    void (*write)(struct evbuffer *out), char *err,
			    size_t errsz);
/* NULL is a no-op. */
void			 metrics_free(struct metrics_listener *ml);

#endif /* PB_METRICS_H */
