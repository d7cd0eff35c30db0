/*
 * policy.h - the request policy around serve.c: what is refused before a
 * request is looked at (too many header fields, a source the guard
 * blocks, a method other than GET or HEAD) and what the enumeration guard
 * learns from each answer. A pure function of its input and the guard's
 * state (the guard takes the time as input), so each refusal is a unit
 * test without a socket; provisiond.c only adapts evhttp to it.
 */
#ifndef PB_POLICY_H
#define PB_POLICY_H

#include <time.h>

#include "guard.h"
#include "serve.h"

/* More header fields than this: 431 (RFC 6585 5). */
#define POLICY_MAX_HEADER_FIELDS	100

enum policy_method {
	PM_GET = 0,
	PM_HEAD,
	PM_OTHER,	/* POST, PUT, ...: 405 */
};

struct policy_req {
	const struct guard_addr	*peer;
	enum policy_method	 method;
	unsigned		 nfields;	/* header fields received */
	time_t			 now;
};

/*
 * Before serving: 1 when the request is refused (resp filled: 431, 429
 * with retry_after, or 405 with allow), 0 to serve it. resp must have been
 * through prov_resp_init().
 */
int	policy_admit(struct guard *g, const struct policy_req *pq,
	    struct prov_resp *resp);

/*
 * After serving: a 404 or 403 is a miss for the guard, a 2xx or 3xx a
 * hit. Returns guard_miss()'s flags (GUARD_SOURCE_BLOCKED,
 * GUARD_ATTACK_STARTED) for the caller's log line, else 0.
 */
int	policy_account(struct guard *g, const struct policy_req *pq,
	    const struct prov_resp *resp);

#endif /* PB_POLICY_H */
