/*
 * policy.c - the request policy around serve.c (policy.h).
 */
#include "config.h"

#include <string.h>

#include "policy.h"

int
policy_admit(struct guard *g, const struct policy_req *pq,
    struct prov_resp *resp)
{
	time_t until;

	if (pq->nfields > POLICY_MAX_HEADER_FIELDS) {
		prov_refuse(resp, REF_HEADERS);
		return 1;
	}
	/* A blocked source learns nothing, not even whether a path exists. */
	if (guard_check(g, pq->peer, pq->now, &until)) {
		guard_refused(g);
		prov_refuse(resp, REF_GUARD);
		resp->retry_after = until > pq->now ?
		    (unsigned)(until - pq->now) : 1;
		return 1;
	}
	if (pq->method == PM_OTHER) {
		prov_refuse(resp, REF_METHOD);
		resp->allow = "GET, HEAD";
		return 1;
	}
	return 0;
}

int
policy_account(struct guard *g, const struct policy_req *pq,
    const struct prov_resp *resp)
{
	if (resp->status == 404 || resp->status == 403)
		return guard_miss(g, pq->peer, pq->now);
	if (resp->status < 400)
		guard_hit(g, pq->peer, pq->now);
	return 0;
}
