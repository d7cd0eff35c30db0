/*
 * check_cfg.c - the config loader: every validation error with its
 * file:line, setting and message, and a valid config read into structs.
 *
 * Each config is a C string written to a scratch directory, one line per
 * literal with its line number in front, so the line an error must name can
 * be read off this file.
 */
#include "config.h"

#include <limits.h>
#include <sys/stat.h>
#include <syslog.h>

#include "testutil.h"

#include "cfg.h"
#include "urltmpl.h"

#define MAIN_CONF	"provbox.conf"

/* An IPv4 address in host byte order. */
#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			    (uint32_t)(c) << 8 | (uint32_t)(d))

/* This test's scratch directory, and what the last load gave. */
static char		*tdir;
static struct cfg	*cfg;
static struct cfg_errors errs;
/* The warnings the last load logged, one per line. */
static char		 warns[16384];
static size_t		 nwarns;

static void
warn_sink(enum log_level level, const char *msg, void *arg)
{
	size_t o = strlen(warns);

	(void)arg;
	if (level != PB_LOG_WARNING)
		return;
	snprintf(warns + o, sizeof(warns) - o, "\n  %s", msg);
	nwarns++;
}

static void
setup(void)
{
	tdir = tu_mkdtemp();
	cfg = NULL;
	memset(&errs, 0, sizeof(errs));
	warns[0] = '\0';
	nwarns = 0;
	log_set_sink(warn_sink, NULL);
}

static void
unload(void)
{
	cfg_free(cfg);
	cfg = NULL;
	cfg_errors_free(&errs);
	warns[0] = '\0';
	nwarns = 0;
}

static void
teardown(void)
{
	unload();
	log_set_sink(NULL, NULL);
	tu_rmtree(tdir);
	tdir = NULL;
}

/* Writes text to tdir/name (an @include'd file, a PEM file). */
static void
write_file(const char *name, const char *text)
{
	free(tu_write(tdir, name, text));
}

/* Every error, one per line, for a failure message. */
static const char *
errs_str(void)
{
	static char	 buf[8192];
	char		 line[1024];
	size_t		 o = 0;

	if (errs.n == 0)
		return " (none)";
	buf[0] = '\0';
	for (size_t i = 0; i < errs.n && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\n  %s",
		    cfg_error_format(&errs.v[i], line, sizeof(line)));
	return buf;
}

/* Loads path; the result is in cfg and errs. */
static int
load_path(const char *path, unsigned flags)
{
	unload();
	return cfg_load(path, flags, &cfg, &errs);
}

/* Writes text as tdir/provbox.conf and loads it. */
static int
load(const char *text, unsigned flags)
{
	char	*path = tu_write(tdir, MAIN_CONF, text);
	int	 r = load_path(path, flags);

	free(path);
	return r;
}

/* Loads text, which must be refused as a whole. */
static void
load_bad(const char *text, unsigned flags)
{
	int r = load(text, flags);

	ck_assert_msg(r == -1, "cfg_load() returned %d, not -1", r);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(errs.n > 0, "refused without an error");
}

/* Loads text, which must be accepted. */
static void
load_ok(const char *text, unsigned flags)
{
	int r = load(text, flags);

	ck_assert_msg(r == 0 && errs.n == 0, "cfg_load() returned %d with "
	    "%zu errors:%s", r, errs.n, errs_str());
	ck_assert_ptr_nonnull(cfg);
}

/* 1 if path is name or ends with "/name". */
static int
is_file(const char *path, const char *name)
{
	size_t	 pl = strlen(path), nl = strlen(name);

	return pl >= nl && strcmp(path + pl - nl, name) == 0 &&
	    (pl == nl || path[pl - nl - 1] == '/');
}

/*
 * The error at file:line for setting whose message holds msg, or NULL.
 * All errors at that line are looked at: one line may hold several.
 */
static const struct cfg_error *
find_err(const char *file, unsigned line, const char *setting,
    const char *msg)
{
	for (size_t i = 0; i < errs.n; i++) {
		const struct cfg_error *e = &errs.v[i];

		if (e->line == line && is_file(e->file, file) &&
		    strcmp(e->setting, setting) == 0 &&
		    strstr(e->msg, msg) != NULL)
			return e;
	}
	return NULL;
}

static void
check_err(int at, const char *file, unsigned line, const char *setting,
    const char *msg)
{
	ck_assert_msg(find_err(file, line, setting, msg) != NULL,
	    "line %d: no error %s:%u: %s: \"...%s...\"; got:%s", at, file,
	    line, setting, msg, errs_str());
}

static void
check_nerr(int at, size_t n)
{
	ck_assert_msg(errs.n == n, "line %d: %zu errors, not %zu:%s", at,
	    errs.n, n, errs_str());
}

/* An error in the main file at line for setting, its message holding msg. */
#define assert_err(line, setting, msg)					\
	check_err(__LINE__, MAIN_CONF, (line), (setting), (msg))
#define assert_err_in(file, line, setting, msg)				\
	check_err(__LINE__, (file), (line), (setting), (msg))
/* Exactly n errors: one mistake must not be reported twice. */
#define assert_nerr(n)	check_nerr(__LINE__, (n))

/*
 * A warning logged by the last load at file:line for setting, its text
 * holding msg ("FILE:LINE: SETTING: warning: MSG").
 */
static void
check_warn(int at, const char *file, unsigned line, const char *setting,
    const char *msg)
{
	char	 want[512];
	char	*p;

	snprintf(want, sizeof(want), "/%s:%u: %s: warning: ", file, line,
	    setting);
	for (p = strstr(warns, want); p != NULL; p = strstr(p + 1, want)) {
		const char *eol = strchr(p, '\n');
		const char *hit = strstr(p, msg);

		if (hit != NULL && (eol == NULL || hit < eol))
			return;
	}
	ck_assert_msg(0, "line %d: no warning %s:%u: %s: \"...%s...\"; "
	    "got:%s", at, file, line, setting, msg, nwarns ? warns :
	    " (none)");
}

#define assert_warn(line, setting, msg)					\
	check_warn(__LINE__, MAIN_CONF, (line), (setting), (msg))
#define assert_nwarn(n)							\
	ck_assert_msg(nwarns == (n), "%zu warnings, not %d:%s", nwarns,	\
	    (n), nwarns ? warns : " (none)")

/* Asserts a string that is tdir (resolved) + "/" + rel. */
static void
assert_in_dir(const char *path, const char *rel)
{
	char	*dir, *want;

	ck_assert_ptr_nonnull(dir = realpath(tdir, NULL));
	ck_assert_int_gt(asprintf(&want, "%s/%s", dir, rel), 0);
	ck_assert_ptr_nonnull(path);
	ck_assert_str_eq(path, want);
	free(want);
	free(dir);
}

/* An option encoded once at load time. */
static void
assert_opt(const struct cfg_option *o, unsigned code, enum opt_type type,
    const void *data, size_t len)
{
	ck_assert_uint_eq(o->code, code);
	ck_assert_int_eq(o->type, type);
	ck_assert_ptr_null(o->tmpl);
	ck_assert_int_eq(o->tmpl_vars, 0);
	ck_assert_uint_eq(o->len, len);
	ck_assert_ptr_nonnull(o->data);
	ck_assert_mem_eq(o->data, data, len);
	ck_assert_uint_eq(o->nsub, 0);
}

/* A string option kept as a template, filled per client. */
static void
assert_tmpl(const struct cfg_option *o, unsigned code, const char *tmpl,
    int vars)
{
	ck_assert_uint_eq(o->code, code);
	ck_assert_int_eq(o->type, OPT_T_STRING);
	ck_assert_ptr_nonnull(o->tmpl);
	ck_assert_str_eq(o->tmpl, tmpl);
	ck_assert_int_eq(o->tmpl_vars, vars);
	ck_assert_ptr_null(o->data);
	ck_assert_uint_eq(o->len, 0);
}

static void
assert_mac(const struct mac_addr *m, uint8_t a, uint8_t b, uint8_t c,
    uint8_t d, uint8_t e, uint8_t f)
{
	const uint8_t want[6] = { a, b, c, d, e, f };

	ck_assert_mem_eq(m->b, want, 6);
}

/*
 * Syntax and files
 */

START_TEST(test_syntax_error)
{
	static const char conf[] =
	    /*  1 */ "log = {\n"
	    /*  2 */ "  level = \"info\";\n"
	    /*  3 */ "  warn_burst = ;\n"
	    /*  4 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(3, "", "syntax error");
}
END_TEST

START_TEST(test_syntax_error_include)
{
	static const char conf[] =
	    /*  1 */ "log = { level = \"info\"; };\n"
	    /*  2 */ "@include \"vendors.conf\"\n"
	    /*  3 */ "run_dir = \"/run/provbox\";\n";
	static const char vendors[] =
	    /*  1 */ "# vendor classes\n"
	    /*  2 */ "vendors = (\n"
	    /*  3 */ "  {\n"
	    /*  4 */ "    name = \"snom\";\n"
	    /*  5 */ "    mode = ;\n"
	    /*  6 */ "  }\n"
	    /*  7 */ ");\n";

	write_file("vendors.conf", vendors);
	load_bad(conf, 0);
	assert_nerr(1);
	/* The included file and its own line, not the @include line. */
	assert_err_in("vendors.conf", 5, "", "syntax error");
	ck_assert(!is_file(errs.v[0].file, MAIN_CONF));
}
END_TEST

START_TEST(test_include_missing)
{
	static const char conf[] =
	    /*  1 */ "log = { level = \"info\"; };\n"
	    /*  2 */ "@include \"nope.conf\"\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(2, "", "include");
}
END_TEST

START_TEST(test_error_in_include)
{
	static const char conf[] =
	    /*  1 */ "log = { level = \"info\"; };\n"
	    /*  2 */ "@include \"users.conf\"\n";
	static const char users[] =
	    /*  1 */ "users = (\n"
	    /*  2 */ "  {\n"
	    /*  3 */ "    name = \"alice\";\n"
	    /*  4 */ "    sip = { user = \"201\"; password = \"x\";\n"
	    /*  5 */ "            server = \"pbx\"; };\n"
	    /*  6 */ "    phone = \"yes\";\n"
	    /*  7 */ "  }\n"
	    /*  8 */ ");\n";

	write_file("users.conf", users);
	load_bad(conf, 0);
	assert_nerr(1);
	assert_err_in("users.conf", 6, "users[0].phone", "unknown setting");
}
END_TEST

START_TEST(test_missing_file)
{
	char	*path;

	ck_assert_int_gt(asprintf(&path, "%s/none.conf", tdir), 0);
	ck_assert_int_eq(load_path(path, 0), -1);
	ck_assert_ptr_null(cfg);
	assert_nerr(1);
	assert_err_in("none.conf", 0, "", "cannot read the config file");
	ck_assert_ptr_nonnull(strstr(errs.v[0].msg, "No such file"));
	free(path);

	/* Its directory missing too. */
	ck_assert_int_gt(asprintf(&path, "%s/nodir/provbox.conf", tdir), 0);
	ck_assert_int_eq(load_path(path, 0), -1);
	ck_assert_ptr_null(cfg);
	assert_nerr(1);
	assert_err_in("nodir/provbox.conf", 0, "",
	    "cannot read the config file");
	free(path);
}
END_TEST

START_TEST(test_error_format)
{
	static const char conf[] =
	    /*  1 */ "log = {\n"
	    /*  2 */ "  level = \"loud\";\n"
	    /*  3 */ "};\n";
	char	 buf[512], want[512];

	load_bad(conf, 0);
	assert_nerr(1);
	snprintf(want, sizeof(want), "%s:2: log.level: unknown level 'loud' "
	    "(valid: error, warning, notice, info, debug)", errs.v[0].file);
	ck_assert_str_eq(cfg_error_format(&errs.v[0], buf, sizeof(buf)),
	    want);
}
END_TEST

/*
 * Settings: names, types, ranges
 */

START_TEST(test_unknown_top)
{
	static const char conf[] =
	    /*  1 */ "registry = { path = \"reg\"; };\n"
	    /*  2 */ "dchp = { };\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(2, "dchp", "unknown setting (valid here: registry, log, "
	    "run_dir, user, dhcp, provisioning, vendors, users, metrics, settings, phonebook)");
}
END_TEST

START_TEST(test_unknown_nested)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  subnets = (\n"
	    /*  3 */ "    {\n"
	    /*  4 */ "      subnet = \"10.0.0.0/24\";\n"
	    /*  5 */ "      lease_tim = 600;\n"
	    /*  6 */ "    }\n"
	    /*  7 */ "  );\n"
	    /*  8 */ "};\n"
	    /*  9 */ "provisioning = {\n"
	    /* 10 */ "  base_url = \"https://10.0.0.1\";\n"
	    /* 11 */ "  listen = [ ];\n"
	    /* 12 */ "  guard = { windw = 60; };\n"
	    /* 13 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(2);
	assert_err(5, "dhcp.subnets[0].lease_tim", "unknown setting (valid "
	    "here: subnet, interface, pools, routers, dns, domain, "
	    "lease_time, renew_time, rebind_time, next_server, options, "
	    "reservations)");
	assert_err(12, "provisioning.guard.windw", "unknown setting (valid "
	    "here: max_misses, window, block, global_max_misses)");
}
END_TEST

START_TEST(test_wrong_types)
{
	static const char conf[] =
	    /*  1 */ "registry = { sync = 1; };\n"
	    /*  2 */ "log = {\n"
	    /*  3 */ "  warn_burst = \"10\";\n"
	    /*  4 */ "  warn_interval = 1.5;\n"
	    /*  5 */ "};\n"
	    /*  6 */ "run_dir = 5;\n"
	    /*  7 */ "dhcp = {\n"
	    /*  8 */ "  interfaces = [ 1 ];\n"
	    /*  9 */ "  subnets = { subnet = \"10.0.0.0/24\"; };\n"
	    /* 10 */ "};\n"
	    /* 11 */ "provisioning = \"https://10.0.0.1\";\n";

	load_bad(conf, 0);
	assert_nerr(7);
	assert_err(1, "registry.sync", "must be true or false, not an "
	    "integer");
	assert_err(3, "log.warn_burst", "must be an integer from 1 to "
	    "10000, not a string");
	assert_err(4, "log.warn_interval", "not a number with a fraction");
	assert_err(6, "run_dir", "must be a string, not an integer");
	assert_err(8, "dhcp.interfaces[0]", "must be a string, not an "
	    "integer");
	assert_err(9, "dhcp.subnets", "must be a list");
	assert_err(11, "provisioning", "must be a group");
}
END_TEST

START_TEST(test_out_of_range)
{
	static const char conf[] =
	    /*  1 */ "registry = { map_size_mb = 2000000; };\n"
	    /*  2 */ "log = { warn_burst = 0; };\n"
	    /*  3 */ "dhcp = {\n"
	    /*  4 */ "  offer_time = -5;\n"
	    /*  5 */ "  decline_time = 4294967296L;\n"
	    /*  6 */ "};\n"
	    /*  7 */ "provisioning = {\n"
	    /*  8 */ "  base_url = \"https://10.0.0.1\";\n"
	    /*  9 */ "  listen = [ ];\n"
	    /* 10 */ "  limits = { max_header_size = 100; };\n"
	    /* 11 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(5);
	assert_err(1, "registry.map_size_mb", "2000000 is out of range "
	    "(valid: 1 to 1048576)");
	assert_err(2, "log.warn_burst", "0 is out of range (valid: 1 to "
	    "10000)");
	assert_err(4, "dhcp.offer_time", "-5 is out of range (valid: 1 to "
	    "3600)");
	assert_err(5, "dhcp.decline_time", "4294967296 is out of range "
	    "(valid: 1 to 2147483647)");
	assert_err(10, "provisioning.limits.max_header_size", "100 is out "
	    "of range (valid: 1024 to 1048576)");
}
END_TEST

START_TEST(test_log_level_unknown)
{
	static const char conf[] =
	    /*  1 */ "log = {\n"
	    /*  2 */ "  level = \"verbose\";\n"
	    /*  3 */ "  facility = \"local9\";\n"
	    /*  4 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(2);
	assert_err(2, "log.level", "unknown level 'verbose' (valid: error, "
	    "warning, notice, info, debug)");
	assert_err(3, "log.facility", "unknown facility 'local9'");
}
END_TEST

/*
 * Subnets, pools and reservations
 */

START_TEST(test_pool_reversed)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  subnets = (\n"
	    /*  3 */ "    {\n"
	    /*  4 */ "      subnet = \"10.0.0.0/24\";\n"
	    /*  5 */ "      pools = (\n"
	    /*  6 */ "        { start = \"10.0.0.50\"; end = \"10.0.0.10\"; }\n"
	    /*  7 */ "      );\n"
	    /*  8 */ "    }\n"
	    /*  9 */ "  );\n"
	    /* 10 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(6, "dhcp.subnets[0].pools[0]", "reversed pool: start "
	    "10.0.0.50 is after end 10.0.0.10");
}
END_TEST

START_TEST(test_pool_outside_subnet)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  subnets = ( {\n"
	    /*  3 */ "    subnet = \"10.0.0.0/24\";\n"
	    /*  4 */ "    pools = (\n"
	    /*  5 */ "      { start = \"10.0.0.10\"; end = \"10.0.0.20\"; },\n"
	    /*  6 */ "      { start = \"10.0.1.5\"; end = \"10.0.1.9\"; },\n"
	    /*  7 */ "      { start = \"10.0.0.200\"; end = \"10.0.1.9\"; }\n"
	    /*  8 */ "    );\n"
	    /*  9 */ "  } );\n"
	    /* 10 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(2);
	assert_err(6, "dhcp.subnets[0].pools[1]", "pool 10.0.1.5 - 10.0.1.9 "
	    "is outside its subnet 10.0.0.0/24");
	assert_err(7, "dhcp.subnets[0].pools[2]", "pool 10.0.0.200 - "
	    "10.0.1.9 is outside its subnet 10.0.0.0/24");
}
END_TEST

START_TEST(test_pool_network_broadcast)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  subnets = ( {\n"
	    /*  3 */ "    subnet = \"10.0.0.0/24\";\n"
	    /*  4 */ "    pools = (\n"
	    /*  5 */ "      { start = \"10.0.0.0\"; end = \"10.0.0.10\"; },\n"
	    /*  6 */ "      { start = \"10.0.0.200\";\n"
	    /*  7 */ "        end = \"10.0.0.255\"; },\n"
	    /*  8 */ "      { start = \"10.0.0.1\"; end = \"10.0.0.1\"; },\n"
	    /*  9 */ "      { start = \"10.0.0.254\";\n"
	    /* 10 */ "        end = \"10.0.0.254\"; }\n"
	    /* 11 */ "    );\n"
	    /* 12 */ "  } );\n"
	    /* 13 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(2);
	assert_err(5, "dhcp.subnets[0].pools[0]", "pool includes the "
	    "subnet's network address 10.0.0.0 (valid: 10.0.0.1 to "
	    "10.0.0.254)");
	assert_err(6, "dhcp.subnets[0].pools[1]", "pool includes the "
	    "subnet's broadcast address 10.0.0.255 (valid: 10.0.0.1 to "
	    "10.0.0.254)");
}
END_TEST

START_TEST(test_pool_overlap)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  subnets = ( {\n"
	    /*  3 */ "    subnet = \"10.0.0.0/24\";\n"
	    /*  4 */ "    pools = (\n"
	    /*  5 */ "      { start = \"10.0.0.10\"; end = \"10.0.0.90\"; },\n"
	    /*  6 */ "      { start = \"10.0.0.91\"; end = \"10.0.0.99\"; },\n"
	    /*  7 */ "      {\n"
	    /*  8 */ "        start = \"10.0.0.50\";\n"
	    /*  9 */ "        end = \"10.0.0.60\";\n"
	    /* 10 */ "      }\n"
	    /* 11 */ "    );\n"
	    /* 12 */ "  } );\n"
	    /* 13 */ "};\n";
	char	 where[64];

	load_bad(conf, 0);
	assert_nerr(1);
	/* Adjacent pools (line 6) are fine; the error names the other. */
	assert_err(7, "dhcp.subnets[0].pools[2]", "overlaps the pool "
	    "10.0.0.10 - 10.0.0.90 at ");
	snprintf(where, sizeof(where), "/%s:5", MAIN_CONF);
	ck_assert_ptr_nonnull(strstr(errs.v[0].msg, where));
}
END_TEST

START_TEST(test_pool_overlap_subnets)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  subnets = (\n"
	    /*  3 */ "    {\n"
	    /*  4 */ "      subnet = \"10.0.0.0/16\";\n"
	    /*  5 */ "      pools = (\n"
	    /*  6 */ "        { start = \"10.0.1.10\"; end = \"10.0.1.50\"; }\n"
	    /*  7 */ "      );\n"
	    /*  8 */ "    },\n"
	    /*  9 */ "    {\n"
	    /* 10 */ "      subnet = \"10.0.1.0/24\";\n"
	    /* 11 */ "      pools = (\n"
	    /* 12 */ "        { start = \"10.0.1.40\"; end = \"10.0.1.60\"; }\n"
	    /* 13 */ "      );\n"
	    /* 14 */ "    }\n"
	    /* 15 */ "  );\n"
	    /* 16 */ "};\n";
	const struct cfg_error	*e;
	char			 where[64];

	load_bad(conf, 0);
	/* The subnets overlap, and so do their pools: both are said. */
	assert_nerr(2);
	assert_err(9, "dhcp.subnets[1]", "overlaps the subnet 10.0.0.0 - "
	    "10.0.255.255 at ");
	assert_err(12, "dhcp.subnets[1].pools[0]", "overlaps the pool "
	    "10.0.1.10 - 10.0.1.50 at ");
	e = find_err(MAIN_CONF, 9, "dhcp.subnets[1]", "overlaps");
	snprintf(where, sizeof(where), "/%s:3", MAIN_CONF);
	ck_assert_ptr_nonnull(strstr(e->msg, where));
	e = find_err(MAIN_CONF, 12, "dhcp.subnets[1].pools[0]", "overlaps");
	snprintf(where, sizeof(where), "/%s:6", MAIN_CONF);
	ck_assert_ptr_nonnull(strstr(e->msg, where));
}
END_TEST

START_TEST(test_subnet_overlap)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  subnets = (\n"
	    /*  3 */ "    { subnet = \"10.0.0.0/24\"; },\n"
	    /*  4 */ "    { subnet = \"10.0.1.0/24\"; },\n"
	    /*  5 */ "    { subnet = \"10.0.0.128/25\"; }\n"
	    /*  6 */ "  );\n"
	    /*  7 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(5, "dhcp.subnets[2]", "overlaps the subnet 10.0.0.0 - "
	    "10.0.0.255 at ");
	ck_assert_ptr_nonnull(strstr(errs.v[0].msg, MAIN_CONF ":3"));
}
END_TEST

START_TEST(test_subnet_host_bits)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  subnets = (\n"
	    /*  3 */ "    {\n"
	    /*  4 */ "      subnet = \"10.0.0.5/24\";\n"
	    /*  5 */ "    }\n"
	    /*  6 */ "  );\n"
	    /*  7 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(4, "dhcp.subnets[0].subnet", "'10.0.0.5/24' has host "
	    "bits set (did you mean 10.0.0.0/24?)");
}
END_TEST

START_TEST(test_subnet_bad_cidr)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  subnets = (\n"
	    /*  3 */ "    { subnet = \"10.0.0.0/33\"; },\n"
	    /*  4 */ "    { subnet = \"10.1.0/24\"; },\n"
	    /*  5 */ "    { subnet = \"10.2.0.0/31\"; },\n"
	    /*  6 */ "    { subnet = \"10.3.0.0\"; },\n"
	    /*  7 */ "    { subnet = \"10.4.0.0/x\"; },\n"
	    /*  8 */ "    { subnet = \"10.5.0.0/24\"; }\n"
	    /*  9 */ "  );\n"
	    /* 10 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(5);
	for (unsigned i = 0; i < 5; i++) {
		char setting[64];

		snprintf(setting, sizeof(setting), "dhcp.subnets[%u].subnet",
		    i);
		assert_err(3 + i, setting, "is not a subnet (a.b.c.d/len, len "
		    "8 to 30)");
	}
}
END_TEST

START_TEST(test_routers_outside)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  subnets = (\n"
	    /*  3 */ "    {\n"
	    /*  4 */ "      subnet = \"10.0.0.0/24\";\n"
	    /*  5 */ "      routers = [ \"10.0.0.1\", \"10.9.0.1\" ];\n"
	    /*  6 */ "      dns = [ \"10.0.0.300\" ];\n"
	    /*  7 */ "    }\n"
	    /*  8 */ "  );\n"
	    /*  9 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(2);
	assert_err(5, "dhcp.subnets[0].routers", "router 10.9.0.1 is not in "
	    "subnet 10.0.0.0/24");
	assert_err(6, "dhcp.subnets[0].dns[0]", "'10.0.0.300' is not an "
	    "IPv4 address");
}
END_TEST

START_TEST(test_reservation_mac_twice)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  subnets = ( {\n"
	    /*  3 */ "    subnet = \"10.0.0.0/24\";\n"
	    /*  4 */ "    reservations = (\n"
	    /*  5 */ "      { mac = \"00:04:13:aa:bb:cc\";\n"
	    /*  6 */ "        ip = \"10.0.0.20\"; },\n"
	    /*  7 */ "      { mac = \"0004.13AA.BBCC\"; ip = \"10.0.0.21\"; }\n"
	    /*  8 */ "    );\n"
	    /*  9 */ "  } );\n"
	    /* 10 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(7, "dhcp.subnets[0].reservations[1]", "MAC "
	    "00:04:13:aa:bb:cc is listed twice: also reserved at ");
	ck_assert_ptr_nonnull(strstr(errs.v[0].msg, MAIN_CONF ":5"));
}
END_TEST

START_TEST(test_reservation_ip_twice)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  subnets = ( {\n"
	    /*  3 */ "    subnet = \"10.0.0.0/24\";\n"
	    /*  4 */ "    reservations = (\n"
	    /*  5 */ "      { mac = \"000413aabb01\"; ip = \"10.0.0.20\"; },\n"
	    /*  6 */ "      { mac = \"000413aabb02\"; ip = \"10.0.0.21\"; },\n"
	    /*  7 */ "      { mac = \"000413aabb03\"; ip = \"10.0.0.20\"; }\n"
	    /*  8 */ "    );\n"
	    /*  9 */ "  } );\n"
	    /* 10 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(7, "dhcp.subnets[0].reservations[2]", "address 10.0.0.20 "
	    "is reserved twice: also at ");
	ck_assert_ptr_nonnull(strstr(errs.v[0].msg, MAIN_CONF ":5"));
}
END_TEST

START_TEST(test_reservation_outside)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  subnets = ( {\n"
	    /*  3 */ "    subnet = \"10.0.0.0/24\";\n"
	    /*  4 */ "    reservations = (\n"
	    /*  5 */ "      { mac = \"000413aabb01\"; ip = \"10.0.1.20\"; },\n"
	    /*  6 */ "      { mac = \"000413aabb02\"; ip = \"10.0.0.255\"; },\n"
	    /*  7 */ "      { mac = \"000413aabb03\"; ip = \"10.0.0.0\"; },\n"
	    /*  8 */ "      { mac = \"000413aabb\"; ip = \"10.0.0.30\"; },\n"
	    /*  9 */ "      { mac = \"000413aabb04\"; ip = \"10.0.0.31\";\n"
	    /* 10 */ "        hostname = \"desk_1\"; }\n"
	    /* 11 */ "    );\n"
	    /* 12 */ "  } );\n"
	    /* 13 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(5);
	assert_err(5, "dhcp.subnets[0].reservations[0].ip", "10.0.1.20 is "
	    "not a host address of subnet 10.0.0.0/24");
	assert_err(6, "dhcp.subnets[0].reservations[1].ip", "10.0.0.255 is "
	    "not a host address of subnet 10.0.0.0/24");
	assert_err(7, "dhcp.subnets[0].reservations[2].ip", "10.0.0.0 is "
	    "not a host address");
	assert_err(8, "dhcp.subnets[0].reservations[3].mac", "'000413aabb' "
	    "is not a MAC address");
	assert_err(10, "dhcp.subnets[0].reservations[4].hostname", "'desk_1' "
	    "is not a host name");
}
END_TEST

/*
 * Lease times
 */

START_TEST(test_lease_min_above_max)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  min_lease_time = 7200;\n"
	    /*  3 */ "  max_lease_time = 3600;\n"
	    /*  4 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(2, "dhcp.min_lease_time", "min_lease_time 7200 is above "
	    "max_lease_time 3600");
}
END_TEST

START_TEST(test_lease_time_range)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  min_lease_time = 600;\n"
	    /*  3 */ "  max_lease_time = 7200;\n"
	    /*  4 */ "  lease_time = 100;\n"
	    /*  5 */ "  subnets = (\n"
	    /*  6 */ "    { subnet = \"10.0.0.0/24\"; lease_time = 9000; },\n"
	    /*  7 */ "    { subnet = \"10.0.1.0/24\"; lease_time = 300; },\n"
	    /*  8 */ "    { subnet = \"10.0.2.0/24\"; lease_time = 7200; }\n"
	    /*  9 */ "  );\n"
	    /* 10 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(3);
	assert_err(4, "dhcp.lease_time", "100 is out of range (valid: 600 to "
	    "7200)");
	assert_err(6, "dhcp.subnets[0].lease_time", "9000 is out of range "
	    "(valid: 600 to 7200)");
	assert_err(7, "dhcp.subnets[1].lease_time", "300 is out of range "
	    "(valid: 600 to 7200)");
}
END_TEST

/*
 * Lease times may go down to a second (a lab, a conformance suite), with a
 * warning below a minute for each one written; an OFFER's hold is not a
 * lease (no warning), and offer_time_low follows a shorter offer_time.
 */
START_TEST(test_lease_time_seconds)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  min_lease_time = 1;\n"
	    /*  3 */ "  max_lease_time = 30;\n"
	    /*  4 */ "  lease_time = 10;\n"
	    /*  5 */ "  decline_time = 20;\n"
	    /*  6 */ "  offer_time = 5;\n"
	    /*  7 */ "  subnets = ( { subnet = \"10.0.0.0/24\"; lease_time = 4; },\n"
	    /*  8 */ "    { subnet = \"10.0.1.0/24\"; lease_time = 30; } );\n"
	    /*  9 */ "};\n";
	static const char zero[] =
	    /*  1 */ "dhcp = { min_lease_time = 0; };\n";

	load_ok(conf, 0);
	ck_assert_uint_eq(cfg->dhcp.min_lease_time, 1);
	ck_assert_uint_eq(cfg->dhcp.max_lease_time, 30);
	ck_assert_uint_eq(cfg->dhcp.lease_time, 10);
	ck_assert_uint_eq(cfg->dhcp.decline_time, 20);
	ck_assert_uint_eq(cfg->dhcp.offer_time, 5);
	ck_assert_uint_eq(cfg->dhcp.offer_time_low, 5);
	ck_assert_uint_eq(cfg->dhcp.subnets[0].lease_time, 4);
	assert_nwarn(6);
	assert_warn(2, "dhcp.min_lease_time", "1 s is below a minute");
	assert_warn(3, "dhcp.max_lease_time", "30 s is below a minute");
	assert_warn(4, "dhcp.lease_time", "10 s is below a minute: clients "
	    "renew at half of it, every few seconds");
	assert_warn(5, "dhcp.decline_time", "20 s is below a minute");
	assert_warn(7, "dhcp.subnets[0].lease_time", "4 s is below a minute");
	assert_warn(8, "dhcp.subnets[1].lease_time", "30 s is below a minute");
	load_bad(zero, 0);
	assert_nerr(1);
	assert_err(1, "dhcp.min_lease_time", "0 is out of range (valid: 1 to "
	    "2147483647)");
	assert_nwarn(0);
}
END_TEST

/*
 * RFC 2131 4.4.5: T1 < T2 < the lease time, checked where all three are
 * known at one level (the dhcp group: its lease_time, written or not). A
 * time left out takes its default (half, 7/8 of the lease).
 */
START_TEST(test_renewal_dhcp_order)
{
	static const char swapped[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  lease_time = 3600;\n"
	    /*  3 */ "  renew_time = 2000;\n"
	    /*  4 */ "  rebind_time = 1800;\n"
	    /*  5 */ "};\n";
	static const char at_lease[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  renew_time = 600;\n"
	    /*  3 */ "  rebind_time = 3600;\n"
	    /*  4 */ "};\n";
	static const char lone_renew[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  renew_time = 3200;\n"
	    /*  3 */ "};\n";
	static const char lone_rebind[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  rebind_time = 1800;\n"
	    /*  3 */ "};\n";
	static const char types[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  renew_time = \"30m\";\n"
	    /*  3 */ "  rebind_time = -1;\n"
	    /*  4 */ "};\n";

	load_bad(swapped, 0);
	assert_nerr(1);
	assert_err(3, "dhcp.renew_time", "renew_time 2000 is not below "
	    "rebind_time 1800 (T1 < T2 < the lease time, RFC 2131 4.4.5)");
	load_bad(at_lease, 0);
	assert_nerr(1);
	assert_err(3, "dhcp.rebind_time", "rebind_time 3600 is not below "
	    "lease_time 3600");
	load_bad(lone_renew, 0);
	assert_nerr(1);
	assert_err(2, "dhcp.renew_time", "renew_time 3200 is not below the "
	    "default rebind_time 3150 (7/8 of lease_time 3600): set "
	    "rebind_time too");
	load_bad(lone_rebind, 0);
	assert_nerr(1);
	assert_err(2, "dhcp.rebind_time", "rebind_time 1800 is not above the "
	    "default renew_time 1800 (half of lease_time 3600): set "
	    "renew_time too");
	load_bad(types, 0);
	assert_nerr(2);
	assert_err(2, "dhcp.renew_time", "must be an integer from 0 to "
	    "2147483647, not a string");
	assert_err(3, "dhcp.rebind_time", "-1 is out of range (valid: 0 to "
	    "2147483647)");
}
END_TEST

/* The same rule inside a subnet, against the subnet's own lease_time. */
START_TEST(test_renewal_subnet_order)
{
	static const char conf[] =
	    /*  1 */ "dhcp = { subnets = (\n"
	    /*  2 */ "  { subnet = \"10.0.0.0/24\"; lease_time = 600;\n"
	    /*  3 */ "    renew_time = 300; rebind_time = 600; },\n"
	    /*  4 */ "  { subnet = \"10.0.1.0/24\";\n"
	    /*  5 */ "    renew_time = 900; rebind_time = 800; },\n"
	    /*  6 */ "  { subnet = \"10.0.2.0/24\"; lease_time = 600;\n"
	    /*  7 */ "    renew_time = 550; },\n"
	    /*  8 */ "  { subnet = \"10.0.3.0/24\"; lease_time = 600;\n"
	    /*  9 */ "    renew_time = 100; rebind_time = 200; }\n"
	    /* 10 */ "); };\n";

	load_bad(conf, 0);
	assert_nerr(3);
	assert_err(3, "dhcp.subnets[0].rebind_time", "rebind_time 600 is not "
	    "below this subnet's lease_time 600 (T1 < T2 < the lease time, "
	    "RFC 2131 4.4.5)");
	assert_err(5, "dhcp.subnets[1].renew_time", "renew_time 900 is not "
	    "below rebind_time 800");
	assert_err(7, "dhcp.subnets[2].renew_time", "renew_time 550 is not "
	    "below the default rebind_time 525 (7/8 of this subnet's "
	    "lease_time 600)");
	assert_nwarn(0);
}
END_TEST

/*
 * Times from different levels (nearest wins: subnet, then dhcp) are only
 * known together per subnet: a mix that does not fit a subnet's lease is
 * a warning (its clients get the RFC defaults), not an error.
 */
START_TEST(test_renewal_inherited)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  lease_time = 3600; renew_time = 1800; rebind_time = 3000;\n"
	    /*  3 */ "  subnets = (\n"
	    /*  4 */ "    { subnet = \"10.0.0.0/24\"; lease_time = 600; },\n"
	    /*  5 */ "    { subnet = \"10.0.1.0/24\"; lease_time = 7200;\n"
	    /*  6 */ "      renew_time = 600; },\n"
	    /*  7 */ "    { subnet = \"10.0.2.0/24\"; renew_time = 1000; }\n"
	    /*  8 */ "  ); };\n";
	static const char lone[] =
	    /*  1 */ "dhcp = { rebind_time = 580; lease_time = 1000;\n"
	    /*  2 */ "  subnets = ( { subnet = \"10.0.0.0/24\"; lease_time = 600;\n"
	    /*  3 */ "    renew_time = 550; } ); };\n";

	load_ok(conf, 0);
	ck_assert_uint_eq(cfg->dhcp.renew_time, 1800);
	ck_assert_uint_eq(cfg->dhcp.rebind_time, 3000);
	ck_assert_uint_eq(cfg->dhcp.subnets[0].renew_time, 0);
	ck_assert_uint_eq(cfg->dhcp.subnets[0].rebind_time, 0);
	ck_assert_uint_eq(cfg->dhcp.subnets[1].renew_time, 600);
	ck_assert_uint_eq(cfg->dhcp.subnets[1].rebind_time, 0);
	ck_assert_uint_eq(cfg->dhcp.subnets[2].renew_time, 1000);
	assert_nwarn(1);
	assert_warn(4, "dhcp.subnets[0]", "renew_time 1800 and rebind_time "
	    "3000 do not fit this subnet's lease time 600 (T1 < T2 < the "
	    "lease time, 0: the default): its clients get T1 300 and T2 525");
	/* A lone subnet renew_time with the dhcp group's rebind_time: fits. */
	load_ok(lone, 0);
	assert_nwarn(0);
	ck_assert_uint_eq(cfg->dhcp.subnets[0].renew_time, 550);
}
END_TEST

/*
 * A vendor class has no lease time: T1 < T2 when both are written, and
 * each below dhcp.max_lease_time (else it could never be sent).
 */
START_TEST(test_renewal_vendor)
{
	static const char conf[] =
	    /*  1 */ "vendors = (\n"
	    /*  2 */ "  { name = \"a\"; match = { oui = [ \"00:00:01\" ]; };\n"
	    /*  3 */ "    renew_time = 100; rebind_time = 100; },\n"
	    /*  4 */ "  { name = \"b\"; match = { oui = [ \"00:00:02\" ]; };\n"
	    /*  5 */ "    rebind_time = 86400; },\n"
	    /*  6 */ "  { name = \"c\"; match = { oui = [ \"00:00:03\" ]; };\n"
	    /*  7 */ "    renew_time = 60; rebind_time = 90;\n"
	    /*  8 */ "    next_server = \"10.0.0.5\"; }\n"
	    /*  9 */ ");\n";
	static const char good[] =
	    /*  1 */ "vendors = (\n"
	    /*  2 */ "  { name = \"c\"; match = { oui = [ \"00:00:03\" ]; };\n"
	    /*  3 */ "    renew_time = 60; rebind_time = 90;\n"
	    /*  4 */ "    next_server = \"10.0.0.5\"; },\n"
	    /*  5 */ "  { name = \"d\"; match = { oui = [ \"00:00:04\" ]; };\n"
	    /*  6 */ "    rebind_time = 30; }\n"
	    /*  7 */ ");\n";

	load_bad(conf, 0);
	assert_nerr(2);
	assert_err(3, "vendors[0].renew_time", "renew_time 100 is not below "
	    "rebind_time 100");
	assert_err(5, "vendors[1].rebind_time", "rebind_time 86400 is not "
	    "below dhcp.max_lease_time 86400: no lease is that long");
	load_ok(good, 0);
	ck_assert_uint_eq(cfg->vendors[0].renew_time, 60);
	ck_assert_uint_eq(cfg->vendors[0].rebind_time, 90);
	ck_assert_uint_eq(cfg->vendors[0].next_server, IP(10, 0, 0, 5));
	ck_assert_uint_eq(cfg->vendors[1].renew_time, 0);
	ck_assert_uint_eq(cfg->vendors[1].rebind_time, 30);
	ck_assert_uint_eq(cfg->vendors[1].next_server, 0);
}
END_TEST

/* What a reply sends (dhcpd/reply.c): configured times or the defaults. */
START_TEST(test_renewal_times)
{
	static const struct {
		uint32_t lease, renew, rebind, t1, t2;
		int	 used;
	} c[] = {
		{ 3600, 0, 0, 1800, 3150, 0 },		/* RFC defaults */
		{ 3600, 600, 1200, 600, 1200, 1 },
		{ 3600, 600, 0, 600, 3150, 1 },		/* T2 defaults */
		{ 3600, 0, 3500, 1800, 3500, 1 },	/* T1 defaults */
		{ 3600, 2000, 1000, 1800, 3150, 0 },	/* T1 > T2 */
		{ 3600, 0, 1000, 1800, 3150, 0 },	/* below T1's default */
		{ 3600, 600, 3600, 1800, 3150, 0 },	/* T2 = lease */
		{ 600, 1800, 3000, 300, 525, 0 },	/* a shorter lease */
		{ 10, 0, 0, 5, 8, 0 },
		{ 10, 4, 6, 4, 6, 1 },
		{ 1, 0, 0, 0, 0, 0 },
		{ 0x7fffffff, 0, 0, 0x3fffffff, 0x6fffffff, 0 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint32_t t1 = 1, t2 = 1;
		int	 r = cfg_renewal_times(c[i].lease, c[i].renew,
			    c[i].rebind, &t1, &t2);

		ck_assert_msg(r == c[i].used && t1 == c[i].t1 &&
		    t2 == c[i].t2, "case %zu: lease %u renew %u rebind %u: "
		    "got %d %u %u, want %d %u %u", i, c[i].lease, c[i].renew,
		    c[i].rebind, r, t1, t2, c[i].used, c[i].t1, c[i].t2);
	}
}
END_TEST

/* next_server (siaddr): a unicast address at each level, nearest wins. */
START_TEST(test_next_server)
{
	static const char good[] =
	    /*  1 */ "dhcp = { next_server = \"10.0.0.5\";\n"
	    /*  2 */ "  subnets = (\n"
	    /*  3 */ "    { subnet = \"10.0.0.0/24\"; next_server = \"10.0.1.6\"; },\n"
	    /*  4 */ "    { subnet = \"10.0.1.0/24\"; }\n"
	    /*  5 */ "  ); };\n"
	    /*  6 */ "vendors = ( { name = \"a\"; match = { oui = [ \"00:00:01\" ]; };\n"
	    /*  7 */ "  next_server = \"10.0.1.7\"; } );\n";
	static const char bad[] =
	    /*  1 */ "dhcp = { next_server = \"0.0.0.0\";\n"
	    /*  2 */ "  subnets = (\n"
	    /*  3 */ "    { subnet = \"10.0.0.0/24\"; next_server = \"255.255.255.255\"; },\n"
	    /*  4 */ "    { subnet = \"10.0.1.0/24\"; next_server = \"127.0.0.1\"; },\n"
	    /*  5 */ "    { subnet = \"10.0.2.0/24\"; next_server = \"tftp.lan\"; },\n"
	    /*  6 */ "    { subnet = \"10.0.3.0/24\"; next_server = 5; }\n"
	    /*  7 */ "  ); };\n"
	    /*  8 */ "vendors = ( { name = \"a\"; match = { oui = [ \"00:00:01\" ]; };\n"
	    /*  9 */ "  next_server = \"224.0.0.1\"; } );\n";

	load_ok(good, 0);
	assert_nwarn(0);
	ck_assert_uint_eq(cfg->dhcp.next_server, IP(10, 0, 0, 5));
	ck_assert_uint_eq(cfg->dhcp.subnets[0].next_server, IP(10, 0, 1, 6));
	ck_assert_uint_eq(cfg->dhcp.subnets[1].next_server, 0);
	ck_assert_uint_eq(cfg->vendors[0].next_server, IP(10, 0, 1, 7));
	load_bad(bad, 0);
	assert_nerr(6);
	assert_err(1, "dhcp.next_server", "0.0.0.0 cannot be a next server: "
	    "give a unicast host address (or leave next_server out for "
	    "none)");
	assert_err(3, "dhcp.subnets[0].next_server", "255.255.255.255 cannot "
	    "be a next server");
	assert_err(4, "dhcp.subnets[1].next_server", "127.0.0.1 cannot be a "
	    "next server");
	assert_err(5, "dhcp.subnets[2].next_server", "'tftp.lan' is not an "
	    "IPv4 address");
	assert_err(6, "dhcp.subnets[3].next_server", "must be a string, not "
	    "an integer");
	assert_err(9, "vendors[0].next_server", "224.0.0.1 cannot be a next "
	    "server");
}
END_TEST

/*
 * A pool may not hold a next server (any level), a router given as
 * option 3, the provisioning server's base_url host or a listen address:
 * a client could be given the address. 0.0.0.0 and names say nothing.
 */
START_TEST(test_server_addrs_in_pool)
{
	static const char conf[] =
	    /*  1 */ "dhcp = { next_server = \"10.0.0.50\";\n"
	    /*  2 */ "  subnets = (\n"
	    /*  3 */ "    { subnet = \"10.0.0.0/24\";\n"
	    /*  4 */ "      pools = ( { start = \"10.0.0.10\"; end = \"10.0.0.99\"; } );\n"
	    /*  5 */ "      next_server = \"10.0.0.60\";\n"
	    /*  6 */ "      options = ( { code = 3; value = [ \"10.0.0.1\", \"10.0.0.20\" ]; } ); },\n"
	    /*  7 */ "    { subnet = \"10.0.1.0/24\";\n"
	    /*  8 */ "      pools = ( { start = \"10.0.1.10\"; end = \"10.0.1.99\"; } ); }\n"
	    /*  9 */ "  ); };\n"
	    /* 10 */ "vendors = ( { name = \"a\"; match = { oui = [ \"00:00:01\" ]; };\n"
	    /* 11 */ "  next_server = \"10.0.1.10\"; } );\n"
	    /* 12 */ "provisioning = {\n"
	    /* 13 */ "  listen = [ \"0.0.0.0:443\", \"10.0.0.11:8443\" ];\n"
	    /* 14 */ "  http_listen = \"10.0.1.99:80\";\n"
	    /* 15 */ "  base_url = \"https://10.0.0.13:8443/x\";\n"
	    /* 16 */ "  tls = { cert = \"c.pem\"; key = \"k.pem\"; };\n"
	    /* 17 */ "};\n";
	static const char good[] =
	    /*  1 */ "dhcp = { subnets = ( { subnet = \"10.0.0.0/24\";\n"
	    /*  2 */ "  pools = ( { start = \"10.0.0.10\"; end = \"10.0.0.99\"; } );\n"
	    /*  3 */ "  next_server = \"10.0.0.100\"; } ); };\n"
	    /*  4 */ "provisioning = {\n"
	    /*  5 */ "  listen = [ \"0.0.0.0:443\", \"[::]:443\", \"10.0.0.1:443\" ];\n"
	    /*  6 */ "  http_listen = [ \"10.0.0.9:80\" ];\n"
	    /*  7 */ "  base_url = \"https://prov.office.lan\";\n"
	    /*  8 */ "  tls = { cert = \"c.pem\"; key = \"k.pem\"; };\n"
	    /*  9 */ "};\n";

	load_bad(conf, CFG_NO_FILE_CHECKS);
	assert_nerr(7);
	assert_err(1, "dhcp.next_server", "next_server 10.0.0.50 is inside "
	    "the pool 10.0.0.10-10.0.0.99 of subnet 10.0.0.0/24: a client "
	    "could be given its address (leave it out of the pools)");
	assert_err(5, "dhcp.subnets[0].next_server", "next_server 10.0.0.60 "
	    "is inside the pool 10.0.0.10-10.0.0.99");
	assert_err(6, "dhcp.subnets[0].options[0].value[1]", "router (option "
	    "3) 10.0.0.20 is inside the pool 10.0.0.10-10.0.0.99");
	assert_err(11, "vendors[0].next_server", "next_server 10.0.1.10 is "
	    "inside the pool 10.0.1.10-10.0.1.99 of subnet 10.0.1.0/24");
	assert_err(13, "provisioning.listen[1]", "listen address 10.0.0.11 is "
	    "inside the pool 10.0.0.10-10.0.0.99");
	assert_err(14, "provisioning.http_listen", "http_listen address "
	    "10.0.1.99 is inside the pool 10.0.1.10-10.0.1.99");
	assert_err(15, "provisioning.base_url", "the provisioning server "
	    "(base_url) 10.0.0.13 is inside the pool 10.0.0.10-10.0.0.99");
	load_ok(good, CFG_NO_FILE_CHECKS);
	assert_nwarn(0);
}
END_TEST

/* What dhcpd asks with its interfaces' addresses (at start and reload). */
START_TEST(test_check_addrs_interfaces)
{
	static const char conf[] =
	    "dhcp = { subnets = (\n"
	    "  { subnet = \"10.0.0.0/24\";\n"
	    "    pools = ( { start = \"10.0.0.10\"; end = \"10.0.0.99\"; },\n"
	    "      { start = \"10.0.0.150\"; end = \"10.0.0.160\"; } ); },\n"
	    "  { subnet = \"10.0.1.0/24\"; } ); };\n";
	const uint32_t	ok[] = { IP(10, 0, 0, 1), IP(10, 0, 0, 100),
			    IP(10, 0, 1, 10), IP(192, 168, 0, 10) };
	const uint32_t	bad[] = { IP(10, 0, 0, 1), IP(10, 0, 0, 160) };
	char		err[256] = "";

	load_ok(conf, 0);
	ck_assert_int_eq(cfg_dhcp_check_addrs(cfg, ok, 4, err, sizeof(err)),
	    0);
	ck_assert_int_eq(cfg_dhcp_check_addrs(cfg, NULL, 0, err, sizeof(err)),
	    0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(cfg_dhcp_check_addrs(cfg, bad, 2, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "this server's address 10.0.0.160 is inside "
	    "the pool 10.0.0.150-10.0.0.160 of subnet 10.0.0.0/24: a client "
	    "could be given it (leave it out of the pools)");
}
END_TEST

/*
 * An address a client is sent to that lies outside every subnet is a
 * warning (a TFTP or next server may be routed; a moved subnet is what it
 * catches): next_server, option 150, option 66 written as an address, and
 * a router (option 3) off its own subnet. "${server_ip}" and names are
 * not checked; with no subnet at all there is nothing to compare.
 */
START_TEST(test_addrs_off_subnets)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  next_server = \"192.168.9.9\";\n"
	    /*  3 */ "  options = ( { code = 150; value = [ \"10.0.0.2\", \"172.16.0.1\" ]; } );\n"
	    /*  4 */ "  subnets = (\n"
	    /*  5 */ "    { subnet = \"10.0.0.0/24\";\n"
	    /*  6 */ "      pools = ( { start = \"10.0.0.10\"; end = \"10.0.0.99\"; } );\n"
	    /*  7 */ "      options = ( { code = 3; value = [ \"10.0.1.1\" ]; },\n"
	    /*  8 */ "        { code = 66; value = \"192.168.7.7\"; } ); },\n"
	    /*  9 */ "    { subnet = \"10.0.1.0/24\"; next_server = \"10.0.0.3\"; }\n"
	    /* 10 */ "  ); };\n"
	    /* 11 */ "vendors = ( { name = \"cisco\"; match = { oui = [ \"00:00:01\" ]; };\n"
	    /* 12 */ "  options = ( { code = 150; value = [ \"${server_ip}\", \"10.9.9.9\" ]; },\n"
	    /* 13 */ "    { code = 66; value = \"tftp.office.lan\"; } );\n"
	    /* 14 */ "  unregistered = ( { code = 66; value = \"10.0.1.200\"; } ); } );\n";
	static const char no_subnets[] =
	    /*  1 */ "dhcp = { next_server = \"192.168.9.9\"; };\n"
	    /*  2 */ "vendors = ( { name = \"cisco\"; match = { oui = [ \"00:00:01\" ]; };\n"
	    /*  3 */ "  options = ( { code = 150; value = [ \"10.9.9.9\" ]; } ); } );\n";

	load_ok(conf, 0);
	assert_nwarn(5);
	assert_warn(2, "dhcp.next_server", "next_server 192.168.9.9 is "
	    "outside every configured subnet (right if it is reached through "
	    "a router; wrong if a subnet moved)");
	assert_warn(3, "dhcp.options[0].value[1]", "TFTP server (option 150) "
	    "172.16.0.1 is outside every configured subnet");
	assert_warn(7, "dhcp.subnets[0].options[0].value[0]", "router (option "
	    "3) 10.0.1.1 is not in subnet 10.0.0.0/24: a client reaches only "
	    "a router on its own link");
	assert_warn(8, "dhcp.subnets[0].options[1].value", "TFTP server "
	    "(option 66) 192.168.7.7 is outside every configured subnet");
	assert_warn(12, "vendors[0].options[0].value[1]", "TFTP server (option "
	    "150) 10.9.9.9 is outside every configured subnet");
	load_ok(no_subnets, 0);
	assert_nwarn(0);
}
END_TEST

/*
 * The hostile-LAN settings: defaults (test_defaults), values written,
 * and every range and type.
 */
START_TEST(test_dhcp_defences)
{
	static const char good[] =
	    "dhcp = {\n"
	    "  offer_time = 30; offer_time_low = 3;\n"
	    "  reserve = 0; decline_max_share = 100; decline_after_ack = 5;\n"
	    "  conflict_check = false; conflict_timeout = 50;\n"
	    "  limits = { window = 60; per_mac = 0; per_relay = 1;\n"
	    "    per_interface = 1000000; declines = 0; };\n"
	    "};\n";
	static const char high[] =
	    "dhcp = { reserve = 90; conflict_timeout = 5000;\n"
	    "  limits = { window = 3600; }; };\n";
	static const char bad[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  offer_time = 30;\n"
	    /*  3 */ "  offer_time_low = 31;\n"
	    /*  4 */ "  reserve = 91;\n"
	    /*  5 */ "  decline_max_share = 101;\n"
	    /*  6 */ "  decline_after_ack = 0;\n"
	    /*  7 */ "  conflict_check = 1;\n"
	    /*  8 */ "  conflict_timeout = 49;\n"
	    /*  9 */ "  limits = { window = 0; per_mac = -1; per_host = 3;\n"
	    /* 10 */ "    per_relay = \"many\"; };\n"
	    /* 11 */ "};\n";
	static const char bad2[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  conflict_timeout = 5001;\n"
	    /*  3 */ "  limits = 5;\n"
	    /*  4 */ "};\n";
	const struct cfg_dhcp_limits *l;

	load_ok(good, 0);
	ck_assert_uint_eq(cfg->dhcp.offer_time_low, 3);
	ck_assert_uint_eq(cfg->dhcp.reserve, 0);
	ck_assert_uint_eq(cfg->dhcp.decline_max_share, 100);
	ck_assert_uint_eq(cfg->dhcp.decline_after_ack, 5);
	ck_assert_int_eq(cfg->dhcp.conflict_check, 0);
	ck_assert_uint_eq(cfg->dhcp.conflict_timeout, 50);
	l = &cfg->dhcp.limits;
	ck_assert_uint_eq(l->window, 60);
	ck_assert_uint_eq(l->per_mac, 0);
	ck_assert_uint_eq(l->per_relay, 1);
	ck_assert_uint_eq(l->per_interface, 1000000);
	ck_assert_uint_eq(l->declines, 0);
	load_ok(high, 0);
	ck_assert_uint_eq(cfg->dhcp.reserve, 90);
	ck_assert_uint_eq(cfg->dhcp.conflict_timeout, 5000);
	ck_assert_uint_eq(cfg->dhcp.limits.window, 3600);
	/* The limits not written keep their defaults. */
	ck_assert_uint_eq(cfg->dhcp.limits.per_mac, 20);
	ck_assert_uint_eq(cfg->dhcp.limits.declines, 5);
	load_bad(bad, 0);
	assert_nerr(10);
	assert_err(3, "dhcp.offer_time_low", "offer_time_low 31 is above "
	    "offer_time 30");
	assert_err(4, "dhcp.reserve", "91 is out of range (valid: 0 to 90)");
	assert_err(5, "dhcp.decline_max_share", "101 is out of range (valid: "
	    "0 to 100)");
	assert_err(6, "dhcp.decline_after_ack", "0 is out of range (valid: 1 "
	    "to 86400)");
	assert_err(7, "dhcp.conflict_check", "must be true or false, not an "
	    "integer");
	assert_err(8, "dhcp.conflict_timeout", "49 is out of range (valid: 50 "
	    "to 5000)");
	assert_err(9, "dhcp.limits.window", "0 is out of range (valid: 1 to "
	    "3600)");
	assert_err(9, "dhcp.limits.per_mac", "-1 is out of range (valid: 0 to "
	    "1000000)");
	assert_err(9, "dhcp.limits.per_host", "unknown setting (valid here: "
	    "window, per_mac, per_relay, per_interface, declines)");
	assert_err(10, "dhcp.limits.per_relay", "must be an integer from 0 to "
	    "1000000, not a string");
	load_bad(bad2, 0);
	assert_nerr(2);
	assert_err(2, "dhcp.conflict_timeout", "5001 is out of range (valid: "
	    "50 to 5000)");
	assert_err(3, "dhcp.limits", "must be a group");
}
END_TEST

/*
 * Options
 */

START_TEST(test_option_server_only)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  options = (\n"
	    /*  3 */ "    { code = 53; value = 5; },\n"
	    /*  4 */ "    { code = 51; value = 600; },\n"
	    /*  5 */ "    { code = 54; value = \"10.0.0.1\"; },\n"
	    /*  6 */ "    { name = \"client-identifier\";\n"
	    /*  7 */ "      value = \"01:02\"; },\n"
	    /*  8 */ "    { code = 82; type = \"hex\"; value = \"01:02\"; }\n"
	    /*  9 */ "  );\n"
	    /* 10 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(5);
	assert_err(3, "dhcp.options[0]", "option 53 (message-type) is set by "
	    "the server itself: the server sets it");
	assert_err(4, "dhcp.options[1]", "option 51 (lease-time) is set by "
	    "the server itself: set lease_time");
	assert_err(5, "dhcp.options[2]", "option 54 (server-identifier) is "
	    "set by the server itself: the server identifier is the "
	    "receiving interface's address");
	assert_err(6, "dhcp.options[3]", "option 61 (client-identifier) is "
	    "set by the server itself: the server sets it");
	assert_err(8, "dhcp.options[4]", "option 82 (relay-agent-information) "
	    "is set by the server itself: the server sets it");
}
END_TEST

/*
 * Options 58 and 59 stay the server's: it must send T1 < T2 < each
 * reply's lease time, which a fixed value cannot promise. The error names
 * the settings that set them.
 */
START_TEST(test_option_renewal_refused)
{
	static const char conf[] =
	    /*  1 */ "dhcp = { options = (\n"
	    /*  2 */ "  { code = 58; value = 600; },\n"
	    /*  3 */ "  { name = \"rebinding-time\"; value = 900; } ); };\n"
	    /*  4 */ "vendors = ( { name = \"a\"; match = { oui = [ \"00:00:01\" ]; };\n"
	    /*  5 */ "  options = ( { code = 59; value = 900; } ); } );\n";

	load_bad(conf, 0);
	assert_nerr(3);
	assert_err(2, "dhcp.options[0]", "option 58 (renewal-time) is set by "
	    "the server itself: set renew_time (dhcp, a subnet or a vendor "
	    "class)");
	assert_err(3, "dhcp.options[1]", "option 59 (rebinding-time) is set "
	    "by the server itself: set rebind_time (dhcp, a subnet or a "
	    "vendor class)");
	assert_err(5, "vendors[0].options[0]", "option 59 (rebinding-time) is "
	    "set by the server itself: set rebind_time");
}
END_TEST

START_TEST(test_option_values)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  options = (\n"
	    /*  3 */ "    { code = 200; value = \"x\"; },\n"
	    /*  4 */ "    { code = 6;\n"
	    /*  5 */ "      value = [ \"10.0.0.1\", \"10.0.0.256\" ]; },\n"
	    /*  6 */ "    { code = 201; type = \"u8\"; value = 256; },\n"
	    /*  7 */ "    { code = 202; type = \"hex\"; value = \"01:0g\"; },\n"
	    /*  8 */ "    { code = 203; type = \"hex\"; value = \"01:2\"; },\n"
	    /*  9 */ "    { code = 204; type = \"bool\"; value = 1; },\n"
	    /* 10 */ "    { code = 205; type = \"ip\";\n"
	    /* 11 */ "      value = [ \"1.2.3.4\", \"1.2.3.5\" ]; },\n"
	    /* 12 */ "    { code = 206; type = \"u16\"; value = \"1500\"; },\n"
	    /* 13 */ "    { code = 207; type = \"ipv6\"; value = \"::1\"; },\n"
	    /* 14 */ "    { code = 0; type = \"u8\"; value = 1; },\n"
	    /* 15 */ "    { name = \"no-such-option\"; value = 1; }\n"
	    /* 16 */ "  );\n"
	    /* 17 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(11);
	assert_err(3, "dhcp.options[0]", "option 200 has no known type: add "
	    "type = \"string\"");
	assert_err(5, "dhcp.options[1].value[1]", "'10.0.0.256' is not an "
	    "IPv4 address");
	assert_err(6, "dhcp.options[2].value", "256 is out of range (valid: "
	    "0 to 255)");
	assert_err(7, "dhcp.options[3].value", "must be 1 to 255 bytes of "
	    "hex");
	assert_err(8, "dhcp.options[4].value", "must be 1 to 255 bytes of "
	    "hex");
	assert_err(9, "dhcp.options[5].value", "must be true or false");
	assert_err(11, "dhcp.options[6].value", "needs exactly one IPv4 "
	    "address");
	assert_err(12, "dhcp.options[7].value", "must be an integer from 0 "
	    "to 65535, not a string");
	assert_err(13, "dhcp.options[8].type", "unknown type 'ipv6' (valid: "
	    "ip, ip-list, u8, u16, u32, i32, string, hex, bool, suboptions)");
	assert_err(14, "dhcp.options[9].code", "0 is out of range (valid: 1 "
	    "to 254)");
	assert_err(15, "dhcp.options[10].name", "unknown option name "
	    "'no-such-option'");
}
END_TEST

START_TEST(test_option_u32_big)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  options = (\n"
	    /*  3 */ "    { code = 229; type = \"u32\";\n"
	    /*  4 */ "      value = 4294967295; }\n"
	    /*  5 */ "  );\n"
	    /*  6 */ "};\n";
	static const uint8_t max[] = { 0xff, 0xff, 0xff, 0xff };

	/*
	 * libconfig 1.5 reads 4294967295 (no L suffix) as the int -1; later
	 * versions read it as it is. Either it loads right or the error says
	 * how to write it: never a wrong value, never a puzzling message.
	 */
	if (load(conf, 0) == 0) {
		ck_assert_uint_eq(cfg->dhcp.noptions, 1);
		assert_opt(&cfg->dhcp.options[0], 229, OPT_T_U32, max,
		    sizeof(max));
		return;
	}
	ck_assert_ptr_null(cfg);
	assert_nerr(1);
	assert_err(4, "dhcp.options[0].value", "write a number above "
	    "2147483647 with an L suffix, e.g. 4294967295L");
}
END_TEST

/*
 * RFC 2132 3.4: Option 2 is "a two's complement 32-bit integer": a zone
 * west of UTC is written by name as a negative number, and a value no
 * offset from UTC can be (2147483648, read by libconfig 1.5 as
 * -2147483648, or a day and more) is refused.
 */
START_TEST(test_option_time_offset_signed)
{
	static const char good[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  options = (\n"
	    /*  3 */ "    { name = \"time-offset\"; value = -18000; },\n"
	    /*  4 */ "  {code = 229; type = \"i32\"; value = -2147483648;}\n"
	    /*  5 */ "  );\n"
	    /*  6 */ "};\n";
	static const char bad[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  options = (\n"
	    /*  3 */ "    { name = \"time-offset\"; value = 2147483648; },\n"
	    /*  4 */ "  {code = 229; type = \"i32\"; value = 2147483648L;}\n"
	    /*  5 */ "  );\n"
	    /*  6 */ "  subnets = ( { subnet = \"10.0.0.0/24\";\n"
	    /*  7 */ "    options = ( { code = 2; value = 90000; } ); } );\n"
	    /*  8 */ "};\n";
	static const uint8_t	minus5h[] = { 0xff, 0xff, 0xb9, 0xb0 };
	static const uint8_t	i32min[] = { 0x80, 0x00, 0x00, 0x00 };

	ck_assert_str_eq(opt_type_str(opt_def_find(2)->type), "i32");
	load_ok(good, 0);
	ck_assert_uint_eq(cfg->dhcp.noptions, 2);
	assert_opt(&cfg->dhcp.options[0], 2, OPT_T_I32, minus5h,
	    sizeof(minus5h));
	assert_opt(&cfg->dhcp.options[1], 229, OPT_T_I32, i32min,
	    sizeof(i32min));
	load_bad(bad, 0);
	assert_nerr(3);
	assert_err(3, "dhcp.options[0].value", "is not an offset from UTC "
	    "(valid: -86400 to 86400 seconds)");
	assert_err(4, "dhcp.options[1].value", "must be an integer from "
	    "-2147483648 to 2147483647");
	assert_err(7, "dhcp.subnets[0].options[0].value", "time-offset 90000 "
	    "is not an offset from UTC");
}
END_TEST

START_TEST(test_option_duplicate)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  options = (\n"
	    /*  3 */ "    { code = 42; value = [ \"10.0.0.1\" ]; },\n"
	    /*  4 */ "    { code = 26; value = 1500; },\n"
	    /*  5 */ "    { name = \"ntp-servers\"; value = \"10.0.0.2\"; }\n"
	    /*  6 */ "  );\n"
	    /*  7 */ "  subnets = ( {\n"
	    /*  8 */ "    subnet = \"10.0.0.0/24\";\n"
	    /*  9 */ "    options = ( { code = 42; value = \"10.0.0.1\"; } );\n"
	    /* 10 */ "  } );\n"
	    /* 11 */ "};\n";

	load_bad(conf, 0);
	/* The subnet may set 42 again: that is another list. */
	assert_nerr(1);
	assert_err(5, "dhcp.options[2]", "option 42 is set twice in this "
	    "list");
}
END_TEST

START_TEST(test_option_suboptions)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  options = (\n"
	    /*  3 */ "    { code = 66; value = \"tftp.lan\";\n"
	    /*  4 */ "      suboptions = ( { code = 1; value = \"x\"; } ); },\n"
	    /*  5 */ "    { code = 43; value = \"01:02\"; },\n"
	    /*  6 */ "    { code = 210; type = \"suboptions\";\n"
	    /*  7 */ "      suboptions = ( { code = 1; value = \"a\"; },\n"
	    /*  8 */ "                     { code = 1; value = \"b\"; } ); },\n"
	    /*  9 */ "    { code = 211; type = \"suboptions\";\n"
	    /* 10 */ "      suboptions = ( { code = 2; type = \"suboptions\";\n"
	    /* 11 */ "                       suboptions = ( ); } ); }\n"
	    /* 12 */ "  );\n"
	    /* 13 */ "  subnets = ( {\n"
	    /* 14 */ "    subnet = \"10.0.0.0/24\";\n"
	    /* 15 */ "    options = (\n"
	    /* 16 */ "      { code = 43; type = \"hex\"; value = \"0102\"; }\n"
	    /* 17 */ "    );\n"
	    /* 18 */ "  } );\n"
	    /* 19 */ "};\n";

	/* Line 16 is the way out for 43: type = "hex" and a raw value. */
	load_bad(conf, 0);
	assert_nerr(4);
	assert_err(4, "dhcp.options[0].suboptions", "only an option of type "
	    "suboptions holds sub-options");
	assert_err(5, "dhcp.options[1]", "option 43 holds sub-options: write "
	    "suboptions = ");
	assert_err(8, "dhcp.options[2].suboptions[1]", "sub-option 1 is set "
	    "twice in this list");
	assert_err(10, "dhcp.options[3].suboptions[0]", "sub-options do not "
	    "nest");
}
END_TEST

START_TEST(test_option_placeholder_in_dhcp)
{
	static const char conf[] =
	    /*  1 */ "dhcp = {\n"
	    /*  2 */ "  options = (\n"
	    /*  3 */ "    { code = 66; value = \"${base_url}\"; }\n"
	    /*  4 */ "  );\n"
	    /*  5 */ "};\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(3, "dhcp.options[0].value", "placeholders are not allowed "
	    "here: placeholders are filled only in vendor class options");
}
END_TEST

/*
 * Provisioning
 */

static const char prov_tls[] =
    /*  1 */ "provisioning = {\n"
    /*  2 */ "  listen = [ \"0.0.0.0:443\" ];\n"
    /*  3 */ "  base_url = \"https://10.0.0.1/\";\n"
    /*  4 */ "  tls = {\n"
    /*  5 */ "    cert = \"tls/nope.crt\";\n"
    /*  6 */ "    key = \"tls/nope.key\";\n"
    /*  7 */ "  };\n"
    /*  8 */ "};\n";

START_TEST(test_prov_tls_missing)
{
	char	*dir, msg[PATH_MAX + 64];

	load_bad(prov_tls, 0);
	assert_nerr(2);
	ck_assert_ptr_nonnull(dir = realpath(tdir, NULL));
	snprintf(msg, sizeof(msg), "cannot read %s/tls/nope.crt: No such "
	    "file or directory (a PEM file is needed here)", dir);
	assert_err(5, "provisioning.tls.cert", msg);
	snprintf(msg, sizeof(msg), "cannot read %s/tls/nope.key: ", dir);
	assert_err(6, "provisioning.tls.key", msg);
	free(dir);

	/* Not looked at with CFG_NO_FILE_CHECKS (provboxctl on a laptop). */
	load_ok(prov_tls, CFG_NO_FILE_CHECKS);
	assert_in_dir(cfg->prov.tls_cert, "tls/nope.crt");
	assert_in_dir(cfg->prov.tls_key, "tls/nope.key");
}
END_TEST

START_TEST(test_prov_tls_present)
{
	static const char conf[] =
	    /*  1 */ "provisioning = {\n"
	    /*  2 */ "  base_url = \"https://10.0.0.1\";\n"
	    /*  3 */ "  tls = { cert = \"tls/nope.crt\";\n"
	    /*  4 */ "          key = \"tls/nope.key\"; };\n"
	    /*  5 */ "};\n";
	static const char none[] =
	    /*  1 */ "provisioning = {\n"
	    /*  2 */ "  base_url = \"https://10.0.0.1\";\n"
	    /*  3 */ "};\n";
	char	*sub;

	ck_assert_int_gt(asprintf(&sub, "%s/tls", tdir), 0);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	free(sub);
	write_file("tls/nope.crt", "-----BEGIN CERTIFICATE-----\n");
	write_file("tls/nope.key", "-----BEGIN PRIVATE KEY-----\n");
	load_ok(prov_tls, 0);
	/* listen defaults to 0.0.0.0:443, so tls is needed then too. */
	load_ok(conf, 0);
	ck_assert_uint_eq(cfg->prov.nlisten, 1);
	ck_assert_str_eq(cfg->prov.listen[0], "0.0.0.0:443");
	load_bad(none, 0);
	assert_nerr(1);
	assert_err(1, "provisioning.tls", "missing: HTTPS listens on "
	    "0.0.0.0:443, so tls = ");
}
END_TEST

START_TEST(test_prov_base_url)
{
	static const char ftp[] =
	    /*  1 */ "provisioning = {\n"
	    /*  2 */ "  listen = [ ];\n"
	    /*  3 */ "  base_url = \"ftp://10.0.0.1\";\n"
	    /*  4 */ "};\n";
	static const char nohost[] =
	    /*  1 */ "provisioning = {\n"
	    /*  2 */ "  listen = [ ];\n"
	    /*  3 */ "\n"
	    /*  4 */ "  base_url = \"https://\";\n"
	    /*  5 */ "};\n";
	static const char space[] =
	    /*  1 */ "provisioning = {\n"
	    /*  2 */ "  listen = [ ];\n"
	    /*  3 */ "  base_url = \"https://10.0.0.1/a b\";\n"
	    /*  4 */ "};\n";
	static const char missing[] =
	    /*  1 */ "provisioning = {\n"
	    /*  2 */ "  listen = [ ];\n"
	    /*  3 */ "};\n";

	load_bad(ftp, 0);
	assert_nerr(1);
	assert_err(3, "provisioning.base_url", "'ftp://10.0.0.1' is not an "
	    "http:// or https:// URL");
	load_bad(nohost, 0);
	assert_nerr(1);
	assert_err(4, "provisioning.base_url", "'https://' is not an http:// "
	    "or https:// URL");
	load_bad(space, 0);
	assert_nerr(1);
	assert_err(3, "provisioning.base_url", "is not an http:// or "
	    "https:// URL");
	load_bad(missing, 0);
	assert_nerr(1);
	assert_err(1, "provisioning.base_url", "missing (a string is "
	    "required here)");
}
END_TEST

START_TEST(test_prov_listen)
{
	static const char conf[] =
	    /*  1 */ "provisioning = {\n"
	    /*  2 */ "  base_url = \"https://10.0.0.1\";\n"
	    /*  3 */ "  listen = [ \"0.0.0.0\", \"10.0.0.1:70000\",\n"
	    /*  4 */ "             \"[::1]:443\" ];\n"
	    /*  5 */ "  http_listen = \"localhost:80\";\n"
	    /*  6 */ "  tls = { cert = \"c.pem\"; key = \"k.pem\"; };\n"
	    /*  7 */ "};\n";

	load_bad(conf, CFG_NO_FILE_CHECKS);
	assert_nerr(3);
	assert_err(3, "provisioning.listen", "'0.0.0.0' is not a listen "
	    "address (a.b.c.d:port or [v6addr]:port)");
	assert_err(3, "provisioning.listen", "'10.0.0.1:70000' is not a "
	    "listen address");
	assert_err(5, "provisioning.http_listen", "'localhost:80' is not a "
	    "listen address");
}
END_TEST

START_TEST(test_prov_paths)
{
	static const char same[] =
	    /*  1 */ "provisioning = {\n"
	    /*  2 */ "  listen = [ ];\n"
	    /*  3 */ "  base_url = \"https://10.0.0.1\";\n"
	    /*  4 */ "  token_path = \"/x\";\n"
	    /*  5 */ "  legacy_path = \"/x/\";\n"
	    /*  6 */ "};\n";
	static const char bad[] =
	    /*  1 */ "provisioning = {\n"
	    /*  2 */ "  listen = [ ];\n"
	    /*  3 */ "  base_url = \"https://10.0.0.1\";\n"
	    /*  4 */ "  token_path = \"p\";\n"
	    /*  5 */ "  legacy_path = \"/a/../b\";\n"
	    /*  6 */ "};\n";

	load_bad(same, 0);
	assert_nerr(1);
	assert_err(5, "provisioning.legacy_path", "token_path and legacy_path "
	    "are both '/x'; they must differ");
	load_bad(bad, 0);
	assert_nerr(2);
	assert_err(4, "provisioning.token_path", "'p' is not a URL path");
	assert_err(5, "provisioning.legacy_path", "'/a/../b' is not a URL "
	    "path");
}
END_TEST

START_TEST(test_prov_limits_deadlines)
{
	static const char good[] =
	    /*  1 */ "provisioning = {\n"
	    /*  2 */ "  listen = [ ];\n"
	    /*  3 */ "  base_url = \"https://10.0.0.1\";\n"
	    /*  4 */ "  limits = { timeout = 60; handshake_timeout = 3;\n"
	    /*  5 */ "             request_timeout = 7; max_connections = 5; };\n"
	    /*  6 */ "};\n";
	static const char bad[] =
	    /*  1 */ "provisioning = {\n"
	    /*  2 */ "  listen = [ ];\n"
	    /*  3 */ "  base_url = \"https://10.0.0.1\";\n"
	    /*  4 */ "  limits = {\n"
	    /*  5 */ "    handshake_timeout = 0;\n"
	    /*  6 */ "    request_timeout = 3601;\n"
	    /*  7 */ "    header_timeout = 5;\n"
	    /*  8 */ "  };\n"
	    /*  9 */ "};\n";

	load_ok(good, 0);
	ck_assert_uint_eq(cfg->prov.limits.timeout, 60);
	ck_assert_uint_eq(cfg->prov.limits.handshake_timeout, 3);
	ck_assert_uint_eq(cfg->prov.limits.request_timeout, 7);
	ck_assert_uint_eq(cfg->prov.limits.max_connections, 5);
	load_bad(bad, 0);
	assert_nerr(3);
	assert_err(5, "provisioning.limits.handshake_timeout", "0 is out of "
	    "range (valid: 1 to 3600)");
	assert_err(6, "provisioning.limits.request_timeout", "3601 is out of "
	    "range (valid: 1 to 3600)");
	assert_err(7, "provisioning.limits.header_timeout", "unknown setting "
	    "(valid here: max_header_size, max_body_size, timeout, "
	    "handshake_timeout, request_timeout, max_connections)");
}
END_TEST

START_TEST(test_prov_mode_unknown)
{
	static const char conf[] =
	    /*  1 */ "provisioning = {\n"
	    /*  2 */ "  listen = [ ];\n"
	    /*  3 */ "  base_url = \"https://10.0.0.1\";\n"
	    /*  4 */ "  default_mode = \"tokn\";\n"
	    /*  5 */ "};\n"
	    /*  6 */ "vendors = (\n"
	    /*  7 */ "  { name = \"snom\"; match = { oui = \"00:04:13\"; };\n"
	    /*  8 */ "    mode = \"flat\"; }\n"
	    /*  9 */ ");\n";

	load_bad(conf, 0);
	assert_nerr(2);
	assert_err(4, "provisioning.default_mode", "unknown mode 'tokn' "
	    "(valid: token, legacy)");
	assert_err(8, "vendors[0].mode", "unknown mode 'flat' (valid: token, "
	    "legacy)");
}
END_TEST

/*
 * Vendor classes
 */

START_TEST(test_vendor_template_malformed)
{
	static const char conf[] =
	    /*  1 */ "provisioning = { listen = [ ];\n"
	    /*  2 */ "                 base_url = \"https://10.0.0.1\"; };\n"
	    /*  3 */ "vendors = ( {\n"
	    /*  4 */ "  name = \"snom\";\n"
	    /*  5 */ "  match = { vendor_class_prefix = [ \"snom\" ]; };\n"
	    /*  6 */ "  options = (\n"
	    /*  7 */ "    { code = 66; value = \"${base_url/p/\"; },\n"
	    /*  8 */ "    { code = 67; value = \"p/${tokne}/x.htm\"; },\n"
	    /*  9 */ "    { code = 114; value = \"${base_url}/$5\"; },\n"
	    /* 10 */ "    { code = 160; value = \"${base_url}/$$/${mac}\"; }\n"
	    /* 11 */ "  );\n"
	    /* 12 */ "} );\n";

	load_bad(conf, 0);
	assert_nerr(3);
	assert_err(7, "vendors[0].options[0].value", "malformed template: "
	    "unclosed '${' at offset 0");
	assert_err(8, "vendors[0].options[1].value", "malformed template: "
	    "unknown placeholder '${tokne}' (valid: ${base_url} ${token} "
	    "${mac} ${MAC} ${model} ${vendor} ${server_ip})");
	assert_err(9, "vendors[0].options[2].value", "malformed template: "
	    "lone '$' at offset 12");
}
END_TEST

START_TEST(test_vendor_token_legacy)
{
	static const char conf[] =
	    /*  1 */ "provisioning = { listen = [ ];\n"
	    /*  2 */ "                 base_url = \"https://10.0.0.1\"; };\n"
	    /*  3 */ "vendors = ( {\n"
	    /*  4 */ "  name = \"aastra\";\n"
	    /*  5 */ "  match = { oui = [ \"00:08:5d\" ]; };\n"
	    /*  6 */ "  mode = \"legacy\";\n"
	    /*  7 */ "  options = (\n"
	    /*  8 */ "    { code = 66; value = \"${base_url}/${mac}.cfg\"; },\n"
	    /*  9 */ "    { code = 43; suboptions = (\n"
	    /* 10 */ "        { code = 2; value = \"${base_url}/${token}\"; }\n"
	    /* 11 */ "    ); }\n"
	    /* 12 */ "  );\n"
	    /* 13 */ "} );\n";
	static const char inherited[] =
	    /*  1 */ "provisioning = {\n"
	    /*  2 */ "  listen = [ ];\n"
	    /*  3 */ "  base_url = \"https://10.0.0.1\";\n"
	    /*  4 */ "  default_mode = \"legacy\";\n"
	    /*  5 */ "};\n"
	    /*  6 */ "vendors = ( {\n"
	    /*  7 */ "  name = \"polycom\";\n"
	    /*  8 */ "  match = { oui = [ \"00:04:f2\" ]; };\n"
	    /*  9 */ "  options = (\n"
	    /* 10 */ "    { code = 160; value = \"${base_url}/${token}\"; }\n"
	    /* 11 */ "  );\n"
	    /* 12 */ "} );\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(10, "vendors[0].options[1].suboptions[0].value",
	    "placeholders are not allowed here: vendor class 'aastra' is in "
	    "legacy mode");
	/* The class takes provisioning.default_mode when it says nothing. */
	load_bad(inherited, 0);
	assert_nerr(1);
	assert_err(10, "vendors[0].options[0].value", "vendor class 'polycom' "
	    "is in legacy mode");
}
END_TEST

/*
 * tftp = true only in a legacy class (a token folder's URL would cross
 * the LAN in clear) and never with client certificates (a TFTP client
 * shows none); tftp_listen takes listen addresses.
 */
START_TEST(test_vendor_tftp)
{
	static const char conf[] =
	    /*  1 */ "provisioning = { listen = [ ];\n"
	    /*  2 */ "  tftp_listen = [ \"10.0.0.1\" ];\n"
	    /*  3 */ "  tls = { cert = \"c.pem\"; key = \"k.pem\";\n"
	    /*  4 */ "          client_ca = \"ca.pem\"; };\n"
	    /*  5 */ "  base_url = \"https://10.0.0.1\"; };\n"
	    /*  6 */ "vendors = ( {\n"
	    /*  7 */ "  name = \"cisco\"; match = { oui = [ \"00:0e:08\" ]; };\n"
	    /*  8 */ "  mode = \"token\"; tftp = true;\n"
	    /*  9 */ "}, {\n"
	    /* 10 */ "  name = \"c79\"; match = { oui = [ \"00:1b:d4\" ]; };\n"
	    /* 11 */ "  mode = \"legacy\"; tftp = true;\n"
	    /* 12 */ "}, {\n"
	    /* 13 */ "  name = \"c78\"; match = { oui = [ \"00:1b:d5\" ]; };\n"
	    /* 14 */ "  mode = \"legacy\"; tftp = true;\n"
	    /* 15 */ "  legacy = { client_cert = false; };\n"
	    /* 16 */ "} );\n";

	load_bad(conf, CFG_NO_FILE_CHECKS);
	assert_nerr(3);
	assert_err(2, "provisioning.tftp_listen", "'10.0.0.1' is not a listen "
	    "address");
	assert_err(8, "vendors[0].tftp", "vendor class 'cisco' is in token "
	    "mode: TFTP serves only the flat folder");
	assert_err(11, "vendors[1].tftp", "vendor class 'c79' asks for a "
	    "client certificate, which a TFTP client cannot show");
}
END_TEST

/*
 * Over TFTP the lease is the only proof a phone can give: a tftp class
 * without lease binding would hand any host naming a registered MAC its
 * password.
 */
START_TEST(test_vendor_tftp_lease_binding)
{
	static const char conf[] =
	    /*  1 */ "provisioning = { listen = [ ];\n"
	    /*  2 */ "  base_url = \"https://10.0.0.1\"; };\n"
	    /*  3 */ "vendors = ( {\n"
	    /*  4 */ "  name = \"c79\"; match = { oui = [ \"00:1b:d4\" ]; };\n"
	    /*  5 */ "  mode = \"legacy\"; tftp = true;\n"
	    /*  6 */ "  legacy = { lease_binding = false; };\n"
	    /*  7 */ "} );\n";

	load_bad(conf, CFG_NO_FILE_CHECKS);
	assert_nerr(1);
	assert_err(5, "vendors[0].tftp", "vendor class 'c79' has "
	    "lease_binding = false: over TFTP, where no certificate can prove "
	    "the phone");
}
END_TEST

/*
 * A bootstrap file names a first-access URL, which opens only for the
 * identity holding the phone's lease: without lease binding it would be
 * a dead end. client_cert on a class needs the phones' CA. Enrollment
 * settings have their ranges.
 */
START_TEST(test_enrollment_settings)
{
	static const char conf[] =
	    /*  1 */ "provisioning = { listen = [ ];\n"
	    /*  2 */ "  base_url = \"https://10.0.0.1\";\n"
	    /*  3 */ "  enrollment = { window = 30; first_access_limit = 5;\n"
	    /*  4 */ "    rotate_grace = 0; auto_window = 600; };\n"
	    /*  5 */ "};\n"
	    /*  6 */ "vendors = ( {\n"
	    /*  7 */ "  name = \"gs\";\n"
	    /*  8 */ "  match = { oui = [ \"00:0b:82\" ]; };\n"
	    /*  9 */ "  mode = \"legacy\";\n"
	    /* 10 */ "  legacy = { lease_binding = false;\n"
	    /* 11 */ "    bootstrap = true; };\n"
	    /* 12 */ "}, {\n"
	    /* 13 */ "  name = \"yl\";\n"
	    /* 14 */ "  match = { oui = [ \"00:15:65\" ]; };\n"
	    /* 15 */ "  client_cert = true;\n"
	    /* 16 */ "} );\n";

	load_bad(conf, 0);
	assert_nerr(4);
	assert_err(3, "provisioning.enrollment.window", "30 is out of range "
	    "(valid: 60 to 2592000)");
	assert_err(3, "provisioning.enrollment.first_access_limit", "5 is out "
	    "of range (valid: 10 to 86400)");
	assert_err(11, "vendors[0].legacy.bootstrap", "needs lease_binding = "
	    "true");
	assert_err(15, "vendors[1].client_cert", "needs provisioning.tls."
	    "client_ca");
}
END_TEST

/*
 * "${server_ip}" stands for the server's address in a vendor class's IP
 * options, filled per reply; elsewhere (a subnet's options) it is
 * refused. A pool holding the subnet's router or the provisioning
 * server's address is refused: a client could be leased it.
 */
START_TEST(test_server_ip_and_router_in_pool)
{
	static const char conf[] =
	    /*  1 */ "dhcp = { subnets = ( { subnet = \"10.0.0.0/24\";\n"
	    /*  2 */ "  pools = ( { start = \"10.0.0.1\"; end = \"10.0.0.9\"; } );\n"
	    /*  3 */ "  routers = [ \"10.0.0.1\" ];\n"
	    /*  4 */ "  options = ( { code = 150;\n"
	    /*  5 */ "    value = [ \"${server_ip}\" ]; } ); } ); };\n"
	    /*  6 */ "provisioning = { listen = [ ];\n"
	    /*  7 */ "  base_url = \"https://10.0.0.2\"; };\n";
	static const char good[] =
	    "provisioning = { listen = [ ];\n"
	    "  base_url = \"https://10.0.0.2\"; };\n"
	    "vendors = ( { name = \"cisco\";\n"
	    "  match = { oui = [ \"00:0e:08\" ]; };\n"
	    "  options = ( { code = 150;\n"
	    "    value = [ \"10.0.0.9\", \"${server_ip}\" ]; },\n"
	    "    { code = 66; value = \"tftp://${server_ip}/\"; } );\n"
	    "} );\n";

	load_bad(conf, 0);
	assert_nerr(3);
	assert_err(3, "dhcp.subnets[0].routers", "router 10.0.0.1 is inside "
	    "the pool 10.0.0.1-10.0.0.9");
	assert_err(5, "dhcp.subnets[0].options[0].value[0]", "placeholders "
	    "are not allowed here");
	assert_err(7, "provisioning.base_url", "the provisioning server "
	    "(base_url) 10.0.0.2 is inside the pool 10.0.0.1-10.0.0.9 of "
	    "subnet 10.0.0.0/24: a client could be given its address");
	load_ok(good, CFG_NO_FILE_CHECKS);
	ck_assert_uint_eq(cfg->vendors[0].options[0].len, 8);
	ck_assert_uint_eq(cfg->vendors[0].options[0].server_ip_slots, 2);
	ck_assert_mem_eq(cfg->vendors[0].options[0].data,
	    "\x0a\x00\x00\x09\x00\x00\x00\x00", 8);
	ck_assert_int_eq(cfg->vendors[0].options[1].tmpl_vars,
	    TMPL_SERVER_IP);
}
END_TEST

START_TEST(test_vendor_token_unregistered)
{
	static const char conf[] =
	    /*  1 */ "provisioning = { listen = [ ];\n"
	    /*  2 */ "                 base_url = \"https://10.0.0.1\"; };\n"
	    /*  3 */ "vendors = ( {\n"
	    /*  4 */ "  name = \"yealink\";\n"
	    /*  5 */ "  match = { oui = [ \"00:15:65\" ]; };\n"
	    /*  6 */ "  options = (\n"
	    /*  7 */ "    { code = 66; value = \"${base_url}/p/${token}/\"; }\n"
	    /*  8 */ "  );\n"
	    /*  9 */ "  unregistered = (\n"
	    /* 10 */ "    { code = 66; value = \"${base_url}/${token}/\"; },\n"
	    /* 11 */ "    { code = 67; value = \"y${model}.cfg\"; },\n"
	    /* 12 */ "    { code = 160; value = \"u/${MAC}-${vendor}\"; }\n"
	    /* 13 */ "  );\n"
	    /* 14 */ "} );\n";

	load_bad(conf, 0);
	assert_nerr(2);
	assert_err(10, "vendors[0].unregistered[0].value", "placeholders are "
	    "not allowed here: a device not in the users table has no token "
	    "and no model");
	assert_err(11, "vendors[0].unregistered[1].value", "has no token and "
	    "no model");
}
END_TEST

START_TEST(test_vendor_url_expands_bad)
{
	static const char conf[] =
	    /*  1 */ "provisioning = { listen = [ ];\n"
	    /*  2 */ "                 base_url = \"https://10.0.0.1\"; };\n"
	    /*  3 */ "vendors = ( {\n"
	    /*  4 */ "  name = \"snom\";\n"
	    /*  5 */ "  match = { oui = [ \"00:04:13\" ]; };\n"
	    /*  6 */ "  options = (\n"
	    /*  7 */ "    { code = 66; value = \"http:///cfg/${mac}.cfg\"; },\n"
	    /*  8 */ "    { code = 67; value = \"${base_url}/${token} x\"; },\n"
	    /*  9 */ "    { code = 43; suboptions = (\n"
	    /* 10 */ "        { code = 1; value = \"tftp://${model}/x y\"; }\n"
	    /* 11 */ "    ); },\n"
	    /* 12 */ "    { code = 160; value = \"${base_url}/${model}\"; }\n"
	    /* 13 */ "  );\n"
	    /* 14 */ "} );\n";

	load_bad(conf, 0);
	assert_nerr(3);
	assert_err(7, "vendors[0].options[0].value", "malformed URL template: "
	    "'http:///cfg/000000000000.cfg' has no host");
	assert_err(8, "vendors[0].options[1].value", "malformed URL template: "
	    "'https://10.0.0.1/");
	assert_err(8, "vendors[0].options[1].value", "holds a space or "
	    "control character");
	assert_err(10, "vendors[0].options[2].suboptions[0].value",
	    "holds a space or control character");
}
END_TEST

START_TEST(test_vendor_base_url_unset)
{
	static const char conf[] =
	    /*  1 */ "vendors = ( {\n"
	    /*  2 */ "  name = \"snom\";\n"
	    /*  3 */ "  match = { oui = [ \"00:04:13\" ]; };\n"
	    /*  4 */ "  options = (\n"
	    /*  5 */ "    { code = 66; value = \"${base_url}\"; },\n"
	    /*  6 */ "    { code = 67; value = \"snom${model}.htm\"; }\n"
	    /*  7 */ "  );\n"
	    /*  8 */ "} );\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(5, "vendors[0].options[0].value", "uses ${base_url} but "
	    "provisioning.base_url is not set");
}
END_TEST

START_TEST(test_vendor_twice)
{
	static const char conf[] =
	    /*  1 */ "vendors = (\n"
	    /*  2 */ "  { name = \"snom\"; match = { oui = \"000413\"; }; },\n"
	    /*  3 */ "  { name = \"poly\"; match = { oui = \"0004f2\"; }; },\n"
	    /*  4 */ "  { name = \"snom\";\n"
	    /*  5 */ "    match = { vendor_class_prefix = \"snom\"; }; }\n"
	    /*  6 */ ");\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(4, "vendors[2]", "vendor class 'snom' is defined twice "
	    "(also at ");
	ck_assert_ptr_nonnull(strstr(errs.v[0].msg, MAIN_CONF ":2)"));
}
END_TEST

START_TEST(test_vendor_two_defaults)
{
	static const char conf[] =
	    /*  1 */ "vendors = (\n"
	    /*  2 */ "  { name = \"other\"; default = true; },\n"
	    /*  3 */ "  { name = \"snom\"; match = { oui = \"000413\"; }; },\n"
	    /*  4 */ "  { name = \"rest\"; default = true; }\n"
	    /*  5 */ ");\n";

	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(4, "vendors[2]", "a second default class (the first is "
	    "at ");
	assert_err(4, "vendors[2]", "only one may have default = true");
	ck_assert_ptr_nonnull(strstr(errs.v[0].msg, MAIN_CONF ":2)"));
}
END_TEST

START_TEST(test_vendor_no_match)
{
	static const char conf[] =
	    /*  1 */ "vendors = (\n"
	    /*  2 */ "  {\n"
	    /*  3 */ "    name = \"snom\";\n"
	    /*  4 */ "  },\n"
	    /*  5 */ "  {\n"
	    /*  6 */ "    name = \"yealink\";\n"
	    /*  7 */ "    match = { };\n"
	    /*  8 */ "  },\n"
	    /*  9 */ "  { name = \"bad name\"; default = true; },\n"
	    /* 10 */ "  { name = \"cisco\";\n"
	    /* 11 */ "    match = { vendor_class_prefix = [ \"\" ]; }; }\n"
	    /* 12 */ ");\n";

	load_bad(conf, 0);
	assert_nerr(4);
	assert_err(2, "vendors[0].match", "missing: a vendor class needs "
	    "match = ");
	assert_err(7, "vendors[1].match", "matches nothing: give "
	    "vendor_class_prefix, vendor_class_substring, vendor_class_exact "
	    "or oui");
	assert_err(9, "vendors[2].name", "'bad name' is not a vendor class "
	    "name");
	assert_err(11, "vendors[3].match.vendor_class_prefix", "an empty "
	    "prefix would match every client");
}
END_TEST

START_TEST(test_vendor_bad_oui)
{
	static const char conf[] =
	    /*  1 */ "vendors = ( {\n"
	    /*  2 */ "  name = \"snom\";\n"
	    /*  3 */ "  match = {\n"
	    /*  4 */ "    vendor_class_prefix = [ \"snom\" ];\n"
	    /*  5 */ "    oui = [ \"00:04\", \"00:04:13:01\",\n"
	    /*  6 */ "            \"zz:04:13\", \"00:04:13\" ];\n"
	    /*  7 */ "  };\n"
	    /*  8 */ "} );\n";

	load_bad(conf, 0);
	assert_nerr(3);
	assert_err(5, "vendors[0].match.oui", "'00:04' is not an OUI (the "
	    "first three bytes of a MAC");
	assert_err(5, "vendors[0].match.oui", "'00:04:13:01' is not an OUI");
	assert_err(5, "vendors[0].match.oui", "'zz:04:13' is not an OUI");
}
END_TEST

/*
 * Users
 */

static const char users_vendors[] =
    /*  1 */ "vendors = (\n"
    /*  2 */ "  { name = \"snom\"; match = { oui = \"00:04:13\"; }; },\n"
    /*  3 */ "  { name = \"other\"; default = true; }\n"
    /*  4 */ ");\n";

START_TEST(test_user_mac_twice)
{
	static const char conf[] =
	    /*  1 */ "@include \"vendors.conf\"\n"
	    /*  2 */ "users = (\n"
	    /*  3 */ "  {\n"
	    /*  4 */ "    name = \"alice\";\n"
	    /*  5 */ "    sip = { user = \"201\"; password = \"a\";\n"
	    /*  6 */ "            server = \"pbx\"; };\n"
	    /*  7 */ "    devices = (\n"
	    /*  8 */ "      { mac = \"000413AABBCC\"; vendor = \"snom\"; }\n"
	    /*  9 */ "    );\n"
	    /* 10 */ "  },\n"
	    /* 11 */ "  {\n"
	    /* 12 */ "    name = \"bob\";\n"
	    /* 13 */ "    sip = { user = \"202\"; password = \"b\";\n"
	    /* 14 */ "            server = \"pbx\"; };\n"
	    /* 15 */ "    devices = (\n"
	    /* 16 */ "      { mac = \"000413000001\"; vendor = \"snom\"; },\n"
	    /* 17 */ "      { mac = \"0004.13aa.bbcc\"; vendor = \"other\"; }\n"
	    /* 18 */ "    );\n"
	    /* 19 */ "  }\n"
	    /* 20 */ ");\n";

	write_file("vendors.conf", users_vendors);
	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(17, "users[1].devices[1]", "MAC 00:04:13:aa:bb:cc is "
	    "listed twice (also at ");
	assert_err(17, "users[1].devices[1]", "a device belongs to one user");
	ck_assert_ptr_nonnull(strstr(errs.v[0].msg, MAIN_CONF ":8)"));
}
END_TEST

START_TEST(test_user_twice)
{
	static const char conf[] =
	    /*  1 */ "@include \"vendors.conf\"\n"
	    /*  2 */ "users = (\n"
	    /*  3 */ "  { name = \"alice\"; sip = { user = \"201\";\n"
	    /*  4 */ "      password = \"a\"; server = \"pbx\"; }; },\n"
	    /*  5 */ "  { name = \"bob\"; sip = { user = \"202\";\n"
	    /*  6 */ "      password = \"b\"; server = \"pbx\"; }; },\n"
	    /*  7 */ "  { name = \"alice\"; sip = { user = \"203\";\n"
	    /*  8 */ "      password = \"c\"; server = \"pbx\"; }; },\n"
	    /*  9 */ "  { name = \"alice\"; sip = { user = \"204\";\n"
	    /* 10 */ "      password = \"d\"; server = \"pbx\"; }; }\n"
	    /* 11 */ ");\n";

	write_file("vendors.conf", users_vendors);
	load_bad(conf, 0);
	/* Each repeat once, at the repeat. */
	assert_nerr(2);
	assert_err(7, "users[2]", "user 'alice' is defined twice");
	assert_err(9, "users[3]", "user 'alice' is defined twice");
}
END_TEST

START_TEST(test_user_unknown_vendor)
{
	static const char conf[] =
	    /*  1 */ "@include \"vendors.conf\"\n"
	    /*  2 */ "users = ( {\n"
	    /*  3 */ "  name = \"alice\";\n"
	    /*  4 */ "  sip = { user = \"201\"; password = \"a\";\n"
	    /*  5 */ "          server = \"pbx\"; };\n"
	    /*  6 */ "  devices = (\n"
	    /*  7 */ "    { mac = \"00:04:13:aa:bb:cc\"; vendor = \"snmo\"; }\n"
	    /*  8 */ "  );\n"
	    /*  9 */ "} );\n";

	write_file("vendors.conf", users_vendors);
	load_bad(conf, 0);
	assert_nerr(1);
	assert_err(7, "users[0].devices[0].vendor", "unknown vendor 'snmo' "
	    "(valid: snom, other)");
}
END_TEST

/*
 * A class whose name was refused is half parsed; a device naming a class
 * must not trip over it (found by fuzz_cfg: strcmp on a NULL name).
 */
START_TEST(test_user_vendor_without_name)
{
	static const char conf[] =
	    /*  1 */ "vendors = (\n"
	    /*  2 */ "  { na2me = \"snom\"; },\n"
	    /*  3 */ "  { name = \"other\"; default = true; }\n"
	    /*  4 */ ");\n"
	    /*  5 */ "users = ( { name = \"bob\";\n"
	    /*  6 */ "  sip = { user = \"202\"; password = \"pw\";\n"
	    /*  7 */ "          server = \"pbx\"; };\n"
	    /*  8 */ "  devices = (\n"
	    /*  9 */ "    { mac = \"00:04:13:20:00:02\"; vendor = \"snom\"; }\n"
	    /* 10 */ "  ); } );\n";

	load_bad(conf, CFG_NO_FILE_CHECKS);
	assert_err(2, "vendors[0].na2me", "unknown setting");
	assert_err(2, "vendors[0].name", "missing");
	assert_err(9, "users[0].devices[0].vendor", "unknown vendor 'snom' "
	    "(valid: other)");
}
END_TEST

START_TEST(test_user_bad_fields)
{
	static const char conf[] =
	    /*  1 */ "@include \"vendors.conf\"\n"
	    /*  2 */ "users = (\n"
	    /*  3 */ "  {\n"
	    /*  4 */ "    name = \"alice\";\n"
	    /*  5 */ "    sip = { user = \"201\"; password = \"a\";\n"
	    /*  6 */ "            server = \"pbx\"; };\n"
	    /*  7 */ "    devices = (\n"
	    /*  8 */ "      { mac = \"00:04:13:aa:bb\"; vendor = \"snom\"; },\n"
	    /*  9 */ "      { mac = \"000413aabbccdd\"; vendor = \"snom\"; },\n"
	    /* 10 */ "      { mac = \"00:04:13:aa:bb:01\"; vendor = \"snom\";\n"
	    /* 11 */ "        model = \"D 785\"; }\n"
	    /* 12 */ "    );\n"
	    /* 13 */ "  },\n"
	    /* 14 */ "  {\n"
	    /* 15 */ "    name = \"bob smith\";\n"
	    /* 16 */ "    sip = { user = \"202\"; server = \"pbx_1\";\n"
	    /* 17 */ "            port = 0; };\n"
	    /* 18 */ "  },\n"
	    /* 19 */ "  { name = \"carol\"; }\n"
	    /* 20 */ ");\n";

	write_file("vendors.conf", users_vendors);
	load_bad(conf, 0);
	assert_nerr(8);
	assert_err(8, "users[0].devices[0].mac", "'00:04:13:aa:bb' is not a "
	    "MAC address");
	assert_err(9, "users[0].devices[1].mac", "'000413aabbccdd' is "
	    "not a MAC address");
	assert_err(11, "users[0].devices[2].model", "'D 785' is not a model "
	    "name");
	assert_err(15, "users[1].name", "'bob smith' is not a user name");
	assert_err(16, "users[1].sip.password", "missing");
	assert_err(16, "users[1].sip.server", "'pbx_1' is not a host name "
	    "or IPv4 address");
	assert_err(17, "users[1].sip.port", "0 is out of range (valid: 1 to "
	    "65535)");
	assert_err(19, "users[2].sip", "missing: a user needs sip = ");
}
END_TEST

/*
 * The whole file or nothing
 */

START_TEST(test_never_half_applied)
{
	static const char conf[] =
	    /*  1 */ "log = { level = \"loud\"; };\n"
	    /*  2 */ "dhcp = {\n"
	    /*  3 */ "  subnets = ( {\n"
	    /*  4 */ "    subnet = \"10.0.0.0/24\";\n"
	    /*  5 */ "    pools = ( { start = \"10.0.0.90\";\n"
	    /*  6 */ "                end = \"10.0.0.80\"; } );\n"
	    /*  7 */ "  } );\n"
	    /*  8 */ "};\n"
	    /*  9 */ "provisioning = { listen = [ ];\n"
	    /* 10 */ "                 base_url = \"ftp://x\"; };\n"
	    /* 11 */ "vendors = (\n"
	    /* 12 */ "  { name = \"snom\"; match = { oui = \"00:04\"; }; }\n"
	    /* 13 */ ");\n"
	    /* 14 */ "users = ( {\n"
	    /* 15 */ "  name = \"alice\";\n"
	    /* 16 */ "  sip = { user = \"201\"; password = \"a\";\n"
	    /* 17 */ "          server = \"pbx\"; };\n"
	    /* 18 */ "  devices = (\n"
	    /* 19 */ "    { mac = \"00:04:13:aa:bb:cc\"; vendor = \"x\"; }\n"
	    /* 20 */ "  );\n"
	    /* 21 */ "} );\n"
	    /* 22 */ "colour = \"blue\";\n";

	load_bad(conf, 0);
	ck_assert_uint_ge(errs.n, 6);
	assert_err(1, "log.level", "unknown level 'loud'");
	assert_err(5, "dhcp.subnets[0].pools[0]", "reversed pool");
	assert_err(10, "provisioning.base_url", "'ftp://x' is not an "
	    "http://");
	assert_err(12, "vendors[0].match.oui", "'00:04' is not an OUI");
	assert_err(19, "users[0].devices[0].vendor", "unknown vendor 'x'");
	assert_err(22, "colour", "unknown setting");
}
END_TEST

/*
 * Valid configs into structs
 */

START_TEST(test_round_trip)
{
	static const char conf[] =
	    /*  1 */ "registry = { path = \"reg\"; };\n"
	    /*  2 */ "log = { level = \"debug\"; facility = \"local3\"; };\n"
	    /*  3 */ "run_dir = \"run\";\n"
	    /*  4 */ "user = \"provbox\";\n"
	    /*  5 */ "dhcp = {\n"
	    /*  6 */ "  interfaces = [ \"eth1\", \"eth2\" ];\n"
	    /*  7 */ "  options = (\n"
	    /*  8 */ "    { name = \"ntp-servers\";\n"
	    /*  9 */ "      value = [ \"10.1.0.1\", \"10.1.0.2\" ]; },\n"
	    /* 10 */ "    { code = 26; value = 1500; },\n"
	    /* 11 */ "    { code = 2; value = 3600; },\n"
	    /* 12 */ "    { code = 224; type = \"u8\"; value = 7; },\n"
	    /* 13 */ "    { code = 225; type = \"bool\"; value = true; },\n"
	    /* 14 */ "    { code = 226; type = \"hex\";\n"
	    /* 15 */ "      value = \"01:02:ff\"; },\n"
	    /* 16 */ "    { code = 227; type = \"ip\";\n"
	    /* 17 */ "      value = \"10.1.0.1\"; },\n"
	    /* 18 */ "    { code = 15; value = \"office.lan\"; },\n"
	    /* 19 */ "    { code = 228; type = \"string\";\n"
	    /* 20 */ "      value = \"cost $$5\"; },\n"
	    /* 21 */ "    { code = 229; type = \"u32\";\n"
	    /* 22 */ "      value = 4294967295L; },\n"
	    /* 23 */ "    { code = 230; type = \"string\";\n"
	    /* 24 */ "      value = \"$${mac}\"; }\n"
	    /* 25 */ "  );\n"
	    /* 26 */ "  subnets = (\n"
	    /* 27 */ "    {\n"
	    /* 28 */ "      subnet = \"10.1.0.0/16\";\n"
	    /* 29 */ "      interface = \"eth1\";\n"
	    /* 30 */ "      pools = (\n"
	    /* 31 */ "        { start = \"10.1.1.10\";\n"
	    /* 32 */ "          end = \"10.1.1.200\"; },\n"
	    /* 33 */ "        { start = \"10.1.2.10\";\n"
	    /* 34 */ "          end = \"10.1.2.20\"; }\n"
	    /* 35 */ "      );\n"
	    /* 36 */ "      routers = [ \"10.1.0.1\" ];\n"
	    /* 37 */ "      dns = [ \"10.1.0.1\", \"9.9.9.9\" ];\n"
	    /* 38 */ "      domain = \"office.lan\";\n"
	    /* 39 */ "      lease_time = 600;\n"
	    /* 40 */ "      reservations = (\n"
	    /* 41 */ "        { mac = \"00:04:13:aa:bb:cc\";\n"
	    /* 42 */ "          ip = \"10.1.0.20\";\n"
	    /* 43 */ "          hostname = \"desk1\"; },\n"
	    /* 44 */ "        { mac = \"0015.65AA.BBCD\";\n"
	    /* 45 */ "          ip = \"10.1.0.21\"; }\n"
	    /* 46 */ "      );\n"
	    /* 47 */ "      options = (\n"
	    /* 48 */ "        { code = 42; value = \"10.1.0.1\"; }\n"
	    /* 49 */ "      );\n"
	    /* 50 */ "    },\n"
	    /* 51 */ "    {\n"
	    /* 52 */ "      subnet = \"192.168.5.0/24\";\n"
	    /* 53 */ "      pools = (\n"
	    /* 54 */ "        { start = \"192.168.5.100\";\n"
	    /* 55 */ "          end = \"192.168.5.199\"; }\n"
	    /* 56 */ "      );\n"
	    /* 57 */ "    }\n"
	    /* 58 */ "  );\n"
	    /* 59 */ "};\n"
	    /* 60 */ "provisioning = {\n"
	    /* 61 */ "  listen = [ \"0.0.0.0:443\", \"[::]:8443\" ];\n"
	    /* 62 */ "  http_listen = \"10.1.0.1:80\";\n"
	    /* 63 */ "  base_url = \"https://10.1.0.1:8443//\";\n"
	    /* 64 */ "  token_path = \"/t/\";\n"
	    /* 65 */ "  legacy_path = \"/flat\";\n"
	    /* 66 */ "  default_mode = \"legacy\";\n"
	    /* 67 */ "  tls = {\n"
	    /* 68 */ "    cert = \"tls/server.crt\";\n"
	    /* 69 */ "    key = \"/etc/pb/server.key\";\n"
	    /* 70 */ "  };\n"
	    /* 71 */ "  guard = { window = 120; };\n"
	    /* 72 */ "};\n"
	    /* 73 */ "vendors = (\n"
	    /* 74 */ "  {\n"
	    /* 75 */ "    name = \"snom\";\n"
	    /* 76 */ "    match = {\n"
	    /* 77 */ "      vendor_class_prefix = [ \"snom\" ];\n"
	    /* 78 */ "      oui = [ \"00:04:13\", \"0004F2\" ];\n"
	    /* 79 */ "    };\n"
	    /* 80 */ "    mode = \"token\";\n"
	    /* 81 */ "    options = (\n"
	    /* 82 */ "      { code = 66; value = \"${base_url}\"; },\n"
	    /* 83 */ "      { code = 67;\n"
	    /* 84 */ "        value = \"p/${token}/snom${model}.htm\"; },\n"
	    /* 85 */ "      { code = 43; suboptions = (\n"
	    /* 86 */ "          { code = 66;\n"
	    /* 87 */ "            value = \"${base_url}/p/${token}/\"; },\n"
	    /* 88 */ "          { code = 2; type = \"u16\"; value = 258; }\n"
	    /* 89 */ "      ); }\n"
	    /* 90 */ "    );\n"
	    /* 91 */ "    unregistered = (\n"
	    /* 92 */ "      { code = 66;\n"
	    /* 93 */ "        value = \"${base_url}/u/${MAC}-${vendor}\"; }\n"
	    /* 94 */ "    );\n"
	    /* 95 */ "  },\n"
	    /* 96 */ "  {\n"
	    /* 97 */ "    name = \"poly\";\n"
	    /* 98 */ "    match = {\n"
	    /* 99 */ "      vendor_class_substring = \"Polycom\";\n"
	    /* 100 */ "      vendor_class_exact = [ \"PolycomVVX\",\n"
	    /* 101 */ "                             \"Polycom-SP\" ];\n"
	    /* 102 */ "    };\n"
	    /* 103 */ "    options = (\n"
	    /* 104 */ "      { code = 160;\n"
	    /* 105 */ "        value = \"${base_url}/$$/${mac}\"; }\n"
	    /* 106 */ "    );\n"
	    /* 107 */ "  },\n"
	    /* 108 */ "  { name = \"other\"; default = true; }\n"
	    /* 109 */ ");\n"
	    /* 110 */ "users = (\n"
	    /* 111 */ "  {\n"
	    /* 112 */ "    name = \"alice\";\n"
	    /* 113 */ "    display_name = \"Alice A\";\n"
	    /* 114 */ "    sip = { user = \"201\"; password = \"pw1\";\n"
	    /* 115 */ "            server = \"pbx.lan\"; port = 5080; };\n"
	    /* 116 */ "    devices = (\n"
	    /* 117 */ "      { mac = \"00:04:13:11:22:33\";\n"
	    /* 118 */ "        vendor = \"snom\"; model = \"D785\"; },\n"
	    /* 119 */ "      { mac = \"64-16-7f-00-00-01\";\n"
	    /* 120 */ "        vendor = \"poly\"; }\n"
	    /* 121 */ "    );\n"
	    /* 122 */ "  },\n"
	    /* 123 */ "  {\n"
	    /* 124 */ "    name = \"bob\";\n"
	    /* 125 */ "    sip = { user = \"202\"; password = \"pw2\";\n"
	    /* 126 */ "            server = \"10.1.0.1\"; };\n"
	    /* 127 */ "  }\n"
	    /* 128 */ ");\n";
	static const uint8_t ntp[] = { 10, 1, 0, 1, 10, 1, 0, 2 };
	static const uint8_t mtu[] = { 0x05, 0xdc };
	static const uint8_t toff[] = { 0x00, 0x00, 0x0e, 0x10 };
	static const uint8_t u8v[] = { 7 };
	static const uint8_t yes[] = { 1 };
	static const uint8_t hex[] = { 0x01, 0x02, 0xff };
	static const uint8_t ip[] = { 10, 1, 0, 1 };
	static const uint8_t u32max[] = { 0xff, 0xff, 0xff, 0xff };
	static const uint8_t u16v[] = { 0x01, 0x02 };
	const struct cfg_dhcp	*d;
	const struct cfg_subnet	*sn;
	const struct cfg_prov	*p;
	const struct cfg_vendor	*v;
	const struct cfg_user	*u;
	char			*path;

	path = tu_write(tdir, MAIN_CONF, conf);
	ck_assert_msg(load_path(path, CFG_NO_FILE_CHECKS) == 0 &&
	    errs.n == 0, "refused:%s", errs_str());
	ck_assert_ptr_nonnull(cfg);

	/* Top level; relative paths from the file's directory. */
	ck_assert_str_eq(cfg->path, path);
	free(path);
	ck_assert_ptr_nonnull(path = realpath(tdir, NULL));
	ck_assert_str_eq(cfg->dir, path);
	free(path);
	assert_in_dir(cfg->registry_path, "reg");
	ck_assert_uint_eq(cfg->registry_map_size, (size_t)1024 << 20);
	ck_assert_int_eq(cfg->registry_sync, 1);
	ck_assert_int_eq(cfg->log_level, PB_LOG_DEBUG);
	ck_assert_int_eq(cfg->log_facility, LOG_LOCAL3);
	ck_assert_uint_eq(cfg->log_warn_burst, 10);
	ck_assert_uint_eq(cfg->log_warn_interval, 60);
	assert_in_dir(cfg->run_dir, "run");
	ck_assert_str_eq(cfg->user, "provbox");

	/* dhcp: defaults where nothing is written. */
	d = &cfg->dhcp;
	ck_assert_uint_eq(d->ninterfaces, 2);
	ck_assert_str_eq(d->interfaces[0], "eth1");
	ck_assert_str_eq(d->interfaces[1], "eth2");
	ck_assert_int_eq(d->authoritative, 1);
	ck_assert_uint_eq(d->lease_time, 3600);
	ck_assert_uint_eq(d->min_lease_time, 300);
	ck_assert_uint_eq(d->max_lease_time, 86400);
	ck_assert_uint_eq(d->decline_time, 86400);
	ck_assert_uint_eq(d->offer_time, 60);

	/* Options of every type, encoded once. */
	ck_assert_uint_eq(d->noptions, 11);
	assert_opt(&d->options[0], 42, OPT_T_IP_LIST, ntp, sizeof(ntp));
	assert_opt(&d->options[1], 26, OPT_T_U16, mtu, sizeof(mtu));
	assert_opt(&d->options[2], 2, OPT_T_I32, toff, sizeof(toff));
	assert_opt(&d->options[3], 224, OPT_T_U8, u8v, sizeof(u8v));
	assert_opt(&d->options[4], 225, OPT_T_BOOL, yes, sizeof(yes));
	assert_opt(&d->options[5], 226, OPT_T_HEX, hex, sizeof(hex));
	assert_opt(&d->options[6], 227, OPT_T_IP, ip, sizeof(ip));
	assert_opt(&d->options[7], 15, OPT_T_STRING, "office.lan", 10);
	/* Without placeholders "$$" is a plain "$". */
	assert_opt(&d->options[8], 228, OPT_T_STRING, "cost $5", 7);
	assert_opt(&d->options[9], 229, OPT_T_U32, u32max, sizeof(u32max));
	/* "$${mac}" is the text ${mac}, not a placeholder. */
	assert_opt(&d->options[10], 230, OPT_T_STRING, "${mac}", 6);

	/* Subnets, in host byte order. */
	ck_assert_uint_eq(d->nsubnets, 2);
	sn = &d->subnets[0];
	ck_assert_uint_eq(sn->network, IP(10, 1, 0, 0));
	ck_assert_uint_eq(sn->prefix, 16);
	ck_assert_uint_eq(sn->mask, 0xffff0000u);
	ck_assert_str_eq(sn->interface, "eth1");
	ck_assert_uint_eq(sn->npools, 2);
	ck_assert_uint_eq(sn->pools[0].start, IP(10, 1, 1, 10));
	ck_assert_uint_eq(sn->pools[0].end, IP(10, 1, 1, 200));
	ck_assert_uint_eq(sn->pools[1].start, IP(10, 1, 2, 10));
	ck_assert_uint_eq(sn->pools[1].end, IP(10, 1, 2, 20));
	ck_assert_uint_eq(sn->nrouters, 1);
	ck_assert_uint_eq(sn->routers[0], IP(10, 1, 0, 1));
	ck_assert_uint_eq(sn->ndns, 2);
	ck_assert_uint_eq(sn->dns[0], IP(10, 1, 0, 1));
	ck_assert_uint_eq(sn->dns[1], IP(9, 9, 9, 9));
	ck_assert_str_eq(sn->domain, "office.lan");
	ck_assert_uint_eq(sn->lease_time, 600);
	ck_assert_uint_eq(sn->nreservations, 2);
	assert_mac(&sn->reservations[0].mac, 0x00, 0x04, 0x13, 0xaa, 0xbb,
	    0xcc);
	ck_assert_uint_eq(sn->reservations[0].ip, IP(10, 1, 0, 20));
	ck_assert_str_eq(sn->reservations[0].hostname, "desk1");
	assert_mac(&sn->reservations[1].mac, 0x00, 0x15, 0x65, 0xaa, 0xbb,
	    0xcd);
	ck_assert_uint_eq(sn->reservations[1].ip, IP(10, 1, 0, 21));
	ck_assert_ptr_null(sn->reservations[1].hostname);
	ck_assert_uint_eq(sn->noptions, 1);
	assert_opt(&sn->options[0], 42, OPT_T_IP_LIST, ip, sizeof(ip));

	sn = &d->subnets[1];
	ck_assert_uint_eq(sn->network, IP(192, 168, 5, 0));
	ck_assert_uint_eq(sn->prefix, 24);
	ck_assert_uint_eq(sn->mask, 0xffffff00u);
	ck_assert_ptr_null(sn->interface);
	ck_assert_uint_eq(sn->npools, 1);
	ck_assert_uint_eq(sn->pools[0].start, IP(192, 168, 5, 100));
	ck_assert_uint_eq(sn->pools[0].end, IP(192, 168, 5, 199));
	ck_assert_uint_eq(sn->nreservations, 0);
	ck_assert_uint_eq(sn->nrouters, 0);
	ck_assert_ptr_null(sn->domain);
	ck_assert_uint_eq(sn->lease_time, 0);
	ck_assert_uint_eq(sn->noptions, 0);

	/* Provisioning. */
	p = &cfg->prov;
	ck_assert_uint_eq(p->nlisten, 2);
	ck_assert_str_eq(p->listen[0], "0.0.0.0:443");
	ck_assert_str_eq(p->listen[1], "[::]:8443");
	ck_assert_uint_eq(p->nhttp_listen, 1);
	ck_assert_str_eq(p->http_listen[0], "10.1.0.1:80");
	ck_assert_str_eq(p->base_url, "https://10.1.0.1:8443");
	ck_assert_str_eq(p->token_path, "/t");
	ck_assert_str_eq(p->legacy_path, "/flat");
	ck_assert_int_eq(p->default_mode, PROV_MODE_LEGACY);
	assert_in_dir(p->templates_dir, "templates");
	assert_in_dir(p->static_dir, "static");
	assert_in_dir(p->tls_cert, "tls/server.crt");
	ck_assert_str_eq(p->tls_key, "/etc/pb/server.key");
	ck_assert_ptr_null(p->tls_client_ca);
	ck_assert_uint_eq(p->guard.max_misses, 10);
	ck_assert_uint_eq(p->guard.window, 120);
	ck_assert_uint_eq(p->guard.block, 300);
	ck_assert_uint_eq(p->limits.max_header_size, 8192);
	ck_assert_uint_eq(p->limits.timeout, 30);
	ck_assert_uint_eq(p->limits.handshake_timeout, 10);
	ck_assert_uint_eq(p->limits.request_timeout, 20);
	ck_assert_uint_eq(p->limits.max_connections, 1024);

	/* Vendor classes. */
	ck_assert_uint_eq(cfg->nvendors, 3);
	v = &cfg->vendors[0];
	ck_assert_ptr_eq(cfg_vendor_find(cfg, "snom"), v);
	ck_assert_str_eq(v->name, "snom");
	ck_assert_int_eq(v->is_default, 0);
	ck_assert_uint_eq(v->nmatch_prefix, 1);
	ck_assert_str_eq(v->match_prefix[0], "snom");
	ck_assert_uint_eq(v->nmatch_substring, 0);
	ck_assert_uint_eq(v->nmatch_exact, 0);
	ck_assert_uint_eq(v->noui, 2);
	ck_assert_mem_eq(v->oui[0], "\x00\x04\x13", 3);
	ck_assert_mem_eq(v->oui[1], "\x00\x04\xf2", 3);
	ck_assert_int_eq(v->mode, PROV_MODE_TOKEN);
	ck_assert_uint_eq(v->noptions, 3);
	assert_tmpl(&v->options[0], 66, "${base_url}", TMPL_BASE_URL);
	assert_tmpl(&v->options[1], 67, "p/${token}/snom${model}.htm",
	    TMPL_TOKEN | TMPL_MODEL);
	ck_assert_uint_eq(v->options[2].code, 43);
	ck_assert_int_eq(v->options[2].type, OPT_T_SUBOPTS);
	ck_assert_ptr_null(v->options[2].data);
	ck_assert_uint_eq(v->options[2].nsub, 2);
	assert_tmpl(&v->options[2].sub[0], 66, "${base_url}/p/${token}/",
	    TMPL_BASE_URL | TMPL_TOKEN);
	assert_opt(&v->options[2].sub[1], 2, OPT_T_U16, u16v, sizeof(u16v));
	ck_assert_uint_eq(v->nunregistered, 1);
	assert_tmpl(&v->unregistered[0], 66,
	    "${base_url}/u/${MAC}-${vendor}",
	    TMPL_BASE_URL | TMPL_MAC_UPPER | TMPL_VENDOR);

	v = &cfg->vendors[1];
	ck_assert_ptr_eq(cfg_vendor_find(cfg, "poly"), v);
	ck_assert_uint_eq(v->nmatch_prefix, 0);
	ck_assert_uint_eq(v->nmatch_substring, 1);
	ck_assert_str_eq(v->match_substring[0], "Polycom");
	ck_assert_uint_eq(v->nmatch_exact, 2);
	ck_assert_str_eq(v->match_exact[0], "PolycomVVX");
	ck_assert_str_eq(v->match_exact[1], "Polycom-SP");
	ck_assert_uint_eq(v->noui, 0);
	/* No mode of its own: provisioning.default_mode. */
	ck_assert_int_eq(v->mode, PROV_MODE_LEGACY);
	ck_assert_uint_eq(v->noptions, 1);
	/* A template keeps "$$": it is filled per client. */
	assert_tmpl(&v->options[0], 160, "${base_url}/$$/${mac}",
	    TMPL_BASE_URL | TMPL_MAC);
	ck_assert_uint_eq(v->nunregistered, 0);

	v = &cfg->vendors[2];
	ck_assert_str_eq(v->name, "other");
	ck_assert_int_eq(v->is_default, 1);
	ck_assert_uint_eq(v->nmatch_prefix + v->nmatch_substring +
	    v->nmatch_exact + v->noui, 0);
	ck_assert_uint_eq(v->noptions, 0);
	ck_assert_ptr_null(cfg_vendor_find(cfg, "Snom"));

	/* Users and their devices. */
	ck_assert_uint_eq(cfg->nusers, 2);
	u = cfg_user_find(cfg, "alice");
	ck_assert_ptr_eq(u, &cfg->users[0]);
	ck_assert_str_eq(u->display_name, "Alice A");
	ck_assert_str_eq(u->sip_user, "201");
	ck_assert_str_eq(u->sip_password, "pw1");
	ck_assert_str_eq(u->sip_server, "pbx.lan");
	ck_assert_uint_eq(u->sip_port, 5080);
	ck_assert_uint_eq(u->ndevices, 2);
	assert_mac(&u->devices[0].mac, 0x00, 0x04, 0x13, 0x11, 0x22, 0x33);
	ck_assert_uint_eq(u->devices[0].vendor, 0);
	ck_assert_str_eq(u->devices[0].model, "D785");
	assert_mac(&u->devices[1].mac, 0x64, 0x16, 0x7f, 0x00, 0x00, 0x01);
	ck_assert_uint_eq(u->devices[1].vendor, 1);
	ck_assert_ptr_null(u->devices[1].model);
	u = cfg_user_find(cfg, "bob");
	ck_assert_ptr_eq(u, &cfg->users[1]);
	ck_assert_ptr_null(u->display_name);
	ck_assert_str_eq(u->sip_server, "10.1.0.1");
	ck_assert_uint_eq(u->sip_port, 5060);
	ck_assert_uint_eq(u->ndevices, 0);
	ck_assert_ptr_null(cfg_user_find(cfg, "carol"));
}
END_TEST

START_TEST(test_defaults)
{
	static const char conf[] =
	    /*  1 */ "# Nothing but one subnet.\n"
	    /*  2 */ "dhcp = {\n"
	    /*  3 */ "  subnets = ( { subnet = \"10.0.0.0/24\"; } );\n"
	    /*  4 */ "};\n";

	load_ok(conf, 0);
	ck_assert_str_eq(cfg->registry_path, "/var/lib/provbox");
	ck_assert_uint_eq(cfg->registry_map_size, (size_t)1024 << 20);
	ck_assert_int_eq(cfg->registry_sync, 1);
	ck_assert_int_eq(cfg->log_level, PB_LOG_INFO);
	ck_assert_int_eq(cfg->log_facility, LOG_DAEMON);
	ck_assert_str_eq(cfg->run_dir, "/run/provbox");
	ck_assert_ptr_null(cfg->user);
	ck_assert_int_eq(cfg->dhcp.authoritative, 1);
	ck_assert_uint_eq(cfg->dhcp.lease_time, 3600);
	ck_assert_uint_eq(cfg->dhcp.ninterfaces, 0);
	ck_assert_uint_eq(cfg->dhcp.noptions, 0);
	ck_assert_uint_eq(cfg->dhcp.nsubnets, 1);
	ck_assert_uint_eq(cfg->dhcp.subnets[0].npools, 0);
	ck_assert_uint_eq(cfg->dhcp.min_lease_time, 300);
	ck_assert_uint_eq(cfg->dhcp.max_lease_time, 86400);
	ck_assert_uint_eq(cfg->dhcp.offer_time, 60);
	ck_assert_uint_eq(cfg->dhcp.decline_time, 86400);
	/* T1, T2: the RFC's; no next server, anywhere. */
	ck_assert_uint_eq(cfg->dhcp.renew_time, 0);
	ck_assert_uint_eq(cfg->dhcp.rebind_time, 0);
	ck_assert_uint_eq(cfg->dhcp.next_server, 0);
	ck_assert_uint_eq(cfg->dhcp.subnets[0].renew_time, 0);
	ck_assert_uint_eq(cfg->dhcp.subnets[0].rebind_time, 0);
	ck_assert_uint_eq(cfg->dhcp.subnets[0].next_server, 0);
	/* The hostile-LAN defences: on, at what an office never hits. */
	ck_assert_uint_eq(cfg->dhcp.offer_time_low, 10);
	ck_assert_uint_eq(cfg->dhcp.reserve, 20);
	ck_assert_uint_eq(cfg->dhcp.decline_max_share, 10);
	ck_assert_uint_eq(cfg->dhcp.decline_after_ack, 60);
	ck_assert_int_eq(cfg->dhcp.conflict_check, 1);
	ck_assert_uint_eq(cfg->dhcp.conflict_timeout, 500);
	ck_assert_uint_eq(cfg->dhcp.limits.window, 10);
	ck_assert_uint_eq(cfg->dhcp.limits.per_mac, 20);
	ck_assert_uint_eq(cfg->dhcp.limits.per_relay, 500);
	ck_assert_uint_eq(cfg->dhcp.limits.per_interface, 500);
	ck_assert_uint_eq(cfg->dhcp.limits.declines, 5);
	assert_nwarn(0);
	/* No provisioning section: no HTTPS, default paths and limits. */
	ck_assert_uint_eq(cfg->prov.nlisten, 0);
	ck_assert_ptr_null(cfg->prov.base_url);
	ck_assert_str_eq(cfg->prov.token_path, "/p");
	ck_assert_str_eq(cfg->prov.legacy_path, "/prov");
	ck_assert_int_eq(cfg->prov.default_mode, PROV_MODE_TOKEN);
	ck_assert_uint_eq(cfg->prov.guard.max_misses, 10);
	ck_assert_uint_eq(cfg->prov.guard.window, 60);
	ck_assert_uint_eq(cfg->prov.guard.block, 300);
	ck_assert_uint_eq(cfg->prov.limits.max_header_size, 8192);
	ck_assert_uint_eq(cfg->prov.limits.timeout, 30);
	ck_assert_uint_eq(cfg->prov.limits.handshake_timeout, 10);
	ck_assert_uint_eq(cfg->prov.limits.request_timeout, 20);
	ck_assert_uint_eq(cfg->prov.limits.max_connections, 1024);
	ck_assert_uint_eq(cfg->nvendors, 0);
	ck_assert_uint_eq(cfg->nusers, 0);
	/* No dhcp section at all: the same defaults. */
	load_ok("log = { level = \"info\"; };\n", 0);
	ck_assert_uint_eq(cfg->dhcp.lease_time, 3600);
	ck_assert_uint_eq(cfg->dhcp.offer_time_low, 10);
	ck_assert_uint_eq(cfg->dhcp.reserve, 20);
	ck_assert_uint_eq(cfg->dhcp.decline_max_share, 10);
	ck_assert_uint_eq(cfg->dhcp.decline_after_ack, 60);
	ck_assert_int_eq(cfg->dhcp.conflict_check, 1);
	ck_assert_uint_eq(cfg->dhcp.conflict_timeout, 500);
	ck_assert_uint_eq(cfg->dhcp.limits.window, 10);
	ck_assert_uint_eq(cfg->dhcp.limits.per_mac, 20);
	ck_assert_uint_eq(cfg->dhcp.limits.per_relay, 500);
	ck_assert_uint_eq(cfg->dhcp.limits.per_interface, 500);
	ck_assert_uint_eq(cfg->dhcp.limits.declines, 5);
}
END_TEST

START_TEST(test_shipped_config)
{
	const char		*top = getenv("top_srcdir");
	const struct cfg_vendor	*v;
	char			*path;

	/* make check sets top_srcdir; by hand, the build's own source dir. */
	if (top == NULL)
		top = PB_TOP_SRCDIR;
	ck_assert_int_gt(asprintf(&path, "%s/etc/provbox.conf", top), 0);
	ck_assert_int_eq(load_path(path, CFG_NO_FILE_CHECKS), 0);
	ck_assert_msg(errs.n == 0, "%s:%s", path, errs_str());
	/* Nothing in it to warn about (an address off the subnet, ...). */
	assert_nwarn(0);
	free(path);
	ck_assert_uint_eq(cfg->nvendors, 10);
	ck_assert_uint_eq(cfg->nusers, 10);
	ck_assert_uint_eq(cfg->dhcp.nsubnets, 1);
	ck_assert_ptr_nonnull(v = cfg_vendor_find(cfg, "aastra"));
	ck_assert_int_eq(v->mode, PROV_MODE_LEGACY);
	ck_assert_int_eq(v->tftp, 0);
	/* Only the enterprise Cisco phones' files may go out over TFTP. */
	ck_assert_ptr_nonnull(v = cfg_vendor_find(cfg, "cisco-enterprise"));
	ck_assert_int_eq(v->mode, PROV_MODE_LEGACY);
	ck_assert_int_eq(v->tftp, 1);
	ck_assert_int_eq(v->legacy.client_cert, 0);
	ck_assert_int_eq(cfg_vendor_find(cfg, "cisco")->tftp, 0);
	ck_assert_uint_eq(cfg->prov.ntftp_listen, 1);
	ck_assert_int_eq(cfg->prov.sip_pnp, 1);
	ck_assert_ptr_nonnull(cfg_vendor_find(cfg, "yealink")->pnp_url);
	ck_assert_ptr_nonnull(v = cfg_vendor_find(cfg, "other"));
	ck_assert_int_eq(v->is_default, 1);
	ck_assert_ptr_nonnull(cfg_user_find(cfg, "alice"));
	ck_assert_ptr_nonnull(cfg_user_find(cfg, "bob"));
	/* Every user is found by name (a sorted index), nobody else. */
	for (size_t i = 0; i < cfg->nusers; i++)
		ck_assert_ptr_eq(cfg_user_find(cfg, cfg->users[i].name),
		    &cfg->users[i]);
	ck_assert_ptr_null(cfg_user_find(cfg, "aaron"));
	ck_assert_ptr_null(cfg_user_find(cfg, "zoe"));
	ck_assert_ptr_null(cfg_user_find(cfg, ""));
}
END_TEST

static Suite *
cfg_suite(void)
{
	Suite	*s = suite_create("cfg");
	TCase	*tc;

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_syntax_error);
	tcase_add_test(tc, test_syntax_error_include);
	tcase_add_test(tc, test_include_missing);
	tcase_add_test(tc, test_error_in_include);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_error_format);
	suite_add_tcase(s, tc);

	tc = tcase_create("settings");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unknown_top);
	tcase_add_test(tc, test_unknown_nested);
	tcase_add_test(tc, test_wrong_types);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_enrollment_settings);
	tcase_add_test(tc, test_server_ip_and_router_in_pool);
	tcase_add_test(tc, test_log_level_unknown);
	suite_add_tcase(s, tc);

	tc = tcase_create("dhcp");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pool_reversed);
	tcase_add_test(tc, test_pool_outside_subnet);
	tcase_add_test(tc, test_pool_network_broadcast);
	tcase_add_test(tc, test_pool_overlap);
	tcase_add_test(tc, test_pool_overlap_subnets);
	tcase_add_test(tc, test_subnet_overlap);
	tcase_add_test(tc, test_subnet_host_bits);
	tcase_add_test(tc, test_subnet_bad_cidr);
	tcase_add_test(tc, test_routers_outside);
	tcase_add_test(tc, test_reservation_mac_twice);
	tcase_add_test(tc, test_reservation_ip_twice);
	tcase_add_test(tc, test_reservation_outside);
	tcase_add_test(tc, test_lease_min_above_max);
	tcase_add_test(tc, test_lease_time_range);
	tcase_add_test(tc, test_lease_time_seconds);
	tcase_add_test(tc, test_renewal_dhcp_order);
	tcase_add_test(tc, test_renewal_subnet_order);
	tcase_add_test(tc, test_renewal_inherited);
	tcase_add_test(tc, test_renewal_vendor);
	tcase_add_test(tc, test_renewal_times);
	tcase_add_test(tc, test_next_server);
	tcase_add_test(tc, test_server_addrs_in_pool);
	tcase_add_test(tc, test_check_addrs_interfaces);
	tcase_add_test(tc, test_addrs_off_subnets);
	tcase_add_test(tc, test_dhcp_defences);
	suite_add_tcase(s, tc);

	tc = tcase_create("options");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_option_server_only);
	tcase_add_test(tc, test_option_renewal_refused);
	tcase_add_test(tc, test_option_values);
	tcase_add_test(tc, test_option_u32_big);
	tcase_add_test(tc, test_option_time_offset_signed);
	tcase_add_test(tc, test_option_duplicate);
	tcase_add_test(tc, test_option_suboptions);
	tcase_add_test(tc, test_option_placeholder_in_dhcp);
	suite_add_tcase(s, tc);

	tc = tcase_create("provisioning");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_prov_tls_missing);
	tcase_add_test(tc, test_prov_tls_present);
	tcase_add_test(tc, test_prov_base_url);
	tcase_add_test(tc, test_prov_listen);
	tcase_add_test(tc, test_prov_paths);
	tcase_add_test(tc, test_prov_limits_deadlines);
	tcase_add_test(tc, test_prov_mode_unknown);
	suite_add_tcase(s, tc);

	tc = tcase_create("vendors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vendor_template_malformed);
	tcase_add_test(tc, test_vendor_token_legacy);
	tcase_add_test(tc, test_vendor_tftp);
	tcase_add_test(tc, test_vendor_tftp_lease_binding);
	tcase_add_test(tc, test_vendor_token_unregistered);
	tcase_add_test(tc, test_vendor_url_expands_bad);
	tcase_add_test(tc, test_vendor_base_url_unset);
	tcase_add_test(tc, test_vendor_twice);
	tcase_add_test(tc, test_vendor_two_defaults);
	tcase_add_test(tc, test_vendor_no_match);
	tcase_add_test(tc, test_vendor_bad_oui);
	suite_add_tcase(s, tc);

	tc = tcase_create("users");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_user_mac_twice);
	tcase_add_test(tc, test_user_twice);
	tcase_add_test(tc, test_user_unknown_vendor);
	tcase_add_test(tc, test_user_vendor_without_name);
	tcase_add_test(tc, test_user_bad_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("whole");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_never_half_applied);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_shipped_config);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(cfg_suite());
}
