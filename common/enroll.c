/*
 * enroll.c - the enrollment state machine (enroll.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "addr.h"
#include "enroll.h"
#include "log.h"
#include "token.h"

static const char *const state_names[ENROLL_STATE_COUNT] = {
	[ENROLL_NEW] = "new",
	[ENROLL_ENROLLING] = "enrolling",
	[ENROLL_PROVISIONED] = "provisioned",
	[ENROLL_SUSPECT] = "suspect",
};

static const char *const event_names[EV_COUNT] = {
	[EV_NONE] = "none",
	[EV_WINDOW_OPENED] = "window-opened",
	[EV_WINDOW_CLOSED] = "window-closed",
	[EV_FA_HANDED] = "first-access-handed",
	[EV_FA_USED] = "first-access-used",
	[EV_PROVISIONED] = "provisioned",
	[EV_REFUSED] = "refused",
	[EV_DUPLICATE_MAC] = "duplicate-mac",
	[EV_SUSPECT] = "suspect",
	[EV_CLEARED] = "cleared",
	[EV_ROTATED] = "rotated",
};

const char *
enroll_state_str(enum enroll_state state)
{
	if ((unsigned)state >= ENROLL_STATE_COUNT)
		return "unknown";
	return state_names[state];
}

const char *
enroll_event_str(enum enroll_event ev)
{
	if ((unsigned)ev >= EV_COUNT)
		return "unknown";
	return event_names[ev];
}

enum enroll_state
enroll_state_at(const struct reg_enroll *e, time_t now)
{
	if (e->state == ENROLL_ENROLLING && e->window_until <= now)
		return ENROLL_NEW;
	return (enum enroll_state)e->state;
}

int
enroll_fa_live(const struct reg_enroll *e, time_t now, unsigned fa_limit)
{
	if (enroll_state_at(e, now) != ENROLL_ENROLLING ||
	    e->fa_token[0] == '\0' || e->secrets_sealed)
		return 0;
	return e->fa_fetched == 0 || now < e->fa_fetched + (time_t)fa_limit;
}

int
enroll_wants_seen(const struct reg_enroll *e, int64_t token_created)
{
	if (e == NULL)
		return 1;
	if (e->state == ENROLL_SUSPECT)
		return 0;
	return e->state != ENROLL_PROVISIONED || e->token_seen < token_created;
}

int
enroll_id_is(const struct reg_enroll *e, const uint8_t *id, size_t len)
{
	return e->id_len == len && len > 0 && memcmp(e->id, id, len) == 0;
}

char *
enroll_id_str(const uint8_t *id, size_t len, char *buf, size_t sz)
{
	size_t	n, shown;

	if (sz == 0)
		return buf;
	buf[0] = '\0';
	if (len == 0) {
		snprintf(buf, sz, "-");
		return buf;
	}
	n = (size_t)snprintf(buf, sz, "%s ", id[0] == 'I' ? "id" : "hw");
	/* 'H' keys: htype, then chaddr. */
	shown = len - 1 > 16 ? 16 : len - 1;
	for (size_t i = 0; i < shown && n + 3 < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n, "%s%02x", i ? ":" : "",
		    id[1 + i]);
	if (len - 1 > shown && n + 4 < sz)
		snprintf(buf + n, sz - n, "...");
	return buf;
}

static void
event_set(struct reg_event *ev, const struct mac_addr *mac, time_t now,
    enum enroll_event kind, uint32_t ip, const char *detail)
{
	memset(ev, 0, sizeof(*ev));
	ev->mac = *mac;
	ev->time = now;
	ev->kind = (uint8_t)kind;
	ev->ip = ip;
	snprintf(ev->detail, sizeof(ev->detail), "%s", detail);
}

/* Stores e and ev together; 1, or -1. */
static int
store(struct reg_txn *txn, const struct reg_enroll *e,
    const struct reg_event *ev)
{
	if ((e != NULL && reg_enroll_put(txn, e) != 0) ||
	    reg_event_add(txn, ev) != 0)
		return -1;
	return 1;
}

/*
 * A record whose first-access token was sealed with a key this registry
 * no longer has (secret.key replaced): the token is dead, the rest of the
 * record stands, and it may be written again (reg_enroll_put drops the
 * old token's index entry). A process without any key leaves it sealed
 * and writes nothing.
 */
static void
unseal_lost(struct reg_enroll *e)
{
	if (e->secrets_sealed != REG_SEALED_OTHER_KEY)
		return;
	OPENSSL_cleanse(e->fa_token, sizeof(e->fa_token));
	e->secrets_sealed = 0;
}

/* The record of a registered device; NOTFOUND records read as new. */
static int
load(struct reg_txn *txn, const struct mac_addr *mac, struct reg_enroll *e)
{
	struct reg_device	d;
	int			r;

	memset(e, 0, sizeof(*e));
	if ((r = reg_device_get(txn, mac, &d)) != 0)
		return r;
	if ((r = reg_enroll_get(txn, mac, e)) < 0)
		return -1;
	if (r == REG_NOTFOUND) {
		memset(e, 0, sizeof(*e));
		e->mac = *mac;
		e->state = ENROLL_NEW;
	}
	unseal_lost(e);
	return 0;
}

static void
drop_token(struct reg_enroll *e)
{
	OPENSSL_cleanse(e->fa_token, sizeof(e->fa_token));
}

/* Back to new: no window, the token dead; with forget, no identity. */
static void
make_new(struct reg_enroll *e, time_t now, int forget)
{
	e->state = ENROLL_NEW;
	e->since = now;
	e->window_until = 0;
	drop_token(e);
	if (forget) {
		e->id_len = 0;
		e->fa_ip = 0;
		e->fa_handed = 0;
		e->fa_fetched = 0;
	}
}

static int
newest_visit(const struct reg_event *ev, void *arg)
{
	int64_t *t = arg;

	*t = ev->kind == EV_REFUSED ? ev->time : 0;
	return 1;	/* the newest only */
}

/* When the device's newest event is a refusal: its time; else 0, -1. */
static int64_t
newest_refusal(struct reg_txn *txn, const struct mac_addr *mac)
{
	int64_t t = 0;

	if (reg_event_foreach(txn, mac, newest_visit, &t) != 0)
		return -1;
	return t;
}

int
enroll_apply(struct reg_txn *txn, const struct enroll_op *op, time_t now,
    struct reg_event *ev)
{
	struct reg_enroll	 e;
	char			 id[64], detail[REG_EVENT_DETAIL_MAX];
	int64_t			 r;
	int			 ret = 0;

	memset(ev, 0, sizeof(*ev));
	if (op->kind == EOP_NONE)
		return 0;
	if ((r = load(txn, &op->mac, &e)) != 0)
		return r < 0 ? -1 : 0;
	if (e.secrets_sealed) {
		/* Read without the key: never write blanks over it. */
		ret = 0;
		goto done;
	}
	enroll_id_str(op->id, op->id_len, id, sizeof(id));
	switch ((enum enroll_op_kind)op->kind) {
	case EOP_HANDED:
		if (enroll_state_at(&e, now) != ENROLL_ENROLLING)
			break;
		if (e.id_len == 0) {
			if (op->id_len == 0 || op->id_len > REG_CLIENT_KEY_MAX)
				break;
			memcpy(e.id, op->id, op->id_len);
			e.id_len = op->id_len;
			e.fa_handed = now;
		} else if (!enroll_id_is(&e, op->id, op->id_len) ||
		    e.fa_ip == op->ip)
			break;
		e.fa_ip = op->ip;
		snprintf(detail, sizeof(detail), "to %s", id);
		event_set(ev, &e.mac, now, EV_FA_HANDED, op->ip, detail);
		ret = store(txn, &e, ev);
		break;
	case EOP_DUPLICATE:
		if (e.state == ENROLL_SUSPECT)
			break;
		e.state = ENROLL_SUSPECT;
		e.since = now;
		drop_token(&e);
		event_set(ev, &e.mac, now, EV_SUSPECT, op->ip, op->detail);
		ret = store(txn, &e, ev);
		break;
	case EOP_FETCHED:
		if (enroll_state_at(&e, now) != ENROLL_ENROLLING ||
		    e.fa_fetched != 0)
			break;
		e.fa_fetched = now;
		event_set(ev, &e.mac, now, EV_FA_USED, op->ip, op->detail);
		ret = store(txn, &e, ev);
		break;
	case EOP_PROVISIONED:
		if (e.state == ENROLL_SUSPECT)
			break;
		if (e.state == ENROLL_PROVISIONED) {
			/* After a rotation: the old URL ends for it now. */
			if (e.token_seen >= op->token_created)
				break;
			e.token_seen = now;
			event_set(ev, &e.mac, now, EV_ROTATED, op->ip,
			    "new URL in use; the old one is closed for it");
			ret = store(txn, &e, ev);
			break;
		}
		e.token_seen = now;
		e.state = ENROLL_PROVISIONED;
		e.since = now;
		e.window_until = 0;
		drop_token(&e);
		/* A legacy phone is bound to the identity it provisioned as. */
		if (e.id_len == 0 && op->id_len > 0 &&
		    op->id_len <= REG_CLIENT_KEY_MAX) {
			memcpy(e.id, op->id, op->id_len);
			e.id_len = op->id_len;
		}
		event_set(ev, &e.mac, now, EV_PROVISIONED, op->ip, op->detail);
		ret = store(txn, &e, ev);
		break;
	case EOP_REFUSED:
		/*
		 * One refusal a minute in the story: a replayed URL sent in a
		 * loop must not push the events that matter (suspect, who
		 * got the URL) out of the device's last REG_HISTORY_MAX. The
		 * audit line of each request stays in provisiond's log.
		 */
		if ((r = newest_refusal(txn, &e.mac)) < 0) {
			ret = -1;
			break;
		}
		if (r > 0 && now - r < ENROLL_REFUSED_QUIET)
			break;
		event_set(ev, &e.mac, now, EV_REFUSED, op->ip, op->detail);
		ret = store(txn, NULL, ev);
		break;
	case EOP_NONE:
		break;
	}
done:
	reg_enroll_clear(&e);
	return ret;
}

int
enroll_open(struct reg_txn *txn, const struct mac_addr *mac, time_t now,
    unsigned seconds, int *was_suspect, struct reg_event *ev)
{
	struct reg_enroll	 e;
	char			 detail[64];
	int			 r, ret = -1;

	*was_suspect = 0;
	memset(ev, 0, sizeof(*ev));
	if ((r = load(txn, mac, &e)) != 0)
		return -1;
	if (e.state == ENROLL_SUSPECT) {
		*was_suspect = 1;
		ret = 0;
		goto done;
	}
	e.state = ENROLL_ENROLLING;
	e.since = now;
	e.window_until = now + (time_t)seconds;
	if (token_generate(e.fa_token) != 0)
		goto done;
	e.id_len = 0;
	memset(e.id, 0, sizeof(e.id));
	e.fa_ip = 0;
	e.fa_handed = 0;
	e.fa_fetched = 0;
	e.secrets_sealed = 0;
	snprintf(detail, sizeof(detail), "for %us", seconds);
	event_set(ev, mac, now, EV_WINDOW_OPENED, 0, detail);
	ret = store(txn, &e, ev);
done:
	reg_enroll_clear(&e);
	return ret;
}

/*
 * Ends state from for the device: it is new again, its token dead (and,
 * with forget, no identity bound). 1 (ev filled), 0 (not in that state)
 * or -1.
 */
static int
end_state(struct reg_txn *txn, const struct mac_addr *mac, time_t now,
    enum enroll_state from, int forget, enum enroll_event kind,
    const char *detail, struct reg_event *ev)
{
	struct reg_enroll	e;
	int			r, ret = 0;

	memset(ev, 0, sizeof(*ev));
	if ((r = load(txn, mac, &e)) != 0)
		return r < 0 ? -1 : 0;
	if (e.state == from) {
		make_new(&e, now, forget);
		event_set(ev, mac, now, kind, 0, detail);
		ret = store(txn, &e, ev);
	}
	reg_enroll_clear(&e);
	return ret;
}

int
enroll_close(struct reg_txn *txn, const struct mac_addr *mac, time_t now,
    struct reg_event *ev)
{
	return end_state(txn, mac, now, ENROLL_ENROLLING, 0, EV_WINDOW_CLOSED,
	    "closed", ev);
}

int
enroll_clear(struct reg_txn *txn, const struct mac_addr *mac, time_t now,
    struct reg_event *ev)
{
	return end_state(txn, mac, now, ENROLL_SUSPECT, 1, EV_CLEARED,
	    "by the admin", ev);
}

struct sweep {
	time_t		 now;
	struct mac_addr	*macs;
	size_t		 n, cap;
};

static int
sweep_visit(const struct reg_enroll *e, void *arg)
{
	struct sweep *s = arg;

	if (e->state != ENROLL_ENROLLING || e->window_until > s->now)
		return 0;
	if (s->n < s->cap)
		s->macs[s->n++] = e->mac;
	return 0;
}

int
enroll_sweep(struct reg_txn *txn, time_t now,
    void (*fn)(const struct reg_event *, void *), void *arg)
{
	struct mac_addr	 macs[64];
	struct sweep	 s = { now, macs, 0, 64 };
	int		 closed = 0, round;

	/*
	 * Closed in rounds of 64: the walk must not write under itself. A
	 * record this process cannot write (no key) is left for a process
	 * that can; the rounds end when one closes nothing.
	 */
	do {
		s.n = 0;
		round = 0;
		if (reg_enroll_foreach(txn, sweep_visit, &s) != 0)
			return -1;
		for (size_t i = 0; i < s.n; i++) {
			struct reg_enroll	e;
			struct reg_event	ev;
			int			r;

			if ((r = reg_enroll_get(txn, &macs[i], &e)) < 0)
				return -1;
			if (r != 0)
				continue;
			unseal_lost(&e);
			if (e.secrets_sealed) {
				reg_enroll_clear(&e);
				continue;
			}
			make_new(&e, now, 0);
			event_set(&ev, &macs[i], now, EV_WINDOW_CLOSED, 0,
			    "expired");
			r = store(txn, &e, &ev);
			reg_enroll_clear(&e);
			if (r < 0)
				return -1;
			closed++;
			round++;
			if (fn != NULL)
				fn(&ev, arg);
		}
	} while (s.n == s.cap && round > 0);
	return closed;
}

void
enroll_log(const struct reg_event *ev)
{
	struct log_fields	 f;
	char			 mac[MAC_STR_LEN], ip[IP4_STR_LEN] = "-";
	char			 event[48];
	int			 warn;

	if (ev->kind == EV_NONE)
		return;
	mac_format(&ev->mac, mac);
	if (ev->ip != 0)
		ip4_format(ev->ip, ip);
	warn = ev->kind == EV_REFUSED || ev->kind == EV_DUPLICATE_MAC ||
	    ev->kind == EV_SUSPECT;
	snprintf(event, sizeof(event), "enroll-%s", enroll_event_str(ev->kind));
	memset(&f, 0, sizeof(f));
	f.mac = mac;
	f.ip = ev->ip != 0 ? ip : NULL;
	f.event = event;
	log_fields_msg(warn ? PB_LOG_WARNING : PB_LOG_NOTICE, &f,
	    "enroll: %s %s ip %s: %s", mac, enroll_event_str(ev->kind), ip,
	    ev->detail);
}
