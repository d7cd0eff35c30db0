/*
 * pnp.h - what provisiond answers a SIP plug-and-play SUBSCRIBE (issue
 * #15), as a function of the config, a registry read transaction, the
 * parsed SUBSCRIBE (sippnp.h), the address it came from and the time. No
 * sockets: provisiond/pnpd.c receives and sends.
 *
 * A PnP answer is as public as a DHCP answer: any host may multicast a
 * SUBSCRIBE naming any MAC. So the rules are the DHCP server's
 * (dhcpd/reply.c, first_access()):
 *  - the MAC must be a registered device of a class with a pnp_url;
 *  - in a token class, the URL's token is the device's first-access
 *    token, only while its enrollment window is open, only to the address
 *    holding the MAC's live lease, and only under the client identity the
 *    token went to (a lease with another identity: refused, as DHCP
 *    refuses a duplicate MAC); the first to ask binds it (EOP_HANDED). A
 *    class that requires client certificates gets the user's permanent
 *    token (the certificate is the proof, as over DHCP);
 *  - a legacy class's URL names no token (the flat folder's guards
 *    decide what is served).
 * Everything else gets no answer at all: a refusal is silence, the same
 * for an unknown MAC as for a registered one, so a SUBSCRIBE tells an
 * attacker nothing.
 */
#ifndef PB_PNP_H
#define PB_PNP_H

#include <stdint.h>
#include <time.h>

#include "cfg.h"
#include "enroll.h"
#include "registry.h"
#include "sippnp.h"

enum pnp_refusal {
	PNP_OK = 0,
	PNP_NO_MAC,		/* the SUBSCRIBE names no MAC */
	PNP_UNREGISTERED,	/* no device has the MAC */
	PNP_NO_URL,		/* the device's class has no pnp_url */
	PNP_NO_LEASE,		/* the source holds no live lease for it */
	PNP_NOT_ENROLLING,	/* no open window, or its token is spent */
	PNP_IDENTITY,		/* the lease's identity is not the enrolled */
	PNP_NO_TOKEN,		/* the user's token is revoked */
	PNP_INTERNAL,		/* a registry failure, or the URL too long */
	PNP_COUNT
};
const char	*pnp_refusal_str(enum pnp_refusal r);

struct pnp_answer {
	enum pnp_refusal	 refused;
	char			 url[SIPPNP_URL_MAX + 1];	/* PNP_OK */
	/* For the audit line. */
	const char		*vendor;	/* the class, or NULL */
	char			 user[CFG_NAME_MAX + 1];
	int			 first_access;	/* the URL holds one */
	char			 token_hint[16];
	/* What enrollment learns (kind EOP_NONE: nothing). */
	struct enroll_op	 eop;
};

/*
 * Decides the answer to s, received from src_ip (host order) at the
 * server's address server_ip (host order, for ${server_ip}). Always
 * fills a (its url wiped by pnp_answer_clear()).
 */
void	pnp_decide(const struct cfg *cfg, struct reg_txn *txn,
	    const struct sippnp_sub *s, uint32_t src_ip, uint32_t server_ip,
	    time_t now, struct pnp_answer *a);
void	pnp_answer_clear(struct pnp_answer *a);

#endif /* PB_PNP_H */
