/*
 * pnp.c - the answer to a SIP plug-and-play SUBSCRIBE (pnp.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "pnp.h"
#include "serve.h"
#include "urltmpl.h"

static const char *const refusal_names[PNP_COUNT] = {
	[PNP_OK] = "-",
	[PNP_NO_MAC] = "no-mac",
	[PNP_UNREGISTERED] = "unregistered",
	[PNP_NO_URL] = "no-pnp-url",
	[PNP_NO_LEASE] = "lease-binding",
	[PNP_NOT_ENROLLING] = "not-enrolling",
	[PNP_IDENTITY] = "identity",
	[PNP_NO_TOKEN] = "token",
	[PNP_INTERNAL] = "internal",
};

const char *
pnp_refusal_str(enum pnp_refusal r)
{
	if ((unsigned)r >= PNP_COUNT)
		return "unknown";
	return refusal_names[r];
}

void
pnp_answer_clear(struct pnp_answer *a)
{
	/* The URL may hold a first-access token. */
	OPENSSL_cleanse(a->url, sizeof(a->url));
	OPENSSL_cleanse(a->token_hint, sizeof(a->token_hint));
}

/* The class's URL for the device, with token ("" for none). */
static int
expand(const struct cfg *cfg, const struct cfg_vendor *vc,
    const struct reg_device *d, const char *token, uint32_t server_ip,
    struct pnp_answer *a)
{
	struct tmpl_vars	vars;
	char			mac[MAC_PLAIN_LEN], mac_up[MAC_PLAIN_LEN];
	char			sip[16], err[128];

	snprintf(sip, sizeof(sip), "%u.%u.%u.%u", server_ip >> 24,
	    (server_ip >> 16) & 0xff, (server_ip >> 8) & 0xff,
	    server_ip & 0xff);
	memset(&vars, 0, sizeof(vars));
	vars.base_url = cfg->prov.base_url;
	vars.token = token;
	vars.mac = mac_format_plain(&d->mac, mac, 0);
	vars.mac_upper = mac_format_plain(&d->mac, mac_up, 1);
	vars.model = d->model;
	vars.vendor = vc->name;
	vars.server_ip = sip;
	if (tmpl_expand(vc->pnp_url, &vars, a->url, sizeof(a->url)) < 0 ||
	    url_check(a->url, err, sizeof(err)) != 0) {
		/* A model name that makes no URL: nothing to hand out. */
		OPENSSL_cleanse(a->url, sizeof(a->url));
		return -1;
	}
	return 0;
}

/*
 * A token class's first-access token for the device, under the rules of
 * dhcpd's first_access(): 1 with it in fa, 0 refused (a->refused set),
 * -1 on a registry failure.
 */
static int
first_access(const struct cfg *cfg, struct reg_txn *txn,
    const struct reg_device *d, uint32_t src_ip, time_t now,
    struct pnp_answer *a, char fa[TOKEN_LEN + 1])
{
	struct reg_enroll	e;
	struct reg_lease	l;
	int			r, ret = 0;

	memset(&e, 0, sizeof(e));
	if ((r = prov_lease_at(txn, src_ip, &d->mac, now, &l)) != 1) {
		a->refused = r < 0 ? PNP_INTERNAL : PNP_NO_LEASE;
		return r < 0 ? -1 : 0;
	}
	if ((r = reg_enroll_get(txn, &d->mac, &e)) != 0) {
		a->refused = r < 0 ? PNP_INTERNAL : PNP_NOT_ENROLLING;
		ret = r < 0 ? -1 : 0;
		goto done;
	}
	if (!enroll_fa_live(&e, now, cfg->prov.enroll.fa_limit)) {
		a->refused = PNP_NOT_ENROLLING;
		goto done;
	}
	a->eop.mac = d->mac;
	a->eop.ip = src_ip;
	a->eop.id_len = l.client_key_len;
	memcpy(a->eop.id, l.client_key, l.client_key_len);
	if (e.id_len != 0 && !enroll_id_is(&e, l.client_key,
	    l.client_key_len)) {
		/* The token went to another identity: neither gets it. */
		a->refused = PNP_IDENTITY;
		a->eop.kind = EOP_REFUSED;
		snprintf(a->eop.detail, sizeof(a->eop.detail), "SIP PnP: "
		    "the lease's client identity is not the enrolled one");
		goto done;
	}
	if (e.id_len == 0 || e.fa_ip != src_ip) {
		a->eop.kind = EOP_HANDED;
		snprintf(a->eop.detail, sizeof(a->eop.detail), "SIP PnP");
	}
	memcpy(fa, e.fa_token, TOKEN_LEN + 1);
	ret = 1;
done:
	reg_enroll_clear(&e);
	return ret;
}

void
pnp_decide(const struct cfg *cfg, struct reg_txn *txn,
    const struct sippnp_sub *s, uint32_t src_ip, uint32_t server_ip,
    time_t now, struct pnp_answer *a)
{
	const struct cfg_vendor	*vc;
	struct reg_device	 d;
	struct reg_user		 u;
	char			 tok[TOKEN_LEN + 1] = "";
	int			 r;

	memset(a, 0, sizeof(*a));
	memset(&d, 0, sizeof(d));
	memset(&u, 0, sizeof(u));
	if (!s->has_mac) {
		a->refused = PNP_NO_MAC;
		return;
	}
	if ((r = reg_device_get(txn, &s->mac, &d)) != 0) {
		a->refused = r < 0 ? PNP_INTERNAL : PNP_UNREGISTERED;
		return;
	}
	snprintf(a->user, sizeof(a->user), "%s", d.user);
	if ((vc = cfg_vendor_find(cfg, d.vendor)) != NULL)
		a->vendor = vc->name;
	if (vc == NULL || vc->pnp_url == NULL) {
		a->refused = PNP_NO_URL;
		goto done;
	}
	if (vc->pnp_url_vars & TMPL_TOKEN) {
		if (vc->client_cert) {
			/* The certificate is the proof: as over DHCP. */
			if ((r = reg_user_get(txn, d.user, &u)) != 0 ||
			    u.token[0] == '\0') {
				a->refused = r < 0 ? PNP_INTERNAL :
				    PNP_NO_TOKEN;
				goto done;
			}
			memcpy(tok, u.token, sizeof(tok));
		} else if (first_access(cfg, txn, &d, src_ip, now, a,
		    tok) != 1) {
			if (a->refused == PNP_OK)
				a->refused = PNP_INTERNAL;
			goto done;
		} else
			a->first_access = 1;
		log_redact(a->token_hint, sizeof(a->token_hint), tok);
	}
	if (expand(cfg, vc, &d, tok, server_ip, a) != 0) {
		a->refused = PNP_INTERNAL;
		a->eop.kind = EOP_NONE;
	}
done:
	OPENSSL_cleanse(tok, sizeof(tok));
	reg_user_clear(&u);
	reg_device_clear(&d);
}
