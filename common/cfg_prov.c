/*
 * cfg_prov.c - the provisioning section, vendor classes and users.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cfg_int.h"
#include "token.h"
#include "urltmpl.h"

int
cfg_listen_parse(const char *s, int *loopback)
{
	const char	*colon = strrchr(s, ':');
	char		 host[64], *end;
	size_t		 hlen;
	uint8_t		 a[16];
	long		 port;
	int		 lo;

	if (colon == NULL || colon == s || (hlen = (size_t)(colon - s)) >=
	    sizeof(host))
		return 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535)
		return 0;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
		static const uint8_t v6lo[16] = { [15] = 1 };

		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, a) != 1)
			return 0;
		lo = memcmp(a, v6lo, 16) == 0;
	} else if (inet_pton(AF_INET, host, a) != 1)
		return 0;
	else
		lo = a[0] == 127;
	if (loopback != NULL)
		*loopback = lo;
	return 1;
}

static void
parse_listen(struct cfg_ctx *ctx, const config_setting_t *g,
    const char *name, char ***out, size_t *n)
{
	if (cfg_get_strings(ctx, g, name, out, n) != 1)
		return;
	for (size_t i = 0; i < *n; i++)
		if ((*out)[i] != NULL && !cfg_listen_parse((*out)[i], NULL))
			cfg_err(ctx, config_setting_get_member(g, name),
			    "'%s' is not a listen address (a.b.c.d:port or "
			    "[v6addr]:port)", (*out)[i]);
}

/* A URL path prefix: "/x/y", no trailing slash, safe characters only. */
static char *
parse_url_path(struct cfg_ctx *ctx, const config_setting_t *g,
    const char *name, const char *def)
{
	const char	*s = def;
	char		*out;
	size_t		 len;

	if (cfg_get_string(ctx, g, name, 0, 128, &s) < 0)
		return NULL;
	len = strlen(s);
	while (len > 1 && s[len - 1] == '/')
		len--;
	if (s[0] != '/' || len < 2 || !cfg_valid_name(s, "/._~-") ||
	    strstr(s, "//") != NULL || strstr(s, "/.") != NULL) {
		cfg_err(ctx, config_setting_get_member(g, name), "'%s' is not "
		    "a URL path (\"/name\", letters, digits, . _ ~ - /)", s);
		return NULL;
	}
	if ((out = cfg_strdup(ctx, s)) != NULL)
		out[len] = '\0';
	return out;
}

static char *
parse_file(struct cfg_ctx *ctx, const config_setting_t *g, const char *name,
    int required)
{
	const char	*s;
	char		*path;

	if (cfg_get_string(ctx, g, name, required, 4096, &s) != 1)
		return NULL;
	if ((path = cfg_path(ctx, s)) == NULL)
		return NULL;
	if (!(ctx->flags & CFG_NO_FILE_CHECKS) && access(path, R_OK) != 0)
		cfg_err(ctx, config_setting_get_member(g, name), "cannot read "
		    "%s: %m (a PEM file is needed here)", path);
	return path;
}

static int
parse_mode(struct cfg_ctx *ctx, const config_setting_t *g, const char *name,
    enum prov_mode *out)
{
	const char *s;

	if (cfg_get_string(ctx, g, name, 0, 16, &s) != 1)
		return 0;
	if (strcmp(s, "token") == 0)
		*out = PROV_MODE_TOKEN;
	else if (strcmp(s, "legacy") == 0)
		*out = PROV_MODE_LEGACY;
	else {
		cfg_err(ctx, config_setting_get_member(g, name), "unknown mode "
		    "'%s' (valid: token, legacy)", s);
		return -1;
	}
	return 1;
}

static void
parse_guard(struct cfg_ctx *ctx, const config_setting_t *pg,
    struct cfg_guard *gd)
{
	static const char *const keys[] = { "max_misses", "window", "block",
		"global_max_misses", NULL };
	const config_setting_t	*g = config_setting_get_member(pg, "guard");
	unsigned long long	 v;

	gd->max_misses = 10;
	gd->window = 60;
	gd->block = 300;
	gd->global_max_misses = 500;
	if (g == NULL)
		return;
	if (!cfg_is_group(ctx, g))
		return;
	cfg_check_keys(ctx, g, keys);
	if (cfg_get_uint(ctx, g, "max_misses", 0, 1, 1000000, &v) == 1)
		gd->max_misses = (unsigned)v;
	if (cfg_get_uint(ctx, g, "window", 0, 1, 86400, &v) == 1)
		gd->window = (unsigned)v;
	if (cfg_get_uint(ctx, g, "block", 0, 1, 7 * 86400, &v) == 1)
		gd->block = (unsigned)v;
	if (cfg_get_uint(ctx, g, "global_max_misses", 0, 0, 100000000, &v) == 1)
		gd->global_max_misses = (unsigned)v;
}

static void
parse_enroll(struct cfg_ctx *ctx, const config_setting_t *pg,
    struct cfg_enroll *en)
{
	static const char *const keys[] = { "window", "auto_window",
		"first_access_limit", "rotate_grace", NULL };
	const config_setting_t	*g = config_setting_get_member(pg,
				    "enrollment");
	unsigned long long	 v;

	en->window = 3600;
	en->auto_window = 0;
	en->fa_limit = 900;
	en->rotate_grace = 3 * 86400;
	if (g == NULL || !cfg_is_group(ctx, g))
		return;
	cfg_check_keys(ctx, g, keys);
	if (cfg_get_uint(ctx, g, "window", 0, 60, 30 * 86400, &v) == 1)
		en->window = (unsigned)v;
	if (cfg_get_uint(ctx, g, "auto_window", 0, 0, 7 * 86400, &v) == 1)
		en->auto_window = (unsigned)v;
	if (cfg_get_uint(ctx, g, "first_access_limit", 0, 10, 86400, &v) == 1)
		en->fa_limit = (unsigned)v;
	if (cfg_get_uint(ctx, g, "rotate_grace", 0, 0, 90 * 86400, &v) == 1)
		en->rotate_grace = (unsigned)v;
}

static void
parse_limits(struct cfg_ctx *ctx, const config_setting_t *pg,
    struct cfg_limits *lim)
{
	static const char *const keys[] = { "max_header_size",
		"max_body_size", "timeout", "handshake_timeout",
		"request_timeout", "max_connections", NULL };
	const config_setting_t	*g = config_setting_get_member(pg, "limits");
	unsigned long long	 v;

	lim->max_header_size = 8192;
	lim->timeout = 30;
	lim->handshake_timeout = 10;
	lim->request_timeout = 20;
	lim->max_connections = 1024;
	if (g == NULL)
		return;
	if (!cfg_is_group(ctx, g))
		return;
	cfg_check_keys(ctx, g, keys);
	if (cfg_get_uint(ctx, g, "max_header_size", 0, 1024, 1 << 20, &v) == 1)
		lim->max_header_size = (unsigned)v;
	/*
	 * Once meant for the logs phones upload. provbox takes no uploads
	 * (provbox.conf(5), "Uploads"): an old config still loads.
	 */
	if (cfg_get_uint(ctx, g, "max_body_size", 0, 0, 64 << 20, &v) == 1)
		cfg_warn(ctx, config_setting_get_member(g, "max_body_size"),
		    "ignored: provisiond accepts no uploads (PUT and POST "
		    "get 405); remove the setting");
	if (cfg_get_uint(ctx, g, "timeout", 0, 1, 3600, &v) == 1)
		lim->timeout = (unsigned)v;
	if (cfg_get_uint(ctx, g, "handshake_timeout", 0, 1, 3600, &v) == 1)
		lim->handshake_timeout = (unsigned)v;
	if (cfg_get_uint(ctx, g, "request_timeout", 0, 1, 3600, &v) == 1)
		lim->request_timeout = (unsigned)v;
	if (cfg_get_uint(ctx, g, "max_connections", 0, 1, 1000000, &v) == 1)
		lim->max_connections = (unsigned)v;
}

static void
parse_tls(struct cfg_ctx *ctx, const config_setting_t *pg,
    struct cfg_prov *p)
{
	static const char *const keys[] = { "cert", "key", "client_ca", NULL };
	const config_setting_t	*g = config_setting_get_member(pg, "tls");

	if (g == NULL) {
		if (p->nlisten > 0)
			cfg_err_at(ctx, pg, "tls", "missing: HTTPS listens on "
			    "%s, so tls = { cert = \"...\"; key = \"...\"; } "
			    "is required", p->listen[0]);
		return;
	}
	if (!config_setting_is_group(g)) {
		cfg_err(ctx, g, "must be a group { cert = ...; key = ...; }");
		return;
	}
	cfg_check_keys(ctx, g, keys);
	p->tls_cert = parse_file(ctx, g, "cert", p->nlisten > 0);
	p->tls_key = parse_file(ctx, g, "key", p->nlisten > 0);
	p->tls_client_ca = parse_file(ctx, g, "client_ca", 0);
}

int
cfg_parse_prov(struct cfg_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = { "listen", "http_listen",
		"tftp_listen", "sip_pnp", "base_url", "token_path", "legacy_path", "default_mode",
		"templates_dir", "static_dir", "firmware_in_folder", "tls",
		"guard", "limits", "enrollment", NULL };
	const config_setting_t	*g = config_setting_get_member(root,
				    "provisioning");
	struct cfg_prov		*p = &ctx->cfg->prov;
	const char		*s;
	char			 err[256];

	p->default_mode = PROV_MODE_TOKEN;
	if (g != NULL && !cfg_is_group(ctx, g))
		return -1;
	if (g == NULL) {
		/* No provisioning service: defaults only. */
		p->token_path = cfg_strdup(ctx, "/p");
		p->legacy_path = cfg_strdup(ctx, "/prov");
		p->templates_dir = cfg_path(ctx, "templates");
		p->static_dir = cfg_path(ctx, "static");
		parse_guard(ctx, root, &p->guard);
		parse_limits(ctx, root, &p->limits);
		parse_enroll(ctx, root, &p->enroll);
		return 0;
	}
	cfg_check_keys(ctx, g, keys);
	if (config_setting_get_member(g, "listen") != NULL)
		parse_listen(ctx, g, "listen", &p->listen, &p->nlisten);
	else if ((p->listen = cfg_calloc(ctx, 1, sizeof(char *))) != NULL) {
		p->listen[0] = cfg_strdup(ctx, "0.0.0.0:443");
		p->nlisten = 1;
	}
	parse_listen(ctx, g, "http_listen", &p->http_listen,
	    &p->nhttp_listen);
	parse_listen(ctx, g, "tftp_listen", &p->tftp_listen,
	    &p->ntftp_listen);
	cfg_get_bool(ctx, g, "sip_pnp", &p->sip_pnp);
	if (cfg_get_string(ctx, g, "base_url", 1, 512, &s) == 1) {
		size_t len = strlen(s);

		while (len > 0 && s[len - 1] == '/')
			len--;
		if (url_check(s, err, sizeof(err)) != 0 ||
		    (strncmp(s, "https://", 8) != 0 &&
		    strncmp(s, "http://", 7) != 0))
			cfg_err(ctx, config_setting_get_member(g, "base_url"),
			    "'%s' is not an http:// or https:// URL (e.g. "
			    "\"https://10.0.0.1\")", s);
		else if ((p->base_url = cfg_strdup(ctx, s)) != NULL)
			p->base_url[len] = '\0';
	}
	p->token_path = parse_url_path(ctx, g, "token_path", "/p");
	p->legacy_path = parse_url_path(ctx, g, "legacy_path", "/prov");
	if (p->token_path != NULL && p->legacy_path != NULL &&
	    strcmp(p->token_path, p->legacy_path) == 0) {
		/* At the setting written (the defaults differ). */
		const config_setting_t *at = config_setting_get_member(g,
		    "legacy_path");

		if (at == NULL)
			at = config_setting_get_member(g, "token_path");
		cfg_err(ctx, at, "token_path and legacy_path are both '%s'; "
		    "they must differ", p->token_path);
	}
	parse_mode(ctx, g, "default_mode", &p->default_mode);
	s = "templates";
	cfg_get_string(ctx, g, "templates_dir", 0, 4096, &s);
	p->templates_dir = cfg_path(ctx, s);
	s = "static";
	cfg_get_string(ctx, g, "static_dir", 0, 4096, &s);
	p->static_dir = cfg_path(ctx, s);
	cfg_get_bool(ctx, g, "firmware_in_folder", &p->firmware_in_folder);
	parse_tls(ctx, g, p);
	parse_guard(ctx, g, &p->guard);
	parse_limits(ctx, g, &p->limits);
	parse_enroll(ctx, g, &p->enroll);
	return 0;
}

void
cfg_prov_free(struct cfg_prov *p)
{
	cfg_strv_free(p->listen, p->nlisten);
	cfg_strv_free(p->http_listen, p->nhttp_listen);
	cfg_strv_free(p->tftp_listen, p->ntftp_listen);
	free(p->base_url);
	free(p->token_path);
	free(p->legacy_path);
	free(p->templates_dir);
	free(p->static_dir);
	free(p->tls_cert);
	free(p->tls_key);
	free(p->tls_client_ca);
}

/* Values a template is expanded with to check it makes a URL. */
static struct tmpl_vars
sample_vars(const struct cfg_ctx *ctx, const char *vendor)
{
	static const char sample_token[TOKEN_LEN + 1] =
	    "SAMPLEsampleSAMPLEsampleSAMPLE00";
	const char		*base = ctx->cfg->prov.base_url;
	struct tmpl_vars	 vars = {
		.base_url = base != NULL ? base : "",
		.token = sample_token,
		.mac = "000000000000",
		.mac_upper = "000000000000",
		.model = "model",
		.vendor = vendor,
		.server_ip = "192.0.2.1",	/* RFC 5737 */
	};

	return vars;
}

/*
 * Every template that expands to something URL-like must give a usable URL
 * for any client: expand with sample values and check the result.
 */
static void
check_option_urls(struct cfg_ctx *ctx, const config_setting_t *list,
    const struct cfg_option *opts, size_t n, const char *vendor)
{
	const char		*base = ctx->cfg->prov.base_url;
	struct tmpl_vars	 vars = sample_vars(ctx, vendor);
	char			 out[CFG_OPT_TEXT_MAX + 256], err[256];

	for (size_t i = 0; i < n; i++) {
		const config_setting_t	*el = config_setting_get_elem(list,
					    (unsigned)i);
		const config_setting_t	*v;

		if (opts[i].nsub > 0 && (v = config_setting_get_member(el,
		    "suboptions")) != NULL)
			check_option_urls(ctx, v, opts[i].sub, opts[i].nsub,
			    vendor);
		if (opts[i].tmpl == NULL)
			continue;
		v = config_setting_get_member(el, "value");
		if ((opts[i].tmpl_vars & TMPL_BASE_URL) && base == NULL) {
			cfg_err(ctx, v, "uses ${base_url} but "
			    "provisioning.base_url is not set");
			continue;
		}
		if (tmpl_expand(opts[i].tmpl, &vars, out, sizeof(out)) < 0)
			continue;
		if (strlen(out) > 255)
			cfg_err(ctx, v, "expands to %zu bytes for a typical "
			    "client; an option value holds at most 255",
			    strlen(out));
		else if (strstr(out, "://") != NULL &&
		    url_check(out, err, sizeof(err)) != 0)
			cfg_err(ctx, v, "malformed URL template: %s", err);
	}
}

static void
parse_match(struct cfg_ctx *ctx, const config_setting_t *vg,
    struct cfg_vendor *v)
{
	static const char *const keys[] = { "vendor_class_prefix",
		"vendor_class_substring", "vendor_class_exact", "oui", NULL };
	const config_setting_t	*g = config_setting_get_member(vg, "match");
	char			**ouis = NULL;
	size_t			 nouis = 0;

	if (g == NULL) {
		if (!v->is_default)
			cfg_err_at(ctx, vg, "match", "missing: a vendor class "
			    "needs match = { vendor_class_prefix = [...]; "
			    "oui = [...]; } (or default = true)");
		return;
	}
	if (!cfg_is_group(ctx, g))
		return;
	cfg_check_keys(ctx, g, keys);
	cfg_get_strings(ctx, g, "vendor_class_prefix", &v->match_prefix,
	    &v->nmatch_prefix);
	cfg_get_strings(ctx, g, "vendor_class_substring",
	    &v->match_substring, &v->nmatch_substring);
	cfg_get_strings(ctx, g, "vendor_class_exact", &v->match_exact,
	    &v->nmatch_exact);
	if (cfg_get_strings(ctx, g, "oui", &ouis, &nouis) == 1 && nouis > 0 &&
	    (v->oui = cfg_calloc(ctx, nouis, sizeof(*v->oui))) != NULL) {
		for (size_t i = 0; i < nouis; i++) {
			uint8_t b[4];

			/* "00:04:13", "00-04-13" or "000413". */
			if (ouis[i] == NULL || strlen(ouis[i]) > 8 ||
			    opt_hex_parse(ouis[i], b, sizeof(b)) != 3) {
				cfg_err(ctx, config_setting_get_member(g,
				    "oui"), "'%s' is not an OUI (the first "
				    "three bytes of a MAC: \"00:04:13\")",
				    ouis[i] ? ouis[i] : "");
				continue;
			}
			memcpy(v->oui[v->noui++], b, 3);
		}
	}
	cfg_strv_free(ouis, nouis);
	for (size_t i = 0; i < v->nmatch_prefix; i++)
		if (v->match_prefix[i] != NULL && v->match_prefix[i][0] == 0)
			cfg_err(ctx, config_setting_get_member(g,
			    "vendor_class_prefix"), "an empty prefix would "
			    "match every client");
	if (v->nmatch_prefix + v->nmatch_substring + v->nmatch_exact +
	    v->noui == 0 && !v->is_default)
		cfg_err(ctx, g, "matches nothing: give vendor_class_prefix, "
		    "vendor_class_substring, vendor_class_exact or oui");
}

/*
 * A file name pattern: name characters, ${mac}, ${MAC} or ${model}
 * placeholders (one MAC at most) and at most one '*'. Returns -1 with a
 * message, or 0 and whether the pattern names the phone's MAC.
 */
static int
check_pattern(const char *p, int *per_device, char *err, size_t errsz)
{
	int	 macs = 0, stars = 0;

	*per_device = 0;
	if (*p == '\0') {
		snprintf(err, errsz, "an empty file name pattern");
		return -1;
	}
	while (*p != '\0') {
		if (strncmp(p, "${mac}", 6) == 0 || strncmp(p, "${MAC}", 6) == 0) {
			macs++;
			p += 6;
		} else if (strncmp(p, "${model}", 8) == 0) {
			p += 8;
		} else if (*p == '*') {
			stars++;
			p++;
		} else if (isalnum((unsigned char)*p) || strchr("._-", *p)) {
			p++;
		} else {
			snprintf(err, errsz, "'%c' cannot stand in a file "
			    "name pattern (letters, digits, . _ -, ${mac}, "
			    "${MAC}, ${model}, one '*')", *p);
			return -1;
		}
	}
	if (macs > 1 || stars > 1) {
		snprintf(err, errsz, "at most one MAC placeholder and one '*'");
		return -1;
	}
	*per_device = macs == 1;
	return 0;
}

static void
parse_files(struct cfg_ctx *ctx, const config_setting_t *vg,
    struct cfg_vendor *v)
{
	static const char *const keys[] = { "name", "template", "format",
		"content_type", "models", NULL };
	const config_setting_t	*list = config_setting_get_member(vg, "files");
	int			 n;

	if ((n = cfg_list_len(ctx, list, "{ name = \"${mac}.cfg\"; template = "
	    "\"...\"; }")) <= 0)
		return;
	if ((v->files = cfg_calloc(ctx, (size_t)n, sizeof(*v->files))) == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t	*fg = config_setting_get_elem(list,
					    (unsigned)i);
		struct cfg_file		*f = &v->files[v->nfiles];
		const char		*name, *tmpl, *str;
		char			 err[256], *path;

		if (!cfg_is_group(ctx, fg))
			continue;
		cfg_check_keys(ctx, fg, keys);
		if ((cfg_get_string(ctx, fg, "name", 1, 128, &name) != 1) |
		    (cfg_get_string(ctx, fg, "template", 1, 4096, &tmpl) != 1))
			continue;
		if (check_pattern(name, &f->per_device, err, sizeof(err)) != 0) {
			cfg_err(ctx, config_setting_get_member(fg, "name"),
			    "%s", err);
			continue;
		}
		if (tmpl[0] == '/' || strstr(tmpl, "..") != NULL) {
			cfg_err(ctx, config_setting_get_member(fg, "template"),
			    "'%s' must be a path inside templates_dir", tmpl);
			continue;
		}
		if (asprintf(&path, "%s/%s", ctx->cfg->prov.templates_dir,
		    tmpl) < 0) {
			ctx->nomem = 1;
			continue;
		}
		if (!(ctx->flags & CFG_NO_FILE_CHECKS) &&
		    access(path, R_OK) != 0)
			cfg_err(ctx, config_setting_get_member(fg, "template"),
			    "cannot read template %s: %m", path);
		f->template = path;
		f->template_rel = cfg_strdup(ctx, tmpl);
		f->format = strstr(tmpl, ".xml") != NULL ||
		    strstr(tmpl, ".htm") != NULL ? FILE_FMT_XML : FILE_FMT_TEXT;
		if (cfg_get_string(ctx, fg, "format", 0, 8, &str) == 1) {
			if (strcmp(str, "xml") == 0)
				f->format = FILE_FMT_XML;
			else if (strcmp(str, "text") == 0)
				f->format = FILE_FMT_TEXT;
			else
				cfg_err(ctx, config_setting_get_member(fg,
				    "format"), "unknown format '%s' (valid: "
				    "xml, text)", str);
		}
		str = f->format == FILE_FMT_XML ? "application/xml" :
		    "text/plain";
		if (cfg_get_string(ctx, fg, "content_type", 0, 128, &str) ==
		    1 && (!cfg_valid_text(str) || strchr(str, '/') == NULL))
			cfg_err(ctx, config_setting_get_member(fg,
			    "content_type"), "'%s' is not a media type "
			    "(e.g. \"text/plain\")", str);
		f->content_type = cfg_strdup(ctx, str);
		f->pattern = cfg_strdup(ctx, name);
		if (cfg_get_strings(ctx, fg, "models", &f->models,
		    &f->nmodels) == 1 && !f->per_device)
			/* A common file is fetched with no device to ask. */
			cfg_err(ctx, config_setting_get_member(fg, "models"),
			    "only the phone's own file (a name with ${mac} "
			    "or ${MAC}) can be chosen by model");
		v->nfiles++;
	}
}

/*
 * group's client_cert, which needs the phones' CA: 1 with *out set when
 * present, else as cfg_get_bool().
 */
static int
parse_client_cert(struct cfg_ctx *ctx, const config_setting_t *group,
    int *out)
{
	int r;

	if ((r = cfg_get_bool(ctx, group, "client_cert", out)) == 1 && *out &&
	    ctx->cfg->prov.tls_client_ca == NULL)
		cfg_err(ctx, config_setting_get_member(group, "client_cert"),
		    "needs provisioning.tls.client_ca: the CA bundle that signs "
		    "the phones' certificates");
	return r;
}

static void
parse_legacy(struct cfg_ctx *ctx, const config_setting_t *vg,
    struct cfg_vendor *v)
{
	static const char *const keys[] = { "lease_binding", "client_cert",
		"allowlist", "bootstrap", NULL };
	const config_setting_t	*g = config_setting_get_member(vg, "legacy");
	struct cfg_legacy	*l = &v->legacy;
	int			 cert = -1;

	/* On by default where they can be. */
	l->lease_binding = 1;
	l->allowlist = 1;
	l->bootstrap = 0;
	l->client_cert = ctx->cfg->prov.tls_client_ca != NULL;
	if (g == NULL || !cfg_is_group(ctx, g))
		return;
	cfg_check_keys(ctx, g, keys);
	cfg_get_bool(ctx, g, "lease_binding", &l->lease_binding);
	cfg_get_bool(ctx, g, "allowlist", &l->allowlist);
	cfg_get_bool(ctx, g, "bootstrap", &l->bootstrap);
	if (l->bootstrap && !l->lease_binding)
		cfg_err(ctx, config_setting_get_member(g, "bootstrap"),
		    "needs lease_binding = true: the first-access URL a "
		    "bootstrap file names opens only for the identity that "
		    "holds the phone's lease");
	if (parse_client_cert(ctx, g, &cert) == 1)
		l->client_cert = cert;
}

/* The placeholders a list of options uses, sub-options included. */
static int
options_vars(const struct cfg_option *opts, size_t n)
{
	int used = 0;

	for (size_t i = 0; i < n; i++) {
		used |= opts[i].tmpl_vars;
		for (size_t k = 0; k < opts[i].nsub; k++)
			used |= opts[i].sub[k].tmpl_vars;
	}
	return used;
}

/*
 * The class's renew and rebind times (T1, T2) and next server; nearest
 * wins at reply time: class, subnet, dhcp. A class has no lease time of
 * its own, so a time no lease can exceed (dhcp.max_lease_time) would
 * never be sent: refused.
 */
static void
parse_renewal(struct cfg_ctx *ctx, const config_setting_t *vg,
    struct cfg_vendor *v)
{
	uint32_t	 max = ctx->cfg->dhcp.max_lease_time;
	const char	*name;

	cfg_parse_renewal(ctx, vg, 0, NULL, NULL, &v->renew_time,
	    &v->rebind_time, &v->next_server);
	name = v->rebind_time >= max ? "rebind_time" : "renew_time";
	if (v->rebind_time >= max || v->renew_time >= max)
		cfg_err(ctx, config_setting_get_member(vg, name), "%s %u is "
		    "not below dhcp.max_lease_time %u: no lease is that long, "
		    "so it would never be sent (T1 < T2 < the lease time, RFC "
		    "2131 4.4.5)", name, v->rebind_time >= max ?
		    v->rebind_time : v->renew_time, max);
}

/*
 * The class's SIP plug-and-play URL: a template as an option value's
 * (either syntax), a URL for every client. Like a DHCP answer, a PnP
 * answer is public: ${token} only in a token class, where it is the
 * device's first-access token while it enrolls (provisiond/pnp.h).
 */
static void
parse_pnp_url(struct cfg_ctx *ctx, const config_setting_t *vg,
    struct cfg_vendor *v)
{
	const config_setting_t	*at = config_setting_get_member(vg,
				    "pnp_url");
	const char		*s, *base = ctx->cfg->prov.base_url;
	char			 t[CFG_OPT_TEXT_MAX + 1], out[2048], err[256];
	struct tmpl_vars	 vars = sample_vars(ctx, v->name);
	int			 used;

	if (cfg_get_string(ctx, vg, "pnp_url", 0, CFG_OPT_TEXT_MAX, &s) != 1)
		return;
	if (tmpl_from_braces(s, t, sizeof(t), err, sizeof(err)) < 0 ||
	    (used = tmpl_check(t, err, sizeof(err))) < 0) {
		cfg_err(ctx, at, "malformed template: %s", err);
		return;
	}
	if ((used & TMPL_TOKEN) && v->mode == PROV_MODE_LEGACY) {
		cfg_err(ctx, at, "placeholders are not allowed here: vendor "
		    "class '%s' is in legacy mode, where phones share the "
		    "flat folder and ${token} has no value", v->name);
		return;
	}
	if ((used & TMPL_BASE_URL) && base == NULL) {
		cfg_err(ctx, at, "uses base_url but provisioning.base_url is "
		    "not set");
		return;
	}
	if (tmpl_expand(t, &vars, out, sizeof(out)) < 0 ||
	    url_check(out, err, sizeof(err)) != 0) {
		cfg_err(ctx, at, "is not a URL for every phone: %s", err);
		return;
	}
	v->pnp_url = cfg_strdup(ctx, t);
	v->pnp_url_vars = used;
}

static void
parse_vendor(struct cfg_ctx *ctx, const config_setting_t *vg,
    struct cfg_vendor *v)
{
	static const char *const keys[] = { "name", "default", "match",
		"mode", "options", "unregistered", "files", "legacy",
		"client_cert", "tftp", "pnp_url", "renew_time", "rebind_time",
		"next_server", "settings", "models", NULL };
	const config_setting_t	*list;
	const char		*name;
	char			 why[256];
	int			 allowed, cert;

	cfg_check_keys(ctx, vg, keys);
	if (cfg_get_string(ctx, vg, "name", 1, 32, &name) != 1)
		return;
	if (!cfg_valid_name(name, "_-")) {
		cfg_err(ctx, config_setting_get_member(vg, "name"), "'%s' is "
		    "not a vendor class name (letters, digits, _ and -)",
		    name);
		return;
	}
	v->name = cfg_strdup(ctx, name);
	cfg_get_bool(ctx, vg, "default", &v->is_default);
	parse_match(ctx, vg, v);
	v->mode = ctx->cfg->prov.default_mode;
	parse_mode(ctx, vg, "mode", &v->mode);

	allowed = TMPL_ALL;
	snprintf(why, sizeof(why), "%s", "");
	if (v->mode == PROV_MODE_LEGACY) {
		allowed &= ~TMPL_TOKEN;
		snprintf(why, sizeof(why), "vendor class '%s' is in legacy "
		    "mode, where phones share the flat folder and ${token} "
		    "has no value (set mode = \"token\")", name);
	}
	if ((list = config_setting_get_member(vg, "options")) != NULL &&
	    cfg_parse_options(ctx, list, allowed, why, &v->options,
	    &v->noptions) == 0)
		check_option_urls(ctx, list, v->options, v->noptions, name);
	parse_files(ctx, vg, v);
	parse_legacy(ctx, vg, v);
	v->client_cert = v->mode == PROV_MODE_LEGACY && v->legacy.client_cert;
	if (parse_client_cert(ctx, vg, &cert) == 1) {
		v->client_cert = cert;
		v->legacy.client_cert = cert;
	}
	cfg_get_bool(ctx, vg, "tftp", &v->tftp);
	parse_pnp_url(ctx, vg, v);
	if (v->tftp && v->mode != PROV_MODE_LEGACY)
		cfg_err(ctx, config_setting_get_member(vg, "tftp"), "vendor "
		    "class '%s' is in token mode: TFTP serves only the flat "
		    "folder, and a token folder's URL would cross the LAN in "
		    "clear text (set mode = \"legacy\" for phones that fetch "
		    "over TFTP)", name);
	else if (v->tftp && v->legacy.client_cert)
		cfg_err(ctx, config_setting_get_member(vg, "tftp"), "vendor "
		    "class '%s' asks for a client certificate, which a TFTP "
		    "client cannot show: its phones' files would never go out "
		    "(set legacy = { client_cert = false; } in the class)",
		    name);
	else if (v->tftp && !v->legacy.lease_binding)
		/*
		 * Without a certificate the lease is the only proof: without
		 * it, whoever names a registered MAC gets its password.
		 */
		cfg_err(ctx, config_setting_get_member(vg, "tftp"), "vendor "
		    "class '%s' has lease_binding = false: over TFTP, where no "
		    "certificate can prove the phone, any host naming a "
		    "registered MAC would get its file (set legacy = { "
		    "lease_binding = true; })", name);
	if ((list = config_setting_get_member(vg, "unregistered")) != NULL &&
	    cfg_parse_options(ctx, list, TMPL_ALL & ~(TMPL_TOKEN | TMPL_MODEL),
	    "a device not in the users table has no token and no model",
	    &v->unregistered, &v->nunregistered) == 0)
		check_option_urls(ctx, list, v->unregistered, v->nunregistered,
		    name);
	v->options_vars = options_vars(v->options, v->noptions);
	v->unregistered_vars = options_vars(v->unregistered,
	    v->nunregistered);
	parse_renewal(ctx, vg, v);
	cfg_parse_settings(ctx, vg, &v->settings);
	cfg_parse_models(ctx, vg, v);
}

int
cfg_parse_vendors(struct cfg_ctx *ctx, const config_setting_t *root)
{
	const config_setting_t	*list = config_setting_get_member(root,
				    "vendors");
	struct cfg		*cfg = ctx->cfg;
	const config_setting_t	*first_default = NULL;
	int			 n;

	if ((n = cfg_list_len(ctx, list, "{ name = \"...\"; ... }")) <= 0)
		return n;
	if ((cfg->vendors = cfg_calloc(ctx, (size_t)n,
	    sizeof(*cfg->vendors))) == NULL)
		return -1;
	cfg->nvendors = (size_t)n;
	for (int i = 0; i < n; i++) {
		const config_setting_t	*vg = config_setting_get_elem(list,
					    (unsigned)i);
		struct cfg_vendor	*v = &cfg->vendors[i];

		if (!config_setting_is_group(vg)) {
			cfg_err(ctx, vg, "a vendor class must be a group "
			    "{ name = \"...\"; match = { ... }; ... }");
			continue;
		}
		parse_vendor(ctx, vg, v);
		if (v->name == NULL)
			continue;
		for (int k = 0; k < i; k++) {
			if (cfg->vendors[k].name != NULL &&
			    strcmp(cfg->vendors[k].name, v->name) == 0) {
				cfg_err(ctx, vg, "vendor class '%s' is "
				    "defined twice (also at %s:%u)", v->name,
				    config_setting_source_file(
				    config_setting_get_elem(list, (unsigned)k)),
				    config_setting_source_line(
				    config_setting_get_elem(list, (unsigned)k)));
				break;
			}
		}
		if (v->is_default) {
			if (first_default != NULL)
				cfg_err(ctx, vg, "a second default class "
				    "(the first is at %s:%u); only one may "
				    "have default = true",
				    config_setting_source_file(first_default),
				    config_setting_source_line(first_default));
			else
				first_default = vg;
		}
	}
	return 0;
}

void
cfg_vendors_free(struct cfg_vendor *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].pnp_url);
		cfg_strv_free(v[i].match_prefix, v[i].nmatch_prefix);
		cfg_strv_free(v[i].match_substring, v[i].nmatch_substring);
		cfg_strv_free(v[i].match_exact, v[i].nmatch_exact);
		free(v[i].oui);
		cfg_options_free(v[i].options, v[i].noptions);
		cfg_options_free(v[i].unregistered, v[i].nunregistered);
		for (size_t k = 0; k < v[i].nfiles; k++) {
			free(v[i].files[k].pattern);
			free(v[i].files[k].template);
			free(v[i].files[k].content_type);
		}
		for (size_t k = 0; k < v[i].nfiles; k++) {
			free(v[i].files[k].template_rel);
			cfg_strv_free(v[i].files[k].models,
			    v[i].files[k].nmodels);
		}
		free(v[i].files);
		cfg_settings_free(&v[i].settings);
		cfg_models_free(v[i].models, v[i].nmodels);
	}
	free(v);
}

static void
vendor_names(const struct cfg *cfg, char *buf, size_t sz)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cfg->nvendors && o < sz; i++)
		if (cfg->vendors[i].name != NULL)
			o += (size_t)snprintf(buf + o, sz - o, "%s%s",
			    o ? ", " : "", cfg->vendors[i].name);
	if (o == 0)
		snprintf(buf, sz, "none are defined");
}

/* A device and where it was written, for duplicate reports. */
struct dev_ref {
	struct mac_addr		 mac;
	const config_setting_t	*where;
};

static int
dev_ref_cmp(const void *a, const void *b)
{
	const struct dev_ref *x = a, *y = b;
	int c = mac_cmp(&x->mac, &y->mac);

	if (c != 0)
		return c;
	if (config_setting_source_line(x->where) !=
	    config_setting_source_line(y->where))
		return config_setting_source_line(x->where) <
		    config_setting_source_line(y->where) ? -1 : 1;
	return x->where < y->where ? -1 : x->where > y->where;
}

static void
parse_device(struct cfg_ctx *ctx, const config_setting_t *dg,
    struct cfg_device *d, int *ok)
{
	static const char *const keys[] = { "mac", "vendor", "model",
		"settings", NULL };
	const char		*vendor, *model;
	const struct cfg_vendor	*v;
	char			 names[512];

	*ok = 0;
	if (!config_setting_is_group(dg)) {
		cfg_err(ctx, dg, "a device must be a group { mac = \"...\"; "
		    "vendor = \"...\"; model = \"...\"; }");
		return;
	}
	cfg_check_keys(ctx, dg, keys);
	if ((cfg_get_mac(ctx, dg, "mac", 1, &d->mac) != 1) |
	    (cfg_get_string(ctx, dg, "vendor", 1, 32, &vendor) != 1))
		return;
	if ((v = cfg_vendor_find(ctx->cfg, vendor)) == NULL) {
		vendor_names(ctx->cfg, names, sizeof(names));
		cfg_err(ctx, config_setting_get_member(dg, "vendor"),
		    "unknown vendor '%s' (valid: %s)", vendor, names);
		return;
	}
	d->vendor = (size_t)(v - ctx->cfg->vendors);
	if (cfg_get_string(ctx, dg, "model", 0, CFG_NAME_MAX, &model) == 1) {
		if (!cfg_valid_name(model, "._+-")) {
			cfg_err(ctx, config_setting_get_member(dg, "model"),
			    "'%s' is not a model name (letters, digits, "
			    ". _ + -)", model);
			return;
		}
		d->model = cfg_strdup(ctx, model);
	}
	cfg_parse_settings(ctx, dg, &d->settings);
	*ok = 1;
}

static void
parse_sip(struct cfg_ctx *ctx, const config_setting_t *ug,
    struct cfg_user *u)
{
	static const char *const keys[] = { "user", "password", "server",
		"port", NULL };
	const config_setting_t	*g = config_setting_get_member(ug, "sip");
	const char		*s;
	unsigned long long	 port = 5060;
	uint32_t		 ip;

	if (g == NULL) {
		cfg_err_at(ctx, ug, "sip", "missing: a user needs sip = "
		    "{ user = \"...\"; password = \"...\"; server = \"...\"; }");
		return;
	}
	if (!cfg_is_group(ctx, g))
		return;
	cfg_check_keys(ctx, g, keys);
	if (cfg_get_string(ctx, g, "user", 1, CFG_SIP_MAX, &s) == 1) {
		if (!cfg_valid_text(s))
			cfg_err(ctx, config_setting_get_member(g, "user"),
			    "holds a control character");
		else
			u->sip_user = cfg_strdup(ctx, s);
	}
	if (cfg_get_string(ctx, g, "password", 1, CFG_SEALED_MAX, &s) == 1 &&
	    cfg_check_secret(ctx, config_setting_get_member(g, "password"), s,
	    CFG_SIP_MAX) == 0) {
		/* Never echo the password itself in an error. */
		if (!cfg_valid_text(s))
			cfg_err(ctx, config_setting_get_member(g, "password"),
			    "holds a control character");
		else
			u->sip_password = cfg_strdup(ctx, s);
	}
	if (cfg_get_string(ctx, g, "server", 1, CFG_HOST_MAX, &s) == 1) {
		if (ip4_parse(s, &ip) != 0 && !cfg_valid_hostname(s))
			cfg_err(ctx, config_setting_get_member(g, "server"),
			    "'%s' is not a host name or IPv4 address", s);
		else
			u->sip_server = cfg_strdup(ctx, s);
	}
	cfg_get_uint(ctx, g, "port", 0, 1, 65535, &port);
	u->sip_port = (unsigned)port;
}

static void
parse_user(struct cfg_ctx *ctx, const config_setting_t *ug,
    struct cfg_user *u, struct dev_ref **refs, size_t *nrefs)
{
	static const char *const keys[] = { "name", "display_name", "sip",
		"accounts", "settings", "devices", NULL };
	const config_setting_t	*list;
	const char		*s;
	int			 n;

	cfg_check_keys(ctx, ug, keys);
	if (cfg_get_string(ctx, ug, "name", 1, CFG_NAME_MAX, &s) == 1) {
		if (!cfg_valid_name(s, "._@-"))
			cfg_err(ctx, config_setting_get_member(ug, "name"),
			    "'%s' is not a user name (letters, digits, "
			    ". _ @ -)", s);
		else
			u->name = cfg_strdup(ctx, s);
	}
	if (cfg_get_string(ctx, ug, "display_name", 0, CFG_DISPLAY_MAX,
	    &s) == 1) {
		if (!cfg_valid_text(s))
			cfg_err(ctx, config_setting_get_member(ug,
			    "display_name"), "holds a control character");
		else
			u->display_name = cfg_strdup(ctx, s);
	}
	parse_sip(ctx, ug, u);
	cfg_parse_accounts(ctx, ug, u);
	cfg_parse_settings(ctx, ug, &u->settings);
	list = config_setting_get_member(ug, "devices");
	if ((n = cfg_list_len(ctx, list, "{ mac = \"...\"; vendor = "
	    "\"...\"; }")) <= 0)
		return;
	if ((u->devices = cfg_calloc(ctx, (size_t)n, sizeof(*u->devices))) ==
	    NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t	*dg = config_setting_get_elem(list,
					    (unsigned)i);
		struct cfg_device	*d = &u->devices[u->ndevices];
		struct dev_ref		*r;
		int			 ok;

		parse_device(ctx, dg, d, &ok);
		if (!ok)
			continue;
		u->ndevices++;
		if ((r = reallocarray(*refs, *nrefs + 1, sizeof(**refs))) ==
		    NULL) {
			ctx->nomem = 1;
			continue;
		}
		*refs = r;
		r[*nrefs].mac = d->mac;
		r[*nrefs].where = dg;
		(*nrefs)++;
	}
}

static int
user_ref_cmp(const void *a, const void *b)
{
	const struct cfg_user *const *x = a, *const *y = b;
	int c = strcmp((*x)->name, (*y)->name);

	/* Equal names stay in file order: each repeat is reported once. */
	if (c != 0)
		return c;
	return *x < *y ? -1 : *x > *y;
}

int
cfg_parse_users(struct cfg_ctx *ctx, const config_setting_t *root)
{
	const config_setting_t	*list = config_setting_get_member(root,
				    "users");
	struct cfg		*cfg = ctx->cfg;
	struct dev_ref		*refs = NULL;
	const struct cfg_user	**byname = NULL;
	size_t			 nrefs = 0, nnamed = 0;
	int			 n;

	if ((n = cfg_list_len(ctx, list, "{ name = \"...\"; ... }")) <= 0)
		return n;
	if ((cfg->users = cfg_calloc(ctx, (size_t)n, sizeof(*cfg->users))) ==
	    NULL || (byname = cfg_calloc(ctx, (size_t)n,
	    sizeof(*byname))) == NULL)
		return -1;
	cfg->nusers = (size_t)n;
	for (int i = 0; i < n; i++) {
		const config_setting_t *ug = config_setting_get_elem(list,
		    (unsigned)i);

		if (!config_setting_is_group(ug)) {
			cfg_err(ctx, ug, "a user must be a group { name = "
			    "\"...\"; sip = { ... }; devices = ( ... ); }");
			continue;
		}
		parse_user(ctx, ug, &cfg->users[i], &refs, &nrefs);
		if (cfg->users[i].name != NULL)
			byname[nnamed++] = &cfg->users[i];
	}

	/* Duplicates, in O(n log n): offices have thousands of phones. */
	qsort(byname, nnamed, sizeof(*byname), user_ref_cmp);
	for (size_t i = 1; i < nnamed; i++)
		if (strcmp(byname[i]->name, byname[i - 1]->name) == 0) {
			const struct cfg_user *second = byname[i] > byname[i - 1] ?
			    byname[i] : byname[i - 1];

			cfg_err(ctx, config_setting_get_elem(list,
			    (unsigned)(second - cfg->users)), "user '%s' is "
			    "defined twice", second->name);
		}
	if (nrefs > 1)	/* refs is NULL when no device was read */
		qsort(refs, nrefs, sizeof(*refs), dev_ref_cmp);
	for (size_t i = 1; i < nrefs; i++) {
		char s[MAC_STR_LEN];

		if (mac_cmp(&refs[i].mac, &refs[i - 1].mac) == 0)
			cfg_err(ctx, refs[i].where, "MAC %s is listed twice "
			    "(also at %s:%u); a device belongs to one user",
			    mac_format(&refs[i].mac, s),
			    config_setting_source_file(refs[i - 1].where),
			    config_setting_source_line(refs[i - 1].where));
	}
	free(refs);
	/* Kept: cfg_user_find() looks names up in it. */
	cfg->users_byname = byname;
	cfg->nusers_byname = nnamed;
	return 0;
}

void
cfg_users_free(struct cfg_user *u, size_t n)
{
	if (u == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(u[i].name);
		free(u[i].display_name);
		free(u[i].sip_user);
		if (u[i].sip_password != NULL) {
			OPENSSL_cleanse(u[i].sip_password,
			    strlen(u[i].sip_password));
			free(u[i].sip_password);
		}
		free(u[i].sip_server);
		cfg_accounts_free(u[i].accounts, u[i].naccounts);
		cfg_settings_free(&u[i].settings);
		for (size_t k = 0; k < u[i].ndevices; k++) {
			free(u[i].devices[k].model);
			cfg_settings_free(&u[i].devices[k].settings);
		}
		free(u[i].devices);
	}
	free(u);
}

int
cfg_file_for_model(const struct cfg_file *f, const char *model)
{
	if (f->nmodels == 0)
		return 1;
	if (model == NULL)
		return 0;
	for (size_t i = 0; i < f->nmodels; i++)
		if (strcasecmp(f->models[i], model) == 0)
			return 1;
	return 0;
}
