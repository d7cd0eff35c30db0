/*
 * settings.c - the value tree a phone's file is rendered from (the
 * scopes merged), its schema, the templates parsed once per load, and
 * the check that renders every file before a config is used.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "phonelocale.h"
#include "settings.h"

#define NSCOPES	5

/* The scopes of one file, nearest first (NULL: not there). */
struct scopes {
	const struct cfg_settings *s[NSCOPES];
};

static void
scopes_for(const struct cfg *cfg, const struct settings_in *in,
    struct scopes *sc)
{
	const struct cfg_device	*d = NULL;
	const struct cfg_model	*m;

	memset(sc, 0, sizeof(*sc));
	if (in->mac != NULL && in->user != NULL)
		for (size_t i = 0; i < in->user->ndevices; i++)
			if (mac_cmp(&in->user->devices[i].mac, in->mac) == 0)
				d = &in->user->devices[i];
	sc->s[0] = d != NULL ? &d->settings : NULL;
	sc->s[1] = in->user != NULL ? &in->user->settings : NULL;
	m = cfg_model_find(in->vendor, in->model);
	sc->s[2] = m != NULL ? &m->settings : NULL;
	sc->s[3] = &in->vendor->settings;
	sc->s[4] = &cfg->settings;
}

/* The nearest scope's value of a text setting at offset off. */
#define NEAREST(sc, field) nearest_text(sc, offsetof(struct cfg_settings, \
	field))

static const char *
nearest_text(const struct scopes *sc, size_t off)
{
	for (int i = 0; i < NSCOPES; i++) {
		const char *v;

		if (sc->s[i] == NULL)
			continue;
		memcpy(&v, (const char *)sc->s[i] + off, sizeof(v));
		if (v != NULL)
			return v;
	}
	return NULL;
}

/* The settings that are set or not as a whole (nearest_with()). */
enum scope_has {
	HAS_VOICE_VLAN,
	HAS_VENDOR_CLOUD,
	HAS_NTP,
	HAS_KEYS,
	HAS_SIP_PORT,
	HAS_TZ,
};

/* The nearest scope that sets what. */
static const struct cfg_settings *
nearest_with(const struct scopes *sc, enum scope_has what)
{
	for (int i = 0; i < NSCOPES; i++) {
		const struct cfg_settings *s = sc->s[i];
		int has = 0;

		if (s == NULL)
			continue;
		switch (what) {
		case HAS_VOICE_VLAN:
			has = s->has_voice_vlan;
			break;
		case HAS_VENDOR_CLOUD:
			has = s->has_vendor_cloud;
			break;
		case HAS_NTP:
			has = s->has_ntp;
			break;
		case HAS_KEYS:
			has = s->has_keys;
			break;
		case HAS_SIP_PORT:
			has = s->sip_port != 0;
			break;
		case HAS_TZ:
			has = s->tz != NULL;
			break;
		}
		if (has)
			return s;
	}
	return NULL;
}

static void
set_if(struct tv_doc *doc, struct tv *map, const char *key, const char *v)
{
	if (v != NULL)
		tv_set_text(doc, map, key, v);
}

/* v in decimal, at the end of buf (12 bytes): its first digit. */
static const char *
utoa(unsigned v, char buf[12])
{
	char *p = buf + 11;

	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return p;
}

static void
set_uint(struct tv_doc *doc, struct tv *map, const char *key, unsigned v)
{
	char	buf[12];

	tv_set_text(doc, map, key, utoa(v, buf));
}

/* set_uint() for a key map does not hold yet (tv_put_text()). */
static void
put_uint(struct tv_doc *doc, struct tv *map, const char *key, unsigned v)
{
	char	buf[12];

	tv_put_text(doc, map, key, utoa(v, buf));
}

/*
 * The time zone in every vendor style. A style tz_format() refuses is
 * left out (settings_check() names the templates that use it); in the
 * schema (tz NULL) every style is there.
 */
static void
add_tz(struct tv_doc *doc, struct tv *root, const struct cfg_settings *s,
    uint64_t styles, int schema)
{
	struct tv	*t;

	if (!schema && s == NULL)
		return;
	t = tv_set_map(doc, root, "tz");
	tv_set_text(doc, t, "name", schema ? "" : s->timezone);
	for (int st = 0; st < TZ_STYLE_COUNT; st++) {
		if (schema)
			tv_set_text(doc, t, tz_style_str(st), "");
		else if (s->tz_text != NULL && s->tz_text[st] != NULL &&
		    (styles == 0 || (styles & ((uint64_t)1 << st))))
			tv_put_text(doc, t, tz_style_str(st), s->tz_text[st]);
	}
}

static void
add_locale(struct tv_doc *doc, struct tv *root, const char *lang,
    const char *tone, unsigned vendors, int schema)
{
	struct tv	*l = tv_set_map(doc, root, "lang");
	struct tv	*t = tv_set_map(doc, root, "tone");
	const char	*w;

	for (int v = 0; v < LOCALE_VENDOR_COUNT; v++) {
		const char *name = locale_vendor_str(v);

		if (schema) {
			tv_set_text(doc, l, name, "");
			tv_set_text(doc, t, name, "");
			continue;
		}
		if (vendors != 0 && !(vendors & (1u << v)))
			continue;
		if (lang != NULL && (w = locale_language(lang, v)) != NULL)
			tv_put_text(doc, l, name, w);
		if (tone != NULL && (w = locale_tone(tone, v)) != NULL)
			tv_put_text(doc, t, name, w);
	}
}

/*
 * Grandstream numbers each account's settings by family: account 2 at
 * P401.., 3 at P501.., 4 at P601.., 5 at P1701.., 6 at P1801.. (the
 * GXP21xx/GXP1450 P-values; account 1's are irregular: P271, P47, ...).
 * The family's prefix for index, or NULL.
 */
static const char *
grandstream_family(unsigned index)
{
	static const char *const fam[] = { "4", "5", "6", "17", "18" };

	return index >= 2 && index <= 6 ? fam[index - 2] : NULL;
}

/*
 * Grandstream's multi-purpose key N (GXP21xx/GXP1450 P-values): keys 1-7
 * at P323+ (mode) and P301+3(N-1) (account, name, value), keys 8-18 at
 * P353+4(N-8), keys 19-24 at P1440+4(N-19) (mode, account, name,
 * value). 0 for a key past 24.
 */
static unsigned
grandstream_key(unsigned n, int field)
{
	if (n >= 1 && n <= 7)
		return field == 0 ? 322 + n : 298 + 3 * n + (unsigned)field - 1;
	if (n >= 8 && n <= 18)
		return 353 + 4 * (n - 8) + (unsigned)field;
	if (n >= 19 && n <= 24)
		return 1440 + 4 * (n - 19) + (unsigned)field;
	return 0;
}

/* One account of the accounts list. */
static void
add_account(struct tv_doc *doc, struct tv *list, unsigned index,
    const char *user, const char *auth, const char *password,
    const char *display, const char *label, const char *server,
    unsigned port, const char *transport)
{
	struct tv	*a = tv_add_map(doc, list);

	put_uint(doc, a, "index", index);
	tv_put_text(doc, a, "user", user != NULL ? user : "");
	tv_put_text(doc, a, "auth_name", auth != NULL ? auth :
	    user != NULL ? user : "");
	tv_put_text(doc, a, "password", password != NULL ? password : "");
	tv_put_text(doc, a, "display_name", display != NULL ? display : "");
	tv_put_text(doc, a, "label", label != NULL ? label : display != NULL ?
	    display : "");
	tv_put_text(doc, a, "server", server != NULL ? server : "");
	put_uint(doc, a, "port", port);
	tv_put_text(doc, a, "transport", transport);
	tv_put_text(doc, a, transport, "1");
	if (grandstream_family(index) != NULL)
		tv_put_text(doc, a, "grandstream_p", grandstream_family(index));
}

static void
add_accounts(struct tv_doc *doc, struct tv *root, const struct settings_in *in,
    const char *transport, unsigned port, int schema)
{
	const struct cfg_user	*u = in->user;
	struct tv		*list = tv_set_list(doc, root, "accounts");
	struct tv		*sip = tv_set_map(doc, root, "sip");
	const char		*user, *pw, *server, *display;
	unsigned		 p;

	if (schema) {
		add_account(doc, list, 1, "", "", "", "", "", "", 0, "udp");
		tv_set_text(doc, tv_item(list, 0), "tcp", "");
		tv_set_text(doc, tv_item(list, 0), "tls", "");
		tv_set_text(doc, tv_item(list, 0), "grandstream_p", "");
		for (const char *const *k = (const char *const[]){ "user",
		    "auth_name", "password", "server", "port", "transport",
		    NULL }; *k != NULL; k++)
			tv_set_text(doc, sip, *k, "");
		return;
	}
	if (u == NULL && in->sip_user == NULL)
		return;
	user = in->sip_user != NULL ? in->sip_user : u->sip_user;
	pw = in->sip_password != NULL ? in->sip_password : u->sip_password;
	server = in->sip_server != NULL ? in->sip_server : u->sip_server;
	display = in->display_name != NULL ? in->display_name :
	    u != NULL ? u->display_name : NULL;
	p = in->sip_port != 0 ? in->sip_port : u != NULL ? u->sip_port : 0;
	/* The settings' sip_port is the default; an account's own wins. */
	if (p == 0 || (p == 5060 && port != 0))
		p = port != 0 ? port : 5060;
	if (in->blank_credentials)
		user = pw = "";
	else if (in->mac == NULL || in->no_passwords)
		pw = "";	/* a common file holds no credentials */
	tv_set_text(doc, sip, "user", user != NULL ? user : "");
	tv_set_text(doc, sip, "auth_name", user != NULL ? user : "");
	tv_set_text(doc, sip, "password", pw != NULL ? pw : "");
	tv_set_text(doc, sip, "server", server != NULL ? server : "");
	set_uint(doc, sip, "port", p);
	tv_set_text(doc, sip, "transport", transport);
	add_account(doc, list, 1, user, NULL, pw, display, NULL, server, p,
	    transport);
	if (u == NULL)
		return;
	for (size_t i = 0; i < u->naccounts; i++) {
		const struct cfg_account *a = &u->accounts[i];

		/* Bootstrap blanks the identity too; a common file only the
		 * password (as for account 1 above). */
		int blank = in->blank_credentials, nopw = blank ||
		    in->mac == NULL || in->no_passwords;

		add_account(doc, list, (unsigned)i + 2, blank ? "" : a->user,
		    blank ? "" : a->auth_name, nopw ? "" : a->password,
		    a->display_name != NULL ? a->display_name : display,
		    a->label, a->server != NULL ? a->server : server,
		    a->port != 0 ? a->port : p, a->transport != NULL ?
		    a->transport : transport);
	}
}

static void
add_keys(struct tv_doc *doc, struct tv *root, const struct cfg_settings *s,
    int schema)
{
	static const char *const gs[] = { "grandstream_mode",
		"grandstream_account", "grandstream_name",
		"grandstream_value" };
	struct tv	*list = tv_set_list(doc, root, "keys");
	struct cfg_key	 one = { CFG_KEY_LINE, NULL, NULL, 1 };
	const struct cfg_key *keys = schema ? &one : s != NULL ? s->keys : NULL;
	size_t		 n = schema ? 1 : s != NULL ? s->nkeys : 0;

	for (size_t i = 0; i < n; i++) {
		struct tv *k = tv_add_map(doc, list);

		put_uint(doc, k, "index", (unsigned)i + 1);
		tv_put_text(doc, k, "type", cfg_key_type_str(keys[i].type));
		for (int t = CFG_KEY_LINE; t <= CFG_KEY_SPEED_DIAL; t++)
			if (schema || (int)keys[i].type == t)
				tv_put_text(doc, k, cfg_key_type_str(t), "1");
		tv_put_text(doc, k, "value", keys[i].value != NULL ?
		    keys[i].value : "");
		tv_put_text(doc, k, "label", keys[i].label != NULL ?
		    keys[i].label : "");
		put_uint(doc, k, "account", keys[i].account);
		put_uint(doc, k, "account0", keys[i].account - 1);
		for (int f = 0; f < 4; f++)
			if (grandstream_key((unsigned)i + 1, f) != 0)
				put_uint(doc, k, gs[f],
				    grandstream_key((unsigned)i + 1, f));
	}
}

/* Free variables: the nearest scope's value of each name. */
static void
add_vars(struct tv_doc *doc, struct tv *root, const struct cfg *cfg,
    const struct scopes *sc, int schema)
{
	struct tv *vars = tv_set_map(doc, root, "vars");

	if (schema) {
		/* Every name any scope defines. */
		const struct cfg_settings *all[NSCOPES] = { &cfg->settings };

		for (size_t i = 0; i < cfg->nvendors; i++) {
			all[0] = &cfg->vendors[i].settings;
			for (size_t k = 0; k < all[0]->nvars; k++)
				tv_set_text(doc, vars, all[0]->vars[k].name, "");
			for (size_t m = 0; m < cfg->vendors[i].nmodels; m++) {
				const struct cfg_settings *ms =
				    &cfg->vendors[i].models[m].settings;

				for (size_t k = 0; k < ms->nvars; k++)
					tv_set_text(doc, vars,
					    ms->vars[k].name, "");
			}
		}
		for (size_t i = 0; i < cfg->nusers; i++) {
			const struct cfg_user *u = &cfg->users[i];

			for (size_t k = 0; k < u->settings.nvars; k++)
				tv_set_text(doc, vars, u->settings.vars[k].name,
				    "");
			for (size_t d = 0; d < u->ndevices; d++)
				for (size_t k = 0;
				    k < u->devices[d].settings.nvars; k++)
					tv_set_text(doc, vars,
					    u->devices[d].settings.vars[k].name,
					    "");
		}
		for (size_t k = 0; k < cfg->settings.nvars; k++)
			tv_set_text(doc, vars, cfg->settings.vars[k].name, "");
		return;
	}
	/* Farthest first: a nearer scope's value replaces it. */
	for (int i = NSCOPES - 1; i >= 0; i--)
		if (sc->s[i] != NULL)
			for (size_t k = 0; k < sc->s[i]->nvars; k++)
				tv_set_text(doc, vars, sc->s[i]->vars[k].name,
				    sc->s[i]->vars[k].value);
}

static void
add_ntp(struct tv_doc *doc, struct tv *root, const struct cfg_settings *s,
    int schema)
{
	struct tv	*list = tv_set_list(doc, root, "ntp_servers");
	struct tv	*ntp = tv_set_map(doc, root, "ntp");

	if (schema) {
		tv_add_text(doc, list, "");
		tv_set_text(doc, ntp, "server1", "");
		tv_set_text(doc, ntp, "server2", "");
		return;
	}
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nntp_servers; i++)
		tv_add_text(doc, list, s->ntp_servers[i]);
	if (s->nntp_servers > 0)
		tv_set_text(doc, ntp, "server1", s->ntp_servers[0]);
	if (s->nntp_servers > 1)
		tv_set_text(doc, ntp, "server2", s->ntp_servers[1]);
}

/* A phone book line: borrowed from the config. */
struct book_line {
	const char	*name;
	const char	*number;
};

static int
book_cmp(const void *a, const void *b)
{
	const struct book_line *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->number, y->number);
}

/*
 * phonebook: every user (display name, else name; the first account's
 * SIP user) when phonebook.users, and the admin's entries, sorted by
 * name. Built only for a template that lists it: O(users log users).
 */
static void
add_phonebook(struct tv_doc *doc, struct tv *root, const struct cfg *cfg,
    int schema)
{
	const struct cfg_phonebook	*pb = &cfg->phonebook;
	struct tv			*list = tv_set_list(doc, root,
					    "phonebook");
	struct book_line		*v;
	size_t				 n = 0;

	if (schema) {
		struct tv *e = tv_add_map(doc, list);

		tv_set_text(doc, e, "index", "");
		tv_set_text(doc, e, "name", "");
		tv_set_text(doc, e, "number", "");
		return;
	}
	if ((v = calloc(pb->nentries + (pb->users ? cfg->nusers : 0) + 1,
	    sizeof(*v))) == NULL) {
		tv_doc_fail(doc);
		return;
	}
	for (size_t i = 0; pb->users && i < cfg->nusers; i++) {
		const struct cfg_user *u = &cfg->users[i];

		if (u->sip_user == NULL || u->name == NULL)
			continue;
		v[n].name = u->display_name != NULL ? u->display_name : u->name;
		v[n++].number = u->sip_user;
	}
	for (size_t i = 0; i < pb->nentries; i++) {
		v[n].name = pb->entries[i].name;
		v[n++].number = pb->entries[i].number;
	}
	qsort(v, n, sizeof(*v), book_cmp);
	for (size_t i = 0; i < n; i++) {
		struct tv *e = tv_add_map(doc, list);

		put_uint(doc, e, "index", (unsigned)i + 1);
		tv_put_text(doc, e, "name", v[i].name);
		tv_put_text(doc, e, "number", v[i].number);
	}
	free(v);
}

/* settings.* and the flags made from its enums (date.*, time.*). */
static void
add_named(struct tv_doc *doc, struct tv *root, const struct cfg *cfg,
    const struct settings_in *in, const struct scopes *sc, int schema)
{
	static const char *const texts[] = { "timezone", "language",
		"tone_zone", "date_format", "time_format", "admin_password",
		"user_password", "sip_transport" };
	const size_t offs[] = { offsetof(struct cfg_settings, timezone),
		offsetof(struct cfg_settings, language),
		offsetof(struct cfg_settings, tone_zone),
		offsetof(struct cfg_settings, date_format),
		offsetof(struct cfg_settings, time_format),
		offsetof(struct cfg_settings, admin_password),
		offsetof(struct cfg_settings, user_password),
		offsetof(struct cfg_settings, sip_transport) };
	struct tv			*s = tv_set_map(doc, root, "settings");
	struct tv			*date = tv_set_map(doc, root, "date");
	struct tv			*tm = tv_set_map(doc, root, "time");
	const struct cfg_settings	*x;
	const struct cfg_model		*m;
	const char			*v;
	char				 url[1024];

	if (schema) {
		for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
			tv_set_text(doc, s, texts[i], "");
		for (const char *const *k = (const char *const[]){
		    "sip_port", "voice_vlan", "voice_vlan_hex", "firmware",
		    "firmware_url", "vendor_cloud", NULL }; *k != NULL; k++)
			tv_set_text(doc, s, *k, "");
		tv_set_text(doc, date, "dmy", "");
		tv_set_text(doc, date, "mdy", "");
		tv_set_text(doc, date, "ymd", "");
		tv_set_text(doc, tm, "h12", "");
		tv_set_text(doc, tm, "h24", "");
		return;
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		v = nearest_text(sc, offs[i]);
		/* No admin sets one: the device's own random password. */
		if (i == 5 && v == NULL && in->device_admin_password != NULL &&
		    in->device_admin_password[0] != '\0')
			v = in->device_admin_password;
		/*
		 * Bootstrap: the phone's own passwords are credentials too;
		 * and a common file, which any phone of the class may fetch,
		 * never holds one.
		 */
		if ((in->blank_credentials || in->no_passwords ||
		    in->mac == NULL) && i >= 5 && i <= 6)
			v = NULL;
		set_if(doc, s, texts[i], v);
	}
	if ((x = nearest_with(sc, HAS_SIP_PORT)) != NULL)
		set_uint(doc, s, "sip_port", x->sip_port);
	if ((x = nearest_with(sc, HAS_VOICE_VLAN)) != NULL &&
	    x->voice_vlan != 0) {
		char hex[8];	/* "0xffe" at most: voice_vlan is <= 4094 */

		set_uint(doc, s, "voice_vlan", x->voice_vlan);
		/* Gigaset N510/N720 SYMB_ITEM numbers are written in hex. */
		snprintf(hex, sizeof(hex), "0x%x", x->voice_vlan);
		tv_set_text(doc, s, "voice_vlan_hex", hex);
	}
	if ((x = nearest_with(sc, HAS_VENDOR_CLOUD)) != NULL && x->vendor_cloud)
		tv_set_text(doc, s, "vendor_cloud", "1");
	if ((v = NEAREST(sc, date_format)) != NULL)
		tv_set_text(doc, date, v, "1");
	if ((v = NEAREST(sc, time_format)) != NULL)
		tv_set_text(doc, tm, strcmp(v, "12") == 0 ? "h12" : "h24", "1");
	if ((m = cfg_model_find(in->vendor, in->model)) != NULL &&
	    m->firmware != NULL) {
		tv_set_text(doc, s, "firmware", m->firmware);
		/* The token folder serves static_dir's files too. */
		if (cfg->prov.firmware_in_folder && in->token_folder)
			snprintf(url, sizeof(url), "%s%s",
			    in->provisioning_url, m->firmware);
		else
			snprintf(url, sizeof(url), "%s/static/%s",
			    cfg->prov.base_url != NULL ? cfg->prov.base_url :
			    "", m->firmware);
		tv_set_text(doc, s, "firmware_url", url);
	}
}

static struct tv_doc *
build(const struct cfg *cfg, const struct settings_in *in, int schema)
{
	struct tv_doc			*doc;
	struct tv			*root, *u, *d;
	struct scopes			 sc;
	const struct cfg_settings	*x;
	const char			*transport;
	char				 mac[MAC_PLAIN_LEN];
	unsigned			 omit;

	if ((doc = tv_doc_new()) == NULL)
		return NULL;
	root = tv_root(doc);
	memset(&sc, 0, sizeof(sc));
	if (!schema)
		scopes_for(cfg, in, &sc);
	tv_set_text(doc, root, "base_url", cfg->prov.base_url != NULL ?
	    cfg->prov.base_url : "");
	tv_set_text(doc, root, "provisioning_url", schema ||
	    in->provisioning_url == NULL ? "" : in->provisioning_url);
	tv_set_text(doc, root, "vendor", schema ? "" : in->vendor->name);
	u = tv_set_map(doc, root, "user");
	d = tv_set_map(doc, root, "device");
	if (schema) {
		tv_set_text(doc, u, "name", "");
		tv_set_text(doc, u, "display_name", "");
		tv_set_text(doc, d, "mac", "");
		tv_set_text(doc, d, "MAC", "");
		tv_set_text(doc, d, "model", "");
	} else {
		if (in->user_name != NULL || in->user != NULL)
			tv_set_text(doc, u, "name", in->user_name != NULL ?
			    in->user_name : in->user->name);
		if (in->display_name != NULL)
			tv_set_text(doc, u, "display_name", in->display_name);
		else if (in->user != NULL && in->user->display_name != NULL)
			tv_set_text(doc, u, "display_name",
			    in->user->display_name);
		if (in->mac != NULL) {
			tv_set_text(doc, d, "mac", mac_format_plain(in->mac,
			    mac, 0));
			tv_set_text(doc, d, "MAC", mac_format_plain(in->mac,
			    mac, 1));
		}
		set_if(doc, d, "model", in->model);
	}
	omit = schema ? 0 : in->omit;
	transport = schema ? "udp" : NEAREST(&sc, sip_transport);
	x = schema ? NULL : nearest_with(&sc, HAS_SIP_PORT);
	if (!(omit & SETTINGS_OMIT_ACCOUNTS))
		add_accounts(doc, root, in, transport != NULL ? transport :
		    "udp", x != NULL ? x->sip_port : 0, schema);
	if (!(omit & SETTINGS_OMIT_KEYS))
		add_keys(doc, root, schema ? NULL : nearest_with(&sc, HAS_KEYS),
		    schema);
	if (!(omit & SETTINGS_OMIT_NAMED))
		add_named(doc, root, cfg, in, &sc, schema);
	if (!(omit & SETTINGS_OMIT_NTP))
		add_ntp(doc, root, schema ? NULL : nearest_with(&sc, HAS_NTP),
		    schema);
	if (!(omit & SETTINGS_OMIT_TZ))
		add_tz(doc, root, schema ? NULL : nearest_with(&sc, HAS_TZ),
		    schema ? 0 : in->tz_styles, schema);
	if (!(omit & SETTINGS_OMIT_LOCALE))
		add_locale(doc, root, schema ? NULL : NEAREST(&sc, language),
		    schema ? NULL : NEAREST(&sc, tone_zone),
		    schema ? 0 : in->locale_vendors, schema);
	if (!(omit & SETTINGS_OMIT_VARS))
		add_vars(doc, root, cfg, &sc, schema);
	if (schema || in->with_phonebook)
		add_phonebook(doc, root, cfg, schema);
	else
		tv_set_list(doc, root, "phonebook");
	if (tv_doc_failed(doc)) {
		tv_doc_free(doc);
		return NULL;
	}
	return doc;
}

void
settings_in_user(struct settings_in *in, const struct cfg *cfg,
    const struct reg_user *u, const char *url_token, char *url, size_t urlsz)
{
	in->user = cfg_user_find(cfg, u->name);
	in->user_name = u->name;
	in->display_name = u->display_name;
	in->sip_user = u->sip_user;
	in->sip_password = u->sip_password;
	in->sip_server = u->sip_server;
	in->sip_port = u->sip_port;
	if (url_token == NULL) {
		url_token = u->token[0] != '\0' ? u->token : NULL;
		in->token_folder = url_token != NULL;
	}
	url[0] = '\0';
	if (url_token != NULL && cfg->prov.base_url != NULL)
		cfg_folder_url(cfg, url_token, url, urlsz);
	in->provisioning_url = url;
}

void
settings_in_device(struct settings_in *in, const struct reg_device *d)
{
	in->mac = &d->mac;
	in->model = d->model[0] != '\0' ? d->model : NULL;
	in->device_admin_password = d->admin_password;
}

struct tv_doc *
settings_tree(const struct cfg *cfg, const struct settings_in *in)
{
	return build(cfg, in, 0);
}

struct tv_doc *
settings_schema(const struct cfg *cfg)
{
	struct settings_in in;

	memset(&in, 0, sizeof(in));
	return build(cfg, &in, 1);
}

/* tz_styles holds a bit per style, and the top bit: "a mask". */
_Static_assert(TZ_STYLE_COUNT < 64, "more tz styles than bits");
_Static_assert(LOCALE_VENDOR_COUNT < 31, "more vendors than bits");
#define TZ_MASK_SET	((uint64_t)1 << 63)
#define LOCALE_MASK_SET	(1u << 31)

/* One file rule's template and what it names, recorded at load. */
struct tmpl_entry {
	const struct cfg_file	*file;
	struct tmpl		*tmpl;
	int			 phonebook;	/* the template lists it */
	unsigned		 omit;		/* SETTINGS_OMIT_* */
	uint64_t		 tz_styles;	/* styles it names */
	unsigned		 locale_vendors; /* lang.V / tone.V it names */
};

struct settings_templates {
	struct tmpl_entry	*v;
	size_t			 n;
};

/* The tz.* styles t names (bit 1 << style). */
static uint64_t
tz_styles_for(const struct tmpl *t)
{
	uint64_t	m = 0;
	char		name[64];

	for (int st = 0; st < TZ_STYLE_COUNT; st++) {
		snprintf(name, sizeof(name), "tz.%s", tz_style_str(st));
		if (tmpl_uses(t, name))
			m |= (uint64_t)1 << st;
	}
	return m | TZ_MASK_SET;
}

/* The vendors whose lang.* or tone.* word t names (1 << vendor). */
static unsigned
locale_vendors_for(const struct tmpl *t)
{
	unsigned	m = 0;
	char		a[64], b[64];

	for (int v = 0; v < LOCALE_VENDOR_COUNT; v++) {
		snprintf(a, sizeof(a), "lang.%s", locale_vendor_str(v));
		snprintf(b, sizeof(b), "tone.%s", locale_vendor_str(v));
		if (tmpl_uses(t, a) || tmpl_uses(t, b))
			m |= 1u << v;
	}
	return m | LOCALE_MASK_SET;
}

/* What t never names, as settings_in's omit. */
static unsigned
omit_for(const struct tmpl *t)
{
	unsigned omit = 0;

	if (!tmpl_uses_root(t, "tz"))
		omit |= SETTINGS_OMIT_TZ;
	if (!tmpl_uses_root(t, "lang") && !tmpl_uses_root(t, "tone"))
		omit |= SETTINGS_OMIT_LOCALE;
	if (!tmpl_uses_root(t, "vars"))
		omit |= SETTINGS_OMIT_VARS;
	if (!tmpl_uses_root(t, "keys"))
		omit |= SETTINGS_OMIT_KEYS;
	if (!tmpl_uses_root(t, "ntp") && !tmpl_uses_root(t, "ntp_servers"))
		omit |= SETTINGS_OMIT_NTP;
	if (!tmpl_uses_root(t, "accounts") && !tmpl_uses_root(t, "sip"))
		omit |= SETTINGS_OMIT_ACCOUNTS;
	if (!tmpl_uses_root(t, "settings") && !tmpl_uses_root(t, "date") &&
	    !tmpl_uses_root(t, "time"))
		omit |= SETTINGS_OMIT_NAMED;
	return omit;
}

struct settings_templates *
settings_templates_load(const struct cfg *cfg, struct cfg_errors *errs)
{
	struct settings_templates	*ts;
	struct tv_doc			*schema = NULL;
	size_t				 n = 0, bad = 0;
	char				 err[512];

	for (size_t i = 0; i < cfg->nvendors; i++)
		n += cfg->vendors[i].nfiles;
	if ((ts = calloc(1, sizeof(*ts))) == NULL ||
	    (n > 0 && (ts->v = calloc(n, sizeof(*ts->v))) == NULL) ||
	    (schema = settings_schema(cfg)) == NULL)
		goto nomem;
	for (size_t i = 0; i < cfg->nvendors; i++)
		for (size_t k = 0; k < cfg->vendors[i].nfiles; k++) {
			const struct cfg_file	*f = &cfg->vendors[i].files[k];
			struct tmpl_entry	*e = &ts->v[ts->n++];

			e->file = f;
			e->tmpl = tmpl_load(cfg->prov.templates_dir,
			    f->template_rel, tv_root(schema), err,
			    sizeof(err));
			if (e->tmpl != NULL) {
				e->phonebook = tmpl_uses(e->tmpl, "phonebook");
				e->omit = omit_for(e->tmpl);
				e->tz_styles = tz_styles_for(e->tmpl);
				e->locale_vendors = locale_vendors_for(e->tmpl);
				continue;
			}
			bad++;
			if (cfg_errors_add(errs, NULL, 0, NULL,
			    "%s/%s (class %s, file %s)",
			    cfg->prov.templates_dir, err,
			    cfg->vendors[i].name, f->pattern) != 0)
				goto nomem;
		}
	tv_doc_free(schema);
	if (bad > 0) {
		settings_templates_free(ts);
		return NULL;
	}
	return ts;
nomem:
	cfg_errors_add(errs, NULL, 0, NULL, "out of memory");
	tv_doc_free(schema);
	settings_templates_free(ts);
	return NULL;
}

void
settings_templates_free(struct settings_templates *ts)
{
	if (ts == NULL)
		return;
	for (size_t i = 0; i < ts->n; i++)
		tmpl_free(ts->v[i].tmpl);
	free(ts->v);
	free(ts);
}

/* Rule f's entry, or NULL. */
static const struct tmpl_entry *
entry_for(const struct settings_templates *ts, const struct cfg_file *f)
{
	for (size_t i = 0; ts != NULL && i < ts->n; i++)
		if (ts->v[i].file == f)
			return &ts->v[i];
	return NULL;
}

unsigned
settings_template_omit(const struct settings_templates *ts,
    const struct cfg_file *f)
{
	const struct tmpl_entry *e = entry_for(ts, f);

	return e != NULL ? e->omit : 0;
}

const struct tmpl *
settings_template_parts(const struct settings_templates *ts,
    const struct cfg_file *f, struct settings_in *in)
{
	const struct tmpl_entry *e = entry_for(ts, f);

	in->omit = e != NULL ? e->omit : 0;
	in->tz_styles = e != NULL ? e->tz_styles : 0;
	in->locale_vendors = e != NULL ? e->locale_vendors : 0;
	in->with_phonebook = e != NULL && e->phonebook;
	return e != NULL ? e->tmpl : NULL;
}

const struct tmpl *
settings_template(const struct settings_templates *ts,
    const struct cfg_file *f)
{
	const struct tmpl_entry *e = entry_for(ts, f);

	return e != NULL ? e->tmpl : NULL;
}

/*
 * One render of rule f for in; who names the device or class in errors.
 * Adds an error for a failed render and for each tz.* value the template
 * uses that this zone cannot be written in. The number of errors added,
 * or -1 when out of memory.
 */
static int
check_one(const struct cfg *cfg, const struct settings_templates *ts,
    const struct cfg_file *f, const struct settings_in *in, int book,
    const char *who, struct cfg_errors *errs)
{
	const struct tmpl		*t;
	struct settings_in		 in1;
	struct tv_doc			*doc;
	struct scopes			 sc;
	const struct cfg_settings	*zs;
	char				*out = NULL, name[64], val[128];
	char				 err[256];
	ssize_t				 n;
	int				 bad = 0;

	in1 = *in;
	if ((t = settings_template_parts(ts, f, &in1)) == NULL)
		return 0;
	in1.with_phonebook = book && in1.with_phonebook;
	if ((doc = settings_tree(cfg, &in1)) == NULL)
		return -1;
	n = tmpl_render(t, tv_root(doc), f->format, &out);
	if (out != NULL) {
		OPENSSL_cleanse(out, n > 0 ? (size_t)n : 0);
		free(out);
	}
	tv_doc_free(doc);
	if (n < 0) {
		bad++;
		if (cfg_errors_add(errs, NULL, 0, NULL, "%s/%s: %s: the "
		    "rendered file passes %d bytes", cfg->prov.templates_dir,
		    f->template_rel, who, TMPL_MAX_OUTPUT) != 0)
			return -1;
	}
	scopes_for(cfg, in, &sc);
	if ((zs = nearest_with(&sc, HAS_TZ)) == NULL)
		return bad;
	for (int st = 0; st < TZ_STYLE_COUNT; st++) {
		snprintf(name, sizeof(name), "tz.%s", tz_style_str(st));
		if (!tmpl_uses(t, name) || tz_format(zs->tz, st, val,
		    sizeof(val), err, sizeof(err)) >= 0)
			continue;
		bad++;
		if (cfg_errors_add(errs, NULL, 0, NULL, "%s/%s: %s: uses %s, "
		    "which cannot say time zone %s: %s",
		    cfg->prov.templates_dir, f->template_rel, who, name,
		    zs->timezone, err) != 0)
			return -1;
	}
	return bad;
}

/* Keys that name an account the user does not have. */
static int
check_keys(const struct cfg *cfg, const struct settings_in *in,
    const char *who, struct cfg_errors *errs)
{
	const struct cfg_settings	*ks;
	struct scopes			 sc;
	int				 bad = 0;

	scopes_for(cfg, in, &sc);
	if ((ks = nearest_with(&sc, HAS_KEYS)) == NULL)
		return 0;
	for (size_t i = 0; i < ks->nkeys; i++) {
		if (ks->keys[i].account <= in->user->naccounts + 1)
			continue;
		bad++;
		if (cfg_errors_add(errs, NULL, 0, NULL, "%s: key %zu uses "
		    "account %u; the user has %zu", who, i + 1,
		    ks->keys[i].account, in->user->naccounts + 1) != 0)
			return -1;
	}
	return bad;
}

/*
 * Every device's own files with its merged settings; its class's common
 * files once per user and class (they know no device), the phone book
 * filled the first time only (it is the same for every user); each
 * class's common files once more for the flat folder. O(devices x rules
 * + users x common rules + phone book).
 */
int
settings_check(const struct cfg *cfg, const struct settings_templates *ts,
    struct cfg_errors *errs)
{
	struct settings_in	 in;
	char			 who[256], mac[MAC_STR_LEN], url[512];
	unsigned char		*seen = NULL, *book_done = NULL;
	int			 bad = 0, r;

	if (cfg->nvendors > 0 && ((seen = calloc(cfg->nvendors, 1)) == NULL ||
	    (book_done = calloc(cfg->nvendors, 1)) == NULL)) {
		free(seen);
		return -1;
	}
	for (size_t i = 0; i < cfg->nusers; i++) {
		const struct cfg_user *u = &cfg->users[i];

		if (seen != NULL)	/* NULL: no class, so no device */
			memset(seen, 0, cfg->nvendors);
		for (size_t k = 0; k < u->ndevices; k++) {
			const struct cfg_device *d = &u->devices[k];
			const struct cfg_vendor *v = &cfg->vendors[d->vendor];
			int common = !seen[d->vendor];

			seen[d->vendor] = 1;
			memset(&in, 0, sizeof(in));
			in.vendor = v;
			in.user = u;
			/* A token of the right shape: the length counts. */
			in.provisioning_url = cfg_folder_url(cfg,
			    "00000000000000000000000000000000",
			    url, sizeof(url));
			in.token_folder = 1;
			snprintf(who, sizeof(who), "device %s (user %s, class "
			    "%s%s%s)", mac_format(&d->mac, mac), u->name,
			    v->name, d->model != NULL ? ", model " : "",
			    d->model != NULL ? d->model : "");
			if ((r = check_keys(cfg, &(struct settings_in){
			    .vendor = v, .user = u, .mac = &d->mac,
			    .model = d->model }, who, errs)) < 0)
				goto fail;
			bad += r;
			for (size_t f = 0; f < v->nfiles; f++) {
				const struct cfg_file *fr = &v->files[f];

				if (fr->per_device ?
				    !cfg_file_for_model(fr, d->model) :
				    !common)
					continue;
				/* As provisiond serves it: a common file
				 * has no device, so no model either. */
				in.mac = fr->per_device ? &d->mac : NULL;
				in.model = fr->per_device ? d->model : NULL;
				if ((r = check_one(cfg, ts, fr, &in,
				    !book_done[d->vendor], who, errs)) < 0)
					goto fail;
				bad += r;
			}
			if (common)
				book_done[d->vendor] = 1;
		}
	}
	/* Common files in the flat folder: no user, no device. */
	for (size_t i = 0; i < cfg->nvendors; i++) {
		const struct cfg_vendor *v = &cfg->vendors[i];

		memset(&in, 0, sizeof(in));
		in.vendor = v;
		snprintf(who, sizeof(who), "class %s, flat folder", v->name);
		for (size_t f = 0; f < v->nfiles; f++) {
			if (v->files[f].per_device)
				continue;
			if ((r = check_one(cfg, ts, &v->files[f], &in,
			    !book_done[i], who, errs)) < 0)
				goto fail;
			bad += r;
		}
	}
	free(seen);
	free(book_done);
	return bad;
fail:
	free(seen);
	free(book_done);
	return -1;
}
