/*
 * provboxctl - the admin's tool. It reads the same config as the daemons
 * and talks to the registry directly (its own LMDB environment):
 *
 *   check                 validate the config, print every error
 *   sync                  bring users and devices into the registry
 *   users | devices | leases [--json]
 *   url USER|MAC          the provisioning URL(s) a user or phone gets
 *   rotate USER           a new token; the old one stops working at once
 *   revoke USER           no token at all until rotated
 *   status MAC            a phone's class, user, lease(s), enrollment
 *   enroll MAC|USER|--all [--for D] [--close]   (ctl/enroll.c)
 *   device clear MAC      suspect -> new
 *   lease release|delete IP   free an address (ctl/lease.c)
 *   reload                check the config, then SIGHUP both daemons and
 *                         report whether each took it
 *   certificate           create a self-signed TLS key and certificate at
 *                         the configured paths, if they are missing
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "cfg.h"
#include "ctl.h"
#include "enroll.h"
#include "log.h"
#include "registry.h"
#include "runstate.h"
#include "sync.h"
#include "secret.h"
#include "token.h"
#include "urltmpl.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG	SYSCONFDIR "/provbox/provbox.conf"
#define MAX_COLS	8

int	 ctl_json;
time_t	 ctl_now;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: provboxctl [-c config] [--json] command [argument]\n"
	    "  check            validate the config; print every error\n"
	    "  sync             bring users and devices into the registry\n"
	    "  users            users, their SIP accounts and tokens\n"
	    "  devices          phones: users, classes, leases, enrollment\n"
	    "  leases           every lease: address, MAC, state, end\n"
	    "  url USER|MAC     the provisioning URL a user's phones get\n"
	    "  rotate USER [--now]\n"
	    "                   give USER a new token; the old one answers for\n"
	    "                   rotate_grace, pointing phones at the new one\n"
	    "                   (--now: it dies at once)\n"
	    "  revoke USER      take USER's token away until rotated\n"
	    "  status MAC       what provbox knows of one phone: lease, last\n"
	    "                   fetch, enrollment state and recent events\n"
	    "  enroll MAC|USER|--all [--for DURATION]\n"
	    "                   open an enrollment window (default from\n"
	    "                   provisioning.enrollment.window); --close ends it\n"
	    "  device clear MAC end a device's suspect state\n"
	    "  lease release IP end a lease now; its client may have the\n"
	    "                   address back (frees a declined address)\n"
	    "  lease delete IP  remove a lease record altogether\n"
	    "  reload           check the config, then reload both daemons\n"
	    "  certificate      create a self-signed TLS key and certificate\n"
	    "                   where the config names them, if missing\n");
	exit(2);
}

/* Loads the config, printing every error; NULL if it has any. */
static struct cfg *
load(const char *path, unsigned flags)
{
	struct cfg_errors	 errs;
	struct cfg		*cfg;
	char			 line[1024];

	if (cfg_load(path, flags, &cfg, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", cfg_error_format(&errs.v[i],
			    line, sizeof(line)));
		fprintf(stderr, "%s: %zu error%s\n", path, errs.n,
		    errs.n == 1 ? "" : "s");
		cfg_errors_free(&errs);
		return NULL;
	}
	return cfg;
}

static struct reg *
open_registry(const struct cfg *cfg, unsigned flags)
{
	struct reg	*reg;
	char		 err[512];

	if (reg_open(cfg->registry_path, cfg->registry_map_size, flags |
	    (cfg->registry_sync ? 0 : REG_NOSYNC), &reg, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "provboxctl: %s\n", err);
		return NULL;
	}
	return reg;
}

const char *
reltime(time_t t, char *buf, size_t sz)
{
	long long	 d = (long long)(t - ctl_now), a = d < 0 ? -d : d;
	const char	*unit = "s";

	if (t == 0)
		return "-";
	if (a < 5)
		return "now";
	if (a >= 172800) {
		a /= 86400;
		unit = "d";
	} else if (a >= 7200) {
		a /= 3600;
		unit = "h";
	} else if (a >= 120) {
		a /= 60;
		unit = "m";
	}
	snprintf(buf, sz, d > 0 ? "in %lld%s" : "%lld%s ago", a, unit);
	return buf;
}

void
json_str(const char *s)
{
	putchar('"');
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* A table printed with aligned columns, or as a JSON array of objects. */
struct table {
	const char	*cols[MAX_COLS];	/* header; JSON keys */
	size_t		 ncols;
	char		*(*rows)[MAX_COLS];
	size_t		 nrows;
	int		 numeric[MAX_COLS];	/* JSON: a number, not a string */
	int		 nullable[MAX_COLS];	/* JSON: null when empty */
};

static int
table_add(struct table *t, char *const *vals)
{
	char *(*n)[MAX_COLS] = reallocarray(t->rows, t->nrows + 1,
	    sizeof(*t->rows));

	if (n == NULL)
		return -1;
	t->rows = n;
	for (size_t i = 0; i < t->ncols; i++)
		if ((t->rows[t->nrows][i] = strdup(vals[i] ? vals[i] : "")) ==
		    NULL)
			return -1;
	t->nrows++;
	return 0;
}

/* Columns a UTF-8 string takes: one per character, not per byte. */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* One aligned line: cells padded to their column, no trailing blanks. */
static void
print_row(const struct table *t, char *const *cells, const size_t *w)
{
	size_t	 last = t->ncols;

	while (last > 0 && cells[last - 1][0] == '\0')
		last--;
	for (size_t c = 0; c < last; c++) {
		fputs(cells[c], stdout);
		if (c + 1 < last)
			printf("%*s", (int)(w[c] - width(cells[c]) + 2), "");
	}
	putchar('\n');
}

static void
table_print(struct table *t)
{
	size_t w[MAX_COLS];

	if (ctl_json) {
		printf("[");
		for (size_t r = 0; r < t->nrows; r++) {
			printf("%s\n  {", r ? "," : "");
			for (size_t c = 0; c < t->ncols; c++) {
				printf("%s", c ? ", " : "");
				json_str(t->cols[c]);
				printf(": ");
				if (t->numeric[c] && t->rows[r][c][0] != '\0')
					printf("%s", t->rows[r][c]);
				else if (t->numeric[c] || (t->rows[r][c][0] ==
				    '\0' && t->nullable[c]))
					printf("null");
				else
					json_str(t->rows[r][c]);
			}
			printf("}");
		}
		printf("%s]\n", t->nrows ? "\n" : "");
		return;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		w[c] = width(t->cols[c]);
		for (size_t r = 0; r < t->nrows; r++)
			if (width(t->rows[r][c]) > w[c])
				w[c] = width(t->rows[r][c]);
	}
	print_row(t, (char *const *)t->cols, w);
	for (size_t r = 0; r < t->nrows; r++)
		print_row(t, t->rows[r], w);
}

static void
table_free(struct table *t)
{
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++)
			free(t->rows[r][c]);
	free(t->rows);
}

/* Everything a command needs: config, registry, a read transaction. */
int
session_open(struct session *s, const char *path, int write)
{
	memset(s, 0, sizeof(*s));
	if ((s->cfg = load(path, CFG_NO_FILE_CHECKS)) == NULL)
		return -1;
	if ((s->reg = open_registry(s->cfg, write ? 0 : REG_RDONLY)) == NULL ||
	    reg_txn_begin(s->reg, &s->txn, !write) != 0) {
		if (s->reg != NULL)
			fprintf(stderr, "provboxctl: %s\n",
			    reg_strerror(s->txn.err));
		reg_close(s->reg);
		cfg_free(s->cfg);
		return -1;
	}
	return 0;
}

int
session_close(struct session *s, int ok)
{
	int ret = ok ? 0 : 1;

	if (ok && !s->txn.rdonly && reg_txn_commit(&s->txn) != 0) {
		fprintf(stderr, "provboxctl: %s\n", reg_strerror(s->txn.err));
		ret = 1;
	} else if (s->txn.txn != NULL) {
		if (ok && s->txn.err != REG_OK) {
			fprintf(stderr, "provboxctl: %s\n",
			    reg_strerror(s->txn.err));
			ret = 1;
		}
		reg_txn_abort(&s->txn);
	}
	reg_close(s->reg);
	cfg_free(s->cfg);
	return ret;
}

static size_t
count_devices(const struct cfg *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nusers; i++)
		n += cfg->users[i].ndevices;
	return n;
}

static int
cmd_check(const char *path)
{
	struct cfg *cfg = load(path, 0);

	if (cfg == NULL)
		return 1;
	printf("%s: OK (%zu subnet%s, %zu vendor class%s, %zu user%s, "
	    "%zu device%s)\n", path, cfg->dhcp.nsubnets,
	    cfg->dhcp.nsubnets == 1 ? "" : "s", cfg->nvendors,
	    cfg->nvendors == 1 ? "" : "es", cfg->nusers,
	    cfg->nusers == 1 ? "" : "s", count_devices(cfg),
	    count_devices(cfg) == 1 ? "" : "s");
	cfg_free(cfg);
	return 0;
}

static int
cmd_sync(const char *path)
{
	struct cfg		*cfg;
	struct reg		*reg = NULL;
	struct reg_sync_stats	 st;
	char			 err[512];
	int			 ret = 1;

	if ((cfg = load(path, CFG_NO_FILE_CHECKS)) == NULL)
		return 1;
	if ((reg = open_registry(cfg, 0)) == NULL)
		goto done;
	if (reg_sync(reg, cfg, ctl_now, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "provboxctl: %s\n", err);
		goto done;
	}
	printf("registry %s: users %u added, %u changed, %u removed, "
	    "%u unchanged; devices %u added, %u changed, %u removed, "
	    "%u unchanged\n", cfg->registry_path, st.users_added,
	    st.users_changed, st.users_removed, st.users_unchanged,
	    st.devices_added, st.devices_changed, st.devices_removed,
	    st.devices_unchanged);
	ret = 0;
done:
	reg_close(reg);
	cfg_free(cfg);
	return ret;
}

struct walk {
	struct session	*s;
	struct table	*t;
	int		 failed;
};

static int
user_row(const struct reg_user *u, void *arg)
{
	struct walk		*w = arg;
	const struct cfg_user	*cu = cfg_user_find(w->s->cfg, u->name);
	char			 tok[32], sip[400], when[32], ndev[16];
	char			*row[MAX_COLS];

	snprintf(sip, sizeof(sip), "%s@%s:%u", u->sip_user, u->sip_server,
	    u->sip_port);
	snprintf(ndev, sizeof(ndev), "%zu", cu != NULL ? cu->ndevices : 0);
	row[0] = (char *)u->name;
	row[1] = (char *)u->display_name;
	row[2] = sip;
	row[3] = ndev;
	if (u->secrets_sealed)
		row[4] = (char *)(ctl_json ? "" : "(sealed)");
	else
		row[4] = u->token[0] ? log_redact(tok, sizeof(tok), u->token) :
		    (char *)(ctl_json ? "" : "revoked");
	row[5] = (char *)(ctl_json ? "" : reltime(u->token_created, when,
	    sizeof(when)));
	if (ctl_json)
		snprintf(row[5] = when, sizeof(when), "%lld",
		    (long long)u->token_created);
	if (table_add(w->t, row) != 0)
		return -1;
	return 0;
}

static int
cmd_users(const char *path)
{
	struct session	s;
	struct table	t = { { "user", "display_name", "sip", "devices",
			    "token", "token_created" }, 6, NULL, 0,
			    { 0, 0, 0, 1, 0, 1 }, { 0, 0, 0, 0, 1, 0 } };
	struct walk	w = { &s, &t, 0 };
	int		ok;

	if (session_open(&s, path, 0) != 0)
		return 1;
	ok = reg_user_foreach(&s.txn, user_row, &w) == 0;
	if (ok)
		table_print(&t);
	table_free(&t);
	return session_close(&s, ok);
}

/* The newest live lease of mac: its address, or 0. */
static uint32_t
lease_of(struct reg_txn *txn, const struct mac_addr *mac,
    struct reg_lease *out)
{
	uint32_t	ips[8];
	uint32_t	best = 0;
	int		n = reg_lease_ips_by_mac(txn, mac, ips, 8);

	for (int i = 0; i < n && i < 8; i++) {
		struct reg_lease l;

		if (reg_lease_get(txn, ips[i], &l) != 0)
			continue;
		if (best == 0 || l.expire > out->expire) {
			*out = l;
			best = ips[i];
		}
	}
	return best;
}

static int
device_row(const struct reg_device *d, void *arg)
{
	struct walk		*w = arg;
	struct reg_lease	 l;
	struct reg_enroll	 e;
	char			 mac[MAC_STR_LEN], ip[IP4_STR_LEN] = "";
	char			 state[64] = "", *row[MAX_COLS];
	int			 r;

	if ((r = reg_enroll_get(&w->s->txn, &d->mac, &e)) < 0)
		return -1;
	row[6] = (char *)enroll_state_str(r == 0 ? enroll_state_at(&e,
	    ctl_now) : ENROLL_NEW);
	if (r == 0)
		reg_enroll_clear(&e);
	if (lease_of(&w->s->txn, &d->mac, &l) != 0) {
		ip4_format(l.ip, ip);
		snprintf(state, sizeof(state), "%s", lease_state_str(
		    (enum lease_state)l.state));
		if (l.expire <= ctl_now)
			snprintf(state, sizeof(state), "expired");
	}
	row[0] = mac_format(&d->mac, mac);
	row[1] = (char *)d->user;
	row[2] = (char *)d->vendor;
	row[3] = (char *)d->model;
	row[4] = ip;
	row[5] = state;
	return table_add(w->t, row);
}

static int
cmd_devices(const char *path)
{
	struct session	s;
	struct table	t = { { "mac", "user", "class", "model", "address",
			    "lease", "enrollment" }, 7, NULL, 0, { 0 }, { 0 } };
	struct walk	w = { &s, &t, 0 };
	int		ok;

	if (session_open(&s, path, 0) != 0)
		return 1;
	ok = reg_device_foreach(&s.txn, device_row, &w) == 0;
	if (ok)
		table_print(&t);
	table_free(&t);
	return session_close(&s, ok);
}

static int
lease_row(const struct reg_lease *l, void *arg)
{
	struct walk		*w = arg;
	struct reg_device	 d;
	struct mac_addr		 m;
	char			 ip[IP4_STR_LEN], mac[MAC_STR_LEN] = "";
	char			 when[32], host[REG_HOSTNAME_MAX * 4 + 8];
	char			*row[MAX_COLS];

	ip4_format(l->ip, ip);
	if (l->htype == 1 && l->hlen == 6) {
		memcpy(m.b, l->chaddr, 6);
		mac_format(&m, mac);
	}
	row[0] = ip;
	row[1] = mac;
	row[2] = (char *)lease_state_str((enum lease_state)l->state);
	/* reltime() may return a constant ("now", "-") and leave when. */
	if (ctl_json) {
		snprintf(when, sizeof(when), "%lld", (long long)l->expire);
		row[3] = when;
	} else
		row[3] = (char *)reltime(l->expire, when, sizeof(when));
	row[4] = mac[0] && reg_device_get(&w->s->txn, &m, &d) == 0 ?
	    d.user : (char *)"";
	/* Client bytes, escaped: a hostname is whatever the client sent. */
	row[5] = log_escape(host, sizeof(host), l->hostname, l->hostname_len);
	return table_add(w->t, row);
}

static int
cmd_leases(const char *path)
{
	struct session	s;
	struct table	t = { { "address", "mac", "state", "ends", "user",
			    "hostname" }, 6, NULL, 0, { 0, 0, 0, 1, 0, 0 },
			    { 0 } };
	struct walk	w = { &s, &t, 0 };
	int		ok;

	if (session_open(&s, path, 0) != 0)
		return 1;
	ok = reg_lease_foreach(&s.txn, lease_row, &w) == 0;
	if (ok)
		table_print(&t);
	table_free(&t);
	return session_close(&s, ok);
}

/*
 * Prints the class options a registered phone is given, filled. DHCP
 * answers are public, so in a token class without client certificates
 * they carry a first-access token, and only while the phone enrolls.
 */
static void
print_options(const struct cfg *cfg, const struct cfg_vendor *v,
    const struct reg_user *u, const struct reg_device *d)
{
	struct tmpl_vars	 vars;
	char			 mac[MAC_PLAIN_LEN], MAC[MAC_PLAIN_LEN];
	char			 out[1024];

	memset(&vars, 0, sizeof(vars));
	vars.base_url = cfg->prov.base_url;
	vars.token = v->mode == PROV_MODE_TOKEN ? u->token : NULL;
	if (v->mode == PROV_MODE_TOKEN && !v->client_cert) {
		vars.token = "<first-access-token>";
		printf("  DHCP options, only while the phone is enrolling "
		    "(provboxctl enroll):\n");
	}
	vars.mac = mac_format_plain(&d->mac, mac, 0);
	vars.mac_upper = mac_format_plain(&d->mac, MAC, 1);
	vars.model = d->model;
	vars.vendor = v->name;
	for (size_t i = 0; i < v->noptions; i++) {
		const struct cfg_option *o = &v->options[i];

		if (o->tmpl != NULL && tmpl_expand(o->tmpl, &vars, out,
		    sizeof(out)) >= 0)
			printf("  option %u: %s\n", o->code, out);
		for (size_t k = 0; k < o->nsub; k++)
			if (o->sub[k].tmpl != NULL && tmpl_expand(
			    o->sub[k].tmpl, &vars, out, sizeof(out)) >= 0)
				printf("  option %u.%u: %s\n", o->code,
				    o->sub[k].code, out);
	}
}

static int
cmd_url(const char *path, const char *who)
{
	struct session		 s;
	struct reg_user		 u;
	struct reg_device	 d;
	struct mac_addr		 mac;
	const struct cfg_vendor	*v = NULL;
	char			 url[1024];
	int			 ok = 0, r;

	if (session_open(&s, path, 0) != 0)
		return 1;
	memset(&u, 0, sizeof(u));
	if (mac_parse(who, &mac) == 0) {
		if ((r = reg_device_get(&s.txn, &mac, &d)) != 0) {
			fprintf(stderr, "provboxctl: %s is not in the "
			    "registry (is it in users.conf? run sync)\n", who);
			goto done;
		}
		v = cfg_vendor_find(s.cfg, d.vendor);
		who = d.user;
	}
	if ((r = reg_user_get(&s.txn, who, &u)) != 0) {
		fprintf(stderr, "provboxctl: no user %s in the registry\n",
		    who);
		goto done;
	}
	if (u.secrets_sealed && (v == NULL || v->mode != PROV_MODE_LEGACY)) {
		fprintf(stderr, "provboxctl: tokens are sealed with %s/%s, "
		    "which only root and the daemons' user may read\n",
		    s.cfg->registry_path, SECRET_KEY_FILE);
		goto done;
	}
	if (v != NULL && v->mode == PROV_MODE_LEGACY) {
		printf("%s (flat folder: class %s is legacy)\n",
		    cfg_folder_url(s.cfg, "", url, sizeof(url)), v->name);
	} else if (u.token[0] == '\0') {
		fprintf(stderr, "provboxctl: %s's token is revoked (provboxctl "
		    "rotate %s gives a new one)\n", u.name, u.name);
		goto done;
	} else {
		cfg_folder_url(s.cfg, u.token, url, sizeof(url));
		printf("%s\n", url);
	}
	if (v != NULL)
		print_options(s.cfg, v, &u, &d);
	ok = 1;
done:
	reg_user_clear(&u);
	return session_close(&s, ok);
}

struct rot_note {
	struct reg_txn	*txn;
	const char	*user;
	const char	*detail;
};

/* One event in the story of each of a user's devices. */
static int
rot_note(const struct reg_device *d, void *arg)
{
	struct rot_note		*rn = arg;
	struct reg_event	 ev;

	if (strcmp(d->user, rn->user) != 0)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.mac = d->mac;
	ev.time = ctl_now;
	ev.kind = EV_ROTATED;
	snprintf(ev.detail, sizeof(ev.detail), "%s", rn->detail);
	return reg_event_add(rn->txn, &ev) == 0 ? 0 : -1;
}

/*
 * rotate (a new token; 2: the old one dies at once, no grace) or revoke
 * (0: none) a user's token.
 */
static int
cmd_token(const char *path, const char *who, int rotate)
{
	struct session	s;
	struct reg_user	u;
	char		url[1024];
	unsigned	grace = 0;
	int		ok = 0, ret;

	if (session_open(&s, path, 1) != 0)
		return 1;
	memset(&u, 0, sizeof(u));
	url[0] = '\0';
	if (reg_user_get(&s.txn, who, &u) != 0) {
		fprintf(stderr, "provboxctl: no user %s in the registry\n",
		    who);
		goto done;
	}
	/*
	 * Phones pinned the old URL: it keeps answering for the grace, with
	 * files that pin the new one. A second rotation ends the first's.
	 */
	memcpy(u.old_token, u.token, sizeof(u.old_token));
	grace = rotate == 2 ? 0 : s.cfg->prov.enroll.rotate_grace;
	u.old_until = rotate && u.old_token[0] != '\0' && grace > 0 ?
	    ctl_now + (time_t)grace : 0;
	if (!rotate || u.old_until == 0)
		OPENSSL_cleanse(u.old_token, sizeof(u.old_token));
	if (rotate && token_generate(u.token) != 0) {
		fprintf(stderr, "provboxctl: the random number generator "
		    "failed\n");
		goto done;
	}
	if (!rotate)
		u.token[0] = '\0';
	u.token_created = ctl_now;
	if (reg_user_put(&s.txn, &u) != 0)
		goto done;
	{
		char		 detail[96];
		struct rot_note	 rn = { &s.txn, u.name, detail };

		if (!rotate)
			snprintf(detail, sizeof(detail), "token revoked");
		else if (u.old_until != 0)
			snprintf(detail, sizeof(detail), "token rotated; the "
			    "old URL answers for %us", grace);
		else
			snprintf(detail, sizeof(detail), "token rotated");
		if (reg_device_foreach(&s.txn, rot_note, &rn) != 0)
			goto done;
	}
	if (rotate)
		cfg_folder_url(s.cfg, u.token, url, sizeof(url));
	ok = 1;
done:
	reg_user_clear(&u);
	/* Nothing is said to have happened before the commit lands. */
	if ((ret = session_close(&s, ok)) == 0 && ok) {
		if (rotate && grace > 0)
			printf("%s: new token. The old URL answers for %us "
			    "more, with files that point each phone at the new "
			    "one; a phone's first fetch from the new URL closes "
			    "the old one for it:\n%s\n", who, grace, url);
		else if (rotate)
			printf("%s: new token; the old one no longer works. "
			    "Phones that pinned it must be enrolled again:\n"
			    "%s\n", who, url);
		else
			printf("%s: token revoked; the folder is closed until "
			    "provboxctl rotate %s.\n", who, who);
	}
	OPENSSL_cleanse(url, sizeof(url));
	return ret;
}

static int
cmd_status(const char *path, const char *arg)
{
	struct session		 s;
	struct reg_device	 d;
	struct reg_fetch	 f;
	struct mac_addr		 mac;
	uint32_t		 ips[8];
	char			 m[MAC_STR_LEN], ip[IP4_STR_LEN], when[32];
	int			 n, r, first = 1;

	if (mac_parse(arg, &mac) != 0) {
		fprintf(stderr, "provboxctl: %s is not a MAC address\n", arg);
		return 2;
	}
	if (session_open(&s, path, 0) != 0)
		return 1;
	mac_format(&mac, m);
	r = reg_device_get(&s.txn, &mac, &d);
	if (ctl_json) {
		printf("{\"mac\":");
		json_str(m);
		printf(",\"registered\":%s,\"user\":", r == 0 ? "true" :
		    "false");
		if (r == 0) {
			json_str(d.user);
			printf(",\"class\":");
			json_str(d.vendor);
			printf(",\"model\":");
			json_str(d.model);
		} else
			printf("null,\"class\":null,\"model\":null");
		printf(",\"leases\":[");
	} else if (r == 0)
		printf("%s: class %s, user %s%s%s\n", m, d.vendor, d.user,
		    d.model[0] ? ", model " : "", d.model);
	else
		printf("%s: not registered (no user has it in users.conf)\n",
		    m);
	n = reg_lease_ips_by_mac(&s.txn, &mac, ips, 8);
	if (n <= 0 && !ctl_json)
		printf("  lease: none\n");
	for (int i = 0; i < n && i < 8; i++) {
		struct reg_lease l;

		if (reg_lease_get(&s.txn, ips[i], &l) != 0)
			continue;
		if (ctl_json) {
			printf("%s{\"address\":", first ? "" : ",");
			json_str(ip4_format(l.ip, ip));
			printf(",\"state\":");
			json_str(lease_state_str((enum lease_state)l.state));
			printf(",\"ends\":%lld}", (long long)l.expire);
			first = 0;
			continue;
		}
		printf("  lease: %s %s, %s %s\n", ip4_format(l.ip, ip),
		    lease_state_str((enum lease_state)l.state),
		    l.expire > ctl_now ? "ends" : "ended", reltime(l.expire,
		    when, sizeof(when)));
	}
	if (ctl_json)
		printf("]");
	if ((r = reg_fetch_get(&s.txn, &mac, &f)) == 0) {
		char fip[IP4_STR_LEN];

		if (ctl_json) {
			printf(",\"last_fetch\":{\"time\":%lld,\"ip\":",
			    (long long)f.time);
			if (f.ip != 0)
				json_str(ip4_format(f.ip, fip));
			else
				printf("null");
			printf(",\"file\":");
			json_str(f.file);
			printf(",\"status\":%u,\"refused\":", f.status);
			if (f.refused[0] != '\0')
				json_str(f.refused);
			else
				printf("null");
			printf("}");
		} else
			printf("  last fetch: %s from %s: %s, %u%s%s\n",
			    reltime((time_t)f.time, when, sizeof(when)),
			    f.ip ? ip4_format(f.ip, fip) : "(IPv6)", f.file,
			    f.status, f.refused[0] ? ", refused by " : "",
			    f.refused);
	} else if (r == REG_NOTFOUND) {
		if (ctl_json)
			printf(",\"last_fetch\":null");
		else
			printf("  last fetch: none recorded\n");
	}
	status_enroll(&s, &mac);
	if (ctl_json)
		printf("}\n");
	return session_close(&s, 1);
}

/* Sends SIGHUP to one daemon and waits for its reload status. */
static int
reload_one(const struct cfg *cfg, const char *name)
{
	unsigned long long seq0 = 0, seq;
	char		 why[512];
	int		 had, ok;
	pid_t		 pid = runstate_read_pid(cfg->run_dir, name);

	if (pid < 0) {
		printf("%s: not running (no live pid in %s)\n", name,
		    cfg->run_dir);
		return 0;
	}
	had = runstate_read_reload(cfg->run_dir, name, &seq0, &ok, why,
	    sizeof(why)) == 0;
	if (kill(pid, SIGHUP) != 0) {
		printf("%s (pid %ld): cannot signal it: %s\n", name,
		    (long)pid, strerror(errno));
		return -1;
	}
	for (int i = 0; i < 100; i++) {
		usleep(100 * 1000);
		if (runstate_read_reload(cfg->run_dir, name, &seq, &ok, why,
		    sizeof(why)) == 0 && (!had || seq != seq0)) {
			if (ok)
				printf("%s (pid %ld): reloaded\n", name,
				    (long)pid);
			else
				printf("%s (pid %ld): refused the new config: "
				    "%s\n", name, (long)pid, why);
			return ok ? 0 : -1;
		}
	}
	printf("%s (pid %ld): no answer within 10 s (see its log)\n", name,
	    (long)pid);
	return -1;
}

static int
cmd_reload(const char *path)
{
	struct cfg	*cfg;
	int		 ret = 0;

	/* The same check the daemons make: nothing is sent if it fails. */
	if ((cfg = load(path, 0)) == NULL) {
		fprintf(stderr, "provboxctl: not reloading: the running "
		    "daemons keep their config\n");
		return 1;
	}
	if (reload_one(cfg, "provbox-dhcpd") != 0)
		ret = 1;
	if (reload_one(cfg, "provbox-provisiond") != 0)
		ret = 1;
	cfg_free(cfg);
	return ret;
}

/* Opens path for a new file of mode, refusing to replace one. */
static FILE *
create_file(const char *path, mode_t mode)
{
	FILE	*f;
	int	 fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0) {
		fprintf(stderr, "provboxctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if ((f = fdopen(fd, "w")) == NULL)
		close(fd);
	return f;
}

/*
 * The host phones reach this box at, from base_url: the certificate is
 * made out to it (subjectAltName IP or DNS).
 */
static void
base_host(const struct cfg *cfg, char *host, size_t sz)
{
	const char	*p = cfg->prov.base_url, *e;

	snprintf(host, sz, "provbox");
	if (p == NULL || (p = strstr(p, "://")) == NULL)
		return;
	p += 3;
	if (*p == '[') {
		e = strchr(p, ']');
		p++;
	} else
		e = p + strcspn(p, ":/");
	if (e != NULL && e > p && (size_t)(e - p) < sz)
		snprintf(host, sz, "%.*s", (int)(e - p), p);
}

/*
 * Root making the key for daemons that run as their own user (the owner
 * of the registry directory, as the packaging sets it up): the key and
 * its directory go to that user's group, readable by it and nobody else.
 */
static void
share_with_daemons(const struct cfg *cfg, const char *dir)
{
	struct stat st;

	if (geteuid() != 0 || stat(cfg->registry_path, &st) != 0 ||
	    st.st_uid == 0)
		return;
	if ((dir != NULL && (chown(dir, 0, st.st_gid) != 0 ||
	    chmod(dir, 0750) != 0)) || chown(cfg->prov.tls_key, 0,
	    st.st_gid) != 0 || chmod(cfg->prov.tls_key, 0640) != 0)
		fprintf(stderr, "provboxctl: cannot give the key to group "
		    "%lu: %s\n", (unsigned long)st.st_gid, strerror(errno));
}

/*
 * A self-signed EC P-256 certificate for the provisioning service, for
 * an appliance's first start. Never replaces a key or certificate that
 * exists: an admin's own certificate always wins.
 */
static int
cmd_certificate(const char *path)
{
	struct cfg	*cfg;
	EVP_PKEY	*key = NULL;
	X509		*x = NULL;
	X509_EXTENSION	*ext;
	X509V3_CTX	 v3;
	BIGNUM		*bn = NULL;
	FILE		*f = NULL;
	uint32_t	 ip;
	uint8_t		 serial[8];
	char		 host[256], san[300], *dir = NULL, *slash;
	int		 ret = 1, have_cert, have_key;

	if ((cfg = load(path, CFG_NO_FILE_CHECKS)) == NULL)
		return 1;
	if (cfg->prov.tls_cert == NULL || cfg->prov.tls_key == NULL) {
		fprintf(stderr, "provboxctl: the config names no "
		    "provisioning.tls cert and key\n");
		goto done;
	}
	have_cert = access(cfg->prov.tls_cert, F_OK) == 0;
	have_key = access(cfg->prov.tls_key, F_OK) == 0;
	if (have_cert && have_key) {
		printf("%s and %s exist: nothing to do\n", cfg->prov.tls_cert,
		    cfg->prov.tls_key);
		ret = 0;
		goto done;
	}
	if (have_cert || have_key) {
		fprintf(stderr, "provboxctl: only one of %s and %s exists: "
		    "not replacing it\n", cfg->prov.tls_cert,
		    cfg->prov.tls_key);
		goto done;
	}
	if ((dir = strdup(cfg->prov.tls_key)) != NULL &&
	    (slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "provboxctl: %s: %s\n", dir,
			    strerror(errno));
			goto done;
		}
	}
	base_host(cfg, host, sizeof(host));
	snprintf(san, sizeof(san), "%s:%s", ip4_parse(host, &ip) == 0 ? "IP" :
	    "DNS", host);
	if ((key = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL ||
	    RAND_bytes(serial, sizeof(serial)) != 1)
		goto ssl_fail;
	serial[0] &= 0x7f;	/* a positive serial number */
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    X509_set_version(x, 2) != 1 ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 825L * 86400) == NULL ||
	    X509_set_pubkey(x, key) != 1 ||
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)host, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(x)) != 1)
		goto ssl_fail;
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
	    san)) == NULL || X509_add_ext(x, ext, -1) != 1)
		goto ssl_fail;
	X509_EXTENSION_free(ext);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, NID_ext_key_usage,
	    "serverAuth")) == NULL || X509_add_ext(x, ext, -1) != 1)
		goto ssl_fail;
	X509_EXTENSION_free(ext);
	if (X509_sign(x, key, EVP_sha256()) == 0)
		goto ssl_fail;
	if ((f = create_file(cfg->prov.tls_key, 0600)) == NULL)
		goto done;
	if (PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fclose(f) != 0) {
		f = NULL;
		goto ssl_fail;
	}
	if ((f = create_file(cfg->prov.tls_cert, 0644)) == NULL)
		goto done;
	if (PEM_write_X509(f, x) != 1 || fclose(f) != 0) {
		f = NULL;
		goto ssl_fail;
	}
	f = NULL;
	share_with_daemons(cfg, dir);
	printf("created %s and a self-signed certificate for %s in %s, valid "
	    "825 days\n", cfg->prov.tls_key, san, cfg->prov.tls_cert);
	ret = 0;
	goto done;
ssl_fail:
	fprintf(stderr, "provboxctl: making the certificate: %s\n",
	    ERR_reason_error_string(ERR_get_error()));
done:
	if (f != NULL)
		fclose(f);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(key);
	free(dir);
	cfg_free(cfg);
	return ret;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "all", no_argument, NULL, 'a' },
		{ "close", no_argument, NULL, 'C' },
		{ "for", required_argument, NULL, 'f' },
		{ "now", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*path = DEFAULT_CONFIG, *cmd;
	struct enroll_args	 ea = { 0, 0, 0 };
	int			 now_flag = 0;
	long			 secs;
	int			 ch;

	log_init("provboxctl", 1, PB_LOG_WARNING);
	ctl_now = time(NULL);
	while ((ch = getopt_long(argc, argv, "c:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'j':
			ctl_json = 1;
			break;
		case 'a':
			ea.all = 1;
			break;
		case 'C':
			ea.close = 1;
			break;
		case 'N':
			now_flag = 1;
			break;
		case 'f':
			if ((secs = parse_duration(optarg)) < 60) {
				fprintf(stderr, "provboxctl: --for %s: a "
				    "duration of 60s to 30d, e.g. 90m, 2h, 1d\n",
				    optarg);
				return 2;
			}
			ea.seconds = (unsigned)secs;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = argv[0];
	if (argc == 1) {
		if (strcmp(cmd, "check") == 0)
			return cmd_check(path);
		if (strcmp(cmd, "sync") == 0)
			return cmd_sync(path);
		if (strcmp(cmd, "users") == 0 || strcmp(cmd, "show") == 0)
			return cmd_users(path);
		if (strcmp(cmd, "devices") == 0)
			return cmd_devices(path);
		if (strcmp(cmd, "leases") == 0)
			return cmd_leases(path);
		if (strcmp(cmd, "reload") == 0)
			return cmd_reload(path);
		if (strcmp(cmd, "certificate") == 0)
			return cmd_certificate(path);
		if (strcmp(cmd, "enroll") == 0 && ea.all)
			return cmd_enroll(path, NULL, &ea);
	} else if (argc == 2) {
		if (strcmp(cmd, "enroll") == 0 && !ea.all)
			return cmd_enroll(path, argv[1], &ea);
		if (strcmp(cmd, "url") == 0)
			return cmd_url(path, argv[1]);
		if (strcmp(cmd, "rotate") == 0)
			return cmd_token(path, argv[1], now_flag ? 2 : 1);
		if (strcmp(cmd, "revoke") == 0)
			return cmd_token(path, argv[1], 0);
		if (strcmp(cmd, "status") == 0)
			return cmd_status(path, argv[1]);
	} else if (argc == 3 && strcmp(cmd, "device") == 0)
		return cmd_device(path, argv[1], argv[2]);
	else if (argc == 3 && strcmp(cmd, "lease") == 0)
		return cmd_lease(path, argv[1], argv[2]);
	usage();
}
