/*
 * alloc.h - which address a client may have: availability of an address,
 * the client's own lease, a new address from the pools (with the reserve
 * for registered devices and the admission limits for the others). Only
 * for server.c and alloc.c, pure over struct lease_view like them; each
 * function is described where alloc.c defines it.
 */
#ifndef PB_ALLOC_H
#define PB_ALLOC_H

#include "server.h"

enum avail {
	AV_NO = 0,	/* another client holds it, or it is not ours to give */
	AV_FREE,	/* no record, or a record whose lease is over */
	AV_OWN,		/* this client's own record */
	AV_ERROR,
};

int		 alloc_in_subnet(const struct cfg_subnet *sn, uint32_t ip);
const struct cfg_pool *alloc_pool_of(const struct cfg_subnet *sn,
		    uint32_t ip);
const struct cfg_reservation *alloc_reservation_for(
		    const struct cfg_subnet *sn, const struct dhcp_decision *d);
int		 alloc_reserved_for_other(const struct cfg_subnet *sn,
		    uint32_t ip, const struct dhcp_decision *d);
int		 alloc_lease_is_clients(const struct reg_lease *l,
		    const uint8_t *key, size_t klen);
int		 alloc_lease_over(const struct reg_lease *l, time_t now);
enum avail	 alloc_availability(const struct lease_view *v,
		    const struct cfg_subnet *sn, uint32_t ip,
		    const uint8_t *key, size_t klen,
		    const struct dhcp_decision *d, time_t now,
		    struct reg_lease *rec);
const char	*alloc_unavailable_why(const struct lease_view *v,
		    const struct cfg_subnet *sn, uint32_t ip,
		    const struct dhcp_decision *d, time_t now);
int		 alloc_client_lease(const struct lease_view *v,
		    const struct cfg_subnet *sn, const uint8_t *key,
		    size_t klen, struct reg_lease *out);
int		 alloc_registered(const struct lease_view *v,
		    const struct dhcp_decision *d);
enum dhcp_drop	 alloc_admission(const struct lease_view *v,
		    const struct dhcp_msg *m, const struct dhcp_rx *rx,
		    time_t now, struct dhcp_decision *d);
int		 alloc_new_address(const struct cfg *cfg,
		    const struct lease_view *v, const struct dhcp_msg *m,
		    const uint8_t *key, size_t klen, int known, time_t now,
		    struct dhcp_decision *d, uint32_t *ip, int *low,
		    int *reserved);
enum dhcp_drop	 alloc_may_take(const struct cfg *cfg,
		    const struct lease_view *v, const struct dhcp_msg *m,
		    const struct dhcp_rx *rx, uint32_t ip, time_t now,
		    struct dhcp_decision *d);

#endif /* PB_ALLOC_H */
