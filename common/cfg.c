/*
 * cfg.c - loading the provbox config: errors, typed getters, the top-level
 * sections (registry, log) and the entry point cfg_load().
 *
 * The sections with more to check live in cfg_dhcp.c (subnets, pools,
 * options) and cfg_prov.c (provisioning, vendor classes, users).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>


#include "cfg_int.h"
#include "settings.h"

static const char *const mode_names[] = {
	[PROV_MODE_TOKEN] = "token",
	[PROV_MODE_LEGACY] = "legacy",
};

const char *
prov_mode_str(enum prov_mode mode)
{
	if ((unsigned)mode > PROV_MODE_LEGACY)
		return "unknown";
	return mode_names[mode];
}

/* "dhcp.subnets[0].pools[1]" for a setting. */
static void
setting_path(const config_setting_t *s, char *buf, size_t sz)
{
	const config_setting_t	*chain[16];
	size_t			 n = 0, o = 0;

	buf[0] = '\0';
	for (; s != NULL && !config_setting_is_root(s) && n < 16;
	    s = config_setting_parent(s))
		chain[n++] = s;
	while (n-- > 0 && o < sz) {
		const char	*name = config_setting_name(chain[n]);
		int		 w;

		if (name != NULL)
			w = snprintf(buf + o, sz - o, "%s%s", o ? "." : "",
			    name);
		else
			w = snprintf(buf + o, sz - o, "[%d]",
			    config_setting_index(chain[n]));
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static void
cfg_verr(struct cfg_ctx *ctx, const char *file, unsigned line,
    const char *setting, const char *fmt, va_list ap)
{
	struct cfg_errors	*errs = ctx->errs;
	struct cfg_error	*v, *e;
	char			 msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	v = reallocarray(errs->v, errs->n + 1, sizeof(*v));
	if (v == NULL) {
		ctx->nomem = 1;
		return;
	}
	errs->v = v;
	e = &v[errs->n];
	e->file = strdup(file != NULL ? file : "(unknown)");
	e->line = line;
	e->setting = strdup(setting != NULL ? setting : "");
	e->msg = strdup(msg);
	if (e->file == NULL || e->setting == NULL || e->msg == NULL) {
		free(e->file);
		free(e->setting);
		free(e->msg);
		ctx->nomem = 1;
		return;
	}
	errs->n++;
}

int
cfg_errors_add(struct cfg_errors *errs, const char *file, unsigned line,
    const char *setting, const char *fmt, ...)
{
	struct cfg_error	*v, *e;
	char			 msg[1024];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((v = reallocarray(errs->v, errs->n + 1, sizeof(*v))) == NULL)
		return -1;
	errs->v = v;
	e = &v[errs->n];
	e->file = file != NULL ? strdup(file) : NULL;
	e->line = line;
	e->setting = strdup(setting != NULL ? setting : "");
	e->msg = strdup(msg);
	if ((file != NULL && e->file == NULL) || e->setting == NULL ||
	    e->msg == NULL) {
		free(e->file);
		free(e->setting);
		free(e->msg);
		return -1;
	}
	errs->n++;
	return 0;
}

static const char *
setting_file(struct cfg_ctx *ctx, const config_setting_t *s)
{
	const char *file = s != NULL ? config_setting_source_file(s) : NULL;

	return file != NULL ? file : ctx->cfg->path;
}

void
cfg_err(struct cfg_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
{
	char	 path[256];
	va_list	 ap;

	setting_path(s, path, sizeof(path));
	va_start(ap, fmt);
	cfg_verr(ctx, setting_file(ctx, s),
	    s != NULL ? config_setting_source_line(s) : 0, path, fmt, ap);
	va_end(ap);
}

void
cfg_err_at(struct cfg_ctx *ctx, const config_setting_t *s, const char *name,
    const char *fmt, ...)
{
	char	 path[256];
	size_t	 len;
	va_list	 ap;

	setting_path(s, path, sizeof(path));
	len = strlen(path);
	snprintf(path + len, sizeof(path) - len, "%s%s", len ? "." : "", name);
	va_start(ap, fmt);
	cfg_verr(ctx, setting_file(ctx, s),
	    s != NULL ? config_setting_source_line(s) : 0, path, fmt, ap);
	va_end(ap);
}

/*
 * A warning: logged at once (log_warnx: provboxctl check prints it on
 * stderr, a daemon in its log at every load), never stored, and it does
 * not refuse the config.
 */
void
cfg_warn(struct cfg_ctx *ctx, const config_setting_t *s, const char *fmt, ...)
{
	char	 path[256], msg[512];
	va_list	 ap;

	setting_path(s, path, sizeof(path));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s:%u: %s%swarning: %s", setting_file(ctx, s),
	    s != NULL ? config_setting_source_line(s) : 0, path,
	    path[0] != '\0' ? ": " : "", msg);
}

void *
cfg_calloc(struct cfg_ctx *ctx, size_t n, size_t size)
{
	void *p = NULL;

	if (n == 0)
		return NULL;
	/* No config holds more than this many of anything. */
	if (n > (1u << 24) || (p = calloc(n, size)) == NULL)
		ctx->nomem = 1;
	return p;
}

char *
cfg_strdup(struct cfg_ctx *ctx, const char *s)
{
	char *p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		ctx->nomem = 1;
	return p;
}

char *
cfg_path(struct cfg_ctx *ctx, const char *p)
{
	char	*out;

	if (p[0] == '/')
		return cfg_strdup(ctx, p);
	if (asprintf(&out, "%s/%s", ctx->cfg->dir, p) < 0) {
		ctx->nomem = 1;
		return NULL;
	}
	return out;
}

int
cfg_list_len(struct cfg_ctx *ctx, const config_setting_t *s,
    const char *example)
{
	if (s == NULL)
		return 0;
	if (!config_setting_is_list(s)) {
		cfg_err(ctx, s, "must be a list ( %s, ... )", example);
		return -1;
	}
	return config_setting_length(s);
}

int
cfg_is_group(struct cfg_ctx *ctx, const config_setting_t *g)
{
	if (config_setting_is_group(g))
		return 1;
	cfg_err(ctx, g, "must be a group { }");
	return 0;
}

/* 1 if every character of s is in the set of "name" characters. */
int
cfg_valid_name(const char *s, const char *extra)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

/* 1 if s holds no control characters (no line can be injected). */
int
cfg_valid_text(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

void
cfg_strv_free(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
cfg_check_keys(struct cfg_ctx *ctx, const config_setting_t *group,
    const char *const *allowed)
{
	int	 n;

	if (group == NULL || !config_setting_is_group(group))
		return;
	n = config_setting_length(group);
	for (int i = 0; i < n; i++) {
		const config_setting_t	*m = config_setting_get_elem(group,
					    (unsigned)i);
		const char		*name = config_setting_name(m);
		char			 valid[512];
		size_t			 o = 0;
		int			 known = 0;

		for (size_t k = 0; allowed[k] != NULL; k++) {
			if (strcmp(name, allowed[k]) == 0)
				known = 1;
			if (o < sizeof(valid))
				o += (size_t)snprintf(valid + o,
				    sizeof(valid) - o, "%s%s", k ? ", " : "",
				    allowed[k]);
		}
		if (!known)
			cfg_err(ctx, m, "unknown setting (valid here: %s)",
			    valid);
	}
}

static const char *
type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group { }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number with a fraction";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "true or false";
	case CONFIG_TYPE_ARRAY:
		return "an array [ ]";
	case CONFIG_TYPE_LIST:
		return "a list ( )";
	default:
		return "nothing";
	}
}

int
cfg_get_string(struct cfg_ctx *ctx, const config_setting_t *group,
    const char *name, int required, size_t maxlen, const char **out)
{
	const config_setting_t	*s = config_setting_get_member(group, name);
	const char		*v;

	if (s == NULL) {
		if (required)
			cfg_err_at(ctx, group, name, "missing (a string is "
			    "required here)");
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_err(ctx, s, "must be a string, not %s",
		    type_name(config_setting_type(s)));
		return -1;
	}
	v = config_setting_get_string(s);
	if (strlen(v) > maxlen) {
		cfg_err(ctx, s, "is %zu characters long; at most %zu allowed",
		    strlen(v), maxlen);
		return -1;
	}
	if (required && v[0] == '\0') {
		cfg_err(ctx, s, "must not be empty");
		return -1;
	}
	*out = v;
	return 1;
}

int
cfg_get_uint(struct cfg_ctx *ctx, const config_setting_t *group,
    const char *name, int required, unsigned long long min,
    unsigned long long max, unsigned long long *out)
{
	const config_setting_t	*s = config_setting_get_member(group, name);
	long long		 v;

	if (s == NULL) {
		if (required)
			cfg_err_at(ctx, group, name, "missing (an integer "
			    "from %llu to %llu is required here)", min, max);
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		cfg_err(ctx, s, "must be an integer from %llu to %llu, not %s",
		    min, max, type_name(config_setting_type(s)));
		return -1;
	}
	v = config_setting_get_int64(s);
	if (v < 0 || (unsigned long long)v < min ||
	    (unsigned long long)v > max) {
		/*
		 * libconfig 1.5 reads an integer without an L suffix as an
		 * int: 4294967295 arrives here as -1. Say how to write it.
		 */
		cfg_err(ctx, s, "%lld is out of range (valid: %llu to %llu)%s",
		    v, min, max, v < 0 && max > INT_MAX &&
		    config_setting_type(s) == CONFIG_TYPE_INT ? "; write a "
		    "number above 2147483647 with an L suffix, e.g. "
		    "4294967295L" : "");
		return -1;
	}
	*out = (unsigned long long)v;
	return 1;
}

int
cfg_get_bool(struct cfg_ctx *ctx, const config_setting_t *group,
    const char *name, int *out)
{
	const config_setting_t *s = config_setting_get_member(group, name);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cfg_err(ctx, s, "must be true or false, not %s",
		    type_name(config_setting_type(s)));
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 1;
}

int
cfg_get_strings(struct cfg_ctx *ctx, const config_setting_t *group,
    const char *name, char ***out, size_t *n)
{
	const config_setting_t	*s = config_setting_get_member(group, name);
	char			**v;
	int			 len;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if ((v = cfg_calloc(ctx, 1, sizeof(*v))) == NULL)
			return -1;
		v[0] = cfg_strdup(ctx, config_setting_get_string(s));
		*out = v;
		*n = 1;
		return 1;
	}
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		cfg_err(ctx, s, "must be a string or an array of strings, "
		    "not %s", type_name(config_setting_type(s)));
		return -1;
	}
	len = config_setting_length(s);
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s,
		    (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			cfg_err(ctx, e, "must be a string, not %s",
			    type_name(config_setting_type(e)));
			return -1;
		}
	}
	*out = NULL;
	*n = 0;
	if (len == 0)
		return 1;
	if ((v = cfg_calloc(ctx, (size_t)len, sizeof(*v))) == NULL)
		return -1;
	for (int i = 0; i < len; i++)
		v[i] = cfg_strdup(ctx, config_setting_get_string_elem(s, i));
	*out = v;
	*n = (size_t)len;
	return 1;
}

int
cfg_get_ips(struct cfg_ctx *ctx, const config_setting_t *group,
    const char *name, uint32_t **out, size_t *n)
{
	const config_setting_t	*s = config_setting_get_member(group, name);
	char			**strs = NULL;
	size_t			 ns = 0;
	uint32_t		*ips = NULL;
	int			 r;

	if ((r = cfg_get_strings(ctx, group, name, &strs, &ns)) != 1)
		return r;
	if (ns > 0 && (ips = cfg_calloc(ctx, ns, sizeof(*ips))) == NULL) {
		r = -1;
		goto done;
	}
	for (size_t i = 0; i < ns; i++) {
		if (strs[i] == NULL || ip4_parse(strs[i], &ips[i]) != 0) {
			cfg_err(ctx, config_setting_is_aggregate(s) ?
			    config_setting_get_elem(s, (unsigned)i) : s,
			    "'%s' is not an IPv4 address (a.b.c.d)",
			    strs[i] != NULL ? strs[i] : "");
			r = -1;
		}
	}
	if (r == 1) {
		*out = ips;
		*n = ns;
		ips = NULL;
	}
done:
	free(ips);
	cfg_strv_free(strs, ns);
	return r;
}

int
cfg_get_ip(struct cfg_ctx *ctx, const config_setting_t *group,
    const char *name, int required, uint32_t *out)
{
	const char	*str;
	int		 r;

	if ((r = cfg_get_string(ctx, group, name, required, 64, &str)) != 1)
		return r;
	if (ip4_parse(str, out) != 0) {
		cfg_err(ctx, config_setting_get_member(group, name),
		    "'%s' is not an IPv4 address (a.b.c.d)", str);
		return -1;
	}
	return 1;
}

int
cfg_get_mac(struct cfg_ctx *ctx, const config_setting_t *group,
    const char *name, int required, struct mac_addr *out)
{
	const char	*str;
	int		 r;

	if ((r = cfg_get_string(ctx, group, name, required, 64, &str)) != 1)
		return r;
	if (mac_parse(str, out) != 0) {
		cfg_err(ctx, config_setting_get_member(group, name),
		    "'%s' is not a MAC address (aa:bb:cc:dd:ee:ff, "
		    "aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff)", str);
		return -1;
	}
	return 1;
}

static void
parse_registry(struct cfg_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = { "path", "map_size_mb", "sync",
		NULL };
	const config_setting_t	*g = config_setting_get_member(root,
				    "registry");
	struct cfg		*cfg = ctx->cfg;
	unsigned long long	 mb = 1024;
	const char		*path = "/var/lib/provbox";

	cfg->registry_sync = 1;
	if (g != NULL) {
		if (!cfg_is_group(ctx, g))
			return;
		cfg_check_keys(ctx, g, keys);
		cfg_get_string(ctx, g, "path", 0, 4096, &path);
		/* LMDB's map is virtual address space, not memory. */
		cfg_get_uint(ctx, g, "map_size_mb", 0, 1, 1024 * 1024, &mb);
		cfg_get_bool(ctx, g, "sync", &cfg->registry_sync);
	}
	cfg->registry_path = cfg_path(ctx, path);
	cfg->registry_map_size = (size_t)mb << 20;
}

static void
parse_log(struct cfg_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = { "level", "facility", "warn_burst",
		"warn_interval", "target", NULL };
	const config_setting_t	*g = config_setting_get_member(root, "log");
	struct cfg		*cfg = ctx->cfg;
	const char		*str;
	unsigned long long	 v;

	cfg->log_level = PB_LOG_INFO;
	cfg->log_facility = LOG_DAEMON;
	cfg->log_target = LOG_TARGET_AUTO;
	cfg->log_warn_burst = 10;
	cfg->log_warn_interval = 60;
	if (g == NULL)
		return;
	if (!cfg_is_group(ctx, g))
		return;
	cfg_check_keys(ctx, g, keys);
	if (cfg_get_string(ctx, g, "level", 0, 32, &str) == 1 &&
	    log_level_parse(str, &cfg->log_level) != 0)
		cfg_err(ctx, config_setting_get_member(g, "level"),
		    "unknown level '%s' (valid: error, warning, notice, info, "
		    "debug)", str);
	if (cfg_get_string(ctx, g, "facility", 0, 32, &str) == 1 &&
	    (cfg->log_facility = log_facility_parse(str)) < 0)
		cfg_err(ctx, config_setting_get_member(g, "facility"),
		    "unknown facility '%s' (valid: daemon, user, local0 to "
		    "local7)", str);
	if (cfg_get_string(ctx, g, "target", 0, 32, &str) == 1 &&
	    log_target_parse(str, &cfg->log_target) != 0)
		cfg_err(ctx, config_setting_get_member(g, "target"),
		    "unknown target '%s' (valid: auto, journal)", str);
	if (cfg_get_uint(ctx, g, "warn_burst", 0, 1, 10000, &v) == 1)
		cfg->log_warn_burst = (unsigned)v;
	if (cfg_get_uint(ctx, g, "warn_interval", 0, 1, 86400, &v) == 1)
		cfg->log_warn_interval = (unsigned)v;
}

static void
parse_top(struct cfg_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = { "registry", "log", "run_dir",
		"user", "dhcp", "provisioning", "vendors", "users", "metrics",
		"settings", "phonebook", NULL };
	const char	*str = "/run/provbox";

	cfg_check_keys(ctx, root, keys);
	parse_registry(ctx, root);
	parse_log(ctx, root);
	cfg_get_string(ctx, root, "run_dir", 0, 4096, &str);
	ctx->cfg->run_dir = cfg_path(ctx, str);
	if (cfg_get_string(ctx, root, "user", 0, 32, &str) == 1 &&
	    str[0] != '\0')
		ctx->cfg->user = cfg_strdup(ctx, str);
}

int
cfg_load(const char *path, unsigned flags, struct cfg **out,
    struct cfg_errors *errs)
{
	struct cfg_ctx		 ctx;
	config_t		 lc;
	struct cfg		*cfg = NULL;
	char			*dircopy = NULL;
	const config_setting_t	*root;
	int			 ret = -1;

	*out = NULL;
	memset(errs, 0, sizeof(*errs));
	memset(&ctx, 0, sizeof(ctx));
	ctx.errs = errs;
	ctx.flags = flags;
	config_init(&lc);

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL ||
	    (cfg->path = strdup(path)) == NULL ||
	    (dircopy = strdup(path)) == NULL ||
	    (cfg->dir = realpath(dirname(dircopy), NULL)) == NULL) {
		if (errno != ENOMEM && cfg != NULL && cfg->path != NULL) {
			ctx.cfg = cfg;
			cfg_err(&ctx, NULL, "cannot read the config file: %s",
			    strerror(errno));
			goto done;
		}
		ctx.nomem = 1;
		goto done;
	}
	ctx.cfg = cfg;
	config_set_include_dir(&lc, cfg->dir);
	if (!config_read_file(&lc, path)) {
		struct cfg_error	 *e;
		const char		 *file = config_error_file(&lc);
		char			  msg[512];

		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			snprintf(msg, sizeof(msg), "cannot read the config "
			    "file: %s", strerror(errno));
		else
			snprintf(msg, sizeof(msg), "%s%s",
			    strstr(config_error_text(&lc), "syntax") ? "" :
			    "syntax error: ", config_error_text(&lc));
		cfg_err(&ctx, NULL, "%s", msg);
		/* cfg_err() points at the main file; a syntax error knows
		 * its own file and line (an @include'd file, say). */
		if (errs->n > 0) {
			e = &errs->v[errs->n - 1];
			if (file != NULL) {
				free(e->file);
				e->file = strdup(file);
			}
			e->line = (unsigned)config_error_line(&lc);
		}
		goto done;
	}
	root = config_root_setting(&lc);
	parse_top(&ctx, root);
	cfg_parse_dhcp(&ctx, root);
	cfg_parse_prov(&ctx, root);
	cfg_parse_metrics(&ctx, root);
	cfg_parse_vendors(&ctx, root);
	cfg_parse_settings(&ctx, root, &cfg->settings);
	cfg_parse_phonebook(&ctx, root);
	cfg_parse_users(&ctx, root);
	cfg_check_addrs(&ctx, root);
	if (ctx.nomem)
		goto done;
	/*
	 * The templates only once the rest holds: they are parsed against
	 * the settings every scope defines and rendered for every device.
	 */
	if (errs->n == 0 && !(flags & CFG_NO_TEMPLATES) &&
	    ((cfg->templates = settings_templates_load(cfg, errs)) == NULL ||
	    settings_check(cfg, cfg->templates, errs) != 0) && errs->n == 0)
		ctx.nomem = 1;
	if (errs->n == 0) {
		*out = cfg;
		cfg = NULL;
		ret = 0;
	}
done:
	if (ctx.nomem) {
		struct cfg_error *v = reallocarray(errs->v, errs->n + 1,
		    sizeof(*v));

		/* Best effort: there may be no memory to say so. */
		if (v != NULL) {
			errs->v = v;
			v[errs->n].file = strdup(path);
			v[errs->n].line = 0;
			v[errs->n].setting = strdup("");
			v[errs->n].msg = strdup("out of memory");
			errs->n++;
		}
	}
	config_destroy(&lc);
	free(dircopy);
	cfg_free(cfg);
	return ret;
}

void
cfg_free(struct cfg *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->dir);
	free(cfg->registry_path);
	free(cfg->run_dir);
	free(cfg->user);
	cfg_dhcp_free(&cfg->dhcp);
	cfg_prov_free(&cfg->prov);
	cfg_metrics_free(&cfg->metrics);
	cfg_vendors_free(cfg->vendors, cfg->nvendors);
	cfg_users_free(cfg->users, cfg->nusers);
	free(cfg->users_byname);
	cfg_settings_free(&cfg->settings);
	cfg_phonebook_free(&cfg->phonebook);
	settings_templates_free(cfg->templates);
	free(cfg);
}

void
cfg_errors_free(struct cfg_errors *errs)
{
	if (errs == NULL)
		return;
	for (size_t i = 0; i < errs->n; i++) {
		free(errs->v[i].file);
		free(errs->v[i].setting);
		free(errs->v[i].msg);
	}
	free(errs->v);
	errs->v = NULL;
	errs->n = 0;
}

char *
cfg_error_format(const struct cfg_error *e, char *buf, size_t bufsz)
{
	if (e->file == NULL)	/* not the file's: a template, TLS, ... */
		snprintf(buf, bufsz, "%s", e->msg);
	else if (e->setting != NULL && e->setting[0] != '\0')
		snprintf(buf, bufsz, "%s:%u: %s: %s", e->file, e->line,
		    e->setting, e->msg);
	else
		snprintf(buf, bufsz, "%s:%u: %s", e->file, e->line, e->msg);
	return buf;
}

const struct cfg_subnet *
cfg_subnet_find(const struct cfg *cfg, uint32_t ip)
{
	for (size_t i = 0; i < cfg->dhcp.nsubnets; i++)
		if ((ip & cfg->dhcp.subnets[i].mask) ==
		    cfg->dhcp.subnets[i].network)
			return &cfg->dhcp.subnets[i];
	return NULL;
}

const struct cfg_vendor *
cfg_vendor_find(const struct cfg *cfg, const char *name)
{
	/*
	 * Also used while loading, to check the users' devices: a class whose
	 * name was refused has none yet (found by fuzz_cfg).
	 */
	for (size_t i = 0; i < cfg->nvendors; i++)
		if (cfg->vendors[i].name != NULL &&
		    strcmp(cfg->vendors[i].name, name) == 0)
			return &cfg->vendors[i];
	return NULL;
}

char *
cfg_folder_url(const struct cfg *cfg, const char *token, char *buf,
    size_t sz)
{
	const char *base = cfg->prov.base_url ? cfg->prov.base_url : "";

	if (token[0] == '\0')
		snprintf(buf, sz, "%s%s/", base, cfg->prov.legacy_path);
	else
		snprintf(buf, sz, "%s%s/%s/", base, cfg->prov.token_path,
		    token);
	return buf;
}

/* bsearch() over users_byname: a name against a user. */
static int
user_name_cmp(const void *key, const void *elem)
{
	const struct cfg_user *const *u = elem;

	return strcmp(key, (*u)->name);
}

const struct cfg_user *
cfg_user_find(const struct cfg *cfg, const char *name)
{
	const struct cfg_user *const *hit;

	/* Sorted at load: provisiond looks a user up per request. */
	if (cfg->users_byname != NULL) {
		hit = bsearch(name, cfg->users_byname, cfg->nusers_byname,
		    sizeof(*cfg->users_byname), user_name_cmp);
		return hit != NULL ? *hit : NULL;
	}
	for (size_t i = 0; i < cfg->nusers; i++)
		if (cfg->users[i].name != NULL &&
		    strcmp(cfg->users[i].name, name) == 0)
			return &cfg->users[i];
	return NULL;
}

const struct cfg_device *
cfg_device_find(const struct cfg *cfg, const struct mac_addr *mac,
    const struct cfg_user **user)
{
	for (size_t i = 0; i < cfg->nusers; i++)
		for (size_t k = 0; k < cfg->users[i].ndevices; k++)
			if (mac_cmp(&cfg->users[i].devices[k].mac, mac) == 0) {
				if (user != NULL)
					*user = &cfg->users[i];
				return &cfg->users[i].devices[k];
			}
	return NULL;
}
