/*
 * serve.h - what the provisioning service answers, as a function of the
 * config, the loaded templates, a registry read transaction and one parsed
 * request. No sockets and no TLS here: the daemon fills struct prov_req
 * from the connection and sends struct prov_resp.
 *
 * Token folder: the token names a user (looked up by its hash); the folder
 * holds exactly the per-device files of that user's devices and the common
 * files of their vendor classes. A file for a MAC that is not this user's
 * device gets the same 404 as a file that does not exist. Vendors' file
 * names overlap, so the class the registry files a device under decides
 * which rule answers a name holding its MAC.
 *
 * First access (enroll.h): a token folder whose token is a device's
 * first-access token holds that device's own files (rendered with the
 * user's permanent URL, which they pin) and its class's common files,
 * for the address that holds the device's lease under the identity the
 * token went to, while the token lives.
 *
 * Flat folder (legacy classes): the MAC in the file name must be
 * registered (allowlist), held in a live lease by the requesting address
 * (lease binding) under the identity enrolled for it, and named by the
 * verified client certificate, as the class's legacy settings say. A
 * legacy phone is bound to the identity of its first fetch during an
 * enrollment window. With bootstrap on, the file is served with its
 * credentials blanked and points the phone at its first-access URL.
 * Phones' own files never go out over plain HTTP. Every refusal of a
 * phone's own file is the same 404 as an unknown MAC's: the answer says
 * nothing about which MACs are registered or leased.
 *
 * What a request teaches enrollment (first access used, the permanent URL
 * used, a refusal worth the device's history) comes back in resp->eop for
 * the daemon to apply in a write transaction.
 */
#ifndef PB_SERVE_H
#define PB_SERVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "addr.h"
#include "cfg.h"
#include "enroll.h"
#include "registry.h"
#include "route.h"

enum prov_refusal {
	REF_NONE = 0,
	REF_BAD_PATH,		/* 400: malformed path */
	REF_LONG_PATH,		/* 414: path over ROUTE_PATH_MAX */
	REF_HEADERS,		/* 431: too many header fields */
	REF_METHOD,		/* 405: not GET or HEAD */
	REF_NOT_FOUND,		/* 404: no such file */
	REF_TOKEN,		/* 404: no user has this token */
	REF_NOT_USERS,		/* 404: the MAC is not this user's device */
	REF_ALLOWLIST,		/* 404: the MAC is not registered */
	REF_LEASE,		/* 403: the requester holds no lease for it */
	REF_CERT_MISSING,	/* 403: no client certificate */
	REF_CERT_CA,		/* 403: certificate not from the phones' CA */
	REF_CERT_MAC,		/* 403: certificate names another MAC */
	REF_PLAIN_HTTP,		/* 403: credentials never go out unencrypted */
	REF_GUARD,		/* 429: too many misses */
	REF_INTERNAL,		/* 500 */
	REF_FA_CLOSED,		/* 404: first-access token no longer opens */
	REF_FA_LEASE,		/* 404: first-access from an address or an
				 * identity not the enrolled device's */
	REF_NOT_ENROLLED,	/* 404: no enrollment vouches for the phone */
	REF_IDENTITY,		/* 404: the lease's identity is not the one
				 * enrolled */
	REF_ROTATED,		/* 404: a rotated token, over for this device
				 * or past its grace */
	REF_COUNT
};
const char	*prov_refusal_str(enum prov_refusal r);

struct prov_templates;

/* Loads every template cfg's vendor files name. NULL with err on failure. */
struct prov_templates	*prov_templates_load(const struct cfg *cfg, char *err,
			    size_t errsz);
void			 prov_templates_free(struct prov_templates *t);

struct prov_req {
	const char		*path;
	int			 head;		/* HEAD: no body */
	int			 tls;		/* arrived over TLS */
	int			 tftp;		/* over TFTP: the flat folder,
						 * a phone's own file only
						 * for a class with tftp */
	uint32_t		 peer_ip4;	/* host order; 0 if IPv6 */
	int			 cert_present;
	int			 cert_verified;	/* chains to tls.client_ca */
	int			 cert_has_mac;
	struct mac_addr		 cert_mac;
	const char		*if_none_match;	/* static files */
	const char		*range;
	time_t			 now;
};

struct prov_resp {
	int			 status;
	const char		*reason;
	const char		*content_type;
	int			 no_store;	/* holds credentials */
	char			 etag[48];
	char			 content_range[96];
	char			*body;		/* rendered file; wiped on clear */
	size_t			 len;
	int			 fd;		/* static file, or -1 */
	off_t			 off;

	/* For the audit line. */
	enum route_kind		 kind;
	enum prov_refusal	 refused;
	char			 file[ROUTE_FILE_MAX + 1];
	char			 token_hint[16];	/* "Xy3k...(32)" */
	char			 user[CFG_NAME_MAX + 1];
	const char		*vendor;
	struct mac_addr		 mac;
	int			 has_mac;
	int			 first_access;	/* through a first-access
						 * token */
	unsigned		 retry_after;	/* 429: Retry-After, seconds */
	const char		*allow;		/* 405: the Allow header */
	struct enroll_op	 eop;		/* kind EOP_NONE: nothing */
};

/*
 * Answers req. txn is a read transaction on the registry. Always fills
 * resp; the caller sends it and calls prov_resp_clear().
 */
void	prov_handle(const struct cfg *cfg, const struct prov_templates *tp,
	    struct reg_txn *txn, const struct prov_req *req,
	    struct prov_resp *resp);
/*
 * The live bound lease at ip (host order) when it is mac's (any MAC when
 * mac is NULL): 1 with l filled, 0, or -1 on a registry failure.
 */
int	prov_lease_at(struct reg_txn *txn, uint32_t ip,
	    const struct mac_addr *mac, time_t now, struct reg_lease *l);
/* Wipes and frees the body, closes an unsent file. */
void	prov_resp_clear(struct prov_resp *resp);
/* An empty answer (no body, no file). */
void	prov_resp_init(struct prov_resp *resp);
/* Makes resp the refusal why: its status, reason and content type. */
void	prov_refuse(struct prov_resp *resp, enum prov_refusal why);

#endif /* PB_SERVE_H */
