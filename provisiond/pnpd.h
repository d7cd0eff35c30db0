/*
 * pnpd.h - provisiond's SIP plug-and-play responder (provisioning.sip_pnp)
 * on the daemon's event loop: one UDP socket on port 5060 that joins
 * 224.0.1.75 on the served interfaces, the 200 OK and the NOTIFY with
 * their retransmissions (RFC 3261 17.1.2.2 timers), around sippnp.h (the
 * messages) and pnp.h (the decision, taken by the daemon's callback).
 *
 * Served interfaces: those dhcp.interfaces names, or, when it names none,
 * every interface with an IPv4 address inside a configured subnet (the
 * DHCP server's own rule); multicast does not cross a relay.
 *
 * Limits: PNPD_TXNS transactions at once, PNPD_PER_SOURCE from one
 * address; an enumeration guard of its own (the provisioning guard's
 * limits, so a phone that keeps asking never blocks its own HTTPS) turns
 * a source that collects refusals away before its SUBSCRIBE is looked
 * at. A refusal is never answered; malformed messages are counted and
 * dropped.
 */
#ifndef PB_PNPD_H
#define PB_PNPD_H

#include <netinet/in.h>

#include "pnp.h"
#include "sippnp.h"

#define PNPD_PORT	5060
#define PNPD_GROUP	"224.0.1.75"	/* sip.mcast.net, RFC 3261 10.2.6 */
#define PNPD_TXNS	256
#define PNPD_PER_SOURCE	4

struct cfg;
struct event_base;
struct pnpd;

/*
 * Decides the answer to s from src, received at local (the server's
 * address on that link), with its audit line: pnp_decide() in a read
 * transaction, and what it taught enrollment queued.
 */
typedef void (*pnpd_answer_fn)(const struct sippnp_sub *s,
    const struct sockaddr_in *src, uint32_t local, struct pnp_answer *a,
    void *arg);

struct pnpd_stats {
	unsigned long	 received;	/* datagrams */
	unsigned long	 malformed[SIPPNP_ERR_MAX];	/* by reason */
	unsigned long	 subscribes;	/* ua-profile SUBSCRIBEs parsed */
	unsigned long	 refused[PNP_COUNT];	/* by reason; [0] answered */
	unsigned long	 retransmitted;	/* SUBSCRIBEs seen again */
	unsigned long	 blocked;	/* from a source the guard blocks */
	unsigned long	 busy;		/* past the transaction limits */
	unsigned long	 notify_acked;	/* a final answer to the NOTIFY */
	unsigned long	 notify_timeout;	/* none within Timer F */
	unsigned long	 stray;		/* responses to nothing of ours */
	unsigned	 joined;	/* interfaces joined */
	unsigned	 txns;		/* now */
};

/* Binds and joins (as root). NULL with err on failure. */
struct pnpd	*pnpd_new(struct event_base *base, const struct cfg *cfg,
		    pnpd_answer_fn answer, void *arg, char *err,
		    size_t errsz);
/* A reload: the guard's new limits. */
void		 pnpd_configure(struct pnpd *d, const struct cfg *cfg);
void		 pnpd_free(struct pnpd *d);
void		 pnpd_get_stats(const struct pnpd *d, struct pnpd_stats *st);
/* The malformed datagrams of st, every reason. */
unsigned long	 pnpd_stats_malformed(const struct pnpd_stats *st);

#endif /* PB_PNPD_H */
