/*
 * cfg_dhcp.c - the dhcp section: subnets, pools, reservations, lease times,
 * T1/T2 and next server, and the defences' settings. Option lists are in
 * cfg_opt.c, the checks of addresses across sections in cfg_addrs.c.
 */
#include "config.h"

#include <ctype.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"
#include "urltmpl.h"

/* An address range and where it was written, for overlap reports. */
struct span {
	uint32_t		 start;
	uint32_t		 end;
	const config_setting_t	*where;
};

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

static void
span_overlaps(struct cfg_ctx *ctx, struct span *v, size_t n, const char *what)
{
	size_t	 prev = 0;

	/* v is NULL when nothing was collected: qsort() must not see it. */
	if (n < 2)
		return;
	qsort(v, n, sizeof(*v), span_cmp);
	for (size_t i = 1; i < n; i++) {
		char	 a[IP4_STR_LEN], b[IP4_STR_LEN];

		if (v[i].start <= v[prev].end) {
			cfg_err(ctx, v[i].where, "overlaps the %s %s - %s at "
			    "%s:%u", what, ip4_format(v[prev].start, a),
			    ip4_format(v[prev].end, b),
			    config_setting_source_file(v[prev].where),
			    config_setting_source_line(v[prev].where));
		}
		if (v[i].end > v[prev].end)
			prev = i;
	}
}

int
cfg_valid_hostname(const char *s)
{
	size_t label = 0;

	if (*s == '\0' || strlen(s) > 253)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0;
}

static void
parse_pools(struct cfg_ctx *ctx, const config_setting_t *sg,
    struct cfg_subnet *sn, struct span **spans, size_t *nspans)
{
	static const char *const keys[] = { "start", "end", NULL };
	const config_setting_t	*list = config_setting_get_member(sg,
				    "pools");
	uint32_t		 bcast = sn->network | ~sn->mask;
	int			 n;

	if ((n = cfg_list_len(ctx, list, "{ start = \"a.b.c.d\"; end = "
	    "\"a.b.c.d\"; }")) <= 0)
		return;
	if ((sn->pools = cfg_calloc(ctx, (size_t)n, sizeof(*sn->pools))) ==
	    NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t	*pg = config_setting_get_elem(list,
					    (unsigned)i);
		struct cfg_pool		 p;
		char			 a[IP4_STR_LEN], b[IP4_STR_LEN];
		char			 c[IP4_STR_LEN];
		struct span		*sp;

		if (!config_setting_is_group(pg)) {
			cfg_err(ctx, pg, "a pool must be a group { start = "
			    "\"a.b.c.d\"; end = \"a.b.c.d\"; }");
			continue;
		}
		cfg_check_keys(ctx, pg, keys);
		if ((cfg_get_ip(ctx, pg, "start", 1, &p.start) != 1) |
		    (cfg_get_ip(ctx, pg, "end", 1, &p.end) != 1))
			continue;
		if (p.start > p.end) {
			cfg_err(ctx, pg, "reversed pool: start %s is after "
			    "end %s (write the lower address as start)",
			    ip4_format(p.start, a), ip4_format(p.end, b));
			continue;
		}
		if ((p.start & sn->mask) != sn->network ||
		    (p.end & sn->mask) != sn->network) {
			cfg_err(ctx, pg, "pool %s - %s is outside its subnet "
			    "%s/%u", ip4_format(p.start, a),
			    ip4_format(p.end, b), ip4_format(sn->network, c),
			    sn->prefix);
			continue;
		}
		if (p.start == sn->network || p.end == bcast) {
			cfg_err(ctx, pg, "pool includes the subnet's %s "
			    "address %s (valid: %s to %s)",
			    p.start == sn->network ? "network" : "broadcast",
			    ip4_format(p.start == sn->network ? p.start :
			    p.end, a), ip4_format(sn->network + 1, b),
			    ip4_format(bcast - 1, c));
			continue;
		}
		sn->pools[sn->npools++] = p;
		sp = reallocarray(*spans, *nspans + 1, sizeof(**spans));
		if (sp == NULL) {
			ctx->nomem = 1;
			continue;
		}
		*spans = sp;
		sp[*nspans].start = p.start;
		sp[*nspans].end = p.end;
		sp[*nspans].where = pg;
		(*nspans)++;
	}
}

/* A reservation and where it was written, for duplicate reports. */
struct resv_ref {
	struct mac_addr		 mac;
	uint32_t		 ip;
	const config_setting_t	*where;
};

static void
parse_reservations(struct cfg_ctx *ctx, const config_setting_t *sg,
    struct cfg_subnet *sn, struct resv_ref **refs, size_t *nrefs)
{
	static const char *const keys[] = { "mac", "ip", "hostname", NULL };
	const config_setting_t	*list = config_setting_get_member(sg,
				    "reservations");
	uint32_t		 bcast = sn->network | ~sn->mask;
	int			 n;

	if ((n = cfg_list_len(ctx, list, "{ mac = \"...\"; ip = \"...\"; }")) <=
	    0)
		return;
	if ((sn->reservations = cfg_calloc(ctx, (size_t)n,
	    sizeof(*sn->reservations))) == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t	*rg = config_setting_get_elem(list,
					    (unsigned)i);
		struct cfg_reservation	*r = &sn->reservations[sn->nreservations];
		const char		*host;
		char			 a[IP4_STR_LEN], b[IP4_STR_LEN];
		struct resv_ref		*rr;

		if (!config_setting_is_group(rg)) {
			cfg_err(ctx, rg, "a reservation must be a group "
			    "{ mac = \"...\"; ip = \"...\"; }");
			continue;
		}
		cfg_check_keys(ctx, rg, keys);
		if ((cfg_get_mac(ctx, rg, "mac", 1, &r->mac) != 1) |
		    (cfg_get_ip(ctx, rg, "ip", 1, &r->ip) != 1))
			continue;
		if ((r->ip & sn->mask) != sn->network || r->ip ==
		    sn->network || r->ip == bcast) {
			cfg_err(ctx, config_setting_get_member(rg, "ip"),
			    "%s is not a host address of subnet %s/%u",
			    ip4_format(r->ip, a), ip4_format(sn->network, b),
			    sn->prefix);
			continue;
		}
		if (cfg_get_string(ctx, rg, "hostname", 0, 63, &host) == 1) {
			if (!cfg_valid_hostname(host)) {
				cfg_err(ctx, config_setting_get_member(rg,
				    "hostname"), "'%s' is not a host name "
				    "(letters, digits, '-', dots)", host);
				continue;
			}
			r->hostname = cfg_strdup(ctx, host);
		}
		sn->nreservations++;
		if ((rr = reallocarray(*refs, *nrefs + 1, sizeof(**refs))) ==
		    NULL) {
			ctx->nomem = 1;
			continue;
		}
		*refs = rr;
		rr[*nrefs].mac = r->mac;
		rr[*nrefs].ip = r->ip;
		rr[*nrefs].where = rg;
		(*nrefs)++;
	}
}

/*
 * Ties in file order, so a duplicate names the earlier one. Two on one line
 * compare by address: qsort() needs a consistent order, never "a < b and
 * b < a".
 */
static int
resv_cmp_where(const struct resv_ref *x, const struct resv_ref *y)
{
	unsigned lx = config_setting_source_line(x->where);
	unsigned ly = config_setting_source_line(y->where);

	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->where < y->where ? -1 : x->where > y->where;
}

static int
resv_cmp_mac(const void *a, const void *b)
{
	const struct resv_ref *x = a, *y = b;
	int c = mac_cmp(&x->mac, &y->mac);

	if (c != 0)
		return c;
	return resv_cmp_where(x, y);
}

static int
resv_cmp_ip(const void *a, const void *b)
{
	const struct resv_ref *x = a, *y = b;

	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return resv_cmp_where(x, y);
}

static void
check_reservations(struct cfg_ctx *ctx, struct resv_ref *r, size_t n)
{
	char	 s[MAC_STR_LEN];

	if (n < 2)	/* r may be NULL */
		return;
	qsort(r, n, sizeof(*r), resv_cmp_mac);
	for (size_t i = 1; i < n; i++)
		if (mac_cmp(&r[i].mac, &r[i - 1].mac) == 0)
			cfg_err(ctx, r[i].where, "MAC %s is listed twice: "
			    "also reserved at %s:%u", mac_format(&r[i].mac, s),
			    config_setting_source_file(r[i - 1].where),
			    config_setting_source_line(r[i - 1].where));
	qsort(r, n, sizeof(*r), resv_cmp_ip);
	for (size_t i = 1; i < n; i++)
		if (r[i].ip == r[i - 1].ip)
			cfg_err(ctx, r[i].where, "address %s is reserved "
			    "twice: also at %s:%u", ip4_format(r[i].ip, s),
			    config_setting_source_file(r[i - 1].where),
			    config_setting_source_line(r[i - 1].where));
}

/*
 * A lease-like time (lease_time, min_lease_time, ...) read from g: below a
 * minute it is allowed, for a lab or a conformance suite, with a warning.
 * Returns as cfg_get_uint().
 */
static int
get_lease_time(struct cfg_ctx *ctx, const config_setting_t *g,
    const char *name, unsigned long long min, unsigned long long max,
    const char *why, uint32_t *out)
{
	unsigned long long	 v;
	int			 r;

	if ((r = cfg_get_uint(ctx, g, name, 0, min, max, &v)) != 1)
		return r;
	if (v < 60)
		cfg_warn(ctx, config_setting_get_member(g, name), "%llu s is "
		    "below a minute: %s", v, why);
	*out = (uint32_t)v;
	return 1;
}

int
cfg_renewal_times(uint32_t lease, uint32_t renew, uint32_t rebind,
    uint32_t *t1, uint32_t *t2)
{
	/* RFC 2131 4.4.5: T1 defaults to half the lease, T2 to 7/8 of it. */
	uint32_t def1 = lease / 2;
	uint32_t def2 = (uint32_t)((uint64_t)lease * 7 / 8);
	uint32_t a = renew != 0 ? renew : def1;
	uint32_t b = rebind != 0 ? rebind : def2;

	if ((renew != 0 || rebind != 0) && a < b && b < lease) {
		*t1 = a;
		*t2 = b;
		return 1;
	}
	*t1 = def1;
	*t2 = def2;
	return 0;
}

/*
 * RFC 2131 4.4.5: T1 < T2 < the lease time, where the renew and rebind
 * times of group g and the lease time they go with are known at one level
 * (lease 0: this level has none; only T1 < T2 is checked). A time left
 * out here and at the level above (up, NULL for none) takes its default
 * from the lease, so a lone renew_time must stay below 7/8 of it, a lone
 * rebind_time above half of it.
 */
static void
check_renewal(struct cfg_ctx *ctx, const config_setting_t *g, uint32_t t1,
    uint32_t t2, uint32_t lease, const char *lease_name,
    const struct cfg_dhcp *up)
{
	const config_setting_t	*at1 = config_setting_get_member(g,
				    "renew_time");
	const config_setting_t	*at2 = config_setting_get_member(g,
				    "rebind_time");
	static const char	 rule[] = "(T1 < T2 < the lease time, RFC "
				    "2131 4.4.5)";

	if (t1 != 0 && t2 != 0 && t1 >= t2) {
		cfg_err(ctx, at1, "renew_time %u is not below rebind_time %u "
		    "%s", t1, t2, rule);
		return;
	}
	if (lease == 0)
		return;
	if (t2 != 0 && t2 >= lease)
		cfg_err(ctx, at2, "rebind_time %u is not below %s %u %s", t2,
		    lease_name, lease, rule);
	else if (t1 != 0 && t1 >= lease)
		cfg_err(ctx, at1, "renew_time %u is not below %s %u %s", t1,
		    lease_name, lease, rule);
	else if (t1 != 0 && t2 == 0 && (up == NULL || up->rebind_time == 0) &&
	    t1 >= (uint32_t)((uint64_t)lease * 7 / 8))
		cfg_err(ctx, at1, "renew_time %u is not below the default "
		    "rebind_time %u (7/8 of %s %u): set rebind_time too", t1,
		    (uint32_t)((uint64_t)lease * 7 / 8), lease_name, lease);
	else if (t2 != 0 && t1 == 0 && (up == NULL || up->renew_time == 0) &&
	    t2 <= lease / 2)
		cfg_err(ctx, at2, "rebind_time %u is not above the default "
		    "renew_time %u (half of %s %u): set renew_time too", t2,
		    lease / 2, lease_name, lease);
}

/*
 * The siaddr of a reply (RFC 2131 table 3, "IP address of next bootstrap
 * server"): a unicast address, so a PXE ROM or a phone that reads it
 * finds a host there.
 */
static void
get_next_server(struct cfg_ctx *ctx, const config_setting_t *g,
    uint32_t *out)
{
	uint32_t	 ip;
	char		 a[IP4_STR_LEN];

	if (cfg_get_ip(ctx, g, "next_server", 0, &ip) != 1)
		return;
	/* Not 0/8 ("this network"), loopback, multicast or class E. */
	if ((ip >> 24) == 0 || (ip >> 24) == 127 || ip >= 0xe0000000) {
		cfg_err(ctx, config_setting_get_member(g, "next_server"),
		    "%s cannot be a next server: give a unicast host "
		    "address (or leave next_server out for none)",
		    ip4_format(ip, a));
		return;
	}
	*out = ip;
}

void
cfg_parse_renewal(struct cfg_ctx *ctx, const config_setting_t *g,
    uint32_t lease, const char *lease_name, const struct cfg_dhcp *up,
    uint32_t *renew, uint32_t *rebind, uint32_t *next_server)
{
	unsigned long long	 v;
	int			 r1, r2;

	if ((r1 = cfg_get_uint(ctx, g, "renew_time", 0, 0, 0x7fffffff,
	    &v)) == 1)
		*renew = (uint32_t)v;
	if ((r2 = cfg_get_uint(ctx, g, "rebind_time", 0, 0, 0x7fffffff,
	    &v)) == 1)
		*rebind = (uint32_t)v;
	if (r1 >= 0 && r2 >= 0)
		check_renewal(ctx, g, *renew, *rebind, lease, lease_name, up);
	get_next_server(ctx, g, next_server);
}

/*
 * A subnet whose renew or rebind time, or lease time, comes from another
 * level than the others: checked here as its replies will be, and only
 * warned about (its clients get the RFC defaults, which work).
 */
static void
warn_renewal_mix(struct cfg_ctx *ctx, const config_setting_t *sg,
    const struct cfg_dhcp *d, const struct cfg_subnet *sn)
{
	uint32_t lease = sn->lease_time ? sn->lease_time : d->lease_time;
	uint32_t t1 = sn->renew_time ? sn->renew_time : d->renew_time;
	uint32_t t2 = sn->rebind_time ? sn->rebind_time : d->rebind_time;
	uint32_t a, b;
	int	 all_dhcp = sn->lease_time == 0 && sn->renew_time == 0 &&
		    sn->rebind_time == 0;
	int	 all_subnet = sn->lease_time != 0 &&
		    (sn->renew_time != 0 || d->renew_time == 0) &&
		    (sn->rebind_time != 0 || d->rebind_time == 0);

	/* One level: check_renewal() has seen it. */
	if ((t1 == 0 && t2 == 0) || all_dhcp || all_subnet)
		return;
	if (cfg_renewal_times(lease, t1, t2, &a, &b) == 0)
		cfg_warn(ctx, sg, "renew_time %u and rebind_time %u do not "
		    "fit this subnet's lease time %u (T1 < T2 < the lease "
		    "time, 0: the default): its clients get T1 %u and T2 %u",
		    t1, t2, lease, a, b);
}

static void
parse_subnet(struct cfg_ctx *ctx, const config_setting_t *sg,
    struct cfg_subnet *sn, struct span **pools, size_t *npools,
    struct resv_ref **resv, size_t *nresv)
{
	static const char *const keys[] = { "subnet", "interface", "pools",
		"routers", "dns", "domain", "lease_time", "renew_time",
		"rebind_time", "next_server", "options", "reservations",
		NULL };
	const config_setting_t	*opts;
	const char		*str;
	char			 a[IP4_STR_LEN], b[IP4_STR_LEN], c[IP4_STR_LEN];
	size_t			 nerr;

	cfg_check_keys(ctx, sg, keys);
	if (cfg_get_string(ctx, sg, "subnet", 1, 64, &str) != 1)
		return;
	if (cidr_parse(str, &sn->network, &sn->prefix) != 0 ||
	    sn->prefix < 8 || sn->prefix > 30) {
		cfg_err(ctx, config_setting_get_member(sg, "subnet"),
		    "'%s' is not a subnet (a.b.c.d/len, len 8 to 30)", str);
		return;
	}
	sn->mask = ip4_mask(sn->prefix);
	if ((sn->network & ~sn->mask) != 0) {
		cfg_err(ctx, config_setting_get_member(sg, "subnet"),
		    "'%s' has host bits set (did you mean %s/%u?)", str,
		    ip4_format(sn->network & sn->mask, a), sn->prefix);
		return;
	}
	if (cfg_get_string(ctx, sg, "interface", 0, IFNAMSIZ - 1, &str) == 1)
		sn->interface = cfg_strdup(ctx, str);
	parse_pools(ctx, sg, sn, pools, npools);
	parse_reservations(ctx, sg, sn, resv, nresv);
	if (cfg_get_ips(ctx, sg, "routers", &sn->routers, &sn->nrouters) ==
	    1) {
		for (size_t i = 0; i < sn->nrouters; i++) {
			if ((sn->routers[i] & sn->mask) != sn->network)
				cfg_err(ctx, config_setting_get_member(sg,
				    "routers"), "router %s is not in subnet "
				    "%s/%u", ip4_format(sn->routers[i], a),
				    ip4_format(sn->network, b), sn->prefix);
			/* A client leased the router's address cuts the LAN. */
			for (size_t k = 0; k < sn->npools; k++)
				if (sn->routers[i] >= sn->pools[k].start &&
				    sn->routers[i] <= sn->pools[k].end)
					cfg_err(ctx, config_setting_get_member(
					    sg, "routers"), "router %s is inside "
					    "the pool %s-%s: a client could be "
					    "given its address (leave it out of "
					    "the pools)", ip4_format(
					    sn->routers[i], a), ip4_format(
					    sn->pools[k].start, b), ip4_format(
					    sn->pools[k].end, c));
		}
	}
	cfg_get_ips(ctx, sg, "dns", &sn->dns, &sn->ndns);
	if (cfg_get_string(ctx, sg, "domain", 0, 253, &str) == 1) {
		if (!cfg_valid_hostname(str))
			cfg_err(ctx, config_setting_get_member(sg, "domain"),
			    "'%s' is not a domain name", str);
		else
			sn->domain = cfg_strdup(ctx, str);
	}
	get_lease_time(ctx, sg, "lease_time", ctx->cfg->dhcp.min_lease_time,
	    ctx->cfg->dhcp.max_lease_time, "clients renew at half of it, "
	    "every few seconds", &sn->lease_time);
	nerr = ctx->errs->n;
	cfg_parse_renewal(ctx, sg, sn->lease_time, "this subnet's lease_time",
	    &ctx->cfg->dhcp, &sn->renew_time, &sn->rebind_time,
	    &sn->next_server);
	if (ctx->errs->n == nerr)	/* else said already */
		warn_renewal_mix(ctx, sg, &ctx->cfg->dhcp, sn);
	if ((opts = config_setting_get_member(sg, "options")) != NULL)
		cfg_parse_options(ctx, opts, 0, "placeholders are filled only "
		    "in vendor class options", &sn->options, &sn->noptions);
}

/*
 * dhcp.limits: admissions of unknown clients taking a new address, per
 * window (cfg.h). The defaults are far above what an office's own devices
 * send: a phone or a PC DISCOVERs a few times a minute at worst.
 */
static void
parse_limits(struct cfg_ctx *ctx, const config_setting_t *g,
    struct cfg_dhcp_limits *lim)
{
	static const char *const keys[] = { "window", "per_mac", "per_relay",
		"per_interface", "declines", NULL };
	const config_setting_t	*lg = g != NULL ?
				    config_setting_get_member(g, "limits") :
				    NULL;
	unsigned long long	 v;

	lim->window = 10;
	lim->per_mac = 20;
	lim->per_relay = 500;
	lim->per_interface = 500;
	lim->declines = 5;
	if (lg == NULL || !cfg_is_group(ctx, lg))
		return;
	cfg_check_keys(ctx, lg, keys);
	if (cfg_get_uint(ctx, lg, "window", 0, 1, 3600, &v) == 1)
		lim->window = (unsigned)v;
	if (cfg_get_uint(ctx, lg, "per_mac", 0, 0, 1000000, &v) == 1)
		lim->per_mac = (unsigned)v;
	if (cfg_get_uint(ctx, lg, "per_relay", 0, 0, 1000000, &v) == 1)
		lim->per_relay = (unsigned)v;
	if (cfg_get_uint(ctx, lg, "per_interface", 0, 0, 1000000, &v) == 1)
		lim->per_interface = (unsigned)v;
	if (cfg_get_uint(ctx, lg, "declines", 0, 0, 1000000, &v) == 1)
		lim->declines = (unsigned)v;
}

/*
 * What the hostile-LAN defences read: the pool reserve, DECLINE's limits,
 * conflict probes, the OFFER hold of a low pool (offer_time is read
 * first).
 */
static void
parse_defences(struct cfg_ctx *ctx, const config_setting_t *g,
    struct cfg_dhcp *d)
{
	unsigned long long	 v;

	d->offer_time_low = d->offer_time < 10 ? d->offer_time : 10;
	d->reserve = 20;
	d->decline_max_share = 10;
	d->decline_after_ack = 60;
	d->conflict_check = 1;
	d->conflict_timeout = 500;
	parse_limits(ctx, g, &d->limits);
	if (g == NULL)
		return;
	if (cfg_get_uint(ctx, g, "offer_time_low", 0, 1, 3600, &v) == 1) {
		if (v > d->offer_time)
			cfg_err(ctx, config_setting_get_member(g,
			    "offer_time_low"), "offer_time_low %llu is above "
			    "offer_time %u (a low pool's OFFERs hold their "
			    "address for less time, not more)", v,
			    d->offer_time);
		else
			d->offer_time_low = (uint32_t)v;
	}
	/* 90 at most: an unregistered guest must be able to get something. */
	if (cfg_get_uint(ctx, g, "reserve", 0, 0, 90, &v) == 1)
		d->reserve = (unsigned)v;
	if (cfg_get_uint(ctx, g, "decline_max_share", 0, 0, 100, &v) == 1)
		d->decline_max_share = (unsigned)v;
	if (cfg_get_uint(ctx, g, "decline_after_ack", 0, 1, 86400, &v) == 1)
		d->decline_after_ack = (unsigned)v;
	cfg_get_bool(ctx, g, "conflict_check", &d->conflict_check);
	if (cfg_get_uint(ctx, g, "conflict_timeout", 0, 50, 5000, &v) == 1)
		d->conflict_timeout = (unsigned)v;
}

/* min_lease_time, max_lease_time and lease_time, in that order. */
static void
parse_lease_times(struct cfg_ctx *ctx, const config_setting_t *g,
    struct cfg_dhcp *d)
{
	get_lease_time(ctx, g, "min_lease_time", 1, 0x7fffffff, "a client "
	    "asking for a lease this short gets it", &d->min_lease_time);
	get_lease_time(ctx, g, "max_lease_time", 1, 0x7fffffff, "no client "
	    "keeps a lease longer", &d->max_lease_time);
	if (d->min_lease_time > d->max_lease_time) {
		/* At the setting written (the defaults agree). */
		const config_setting_t *at = config_setting_get_member(g,
		    "min_lease_time");

		if (at == NULL)
			at = config_setting_get_member(g, "max_lease_time");
		cfg_err(ctx, at, "min_lease_time %u is above max_lease_time %u",
		    d->min_lease_time, d->max_lease_time);
	}
	if (get_lease_time(ctx, g, "lease_time", d->min_lease_time,
	    d->max_lease_time, "clients renew at half of it, every few "
	    "seconds", &d->lease_time) != 1 && (d->lease_time < d->min_lease_time ||
	    d->lease_time > d->max_lease_time))
		d->lease_time = d->lease_time < d->min_lease_time ?
		    d->min_lease_time : d->max_lease_time;
}

int
cfg_parse_dhcp(struct cfg_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = { "interfaces", "authoritative",
		"lease_time", "min_lease_time", "max_lease_time",
		"decline_time", "offer_time", "offer_time_low", "renew_time",
		"rebind_time", "next_server", "reserve", "decline_max_share",
		"decline_after_ack", "conflict_check", "conflict_timeout",
		"limits", "options", "subnets", NULL };
	const config_setting_t	*g = config_setting_get_member(root, "dhcp");
	const config_setting_t	*list, *opts;
	struct cfg_dhcp		*d = &ctx->cfg->dhcp;
	struct span		*pools = NULL, *nets = NULL;
	struct resv_ref		*resv = NULL;
	size_t			 npools = 0, nresv = 0, nnets = 0;
	unsigned long long	 v;
	int			 n;

	d->authoritative = 1;
	d->lease_time = 3600;
	d->min_lease_time = 300;
	d->max_lease_time = 86400;
	d->decline_time = 86400;
	d->offer_time = 60;
	if (g == NULL) {
		parse_defences(ctx, NULL, d);
		return 0;
	}
	if (!cfg_is_group(ctx, g))
		return -1;
	cfg_check_keys(ctx, g, keys);
	cfg_get_strings(ctx, g, "interfaces", &d->interfaces,
	    &d->ninterfaces);
	for (size_t i = 0; i < d->ninterfaces; i++)
		if (d->interfaces[i] != NULL &&
		    (d->interfaces[i][0] == '\0' ||
		    strlen(d->interfaces[i]) >= IFNAMSIZ))
			cfg_err(ctx, config_setting_get_member(g, "interfaces"),
			    "'%s' is not an interface name (1 to %d "
			    "characters)", d->interfaces[i], IFNAMSIZ - 1);
	cfg_get_bool(ctx, g, "authoritative", &d->authoritative);
	parse_lease_times(ctx, g, d);
	cfg_parse_renewal(ctx, g, d->lease_time, "lease_time", NULL,
	    &d->renew_time, &d->rebind_time, &d->next_server);
	get_lease_time(ctx, g, "decline_time", 1, 0x7fffffff, "a declined "
	    "address comes back while the host that holds it may still be "
	    "there", &d->decline_time);
	if (cfg_get_uint(ctx, g, "offer_time", 0, 1, 3600, &v) == 1)
		d->offer_time = (uint32_t)v;
	parse_defences(ctx, g, d);
	if ((opts = config_setting_get_member(g, "options")) != NULL)
		cfg_parse_options(ctx, opts, 0, "placeholders are filled only "
		    "in vendor class options", &d->options, &d->noptions);

	list = config_setting_get_member(g, "subnets");
	if ((n = cfg_list_len(ctx, list, "{ subnet = \"a.b.c.d/len\"; ... }")) <=
	    0)
		return n;
	if ((d->subnets = cfg_calloc(ctx, (size_t)n, sizeof(*d->subnets))) ==
	    NULL || (nets = cfg_calloc(ctx, (size_t)n, sizeof(*nets))) ==
	    NULL)
		goto done;
	d->nsubnets = (size_t)n;
	for (int i = 0; i < n; i++) {
		const config_setting_t *sg = config_setting_get_elem(list,
		    (unsigned)i);

		if (!config_setting_is_group(sg)) {
			cfg_err(ctx, sg, "a subnet must be a group { subnet = "
			    "\"a.b.c.d/len\"; ... }");
			continue;
		}
		parse_subnet(ctx, sg, &d->subnets[i], &pools, &npools, &resv,
		    &nresv);
		if (d->subnets[i].mask == 0)	/* already reported */
			continue;
		nets[nnets].start = d->subnets[i].network;
		nets[nnets].end = d->subnets[i].network | ~d->subnets[i].mask;
		nets[nnets].where = sg;
		nnets++;
	}
	span_overlaps(ctx, nets, nnets, "subnet");
	span_overlaps(ctx, pools, npools, "pool");
	check_reservations(ctx, resv, nresv);
done:
	free(nets);
	free(pools);
	free(resv);
	return 0;
}

void
cfg_dhcp_free(struct cfg_dhcp *d)
{
	cfg_strv_free(d->interfaces, d->ninterfaces);
	cfg_options_free(d->options, d->noptions);
	for (size_t i = 0; i < d->nsubnets; i++) {
		struct cfg_subnet *sn = &d->subnets[i];

		free(sn->interface);
		free(sn->pools);
		for (size_t k = 0; k < sn->nreservations; k++)
			free(sn->reservations[k].hostname);
		free(sn->reservations);
		free(sn->routers);
		free(sn->dns);
		free(sn->domain);
		cfg_options_free(sn->options, sn->noptions);
	}
	free(d->subnets);
}
