/*
 * check_enroll.c - the enrollment records, events and state machine
 * (common/enroll.h, the registry's enroll, fa_tokens and history tables):
 * records and their first-access token index, the token sealed at rest,
 * the device history, every transition of enroll_apply(), windows opened,
 * closed, cleared and swept, the helpers' boundaries, the schema 2 -> 3
 * migration, and the config sync's part (a removed device loses its
 * record, a new one may start enrolling).
 */
#include "config.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "testutil.h"

#include "cfg.h"
#include "enroll.h"
#include "registry.h"
#include "secret.h"
#include "sync.h"

#define T0		((time_t)1700000000)
#define IP_A		0x0a2a0032u	/* 10.42.0.50 */
#define IP_B		0x0a2a0033u	/* 10.42.0.51 */
#define MAC_1		"80:5e:c0:00:00:01"
#define MAC_2		"80:5e:c0:00:00:02"
#define MAC_3		"80:5e:c0:00:00:03"
#define MAC_NONE	"80:5e:c0:00:00:99"	/* never registered */

/* Client identities: the phone's (Option 61) and another host's. */
static const uint8_t	ID_A[] = { 'I', 1, 0x80, 0x5e, 0xc0, 0, 0, 0x01 };
static const uint8_t	ID_B[] = { 'H', 1, 0x80, 0x5e, 0xc0, 0, 0, 0x01 };

static char		*dir;
static struct reg	*reg;

static struct reg *
open_reg(const char *sub)
{
	struct reg	*r;
	char		 err[512], *path;

	ck_assert(asprintf(&path, "%s/%s", dir, sub) > 0);
	if (reg_open(path, 16 << 20, REG_NOSYNC, &r, err, sizeof(err)) != 0)
		ck_abort_msg("reg_open: %s", err);
	free(path);
	return r;
}

static struct mac_addr
mac(const char *s)
{
	struct mac_addr m;

	ck_assert_int_eq(mac_parse(s, &m), 0);
	return m;
}

/* Registers mac as one of user's devices (enrollment needs a device). */
static void
add_device(struct reg *r, const struct mac_addr *m, const char *user)
{
	struct reg_txn		txn;
	struct reg_device	d;

	memset(&d, 0, sizeof(d));
	d.mac = *m;
	snprintf(d.user, sizeof(d.user), "%s", user);
	snprintf(d.vendor, sizeof(d.vendor), "yealink");
	ck_assert_int_eq(reg_txn_begin(r, &txn, 0), 0);
	ck_assert_int_eq(reg_device_put(&txn, &d), 0);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
}

static void
setup(void)
{
	struct mac_addr m;

	dir = tu_mkdtemp();
	reg = open_reg("reg");
	m = mac(MAC_1);
	add_device(reg, &m, "alice");
	m = mac(MAC_2);
	add_device(reg, &m, "alice");
	m = mac(MAC_3);
	add_device(reg, &m, "bob");
}

static void
teardown(void)
{
	reg_close(reg);
	reg = NULL;
	tu_rmtree(dir);
	dir = NULL;
}

static void
wbegin(struct reg_txn *txn)
{
	ck_assert_int_eq(reg_txn_begin(reg, txn, 0), 0);
}

static void
commit(struct reg_txn *txn)
{
	ck_assert_int_eq(txn->err, REG_OK);
	ck_assert_int_eq(reg_txn_commit(txn), 0);
}

/* The record of m: 0 (e filled) or REG_NOTFOUND. */
static int
get(const char *m, struct reg_enroll *e)
{
	struct reg_txn	txn;
	struct mac_addr	a = mac(m);
	int		r;

	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	r = reg_enroll_get(&txn, &a, e);
	ck_assert_int_ge(r, 0);
	reg_txn_abort(&txn);
	return r;
}

/* The device whose first-access token is tok: 0 (*out) or REG_NOTFOUND. */
static int
fa_owner(const char *tok, struct mac_addr *out)
{
	struct reg_txn	txn;
	int		r;

	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	r = reg_fa_lookup(&txn, tok, strlen(tok), out);
	ck_assert_int_ge(r, 0);
	reg_txn_abort(&txn);
	return r;
}

/* Opens a window of seconds at now; returns the first-access token. */
static void
open_window(const char *m, time_t now, unsigned seconds,
    char fa[TOKEN_LEN + 1])
{
	struct reg_txn		txn;
	struct reg_event	ev;
	struct reg_enroll	e;
	struct mac_addr		a = mac(m);
	int			suspect = -1;

	wbegin(&txn);
	ck_assert_int_eq(enroll_open(&txn, &a, now, seconds, &suspect, &ev),
	    1);
	commit(&txn);
	ck_assert_int_eq(suspect, 0);
	ck_assert_int_eq(ev.kind, EV_WINDOW_OPENED);
	ck_assert_int_eq(mac_cmp(&ev.mac, &a), 0);
	ck_assert_int_eq(ev.time, now);
	ck_assert_int_eq(get(m, &e), 0);
	ck_assert_uint_eq(strlen(e.fa_token), TOKEN_LEN);
	if (fa != NULL)
		memcpy(fa, e.fa_token, TOKEN_LEN + 1);
	reg_enroll_clear(&e);
}

static void
op_set(struct enroll_op *op, enum enroll_op_kind kind, const char *m,
    uint32_t ip, const uint8_t *id, size_t idlen)
{
	memset(op, 0, sizeof(*op));
	op->kind = (uint8_t)kind;
	op->mac = mac(m);
	op->ip = ip;
	if (idlen > 0)
		memcpy(op->id, id, idlen);
	op->id_len = (uint16_t)idlen;
	snprintf(op->detail, sizeof(op->detail), "test");
}

/* enroll_apply() in its own write transaction; its return, ev filled. */
static int
apply(const struct enroll_op *op, time_t now, struct reg_event *ev)
{
	struct reg_txn		txn;
	struct reg_event	scratch;
	int			r;

	if (ev == NULL)
		ev = &scratch;
	wbegin(&txn);
	r = enroll_apply(&txn, op, now, ev);
	commit(&txn);
	return r;
}

/* The events of m, newest first: up to max kinds (and times) and a count. */
struct evs {
	size_t		 n;
	uint8_t		 kind[64];
	int64_t		 time[64];
	uint32_t	 ip[64];
	char		 detail[64][REG_EVENT_DETAIL_MAX];
	int		 stop_after;	/* 0: never */
};

static int
evs_visit(const struct reg_event *ev, void *arg)
{
	struct evs *s = arg;

	if (s->n < 64) {
		s->kind[s->n] = ev->kind;
		s->time[s->n] = ev->time;
		s->ip[s->n] = ev->ip;
		memcpy(s->detail[s->n], ev->detail, sizeof(ev->detail));
	}
	s->n++;
	return s->stop_after != 0 && s->n == (size_t)s->stop_after;
}

static void
events(const char *m, struct evs *s)
{
	struct reg_txn	txn;
	struct mac_addr	a = mac(m);

	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	ck_assert_int_eq(reg_event_foreach(&txn, &a, evs_visit, s), 0);
	reg_txn_abort(&txn);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*buf;
	long	 n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert(n >= 0);
	rewind(f);
	ck_assert_ptr_nonnull(buf = malloc((size_t)n + 1));
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int
file_holds(const char *path, const void *needle, size_t nlen)
{
	size_t	 len;
	char	*buf = slurp(path, &len);
	int	 found = memmem(buf, len, needle, nlen) != NULL;

	free(buf);
	return found;
}

START_TEST(test_state_names)
{
	ck_assert_str_eq(enroll_state_str(ENROLL_NEW), "new");
	ck_assert_str_eq(enroll_state_str(ENROLL_ENROLLING), "enrolling");
	ck_assert_str_eq(enroll_state_str(ENROLL_PROVISIONED), "provisioned");
	ck_assert_str_eq(enroll_state_str(ENROLL_SUSPECT), "suspect");
	ck_assert_str_eq(enroll_state_str(ENROLL_STATE_COUNT), "unknown");
	ck_assert_str_eq(enroll_event_str(EV_WINDOW_OPENED), "window-opened");
	ck_assert_str_eq(enroll_event_str(EV_WINDOW_CLOSED), "window-closed");
	ck_assert_str_eq(enroll_event_str(EV_FA_HANDED),
	    "first-access-handed");
	ck_assert_str_eq(enroll_event_str(EV_FA_USED), "first-access-used");
	ck_assert_str_eq(enroll_event_str(EV_PROVISIONED), "provisioned");
	ck_assert_str_eq(enroll_event_str(EV_REFUSED), "refused");
	ck_assert_str_eq(enroll_event_str(EV_DUPLICATE_MAC), "duplicate-mac");
	ck_assert_str_eq(enroll_event_str(EV_SUSPECT), "suspect");
	ck_assert_str_eq(enroll_event_str(EV_CLEARED), "cleared");
	ck_assert_str_eq(enroll_event_str(EV_ROTATED), "rotated");
	ck_assert_str_eq(enroll_event_str(EV_COUNT), "unknown");
	ck_assert_str_eq(enroll_event_str((enum enroll_event)-1), "unknown");
}
END_TEST

/*
 * Records.
 */

/* Every field comes back as stored; the token index follows the token. */
START_TEST(test_record_round_trip)
{
	struct reg_txn		txn;
	struct reg_enroll	e, back;
	struct mac_addr		m = mac(MAC_1), found;
	char			tok[TOKEN_LEN + 1], tok2[TOKEN_LEN + 1];

	ck_assert_int_eq(token_generate(tok), 0);
	ck_assert_int_eq(token_generate(tok2), 0);
	ck_assert_int_eq(get(MAC_1, &back), REG_NOTFOUND);

	memset(&e, 0, sizeof(e));
	e.mac = m;
	e.state = ENROLL_ENROLLING;
	e.since = T0 - 5;
	e.window_until = T0 + 3600;
	memcpy(e.fa_token, tok, sizeof(tok));
	memcpy(e.id, ID_A, sizeof(ID_A));
	e.id_len = sizeof(ID_A);
	e.fa_ip = IP_A;
	e.fa_handed = T0 - 3;
	e.fa_fetched = T0 - 2;
	e.token_seen = T0 - 1;
	wbegin(&txn);
	ck_assert_int_eq(reg_enroll_put(&txn, &e), 0);
	commit(&txn);

	ck_assert_int_eq(get(MAC_1, &back), 0);
	ck_assert_int_eq(mac_cmp(&back.mac, &m), 0);
	ck_assert_int_eq(back.state, ENROLL_ENROLLING);
	ck_assert_int_eq(back.since, T0 - 5);
	ck_assert_int_eq(back.window_until, T0 + 3600);
	ck_assert_str_eq(back.fa_token, tok);
	ck_assert_uint_eq(back.id_len, sizeof(ID_A));
	ck_assert_mem_eq(back.id, ID_A, sizeof(ID_A));
	ck_assert_uint_eq(back.fa_ip, IP_A);
	ck_assert_int_eq(back.fa_handed, T0 - 3);
	ck_assert_int_eq(back.fa_fetched, T0 - 2);
	ck_assert_int_eq(back.token_seen, T0 - 1);
	ck_assert_int_eq(back.secrets_sealed, 0);
	reg_enroll_clear(&back);

	/* The index finds the device by its token, and only by it. */
	ck_assert_int_eq(fa_owner(tok, &found), 0);
	ck_assert_int_eq(mac_cmp(&found, &m), 0);
	ck_assert_int_eq(fa_owner(tok2, &found), REG_NOTFOUND);
	/* Not a token's shape: not even looked up. */
	ck_assert_int_eq(fa_owner("short", &found), REG_NOTFOUND);

	/* A new token replaces the old one in the index. */
	memcpy(e.fa_token, tok2, sizeof(tok2));
	wbegin(&txn);
	ck_assert_int_eq(reg_enroll_put(&txn, &e), 0);
	ck_assert_int_eq(reg_count(&txn, REG_T_FA_TOKENS), 1);
	commit(&txn);
	ck_assert_int_eq(fa_owner(tok, &found), REG_NOTFOUND);
	ck_assert_int_eq(fa_owner(tok2, &found), 0);
	ck_assert_int_eq(mac_cmp(&found, &m), 0);
	/* Stored again unchanged: still one entry. */
	wbegin(&txn);
	ck_assert_int_eq(reg_enroll_put(&txn, &e), 0);
	ck_assert_int_eq(reg_count(&txn, REG_T_FA_TOKENS), 1);
	commit(&txn);

	/* No token: no entry. */
	e.fa_token[0] = '\0';
	wbegin(&txn);
	ck_assert_int_eq(reg_enroll_put(&txn, &e), 0);
	ck_assert_int_eq(reg_count(&txn, REG_T_FA_TOKENS), 0);
	commit(&txn);
	ck_assert_int_eq(fa_owner(tok2, &found), REG_NOTFOUND);
	ck_assert_int_eq(get(MAC_1, &back), 0);
	ck_assert_str_eq(back.fa_token, "");
	ck_assert_int_eq(back.state, ENROLL_ENROLLING);

	/* Deleted with its entry. */
	memcpy(e.fa_token, tok, sizeof(tok));
	wbegin(&txn);
	ck_assert_int_eq(reg_enroll_put(&txn, &e), 0);
	ck_assert_int_eq(reg_enroll_del(&txn, &m), 0);
	ck_assert_int_eq(reg_count(&txn, REG_T_FA_TOKENS), 0);
	ck_assert_int_eq(reg_count(&txn, REG_T_ENROLL), 0);
	/* Deleting nothing is no error. */
	ck_assert_int_eq(reg_enroll_del(&txn, &m), 0);
	commit(&txn);
	ck_assert_int_eq(fa_owner(tok, &found), REG_NOTFOUND);
	ck_assert_int_eq(get(MAC_1, &back), REG_NOTFOUND);
}
END_TEST

/* What does not fit a record is refused, and nothing lands. */
START_TEST(test_record_refused)
{
	struct reg_txn		txn;
	struct reg_enroll	e;

	memset(&e, 0, sizeof(e));
	e.mac = mac(MAC_1);
	e.state = ENROLL_STATE_COUNT;
	wbegin(&txn);
	ck_assert_int_eq(reg_enroll_put(&txn, &e), -1);
	ck_assert_int_eq(txn.err, REG_EINVAL);
	reg_txn_abort(&txn);

	e.state = ENROLL_ENROLLING;
	snprintf(e.fa_token, sizeof(e.fa_token), "not a token");
	wbegin(&txn);
	ck_assert_int_eq(reg_enroll_put(&txn, &e), -1);
	ck_assert_int_eq(txn.err, REG_EINVAL);
	reg_txn_abort(&txn);

	e.fa_token[0] = '\0';
	e.id_len = REG_CLIENT_KEY_MAX + 1;
	wbegin(&txn);
	ck_assert_int_eq(reg_enroll_put(&txn, &e), -1);
	ck_assert_int_eq(txn.err, REG_EINVAL);
	reg_txn_abort(&txn);

	/* A copy whose token could not be read is never written back. */
	e.id_len = 0;
	e.secrets_sealed = REG_SEALED_NO_KEY;
	wbegin(&txn);
	ck_assert_int_eq(reg_enroll_put(&txn, &e), -1);
	ck_assert_int_eq(txn.err, REG_EINVAL);
	reg_txn_abort(&txn);

	/* The largest identity fits. */
	e.secrets_sealed = 0;
	e.id_len = REG_CLIENT_KEY_MAX;
	memset(e.id, 0x5a, sizeof(e.id));
	ck_assert_int_eq(token_generate(e.fa_token), 0);
	wbegin(&txn);
	ck_assert_int_eq(reg_enroll_put(&txn, &e), 0);
	commit(&txn);
	reg_enroll_clear(&e);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_uint_eq(e.id_len, REG_CLIENT_KEY_MAX);
	ck_assert_uint_eq(e.id[REG_CLIENT_KEY_MAX - 1], 0x5a);
	reg_enroll_clear(&e);
}
END_TEST

/*
 * The first-access token is sealed at rest: not in the file, and a reader
 * without the key gets the record without it (the index still works:
 * it holds only the token's hash).
 */
START_TEST(test_token_sealed)
{
	struct reg_txn		 txn;
	struct reg_enroll	 e;
	struct reg		*r = NULL;
	struct mac_addr		 found, m = mac(MAC_1);
	char			 fa[TOKEN_LEN + 1], err[512];
	char			*path, *key, *moved, *data;

	open_window(MAC_1, T0, 600, fa);
	ck_assert_int_eq(mac_parse(MAC_1, &found), 0);
	{
		struct enroll_op op;

		op_set(&op, EOP_HANDED, MAC_1, IP_A, ID_A, sizeof(ID_A));
		ck_assert_int_eq(apply(&op, T0 + 1, NULL), 1);
	}
	reg_close(reg);
	reg = NULL;
	ck_assert(asprintf(&path, "%s/reg", dir) > 0);
	ck_assert(asprintf(&data, "%s/reg/data.mdb", dir) > 0);
	ck_assert(asprintf(&key, "%s/reg/%s", dir, SECRET_KEY_FILE) > 0);
	ck_assert(asprintf(&moved, "%s/key.moved", dir) > 0);
	ck_assert(!file_holds(data, fa, TOKEN_LEN));
	/* Not even half of it. */
	ck_assert(!file_holds(data, fa, TOKEN_LEN / 2));
	ck_assert(!file_holds(data, fa + TOKEN_LEN / 2, TOKEN_LEN / 2));
	/* (The identity is no secret: it is there, so the search works.) */
	ck_assert(file_holds(data, ID_A, sizeof(ID_A)));

	ck_assert_int_eq(rename(key, moved), 0);
	ck_assert_int_eq(reg_open(path, 16 << 20, REG_RDONLY, &r, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(reg_has_secret_key(r), 0);
	ck_assert_int_eq(reg_txn_begin(r, &txn, 1), 0);
	ck_assert_int_eq(reg_enroll_get(&txn, &m, &e), 0);
	ck_assert_int_eq(e.secrets_sealed, REG_SEALED_NO_KEY);
	ck_assert_str_eq(e.fa_token, "");
	/* Everything else is readable. */
	ck_assert_int_eq(e.state, ENROLL_ENROLLING);
	ck_assert_int_eq(e.window_until, T0 + 600);
	ck_assert_uint_eq(e.id_len, sizeof(ID_A));
	ck_assert_mem_eq(e.id, ID_A, sizeof(ID_A));
	ck_assert_uint_eq(e.fa_ip, IP_A);
	/* A token that cannot be read cannot be live. */
	ck_assert_int_eq(enroll_fa_live(&e, T0 + 10, 900), 0);
	memset(&found, 0, sizeof(found));
	ck_assert_int_eq(reg_fa_lookup(&txn, fa, strlen(fa), &found), 0);
	ck_assert_int_eq(mac_cmp(&found, &m), 0);
	reg_txn_abort(&txn);
	reg_close(r);

	ck_assert_int_eq(rename(moved, key), 0);
	reg = open_reg("reg");
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_str_eq(e.fa_token, fa);
	ck_assert_int_eq(enroll_fa_live(&e, T0 + 10, 900), 1);
	reg_enroll_clear(&e);
	free(path);
	free(data);
	free(key);
	free(moved);
}
END_TEST

/*
 * History.
 */

static void
add_event(const char *m, time_t t, enum enroll_event kind, uint32_t ip,
    const char *detail)
{
	struct reg_txn		txn;
	struct reg_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.mac = mac(m);
	ev.time = t;
	ev.kind = (uint8_t)kind;
	ev.ip = ip;
	snprintf(ev.detail, sizeof(ev.detail), "%s", detail);
	wbegin(&txn);
	ck_assert_int_eq(reg_event_add(&txn, &ev), 0);
	commit(&txn);
}

/* The newest REG_HISTORY_MAX per device, newest first, each its own. */
START_TEST(test_events_newest_kept)
{
	struct evs	s;
	char		detail[REG_EVENT_DETAIL_MAX];

	ck_assert_int_eq(REG_HISTORY_MAX, 32);
	/* Neighbours on both sides of MAC_2 in key order. */
	add_event(MAC_1, T0, EV_CLEARED, 0, "one-before");
	add_event(MAC_3, T0, EV_CLEARED, 0, "three-before");
	for (int i = 0; i < 40; i++) {
		/* Long details: the device's events span several pages. */
		snprintf(detail, sizeof(detail), "%03d %0150d", i, i);
		add_event(MAC_2, T0 + i, (enum enroll_event)(1 + i % 10),
		    IP_A + (uint32_t)i, detail);
	}
	add_event(MAC_1, T0 + 100, EV_SUSPECT, IP_B, "one-after");
	add_event(MAC_3, T0 + 100, EV_SUSPECT, IP_B, "three-after");

	events(MAC_2, &s);
	ck_assert_uint_eq(s.n, REG_HISTORY_MAX);
	for (size_t k = 0; k < s.n; k++) {
		int i = 39 - (int)k;	/* newest first */

		ck_assert_int_eq(s.time[k], T0 + i);
		ck_assert_uint_eq(s.kind[k], 1 + i % 10);
		ck_assert_uint_eq(s.ip[k], IP_A + (uint32_t)i);
		snprintf(detail, sizeof(detail), "%03d %0150d", i, i);
		ck_assert_str_eq(s.detail[k], detail);
	}

	/* The neighbours kept theirs. */
	events(MAC_1, &s);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.detail[0], "one-after");
	ck_assert_uint_eq(s.kind[0], EV_SUSPECT);
	ck_assert_uint_eq(s.ip[0], IP_B);
	ck_assert_str_eq(s.detail[1], "one-before");
	events(MAC_3, &s);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.detail[0], "three-after");
	ck_assert_str_eq(s.detail[1], "three-before");
	events(MAC_NONE, &s);
	ck_assert_uint_eq(s.n, 0);

	/* A walk may stop early. */
	memset(&s, 0, sizeof(s));
	{
		struct reg_txn	txn;
		struct mac_addr	m = mac(MAC_2);

		s.stop_after = 3;
		ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
		ck_assert_int_eq(reg_event_foreach(&txn, &m, evs_visit, &s),
		    0);
		reg_txn_abort(&txn);
		ck_assert_uint_eq(s.n, 3);
		ck_assert_int_eq(s.time[2], T0 + 37);
	}

	/* Purged: that device's only. */
	{
		struct reg_txn	txn;
		struct mac_addr	m = mac(MAC_2);

		wbegin(&txn);
		ck_assert_int_eq(reg_event_purge(&txn, &m), 0);
		ck_assert_int_eq(reg_count(&txn, REG_T_HISTORY), 4);
		commit(&txn);
	}
	events(MAC_2, &s);
	ck_assert_uint_eq(s.n, 0);
	events(MAC_1, &s);
	ck_assert_uint_eq(s.n, 2);
	events(MAC_3, &s);
	ck_assert_uint_eq(s.n, 2);
	/* A purged device starts again. */
	add_event(MAC_2, T0 + 200, EV_WINDOW_OPENED, 0, "again");
	events(MAC_2, &s);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.detail[0], "again");
}
END_TEST

/* A walk's callback failing fails the walk. */
static int
fail_visit(const struct reg_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
	return -1;
}

START_TEST(test_events_walk_fails)
{
	struct reg_txn	txn;
	struct mac_addr	m = mac(MAC_1);

	add_event(MAC_1, T0, EV_CLEARED, 0, "x");
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	ck_assert_int_eq(reg_event_foreach(&txn, &m, fail_visit, NULL), -1);
	reg_txn_abort(&txn);
}
END_TEST

/*
 * The state machine.
 */

START_TEST(test_open_window)
{
	struct reg_enroll	e;
	struct evs		s;
	struct mac_addr		found;
	char			fa[TOKEN_LEN + 1], fa2[TOKEN_LEN + 1];

	open_window(MAC_1, T0, 600, fa);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_ENROLLING);
	ck_assert_int_eq(e.since, T0);
	ck_assert_int_eq(e.window_until, T0 + 600);
	ck_assert_uint_eq(e.id_len, 0);
	ck_assert_int_eq(e.fa_handed, 0);
	ck_assert_int_eq(e.fa_fetched, 0);
	reg_enroll_clear(&e);
	ck_assert_int_eq(fa_owner(fa, &found), 0);
	events(MAC_1, &s);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.kind[0], EV_WINDOW_OPENED);
	ck_assert_str_eq(s.detail[0], "for 600s");

	/* Opened again: a new token, the old one dead, the binding gone. */
	{
		struct enroll_op op;

		op_set(&op, EOP_HANDED, MAC_1, IP_A, ID_A, sizeof(ID_A));
		ck_assert_int_eq(apply(&op, T0 + 1, NULL), 1);
	}
	open_window(MAC_1, T0 + 10, 1200, fa2);
	ck_assert_str_ne(fa, fa2);
	ck_assert_int_eq(fa_owner(fa, &found), REG_NOTFOUND);
	ck_assert_int_eq(fa_owner(fa2, &found), 0);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.window_until, T0 + 10 + 1200);
	ck_assert_uint_eq(e.id_len, 0);
	ck_assert_uint_eq(e.fa_ip, 0);
	ck_assert_int_eq(e.fa_handed, 0);
	reg_enroll_clear(&e);

	/* Not for a MAC nobody registered: no record, no event. */
	{
		struct reg_txn		txn;
		struct reg_event	ev;
		struct mac_addr		m = mac(MAC_NONE);
		int			suspect;

		wbegin(&txn);
		ck_assert_int_eq(enroll_open(&txn, &m, T0, 600, &suspect, &ev),
		    -1);
		reg_txn_abort(&txn);
	}
	ck_assert_int_eq(get(MAC_NONE, &e), REG_NOTFOUND);
	events(MAC_NONE, &s);
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

/* EOP_HANDED binds the token to the first identity, and only that one. */
START_TEST(test_apply_handed)
{
	struct enroll_op	op;
	struct reg_event	ev;
	struct reg_enroll	e;
	struct evs		s;

	/* Not enrolling: nothing to hand out. */
	op_set(&op, EOP_HANDED, MAC_1, IP_A, ID_A, sizeof(ID_A));
	ck_assert_int_eq(apply(&op, T0, &ev), 0);
	ck_assert_int_eq(ev.kind, EV_NONE);
	ck_assert_int_eq(get(MAC_1, &e), REG_NOTFOUND);

	open_window(MAC_1, T0, 600, NULL);
	/* No identity: nothing bound. */
	op_set(&op, EOP_HANDED, MAC_1, IP_A, NULL, 0);
	ck_assert_int_eq(apply(&op, T0 + 1, NULL), 0);

	op_set(&op, EOP_HANDED, MAC_1, IP_A, ID_A, sizeof(ID_A));
	ck_assert_int_eq(apply(&op, T0 + 2, &ev), 1);
	ck_assert_int_eq(ev.kind, EV_FA_HANDED);
	ck_assert_uint_eq(ev.ip, IP_A);
	ck_assert_str_eq(ev.detail, "to id 01:80:5e:c0:00:00:01");
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_uint_eq(e.id_len, sizeof(ID_A));
	ck_assert_mem_eq(e.id, ID_A, sizeof(ID_A));
	ck_assert_uint_eq(e.fa_ip, IP_A);
	ck_assert_int_eq(e.fa_handed, T0 + 2);
	ck_assert_int_eq(enroll_id_is(&e, ID_A, sizeof(ID_A)), 1);
	reg_enroll_clear(&e);

	/* Another identity does not rebind it. */
	op_set(&op, EOP_HANDED, MAC_1, IP_B, ID_B, sizeof(ID_B));
	ck_assert_int_eq(apply(&op, T0 + 3, &ev), 0);
	ck_assert_int_eq(ev.kind, EV_NONE);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_mem_eq(e.id, ID_A, sizeof(ID_A));
	ck_assert_uint_eq(e.fa_ip, IP_A);
	reg_enroll_clear(&e);
	/* The same identity at the same address: nothing new. */
	op_set(&op, EOP_HANDED, MAC_1, IP_A, ID_A, sizeof(ID_A));
	ck_assert_int_eq(apply(&op, T0 + 4, NULL), 0);
	/* At a new address: noted (the lease moved), still bound. */
	op_set(&op, EOP_HANDED, MAC_1, IP_B, ID_A, sizeof(ID_A));
	ck_assert_int_eq(apply(&op, T0 + 5, &ev), 1);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_uint_eq(e.fa_ip, IP_B);
	ck_assert_int_eq(e.fa_handed, T0 + 2);	/* the first time */
	ck_assert_mem_eq(e.id, ID_A, sizeof(ID_A));
	reg_enroll_clear(&e);

	/* After the window: nothing. */
	op_set(&op, EOP_HANDED, MAC_1, IP_A, ID_A, sizeof(ID_A));
	ck_assert_int_eq(apply(&op, T0 + 600, NULL), 0);

	events(MAC_1, &s);
	ck_assert_uint_eq(s.n, 3);	/* opened, handed, handed */
	ck_assert_uint_eq(s.kind[0], EV_FA_HANDED);
	ck_assert_uint_eq(s.kind[1], EV_FA_HANDED);
	ck_assert_uint_eq(s.kind[2], EV_WINDOW_OPENED);

	/* A MAC nobody registered never gets a record. */
	op_set(&op, EOP_HANDED, MAC_NONE, IP_A, ID_A, sizeof(ID_A));
	ck_assert_int_eq(apply(&op, T0, NULL), 0);
	ck_assert_int_eq(get(MAC_NONE, &e), REG_NOTFOUND);
}
END_TEST

/* EOP_DUPLICATE: suspect, the token gone; once. */
START_TEST(test_apply_duplicate)
{
	struct enroll_op	op;
	struct reg_event	ev;
	struct reg_enroll	e;
	struct mac_addr		found;
	struct evs		s;
	char			fa[TOKEN_LEN + 1];

	open_window(MAC_1, T0, 600, fa);
	op_set(&op, EOP_DUPLICATE, MAC_1, IP_B, ID_B, sizeof(ID_B));
	snprintf(op.detail, sizeof(op.detail), "duplicate MAC: x");
	ck_assert_int_eq(apply(&op, T0 + 5, &ev), 1);
	ck_assert_int_eq(ev.kind, EV_SUSPECT);
	ck_assert_uint_eq(ev.ip, IP_B);
	ck_assert_str_eq(ev.detail, "duplicate MAC: x");
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_SUSPECT);
	ck_assert_int_eq(e.since, T0 + 5);
	ck_assert_str_eq(e.fa_token, "");
	ck_assert_int_eq(enroll_state_at(&e, T0 + 6), ENROLL_SUSPECT);
	ck_assert_int_eq(enroll_fa_live(&e, T0 + 6, 900), 0);
	reg_enroll_clear(&e);
	ck_assert_int_eq(fa_owner(fa, &found), REG_NOTFOUND);

	/* Already suspect: nothing written. */
	ck_assert_int_eq(apply(&op, T0 + 6, &ev), 0);
	ck_assert_int_eq(ev.kind, EV_NONE);
	events(MAC_1, &s);
	ck_assert_uint_eq(s.n, 2);	/* opened, suspect */

	/* A new device can turn suspect too (no record before). */
	op_set(&op, EOP_DUPLICATE, MAC_2, IP_B, ID_B, sizeof(ID_B));
	ck_assert_int_eq(apply(&op, T0, NULL), 1);
	ck_assert_int_eq(get(MAC_2, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_SUSPECT);
	/* A provisioned one too. */
	op_set(&op, EOP_PROVISIONED, MAC_3, IP_A, ID_A, sizeof(ID_A));
	ck_assert_int_eq(apply(&op, T0, NULL), 1);
	op_set(&op, EOP_DUPLICATE, MAC_3, IP_B, ID_B, sizeof(ID_B));
	ck_assert_int_eq(apply(&op, T0 + 1, NULL), 1);
	ck_assert_int_eq(get(MAC_3, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_SUSPECT);
}
END_TEST

/* EOP_FETCHED: the first credential fetch, once, while enrolling. */
START_TEST(test_apply_fetched)
{
	struct enroll_op	op;
	struct reg_event	ev;
	struct reg_enroll	e;

	op_set(&op, EOP_FETCHED, MAC_1, IP_A, ID_A, sizeof(ID_A));
	ck_assert_int_eq(apply(&op, T0, NULL), 0);
	ck_assert_int_eq(get(MAC_1, &e), REG_NOTFOUND);

	open_window(MAC_1, T0, 600, NULL);
	ck_assert_int_eq(apply(&op, T0 + 20, &ev), 1);
	ck_assert_int_eq(ev.kind, EV_FA_USED);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.fa_fetched, T0 + 20);
	reg_enroll_clear(&e);
	ck_assert_int_eq(apply(&op, T0 + 30, &ev), 0);
	ck_assert_int_eq(ev.kind, EV_NONE);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.fa_fetched, T0 + 20);
	reg_enroll_clear(&e);

	/* Not once the window has closed. */
	open_window(MAC_2, T0, 600, NULL);
	op_set(&op, EOP_FETCHED, MAC_2, IP_A, ID_A, sizeof(ID_A));
	ck_assert_int_eq(apply(&op, T0 + 600, NULL), 0);
	ck_assert_int_eq(get(MAC_2, &e), 0);
	ck_assert_int_eq(e.fa_fetched, 0);
	reg_enroll_clear(&e);
}
END_TEST

/* EOP_PROVISIONED: from new and from enrolling; never from suspect. */
START_TEST(test_apply_provisioned)
{
	struct enroll_op	op;
	struct reg_event	ev;
	struct reg_enroll	e;
	struct mac_addr		found;
	char			fa[TOKEN_LEN + 1];

	/* New (no record): provisioned, bound to the identity it used. */
	op_set(&op, EOP_PROVISIONED, MAC_1, IP_A, ID_A, sizeof(ID_A));
	op.token_created = T0 - 1000;
	ck_assert_int_eq(apply(&op, T0, &ev), 1);
	ck_assert_int_eq(ev.kind, EV_PROVISIONED);
	ck_assert_uint_eq(ev.ip, IP_A);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_PROVISIONED);
	ck_assert_int_eq(e.since, T0);
	ck_assert_uint_eq(e.id_len, sizeof(ID_A));
	ck_assert_mem_eq(e.id, ID_A, sizeof(ID_A));
	reg_enroll_clear(&e);
	/* Twice: nothing more. */
	ck_assert_int_eq(apply(&op, T0 + 1, &ev), 0);
	ck_assert_int_eq(ev.kind, EV_NONE);

	/* Enrolling, bound to ID_A: the token dies, the binding stays. */
	open_window(MAC_2, T0, 600, fa);
	op_set(&op, EOP_HANDED, MAC_2, IP_A, ID_A, sizeof(ID_A));
	ck_assert_int_eq(apply(&op, T0 + 1, NULL), 1);
	op_set(&op, EOP_PROVISIONED, MAC_2, IP_A, ID_B, sizeof(ID_B));
	op.token_created = T0 - 1000;
	ck_assert_int_eq(apply(&op, T0 + 2, NULL), 1);
	ck_assert_int_eq(get(MAC_2, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_PROVISIONED);
	ck_assert_int_eq(e.window_until, 0);
	ck_assert_str_eq(e.fa_token, "");
	ck_assert_mem_eq(e.id, ID_A, sizeof(ID_A));
	ck_assert_int_eq(enroll_fa_live(&e, T0 + 3, 900), 0);
	reg_enroll_clear(&e);
	ck_assert_int_eq(fa_owner(fa, &found), REG_NOTFOUND);

	/* Suspect: stays suspect. */
	op_set(&op, EOP_DUPLICATE, MAC_3, IP_B, ID_B, sizeof(ID_B));
	ck_assert_int_eq(apply(&op, T0, NULL), 1);
	op_set(&op, EOP_PROVISIONED, MAC_3, IP_A, ID_A, sizeof(ID_A));
	op.token_created = T0 - 1000;
	ck_assert_int_eq(apply(&op, T0 + 1, &ev), 0);
	ck_assert_int_eq(ev.kind, EV_NONE);
	ck_assert_int_eq(get(MAC_3, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_SUSPECT);
	ck_assert_uint_eq(e.id_len, 0);
	reg_enroll_clear(&e);
}
END_TEST

/* EOP_REFUSED: an event in the device's history, nothing else. */
START_TEST(test_apply_refused)
{
	struct enroll_op	op;
	struct reg_event	ev;
	struct reg_enroll	e, e2;
	struct evs		s;
	char			fa[TOKEN_LEN + 1];

	open_window(MAC_1, T0, 600, fa);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	op_set(&op, EOP_REFUSED, MAC_1, IP_B, NULL, 0);
	snprintf(op.detail, sizeof(op.detail), "first-access URL from "
	    "elsewhere: 805ec0000001.cfg");
	ck_assert_int_eq(apply(&op, T0 + 9, &ev), 1);
	ck_assert_int_eq(ev.kind, EV_REFUSED);
	ck_assert_uint_eq(ev.ip, IP_B);
	ck_assert_int_eq(ev.time, T0 + 9);
	ck_assert_str_eq(ev.detail, op.detail);
	ck_assert_int_eq(get(MAC_1, &e2), 0);
	ck_assert_int_eq(e2.state, e.state);
	ck_assert_int_eq(e2.since, e.since);
	ck_assert_str_eq(e2.fa_token, fa);
	ck_assert_uint_eq(e2.id_len, 0);
	reg_enroll_clear(&e);
	reg_enroll_clear(&e2);
	events(MAC_1, &s);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.kind[0], EV_REFUSED);
	ck_assert_str_eq(s.detail[0], op.detail);

	/*
	 * The same refusal in a loop: one event a minute, so a replayed URL
	 * cannot push the events that matter out of the history.
	 */
	for (int i = 1; i <= 40; i++)
		ck_assert_int_eq(apply(&op, T0 + 9 + i, NULL), 0);
	events(MAC_1, &s);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.kind[1], EV_WINDOW_OPENED);
	ck_assert_int_eq(apply(&op, T0 + 9 + ENROLL_REFUSED_QUIET, NULL), 1);
	events(MAC_1, &s);
	ck_assert_uint_eq(s.n, 3);

	/* For a new device: the event, still no record. */
	op_set(&op, EOP_REFUSED, MAC_2, IP_B, NULL, 0);
	ck_assert_int_eq(apply(&op, T0, NULL), 1);
	ck_assert_int_eq(get(MAC_2, &e), REG_NOTFOUND);
	events(MAC_2, &s);
	ck_assert_uint_eq(s.n, 1);
	/* For nobody's MAC: nothing at all. */
	op_set(&op, EOP_REFUSED, MAC_NONE, IP_B, NULL, 0);
	ck_assert_int_eq(apply(&op, T0, NULL), 0);
	events(MAC_NONE, &s);
	ck_assert_uint_eq(s.n, 0);
	/* EOP_NONE: nothing. */
	op_set(&op, EOP_NONE, MAC_1, IP_B, NULL, 0);
	ck_assert_int_eq(apply(&op, T0, &ev), 0);
	ck_assert_int_eq(ev.kind, EV_NONE);
}
END_TEST

/* A suspect device gets no window (enroll_open says so); clear ends it. */
START_TEST(test_suspect_open_clear)
{
	struct reg_txn		txn;
	struct reg_event	ev;
	struct reg_enroll	e;
	struct enroll_op	op;
	struct mac_addr		m = mac(MAC_1);
	struct evs		s;
	int			suspect = -1;

	op_set(&op, EOP_DUPLICATE, MAC_1, IP_B, ID_B, sizeof(ID_B));
	ck_assert_int_eq(apply(&op, T0, NULL), 1);
	wbegin(&txn);
	ck_assert_int_eq(enroll_open(&txn, &m, T0 + 1, 600, &suspect, &ev),
	    0);
	ck_assert_int_eq(suspect, 1);
	ck_assert_int_eq(ev.kind, EV_NONE);
	commit(&txn);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_SUSPECT);
	ck_assert_str_eq(e.fa_token, "");
	ck_assert_int_eq(e.since, T0);
	reg_enroll_clear(&e);
	wbegin(&txn);
	ck_assert_int_eq(reg_count(&txn, REG_T_FA_TOKENS), 0);
	reg_txn_abort(&txn);

	/* Cleared: new, with no binding; a window opens again. */
	wbegin(&txn);
	ck_assert_int_eq(enroll_clear(&txn, &m, T0 + 2, &ev), 1);
	commit(&txn);
	ck_assert_int_eq(ev.kind, EV_CLEARED);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_NEW);
	ck_assert_int_eq(e.since, T0 + 2);
	ck_assert_uint_eq(e.id_len, 0);
	reg_enroll_clear(&e);
	events(MAC_1, &s);
	ck_assert_uint_eq(s.kind[0], EV_CLEARED);
	ck_assert_str_eq(s.detail[0], "by the admin");
	/* Not suspect: nothing to clear. */
	wbegin(&txn);
	ck_assert_int_eq(enroll_clear(&txn, &m, T0 + 3, &ev), 0);
	ck_assert_int_eq(ev.kind, EV_NONE);
	m = mac(MAC_2);
	ck_assert_int_eq(enroll_clear(&txn, &m, T0 + 3, &ev), 0);
	commit(&txn);
	open_window(MAC_1, T0 + 4, 600, NULL);
}
END_TEST

START_TEST(test_close_window)
{
	struct reg_txn		txn;
	struct reg_event	ev;
	struct reg_enroll	e;
	struct mac_addr		m = mac(MAC_1), found;
	char			fa[TOKEN_LEN + 1];

	open_window(MAC_1, T0, 600, fa);
	wbegin(&txn);
	ck_assert_int_eq(enroll_close(&txn, &m, T0 + 5, &ev), 1);
	commit(&txn);
	ck_assert_int_eq(ev.kind, EV_WINDOW_CLOSED);
	ck_assert_str_eq(ev.detail, "closed");
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_NEW);
	ck_assert_int_eq(e.window_until, 0);
	ck_assert_str_eq(e.fa_token, "");
	reg_enroll_clear(&e);
	ck_assert_int_eq(fa_owner(fa, &found), REG_NOTFOUND);
	/* None open: nothing. */
	wbegin(&txn);
	ck_assert_int_eq(enroll_close(&txn, &m, T0 + 6, &ev), 0);
	m = mac(MAC_2);
	ck_assert_int_eq(enroll_close(&txn, &m, T0 + 6, &ev), 0);
	commit(&txn);
}
END_TEST

struct swept {
	size_t		 n;
	struct mac_addr	 mac[128];
	uint8_t		 kind[128];
	char		 detail[128][REG_EVENT_DETAIL_MAX];
};

static void
on_swept(const struct reg_event *ev, void *arg)
{
	struct swept *s = arg;

	ck_assert_uint_lt(s->n, 128);
	s->mac[s->n] = ev->mac;
	s->kind[s->n] = ev->kind;
	snprintf(s->detail[s->n], sizeof(s->detail[0]), "%s", ev->detail);
	s->n++;
}

/* The sweep closes the windows that ended, and only those. */
START_TEST(test_sweep)
{
	struct reg_txn		txn;
	struct reg_enroll	e;
	struct enroll_op	op;
	struct mac_addr		found, m1 = mac(MAC_1), m3 = mac(MAC_3);
	struct swept		s;
	struct evs		ev;
	char			fa1[TOKEN_LEN + 1], fa2[TOKEN_LEN + 1];
	char			fa3[TOKEN_LEN + 1];

	open_window(MAC_1, T0 - 600, 600, fa1);	/* ends at T0 */
	open_window(MAC_2, T0 - 599, 600, fa2);	/* ends at T0 + 1 */
	open_window(MAC_3, T0 - 9000, 600, fa3);	/* ended long ago */
	op_set(&op, EOP_PROVISIONED, MAC_2, IP_A, ID_A, sizeof(ID_A));
	memset(&s, 0, sizeof(s));
	wbegin(&txn);
	ck_assert_int_eq(enroll_sweep(&txn, T0, on_swept, &s), 2);
	commit(&txn);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(mac_cmp(&s.mac[0], &m1), 0);	/* MAC order */
	ck_assert_int_eq(mac_cmp(&s.mac[1], &m3), 0);
	ck_assert_uint_eq(s.kind[0], EV_WINDOW_CLOSED);
	ck_assert_str_eq(s.detail[0], "expired");
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_NEW);
	ck_assert_int_eq(e.since, T0);
	ck_assert_str_eq(e.fa_token, "");
	reg_enroll_clear(&e);
	ck_assert_int_eq(fa_owner(fa1, &found), REG_NOTFOUND);
	ck_assert_int_eq(fa_owner(fa3, &found), REG_NOTFOUND);
	/* The open one is untouched. */
	ck_assert_int_eq(get(MAC_2, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_ENROLLING);
	ck_assert_str_eq(e.fa_token, fa2);
	reg_enroll_clear(&e);
	ck_assert_int_eq(fa_owner(fa2, &found), 0);
	events(MAC_1, &ev);
	ck_assert_uint_eq(ev.n, 2);
	ck_assert_uint_eq(ev.kind[0], EV_WINDOW_CLOSED);
	events(MAC_2, &ev);
	ck_assert_uint_eq(ev.n, 1);

	/* Nothing left to close, and no callback needed. */
	wbegin(&txn);
	ck_assert_int_eq(enroll_sweep(&txn, T0, NULL, NULL), 0);
	commit(&txn);
	/* A provisioned or suspect device has no window to close. */
	ck_assert_int_eq(apply(&op, T0, NULL), 1);
	op_set(&op, EOP_DUPLICATE, MAC_1, IP_B, ID_B, sizeof(ID_B));
	ck_assert_int_eq(apply(&op, T0, NULL), 1);
	memset(&s, 0, sizeof(s));
	wbegin(&txn);
	ck_assert_int_eq(enroll_sweep(&txn, T0 + 10000, on_swept, &s), 0);
	commit(&txn);
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

/* More ended windows than one round of the sweep holds. */
START_TEST(test_sweep_many)
{
	struct reg_txn		txn;
	struct swept		s;
	struct reg_enroll	e;
	struct mac_addr		m;
	char			name[MAC_STR_LEN];

	for (int i = 0; i < 100; i++) {
		m = mac("00:04:13:00:00:00");
		m.b[4] = (uint8_t)(i >> 8);
		m.b[5] = (uint8_t)i;
		add_device(reg, &m, "carol");
		open_window(mac_format(&m, name), T0 - 100, 50, NULL);
	}
	memset(&s, 0, sizeof(s));
	wbegin(&txn);
	ck_assert_int_eq(enroll_sweep(&txn, T0, on_swept, &s), 100);
	ck_assert_int_eq(reg_count(&txn, REG_T_FA_TOKENS), 0);
	commit(&txn);
	ck_assert_uint_eq(s.n, 100);
	for (size_t i = 1; i < s.n; i++)
		for (size_t k = 0; k < i; k++)
			ck_assert_int_ne(mac_cmp(&s.mac[i], &s.mac[k]), 0);
	ck_assert_int_eq(get("00:04:13:00:00:63", &e), 0);
	ck_assert_int_eq(e.state, ENROLL_NEW);
	reg_enroll_clear(&e);
}
END_TEST

/*
 * The helpers.
 */

START_TEST(test_state_at_boundaries)
{
	struct reg_enroll e;

	memset(&e, 0, sizeof(e));
	e.state = ENROLL_ENROLLING;
	e.window_until = T0;
	ck_assert_int_eq(enroll_state_at(&e, T0 - 1), ENROLL_ENROLLING);
	/* The window's last second is window_until - 1. */
	ck_assert_int_eq(enroll_state_at(&e, T0), ENROLL_NEW);
	ck_assert_int_eq(enroll_state_at(&e, T0 + 1), ENROLL_NEW);
	e.state = ENROLL_PROVISIONED;
	ck_assert_int_eq(enroll_state_at(&e, T0 + 1), ENROLL_PROVISIONED);
	e.state = ENROLL_SUSPECT;
	ck_assert_int_eq(enroll_state_at(&e, T0 + 1), ENROLL_SUSPECT);
	e.state = ENROLL_NEW;
	ck_assert_int_eq(enroll_state_at(&e, T0 - 1), ENROLL_NEW);
}
END_TEST

START_TEST(test_fa_live_boundaries)
{
	struct reg_enroll e;

	memset(&e, 0, sizeof(e));
	e.state = ENROLL_ENROLLING;
	e.window_until = T0 + 3600;
	ck_assert_int_eq(token_generate(e.fa_token), 0);
	ck_assert_int_eq(enroll_fa_live(&e, T0, 900), 1);
	ck_assert_int_eq(enroll_fa_live(&e, T0 + 3599, 900), 1);
	ck_assert_int_eq(enroll_fa_live(&e, T0 + 3600, 900), 0);
	/* Fetched at T0 + 100: open until T0 + 999. */
	e.fa_fetched = T0 + 100;
	ck_assert_int_eq(enroll_fa_live(&e, T0 + 999, 900), 1);
	ck_assert_int_eq(enroll_fa_live(&e, T0 + 1000, 900), 0);
	/* Whichever ends first. */
	e.fa_fetched = T0 + 3000;
	ck_assert_int_eq(enroll_fa_live(&e, T0 + 3599, 900), 1);
	ck_assert_int_eq(enroll_fa_live(&e, T0 + 3600, 900), 0);
	e.fa_fetched = 0;
	/* No token, a token unread, or no window: never live. */
	e.fa_token[0] = '\0';
	ck_assert_int_eq(enroll_fa_live(&e, T0, 900), 0);
	ck_assert_int_eq(token_generate(e.fa_token), 0);
	e.secrets_sealed = REG_SEALED_OTHER_KEY;
	ck_assert_int_eq(enroll_fa_live(&e, T0, 900), 0);
	e.secrets_sealed = 0;
	e.state = ENROLL_PROVISIONED;
	ck_assert_int_eq(enroll_fa_live(&e, T0, 900), 0);
	e.state = ENROLL_SUSPECT;
	ck_assert_int_eq(enroll_fa_live(&e, T0, 900), 0);
	e.state = ENROLL_NEW;
	ck_assert_int_eq(enroll_fa_live(&e, T0, 900), 0);
	reg_enroll_clear(&e);
}
END_TEST

START_TEST(test_id_is)
{
	struct reg_enroll e;

	memset(&e, 0, sizeof(e));
	/* Unbound: no identity is it, not even the empty one. */
	ck_assert_int_eq(enroll_id_is(&e, ID_A, sizeof(ID_A)), 0);
	ck_assert_int_eq(enroll_id_is(&e, ID_A, 0), 0);
	memcpy(e.id, ID_A, sizeof(ID_A));
	e.id_len = sizeof(ID_A);
	ck_assert_int_eq(enroll_id_is(&e, ID_A, sizeof(ID_A)), 1);
	ck_assert_int_eq(enroll_id_is(&e, ID_A, sizeof(ID_A) - 1), 0);
	/* The same bytes under another kind: another identity. */
	ck_assert_int_eq(enroll_id_is(&e, ID_B, sizeof(ID_B)), 0);
}
END_TEST

START_TEST(test_id_str)
{
	uint8_t	long_id[1 + 20];
	char	buf[64], small[12];

	ck_assert_str_eq(enroll_id_str(ID_A, sizeof(ID_A), buf, sizeof(buf)),
	    "id 01:80:5e:c0:00:00:01");
	/* 'H' keys: the hardware type, then chaddr. */
	ck_assert_str_eq(enroll_id_str(ID_B, sizeof(ID_B), buf, sizeof(buf)),
	    "hw 01:80:5e:c0:00:00:01");
	ck_assert_str_eq(enroll_id_str(NULL, 0, buf, sizeof(buf)), "-");
	/* Cut after 16 bytes. */
	long_id[0] = 'I';
	for (int i = 1; i < (int)sizeof(long_id); i++)
		long_id[i] = (uint8_t)i;
	ck_assert_str_eq(enroll_id_str(long_id, 17, buf, sizeof(buf)),
	    "id 01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10");
	ck_assert_str_eq(enroll_id_str(long_id, sizeof(long_id), buf,
	    sizeof(buf)),
	    "id 01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10...");
	/* A small buffer is never overrun, and always terminated. */
	memset(small, 'Z', sizeof(small));
	enroll_id_str(long_id, sizeof(long_id), small, 8);
	ck_assert_uint_lt(strlen(small), 8);
	ck_assert_int_eq(strncmp(small, "id 01", 5), 0);
	for (size_t i = 8; i < sizeof(small); i++)
		ck_assert_int_eq(small[i], 'Z');
	small[0] = 'Z';
	ck_assert_ptr_eq(enroll_id_str(ID_A, sizeof(ID_A), small, 0), small);
	ck_assert_int_eq(small[0], 'Z');
}
END_TEST

/*
 * Schema.
 */

static void
store_office(struct reg *r, uint32_t ip)
{
	struct reg_txn		txn;
	struct reg_user		u;
	struct reg_device	d;
	struct reg_lease	l;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "dave");
	snprintf(u.sip_user, sizeof(u.sip_user), "204");
	snprintf(u.sip_password, sizeof(u.sip_password), "pw-dave");
	snprintf(u.sip_server, sizeof(u.sip_server), "pbx");
	u.sip_port = 5060;
	ck_assert_int_eq(token_generate(u.token), 0);
	u.token_created = T0;
	memset(&d, 0, sizeof(d));
	d.mac = mac("00:04:13:00:00:0d");
	snprintf(d.user, sizeof(d.user), "dave");
	snprintf(d.vendor, sizeof(d.vendor), "snom");
	memset(&l, 0, sizeof(l));
	l.ip = ip;
	l.state = LEASE_BOUND;
	l.htype = 1;
	l.hlen = 6;
	memcpy(l.chaddr, d.mac.b, 6);
	memcpy(l.client_key, ID_A, sizeof(ID_A));
	l.client_key_len = sizeof(ID_A);
	l.start = T0;
	l.expire = T0 + 3600;
	ck_assert_int_eq(reg_txn_begin(r, &txn, 0), 0);
	ck_assert_int_eq(reg_user_put(&txn, &u), 0);
	ck_assert_int_eq(reg_device_put(&txn, &d), 0);
	ck_assert_int_eq(reg_lease_put(&txn, &l), 0);
	ck_assert_int_eq(reg_txn_commit(&txn), 0);
	reg_user_clear(&u);
}

/*
 * Schema 2 -> 3: the registry is opened as it was, users, devices,
 * tokens and leases intact; every device reads as new.
 */
START_TEST(test_migrate_schema2)
{
	struct reg_txn		 txn;
	struct reg_user		 u, back;
	struct reg_device	 d;
	struct reg_lease	 l;
	struct reg_enroll	 e;
	struct mac_addr		 m = mac("00:04:13:00:00:0d");
	uint32_t		 ips[4];
	char			 owner[CFG_NAME_MAX + 1];

	store_office(reg, IP_A);
	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	ck_assert_int_eq(reg_user_get(&txn, "dave", &u), 0);
	reg_txn_abort(&txn);
	wbegin(&txn);
	ck_assert_int_eq(reg_meta_set_schema(&txn, 2), 0);
	commit(&txn);
	reg_close(reg);
	reg = open_reg("reg");
	ck_assert_uint_eq(REG_SCHEMA_VERSION, 3);
	ck_assert_uint_eq(reg_schema_version(reg), 3);

	ck_assert_int_eq(reg_txn_begin(reg, &txn, 1), 0);
	ck_assert_int_eq(reg_user_get(&txn, "dave", &back), 0);
	ck_assert_str_eq(back.sip_password, "pw-dave");
	ck_assert_str_eq(back.token, u.token);
	ck_assert_int_eq(back.token_created, T0);
	ck_assert_int_eq(reg_token_lookup(&txn, u.token, strlen(u.token),
	    owner), 0);
	ck_assert_str_eq(owner, "dave");
	ck_assert_int_eq(reg_device_get(&txn, &m, &d), 0);
	ck_assert_str_eq(d.user, "dave");
	ck_assert_str_eq(d.vendor, "snom");
	ck_assert_int_eq(reg_lease_get(&txn, IP_A, &l), 0);
	ck_assert_int_eq(l.state, LEASE_BOUND);
	ck_assert_mem_eq(l.chaddr, m.b, 6);
	ck_assert_int_eq(reg_lease_ips_by_mac(&txn, &m, ips, 4), 1);
	ck_assert_uint_eq(ips[0], IP_A);
	ck_assert_int_eq(reg_lease_ips_by_client(&txn, ID_A, sizeof(ID_A),
	    ips, 4), 1);
	ck_assert_int_eq(reg_enroll_get(&txn, &m, &e), REG_NOTFOUND);
	ck_assert_int_eq(reg_count(&txn, REG_T_ENROLL), 0);
	ck_assert_int_eq(reg_count(&txn, REG_T_HISTORY), 0);
	ck_assert_int_eq(txn.err, REG_OK);
	reg_txn_abort(&txn);
	reg_user_clear(&u);
	reg_user_clear(&back);
	/* Opened again: nothing to migrate, nothing changes. */
	reg_close(reg);
	reg = open_reg("reg");
	ck_assert_uint_eq(reg_schema_version(reg), 3);
}
END_TEST

/*
 * A schema 2 registry as a schema 2 provbox left it: no enrollment
 * tables at all. Read only, it is read as it is (every device new);
 * opened for writing, the tables are made and it is schema 3.
 */
START_TEST(test_migrate_schema2_no_tables)
{
	static const char *const newer[] = { "enroll", "fa_tokens",
		"history" };
	struct reg_txn	 txn;
	struct reg	*r = NULL;
	struct reg_enroll e;
	struct mac_addr	 m = mac("00:04:13:00:00:0d");
	struct evs	 s;
	MDB_env		*env;
	MDB_txn		*t;
	MDB_dbi		 dbi;
	char		 err[512], *path;

	store_office(reg, IP_A);
	wbegin(&txn);
	ck_assert_int_eq(reg_meta_set_schema(&txn, 2), 0);
	commit(&txn);
	reg_close(reg);
	reg = NULL;
	ck_assert(asprintf(&path, "%s/reg", dir) > 0);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 32), 0);
	ck_assert_int_eq(mdb_env_open(env, path, 0, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &t), 0);
	for (size_t i = 0; i < sizeof(newer) / sizeof(newer[0]); i++) {
		ck_assert_int_eq(mdb_dbi_open(t, newer[i], 0, &dbi), 0);
		ck_assert_int_eq(mdb_drop(t, dbi, 1), 0);
	}
	ck_assert_int_eq(mdb_txn_commit(t), 0);
	mdb_env_close(env);

	ck_assert_int_eq(reg_open(path, 16 << 20, REG_RDONLY, &r, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(reg_schema_version(r), 2);
	ck_assert_int_eq(reg_txn_begin(r, &txn, 1), 0);
	ck_assert_int_eq(reg_enroll_get(&txn, &m, &e), REG_NOTFOUND);
	ck_assert_int_eq(reg_fa_lookup(&txn, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    TOKEN_LEN, &m), REG_NOTFOUND);
	ck_assert_int_eq(reg_count(&txn, REG_T_ENROLL), 0);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(reg_event_foreach(&txn, &m, evs_visit, &s), 0);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(txn.err, REG_OK);
	reg_txn_abort(&txn);
	reg_close(r);

	reg = open_reg("reg");
	ck_assert_uint_eq(reg_schema_version(reg), 3);
	open_window("00:04:13:00:00:0d", T0, 600, NULL);
	free(path);
}
END_TEST

/* A registry of a newer schema is refused at open, for reading too. */
START_TEST(test_schema_newer_refused)
{
	struct reg_txn	 txn;
	struct reg	*r = NULL;
	char		 err[512], *path;

	wbegin(&txn);
	ck_assert_int_eq(reg_meta_set_schema(&txn, 4), 0);
	commit(&txn);
	reg_close(reg);
	reg = NULL;
	ck_assert(asprintf(&path, "%s/reg", dir) > 0);
	err[0] = '\0';
	ck_assert_int_eq(reg_open(path, 16 << 20, REG_NOSYNC, &r, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err, "schema version 4") != NULL, "%s", err);
	ck_assert_int_eq(reg_open(path, 16 << 20, REG_RDONLY, &r, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(r);
	free(path);
}
END_TEST

/*
 * The config sync.
 */

static const char office[] =
    "registry = { path = \"reg\"; };\n"
    "provisioning = {\n"
    "  base_url = \"https://10.42.0.1\";\n"
    "  tls = { cert = \"c.pem\"; key = \"k.pem\"; };\n"
    "  enrollment = { auto_window = %u; };\n"
    "};\n"
    "vendors = (\n"
    "  { name = \"yealink\"; match = { oui = [ \"80:5e:c0\" ]; }; }\n"
    ");\n"
    "users = (\n"
    "  { name = \"alice\";\n"
    "    sip = { user = \"201\"; password = \"pw-alice\";\n"
    "            server = \"pbx\"; };\n"
    "    devices = ( { mac = \"" MAC_1 "\"; vendor = \"yealink\"; }%s );\n"
    "  }%s\n"
    ");\n";

static const char office_bob[] =
    ",\n  { name = \"bob\";\n"
    "    sip = { user = \"202\"; password = \"pw-bob\";\n"
    "            server = \"pbx\"; };\n"
    "    devices = ( { mac = \"" MAC_3 "\"; vendor = \"yealink\"; } ); }";

static struct cfg *
load_office(const char *name, unsigned auto_window, int with_2, int with_bob)
{
	struct cfg_errors	 errs;
	struct cfg		*cfg;
	char			*text, *path, line[512];

	ck_assert(asprintf(&text, office, auto_window, with_2 ?
	    ", { mac = \"" MAC_2 "\"; vendor = \"yealink\"; }" : "",
	    with_bob ? office_bob : "") > 0);
	path = tu_write(dir, name, text);
	free(text);
	if (cfg_load(path, CFG_NO_FILE_CHECKS, &cfg, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", cfg_error_format(&errs.v[i],
			    line, sizeof(line)));
		ck_abort_msg("test config %s does not load", name);
	}
	free(path);
	return cfg;
}

static void
sync_at(const struct cfg *cfg, time_t now, struct reg_sync_stats *st)
{
	char err[512];

	if (reg_sync(reg, cfg, now, st, err, sizeof(err)) != 0)
		ck_abort_msg("reg_sync: %s", err);
}

/*
 * A device the config no longer has loses its enrollment record (and
 * its token's index entry) and its history; the others keep theirs.
 */
START_TEST(test_sync_removed_device)
{
	struct cfg		*all = load_office("all.conf", 0, 1, 1);
	struct cfg		*fewer = load_office("fewer.conf", 0, 0, 0);
	struct reg_sync_stats	 st;
	struct reg_enroll	 e;
	struct enroll_op	 op;
	struct mac_addr		 found;
	struct evs		 s;
	char			 fa2[TOKEN_LEN + 1];

	sync_at(all, T0, &st);
	/* Nothing enrolls by itself with auto_window = 0. */
	ck_assert_int_eq(get(MAC_1, &e), REG_NOTFOUND);
	ck_assert_int_eq(get(MAC_2, &e), REG_NOTFOUND);
	open_window(MAC_1, T0, 600, NULL);
	open_window(MAC_2, T0, 600, fa2);
	op_set(&op, EOP_DUPLICATE, MAC_3, IP_B, ID_B, sizeof(ID_B));
	ck_assert_int_eq(apply(&op, T0, NULL), 1);
	/* A re-sync of the same office keeps every record. */
	sync_at(all, T0 + 1, &st);
	ck_assert_uint_eq(st.devices_unchanged, 3);
	ck_assert_int_eq(get(MAC_2, &e), 0);
	ck_assert_str_eq(e.fa_token, fa2);
	reg_enroll_clear(&e);
	ck_assert_int_eq(get(MAC_3, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_SUSPECT);

	/* MAC_2 left alice; bob left with MAC_3. */
	sync_at(fewer, T0 + 2, &st);
	ck_assert_uint_eq(st.devices_removed, 2);
	ck_assert_int_eq(get(MAC_2, &e), REG_NOTFOUND);
	ck_assert_int_eq(get(MAC_3, &e), REG_NOTFOUND);
	ck_assert_int_eq(fa_owner(fa2, &found), REG_NOTFOUND);
	events(MAC_2, &s);
	ck_assert_uint_eq(s.n, 0);
	events(MAC_3, &s);
	ck_assert_uint_eq(s.n, 0);
	/* MAC_1 is untouched. */
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_ENROLLING);
	reg_enroll_clear(&e);
	events(MAC_1, &s);
	ck_assert_uint_eq(s.n, 1);

	/* Back in the config: new again, not suspect. */
	sync_at(all, T0 + 3, &st);
	ck_assert_int_eq(get(MAC_3, &e), REG_NOTFOUND);
	cfg_free(all);
	cfg_free(fewer);
}
END_TEST

/* With auto_window, a device new to the registry starts enrolling. */
START_TEST(test_sync_auto_window)
{
	struct cfg		*one = load_office("one.conf", 1800, 0, 0);
	struct cfg		*two = load_office("two.conf", 1800, 1, 0);
	struct reg_sync_stats	 st;
	struct reg_enroll	 e;
	struct enroll_op	 op;
	struct mac_addr		 found, m2 = mac(MAC_2);
	struct evs		 s;

	ck_assert_uint_eq(one->prov.enroll.auto_window, 1800);
	/* setup() registered the MACs by hand: start from an empty table. */
	reg_close(reg);
	reg = open_reg("reg2");
	sync_at(one, T0, &st);
	ck_assert_uint_eq(st.devices_added, 1);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_ENROLLING);
	ck_assert_int_eq(e.since, T0);
	ck_assert_int_eq(e.window_until, T0 + 1800);
	ck_assert_uint_eq(strlen(e.fa_token), TOKEN_LEN);
	reg_enroll_clear(&e);
	events(MAC_1, &s);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.kind[0], EV_WINDOW_OPENED);

	/* A device already there is not reopened by a later sync. */
	op_set(&op, EOP_PROVISIONED, MAC_1, IP_A, ID_A, sizeof(ID_A));
	ck_assert_int_eq(apply(&op, T0 + 5, NULL), 1);
	sync_at(two, T0 + 10, &st);
	ck_assert_uint_eq(st.devices_added, 1);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_PROVISIONED);
	reg_enroll_clear(&e);
	/* The new one is enrolling, its token indexed. */
	ck_assert_int_eq(get(MAC_2, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_ENROLLING);
	ck_assert_int_eq(e.window_until, T0 + 10 + 1800);
	ck_assert_int_eq(fa_owner(e.fa_token, &found), 0);
	ck_assert_int_eq(mac_cmp(&found, &m2), 0);
	reg_enroll_clear(&e);
	cfg_free(one);
	cfg_free(two);
}
END_TEST

/*
 * secret.key replaced (the recovery test_key_replaced_sync_recovers in
 * check_registry.c shows): the sync gives users new tokens, and every
 * enrollment record written under the old key now reads with
 * secrets_sealed = REG_SEALED_OTHER_KEY (its token, even an empty one,
 * no longer opens). The first-access tokens in them are dead; the
 * devices must still be manageable.
 */
static void
replace_key(void)
{
	char *key;

	reg_close(reg);
	ck_assert(asprintf(&key, "%s/reg/%s", dir, SECRET_KEY_FILE) > 0);
	ck_assert_int_eq(unlink(key), 0);
	free(key);
	reg = open_reg("reg");
}

/*
 * secret.key replaced: a suspect device whose record was written under
 * the old key can still be cleared (the unreadable token is dead anyway)
 * and enrolled again; provboxctl device clear and enroll must not fail.
 */
START_TEST(test_key_replaced_clear)
{
	struct reg_txn		txn;
	struct reg_event	ev;
	struct reg_enroll	e;
	struct enroll_op	op;
	struct mac_addr		m = mac(MAC_1);

	op_set(&op, EOP_DUPLICATE, MAC_1, IP_B, ID_B, sizeof(ID_B));
	ck_assert_int_eq(apply(&op, T0, NULL), 1);
	replace_key();
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.secrets_sealed, REG_SEALED_OTHER_KEY);
	ck_assert_int_eq(e.state, ENROLL_SUSPECT);
	wbegin(&txn);
	ck_assert_int_eq(enroll_clear(&txn, &m, T0 + 1, &ev), 1);
	commit(&txn);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_NEW);
	open_window(MAC_1, T0 + 2, 600, NULL);
}
END_TEST

/*
 * secret.key replaced: an ended window whose record was written under
 * the old key does not stop the sweep; every ended window is closed.
 */
START_TEST(test_key_replaced_sweep)
{
	struct reg_txn		txn;
	struct reg_enroll	e;
	int			r;

	open_window(MAC_1, T0 - 100, 50, NULL);	/* ended, old key */
	replace_key();
	open_window(MAC_3, T0 - 100, 50, NULL);	/* ended, new key */
	wbegin(&txn);
	r = enroll_sweep(&txn, T0, NULL, NULL);
	ck_assert_int_ge(r, 1);
	commit(&txn);
	ck_assert_int_eq(get(MAC_3, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_NEW);
	ck_assert_str_eq(e.fa_token, "");
}
END_TEST

/*
 * secret.key replaced: a device whose record was written under the old
 * key still turns suspect when another identity claims its MAC (the
 * alarm must not be lost).
 */
START_TEST(test_key_replaced_duplicate)
{
	struct reg_enroll	e;
	struct enroll_op	op;

	op_set(&op, EOP_PROVISIONED, MAC_1, IP_A, ID_A, sizeof(ID_A));
	ck_assert_int_eq(apply(&op, T0, NULL), 1);
	replace_key();
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.secrets_sealed, REG_SEALED_OTHER_KEY);
	op_set(&op, EOP_DUPLICATE, MAC_1, IP_B, ID_B, sizeof(ID_B));
	ck_assert_int_eq(apply(&op, T0 + 1, NULL), 1);
	ck_assert_int_eq(get(MAC_1, &e), 0);
	ck_assert_int_eq(e.state, ENROLL_SUSPECT);
}
END_TEST

static Suite *
enroll_suite(void)
{
	Suite	*s = suite_create("enroll");
	TCase	*tc;

	tc = tcase_create("records");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_state_names);
	tcase_add_test(tc, test_record_round_trip);
	tcase_add_test(tc, test_record_refused);
	tcase_add_test(tc, test_token_sealed);
	tcase_add_test(tc, test_events_newest_kept);
	tcase_add_test(tc, test_events_walk_fails);
	suite_add_tcase(s, tc);

	tc = tcase_create("machine");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_open_window);
	tcase_add_test(tc, test_apply_handed);
	tcase_add_test(tc, test_apply_duplicate);
	tcase_add_test(tc, test_apply_fetched);
	tcase_add_test(tc, test_apply_provisioned);
	tcase_add_test(tc, test_apply_refused);
	tcase_add_test(tc, test_suspect_open_clear);
	tcase_add_test(tc, test_close_window);
	tcase_add_test(tc, test_sweep);
	tcase_add_test(tc, test_sweep_many);
	tcase_add_test(tc, test_state_at_boundaries);
	tcase_add_test(tc, test_fa_live_boundaries);
	tcase_add_test(tc, test_id_is);
	tcase_add_test(tc, test_id_str);
	suite_add_tcase(s, tc);

	tc = tcase_create("schema");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_migrate_schema2);
	tcase_add_test(tc, test_migrate_schema2_no_tables);
	tcase_add_test(tc, test_schema_newer_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("sync");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_sync_removed_device);
	tcase_add_test(tc, test_sync_auto_window);
	suite_add_tcase(s, tc);

	tc = tcase_create("key-replaced");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_key_replaced_clear);
	tcase_add_test(tc, test_key_replaced_sweep);
	tcase_add_test(tc, test_key_replaced_duplicate);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(enroll_suite());
}
