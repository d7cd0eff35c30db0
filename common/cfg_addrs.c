/*
 * cfg_addrs.c - addresses the pools must not hold (a server's own, the next
 * server, a router) and addresses that lie outside every subnet: checked
 * once every section is read, since a vendor class and the provisioning
 * section name some of them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"
#include "urltmpl.h"


/* The pool that holds ip, and its subnet in *snp; NULL when none does. */
static const struct cfg_pool *
pool_holding(const struct cfg_dhcp *d, uint32_t ip,
    const struct cfg_subnet **snp)
{
	for (size_t i = 0; i < d->nsubnets; i++) {
		const struct cfg_subnet *sn = &d->subnets[i];

		for (size_t k = 0; k < sn->npools; k++) {
			const struct cfg_pool *p = &sn->pools[k];

			if (ip >= p->start && ip <= p->end) {
				*snp = sn;
				return p;
			}
		}
	}
	return NULL;
}

/* 1 if ip is in sn, or (sn NULL) in some subnet, or no subnet is read. */
static int
on_some_subnet(const struct cfg_dhcp *d, const struct cfg_subnet *sn,
    uint32_t ip)
{
	int any = 0;

	if (sn != NULL)
		return (ip & sn->mask) == sn->network;
	for (size_t i = 0; i < d->nsubnets; i++) {
		if (d->subnets[i].mask == 0)	/* refused */
			continue;
		any = 1;
		if ((ip & d->subnets[i].mask) == d->subnets[i].network)
			return 1;
	}
	return !any;
}

int
cfg_dhcp_check_addrs(const struct cfg *cfg, const uint32_t *addrs, size_t n,
    char *err, size_t errsz)
{
	const struct cfg_subnet	*sn;
	const struct cfg_pool	*p;
	char			 a[IP4_STR_LEN], b[IP4_STR_LEN];
	char			 c[IP4_STR_LEN], e[IP4_STR_LEN];

	for (size_t i = 0; i < n; i++) {
		if ((p = pool_holding(&cfg->dhcp, addrs[i], &sn)) == NULL)
			continue;
		snprintf(err, errsz, "this server's address %s is inside the "
		    "pool %s-%s of subnet %s/%u: a client could be given it "
		    "(leave it out of the pools)", ip4_format(addrs[i], a),
		    ip4_format(p->start, b), ip4_format(p->end, c),
		    ip4_format(sn->network, e), sn->prefix);
		return -1;
	}
	return 0;
}

/* An error at `at` when a pool holds ip, the address of `what`. */
static void
refuse_in_pool(struct cfg_ctx *ctx, const config_setting_t *at,
    const char *what, uint32_t ip)
{
	const struct cfg_subnet	*sn;
	const struct cfg_pool	*p;
	char			 a[IP4_STR_LEN], b[IP4_STR_LEN];
	char			 c[IP4_STR_LEN], e[IP4_STR_LEN];

	if ((p = pool_holding(&ctx->cfg->dhcp, ip, &sn)) == NULL)
		return;
	cfg_err(ctx, at, "%s %s is inside the pool %s-%s of subnet %s/%u: a "
	    "client could be given its address (leave it out of the pools)",
	    what, ip4_format(ip, a), ip4_format(p->start, b),
	    ip4_format(p->end, c), ip4_format(sn->network, e), sn->prefix);
}

/*
 * A warning at `at` when ip lies outside every subnet. Not an error: a
 * TFTP or next server in another, routed subnet is legitimate; a subnet
 * that moved while the option stayed is what this catches.
 */
static void
warn_off_subnets(struct cfg_ctx *ctx, const config_setting_t *at,
    const char *what, uint32_t ip)
{
	char a[IP4_STR_LEN];

	if (!on_some_subnet(&ctx->cfg->dhcp, NULL, ip))
		cfg_warn(ctx, at, "%s %s is outside every configured subnet "
		    "(right if it is reached through a router; wrong if a "
		    "subnet moved)", what, ip4_format(ip, a));
}

/* next_server of group g: never a pool address; off every subnet: warned. */
static void
check_next_server(struct cfg_ctx *ctx, const config_setting_t *g,
    uint32_t ip)
{
	const config_setting_t *at;

	if (ip == 0 || (at = config_setting_get_member(g, "next_server")) ==
	    NULL)
		return;
	refuse_in_pool(ctx, at, "next_server", ip);
	warn_off_subnets(ctx, at, "next_server", ip);
}

/*
 * The addresses an option list (written at list) sends clients to. A
 * router (3) inside a pool is refused; a router off its subnet (own; NULL
 * for a list given in every subnet: off all of them), a TFTP server (150,
 * or 66 written as an address) off every subnet is warned about.
 * "${server_ip}" is the server's own address: nothing to check.
 */
static void
check_option_addrs(struct cfg_ctx *ctx, const config_setting_t *list,
    const struct cfg_option *opts, size_t n, const struct cfg_subnet *own)
{
	char a[IP4_STR_LEN], b[IP4_STR_LEN], text[IP4_STR_LEN + 1];

	for (size_t i = 0; list != NULL && i < n; i++) {
		const struct cfg_option	*o = &opts[i];
		const config_setting_t	*v = config_setting_get_member(
					    config_setting_get_elem(list,
					    (unsigned)i), "value");
		uint32_t		 ip;

		if (o->data == NULL || v == NULL)
			continue;
		if (o->code == 66 && o->type == OPT_T_STRING &&
		    o->tmpl == NULL && o->len < sizeof(text)) {
			memcpy(text, o->data, o->len);
			text[o->len] = '\0';
			if (ip4_parse(text, &ip) == 0)
				warn_off_subnets(ctx, v, "TFTP server (option "
				    "66)", ip);
			continue;
		}
		if ((o->code != 3 && o->code != 150) ||
		    (o->type != OPT_T_IP && o->type != OPT_T_IP_LIST))
			continue;
		for (size_t k = 0; 4 * k + 4 <= o->len; k++) {
			const config_setting_t *at =
			    config_setting_is_aggregate(v) ?
			    config_setting_get_elem(v, (unsigned)k) : v;

			if (k < 64 && (o->server_ip_slots >> k & 1))
				continue;
			ip = (uint32_t)o->data[4 * k] << 24 |
			    (uint32_t)o->data[4 * k + 1] << 16 |
			    (uint32_t)o->data[4 * k + 2] << 8 |
			    o->data[4 * k + 3];
			if (o->code == 150) {
				warn_off_subnets(ctx, at, "TFTP server (option "
				    "150)", ip);
				continue;
			}
			refuse_in_pool(ctx, at, "router (option 3)", ip);
			if (own != NULL && !on_some_subnet(&ctx->cfg->dhcp,
			    own, ip))
				cfg_warn(ctx, at, "router (option 3) %s is not "
				    "in subnet %s/%u: a client reaches only a "
				    "router on its own link", ip4_format(ip, a),
				    ip4_format(own->network, b), own->prefix);
			else if (own == NULL)
				warn_off_subnets(ctx, at, "router (option 3)",
				    ip);
		}
	}
}

/*
 * The literal IPv4 host of an http(s) URL ("https://10.0.0.1:8443/x"),
 * or of a listen address ("10.0.0.1:443"). 0 with *ip set; -1 for a name,
 * an IPv6 address or 0.0.0.0 (every address: nothing to compare).
 */
static int
host_ip4(const char *s, int url, uint32_t *ip)
{
	const char	*p = s, *end;
	char		 host[IP4_STR_LEN];

	if (url) {
		if ((p = strstr(s, "://")) == NULL)
			return -1;
		p += 3;
		end = p + strcspn(p, ":/?#");
	} else if ((end = strrchr(s, ':')) == NULL)
		return -1;
	if ((size_t)(end - p) >= sizeof(host))
		return -1;
	memcpy(host, p, (size_t)(end - p));
	host[end - p] = '\0';
	if (ip4_parse(host, ip) != 0 || *ip == 0)
		return -1;
	return 0;
}

/* provisioning.base_url's host and listen addresses: not in a pool. */
static void
check_prov_addrs(struct cfg_ctx *ctx, const config_setting_t *pg)
{
	static const char *const lists[] = { "listen", "http_listen" };
	const struct cfg_prov	*p = &ctx->cfg->prov;
	const config_setting_t	*at;
	uint32_t		 ip;

	if (pg == NULL || !config_setting_is_group(pg))
		return;
	if (p->base_url != NULL && host_ip4(p->base_url, 1, &ip) == 0)
		refuse_in_pool(ctx, config_setting_get_member(pg, "base_url"),
		    "the provisioning server (base_url)", ip);
	for (size_t l = 0; l < 2; l++) {
		char	**v = l == 0 ? p->listen : p->http_listen;
		size_t	  n = l == 0 ? p->nlisten : p->nhttp_listen;

		if ((at = config_setting_get_member(pg, lists[l])) == NULL)
			continue;
		for (size_t i = 0; i < n; i++)
			if (v[i] != NULL && host_ip4(v[i], 0, &ip) == 0)
				refuse_in_pool(ctx,
				    config_setting_is_aggregate(at) ?
				    config_setting_get_elem(at, (unsigned)i) :
				    at, l == 0 ? "listen address" :
				    "http_listen address", ip);
	}
}

void
cfg_check_addrs(struct cfg_ctx *ctx, const config_setting_t *root)
{
	const struct cfg	*cfg = ctx->cfg;
	const struct cfg_dhcp	*d = &cfg->dhcp;
	const config_setting_t	*dg = config_setting_get_member(root,
				    "dhcp");
	const config_setting_t	*list, *g;

	if (dg != NULL && config_setting_is_group(dg)) {
		check_next_server(ctx, dg, d->next_server);
		check_option_addrs(ctx, config_setting_get_member(dg,
		    "options"), d->options, d->noptions, NULL);
		list = config_setting_get_member(dg, "subnets");
		for (size_t i = 0; list != NULL && i < d->nsubnets; i++) {
			const struct cfg_subnet *sn = &d->subnets[i];

			g = config_setting_get_elem(list, (unsigned)i);
			if (g == NULL || sn->mask == 0)
				continue;
			check_next_server(ctx, g, sn->next_server);
			check_option_addrs(ctx, config_setting_get_member(g,
			    "options"), sn->options, sn->noptions, sn);
		}
	}
	list = config_setting_get_member(root, "vendors");
	for (size_t i = 0; list != NULL && i < cfg->nvendors; i++) {
		const struct cfg_vendor *v = &cfg->vendors[i];

		if ((g = config_setting_get_elem(list, (unsigned)i)) == NULL)
			continue;
		check_next_server(ctx, g, v->next_server);
		check_option_addrs(ctx, config_setting_get_member(g, "options"),
		    v->options, v->noptions, NULL);
		check_option_addrs(ctx, config_setting_get_member(g,
		    "unregistered"), v->unregistered, v->nunregistered, NULL);
	}
	check_prov_addrs(ctx, config_setting_get_member(root, "provisioning"));
}
