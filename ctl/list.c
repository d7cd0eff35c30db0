/*
 * list.c - provboxctl's listings of the registry:
 *
 *   users     users, their SIP accounts and (shortened) tokens
 *   devices   phones: user, class, model, newest lease, enrollment
 *   leases    every lease: address, MAC, state, end, user, host name
 *
 * Each is an aligned table for people (columns padded by characters, not
 * bytes), or with --json an array of objects, one per row, whose keys and
 * types provboxctl(8) documents. Both walk the registry in one read
 * transaction.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ctl.h"
#include "enroll.h"
#include "log.h"

#define MAX_COLS	8

/* A table printed with aligned columns. */
struct table {
	const char	*cols[MAX_COLS];	/* the header */
	size_t		 ncols;
	char		*(*rows)[MAX_COLS];
	size_t		 nrows;
};

/* A walk over the registry: one table row or one JSON object per record. */
struct walk {
	struct session	*s;
	struct table	*t;
	json_t		*arr;		/* --json */
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
		t->rows[t->nrows][i] = NULL;
	t->nrows++;
	for (size_t i = 0; i < t->ncols; i++)
		if ((t->rows[t->nrows - 1][i] = strdup(vals[i] ? vals[i] :
		    "")) == NULL)
			return -1;
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
table_print(const struct table *t)
{
	size_t w[MAX_COLS];

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

/*
 * Runs a listing: foreach walks the registry calling row for each record,
 * which adds to the table or, with --json, to the array; then prints.
 */
static int
list(const char *path, struct table *t,
    int (*foreach)(struct walk *))
{
	struct session	s;
	struct walk	w = { &s, t, NULL };
	int		ok;

	if (session_open(&s, path, 0) != 0)
		return 1;
	if (ctl_json)
		w.arr = jarr();
	ok = foreach(&w) == 0;
	if (ok && ctl_json)
		ok = json_print(w.arr) == 0;
	else {
		if (ok)
			table_print(t);
		json_decref(w.arr);
	}
	table_free(t);
	return session_close(&s, ok);
}

static int
user_row(const struct reg_user *u, void *arg)
{
	struct walk		*w = arg;
	const struct cfg_user	*cu = cfg_user_find(w->s->cfg, u->name);
	size_t			 ndev = cu != NULL ? cu->ndevices : 0;
	char			 tok[32], sip[400], when[32], ndevs[16];
	char			*row[MAX_COLS];
	const char		*state;
	json_t			*o;

	snprintf(sip, sizeof(sip), "%s@%s:%u", u->sip_user, u->sip_server,
	    u->sip_port);
	state = u->secrets_sealed ? "sealed" : u->token[0] ? "active" :
	    "revoked";
	if (ctl_json) {
		o = jobj();
		jset(o, "user", jtext(u->name));
		jset(o, "display_name", jtext(u->display_name));
		jset(o, "sip", jtext(sip));
		jset(o, "devices", jint((long long)ndev));
		jset(o, "token", strcmp(state, "active") == 0 ?
		    jtext(log_redact(tok, sizeof(tok), u->token)) : jnull());
		jset(o, "token_state", jtext(state));
		jset(o, "token_created", jint((long long)u->token_created));
		jpush(w->arr, o);
		return 0;
	}
	snprintf(ndevs, sizeof(ndevs), "%zu", ndev);
	row[0] = (char *)u->name;
	row[1] = (char *)u->display_name;
	row[2] = sip;
	row[3] = ndevs;
	if (u->secrets_sealed)
		row[4] = (char *)"(sealed)";
	else
		row[4] = u->token[0] ? log_redact(tok, sizeof(tok), u->token) :
		    (char *)"revoked";
	row[5] = (char *)reltime(u->token_created, when, sizeof(when));
	return table_add(w->t, row);
}

static int
users_foreach(struct walk *w)
{
	return reg_user_foreach(&w->s->txn, user_row, w);
}

int
cmd_users(const char *path)
{
	struct table t = { { "user", "display_name", "sip", "devices",
			    "token", "token_created" }, 6, NULL, 0 };

	return list(path, &t, users_foreach);
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
	const char		*enr;
	json_t			*o;
	int			 r;

	if ((r = reg_enroll_get(&w->s->txn, &d->mac, &e)) < 0)
		return -1;
	enr = enroll_state_str(r == 0 ? enroll_state_at(&e, ctl_now) :
	    ENROLL_NEW);
	if (r == 0)
		reg_enroll_clear(&e);
	if (lease_of(&w->s->txn, &d->mac, &l) != 0) {
		ip4_format(l.ip, ip);
		snprintf(state, sizeof(state), "%s", lease_state_str(
		    (enum lease_state)l.state));
		if (l.expire <= ctl_now)
			snprintf(state, sizeof(state), "expired");
	}
	mac_format(&d->mac, mac);
	if (ctl_json) {
		o = jobj();
		jset(o, "mac", jtext(mac));
		jset(o, "user", jtext(d->user));
		jset(o, "class", jtext(d->vendor));
		jset(o, "model", jtext_or_null(d->model));
		jset(o, "address", jtext_or_null(ip));
		jset(o, "lease", jtext_or_null(state));
		jset(o, "enrollment", jtext(enr));
		jpush(w->arr, o);
		return 0;
	}
	row[0] = mac;
	row[1] = (char *)d->user;
	row[2] = (char *)d->vendor;
	row[3] = (char *)d->model;
	row[4] = ip;
	row[5] = state;
	row[6] = (char *)enr;
	return table_add(w->t, row);
}

static int
devices_foreach(struct walk *w)
{
	return reg_device_foreach(&w->s->txn, device_row, w);
}

int
cmd_devices(const char *path)
{
	struct table t = { { "mac", "user", "class", "model", "address",
			    "lease", "enrollment" }, 7, NULL, 0 };

	return list(path, &t, devices_foreach);
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
	const char		*user = "";
	json_t			*o;

	ip4_format(l->ip, ip);
	if (l->htype == 1 && l->hlen == 6) {
		memcpy(m.b, l->chaddr, 6);
		mac_format(&m, mac);
		if (reg_device_get(&w->s->txn, &m, &d) == 0)
			user = d.user;
	}
	if (ctl_json) {
		o = jobj();
		jset(o, "address", jtext(ip));
		jset(o, "mac", jtext_or_null(mac));
		jset(o, "state", jtext(lease_state_str(
		    (enum lease_state)l->state)));
		jset(o, "ends", jint((long long)l->expire));
		jset(o, "user", jtext_or_null(user));
		/* Client bytes, escaped as in the table and the logs. */
		jset(o, "hostname", l->hostname_len > 0 ? jbytes(l->hostname,
		    l->hostname_len) : jnull());
		jset(o, "vendor_class", l->vclass_len > 0 ? jbytes(l->vclass,
		    l->vclass_len) : jnull());
		jpush(w->arr, o);
		return 0;
	}
	row[0] = ip;
	row[1] = mac;
	row[2] = (char *)lease_state_str((enum lease_state)l->state);
	/* reltime() may return a constant ("now", "-") and leave when. */
	row[3] = (char *)reltime(l->expire, when, sizeof(when));
	row[4] = (char *)user;
	/* Client bytes, escaped: a hostname is whatever the client sent. */
	row[5] = log_escape(host, sizeof(host), l->hostname, l->hostname_len);
	return table_add(w->t, row);
}

static int
leases_foreach(struct walk *w)
{
	return reg_lease_foreach(&w->s->txn, lease_row, w);
}

int
cmd_leases(const char *path)
{
	struct table t = { { "address", "mac", "state", "ends", "user",
			    "hostname" }, 6, NULL, 0 };

	return list(path, &t, leases_foreach);
}
