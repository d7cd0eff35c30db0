/*
 * server.c - the DHCP server's decisions: which address a client gets and
 * whether a request is ACKed, NAKed or ignored (RFC 2131 4.3).
 *
 * All state comes through struct lease_view, so this file does no I/O.
 * Options for the reply are assembled in reply.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "alloc.h"
#include "server.h"
#include "wire.h"

static const char *const drop_names[DROP_COUNT] = {
	[DROP_NONE] = "none",
	[DROP_NOT_REQUEST] = "not a BOOTREQUEST",
	[DROP_BOOTP] = "BOOTP (no message type)",
	[DROP_NO_CLIENT] = "no client identifier or hardware address",
	[DROP_NO_SUBNET] = "no subnet for this network",
	[DROP_OTHER_SERVER] = "for another server",
	[DROP_NO_RECORD] = "no record of this client",
	[DROP_POOL_EXHAUSTED] = "no free address",
	[DROP_NOT_AUTHORITATIVE] = "not authoritative",
	[DROP_UNKNOWN_LEASE] = "not this client's lease",
	[DROP_SERVER_TYPE] = "a server's message type",
	[DROP_REGISTRY] = "registry failure",
	[DROP_DUPLICATE_MAC] = "duplicate MAC: another client identity "
	    "holds its lease",
	[DROP_RELEASE_SOURCE] = "RELEASE not sent from the leased address",
	[DROP_INFORM_NO_ADDRESS] = "INFORM with no address to answer to",
	[DROP_INFORM_OFF_SUBNET] = "INFORM from outside every subnet",
	[DROP_UNSUPPORTED_TYPE] = "unsupported message type",
	[DROP_RESERVED] = "only the registered devices' reserve is left",
	[DROP_LIMIT_MAC] = "admission limit per MAC",
	[DROP_LIMIT_RELAY] = "admission limit per relay",
	[DROP_LIMIT_IFACE] = "admission limit per interface",
	[DROP_DECLINE_LIMIT] = "DECLINE rate limit",
	[DROP_DECLINE_CAP] = "the pool's quarantine share is full",
	[DROP_DECLINE_LATE] = "DECLINE long after the binding",
	[DROP_PROBING] = "a conflict probe of its address is out",
	[DROP_CONFLICT] = "every address probed for it answered",
};

const char *
dhcp_drop_str(enum dhcp_drop why)
{
	if ((unsigned)why >= DROP_COUNT)
		return "unknown";
	return drop_names[why];
}

size_t
dhcp_client_key(const struct dhcp_msg *m, uint8_t key[REG_CLIENT_KEY_MAX])
{
	const uint8_t	*id;
	size_t		 len;

	if ((id = dhcp_opt_get(m, DHO_CLIENT_ID, &len)) != NULL && len > 0) {
		/*
		 * RFC 3396 lets an identifier run past 255 bytes; the
		 * registry bounds a key, so a long one is known by its
		 * SHA-256 (kind 'S'), the same for every message it sends.
		 */
		if (len > REG_CLIENT_KEY_MAX - 1) {
			unsigned int n = 0;

			key[0] = 'S';
			if (EVP_Digest(id, len, key + 1, &n, EVP_sha256(),
			    NULL) != 1)
				return 0;
			return 1u + n;
		}
		key[0] = 'I';
		memcpy(key + 1, id, len);
		return len + 1;
	}
	if (m->hlen == 0)
		return 0;
	key[0] = 'H';
	key[1] = m->htype;
	memcpy(key + 2, m->chaddr, m->hlen);
	return 2u + m->hlen;
}


/* A 4-byte relay sub-option as an address, or 0. */
static uint32_t
relay_addr(const struct dhcp_msg *m, uint8_t code)
{
	const uint8_t	*p;
	size_t		 len;
	struct wire	 w;

	if (m->giaddr == 0 ||
	    (p = dhcp_relay_subopt(m, code, &len)) == NULL || len != 4)
		return 0;
	wire_init(&w, p, len);
	return wire_read_u32(&w);
}

/*
 * The link a relayed client is on: RFC 3527's link-selection sub-option
 * when the relay sent one (its giaddr is then only where replies go),
 * else giaddr.
 */
static uint32_t
relay_link(const struct dhcp_msg *m)
{
	uint32_t link = relay_addr(m, DHCP_RAI_LINK_SELECTION);

	return link != 0 ? link : m->giaddr;
}

/*
 * The subnet a message belongs to: the one holding giaddr for relayed
 * messages (RFC 2131 4.3.1), the one holding the client's address for an
 * INFORM, the one holding ciaddr for a message unicast to us (4.3.2: a
 * RENEWING client bypasses the relay and the server trusts ciaddr), else
 * the receiving interface's. NULL when none fits.
 */
static const struct cfg_subnet *
select_subnet(const struct cfg *cfg, const struct dhcp_msg *m,
    const struct dhcp_rx *rx)
{
	const struct cfg_dhcp *d = &cfg->dhcp;

	if (m->giaddr != 0) {
		uint32_t link = relay_link(m);

		for (size_t i = 0; i < d->nsubnets; i++)
			if ((link & d->subnets[i].mask) ==
			    d->subnets[i].network)
				return &d->subnets[i];
		return NULL;
	}
	/*
	 * 4.3.5: an INFORM's client has its address already (ciaddr, else
	 * the IP source); its parameters are those of that address's
	 * subnet, and one in no configured subnet gets none (the
	 * receiving link's mask and router would be wrong for it, and the
	 * ACK would go to an address off every link we serve).
	 */
	if (m->msgtype == DHCPINFORM) {
		uint32_t a = m->ciaddr != 0 ? m->ciaddr : rx->src_ip;

		for (size_t i = 0; i < d->nsubnets; i++)
			if ((a & d->subnets[i].mask) == d->subnets[i].network)
				return &d->subnets[i];
		return NULL;
	}
	if (m->ciaddr != 0 && rx->unicast) {
		for (size_t i = 0; i < d->nsubnets; i++)
			if ((m->ciaddr & d->subnets[i].mask) ==
			    d->subnets[i].network)
				return &d->subnets[i];
	}
	for (size_t i = 0; i < d->nsubnets; i++) {
		const struct cfg_subnet *sn = &d->subnets[i];

		if (sn->interface != NULL) {
			if (rx->ifname != NULL &&
			    strcmp(sn->interface, rx->ifname) == 0)
				return sn;
			continue;
		}
		for (size_t k = 0; k < rx->nif_addrs; k++)
			if ((rx->if_addrs[k] & sn->mask) == sn->network)
				return sn;
	}
	return NULL;
}

/*
 * Our address as the client should see it: the relay's RFC 5107 override
 * when it sent one (the client then talks to the relay, which forwards to
 * us), else one of ours inside its subnet.
 */
static uint32_t
server_id(const struct cfg_subnet *sn, const struct dhcp_rx *rx,
    const struct dhcp_msg *m)
{
	uint32_t over = relay_addr(m, DHCP_RAI_SERVER_OVERRIDE);

	if (over != 0)
		return over;
	for (size_t k = 0; k < rx->nif_addrs; k++)
		if ((rx->if_addrs[k] & sn->mask) == sn->network)
			return rx->if_addrs[k];
	return rx->nif_addrs > 0 ? rx->if_addrs[0] : 0;
}

static int
is_ours(const struct dhcp_rx *rx, uint32_t sid, uint32_t ours)
{
	if (sid == ours)
		return 1;
	for (size_t k = 0; k < rx->nif_addrs; k++)
		if (rx->if_addrs[k] == sid)
			return 1;
	return 0;
}


static uint32_t
lease_time(const struct cfg *cfg, const struct cfg_subnet *sn,
    const struct dhcp_msg *m)
{
	uint32_t want, lt = sn->lease_time ? sn->lease_time :
	    cfg->dhcp.lease_time;

	if (dhcp_opt_u32(m, DHO_LEASE_TIME, &want) == 0) {
		if (want < cfg->dhcp.min_lease_time)
			want = cfg->dhcp.min_lease_time;
		if (want > cfg->dhcp.max_lease_time)
			want = cfg->dhcp.max_lease_time;
		lt = want;
	}
	return lt;
}

/* Fills the lease record for ip as the client's, in state. */
static void
set_lease(struct dhcp_decision *d, const struct dhcp_msg *m,
    const uint8_t *key, size_t klen, uint32_t ip, uint8_t state,
    time_t start, time_t expire)
{
	struct reg_lease	*l = &d->lease;
	const uint8_t		*p;
	size_t			 len;

	memset(l, 0, sizeof(*l));
	l->ip = ip;
	l->state = state;
	l->htype = m->htype;
	l->hlen = m->hlen;
	memcpy(l->chaddr, m->chaddr, m->hlen);
	memcpy(l->client_key, key, klen);
	l->client_key_len = (uint16_t)klen;
	l->start = start;
	l->expire = expire;
	/* Raw client bytes: whoever shows them escapes them. */
	if ((p = dhcp_opt_get(m, DHO_HOST_NAME, &len)) != NULL) {
		l->hostname_len = (uint8_t)(len < sizeof(l->hostname) ? len :
		    sizeof(l->hostname));
		memcpy(l->hostname, p, l->hostname_len);
	}
	if ((p = dhcp_opt_get(m, DHO_VENDOR_CLASS, &len)) != NULL) {
		l->vclass_len = (uint8_t)(len < sizeof(l->vclass) ? len :
		    sizeof(l->vclass));
		memcpy(l->vclass, p, l->vclass_len);
	}
	d->write_lease = 1;
}

static void
drop(struct dhcp_decision *d, enum dhcp_drop why)
{
	d->action = DA_DROP;
	d->drop = why;
	d->write_lease = 0;
}

/* RFC 2131 4.1: where a reply goes. */
static void
set_dest(struct dhcp_decision *d, const struct dhcp_msg *m,
    const struct dhcp_rx *rx)
{
	if (m->giaddr != 0) {
		d->dest = DEST_RELAY;
		d->dest_ip = m->giaddr;
		/* 4.3.2: a NAK through a relay is broadcast beyond it. */
		if (d->type == DHCPNAK)
			d->hdr.flags |= DHCP_FLAG_BROADCAST;
	} else if (d->type == DHCPNAK) {
		d->dest = DEST_BROADCAST;
	} else if (m->ciaddr != 0) {
		d->dest = DEST_CIADDR;
		d->dest_ip = m->ciaddr;
	} else if (d->inform) {
		/*
		 * An INFORM without ciaddr: answer where it came from
		 * (dhcp_decide() drops one from 0.0.0.0, which no client
		 * receives: RFC 1122 3.2.1.3).
		 */
		d->dest = DEST_CIADDR;
		d->dest_ip = rx->src_ip;
	} else if ((m->flags & DHCP_FLAG_BROADCAST) || !d->has_mac) {
		d->dest = DEST_BROADCAST;
	} else {
		d->dest = DEST_HWADDR;
		d->dest_ip = d->hdr.yiaddr;
	}
}

static void
reply(const struct cfg *cfg, const struct lease_view *v,
    const struct dhcp_msg *m, const struct dhcp_rx *rx, uint8_t type,
    uint32_t yiaddr, struct dhcp_decision *d)
{
	uint16_t max, link;

	d->action = DA_REPLY;
	d->type = type;
	memset(&d->hdr, 0, sizeof(d->hdr));
	d->hdr.op = BOOTREPLY;
	d->hdr.htype = m->htype;
	d->hdr.hlen = m->hlen;
	d->hdr.xid = m->xid;
	d->hdr.flags = m->flags;
	/* RFC 2131 table 3: ciaddr is echoed in ACKs only. */
	d->hdr.ciaddr = type == DHCPACK ? m->ciaddr : 0;
	d->hdr.yiaddr = type == DHCPNAK ? 0 : yiaddr;
	d->hdr.giaddr = m->giaddr;
	memcpy(d->hdr.chaddr, m->chaddr, sizeof(d->hdr.chaddr));
	/*
	 * RFC 2132 9.10: at least 576, IP and UDP headers included; never
	 * more than the link carries, or the reply would be fragmented, or
	 * lost when sent to a hardware address.
	 */
	link = rx->mtu >= DHCP_MIN_MAX_SIZE && rx->mtu < 1500 ?
	    (uint16_t)rx->mtu : 1500;
	d->max_size = DHCP_MIN_MAX_SIZE - 28;
	if (dhcp_opt_u16(m, DHO_MAX_MSG_SIZE, &max) == 0 &&
	    max > DHCP_MIN_MAX_SIZE)
		d->max_size = (uint16_t)((max > link ? link : max) - 28);
	set_dest(d, m, rx);
	if (dhcp_reply_options(cfg, v, m, d) != 0)
		drop(d, DROP_REGISTRY);
}

static void
nak(const struct cfg *cfg, const struct lease_view *v,
    const struct dhcp_msg *m, const struct dhcp_rx *rx, const char *why,
    struct dhcp_decision *d)
{
	d->write_lease = 0;
	if (!cfg->dhcp.authoritative) {
		d->note = why;
		drop(d, DROP_NOT_AUTHORITATIVE);
		return;
	}
	d->note = why;
	reply(cfg, v, m, rx, DHCPNAK, 0, d);
}

/*
 * One live lease per MAC: 1 when a client identity other than key holds
 * (or is being offered) a lease on d's MAC, other then holding it; 0 when
 * none; -1 on a registry failure. A phone's MAC is public, so a second
 * identity claiming it is an impersonation until the admin says
 * otherwise; the same identity in another subnet (a phone moving to its
 * voice VLAN) is not.
 */
static int
mac_claimed(const struct lease_view *v, const struct dhcp_decision *d,
    const uint8_t *key, size_t klen, time_t now, struct reg_lease *other)
{
	uint32_t	ips[8];
	int		n;

	if (!d->has_mac)
		return 0;
	if ((n = v->by_mac(v->arg, &d->mac, ips, 8)) < 0)
		return -1;
	for (int i = 0; i < n && i < 8; i++) {
		int r;

		if ((r = v->get(v->arg, ips[i], other)) < 0)
			return -1;
		if (r != 0 || alloc_lease_over(other, now) ||
		    (other->state != LEASE_OFFERED &&
		    other->state != LEASE_BOUND))
			continue;
		if (other->htype != 1 || other->hlen != 6 ||
		    memcmp(other->chaddr, d->mac.b, 6) != 0)
			continue;
		if (!alloc_lease_is_clients(other, key, klen))
			return 1;
	}
	return 0;
}

/*
 * Refuses a message whose MAC another identity holds (RFC 2131 leaves a
 * server free to refuse; a spoofed MAC is the attack this stops): no
 * OFFER and no ACK, and the device, if registered, becomes suspect.
 * Returns 1 when d was dropped.
 */
static int
refuse_duplicate(const struct lease_view *v, const uint8_t *key,
    size_t klen, time_t now, struct dhcp_decision *d)
{
	struct reg_lease	other;
	char			a[64], b[64], ip[IP4_STR_LEN];
	int			r;

	if ((r = mac_claimed(v, d, key, klen, now, &other)) == 0)
		return 0;
	if (r < 0) {
		drop(d, DROP_REGISTRY);
		return 1;
	}
	drop(d, DROP_DUPLICATE_MAC);
	d->eop.kind = EOP_DUPLICATE;
	d->eop.mac = d->mac;
	d->eop.ip = other.ip;
	d->eop.id_len = (uint16_t)klen;
	memcpy(d->eop.id, key, klen);
	snprintf(d->eop.detail, sizeof(d->eop.detail), "duplicate MAC: %s "
	    "holds %s, %s asked", enroll_id_str(other.client_key,
	    other.client_key_len, a, sizeof(a)), ip4_format(other.ip, ip),
	    enroll_id_str(key, klen, b, sizeof(b)));
	return 1;
}


static void
do_discover(const struct cfg *cfg, const struct lease_view *v,
    const struct dhcp_msg *m, const struct dhcp_rx *rx, const uint8_t *key,
    size_t klen, time_t now, struct dhcp_decision *d)
{
	const struct cfg_subnet		*sn = d->subnet;
	const struct cfg_reservation	*res;
	struct reg_lease		 rec, own;
	enum avail			 av = AV_NO;
	enum dhcp_drop			 why;
	uint32_t			 ip = 0, hold;
	int				 r, known, low = 0, reserved = 0;
	int				 fresh = 0;

	if (refuse_duplicate(v, key, klen, now, d))
		return;
	/* 4.3.1: a reservation, then the client's lease, then a new one. */
	if ((res = d->reservation) != NULL) {
		av = alloc_availability(v, sn, res->ip, key, klen, d, now,
		    &rec);
		if (av == AV_FREE || av == AV_OWN)
			ip = res->ip;
	}
	if (ip == 0 && av != AV_ERROR) {
		if ((r = alloc_client_lease(v, sn, key, klen, &own)) < 0)
			av = AV_ERROR;
		else if (r == 1 && (res == NULL || own.ip == res->ip) &&
		    !alloc_reserved_for_other(sn, own.ip, d)) {
			ip = own.ip;
			rec = own;
			av = AV_OWN;
		}
	}
	if (av == AV_ERROR) {
		drop(d, DROP_REGISTRY);
		return;
	}
	/* The client's OFFER waits for the probe of its held address. */
	if (av == AV_OWN && rec.state == LEASE_OFFERED && v->probing != NULL &&
	    v->probing(v->probe_arg, ip)) {
		drop(d, DROP_PROBING);
		return;
	}
	if (ip == 0) {
		if ((known = alloc_registered(v, d)) < 0) {
			drop(d, DROP_REGISTRY);
			return;
		}
		if (!known && (why = alloc_admission(v, m, rx, now, d)) !=
		    DROP_NONE) {
			drop(d, why);
			return;
		}
		if ((r = alloc_new_address(cfg, v, m, key, klen, known, now,
		    d, &ip, &low, &reserved)) < 0) {
			drop(d, DROP_REGISTRY);
			return;
		}
		if (r != 0) {
			if (reserved)
				d->note = dhcp_drop_str(DROP_RESERVED);
			drop(d, reserved ? DROP_RESERVED : DROP_POOL_EXHAUSTED);
			return;
		}
		av = AV_FREE;
		fresh = 1;
	}
	d->lease_time = lease_time(cfg, sn, m);
	hold = cfg->dhcp.offer_time;
	if (low && cfg->dhcp.offer_time_low > 0 &&
	    cfg->dhcp.offer_time_low < hold)
		hold = cfg->dhcp.offer_time_low;
	/* Hold the address for the offer, unless the client's lease does. */
	if (!(av == AV_OWN && rec.state == LEASE_BOUND &&
	    !alloc_lease_over(&rec, now)))
		set_lease(d, m, key, klen, ip, LEASE_OFFERED, now, now + hold);
	/*
	 * An address no client held a moment ago may be in use by a host
	 * the server does not know: probe it first (the batch sends the
	 * echo and decides this message again when the probe ends).
	 */
	if (fresh && cfg->dhcp.conflict_check) {
		d->action = DA_PROBE;
		return;
	}
	reply(cfg, v, m, rx, DHCPOFFER, ip, d);
}

/*
 * prev: the address's record when it is the client's (AV_OWN), else NULL.
 * A renewal of a live binding keeps the binding's start: the record then
 * says since when the client has held the address, which is what decides
 * whether a DECLINE can still be believed (do_decline()).
 */
static void
ack(const struct cfg *cfg, const struct lease_view *v,
    const struct dhcp_msg *m, const struct dhcp_rx *rx, const uint8_t *key,
    size_t klen, uint32_t ip, const struct reg_lease *prev, time_t now,
    struct dhcp_decision *d)
{
	time_t start = now;

	if (prev != NULL && prev->state == LEASE_BOUND &&
	    !alloc_lease_over(prev, now) && prev->start <= now)
		start = prev->start;
	d->lease_time = lease_time(cfg, d->subnet, m);
	set_lease(d, m, key, klen, ip, LEASE_BOUND, start,
	    now + d->lease_time);
	reply(cfg, v, m, rx, DHCPACK, ip, d);
}

static void
do_request(const struct cfg *cfg, const struct lease_view *v,
    const struct dhcp_msg *m, const struct dhcp_rx *rx, const uint8_t *key,
    size_t klen, time_t now, struct dhcp_decision *d)
{
	const struct cfg_subnet	*sn = d->subnet;
	struct reg_lease	 rec, own;
	uint32_t		 sid, want = 0;
	int			 has_sid, has_want, r;
	enum avail		 av;
	enum dhcp_drop		 why;

	has_sid = dhcp_opt_ip(m, DHO_SERVER_ID, &sid) == 0;
	has_want = dhcp_opt_ip(m, DHO_REQUESTED_ADDR, &want) == 0;
	if (refuse_duplicate(v, key, klen, now, d))
		return;

	if (has_sid) {
		/* SELECTING: the client picked a server (4.3.2). */
		if (!is_ours(rx, sid, server_id(sn, rx, m))) {
			drop(d, DROP_OTHER_SERVER);
			return;
		}
		if (!has_want)
			want = m->ciaddr;
		av = alloc_availability(v, sn, want, key, klen, d, now, &rec);
		if (av == AV_ERROR)
			drop(d, DROP_REGISTRY);
		else if (want == 0)
			nak(cfg, v, m, rx, "request names no address", d);
		else if (av == AV_NO)
			nak(cfg, v, m, rx, alloc_unavailable_why(v, sn, want,
			    d, now), d);
		else if (av == AV_FREE &&
		    (why = alloc_may_take(cfg, v, m, rx, want, now, d)) !=
		    DROP_NONE)
			drop(d, why);
		else
			ack(cfg, v, m, rx, key, klen, want, av == AV_OWN ?
			    &rec : NULL, now, d);
		return;
	}
	if (has_want && m->ciaddr == 0) {
		/*
		 * INIT-REBOOT: NAK an address wrong for the network, stay
		 * silent without a record of the client (4.3.2).
		 */
		if (!alloc_in_subnet(sn, want)) {
			nak(cfg, v, m, rx, "address is wrong for the network",
			    d);
			return;
		}
		av = alloc_availability(v, sn, want, key, klen, d, now, &rec);
		if (av == AV_ERROR) {
			drop(d, DROP_REGISTRY);
			return;
		}
		if (av == AV_OWN) {
			ack(cfg, v, m, rx, key, klen, want, &rec, now, d);
			return;
		}
		if ((r = alloc_client_lease(v, sn, key, klen, &own)) < 0) {
			drop(d, DROP_REGISTRY);
			return;
		}
		if (r == 1)
			nak(cfg, v, m, rx, "the client's lease is for another "
			    "address", d);
		else if (av == AV_NO && v->get(v->arg, want, &rec) == 0)
			nak(cfg, v, m, rx, alloc_unavailable_why(v, sn, want, d,
			    now), d);
		else
			drop(d, DROP_NO_RECORD);
		return;
	}
	if (m->ciaddr != 0) {
		/* RENEWING (unicast) or REBINDING (broadcast). */
		if (!alloc_in_subnet(sn, m->ciaddr)) {
			if (rx->unicast)
				nak(cfg, v, m, rx, "address is wrong for the "
				    "network", d);
			else
				drop(d, DROP_NO_SUBNET);
			return;
		}
		av = alloc_availability(v, sn, m->ciaddr, key, klen, d, now,
		    &rec);
		if (av == AV_ERROR) {
			drop(d, DROP_REGISTRY);
			return;
		}
		if (av == AV_FREE && rx->unicast &&
		    (why = alloc_may_take(cfg, v, m, rx, m->ciaddr, now, d)) !=
		    DROP_NONE) {
			drop(d, why);
			return;
		}
		if (av == AV_OWN || (av == AV_FREE && rx->unicast)) {
			ack(cfg, v, m, rx, key, klen, m->ciaddr, av == AV_OWN ?
			    &rec : NULL, now, d);
			return;
		}
		/*
		 * REBINDING is broadcast to every server (4.4.5): without a
		 * record of the client, or of another holding its address,
		 * stay silent as in INIT-REBOOT; it may be another server's.
		 */
		if (!rx->unicast) {
			if ((r = v->get(v->arg, m->ciaddr, &rec)) < 0) {
				drop(d, DROP_REGISTRY);
				return;
			}
			if (r != 0 || alloc_lease_over(&rec, now)) {
				drop(d, DROP_NO_RECORD);
				return;
			}
		}
		nak(cfg, v, m, rx, alloc_unavailable_why(v, sn, m->ciaddr, d,
		    now), d);
		return;
	}
	nak(cfg, v, m, rx, "request names no address", d);
}

/* The key DECLINE's source is limited by: giaddr, else source and link. */
static size_t
decline_source(const struct dhcp_msg *m, const struct dhcp_rx *rx,
    uint8_t *key, size_t sz)
{
	struct wire	 w;

	wire_init(&w, key, sz);
	wire_write_u32(&w, m->giaddr != 0 ? m->giaddr : rx->src_ip);
	if (m->giaddr == 0 && rx->ifname != NULL)
		wire_write(&w, rx->ifname, strnlen(rx->ifname, w.rem));
	return sz - w.rem;
}

/*
 * RFC 2131 4.3.3: a client that finds its new address in use declines
 * it, and the server sets the address aside. Anyone can send a DECLINE
 * in any client's name, so it is believed only from the identity that
 * holds the address, only in the moments after the binding (when a
 * client checks it: 4.4.1), at a bounded rate per client and per
 * source, and while the pool's quarantine share has room.
 */
static void
do_decline(const struct cfg *cfg, const struct lease_view *v,
    const struct dhcp_msg *m, const struct dhcp_rx *rx, const uint8_t *key,
    size_t klen, time_t now, struct dhcp_decision *d)
{
	const struct cfg_pool	*pool;
	struct reg_lease	 rec;
	uint32_t		 sid, ip;
	uint8_t			 src[4 + 64];
	int			 r1 = ADMIT_OK, r2 = ADMIT_OK;
	static const uint8_t	 declined[] = { 'D' };

	if (dhcp_opt_ip(m, DHO_SERVER_ID, &sid) == 0 &&
	    !is_ours(rx, sid, server_id(d->subnet, rx, m))) {
		drop(d, DROP_OTHER_SERVER);
		return;
	}
	if (dhcp_opt_ip(m, DHO_REQUESTED_ADDR, &ip) != 0 ||
	    v->get(v->arg, ip, &rec) != 0 || !alloc_lease_is_clients(&rec, key,
	    klen) || alloc_lease_over(&rec, now)) {
		drop(d, DROP_UNKNOWN_LEASE);
		return;
	}
	if (v->admit != NULL) {
		r1 = v->admit(v->admit_arg, ADMIT_DECLINE_CLIENT, key, klen,
		    now);
		r2 = v->admit(v->admit_arg, ADMIT_DECLINE_SOURCE, src,
		    decline_source(m, rx, src, sizeof(src)), now);
	}
	if (r1 != ADMIT_OK || r2 != ADMIT_OK) {
		d->note = r1 == ADMIT_REFUSED_FIRST ||
		    r2 == ADMIT_REFUSED_FIRST ?
		    dhcp_drop_str(DROP_DECLINE_LIMIT) : NULL;
		drop(d, DROP_DECLINE_LIMIT);
		return;
	}
	d->lease.ip = ip;
	if (now - rec.start > (time_t)cfg->dhcp.decline_after_ack) {
		d->note = dhcp_drop_str(DROP_DECLINE_LATE);
		drop(d, DROP_DECLINE_LATE);
		d->lease.ip = ip;
		return;
	}
	if ((pool = alloc_pool_of(d->subnet, ip)) != NULL) {
		uint64_t	size = (uint64_t)pool->end - pool->start + 1;
		long		cap, q = 0;

		/* Rounded up: a small pool may still set one aside. */
		cap = (long)((size * cfg->dhcp.decline_max_share + 99) / 100);

		if (cap > 0 && v->quarantined != NULL &&
		    (q = v->quarantined(v->arg, d->subnet, pool, now)) < 0) {
			drop(d, DROP_REGISTRY);
			return;
		}
		if (q >= cap) {
			d->note = dhcp_drop_str(DROP_DECLINE_CAP);
			drop(d, DROP_DECLINE_CAP);
			d->lease.ip = ip;
			return;
		}
	}
	/* 4.3.3: the address is in use elsewhere; rest it, owned by none. */
	set_lease(d, m, declined, sizeof(declined), ip, LEASE_DECLINED, now,
	    now + cfg->dhcp.decline_time);
	d->lease_time = cfg->dhcp.decline_time;
	d->action = DA_DECLINE;
}

void
dhcp_conflict_lease(const struct cfg *cfg, uint32_t ip, time_t now,
    struct reg_lease *out)
{
	memset(out, 0, sizeof(*out));
	out->ip = ip;
	out->state = LEASE_DECLINED;
	out->client_key[0] = 'C';
	out->client_key_len = 1;
	out->start = now;
	out->expire = now + cfg->dhcp.decline_time;
}

static void
do_release(const struct dhcp_msg *m, const struct lease_view *v,
    const struct dhcp_rx *rx, const uint8_t *key, size_t klen, time_t now,
    struct dhcp_decision *d)
{
	struct reg_lease	 rec;
	uint32_t		 sid;

	if (dhcp_opt_ip(m, DHO_SERVER_ID, &sid) == 0 &&
	    !is_ours(rx, sid, server_id(d->subnet, rx, m))) {
		drop(d, DROP_OTHER_SERVER);
		return;
	}
	if (m->ciaddr == 0 || v->get(v->arg, m->ciaddr, &rec) != 0 ||
	    !alloc_lease_is_clients(&rec, key, klen)) {
		drop(d, DROP_UNKNOWN_LEASE);
		return;
	}
	/*
	 * 4.3.4 trusts the identity alone, which any host can copy; a
	 * client on the link sends its RELEASE from the address it gives
	 * back (4.4.6: unicast from ciaddr).
	 */
	if (m->giaddr == 0 && rx->src_ip != m->ciaddr) {
		drop(d, DROP_RELEASE_SOURCE);
		return;
	}
	/* 4.3.4: keep the record, so the client gets the address back. */
	set_lease(d, m, key, klen, m->ciaddr, LEASE_RELEASED, rec.start, now);
	d->action = DA_RELEASE;
}

void
dhcp_decide(const struct cfg *cfg, const struct lease_view *v,
    const struct dhcp_msg *m, const struct dhcp_rx *rx, time_t now,
    struct dhcp_decision *d)
{
	uint8_t	 key[REG_CLIENT_KEY_MAX];
	size_t	 klen;

	d->action = DA_DROP;
	d->drop = DROP_NONE;
	d->note = NULL;
	d->write_lease = 0;
	d->nopts = 0;
	d->datalen = 0;
	d->subnet = NULL;
	d->reservation = NULL;
	d->vendor = NULL;
	d->user[0] = '\0';
	d->lease_time = 0;
	d->inform = m->msgtype == DHCPINFORM;
	d->now = now;
	d->eop.kind = EOP_NONE;
	d->klen = 0;
	d->has_mac = m->htype == 1 && m->hlen == 6;
	if (d->has_mac)
		memcpy(d->mac.b, m->chaddr, 6);

	if (m->op != BOOTREQUEST) {
		drop(d, DROP_NOT_REQUEST);
		return;
	}
	switch (m->msgtype) {
	case 0:
		drop(d, DROP_BOOTP);
		return;
	case DHCPOFFER:
	case DHCPACK:
	case DHCPNAK:
	case DHCPFORCERENEW:
	case DHCPLEASEUNASSIGNED:
	case DHCPLEASEUNKNOWN:
	case DHCPLEASEACTIVE:
	case DHCPLEASEQUERYDONE:
	case DHCPLEASEQUERYSTATUS:
		drop(d, DROP_SERVER_TYPE);
		return;
	case DHCPDISCOVER:
	case DHCPREQUEST:
	case DHCPDECLINE:
	case DHCPRELEASE:
	case DHCPINFORM:
		break;
	default:
		/*
		 * A client's type that is registered but not served: RFC
		 * 4388 LEASEQUERY, RFC 6926 bulk and active leasequery,
		 * RFC 7724 TLS. A server without them stays silent.
		 */
		drop(d, DROP_UNSUPPORTED_TYPE);
		return;
	}
	if ((klen = dhcp_client_key(m, key)) == 0 &&
	    m->msgtype != DHCPINFORM) {
		drop(d, DROP_NO_CLIENT);
		return;
	}
	memcpy(d->key, key, klen);
	d->klen = klen;
	/*
	 * RFC 2131 4.3.5: the ACK to an INFORM goes to ciaddr, else to the
	 * IP source; with neither there is nowhere to send it (0.0.0.0 is
	 * no destination: RFC 1122 3.2.1.3). A relayed one goes to giaddr.
	 */
	if (d->inform && m->giaddr == 0 && m->ciaddr == 0 && rx->src_ip == 0) {
		drop(d, DROP_INFORM_NO_ADDRESS);
		return;
	}
	if ((d->subnet = select_subnet(cfg, m, rx)) == NULL) {
		drop(d, d->inform && m->giaddr == 0 ? DROP_INFORM_OFF_SUBNET :
		    DROP_NO_SUBNET);
		return;
	}
	d->server_id = server_id(d->subnet, rx, m);
	/* Looked up once: the address choice and the reply both use it. */
	d->reservation = alloc_reservation_for(d->subnet, d);
	switch (m->msgtype) {
	case DHCPDISCOVER:
		do_discover(cfg, v, m, rx, key, klen, now, d);
		break;
	case DHCPREQUEST:
		do_request(cfg, v, m, rx, key, klen, now, d);
		break;
	case DHCPDECLINE:
		do_decline(cfg, v, m, rx, key, klen, now, d);
		break;
	case DHCPRELEASE:
		do_release(m, v, rx, key, klen, now, d);
		break;
	case DHCPINFORM:
		/* 4.3.5: options only; no lease, no yiaddr. */
		reply(cfg, v, m, rx, DHCPACK, 0, d);
		break;
	}
}
