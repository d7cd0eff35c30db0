/*
 * conns.c - deadlines and the choice of whom to close at the connection
 * limit (see conns.h).
 */
#include "config.h"

#include <string.h>

#include "conns.h"

static const char *const state_names[CONN_NSTATES] = {
	[CONN_HANDSHAKE] = "handshake",
	[CONN_WAITING] = "waiting",
	[CONN_BUSY] = "busy",
	[CONN_CLOSING] = "closing",
};

const char *
conn_state_str(enum conn_state st)
{
	if ((unsigned)st >= CONN_NSTATES)
		return "unknown";
	return state_names[st];
}

void
conns_init(struct conns *cs)
{
	memset(cs, 0, sizeof(*cs));
	for (int i = 0; i < CONN_NSTATES; i++)
		TAILQ_INIT(&cs->q[i]);
}

void
conns_add(struct conns *cs, struct conn *c, uint64_t now)
{
	c->state = CONN_HANDSHAKE;
	c->since = now;
	c->requests = 0;
	TAILQ_INSERT_TAIL(&cs->q[CONN_HANDSHAKE], c, link);
	cs->n[CONN_HANDSHAKE]++;
}

void
conns_remove(struct conns *cs, struct conn *c)
{
	TAILQ_REMOVE(&cs->q[c->state], c, link);
	cs->n[c->state]--;
}

void
conns_set(struct conns *cs, struct conn *c, enum conn_state st,
    uint64_t now)
{
	if (c->state == CONN_CLOSING || (unsigned)st >= CONN_NSTATES)
		return;
	if (c->state == CONN_BUSY && st == CONN_WAITING)
		c->requests++;
	conns_remove(cs, c);
	c->state = st;
	/*
	 * Each queue stays in the order of `since` because entries only join
	 * at the tail and the caller's clock does not go back; a late caller
	 * (now before the tail's since) keeps the tail's time.
	 */
	if (!TAILQ_EMPTY(&cs->q[st]) && TAILQ_LAST(&cs->q[st],
	    conn_queue)->since > now)
		now = TAILQ_LAST(&cs->q[st], conn_queue)->since;
	c->since = now;
	TAILQ_INSERT_TAIL(&cs->q[st], c, link);
	cs->n[st]++;
}

unsigned
conns_total(const struct conns *cs)
{
	unsigned n = 0;

	for (int i = 0; i < CONN_NSTATES; i++)
		n += cs->n[i];
	return n;
}

unsigned
conns_live(const struct conns *cs)
{
	return conns_total(cs) - cs->n[CONN_CLOSING];
}

struct conn *
conns_expired(const struct conns *cs, uint64_t now, uint64_t handshake_ms,
    uint64_t request_ms)
{
	struct conn	*h = TAILQ_FIRST(&cs->q[CONN_HANDSHAKE]);
	struct conn	*w = TAILQ_FIRST(&cs->q[CONN_WAITING]);
	uint64_t	 hover = 0, wover = 0;

	/* How far past its deadline each queue's oldest entry is. */
	if (h != NULL && now >= h->since + handshake_ms)
		hover = now - (h->since + handshake_ms) + 1;
	if (w != NULL && now >= w->since + request_ms)
		wover = now - (w->since + request_ms) + 1;
	if (hover == 0 && wover == 0)
		return NULL;
	return hover >= wover ? h : w;
}

struct conn *
conns_oldest(const struct conns *cs)
{
	struct conn	*h = TAILQ_FIRST(&cs->q[CONN_HANDSHAKE]);
	struct conn	*w = TAILQ_FIRST(&cs->q[CONN_WAITING]);

	if (h == NULL)
		return w;
	if (w == NULL)
		return h;
	return h->since <= w->since ? h : w;
}
