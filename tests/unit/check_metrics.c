/*
 * check_metrics.c - the Prometheus text writer (common/metrics.c): HELP,
 * TYPE and sample lines, label escaping, histogram buckets (cumulative,
 * "less than or equal", +Inf equal to _count), the process metrics, every
 * line of a whole exposition in the format's grammar; and the metrics
 * config group (common/cfg_metrics.c) with its errors and warnings.
 */
#include "config.h"

#include <math.h>
#include <regex.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "testutil.h"

#include "batch.h"
#include "cfg.h"
#include "dhcpd.h"
#include "metrics.h"
#include "registry.h"

static struct evbuffer	*out;
static char		*text;

static void
setup(void)
{
	ck_assert_ptr_nonnull(out = evbuffer_new());
	text = NULL;
}

static void
teardown(void)
{
	evbuffer_free(out);
	free(text);
	text = NULL;
}

/* What was written, as a string (freed by teardown or the next call). */
static const char *
written(void)
{
	size_t n = evbuffer_get_length(out);

	free(text);
	ck_assert_ptr_nonnull(text = malloc(n + 1));
	evbuffer_copyout(out, text, n);
	text[n] = '\0';
	return text;
}

static void
assert_has(const char *line)
{
	ck_assert_msg(strstr(written(), line) != NULL, "no \"%s\" in:\n%s",
	    line, text);
}

/*
 * Every line of s is a comment (HELP or TYPE of a valid name and type) or
 * a sample: name, optional {label="value",...} with only escaped quotes,
 * backslashes and newlines inside values, one space, a number. Returns the
 * number of samples; fails at the first bad line.
 */
static int
check_format(const char *s)
{
	static const char *const re_sample =
	    "^[a-zA-Z_:][a-zA-Z0-9_:]*"
	    "(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\""
	    "(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\")*)?\\})?"
	    " ([-+]?[0-9.]+([eE][-+]?[0-9]+)?|[-+]Inf|NaN)$";
	static const char *const re_help =
	    "^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* ([^\\\\\n]|\\\\[\\\\n])*$";
	static const char *const re_type =
	    "^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* "
	    "(counter|gauge|histogram|summary|untyped)$";
	regex_t		 rs, rh, rt;
	char		 line[4096];
	const char	*p = s, *nl;
	int		 samples = 0;

	ck_assert_int_eq(regcomp(&rs, re_sample, REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_int_eq(regcomp(&rh, re_help, REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_int_eq(regcomp(&rt, re_type, REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(*s == '\0' || s[strlen(s) - 1] == '\n',
	    "the exposition does not end in a newline");
	for (; *p != '\0'; p = nl + 1) {
		size_t len;

		nl = strchr(p, '\n');
		len = (size_t)(nl - p);
		ck_assert_uint_lt(len, sizeof(line));
		memcpy(line, p, len);
		line[len] = '\0';
		if (strncmp(line, "# HELP ", 7) == 0)
			ck_assert_msg(regexec(&rh, line, 0, NULL, 0) == 0,
			    "bad HELP line: %s", line);
		else if (strncmp(line, "# TYPE ", 7) == 0)
			ck_assert_msg(regexec(&rt, line, 0, NULL, 0) == 0,
			    "bad TYPE line: %s", line);
		else {
			ck_assert_msg(regexec(&rs, line, 0, NULL, 0) == 0,
			    "bad sample line: %s", line);
			samples++;
		}
	}
	regfree(&rs);
	regfree(&rh);
	regfree(&rt);
	return samples;
}

START_TEST(test_family_and_samples)
{
	metrics_counter(out, "pb_things_total", "Things done.", 42);
	metrics_gauge(out, "pb_level", "A level.", 0.5);
	metrics_family(out, "pb_by_kind_total", METRICS_COUNTER, "By kind.");
	metrics_sample_u(out, "pb_by_kind_total",
	    (const char *[]){ "kind", "a", "side", "left", NULL }, 7);
	ck_assert_str_eq(written(),
	    "# HELP pb_things_total Things done.\n"
	    "# TYPE pb_things_total counter\n"
	    "pb_things_total 42\n"
	    "# HELP pb_level A level.\n"
	    "# TYPE pb_level gauge\n"
	    "pb_level 0.5\n"
	    "# HELP pb_by_kind_total By kind.\n"
	    "# TYPE pb_by_kind_total counter\n"
	    "pb_by_kind_total{kind=\"a\",side=\"left\"} 7\n");
	ck_assert_int_eq(check_format(text), 3);
}
END_TEST

/* Label values: \ -> \\, " -> \", newline -> \n; HELP: \ and newline. */
START_TEST(test_escaping)
{
	metrics_family(out, "pb_x", METRICS_GAUGE, "back\\slash\nnew line "
	    "\"quoted\"");
	metrics_sample(out, "pb_x", (const char *[]){ "v",
	    "a\\b\"c\nd", NULL }, 1);
	metrics_sample(out, "pb_x", (const char *[]){ "v", "", NULL }, 2);
	metrics_sample(out, "pb_x", (const char *[]){ "v", "\"\"\\\\", NULL },
	    3);
	ck_assert_str_eq(written(),
	    "# HELP pb_x back\\\\slash\\nnew line \"quoted\"\n"
	    "# TYPE pb_x gauge\n"
	    "pb_x{v=\"a\\\\b\\\"c\\nd\"} 1\n"
	    "pb_x{v=\"\"} 2\n"
	    "pb_x{v=\"\\\"\\\"\\\\\\\\\"} 3\n");
	ck_assert_int_eq(check_format(text), 3);
}
END_TEST

/* Floats as the format spells them. */
START_TEST(test_values)
{
	metrics_sample(out, "pb_v", NULL, INFINITY);
	metrics_sample(out, "pb_v", NULL, -INFINITY);
	metrics_sample(out, "pb_v", NULL, NAN);
	metrics_sample(out, "pb_v", NULL, 1e-9);
	metrics_sample(out, "pb_v", NULL, 123456789012.0);
	metrics_sample_u(out, "pb_v", NULL, UINT64_MAX);
	ck_assert_str_eq(written(),
	    "pb_v +Inf\npb_v -Inf\npb_v NaN\npb_v 1e-09\npb_v 123456789012\n"
	    "pb_v 18446744073709551615\n");
	ck_assert_int_eq(check_format(text), 6);
}
END_TEST

static const double bounds[] = { 0.1, 1, 10 };

/* Buckets are "<=" and cumulative; +Inf and _count agree. */
START_TEST(test_hist_cumulative)
{
	struct metrics_hist h;

	ck_assert_int_eq(metrics_hist_init(&h, bounds, 3), 0);
	metrics_hist_observe(&h, 0.05);
	metrics_hist_observe(&h, 0.1);		/* on the bound: le 0.1 */
	metrics_hist_observe(&h, 0.5);
	metrics_hist_observe(&h, 5);
	metrics_hist_observe(&h, 50);		/* only +Inf */
	metrics_hist_observe(&h, 50);
	ck_assert_uint_eq(h.count, 6);
	ck_assert(fabs(h.sum - 105.65) < 1e-9);
	metrics_family(out, "pb_d_seconds", METRICS_HISTOGRAM, "Durations.");
	metrics_hist_write(out, "pb_d_seconds", (const char *[]){ "op",
	    "x", NULL }, &h);
	ck_assert_str_eq(written(),
	    "# HELP pb_d_seconds Durations.\n"
	    "# TYPE pb_d_seconds histogram\n"
	    "pb_d_seconds_bucket{op=\"x\",le=\"0.1\"} 2\n"
	    "pb_d_seconds_bucket{op=\"x\",le=\"1\"} 3\n"
	    "pb_d_seconds_bucket{op=\"x\",le=\"10\"} 4\n"
	    "pb_d_seconds_bucket{op=\"x\",le=\"+Inf\"} 6\n"
	    "pb_d_seconds_sum{op=\"x\"} 105.65\n"
	    "pb_d_seconds_count{op=\"x\"} 6\n");
	ck_assert_int_eq(check_format(text), 6);
}
END_TEST

START_TEST(test_hist_empty_and_unlabelled)
{
	struct metrics_hist h;

	ck_assert_int_eq(metrics_hist_init(&h, bounds, 3), 0);
	metrics_hist_write(out, "pb_e", NULL, &h);
	ck_assert_str_eq(written(),
	    "pb_e_bucket{le=\"0.1\"} 0\n"
	    "pb_e_bucket{le=\"1\"} 0\n"
	    "pb_e_bucket{le=\"10\"} 0\n"
	    "pb_e_bucket{le=\"+Inf\"} 0\n"
	    "pb_e_sum 0\n"
	    "pb_e_count 0\n");
}
END_TEST

START_TEST(test_hist_init_refuses)
{
	static const double down[] = { 1, 0.5 }, same[] = { 1, 1 };
	double			 many[METRICS_HIST_MAX + 1];
	struct metrics_hist	 h;

	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		many[i] = (double)i;
	ck_assert_int_eq(metrics_hist_init(&h, down, 2), -1);
	ck_assert_int_eq(metrics_hist_init(&h, same, 2), -1);
	ck_assert_int_eq(metrics_hist_init(&h, many, METRICS_HIST_MAX + 1), -1);
	ck_assert_int_eq(metrics_hist_init(&h, many, METRICS_HIST_MAX), 0);
	/* No bounds: everything is +Inf. */
	ck_assert_int_eq(metrics_hist_init(&h, NULL, 0), 0);
	metrics_hist_observe(&h, 3);
	ck_assert_uint_eq(h.counts[0], 1);
}
END_TEST

/* A sample's value after "name " or "name{...} ", or NAN when absent. */
static double
value_of(const char *s, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p = s;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == s || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return NAN;
}

START_TEST(test_process)
{
	double	 start, fds, maxfds, rss, cpu;
	time_t	 now = time(NULL);

	metrics_process(out);
	ck_assert_int_eq(check_format(written()), 6);
	cpu = value_of(text, "process_cpu_seconds_total");
	rss = value_of(text, "process_resident_memory_bytes");
	fds = value_of(text, "process_open_fds");
	maxfds = value_of(text, "process_max_fds");
	start = value_of(text, "process_start_time_seconds");
	ck_assert_msg(cpu >= 0 && cpu < 3600, "cpu %f", cpu);
	ck_assert_msg(rss > 100000, "rss %f", rss);
	ck_assert_msg(value_of(text, "process_virtual_memory_bytes") >= rss,
	    "vsize under rss");
	/* stdin, stdout, stderr at least; the one reading the list is not. */
	ck_assert_msg(fds >= 3 && fds <= maxfds, "fds %f of %f", fds, maxfds);
	/* This test process started a moment ago (Check forks it). */
	ck_assert_msg(start <= (double)now + 1 && start > (double)now - 600,
	    "start %f, now %lld", start, (long long)now);
	assert_has("# TYPE process_cpu_seconds_total counter\n");
	assert_has("# TYPE process_open_fds gauge\n");
}
END_TEST

/* Everything together: a daemon's families, then the process ones. */
START_TEST(test_whole_exposition)
{
	struct metrics_hist h;

	ck_assert_int_eq(metrics_hist_init(&h, bounds, 3), 0);
	metrics_hist_observe(&h, 0.3);
	metrics_family(out, "pb_msgs_total", METRICS_COUNTER, "Messages.");
	metrics_sample_u(out, "pb_msgs_total", (const char *[]){ "reason",
	    "no free address", NULL }, 1);
	metrics_sample_u(out, "pb_msgs_total", (const char *[]){ "reason",
	    "BOOTP (no message type)", NULL }, 2);
	metrics_family(out, "pb_lat_seconds", METRICS_HISTOGRAM, "Latency.");
	metrics_hist_write(out, "pb_lat_seconds", NULL, &h);
	metrics_process(out);
	ck_assert_int_eq(check_format(written()), 2 + 6 + 6);
}
END_TEST

/* No listener configured: NULL with no error; a bad address: an error. */
START_TEST(test_start_off_and_bad)
{
	struct event_base	*base = event_base_new();
	struct cfg		 c;
	char			 err[256] = "x";

	ck_assert_ptr_nonnull(base);
	memset(&c, 0, sizeof(c));
	ck_assert_ptr_null(metrics_start(base, &c, "provbox-dhcpd",
	    metrics_process, err, sizeof(err)));
	ck_assert_str_eq(err, "");
	c.metrics.provisiond_listen = (char *)"127.0.0.1:1";
	ck_assert_ptr_null(metrics_start(base, &c, "provbox-dhcpd",
	    metrics_process, err, sizeof(err)));
	ck_assert_str_eq(err, "");
	c.metrics.dhcpd_listen = (char *)"localhost";
	ck_assert_ptr_null(metrics_start(base, &c, "provbox-dhcpd",
	    metrics_process, err, sizeof(err)));
	ck_assert_msg(strstr(err, "metrics.dhcpd_listen") != NULL, "%s", err);
	metrics_free(NULL);
	event_base_free(base);
}
END_TEST

/* ------------------------------------------------------------ the config */

static char		*tdir;
static struct cfg	*cfg;
static struct cfg_errors errs;
static char		 warns[4096];

static void
warn_sink(enum log_level level, const char *msg, void *arg)
{
	size_t o = strlen(warns);

	(void)arg;
	if (level == PB_LOG_WARNING)
		snprintf(warns + o, sizeof(warns) - o, "%s\n", msg);
}

static void
cfg_setup(void)
{
	tdir = tu_mkdtemp();
	cfg = NULL;
	memset(&errs, 0, sizeof(errs));
	warns[0] = '\0';
	log_set_sink(warn_sink, NULL);
}

static void
cfg_teardown(void)
{
	cfg_free(cfg);
	cfg_errors_free(&errs);
	log_set_sink(NULL, NULL);
	tu_rmtree(tdir);
}

#define CONF_HEAD	"dhcp = { subnets = ( { subnet = \"10.0.0.0/24\"; " \
			    "} ); };\n"

/* Loads CONF_HEAD (line 1) then body (from line 2). */
static int
load(const char *body)
{
	char	*all, *path;
	int	 r;

	cfg_free(cfg);
	cfg = NULL;
	cfg_errors_free(&errs);
	ck_assert(asprintf(&all, "%s%s", CONF_HEAD, body) > 0);
	path = tu_write(tdir, "provbox.conf", all);
	r = cfg_load(path, CFG_NO_FILE_CHECKS, &cfg, &errs);
	free(path);
	free(all);
	return r;
}

static const char *
errs_str(void)
{
	static char	 buf[4096];
	char		 line[512];
	size_t		 o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < errs.n && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\n  %s",
		    cfg_error_format(&errs.v[i], line, sizeof(line)));
	return buf;
}

/* The only error is at line for setting, its message holding msg. */
static void
assert_one_err(unsigned line, const char *setting, const char *msg)
{
	ck_assert_msg(errs.n == 1, "%zu errors:%s", errs.n, errs_str());
	ck_assert_uint_eq(errs.v[0].line, line);
	ck_assert_str_eq(errs.v[0].setting, setting);
	ck_assert_msg(strstr(errs.v[0].msg, msg) != NULL, "error: %s",
	    errs.v[0].msg);
}

START_TEST(test_cfg_absent_is_off)
{
	ck_assert_int_eq(load(""), 0);
	ck_assert_ptr_null(cfg->metrics.dhcpd_listen);
	ck_assert_ptr_null(cfg->metrics.provisiond_listen);
	ck_assert_int_eq(load("metrics = { };\n"), 0);
	ck_assert_ptr_null(cfg->metrics.dhcpd_listen);
}
END_TEST

START_TEST(test_cfg_loopback)
{
	ck_assert_int_eq(load(
	    "metrics = {\n"
	    "  dhcpd_listen = \"127.0.0.1:9167\";\n"
	    "  provisiond_listen = \"[::1]:9168\";\n"
	    "};\n"), 0);
	ck_assert_str_eq(cfg->metrics.dhcpd_listen, "127.0.0.1:9167");
	ck_assert_str_eq(cfg->metrics.provisiond_listen, "[::1]:9168");
	ck_assert_str_eq(warns, "");
}
END_TEST

START_TEST(test_cfg_not_loopback_warns)
{
	ck_assert_int_eq(load(
	    "metrics = {\n"
	    "  dhcpd_listen = \"0.0.0.0:9167\";\n"
	    "};\n"), 0);
	ck_assert_msg(strstr(warns, ":3: metrics.dhcpd_listen: warning: "
	    "'0.0.0.0:9167' is not a loopback address") != NULL, "%s", warns);
}
END_TEST

START_TEST(test_cfg_errors)
{
	ck_assert_int_eq(load(
	    "metrics = {\n"
	    "  dhcpd_listen = \"localhost:9167\";\n"
	    "};\n"), -1);
	assert_one_err(3, "metrics.dhcpd_listen", "'localhost:9167' is not a "
	    "listen address");
	ck_assert_int_eq(load("metrics = { provisiond_listen = "
	    "\"127.0.0.1:0\"; };\n"), -1);
	assert_one_err(2, "metrics.provisiond_listen", "not a listen address");
	ck_assert_int_eq(load("metrics = { dhcpd_listen = 9167; };\n"), -1);
	assert_one_err(2, "metrics.dhcpd_listen", "must be a string");
	ck_assert_int_eq(load("metrics = { listen = \"127.0.0.1:1\"; };\n"),
	    -1);
	ck_assert_msg(errs.n == 1 && strstr(errs.v[0].setting, "listen") !=
	    NULL, "%s", errs_str());
	ck_assert_int_eq(load(
	    "metrics = {\n"
	    "  dhcpd_listen = \"127.0.0.1:9167\";\n"
	    "  provisiond_listen = \"127.0.0.1:9167\";\n"
	    "};\n"), -1);
	assert_one_err(4, "metrics.provisiond_listen", "dhcpd_listen too");
	ck_assert_int_eq(load("metrics = \"on\";\n"), -1);
	ck_assert_uint_eq(errs.n, 1);
}
END_TEST

/* HTTPS needs the provisioning service's certificate and key. */
START_TEST(test_cfg_tls)
{
	ck_assert_int_eq(load(
	    "metrics = {\n"
	    "  dhcpd_listen = \"127.0.0.1:9167\";\n"
	    "  tls = true;\n"
	    "};\n"), -1);
	assert_one_err(4, "metrics.tls", "provisioning.tls has no cert and "
	    "key");
	ck_assert_int_eq(load("metrics = { tls = \"yes\"; };\n"), -1);
	assert_one_err(2, "metrics.tls", "must be true or false");
	ck_assert_int_eq(load(
	    "provisioning = { listen = [ \"10.0.0.1:443\" ];\n"
	    "  base_url = \"https://10.0.0.1\";\n"
	    "  tls = { cert = \"c.pem\"; key = \"k.pem\"; }; };\n"
	    "metrics = { provisiond_listen = \"127.0.0.1:9168\";\n"
	    "  tls = true; };\n"), 0);
	ck_assert_int_eq(cfg->metrics.tls, 1);
	/* Not the provisioning port. */
	ck_assert_int_eq(load(
	    "provisioning = { listen = [ \"127.0.0.1:9168\" ];\n"
	    "  base_url = \"https://10.0.0.1\";\n"
	    "  tls = { cert = \"c.pem\"; key = \"k.pem\"; }; };\n"
	    "metrics = { provisiond_listen = \"127.0.0.1:9168\"; };\n"), -1);
	assert_one_err(5, "metrics.provisiond_listen", "a provisioning listen "
	    "address too");
}
END_TEST

/* ------------------------------------------------ provbox-dhcpd's leases */

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			    (uint32_t)(c) << 8 | (uint32_t)(d))

static struct dhcpd_view	 view;
static struct cfg		 dcfg;
static struct cfg_subnet	 dsubnet;
static struct cfg_pool		 dpools[2];
static char			*ddir;

/* The stand-in for provbox-dhcpd's dhcpd_view() (dhcpd.c). */
const struct dhcpd_view *
dhcpd_view(void)
{
	return &view;
}

static void
put_lease(struct reg_txn *txn, uint32_t ip, int state, int64_t expire)
{
	struct reg_lease l;

	memset(&l, 0, sizeof(l));
	l.ip = ip;
	l.state = (uint8_t)state;
	l.htype = 1;
	l.hlen = 6;
	l.chaddr[5] = (uint8_t)ip;
	l.client_key[0] = 'H';
	l.client_key[1] = 1;
	memcpy(l.client_key + 2, l.chaddr, 6);
	l.client_key_len = 8;
	l.start = expire - 3600;
	l.expire = expire;
	ck_assert_int_eq(reg_lease_put(txn, &l), 0);
}

static void
dhcpd_setup(void)
{
	static const struct batch_ops	 ops;
	char				 err[256], *path;
	struct reg_txn			 txn;
	int64_t				 now = time(NULL);

	setup();
	ddir = tu_mkdtemp();
	memset(&view, 0, sizeof(view));
	memset(&dcfg, 0, sizeof(dcfg));
	memset(&dsubnet, 0, sizeof(dsubnet));
	dpools[0].start = IP(10, 0, 0, 100);
	dpools[0].end = IP(10, 0, 0, 109);
	dpools[1].start = IP(10, 0, 0, 200);
	dpools[1].end = IP(10, 0, 0, 201);
	dsubnet.network = IP(10, 0, 0, 0);
	dsubnet.prefix = 24;
	dsubnet.pools = dpools;
	dsubnet.npools = 2;
	dcfg.dhcp.subnets = &dsubnet;
	dcfg.dhcp.nsubnets = 1;
	view.cfg = &dcfg;
	ck_assert(asprintf(&path, "%s/reg", ddir) > 0);
	if (reg_open(path, 16 << 20, REG_NOSYNC, &view.reg, err,
	    sizeof(err)) != 0)
		ck_abort_msg("reg_open: %s", err);
	free(path);
	ck_assert_ptr_nonnull(view.batch = batch_new(&ops, NULL));
	ck_assert_int_eq(reg_txn_begin(view.reg, &txn, 0), 0);
	put_lease(&txn, IP(10, 0, 0, 100), LEASE_BOUND, now + 600);
	put_lease(&txn, IP(10, 0, 0, 101), LEASE_BOUND, now - 5);
	put_lease(&txn, IP(10, 0, 0, 102), LEASE_OFFERED, now + 30);
	put_lease(&txn, IP(10, 0, 0, 103), LEASE_DECLINED, now + 3600);
	put_lease(&txn, IP(10, 0, 0, 104), LEASE_DECLINED, now - 1);
	put_lease(&txn, IP(10, 0, 0, 105), LEASE_RELEASED, now - 100);
	put_lease(&txn, IP(10, 0, 0, 201), LEASE_BOUND, now + 600);
	/* A reservation's address, outside every pool. */
	put_lease(&txn, IP(10, 0, 0, 50), LEASE_BOUND, now + 600);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
}

static void
dhcpd_teardown(void)
{
	batch_free(view.batch);
	reg_close(view.reg);
	tu_rmtree(ddir);
	teardown();
}

#define POOL_A	"{subnet=\"10.0.0.0/24\",pool=\"10.0.0.100-10.0.0.109\"}"
#define POOL_B	"{subnet=\"10.0.0.0/24\",pool=\"10.0.0.200-10.0.0.201\"}"

START_TEST(test_dhcpd_leases_and_pools)
{
	dhcpd_metrics(out);
	ck_assert_int_gt(check_format(written()), 50);
	assert_has("\nprovbox_dhcp_leases{state=\"bound\"} 3\n");
	assert_has("\nprovbox_dhcp_leases{state=\"offered\"} 1\n");
	assert_has("\nprovbox_dhcp_leases{state=\"released\"} 1\n");
	assert_has("\nprovbox_dhcp_leases{state=\"declined\"} 1\n");
	assert_has("\nprovbox_dhcp_leases{state=\"expired\"} 2\n");
	assert_has("\nprovbox_dhcp_pool_addresses" POOL_A " 10\n");
	assert_has("\nprovbox_dhcp_pool_addresses" POOL_B " 2\n");
	assert_has("\nprovbox_dhcp_pool_used_addresses" POOL_A " 2\n");
	assert_has("\nprovbox_dhcp_pool_used_addresses" POOL_B " 1\n");
	assert_has("\nprovbox_dhcp_pool_quarantined_addresses" POOL_A " 1\n");
	assert_has("\nprovbox_dhcp_pool_quarantined_addresses" POOL_B " 0\n");
	/* The batch's families, all zero, one sample per type or reason. */
	assert_has("\nprovbox_dhcp_messages_received_total{type=\"discover\"} "
	    "0\n");
	assert_has("\nprovbox_dhcp_messages_received_total{type=\"bootp\"} "
	    "0\n");
	assert_has("\nprovbox_dhcp_dropped_total{reason=\"no free address\"} "
	    "0\n");
	assert_has("\nprovbox_dhcp_commit_duration_seconds_bucket{le=\"+Inf\"} "
	    "0\n");
	assert_has("# TYPE provbox_dhcp_batch_messages histogram\n");
}
END_TEST

/* No registry (not started yet): the counters, no lease families. */
START_TEST(test_dhcpd_no_registry)
{
	struct reg *reg = view.reg;

	view.reg = NULL;
	dhcpd_metrics(out);
	view.reg = reg;
	check_format(written());
	ck_assert_ptr_null(strstr(text, "provbox_dhcp_leases"));
	assert_has("# TYPE provbox_dhcp_messages_sent_total counter\n");
}
END_TEST

/* The listener's request line: what is served, refused, not found. */
START_TEST(test_request_line)
{
	ck_assert_int_eq(metrics_request_parse("GET /metrics HTTP/1.1"),
	    METRICS_REQ_GET);
	ck_assert_int_eq(metrics_request_parse("GET /metrics?x=1 HTTP/1.0"),
	    METRICS_REQ_GET);
	ck_assert_int_eq(metrics_request_parse("HEAD /metrics HTTP/1.1"),
	    METRICS_REQ_HEAD);
	ck_assert_int_eq(metrics_request_parse("POST /metrics HTTP/1.1"),
	    METRICS_REQ_METHOD);
	ck_assert_int_eq(metrics_request_parse("GETX /metrics HTTP/1.1"),
	    METRICS_REQ_METHOD);
	ck_assert_int_eq(metrics_request_parse("GET /metricsx HTTP/1.1"),
	    METRICS_REQ_NOT_FOUND);
	ck_assert_int_eq(metrics_request_parse("GET / HTTP/1.1"),
	    METRICS_REQ_NOT_FOUND);
	ck_assert_int_eq(metrics_request_parse("GET /metrics HTTP/2"),
	    METRICS_REQ_BAD);
	ck_assert_int_eq(metrics_request_parse("GET  /metrics HTTP/1.1"),
	    METRICS_REQ_BAD);
	ck_assert_int_eq(metrics_request_parse("GET /metrics HTTP/1.1 x"),
	    METRICS_REQ_BAD);
	ck_assert_int_eq(metrics_request_parse("GET metrics HTTP/1.1"),
	    METRICS_REQ_BAD);
	ck_assert_int_eq(metrics_request_parse(""), METRICS_REQ_BAD);
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite	*s = suite_create("metrics");
	TCase	*tc = tcase_create("writer");
	TCase	*tcc = tcase_create("config");
	TCase	*tcd;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_family_and_samples);
	tcase_add_test(tc, test_request_line);
	tcase_add_test(tc, test_escaping);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_hist_cumulative);
	tcase_add_test(tc, test_hist_empty_and_unlabelled);
	tcase_add_test(tc, test_hist_init_refuses);
	tcase_add_test(tc, test_process);
	tcase_add_test(tc, test_whole_exposition);
	tcase_add_test(tc, test_start_off_and_bad);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tcc, cfg_setup, cfg_teardown);
	tcase_add_test(tcc, test_cfg_absent_is_off);
	tcase_add_test(tcc, test_cfg_loopback);
	tcase_add_test(tcc, test_cfg_not_loopback_warns);
	tcase_add_test(tcc, test_cfg_errors);
	tcase_add_test(tcc, test_cfg_tls);
	suite_add_tcase(s, tcc);
	tcd = tcase_create("dhcpd");
	tcase_add_checked_fixture(tcd, dhcpd_setup, dhcpd_teardown);
	tcase_add_test(tcd, test_dhcpd_leases_and_pools);
	tcase_add_test(tcd, test_dhcpd_no_registry);
	suite_add_tcase(s, tcd);
	return s;
}

int
main(void)
{
	return tu_run(metrics_suite());
}
