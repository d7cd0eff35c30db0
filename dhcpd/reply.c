/*
 * reply.c - the options of a reply: the mandatory ones, T1 and T2, what
 * the client asked for in the order it asked (RFC 2131 4.3.1, Option 55),
 * and the provisioning options of its vendor class, filled for this phone;
 * and siaddr, the next server.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "classify.h"
#include "log.h"
#include "server.h"
#include "urltmpl.h"
#include "wire.h"

/* A candidate value for one option code. */
struct cand {
	const uint8_t	*data;
	uint16_t	 len;
	uint8_t		 forced;	/* sent even if not asked for */
};

/*
 * Which codes have a candidate and which are in the reply are bit sets:
 * clearing them per reply costs 64 bytes, not 4 KiB, and the candidates
 * are visited in code order without a walk over all 256 codes.
 */
struct builder {
	struct dhcp_decision	*d;
	struct cand		 cand[256];	/* valid where set */
	uint64_t		 set[4];
	uint64_t		 added[4];
	int			 full;
};

#define BIT_ISSET(v, c)	((v)[(c) >> 6] >> ((c) & 63) & 1)
#define BIT_SET(v, c)	((v)[(c) >> 6] |= 1ULL << ((c) & 63))

static struct log_ratelimit rl_full = LOG_RATELIMIT_CONFIGURED;

/* Copies bytes into the decision's data area; NULL when it is full. */
static uint8_t *
stash(struct builder *b, const void *p, size_t len)
{
	struct dhcp_decision	*d = b->d;
	uint8_t			*out;

	if (len > sizeof(d->data) - d->datalen) {
		b->full = 1;
		return NULL;
	}
	out = d->data + d->datalen;
	if (len > 0)
		memcpy(out, p, len);
	d->datalen += len;
	return out;
}

static void
add(struct builder *b, uint8_t code, const uint8_t *data, size_t len)
{
	struct dhcp_decision *d = b->d;

	if (BIT_ISSET(b->added, code) || len > 0xffff)
		return;
	if (d->nopts >= DHCP_MAX_OUT_OPTS) {
		b->full = 1;
		return;
	}
	d->opts[d->nopts].code = code;
	d->opts[d->nopts].len = (uint16_t)len;
	d->opts[d->nopts].data = data;
	d->nopts++;
	BIT_SET(b->added, code);
}

static void
add_u32(struct builder *b, uint8_t code, uint32_t v)
{
	uint8_t		 buf[4];
	struct wire	 w;
	const uint8_t	*p;

	wire_init(&w, buf, sizeof(buf));
	wire_write_u32(&w, v);
	if ((p = stash(b, buf, 4)) != NULL)
		add(b, code, p, 4);
}

/*
 * Adds the candidates of codes 1-254 in code order: all of them but skip,
 * or (forced_only) those sent unasked.
 */
static void
add_cands(struct builder *b, int forced_only, int skip)
{
	for (int w = 0; w < 4; w++) {
		uint64_t bits = b->set[w];

		while (bits != 0) {
			int c = w * 64 + __builtin_ctzll(bits);

			bits &= bits - 1;
			if (c == 0 || c == 255 || c == skip ||
			    (forced_only && !b->cand[c].forced))
				continue;
			add(b, (uint8_t)c, b->cand[c].data, b->cand[c].len);
		}
	}
}

static void
cand_set(struct builder *b, uint8_t code, const uint8_t *data, size_t len,
    int forced)
{
	if (data == NULL && len > 0)
		return;
	b->cand[code].data = data;
	b->cand[code].len = (uint16_t)len;
	b->cand[code].forced = (uint8_t)forced;
	BIT_SET(b->set, code);
}

static void
cand_ips(struct builder *b, uint8_t code, const uint32_t *ips, size_t n)
{
	uint8_t		 buf[4 * 64];
	struct wire	 w;

	if (n == 0)
		return;
	if (n > 64)
		n = 64;
	wire_init(&w, buf, sizeof(buf));
	for (size_t i = 0; i < n; i++)
		wire_write_u32(&w, ips[i]);
	cand_set(b, code, stash(b, buf, 4 * n), 4 * n, 0);
}

/* Static options from the config (dhcp and subnet lists). */
static void
cand_static(struct builder *b, const struct cfg_option *opts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (opts[i].nsub > 0) {
			uint8_t buf[255];
			size_t	len = 0;

			for (size_t k = 0; k < opts[i].nsub; k++) {
				const struct cfg_option *s = &opts[i].sub[k];

				if (len + 2 + s->len > sizeof(buf))
					break;
				buf[len++] = s->code;
				buf[len++] = (uint8_t)s->len;
				memcpy(buf + len, s->data, s->len);
				len += s->len;
			}
			cand_set(b, opts[i].code, stash(b, buf, len), len, 0);
		} else
			cand_set(b, opts[i].code, opts[i].data, opts[i].len, 0);
	}
}

/*
 * One value, static or a template filled for this client; the addresses
 * an IP option marks "${server_ip}" become server_id, the address the
 * reply is sent from.
 */
static int
value(const struct cfg_option *o, const struct tmpl_vars *vars,
    uint32_t server_id, uint8_t *out, size_t outsz, size_t *len)
{
	int n;

	if (o->tmpl == NULL) {
		if (o->len > outsz)
			return -1;
		memcpy(out, o->data, o->len);
		*len = o->len;
		for (size_t i = 0; o->server_ip_slots != 0 && i < 64 &&
		    4 * i + 4 <= o->len; i++) {
			struct wire w;

			if (!(o->server_ip_slots >> i & 1))
				continue;
			wire_init(&w, out + 4 * i, 4);
			wire_write_u32(&w, server_id);
		}
		return 0;
	}
	if ((n = tmpl_expand(o->tmpl, vars, (char *)out, outsz)) < 0)
		return -1;
	*len = (size_t)n;
	return 0;
}

/*
 * The vendor class's options: sent whether or not they were asked for,
 * since phones read options they do not list (Grandstream reads 66 but
 * asks for 43 and 125 only).
 */
static void
cand_class(struct builder *b, const struct cfg_option *opts, size_t n,
    const struct tmpl_vars *vars)
{
	uint32_t server_id = b->d->server_id;

	for (size_t i = 0; i < n; i++) {
		uint8_t	buf[1024];
		size_t	len = 0, sublen;

		if (opts[i].nsub > 0) {
			for (size_t k = 0; k < opts[i].nsub; k++) {
				if (len + 2 > 255 || value(&opts[i].sub[k],
				    vars, server_id, buf + len + 2,
				    255 - len - 2, &sublen) != 0) {
					log_warnx_rl(&rl_full, "option %u "
					    "sub-option %u does not fit in "
					    "255 bytes; left out", opts[i].code,
					    opts[i].sub[k].code);
					continue;
				}
				buf[len] = opts[i].sub[k].code;
				buf[len + 1] = (uint8_t)sublen;
				len += 2 + sublen;
			}
			if (len == 0)	/* no sub-option fitted */
				continue;
		} else if (value(&opts[i], vars, server_id, buf, sizeof(buf),
		    &len) != 0) {
			log_warnx_rl(&rl_full, "option %u does not fit; left "
			    "out", opts[i].code);
			continue;
		}
		cand_set(b, opts[i].code, stash(b, buf, len), len, 1);
	}
}

/*
 * Whether this reply may carry the device's first-access token, and what
 * enrollment learns from it (d->eop). Only an OFFER or ACK to the client
 * that holds, or is being offered, the MAC's lease (one live lease per
 * MAC: server.c), never an INFORM or a NAK; only while the window is
 * open; only to the identity the token went to first. Returns 1 with the
 * token in fa (a caller's buffer, wiped by the caller), 0 when none may
 * go, -1 on a registry failure.
 */
static int
first_access(const struct cfg *cfg, const struct lease_view *v,
    struct dhcp_decision *d, char fa[TOKEN_LEN + 1])
{
	struct reg_enroll	 e;
	char			 a[64], b[64];
	int			 r, ret = 0;

	fa[0] = '\0';
	if (d->inform || (d->type != DHCPOFFER && d->type != DHCPACK) ||
	    d->hdr.yiaddr == 0 || d->klen == 0)
		return 0;
	if ((r = v->enroll(v->arg, &d->mac, &e)) != 0)
		return r < 0 ? -1 : 0;
	if (!enroll_fa_live(&e, d->now, cfg->prov.enroll.fa_limit))
		goto done;
	d->eop.mac = d->mac;
	d->eop.ip = d->hdr.yiaddr;
	d->eop.id_len = (uint16_t)d->klen;
	memcpy(d->eop.id, d->key, d->klen);
	if (e.id_len != 0 && !enroll_id_is(&e, d->key, d->klen)) {
		/*
		 * The token went to another identity first: one of the two
		 * is not the phone. Neither gets it again.
		 */
		d->eop.kind = EOP_DUPLICATE;
		snprintf(d->eop.detail, sizeof(d->eop.detail), "duplicate "
		    "MAC: first-access URL went to %s, %s asked",
		    enroll_id_str(e.id, e.id_len, a, sizeof(a)),
		    enroll_id_str(d->key, d->klen, b, sizeof(b)));
		goto done;
	}
	if (e.id_len == 0 || e.fa_ip != d->hdr.yiaddr)
		d->eop.kind = EOP_HANDED;
	memcpy(fa, e.fa_token, sizeof(e.fa_token));
	ret = 1;
done:
	reg_enroll_clear(&e);
	return ret;
}

/*
 * The class, the user and the options a phone is given. Anything a DHCP
 * answer carries is public (any host may ask with any MAC), so a token
 * class's ${token} is never the user's permanent token, except where the
 * class requires a client certificate (the certificate is then the
 * proof). It is the device's first-access token while the device is
 * enrolling (first_access()); otherwise a registered phone gets what the
 * class gives unregistered ones.
 */
static int
provisioning(const struct cfg *cfg, const struct lease_view *v,
    const struct dhcp_msg *m, struct builder *b)
{
	struct dhcp_decision		*d = b->d;
	const struct cfg_vendor		*vc = NULL;
	const struct cfg_option		*opts;
	size_t				 nopts, vclen;
	const uint8_t			*vcp;
	struct reg_device		 dev;
	struct reg_user			 user;
	struct tmpl_vars		 vars;
	char				 mac[MAC_PLAIN_LEN], MAC[MAC_PLAIN_LEN];
	char				 fa[TOKEN_LEN + 1] = "";
	char				 sip[IP4_STR_LEN];
	int				 registered = 0, r, give = 0, used;
	int				 ret = -1;

	memset(&vars, 0, sizeof(vars));
	memset(&user, 0, sizeof(user));
	dev.model[0] = '\0';
	if (d->has_mac) {
		if ((r = v->device(v->arg, &d->mac, &dev)) < 0)
			return -1;
		/* The admin's word on a device beats its fingerprint. */
		if (r == 0 && (vc = cfg_vendor_find(cfg, dev.vendor)) != NULL) {
			if ((r = v->user(v->arg, dev.user, &user)) < 0)
				goto done;
			registered = r == 0;
		}
	}
	if (vc == NULL) {
		vcp = dhcp_opt_get(m, DHO_VENDOR_CLASS, &vclen);
		vc = classify(cfg, vcp, vclen, d->has_mac ? &d->mac : NULL);
	}
	d->vendor = vc;
	if (vc == NULL) {
		ret = 0;
		goto done;
	}
	if (registered)
		snprintf(d->user, sizeof(d->user), "%s", user.name);

	if (registered && vc->mode == PROV_MODE_LEGACY)
		give = 1;
	else if (registered && user.token[0] != '\0') {
		/* A revoked user (no token) is unregistered. */
		if (vc->client_cert && !d->inform) {
			vars.token = user.token;
			give = 1;
		} else if ((r = first_access(cfg, v, d, fa)) < 0)
			goto done;
		else if (r == 1) {
			vars.token = fa;
			give = 1;
		}
	}
	if (give) {
		opts = vc->options;
		nopts = vc->noptions;
		used = vc->options_vars;
		vars.model = dev.model;
	} else {
		opts = vc->unregistered;
		nopts = vc->nunregistered;
		used = vc->unregistered_vars;
	}
	vars.base_url = cfg->prov.base_url;
	vars.vendor = vc->name;
	/* Formatted only for a class that uses it: replies print nothing. */
	if (used & TMPL_SERVER_IP)
		vars.server_ip = ip4_format(d->server_id, sip);
	if (d->has_mac) {
		vars.mac = mac_format_plain(&d->mac, mac, 0);
		vars.mac_upper = mac_format_plain(&d->mac, MAC, 1);
	}
	cand_class(b, opts, nopts, &vars);
	ret = 0;
done:
	reg_user_clear(&user);
	OPENSSL_cleanse(fa, sizeof(fa));
	return ret;
}

/*
 * T1 and T2 (RFC 2132 9.11, 9.12) in an OFFER or an ACK to a REQUEST: the
 * nearest setting wins (the client's vendor class, its subnet, the dhcp
 * group), and is sent only when T1 < T2 < this reply's lease time, which
 * the client may have shortened; else RFC 2131 4.4.5's defaults, half and
 * 7/8 of the lease. An ACK to an INFORM has no lease (lease_time 0, RFC
 * 2131 4.3.5), so neither.
 */
static void
renewal(const struct cfg *cfg, struct builder *b)
{
	const struct dhcp_decision	*d = b->d;
	const struct cfg_vendor		*vc = d->vendor;
	const struct cfg_subnet		*sn = d->subnet;
	uint32_t			 renew, rebind, t1, t2;

	if (d->lease_time == 0)
		return;
	renew = vc != NULL && vc->renew_time != 0 ? vc->renew_time :
	    sn->renew_time != 0 ? sn->renew_time : cfg->dhcp.renew_time;
	rebind = vc != NULL && vc->rebind_time != 0 ? vc->rebind_time :
	    sn->rebind_time != 0 ? sn->rebind_time : cfg->dhcp.rebind_time;
	cfg_renewal_times(d->lease_time, renew, rebind, &t1, &t2);
	add_u32(b, DHO_T1, t1);
	add_u32(b, DHO_T2, t2);
}

/*
 * siaddr, "IP address of next bootstrap server" in a DHCPOFFER and in
 * every DHCPACK, an INFORM's included (RFC 2131 table 3; 0 in a NAK):
 * the nearest next_server, class, subnet, dhcp. 0 when none is set.
 */
static uint32_t
next_server(const struct cfg *cfg, const struct dhcp_decision *d)
{
	if (d->vendor != NULL && d->vendor->next_server != 0)
		return d->vendor->next_server;
	if (d->subnet->next_server != 0)
		return d->subnet->next_server;
	return cfg->dhcp.next_server;
}

int
dhcp_reply_options(const struct cfg *cfg, const struct lease_view *v,
    const struct dhcp_msg *m, struct dhcp_decision *d)
{
	const struct cfg_subnet	*sn = d->subnet;
	struct builder		 b;
	uint8_t			 type = d->type;
	const uint8_t		*prl, *p;
	size_t			 nprl, len;

	memset(b.set, 0, sizeof(b.set));
	memset(b.added, 0, sizeof(b.added));
	b.full = 0;
	b.d = d;
	d->nopts = 0;
	d->datalen = 0;

	add(&b, DHO_MSG_TYPE, stash(&b, &type, 1), 1);
	add_u32(&b, DHO_SERVER_ID, d->server_id);
	if (type == DHCPNAK) {
		if (d->note != NULL)
			add(&b, DHO_MESSAGE, (const uint8_t *)d->note,
			    strlen(d->note));
		goto echo;
	}
	if (d->lease_time > 0)
		add_u32(&b, DHO_LEASE_TIME, d->lease_time);

	/* Candidates, later sources overriding earlier ones. */
	{
		uint32_t mask = sn->mask, bcast = sn->network | ~sn->mask;

		cand_ips(&b, DHO_SUBNET_MASK, &mask, 1);
		b.cand[DHO_SUBNET_MASK].forced = 1;
		cand_ips(&b, 28, &bcast, 1);
	}
	cand_ips(&b, DHO_ROUTERS, sn->routers, sn->nrouters);
	if (sn->nrouters > 0)
		b.cand[DHO_ROUTERS].forced = 1;
	cand_ips(&b, DHO_DNS, sn->dns, sn->ndns);
	if (sn->domain != NULL)
		cand_set(&b, DHO_DOMAIN_NAME, (const uint8_t *)sn->domain,
		    strlen(sn->domain), 0);
	/* A reservation's host name is the admin's word: sent unasked. */
	if (d->reservation != NULL && d->reservation->hostname != NULL)
		cand_set(&b, DHO_HOST_NAME,
		    (const uint8_t *)d->reservation->hostname,
		    strlen(d->reservation->hostname), 1);
	cand_static(&b, cfg->dhcp.options, cfg->dhcp.noptions);
	cand_static(&b, sn->options, sn->noptions);
	if (provisioning(cfg, v, m, &b) != 0)
		return -1;
	/* Both follow from the class, known only now; sent before the rest. */
	renewal(cfg, &b);
	d->hdr.siaddr = next_server(cfg, d);

	/*
	 * RFC 2132 3.3: when both are sent, the subnet mask MUST come before
	 * the router option, whatever order Option 55 asks in (a Polycom VVX
	 * lists 3 before 1). The mask is always sent, so it goes first.
	 */
	if (BIT_ISSET(b.set, DHO_SUBNET_MASK))
		add(&b, DHO_SUBNET_MASK, b.cand[DHO_SUBNET_MASK].data,
		    b.cand[DHO_SUBNET_MASK].len);
	if ((prl = dhcp_opt_get(m, DHO_PARAM_REQ, &nprl)) != NULL) {
		for (size_t i = 0; i < nprl; i++)
			if (BIT_ISSET(b.set, prl[i]))
				add(&b, prl[i], b.cand[prl[i]].data,
				    b.cand[prl[i]].len);
		add_cands(&b, 1, -1);
	} else
		add_cands(&b, 0, 28);
echo:
	/* RFC 6842: the client identifier goes back as it came. */
	if ((p = dhcp_opt_get(m, DHO_CLIENT_ID, &len)) != NULL)
		add(&b, DHO_CLIENT_ID, p, len);
	/* RFC 3046 2.2: relay agent information echoed, last. */
	if ((p = dhcp_opt_get(m, DHO_RELAY_INFO, &len)) != NULL)
		add(&b, DHO_RELAY_INFO, p, len);
	if (b.full)
		log_warnx_rl(&rl_full, "reply options for xid 0x%08x did not "
		    "all fit", m->xid);
	return 0;
}
