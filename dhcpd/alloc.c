/*
 * alloc.c - which address a client may have (RFC 2131 4.3.1 and 4.3.2):
 * whether an address is free, reserved or another's; the client's own
 * lease; a new address from the pools in order, with a share of each pool
 * kept for registered devices and admission limits for the clients the
 * registry does not know. All state comes through struct lease_view.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "wire.h"

int
alloc_in_subnet(const struct cfg_subnet *sn, uint32_t ip)
{
	uint32_t bcast = sn->network | ~sn->mask;

	return (ip & sn->mask) == sn->network && ip != sn->network &&
	    ip != bcast;
}

const struct cfg_pool *
alloc_pool_of(const struct cfg_subnet *sn, uint32_t ip)
{
	for (size_t i = 0; i < sn->npools; i++)
		if (ip >= sn->pools[i].start && ip <= sn->pools[i].end)
			return &sn->pools[i];
	return NULL;
}

const struct cfg_reservation *
alloc_reservation_for(const struct cfg_subnet *sn,
    const struct dhcp_decision *d)
{
	if (!d->has_mac)
		return NULL;
	for (size_t i = 0; i < sn->nreservations; i++)
		if (mac_cmp(&sn->reservations[i].mac, &d->mac) == 0)
			return &sn->reservations[i];
	return NULL;
}

/* 1 if ip is reserved for a client other than this one. */
int
alloc_reserved_for_other(const struct cfg_subnet *sn, uint32_t ip,
    const struct dhcp_decision *d)
{
	for (size_t i = 0; i < sn->nreservations; i++)
		if (sn->reservations[i].ip == ip && (!d->has_mac ||
		    mac_cmp(&sn->reservations[i].mac, &d->mac) != 0))
			return 1;
	return 0;
}

int
alloc_lease_is_clients(const struct reg_lease *l, const uint8_t *key,
    size_t klen)
{
	return l->state != LEASE_DECLINED && l->client_key_len == klen &&
	    memcmp(l->client_key, key, klen) == 0;
}

/* 1 if a lease record no longer holds its address at now. */
int
alloc_lease_over(const struct reg_lease *l, time_t now)
{
	return l->expire <= now;
}


/*
 * Whether ip may go to the client (key). Outside the pools only a
 * reservation or the client's own record makes an address available.
 */
enum avail
alloc_availability(const struct lease_view *v, const struct cfg_subnet *sn,
    uint32_t ip, const uint8_t *key, size_t klen,
    const struct dhcp_decision *d, time_t now, struct reg_lease *rec)
{
	int r;

	if (!alloc_in_subnet(sn, ip))
		return AV_NO;
	if ((r = v->get(v->arg, ip, rec)) < 0)
		return AV_ERROR;
	/*
	 * A reservation wins even over the client's own record: a
	 * reservation added over a live lease moves the address to its
	 * owner at the next renewal.
	 */
	if (alloc_reserved_for_other(sn, ip, d))
		return AV_NO;
	if (r == 0 && alloc_lease_is_clients(rec, key, klen))
		return AV_OWN;
	if (r == 0 && !alloc_lease_over(rec, now))
		return AV_NO;
	if (alloc_pool_of(sn, ip) == NULL)
		return d->reservation != NULL && d->reservation->ip == ip ?
		    AV_FREE : AV_NO;
	return AV_FREE;
}

/*
 * What a NAK says of an address alloc_availability() refused (AV_NO), in the
 * order it looks: a client is told the address is leased to another only
 * when someone holds it.
 */
const char *
alloc_unavailable_why(const struct lease_view *v, const struct cfg_subnet *sn,
    uint32_t ip, const struct dhcp_decision *d, time_t now)
{
	struct reg_lease	l;
	int			r;

	if (!alloc_in_subnet(sn, ip))
		return "address is wrong for the network";
	if ((r = v->get(v->arg, ip, &l)) < 0)
		return "requested address not available";
	if (alloc_reserved_for_other(sn, ip, d))
		return "address is reserved for another client";
	if (r == 0 && !alloc_lease_over(&l, now))
		return l.state == LEASE_DECLINED ? "address is set aside: a "
		    "client declined it" : "address is leased to another "
		    "client";
	return "address is not in a pool";
}

/*
 * The client's own lease in sn, if it has one: the address it held last,
 * even if that lease is over, so a returning client gets its address back.
 */
int
alloc_client_lease(const struct lease_view *v, const struct cfg_subnet *sn,
    const uint8_t *key, size_t klen, struct reg_lease *out)
{
	uint32_t	 ips[8];
	int		 n, found = 0;

	if ((n = v->by_client(v->arg, key, klen, ips, 8)) < 0)
		return -1;
	for (int i = 0; i < n && i < 8; i++) {
		struct reg_lease	 l;
		int			 r;

		if (!alloc_in_subnet(sn, ips[i]))
			continue;
		if ((r = v->get(v->arg, ips[i], &l)) < 0)
			return -1;
		if (r != 0 || !alloc_lease_is_clients(&l, key, klen))
			continue;
		/* Prefer the lease that lasts longest. */
		if (!found || l.expire > out->expire)
			*out = l;
		found = 1;
	}
	return found;
}

/*
 * Is this client one the registry knows (a device record, or a
 * reservation)? Those are never limited and may take a pool's reserve:
 * a MAC is public, but one live lease per MAC bounds what a copy of one
 * can take. 1, 0, or -1 on a failure.
 */
int
alloc_registered(const struct lease_view *v, const struct dhcp_decision *d)
{
	struct reg_device	dev;
	int			r;

	if (d->reservation != NULL)
		return 1;
	if (!d->has_mac)
		return 0;
	if ((r = v->device(v->arg, &d->mac, &dev)) < 0)
		return -1;
	return r == 0;
}

/*
 * The admission limits for a client the registry does not know taking a
 * new address: per MAC, then per relay (giaddr and the circuit-id) or
 * per receiving interface. DROP_NONE when admitted. A refusal sets note
 * on the first of its burst only, so a flood makes one log line.
 */
enum dhcp_drop
alloc_admission(const struct lease_view *v, const struct dhcp_msg *m,
    const struct dhcp_rx *rx, time_t now, struct dhcp_decision *d)
{
	uint8_t		 key[4 + 255];
	const uint8_t	*cid;
	size_t		 len = 0;
	int		 r;
	enum dhcp_drop	 why;

	if (v->admit == NULL)
		return DROP_NONE;
	if (d->has_mac) {
		r = v->admit(v->admit_arg, ADMIT_MAC, d->mac.b, 6, now);
		why = DROP_LIMIT_MAC;
		if (r != ADMIT_OK)
			goto refused;
	}
	if (m->giaddr != 0) {
		struct wire w;

		wire_init(&w, key, sizeof(key));
		wire_write_u32(&w, m->giaddr);
		if ((cid = dhcp_relay_subopt(m, DHCP_RAI_CIRCUIT_ID,
		    &len)) != NULL && len <= 255)
			wire_write(&w, cid, len);
		r = v->admit(v->admit_arg, ADMIT_RELAY, key, sizeof(key) -
		    w.rem, now);
		why = DROP_LIMIT_RELAY;
	} else {
		const char *ifn = rx->ifname != NULL ? rx->ifname : "";

		r = v->admit(v->admit_arg, ADMIT_IFACE, ifn, strlen(ifn), now);
		why = DROP_LIMIT_IFACE;
	}
	if (r == ADMIT_OK)
		return DROP_NONE;
refused:
	d->note = r == ADMIT_REFUSED_FIRST ? dhcp_drop_str(why) : NULL;
	return why;
}

/* What a pool keeps back for registered devices, in addresses. */
static long
pool_reserve(const struct cfg *cfg, const struct cfg_pool *pool)
{
	uint64_t size = (uint64_t)pool->end - pool->start + 1;

	return (long)(size * cfg->dhcp.reserve / 100);
}

/* Below this many available addresses (reserve aside) a pool is low. */
static long
pool_low(const struct cfg *cfg, const struct cfg_pool *pool)
{
	uint64_t size = (uint64_t)pool->end - pool->start + 1;

	return pool_reserve(cfg, pool) + (long)(size / 10) + 1;
}

/*
 * May this client take a new address of pool? An unregistered one may
 * not take the pool's reserve. Sets *low when the pool runs low (offers
 * then hold their address for offer_time_low) and *kept when addresses
 * are left that only the reserve holds back. 1, 0, or -1.
 */
static int
pool_allows(const struct cfg *cfg, const struct lease_view *v,
    const struct cfg_subnet *sn, const struct cfg_pool *pool, int known,
    time_t now, int *low, int *kept)
{
	long avail, need = pool_reserve(cfg, pool);

	if (v->available == NULL)
		return 1;
	if ((avail = v->available(v->arg, sn, pool, pool_low(cfg, pool),
	    now)) < 0)
		return -1;
	*low = avail < pool_low(cfg, pool);
	if (known || need == 0 || avail > need)
		return 1;
	if (avail > 0)
		*kept = 1;
	return 0;
}

/*
 * A new address for the client from sn's pools, in RFC 2131 4.3.1's
 * order after the client's own: the requested one, an address never
 * used, the one whose lease ended longest ago, and, with nothing else
 * left, the one set aside longest ago (a DECLINE or a conflict: RFC 2131
 * leaves a server free to reuse them). 0 with *ip set, REG_NOTFOUND, or
 * -1. *reserved tells that the reserve alone stopped it.
 */
int
alloc_new_address(const struct cfg *cfg, const struct lease_view *v,
    const struct dhcp_msg *m, const uint8_t *key, size_t klen, int known,
    time_t now, struct dhcp_decision *d, uint32_t *ip, int *low,
    int *reserved)
{
	const struct cfg_subnet	*sn = d->subnet;
	const struct cfg_pool	*pool;
	struct reg_lease	 rec;
	uint32_t		 want;
	int			 r, ok;

	*reserved = 0;
	if (dhcp_opt_ip(m, DHO_REQUESTED_ADDR, &want) == 0 &&
	    (pool = alloc_pool_of(sn, want)) != NULL) {
		enum avail av = alloc_availability(v, sn, want, key, klen,
		    d, now, &rec);

		if (av == AV_ERROR)
			return -1;
		if (av == AV_FREE) {
			if ((ok = pool_allows(cfg, v, sn, pool, known, now,
			    low, reserved)) < 0)
				return -1;
			if (ok) {
				*ip = want;
				return 0;
			}
		}
	}
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < sn->npools; i++) {
			pool = &sn->pools[i];
			if ((ok = pool_allows(cfg, v, sn, pool, known, now,
			    low, reserved)) < 0)
				return -1;
			if (!ok)
				continue;
			/*
			 * Set-aside addresses go back only to registered
			 * devices while the pool keeps a reserve, or a
			 * flood would take them as they are reclaimed.
			 */
			if (pass == 2 && !known && pool_reserve(cfg, pool) > 0)
				continue;
			if (pass == 0)
				r = v->find_free(v->arg, sn, pool, ip);
			else if (pass == 1)
				r = v->find_expired(v->arg, sn, pool, now, ip);
			else if (v->find_quarantined != NULL)
				r = v->find_quarantined(v->arg, sn, pool, now,
				    ip);
			else
				r = REG_NOTFOUND;
			if (r < 0)
				return -1;
			if (r == 0) {
				*reserved = 0;
				return 0;
			}
		}
	return REG_NOTFOUND;
}

/*
 * A REQUEST that takes an address no OFFER held for the client (SELECTING
 * without our OFFER, RENEWING an address nobody holds): the same gate as
 * a DISCOVER's new address, or a flood would go round the limits and the
 * reserve by skipping DISCOVER. DROP_NONE when it may.
 */
enum dhcp_drop
alloc_may_take(const struct cfg *cfg, const struct lease_view *v,
    const struct dhcp_msg *m, const struct dhcp_rx *rx, uint32_t ip,
    time_t now, struct dhcp_decision *d)
{
	const struct cfg_pool	*pool;
	enum dhcp_drop		 why;
	int			 known, low = 0, kept = 0, r;

	if ((known = alloc_registered(v, d)) < 0)
		return DROP_REGISTRY;
	if (known)
		return DROP_NONE;
	if ((why = alloc_admission(v, m, rx, now, d)) != DROP_NONE)
		return why;
	if ((pool = alloc_pool_of(d->subnet, ip)) == NULL)
		return DROP_NONE;
	if ((r = pool_allows(cfg, v, d->subnet, pool, 0, now, &low,
	    &kept)) < 0)
		return DROP_REGISTRY;
	if (r == 0) {
		d->note = dhcp_drop_str(DROP_RESERVED);
		return DROP_RESERVED;
	}
	return DROP_NONE;
}
