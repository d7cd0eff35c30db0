/*
 * conns.h - the provisioning service's open connections, each in the
 * queue of its state, oldest first: waiting for its TLS handshake,
 * waiting for a complete request (after the handshake or after the
 * previous answer), being answered, or being closed.
 *
 * It holds what evhttp's timeouts cannot: a read timeout starts over with
 * every byte, so a client sending one byte every 10 s holds a connection
 * forever, and enough of them hold every slot of max_connections. Here
 * each wait has a deadline that no byte moves:
 *
 *   handshake  from accept to the end of the TLS handshake
 *   request    from then, or from the end of the previous answer on a
 *              kept-alive connection, to a complete request (request line,
 *              headers and body)
 *
 * and at the connection limit the connection that has waited longest
 * (in either wait, never one being answered) is the one to give up for a
 * newcomer. A client that completes its request in milliseconds is never
 * the oldest unless the peers crowding the server open max_connections
 * new connections within those milliseconds: that is a flood of real
 * handshakes, not a slow client, and this does not stop it.
 *
 * Pure bookkeeping: the caller passes the time (milliseconds of any
 * monotonic clock), allocates the entries and closes what conns_expired()
 * and conns_oldest() pick. Every operation is O(1).
 */
#ifndef PB_CONNS_H
#define PB_CONNS_H

#include <stdint.h>
#include <sys/queue.h>

enum conn_state {
	CONN_HANDSHAKE = 0,	/* accepted, TLS handshake not done */
	CONN_WAITING,		/* waiting for a complete request */
	CONN_BUSY,		/* a request is being answered */
	CONN_CLOSING,		/* closed by us, not yet gone */
	CONN_NSTATES
};
const char	*conn_state_str(enum conn_state st);

struct conn {
	TAILQ_ENTRY(conn)	 link;
	enum conn_state		 state;
	uint64_t		 since;		/* ms: when this state began */
	unsigned		 requests;	/* answered on this connection */
	void			*owner;		/* the caller's (its SSL) */
};

struct conns {
	TAILQ_HEAD(conn_queue, conn) q[CONN_NSTATES];	/* oldest first */
	unsigned		 n[CONN_NSTATES];
};

void		 conns_init(struct conns *cs);
/* c (the caller's, until conns_remove) enters CONN_HANDSHAKE at now. */
void		 conns_add(struct conns *cs, struct conn *c, uint64_t now);
/*
 * c enters state st at now, at the end of that queue. A closing
 * connection stays closing. Entering CONN_WAITING from CONN_BUSY counts
 * an answered request.
 */
void		 conns_set(struct conns *cs, struct conn *c, enum conn_state st,
		    uint64_t now);
void		 conns_remove(struct conns *cs, struct conn *c);
/* Open connections, closing ones included. */
unsigned	 conns_total(const struct conns *cs);
/* Open connections not being closed. */
unsigned	 conns_live(const struct conns *cs);
/*
 * The connection that has waited past its deadline the longest (a
 * handshake over handshake_ms, a request over request_ms), or NULL. The
 * caller closes it and marks it CONN_CLOSING before asking again.
 */
struct conn	*conns_expired(const struct conns *cs, uint64_t now,
		    uint64_t handshake_ms, uint64_t request_ms);
/*
 * The connection that has waited longest for its handshake or its
 * request, or NULL when every one is busy or closing.
 */
struct conn	*conns_oldest(const struct conns *cs);

#endif /* PB_CONNS_H */
