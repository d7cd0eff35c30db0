/*
 * cfg_settings.c - the named settings of a scope (provbox.conf's
 * settings group, a vendor class's, a model's, a user's, a device's),
 * a vendor class's model table and a user's further SIP accounts.
 *
 * Every value is checked where it is written, so an error names its
 * file:line: a time zone must exist in the system's zoneinfo (its rule
 * is read once here, not per request), a language or tone zone must be
 * one the vendor tables know (common/locale.h), texts hold no control
 * byte (nothing can start a line of its own in a text config file).
 * Whether a key names an account the user has is checked once the users
 * are read (common/settings.c, settings_check()).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cfg_int.h"
#include "phonelocale.h"

#define TEXT_MAX	255	/* a key's value or label, a password */
#define VAR_MAX		1024	/* a free variable's value */

static const char *const key_type_names[] = {
	[CFG_KEY_LINE] = "line",
	[CFG_KEY_BLF] = "blf",
	[CFG_KEY_SPEED_DIAL] = "speed_dial",
};

const char *
cfg_key_type_str(enum cfg_key_type t)
{
	if ((unsigned)t >= sizeof(key_type_names) / sizeof(key_type_names[0]))
		return "unknown";
	return key_type_names[t];
}

/* A text setting: at most max bytes, no control byte. 1, 0 or -1. */
static int
get_text(struct cfg_ctx *ctx, const config_setting_t *g, const char *name,
    size_t max, int secret, char **out)
{
	const char	*s;
	int		 r;

	/* A secret may be written sealed (provboxctl seal): longer. */
	if ((r = cfg_get_string(ctx, g, name, 0, secret ? CFG_SEALED_MAX :
	    max, &s)) != 1)
		return r;
	if (secret && cfg_check_secret(ctx, config_setting_get_member(g, name),
	    s, max) != 0)
		return -1;
	if (!cfg_valid_text(s)) {
		/* A secret is never echoed, not even in an error. */
		cfg_err(ctx, config_setting_get_member(g, name), "holds a "
		    "control character%s", secret ? "" : " (a line break?)");
		return -1;
	}
	free(*out);
	*out = cfg_strdup(ctx, s);
	return 1;
}

/* One of the words in valid (a NULL-ended list), or an error. */
static int
get_word(struct cfg_ctx *ctx, const config_setting_t *g, const char *name,
    const char *const *valid, const char *valid_str, char **out)
{
	const char	*s;
	int		 r;

	if ((r = cfg_get_string(ctx, g, name, 0, 16, &s)) != 1)
		return r;
	for (size_t i = 0; valid[i] != NULL; i++)
		if (strcmp(s, valid[i]) == 0) {
			*out = cfg_strdup(ctx, s);
			return 1;
		}
	cfg_err(ctx, config_setting_get_member(g, name), "'%s' is not valid "
	    "(valid: %s)", s, valid_str);
	return -1;
}

static void
parse_tz(struct cfg_ctx *ctx, const config_setting_t *g,
    struct cfg_settings *st)
{
	const config_setting_t	*s;
	char			 err[256];

	if (get_text(ctx, g, "timezone", TZ_NAME_MAX, 0, &st->timezone) != 1)
		return;
	s = config_setting_get_member(g, "timezone");
	if (tz_name_check(st->timezone, err, sizeof(err)) != 0) {
		cfg_err(ctx, s, "%s (an IANA zone name such as "
		    "\"Europe/Berlin\")", err);
		return;
	}
	if ((st->tz = cfg_calloc(ctx, 1, sizeof(*st->tz))) == NULL)
		return;
	if (tz_lookup(st->timezone, time(NULL), st->tz, err,
	    sizeof(err)) != 0) {
		cfg_err(ctx, s, "%s", err);
		free(st->tz);
		st->tz = NULL;
		return;
	}
	/* Written once here, not per request. */
	if ((st->tz_text = cfg_calloc(ctx, TZ_STYLE_COUNT,
	    sizeof(*st->tz_text))) == NULL)
		return;
	for (int i = 0; i < TZ_STYLE_COUNT; i++) {
		char out[TZ_POSIX_MAX + 1];

		if (tz_format(st->tz, (enum tz_style)i, out, sizeof(out), err,
		    sizeof(err)) >= 0)
			st->tz_text[i] = cfg_strdup(ctx, out);
	}
}

static void
parse_locale(struct cfg_ctx *ctx, const config_setting_t *g,
    struct cfg_settings *st)
{
	char	 err[512];

	if (get_text(ctx, g, "language", 8, 0, &st->language) == 1 &&
	    locale_language_check(st->language, err, sizeof(err)) != 0)
		cfg_err(ctx, config_setting_get_member(g, "language"), "%s",
		    err);
	if (get_text(ctx, g, "tone_zone", 8, 0, &st->tone_zone) == 1 &&
	    locale_tone_check(st->tone_zone, err, sizeof(err)) != 0)
		cfg_err(ctx, config_setting_get_member(g, "tone_zone"), "%s",
		    err);
}

static void
parse_ntp(struct cfg_ctx *ctx, const config_setting_t *g,
    struct cfg_settings *st)
{
	uint32_t	ip;

	if (cfg_get_strings(ctx, g, "ntp_servers", &st->ntp_servers,
	    &st->nntp_servers) != 1)
		return;
	st->has_ntp = 1;
	if (st->nntp_servers > CFG_NTP_MAX)
		cfg_err(ctx, config_setting_get_member(g, "ntp_servers"),
		    "%zu servers; at most %d", st->nntp_servers, CFG_NTP_MAX);
	for (size_t i = 0; i < st->nntp_servers; i++)
		if (ip4_parse(st->ntp_servers[i], &ip) != 0 &&
		    !cfg_valid_hostname(st->ntp_servers[i]))
			cfg_err(ctx, config_setting_get_member(g,
			    "ntp_servers"), "'%s' is not a host name or IPv4 "
			    "address", st->ntp_servers[i]);
}

static void
parse_key(struct cfg_ctx *ctx, const config_setting_t *kg, struct cfg_key *k)
{
	static const char *const keys[] = { "type", "value", "label",
		"account", NULL };
	const char		*type;
	unsigned long long	 acc = 1;
	size_t			 t;

	cfg_check_keys(ctx, kg, keys);
	if (cfg_get_string(ctx, kg, "type", 1, 16, &type) == 1) {
		for (t = 0; t < sizeof(key_type_names) /
		    sizeof(key_type_names[0]); t++)
			if (strcmp(type, key_type_names[t]) == 0)
				break;
		if (t == sizeof(key_type_names) / sizeof(key_type_names[0]))
			cfg_err(ctx, config_setting_get_member(kg, "type"),
			    "unknown key type '%s' (valid: line, blf, "
			    "speed_dial)", type);
		else
			k->type = (enum cfg_key_type)t;
	}
	get_text(ctx, kg, "value", TEXT_MAX, 0, &k->value);
	get_text(ctx, kg, "label", TEXT_MAX, 0, &k->label);
	if (k->type != CFG_KEY_LINE && (k->value == NULL ||
	    k->value[0] == '\0') && config_setting_get_member(kg, "type"))
		cfg_err_at(ctx, kg, "value", "missing: a %s key needs the "
		    "number it %s", cfg_key_type_str(k->type), k->type ==
		    CFG_KEY_BLF ? "watches" : "dials");
	cfg_get_uint(ctx, kg, "account", 0, 1, CFG_ACCOUNTS_MAX, &acc);
	k->account = (unsigned)acc;
}

static void
parse_keys(struct cfg_ctx *ctx, const config_setting_t *g,
    struct cfg_settings *st)
{
	const config_setting_t	*list = config_setting_get_member(g, "keys");
	int			 n;

	if (list == NULL)
		return;
	if ((n = cfg_list_len(ctx, list, "{ type = \"blf\"; value = \"203\"; "
	    "label = \"Carol\"; }")) < 0)
		return;
	st->has_keys = 1;
	if (n > CFG_KEYS_MAX) {
		cfg_err(ctx, list, "%d keys; at most %d", n, CFG_KEYS_MAX);
		return;
	}
	if (n == 0 || (st->keys = cfg_calloc(ctx, (size_t)n,
	    sizeof(*st->keys))) == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t *kg = config_setting_get_elem(list,
		    (unsigned)i);

		if (!cfg_is_group(ctx, kg))
			continue;
		parse_key(ctx, kg, &st->keys[st->nkeys++]);
	}
}

/* vars = { name = "value"; ... }: strings, numbers or booleans. */
static void
parse_vars(struct cfg_ctx *ctx, const config_setting_t *g,
    struct cfg_settings *st)
{
	const config_setting_t	*vg = config_setting_get_member(g, "vars");
	int			 n;

	if (vg == NULL || !cfg_is_group(ctx, vg))
		return;
	if ((n = config_setting_length(vg)) > CFG_VARS_MAX) {
		cfg_err(ctx, vg, "%d variables; at most %d", n, CFG_VARS_MAX);
		return;
	}
	if (n == 0 || (st->vars = cfg_calloc(ctx, (size_t)n,
	    sizeof(*st->vars))) == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t	*s = config_setting_get_elem(vg,
					    (unsigned)i);
		const char		*name = config_setting_name(s);
		char			 num[32];
		const char		*v = num;

		switch (config_setting_type(s)) {
		case CONFIG_TYPE_STRING:
			v = config_setting_get_string(s);
			break;
		case CONFIG_TYPE_INT:
			snprintf(num, sizeof(num), "%d",
			    config_setting_get_int(s));
			break;
		case CONFIG_TYPE_INT64:
			snprintf(num, sizeof(num), "%lld",
			    config_setting_get_int64(s));
			break;
		case CONFIG_TYPE_BOOL:
			snprintf(num, sizeof(num), "%d",
			    config_setting_get_bool(s));
			break;
		default:
			cfg_err(ctx, s, "a variable is a string, a number or "
			    "a boolean");
			continue;
		}
		if (strlen(v) > VAR_MAX || !cfg_valid_text(v)) {
			cfg_err(ctx, s, "at most %d bytes and no control "
			    "character", VAR_MAX);
			continue;
		}
		st->vars[st->nvars].name = cfg_strdup(ctx, name);
		st->vars[st->nvars].value = cfg_strdup(ctx, v);
		st->nvars++;
	}
}

void
cfg_parse_settings(struct cfg_ctx *ctx, const config_setting_t *parent,
    struct cfg_settings *st)
{
	static const char *const keys[] = { "timezone", "language",
		"tone_zone", "date_format", "time_format", "voice_vlan",
		"admin_password", "user_password", "sip_transport",
		"sip_port", "vendor_cloud", "ntp_servers", "keys", "vars",
		NULL };
	static const char *const dates[] = { "dmy", "mdy", "ymd", NULL };
	static const char *const times[] = { "12", "24", NULL };
	static const char *const transports[] = { "udp", "tcp", "tls", NULL };
	const config_setting_t	*g = config_setting_get_member(parent,
				    "settings");
	unsigned long long	 v;

	if (g == NULL || !cfg_is_group(ctx, g))
		return;
	cfg_check_keys(ctx, g, keys);
	parse_tz(ctx, g, st);
	parse_locale(ctx, g, st);
	get_word(ctx, g, "date_format", dates, "dmy, mdy, ymd",
	    &st->date_format);
	get_word(ctx, g, "time_format", times, "\"12\", \"24\"",
	    &st->time_format);
	get_word(ctx, g, "sip_transport", transports, "udp, tcp, tls",
	    &st->sip_transport);
	if (cfg_get_uint(ctx, g, "sip_port", 0, 1, 65535, &v) == 1)
		st->sip_port = (unsigned)v;
	if (cfg_get_uint(ctx, g, "voice_vlan", 0, 0, 4094, &v) == 1) {
		st->has_voice_vlan = 1;
		st->voice_vlan = (unsigned)v;
	}
	if (cfg_get_bool(ctx, g, "vendor_cloud", &st->vendor_cloud) == 1)
		st->has_vendor_cloud = 1;
	get_text(ctx, g, "admin_password", TEXT_MAX, 1, &st->admin_password);
	get_text(ctx, g, "user_password", TEXT_MAX, 1, &st->user_password);
	parse_ntp(ctx, g, st);
	parse_keys(ctx, g, st);
	parse_vars(ctx, g, st);
}

static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

void
cfg_settings_free(struct cfg_settings *st)
{
	free(st->timezone);
	free(st->tz);
	if (st->tz_text != NULL)
		cfg_strv_free(st->tz_text, TZ_STYLE_COUNT);
	free(st->language);
	free(st->tone_zone);
	free(st->date_format);
	free(st->time_format);
	wipe_free(st->admin_password);
	wipe_free(st->user_password);
	free(st->sip_transport);
	cfg_strv_free(st->ntp_servers, st->nntp_servers);
	for (size_t i = 0; i < st->nkeys; i++) {
		free(st->keys[i].value);
		free(st->keys[i].label);
	}
	free(st->keys);
	for (size_t i = 0; i < st->nvars; i++) {
		free(st->vars[i].name);
		free(st->vars[i].value);
	}
	free(st->vars);
	memset(st, 0, sizeof(*st));
}

/*
 * models = ( { name = "T46S"; firmware = "T46S-66.86.0.15.rom";
 * settings = { ... }; } ): one entry a model, names unique ignoring case.
 */
void
cfg_parse_models(struct cfg_ctx *ctx, const config_setting_t *vg,
    struct cfg_vendor *v)
{
	static const char *const keys[] = { "name", "firmware", "settings",
		NULL };
	const config_setting_t	*list = config_setting_get_member(vg,
				    "models");
	int			 n;

	if ((n = cfg_list_len(ctx, list, "{ name = \"T46S\"; firmware = "
	    "\"...\"; settings = { ... }; }")) <= 0)
		return;
	if ((v->models = cfg_calloc(ctx, (size_t)n, sizeof(*v->models))) ==
	    NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t	*mg = config_setting_get_elem(list,
					    (unsigned)i);
		struct cfg_model	*m = &v->models[v->nmodels];
		const char		*s;

		if (!cfg_is_group(ctx, mg))
			continue;
		cfg_check_keys(ctx, mg, keys);
		if (cfg_get_string(ctx, mg, "name", 1, CFG_NAME_MAX, &s) != 1)
			continue;
		if (!cfg_valid_name(s, "._+-")) {
			cfg_err(ctx, config_setting_get_member(mg, "name"),
			    "'%s' is not a model name (letters, digits, "
			    ". _ + -)", s);
			continue;
		}
		if (cfg_model_find(v, s) != NULL) {
			cfg_err(ctx, config_setting_get_member(mg, "name"),
			    "model '%s' is listed twice in class '%s'", s,
			    v->name != NULL ? v->name : "?");
			continue;
		}
		m->name = cfg_strdup(ctx, s);
		if (cfg_get_string(ctx, mg, "firmware", 0, 128, &s) == 1) {
			/* A file of static_dir, served as /static/<name>. */
			if (!cfg_valid_name(s, "._+-"))
				cfg_err(ctx, config_setting_get_member(mg,
				    "firmware"), "'%s' is not a file name in "
				    "static_dir (letters, digits, . _ + -)", s);
			else
				m->firmware = cfg_strdup(ctx, s);
		}
		cfg_parse_settings(ctx, mg, &m->settings);
		v->nmodels++;
	}
}

void
cfg_models_free(struct cfg_model *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].firmware);
		cfg_settings_free(&m[i].settings);
	}
	free(m);
}

const struct cfg_model *
cfg_model_find(const struct cfg_vendor *v, const char *model)
{
	if (model == NULL)
		return NULL;
	for (size_t i = 0; i < v->nmodels; i++)
		if (v->models[i].name != NULL &&
		    strcasecmp(v->models[i].name, model) == 0)
			return &v->models[i];
	return NULL;
}

/*
 * accounts = ( { user; password; auth_name; display_name; label; server;
 * port; transport; } ): a user's second and later SIP accounts.
 */
void
cfg_parse_accounts(struct cfg_ctx *ctx, const config_setting_t *ug,
    struct cfg_user *u)
{
	static const char *const keys[] = { "user", "password", "auth_name",
		"display_name", "label", "server", "port", "transport", NULL };
	static const char *const transports[] = { "udp", "tcp", "tls", NULL };
	const config_setting_t	*list = config_setting_get_member(ug,
				    "accounts");
	int			 n;

	if ((n = cfg_list_len(ctx, list, "{ user = \"301\"; password = "
	    "\"...\"; }")) <= 0)
		return;
	if (n > CFG_ACCOUNTS_MAX - 1) {
		cfg_err(ctx, list, "%d more accounts; at most %d in all "
		    "(sip and accounts)", n, CFG_ACCOUNTS_MAX);
		return;
	}
	if ((u->accounts = cfg_calloc(ctx, (size_t)n, sizeof(*u->accounts))) ==
	    NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t	*ag = config_setting_get_elem(list,
					    (unsigned)i);
		struct cfg_account	*a = &u->accounts[u->naccounts];
		unsigned long long	 port;
		uint32_t		 ip;

		if (!cfg_is_group(ctx, ag))
			continue;
		cfg_check_keys(ctx, ag, keys);
		u->naccounts++;
		if (config_setting_get_member(ag, "user") == NULL)
			cfg_err_at(ctx, ag, "user", "missing: an account needs "
			    "its SIP user");
		if (config_setting_get_member(ag, "password") == NULL)
			cfg_err_at(ctx, ag, "password", "missing: an account "
			    "needs its SIP password");
		get_text(ctx, ag, "user", CFG_SIP_MAX, 0, &a->user);
		get_text(ctx, ag, "password", CFG_SIP_MAX, 1, &a->password);
		get_text(ctx, ag, "auth_name", CFG_SIP_MAX, 0, &a->auth_name);
		get_text(ctx, ag, "display_name", CFG_DISPLAY_MAX, 0,
		    &a->display_name);
		get_text(ctx, ag, "label", CFG_DISPLAY_MAX, 0, &a->label);
		if (get_text(ctx, ag, "server", CFG_HOST_MAX, 0,
		    &a->server) == 1 && ip4_parse(a->server, &ip) != 0 &&
		    !cfg_valid_hostname(a->server))
			cfg_err(ctx, config_setting_get_member(ag, "server"),
			    "'%s' is not a host name or IPv4 address",
			    a->server);
		if (cfg_get_uint(ctx, ag, "port", 0, 1, 65535, &port) == 1)
			a->port = (unsigned)port;
		get_word(ctx, ag, "transport", transports, "udp, tcp, tls",
		    &a->transport);
	}
}

void
cfg_accounts_free(struct cfg_account *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].user);
		wipe_free(a[i].password);
		free(a[i].auth_name);
		free(a[i].display_name);
		free(a[i].label);
		free(a[i].server);
		free(a[i].transport);
	}
	free(a);
}

/*
 * phonebook = { users = true; entries = ( { name; number; } ); }: what
 * the phone book files list (settings.c). Numbers are dial strings or
 * SIP user parts: letters, digits and + * # . @ _ -.
 */
void
cfg_parse_phonebook(struct cfg_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = { "users", "entries", NULL };
	static const char *const ekeys[] = { "name", "number", NULL };
	const config_setting_t	*g = config_setting_get_member(root,
				    "phonebook");
	const config_setting_t	*list;
	struct cfg_phonebook	*pb = &ctx->cfg->phonebook;
	int			 n;

	pb->users = 1;
	if (g == NULL || !cfg_is_group(ctx, g))
		return;
	cfg_check_keys(ctx, g, keys);
	cfg_get_bool(ctx, g, "users", &pb->users);
	list = config_setting_get_member(g, "entries");
	if ((n = cfg_list_len(ctx, list, "{ name = \"Front door\"; number = "
	    "\"2099\"; }")) <= 0)
		return;
	if (n > CFG_BOOK_MAX) {
		cfg_err(ctx, list, "%d entries; at most %d", n, CFG_BOOK_MAX);
		return;
	}
	if ((pb->entries = cfg_calloc(ctx, (size_t)n, sizeof(*pb->entries))) ==
	    NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t	*eg = config_setting_get_elem(list,
					    (unsigned)i);
		struct cfg_book_entry	*e = &pb->entries[pb->nentries];
		const char		*name, *number;

		if (!cfg_is_group(ctx, eg))
			continue;
		cfg_check_keys(ctx, eg, ekeys);
		if ((cfg_get_string(ctx, eg, "name", 1, CFG_DISPLAY_MAX,
		    &name) != 1) | (cfg_get_string(ctx, eg, "number", 1,
		    CFG_BOOK_NUMBER_MAX, &number) != 1))
			continue;
		/* Some vendors' directories are CSV: no quote fits in. */
		if (!cfg_valid_text(name) || strchr(name, '"') != NULL) {
			cfg_err(ctx, config_setting_get_member(eg, "name"),
			    "holds a control character or a '\"'");
			continue;
		}
		if (!cfg_valid_name(number, "+*#.@_-")) {
			cfg_err(ctx, config_setting_get_member(eg, "number"),
			    "'%s' is not a number to dial (letters, digits, "
			    "+ * # . @ _ -)", number);
			continue;
		}
		e->name = cfg_strdup(ctx, name);
		e->number = cfg_strdup(ctx, number);
		pb->nentries++;
	}
}

void
cfg_phonebook_free(struct cfg_phonebook *pb)
{
	for (size_t i = 0; i < pb->nentries; i++) {
		free(pb->entries[i].name);
		free(pb->entries[i].number);
	}
	free(pb->entries);
	memset(pb, 0, sizeof(*pb));
}

/*
 * A secret as written: at most max bytes in clear, or a sealed value
 * ("sealed:" and base64) that cfg_unseal() opens. 0 or -1 (recorded).
 */
int
cfg_check_secret(struct cfg_ctx *ctx, const config_setting_t *s,
    const char *v, size_t max)
{
	const char	*b = v + sizeof(CFG_SEALED_PREFIX) - 1;
	size_t		 n;

	if (strncmp(v, CFG_SEALED_PREFIX, sizeof(CFG_SEALED_PREFIX) - 1) != 0) {
		if (strlen(v) <= max)
			return 0;
		cfg_err(ctx, s, "is %zu characters long; at most %zu allowed",
		    strlen(v), max);
		return -1;
	}
	n = strlen(b);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)b[i]) && b[i] != '+' && b[i] !=
		    '/' && (b[i] != '=' || i + 2 < n))
			n = 0;
	if (n == 0 || n % 4 != 0) {
		cfg_err(ctx, s, "is not a sealed value (provboxctl seal prints "
		    "one: \"sealed:\" and base64)");
		return -1;
	}
	return 0;
}

static int
is_sealed(const char *v)
{
	return v != NULL && strncmp(v, CFG_SEALED_PREFIX,
	    sizeof(CFG_SEALED_PREFIX) - 1) == 0;
}

/* Opens *v in place when it is sealed; an error names where it is. */
static int
unseal_one(char **v, int (*open)(const void *, const char *, char *,
    size_t), const void *arg, const char *where, struct cfg_errors *errs)
{
	char	out[CFG_SEALED_MAX + 1], *n;

	if (!is_sealed(*v))
		return 0;
	if (open(arg, *v, out, sizeof(out)) != 0) {
		cfg_errors_add(errs, NULL, 0, NULL, "%s: the registry's key "
		    "does not open this sealed value (sealed on another box, "
		    "or with a key since replaced? provboxctl seal makes a "
		    "new one)", where);
		return -1;
	}
	if ((n = strdup(out)) == NULL) {
		OPENSSL_cleanse(out, sizeof(out));
		cfg_errors_add(errs, NULL, 0, NULL, "out of memory");
		return -1;
	}
	OPENSSL_cleanse(out, sizeof(out));
	wipe_free(*v);
	*v = n;
	return 0;
}

static int
unseal_settings(struct cfg_settings *st, int (*open)(const void *,
    const char *, char *, size_t), const void *arg, const char *where,
    struct cfg_errors *errs)
{
	char	w[256];
	int	bad = 0;

	snprintf(w, sizeof(w), "%s: settings.admin_password", where);
	bad |= unseal_one(&st->admin_password, open, arg, w, errs);
	snprintf(w, sizeof(w), "%s: settings.user_password", where);
	bad |= unseal_one(&st->user_password, open, arg, w, errs);
	return bad;
}

int
cfg_unseal(struct cfg *cfg, int (*open)(const void *, const char *, char *,
    size_t), const void *arg, struct cfg_errors *errs)
{
	char	w[256], m[MAC_STR_LEN];
	int	bad = 0;

	bad |= unseal_settings(&cfg->settings, open, arg, "settings", errs);
	for (size_t i = 0; i < cfg->nvendors; i++) {
		struct cfg_vendor *v = &cfg->vendors[i];

		snprintf(w, sizeof(w), "vendor class %s", v->name);
		bad |= unseal_settings(&v->settings, open, arg, w, errs);
		for (size_t k = 0; k < v->nmodels; k++) {
			snprintf(w, sizeof(w), "vendor class %s, model %s",
			    v->name, v->models[k].name);
			bad |= unseal_settings(&v->models[k].settings, open,
			    arg, w, errs);
		}
	}
	for (size_t i = 0; i < cfg->nusers; i++) {
		struct cfg_user *u = &cfg->users[i];

		snprintf(w, sizeof(w), "user %s: sip.password", u->name);
		bad |= unseal_one(&u->sip_password, open, arg, w, errs);
		for (size_t k = 0; k < u->naccounts; k++) {
			snprintf(w, sizeof(w), "user %s: accounts[%zu].password",
			    u->name, k);
			bad |= unseal_one(&u->accounts[k].password, open, arg,
			    w, errs);
		}
		snprintf(w, sizeof(w), "user %s", u->name);
		bad |= unseal_settings(&u->settings, open, arg, w, errs);
		for (size_t k = 0; k < u->ndevices; k++) {
			snprintf(w, sizeof(w), "user %s, device %s", u->name,
			    mac_format(&u->devices[k].mac, m));
			bad |= unseal_settings(&u->devices[k].settings, open,
			    arg, w, errs);
		}
	}
	return bad ? -1 : 0;
}

static int
settings_sealed(const struct cfg_settings *st)
{
	return is_sealed(st->admin_password) || is_sealed(st->user_password);
}

int
cfg_has_sealed(const struct cfg *cfg)
{
	if (settings_sealed(&cfg->settings))
		return 1;
	for (size_t i = 0; i < cfg->nvendors; i++) {
		if (settings_sealed(&cfg->vendors[i].settings))
			return 1;
		for (size_t k = 0; k < cfg->vendors[i].nmodels; k++)
			if (settings_sealed(&cfg->vendors[i].models[k].settings))
				return 1;
	}
	for (size_t i = 0; i < cfg->nusers; i++) {
		const struct cfg_user *u = &cfg->users[i];

		if (is_sealed(u->sip_password) || settings_sealed(&u->settings))
			return 1;
		for (size_t k = 0; k < u->naccounts; k++)
			if (is_sealed(u->accounts[k].password))
				return 1;
		for (size_t k = 0; k < u->ndevices; k++)
			if (settings_sealed(&u->devices[k].settings))
				return 1;
	}
	return 0;
}
