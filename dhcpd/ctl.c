/*
 * ctl.c - provbox-dhcpd's control-socket commands: its counters (what
 * SIGUSR1 logs), and the leases: list, get, release, delete. Release and
 * delete go through leasedb_admin(), so the address index learns of them
 * at once and the next client can be given the address.
 *
 * Lease objects: address, state, mac (null when the client's hardware
 * address is not Ethernet), client_id (Option 61, or null), hostname and
 * vendor_class (the client's bytes, escaped; null when absent), starts,
 * ends (seconds since the epoch), over (the lease has ended).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "addr.h"
#include "batch.h"
#include "cfg.h"
#include "ctl.h"
#include "dhcpd.h"
#include "enroll.h"
#include "leasedb.h"
#include "log.h"
#include "packet.h"
#include "registry.h"
#include "server.h"

/* How many leases lease-list answers with at most (arguments: limit). */
#define LIST_DEFAULT	1000
#define LIST_MAX	100000

static json_t *
bytes_json(const uint8_t *p, size_t n)
{
	char buf[REG_VCLASS_MAX * 4 + 1];

	if (n == 0)
		return json_null();
	log_escape(buf, sizeof(buf), p, n);
	return json_string(buf);
}

static json_t *
lease_json(const struct reg_lease *l, time_t now)
{
	json_t		*o = json_object();
	struct mac_addr	 m;
	char		 ip[IP4_STR_LEN], mac[MAC_STR_LEN], id[600];

	json_object_set_new(o, "address", json_string(ip4_format(l->ip, ip)));
	json_object_set_new(o, "state", json_string(lease_state_str(
	    (enum lease_state)l->state)));
	if (l->htype == 1 && l->hlen == 6) {
		memcpy(m.b, l->chaddr, 6);
		json_object_set_new(o, "mac", json_string(mac_format(&m,
		    mac)));
	} else
		json_object_set_new(o, "mac", json_null());
	/* A declined address belongs to no client ('D'): no identity. */
	if (l->client_key_len > 1 && l->client_key[0] == 'I' &&
	    enroll_id_str(l->client_key, l->client_key_len, id,
	    sizeof(id)) != NULL)
		json_object_set_new(o, "client_id", json_string(id));
	else
		json_object_set_new(o, "client_id", json_null());
	json_object_set_new(o, "hostname", bytes_json(l->hostname,
	    l->hostname_len));
	json_object_set_new(o, "vendor_class", bytes_json(l->vclass,
	    l->vclass_len));
	json_object_set_new(o, "starts", json_integer(l->start));
	json_object_set_new(o, "ends", json_integer(l->expire));
	json_object_set_new(o, "over", json_boolean(l->expire <= now));
	return o;
}

/* A string argument, or NULL; -1 when present and not a string. */
static int
str_arg(json_t *args, const char *key, const char **out, char *text,
    size_t textsz)
{
	json_t *v = json_object_get(args, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v)) {
		snprintf(text, textsz, "\"%s\" must be a string", key);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

static int
ip_arg(json_t *args, uint32_t *ip, char *text, size_t textsz)
{
	const char *s;

	if (str_arg(args, "ip", &s, text, textsz) != 0)
		return -1;
	if (s == NULL || ip4_parse(s, ip) != 0) {
		snprintf(text, textsz, "\"ip\" must be an IPv4 address");
		return -1;
	}
	return 0;
}

static const char *
reason_name(int i, int malformed)
{
	return malformed ? dhcp_perr_str((enum dhcp_perr)i) :
	    dhcp_drop_str((enum dhcp_drop)i);
}

static json_t *
reasons_json(const unsigned long *v, int n, int malformed)
{
	json_t *o = json_object();

	for (int i = 0; i < n; i++)
		if (v[i] > 0)
			json_object_set_new(o, reason_name(i, malformed),
			    json_integer((json_int_t)v[i]));
	return o;
}

struct state_count {
	time_t	 now;
	long	 n[LEASE_DECLINED + 1];
	long	 over;
};

static int
count_lease(const struct reg_lease *l, void *arg)
{
	struct state_count *sc = arg;

	if (l->expire <= sc->now)
		sc->over++;
	else if (l->state >= LEASE_OFFERED && l->state <= LEASE_DECLINED)
		sc->n[l->state]++;
	return 0;
}

/*
 * statistic-get: the counters since start (received, malformed and
 * ignored by reason, sent by message type, send errors, commits, conflict
 * probes), the pools' use, and the lease records by state (a scan of the
 * lease table: O(leases), fine for an office's pools).
 */
static int
cmd_stats(json_t *args, json_t *ans, char *text, size_t textsz)
{
	const struct dhcpd_view		*v = dhcpd_view();
	const struct batch_stats	*st;
	struct state_count		 sc;
	struct reg_txn			 txn;
	unsigned long			 held, total, mal = 0, dropped = 0;
	json_t				*sent, *leases;

	(void)args;
	if (v == NULL || v->batch == NULL || v->ldb == NULL) {
		snprintf(text, textsz, "not serving yet");
		return CTL_ERROR;
	}
	st = batch_stats(v->batch);
	for (int i = 0; i < DHCP_P_COUNT; i++)
		mal += st->malformed[i];
	for (int i = 0; i < DROP_COUNT; i++)
		dropped += st->dropped[i];
	json_object_set_new(ans, "received", json_integer((json_int_t)st->rx));
	json_object_set_new(ans, "malformed", json_integer((json_int_t)mal));
	json_object_set_new(ans, "malformed_by_reason", reasons_json(
	    st->malformed, DHCP_P_COUNT, 1));
	json_object_set_new(ans, "ignored", json_integer((json_int_t)dropped));
	json_object_set_new(ans, "ignored_by_reason", reasons_json(
	    st->dropped, DROP_COUNT, 0));
	sent = json_object();
	for (int t = DHCPDISCOVER; t <= DHCPINFORM; t++)
		json_object_set_new(sent, dhcp_msgtype_str(t), json_integer(
		    (json_int_t)st->sent[t]));
	json_object_set_new(ans, "sent", sent);
	json_object_set_new(ans, "send_errors", json_integer(
	    (json_int_t)st->send_errors));
	json_object_set_new(ans, "commits", json_integer(
	    (json_int_t)st->commits));
	json_object_set_new(ans, "commit_errors", json_integer(
	    (json_int_t)st->commit_errors));
	json_object_set_new(ans, "probes", json_integer(
	    (json_int_t)st->probes));
	json_object_set_new(ans, "probe_errors", json_integer(
	    (json_int_t)st->probe_errors));
	json_object_set_new(ans, "conflicts", json_integer(
	    (json_int_t)st->conflicts));
	json_object_set_new(ans, "probe_timeouts", json_integer(
	    (json_int_t)st->probe_timeouts));
	leasedb_usage(v->ldb, &held, &total);
	json_object_set_new(ans, "pool_used", json_integer((json_int_t)held));
	json_object_set_new(ans, "pool_size", json_integer((json_int_t)total));
	memset(&sc, 0, sizeof(sc));
	sc.now = time(NULL);
	if (reg_txn_begin(v->reg, &txn, 1) == 0 &&
	    reg_lease_foreach(&txn, count_lease, &sc) == 0) {
		leases = json_object();
		for (int s = LEASE_OFFERED; s <= LEASE_DECLINED; s++)
			json_object_set_new(leases, lease_state_str(
			    (enum lease_state)s), json_integer(sc.n[s]));
		json_object_set_new(leases, "over", json_integer(sc.over));
		json_object_set_new(ans, "leases", leases);
	} else
		json_object_set_new(ans, "leases", json_null());
	reg_txn_abort(&txn);
	snprintf(text, textsz, "received %lu, offers %lu, acks %lu, naks %lu; "
	    "pool addresses used %lu of %lu", st->rx, st->sent[DHCPOFFER],
	    st->sent[DHCPACK], st->sent[DHCPNAK], held, total);
	return CTL_OK;
}

struct list_ctx {
	json_t		*arr;
	time_t		 now;
	int		 state;		/* 0: any */
	int		 by_mac;
	struct mac_addr	 mac;
	long		 limit;
	long		 matched;
};

static int
list_one(const struct reg_lease *l, void *arg)
{
	struct list_ctx *lc = arg;

	if (lc->state != 0 && l->state != lc->state)
		return 0;
	if (lc->by_mac && !(l->htype == 1 && l->hlen == 6 &&
	    memcmp(l->chaddr, lc->mac.b, 6) == 0))
		return 0;
	if (lc->matched++ < lc->limit)
		json_array_append_new(lc->arr, lease_json(l, lc->now));
	return 0;
}

/*
 * lease-list: every lease record, in address order; arguments (each
 * optional): state ("offered", "bound", "released", "declined"), mac,
 * limit (1 to 100000, default 1000). Answers leases and count (how many
 * matched, which may be more than were listed).
 */
static int
cmd_list(json_t *args, json_t *ans, char *text, size_t textsz)
{
	const struct dhcpd_view	*v = dhcpd_view();
	struct list_ctx		 lc;
	struct reg_txn		 txn;
	const char		*st, *mac;
	json_t			*lim = json_object_get(args, "limit");
	int			 r;

	memset(&lc, 0, sizeof(lc));
	lc.now = time(NULL);
	lc.limit = LIST_DEFAULT;
	if (str_arg(args, "state", &st, text, textsz) != 0 ||
	    str_arg(args, "mac", &mac, text, textsz) != 0)
		return CTL_ERROR;
	if (st != NULL) {
		for (int s = LEASE_OFFERED; s <= LEASE_DECLINED; s++)
			if (strcmp(st, lease_state_str((enum lease_state)s)) ==
			    0)
				lc.state = s;
		if (lc.state == 0) {
			snprintf(text, textsz, "\"state\" must be offered, "
			    "bound, released or declined");
			return CTL_ERROR;
		}
	}
	if (mac != NULL) {
		if (mac_parse(mac, &lc.mac) != 0) {
			snprintf(text, textsz, "\"mac\" must be a MAC address");
			return CTL_ERROR;
		}
		lc.by_mac = 1;
	}
	if (lim != NULL) {
		if (!json_is_integer(lim) || json_integer_value(lim) < 1 ||
		    json_integer_value(lim) > LIST_MAX) {
			snprintf(text, textsz, "\"limit\" must be an integer "
			    "from 1 to %d", LIST_MAX);
			return CTL_ERROR;
		}
		lc.limit = (long)json_integer_value(lim);
	}
	if ((lc.arr = json_array()) == NULL)
		return CTL_ERROR;
	json_object_set_new(ans, "leases", lc.arr);
	if (reg_txn_begin(v->reg, &txn, 1) != 0 ||
	    reg_lease_foreach(&txn, list_one, &lc) != 0) {
		snprintf(text, textsz, "registry: %s", reg_strerror(txn.err));
		reg_txn_abort(&txn);
		return CTL_ERROR;
	}
	reg_txn_abort(&txn);
	json_object_set_new(ans, "count", json_integer(lc.matched));
	snprintf(text, textsz, "%ld lease%s", lc.matched, lc.matched == 1 ?
	    "" : "s");
	r = lc.matched > 0 ? CTL_OK : CTL_EMPTY;
	return r;
}

/*
 * lease-get: {"ip"} or {"mac"}: leases (an array: a MAC may hold
 * several); result 3 when there is none.
 */
static int
cmd_get(json_t *args, json_t *ans, char *text, size_t textsz)
{
	const struct dhcpd_view	*v = dhcpd_view();
	struct reg_txn		 txn;
	struct reg_lease	 l;
	struct mac_addr		 mac;
	const char		*ips, *macs;
	uint32_t		 ip, ipv[16];
	json_t			*arr;
	time_t			 now = time(NULL);
	int			 n, r;

	if (str_arg(args, "ip", &ips, text, textsz) != 0 ||
	    str_arg(args, "mac", &macs, text, textsz) != 0)
		return CTL_ERROR;
	if ((ips == NULL) == (macs == NULL)) {
		snprintf(text, textsz, "arguments: \"ip\" or \"mac\"");
		return CTL_ERROR;
	}
	if (ips != NULL && ip4_parse(ips, &ip) != 0) {
		snprintf(text, textsz, "\"ip\" must be an IPv4 address");
		return CTL_ERROR;
	}
	if (macs != NULL && mac_parse(macs, &mac) != 0) {
		snprintf(text, textsz, "\"mac\" must be a MAC address");
		return CTL_ERROR;
	}
	arr = json_array();
	json_object_set_new(ans, "leases", arr);
	if (reg_txn_begin(v->reg, &txn, 1) != 0) {
		snprintf(text, textsz, "registry: %s", reg_strerror(txn.err));
		return CTL_ERROR;
	}
	if (ips != NULL) {
		ipv[0] = ip;
		n = 1;
	} else if ((n = reg_lease_ips_by_mac(&txn, &mac, ipv, 16)) < 0) {
		snprintf(text, textsz, "registry: %s", reg_strerror(txn.err));
		reg_txn_abort(&txn);
		return CTL_ERROR;
	}
	for (int i = 0; i < n && i < 16; i++) {
		if ((r = reg_lease_get(&txn, ipv[i], &l)) == 0)
			json_array_append_new(arr, lease_json(&l, now));
		else if (r != REG_NOTFOUND) {
			snprintf(text, textsz, "registry: %s",
			    reg_strerror(txn.err));
			reg_txn_abort(&txn);
			return CTL_ERROR;
		}
	}
	reg_txn_abort(&txn);
	if (json_array_size(arr) == 0) {
		snprintf(text, textsz, "no lease for %s", ips != NULL ? ips :
		    macs);
		return CTL_EMPTY;
	}
	snprintf(text, textsz, "%zu lease%s", json_array_size(arr),
	    json_array_size(arr) == 1 ? "" : "s");
	return CTL_OK;
}

/*
 * lease-release, lease-delete: {"ip"}. Answers address, action
 * ("released" or "deleted") and was (the lease as it was); result 3 when
 * the address has no lease record.
 */
static int
free_lease(json_t *args, json_t *ans, char *text, size_t textsz,
    int release)
{
	const struct dhcpd_view	*v = dhcpd_view();
	struct reg_lease	 was;
	uint32_t		 ip;
	char			 ips[IP4_STR_LEN], err[256];
	int			 r;

	if (ip_arg(args, &ip, text, textsz) != 0)
		return CTL_ERROR;
	ip4_format(ip, ips);
	if (v == NULL || v->ldb == NULL) {
		snprintf(text, textsz, "not serving yet");
		return CTL_ERROR;
	}
	if (cfg_subnet_find(v->cfg, ip) == NULL) {
		snprintf(text, textsz, "%s is in no configured subnet", ips);
		return CTL_ERROR;
	}
	r = leasedb_admin(v->ldb, ip, release, time(NULL), &was, err,
	    sizeof(err));
	if (r == REG_NOTFOUND) {
		snprintf(text, textsz, "%s: no lease record", ips);
		return CTL_EMPTY;
	}
	if (r != 0) {
		snprintf(text, textsz, "%s: %s", ips, err);
		return CTL_ERROR;
	}
	json_object_set_new(ans, "address", json_string(ips));
	json_object_set_new(ans, "action", json_string(release ? "released" :
	    "deleted"));
	json_object_set_new(ans, "was", lease_json(&was, time(NULL)));
	log_notice("lease %s %s through the control socket (was %s)", ips,
	    release ? "released" : "deleted", lease_state_str(
	    (enum lease_state)was.state));
	snprintf(text, textsz, "%s: %s", ips, release ? "released" :
	    "deleted");
	return CTL_OK;
}

static int
cmd_release(json_t *args, json_t *ans, char *text, size_t textsz)
{
	return free_lease(args, ans, text, textsz, 1);
}

static int
cmd_delete(json_t *args, json_t *ans, char *text, size_t textsz)
{
	return free_lease(args, ans, text, textsz, 0);
}

const struct ctl_command dhcpd_ctl_commands[] = {
	{ "statistic-get", "DHCP counters, pool use, leases by state",
	    cmd_stats },
	{ "lease-list", "lease records (arguments: state, mac, limit)",
	    cmd_list },
	{ "lease-get", "the lease(s) of an address or MAC (arguments: ip "
	    "or mac)", cmd_get },
	{ "lease-release", "end a lease now; the address may go to the "
	    "next client (arguments: ip)", cmd_release },
	{ "lease-delete", "remove a lease record (arguments: ip)",
	    cmd_delete },
};
const size_t dhcpd_ctl_ncommands = sizeof(dhcpd_ctl_commands) /
    sizeof(dhcpd_ctl_commands[0]);
