/*
 * server.h - the DHCP server's decisions (RFC 2131), as a pure function of
 * the config, a view of the leases and the registry, one parsed message
 * and the time. No sockets and no LMDB here: the caller stores the lease
 * the decision carries (before it sends an ACK) and sends the reply.
 */
#ifndef PB_SERVER_H
#define PB_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cfg.h"
#include "enroll.h"
#include "packet.h"
#include "registry.h"

/*
 * What the decisions read. get/by_client/device/user return 0 when found,
 * REG_NOTFOUND when absent, -1 on a failure (the decision is then DROP).
 * find_free: a pool address with no lease record at all (never used, or
 * freed) that no reservation holds; 0 when found, REG_NOTFOUND when the pool
 * has none. find_expired: among pool addresses whose lease ended (expired,
 * released, quarantine over) the one that ended longest ago.
 */
struct lease_view {
	void	*arg;
	int	(*get)(void *arg, uint32_t ip, struct reg_lease *out);
	int	(*by_client)(void *arg, const uint8_t *key, size_t len,
		    uint32_t *ips, size_t max);
	int	(*find_free)(void *arg, const struct cfg_subnet *sn,
		    const struct cfg_pool *pool, uint32_t *out);
	int	(*find_expired)(void *arg, const struct cfg_subnet *sn,
		    const struct cfg_pool *pool, time_t now, uint32_t *out);
	int	(*device)(void *arg, const struct mac_addr *mac,
		    struct reg_device *out);
	int	(*user)(void *arg, const char *name, struct reg_user *out);
	/* The addresses whose lease records carry mac (as by_client). */
	int	(*by_mac)(void *arg, const struct mac_addr *mac,
		    uint32_t *ips, size_t max);
	/* The device's enrollment record (REG_NOTFOUND: new). */
	int	(*enroll)(void *arg, const struct mac_addr *mac,
		    struct reg_enroll *out);
	/*
	 * The pool's addresses a client could be given now (no record, or
	 * a record whose lease is over), counted exactly only below
	 * `enough` (any answer >= enough means "at least enough"); may lag
	 * by a second. -1 on a failure.
	 */
	long	(*available)(void *arg, const struct cfg_subnet *sn,
		    const struct cfg_pool *pool, long enough, time_t now);
	/* The pool's addresses set aside (declined, conflicting) now. */
	long	(*quarantined)(void *arg, const struct cfg_subnet *sn,
		    const struct cfg_pool *pool, time_t now);
	/*
	 * The pool address set aside longest ago whose quarantine is not
	 * over: reclaimed when nothing else is left. As find_free.
	 */
	int	(*find_quarantined)(void *arg, const struct cfg_subnet *sn,
		    const struct cfg_pool *pool, time_t now, uint32_t *out);

	/*
	 * Admission (dhcpd/admit.h): ADMIT_OK, ADMIT_REFUSED, or
	 * ADMIT_REFUSED_FIRST for the first refusal of a burst (the one
	 * that is logged). NULL: everything is admitted.
	 */
	void	*admit_arg;
	int	(*admit)(void *arg, int kind, const void *key, size_t len,
		    time_t now);
	/*
	 * Conflict detection: 1 while an ICMP probe of ip is out (its
	 * client's OFFER waits for it), else 0. NULL: never.
	 */
	void	*probe_arg;
	int	(*probing)(void *arg, uint32_t ip);
};

/* What dhcp_decide() asks view->admit() about. */
enum admit_kind {
	ADMIT_MAC = 0,		/* key: the 6-byte MAC */
	ADMIT_RELAY,		/* key: giaddr (4 bytes) + circuit-id */
	ADMIT_IFACE,		/* key: the interface name */
	ADMIT_DECLINE_CLIENT,	/* key: the client identity */
	ADMIT_DECLINE_SOURCE,	/* key: giaddr, else the IP source + ifname */
	ADMIT_KINDS
};
#define ADMIT_OK		0
#define ADMIT_REFUSED		1
#define ADMIT_REFUSED_FIRST	2

/* Where a message came from. */
struct dhcp_rx {
	const char	*ifname;	/* receiving interface */
	const uint32_t	*if_addrs;	/* its IPv4 addresses, host order */
	size_t		 nif_addrs;
	uint32_t	 src_ip;	/* IP source of the datagram */
	int		 unicast;	/* sent to our address, not broadcast */
	unsigned	 mtu;		/* the interface's MTU; 0: 1500 */
};

enum dhcp_action {
	DA_DROP = 0,	/* nothing to send: see why */
	DA_REPLY,	/* send the reply (OFFER, ACK, NAK) */
	DA_RELEASE,	/* store the lease, send nothing */
	DA_DECLINE,	/* store the quarantine, send nothing */
	/*
	 * Conflict detection: store the lease (an OFFER's hold on a new
	 * address), send an ICMP echo to lease.ip, and decide the message
	 * again when the probe ends: the client then finds its held
	 * address (no answer) or, after dhcp_conflict_lease() was stored
	 * (an answer), another one.
	 */
	DA_PROBE,
};

enum dhcp_dest {
	DEST_RELAY = 1,		/* giaddr, port 67 */
	DEST_CIADDR,		/* ciaddr, port 68 */
	DEST_BROADCAST,		/* 255.255.255.255, port 68 */
	DEST_HWADDR,		/* yiaddr at chaddr, port 68, raw socket */
};

/* Why a message got no reply: counted and logged. */
enum dhcp_drop {
	DROP_NONE = 0,
	DROP_NOT_REQUEST,	/* op is not BOOTREQUEST */
	DROP_BOOTP,		/* no message type: BOOTP is not served */
	DROP_NO_CLIENT,		/* no client identifier and no chaddr */
	DROP_NO_SUBNET,		/* no subnet for giaddr / the interface */
	DROP_OTHER_SERVER,	/* addressed to another server */
	DROP_NO_RECORD,		/* INIT-REBOOT/REBINDING we know nothing of */
	DROP_POOL_EXHAUSTED,
	DROP_NOT_AUTHORITATIVE,	/* would NAK, but we are not authoritative */
	DROP_UNKNOWN_LEASE,	/* RELEASE/DECLINE of a lease not theirs */
	DROP_SERVER_TYPE,	/* a message only servers send */
	DROP_REGISTRY,		/* the registry failed */
	DROP_DUPLICATE_MAC,	/* another identity holds the MAC's lease */
	DROP_RELEASE_SOURCE,	/* RELEASE not from the leased address */
	DROP_INFORM_NO_ADDRESS,	/* INFORM with no ciaddr, from 0.0.0.0 */
	DROP_INFORM_OFF_SUBNET,	/* INFORM from outside every subnet */
	DROP_UNSUPPORTED_TYPE,	/* a type not served (LEASEQUERY) */
	DROP_RESERVED,		/* only the registered devices' reserve is
				 * left in the pool */
	DROP_LIMIT_MAC,		/* admission limit per MAC */
	DROP_LIMIT_RELAY,	/* admission limit per relay */
	DROP_LIMIT_IFACE,	/* admission limit per interface */
	DROP_DECLINE_LIMIT,	/* DECLINE rate per client or source */
	DROP_DECLINE_CAP,	/* the pool's quarantine share is full */
	DROP_DECLINE_LATE,	/* DECLINE long after the binding */
	DROP_PROBING,		/* the OFFER waits for a conflict probe */
	DROP_CONFLICT,		/* every address probed answered */
	DROP_COUNT
};
const char	*dhcp_drop_str(enum dhcp_drop why);

#define DHCP_MAX_OUT_OPTS	64
#define DHCP_OUT_DATA		4096

struct dhcp_decision {
	enum dhcp_action		 action;
	enum dhcp_drop			 drop;
	const char			*note;	/* NAK reason, for the log */

	/* The reply (action DA_REPLY). */
	uint8_t				 type;	/* DHCPOFFER, DHCPACK, DHCPNAK */
	uint32_t			 server_id;	/* option 54 */
	struct dhcp_hdr			 hdr;
	enum dhcp_dest			 dest;
	uint32_t			 dest_ip;
	uint16_t			 max_size;	/* reply bytes */
	struct dhcp_out_opt		 opts[DHCP_MAX_OUT_OPTS];
	size_t				 nopts;
	uint8_t				 data[DHCP_OUT_DATA];
	size_t				 datalen;

	/* The lease to store first (write_lease set). */
	int				 write_lease;
	struct reg_lease		 lease;
	uint32_t			 lease_time;

	/* Who the client is, for the log line. */
	const struct cfg_subnet		*subnet;
	const struct cfg_reservation	*reservation;	/* the client's, in
							 * subnet, or NULL */
	const struct cfg_vendor		*vendor;
	char				 user[CFG_NAME_MAX + 1];
	struct mac_addr			 mac;
	int				 has_mac;
	int				 inform;	/* a DHCPINFORM */
	time_t				 now;
	/* The client identity (dhcp_client_key()). */
	uint8_t				 key[REG_CLIENT_KEY_MAX];
	size_t				 klen;
	/*
	 * What enrollment learnt from the message: applied with
	 * enroll_apply() in the batch's transaction (kind EOP_NONE:
	 * nothing).
	 */
	struct enroll_op		 eop;
};

/*
 * Decides what to do with m. The decision may point into cfg (subnet,
 * vendor) and is valid while cfg is.
 */
void	dhcp_decide(const struct cfg *cfg, const struct lease_view *view,
	    const struct dhcp_msg *m, const struct dhcp_rx *rx, time_t now,
	    struct dhcp_decision *d);

/*
 * The key a client is known by: 'I' + Option 61 when present, else
 * 'H' + htype + chaddr. Returns its length, 0 if the client has neither.
 */
size_t	dhcp_client_key(const struct dhcp_msg *m,
	    uint8_t key[REG_CLIENT_KEY_MAX]);

/*
 * The record that sets ip aside after a conflict probe answered: owned by
 * no client, for decline_time, like a declined address.
 */
void	dhcp_conflict_lease(const struct cfg *cfg, uint32_t ip, time_t now,
	    struct reg_lease *out);

/* Appends the reply options for a decided client (reply.c). */
int	dhcp_reply_options(const struct cfg *cfg, const struct lease_view *view,
	    const struct dhcp_msg *m, struct dhcp_decision *d);

#endif /* PB_SERVER_H */
