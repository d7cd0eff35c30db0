/*
 * metrics.c - Prometheus metrics: the text exposition format, fixed-bound
 * histograms and the process metrics (metrics.h).
 *
 * Written by hand: Debian packages no C client library for Prometheus
 * (prometheus-cpp is C++, and the C "prometheus-client-c" is not in
 * Debian), and the text format is small (exposition_formats.md, version
 * 0.0.4): "# HELP", "# TYPE", then one "name{labels} value" line per
 * sample, label values escaped (\\, \", \n), histograms as cumulative
 * _bucket{le="..."} lines ending in le="+Inf", then _sum and _count.
 *
 * The admin listener that serves them is metrics_http.c.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "metrics.h"

static const char *const type_names[] = {
	[METRICS_COUNTER] = "counter",
	[METRICS_GAUGE] = "gauge",
	[METRICS_HISTOGRAM] = "histogram",
};

/* HELP text: \ and newline escaped (the format's rule for HELP). */
static void
add_help(struct evbuffer *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			evbuffer_add(out, "\\\\", 2);
		else if (*s == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add(out, s, 1);
	}
}

/* A label value: \, " and newline escaped. */
static void
add_label_value(struct evbuffer *out, const char *s)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *esc = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" :
		    *s == '\n' ? "\\n" : NULL;

		if (esc == NULL)
			continue;
		evbuffer_add(out, run, (size_t)(s - run));
		evbuffer_add(out, esc, 2);
		run = s + 1;
	}
	evbuffer_add(out, run, (size_t)(s - run));
}

void
metrics_family(struct evbuffer *out, const char *name,
    enum metrics_type type, const char *help)
{
	evbuffer_add_printf(out, "# HELP %s ", name);
	add_help(out, help);
	evbuffer_add_printf(out, "\n# TYPE %s %s\n", name, type_names[type]);
}

/* name{labels[,extra="value"]} */
static void
add_name(struct evbuffer *out, const char *name, const char *const *labels,
    const char *extra, const char *extra_value)
{
	int n = 0;

	evbuffer_add(out, name, strlen(name));
	for (size_t i = 0; labels != NULL && labels[i] != NULL &&
	    labels[i + 1] != NULL; i += 2) {
		evbuffer_add_printf(out, "%s%s=\"", n++ ? "," : "{",
		    labels[i]);
		add_label_value(out, labels[i + 1]);
		evbuffer_add(out, "\"", 1);
	}
	if (extra != NULL) {
		evbuffer_add_printf(out, "%s%s=\"", n++ ? "," : "{", extra);
		add_label_value(out, extra_value);
		evbuffer_add(out, "\"", 1);
	}
	if (n > 0)
		evbuffer_add(out, "}", 1);
}

/* A float as the format spells it: +Inf, -Inf, NaN, else %.15g. */
static void
add_double(struct evbuffer *out, double v)
{
	if (isnan(v))
		evbuffer_add(out, "NaN", 3);
	else if (isinf(v))
		evbuffer_add_printf(out, "%sInf", v > 0 ? "+" : "-");
	else
		evbuffer_add_printf(out, "%.15g", v);
}

void
metrics_sample(struct evbuffer *out, const char *name,
    const char *const *labels, double value)
{
	add_name(out, name, labels, NULL, NULL);
	evbuffer_add(out, " ", 1);
	add_double(out, value);
	evbuffer_add(out, "\n", 1);
}

void
metrics_sample_u(struct evbuffer *out, const char *name,
    const char *const *labels, uint64_t value)
{
	add_name(out, name, labels, NULL, NULL);
	evbuffer_add_printf(out, " %llu\n", (unsigned long long)value);
}

void
metrics_counter(struct evbuffer *out, const char *name, const char *help,
    uint64_t value)
{
	metrics_family(out, name, METRICS_COUNTER, help);
	metrics_sample_u(out, name, NULL, value);
}

void
metrics_gauge(struct evbuffer *out, const char *name, const char *help,
    double value)
{
	metrics_family(out, name, METRICS_GAUGE, help);
	metrics_sample(out, name, NULL, value);
}

int
metrics_hist_init(struct metrics_hist *h, const double *bounds,
    size_t nbounds)
{
	memset(h, 0, sizeof(*h));
	if (nbounds > METRICS_HIST_MAX)
		return -1;
	for (size_t i = 1; i < nbounds; i++)
		if (!(bounds[i] > bounds[i - 1]))
			return -1;
	h->bounds = bounds;
	h->nbounds = nbounds;
	return 0;
}

/*
 * The first bucket whose bound is >= v (Prometheus buckets are "less
 * than or equal"): a linear scan, since the bounds are few and the small
 * values (fast answers) are the common ones, found first.
 */
void
metrics_hist_observe(struct metrics_hist *h, double v)
{
	size_t i = 0;

	while (i < h->nbounds && v > h->bounds[i])
		i++;
	h->counts[i]++;
	h->sum += v;
	h->count++;
}

void
metrics_hist_write(struct evbuffer *out, const char *name,
    const char *const *labels, const struct metrics_hist *h)
{
	char		 sub[128], le[32];
	uint64_t	 cum = 0;

	snprintf(sub, sizeof(sub), "%s_bucket", name);
	for (size_t i = 0; i <= h->nbounds; i++) {
		cum += h->counts[i];
		if (i < h->nbounds)
			snprintf(le, sizeof(le), "%g", h->bounds[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		add_name(out, sub, labels, "le", le);
		evbuffer_add_printf(out, " %llu\n", (unsigned long long)cum);
	}
	snprintf(sub, sizeof(sub), "%s_sum", name);
	metrics_sample(out, sub, labels, h->sum);
	snprintf(sub, sizeof(sub), "%s_count", name);
	/* The +Inf bucket and _count must agree: both are cum. */
	metrics_sample_u(out, sub, labels, cum);
}

double
metrics_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
ts_sec(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

/*
 * /proc/self/stat's fields after the command (which may hold spaces and
 * parentheses: the last ')' ends it). f[0] is field 3 (state), so field
 * n of proc(5) is f[n - 3]. -1 when it cannot be read.
 */
static int
read_stat(unsigned long long *f, size_t nf)
{
	char	 buf[1024], *p, *end;
	ssize_t	 n;
	int	 fd;
	size_t	 i;

	if ((fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return -1;
	p += 2;
	/* Field 3 is a letter. */
	f[0] = (unsigned long long)(unsigned char)*p;
	p++;
	for (i = 1; i < nf; i++) {
		/* Negative fields (priority, nice) wrap: none is used. */
		f[i] = strtoull(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
	}
	return 0;
}

/* Open descriptors: the entries of /proc/self/fd but the one reading it. */
static long
count_fds(void)
{
	DIR		*d;
	struct dirent	*e;
	long		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n > 0 ? n - 1 : 0;
}

void
metrics_process(struct evbuffer *out)
{
	unsigned long long	 f[22];
	struct timespec		 cpu, real, boot;
	struct rlimit		 rl;
	long			 fds, tick = sysconf(_SC_CLK_TCK);
	long			 page = sysconf(_SC_PAGESIZE);

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0) {
		metrics_family(out, "process_cpu_seconds_total",
		    METRICS_COUNTER, "Total user and system CPU time spent in "
		    "seconds.");
		metrics_sample(out, "process_cpu_seconds_total", NULL,
		    ts_sec(&cpu));
	}
	/* Fields 22 (starttime), 23 (vsize), 24 (rss) are f[19..21]. */
	if (read_stat(f, 22) == 0) {
		metrics_gauge(out, "process_virtual_memory_bytes", "Virtual "
		    "memory size in bytes.", (double)f[20]);
		metrics_gauge(out, "process_resident_memory_bytes", "Resident "
		    "memory size in bytes.", (double)f[21] * (double)page);
		/*
		 * starttime counts clock ticks since boot; the boot in wall
		 * time is CLOCK_REALTIME less CLOCK_BOOTTIME (/proc/stat's
		 * btime is outside ProcSubset=pid).
		 */
		if (tick > 0 && clock_gettime(CLOCK_REALTIME, &real) == 0 &&
		    clock_gettime(CLOCK_BOOTTIME, &boot) == 0)
			metrics_gauge(out, "process_start_time_seconds",
			    "Start time of the process since unix epoch in "
			    "seconds.", (double)(long long)(ts_sec(&real) -
			    ts_sec(&boot) + (double)f[19] / (double)tick));
	}
	if ((fds = count_fds()) >= 0)
		metrics_gauge(out, "process_open_fds", "Number of open file "
		    "descriptors.", (double)fds);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		metrics_gauge(out, "process_max_fds", "Maximum number of open "
		    "file descriptors.", rl.rlim_cur == RLIM_INFINITY ?
		    INFINITY : (double)rl.rlim_cur);
}
