/*
 * registry.h - the LMDB device registry shared by provbox-dhcpd,
 * provbox-provisiond and provboxctl.
 *
 * Each process opens its own environment (never across fork); LMDB
 * serialises writers across processes. Named databases:
 *
 *   meta          "schema" -> u32 schema version
 *   users         user name -> user record (SIP account, token)
 *   tokens        SHA-256(token) -> user name
 *   devices       MAC (6 bytes) -> device record (user, vendor, model)
 *   leases        IPv4 (4 bytes, network order) -> lease record
 *   lease_client  client key -> IPv4 (duplicates sorted: one client may
 *                 hold leases in several subnets)
 *   lease_mac     MAC -> IPv4 (duplicates sorted)
 *   fetches       MAC -> the phone's last provisioning fetch (written by
 *                 provisiond only)
 *   enroll        MAC -> the device's enrollment record (state, window,
 *                 first-access token sealed, the identity it was bound to)
 *   fa_tokens     SHA-256(first-access token) -> MAC
 *   history       MAC + sequence -> one enrollment event (the newest
 *                 REG_HISTORY_MAX per device are kept)
 *
 * Every record starts with a version byte, so its layout can change without
 * losing data; a registry whose schema is newer than this build understands
 * is refused at open. Only registry.c includes lmdb.h: MDB_* codes are
 * translated to enum reg_err here.
 *
 * Operations take a struct reg_txn with a sticky error: after the first
 * failure every later call on the same transaction fails at once, and
 * reg_txn_commit() refuses, so a half-done write never lands.
 */
#ifndef PB_REGISTRY_H
#define PB_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "cfg.h"
#include "token.h"

/*
 * 2: users' secrets sealed. 3: enrollment (tables enroll, fa_tokens,
 * history); a provbox of schema 2 would hand out permanent tokens over
 * DHCP, so it must not open a registry that has devices enrolling.
 */
#define REG_SCHEMA_VERSION	3

enum reg_err {
	REG_OK = 0,
	REG_EIO,	/* the file system or LMDB failed */
	REG_EFULL,	/* the map is full: raise registry.map_size_mb */
	REG_ESCHEMA,	/* written by a newer provbox */
	REG_ECORRUPT,	/* a record that does not decode */
	REG_EINVAL,	/* a value that does not fit a record */
	REG_ENOMEM,
};
const char	*reg_strerror(int err);

/* Lookups return 0 when found, REG_NOTFOUND when absent, -1 on error. */
#define REG_NOTFOUND	1

struct reg;

struct reg_txn {
	struct reg	*reg;
	void		*txn;		/* MDB_txn */
	int		 err;		/* sticky enum reg_err */
	int		 rdonly;
};

/* reg_open() flags */
#define REG_NOSYNC	0x1	/* don't fsync on commit (admin's choice) */
#define REG_RDONLY	0x2	/* read only; the registry must exist */

/*
 * Opens (creating with mode 0700 if needed) the registry in directory
 * path, and its secret key path/secret.key (created on first use when
 * not REG_RDONLY). On failure returns -1 with a message in err; a schema
 * newer than REG_SCHEMA_VERSION is such a failure, and so is, when not
 * REG_RDONLY, a registry file or key that other users may read. A read
 * only open by a user who may not read the key succeeds; its users come
 * back with secrets_sealed set. Opened for writing, a schema 1 registry
 * (secrets in clear) is migrated to schema 2 in one transaction.
 */
int	reg_open(const char *path, size_t map_size, unsigned flags,
	    struct reg **out, char *err, size_t errsz);
void	reg_close(struct reg *reg);
/* The schema version stored in the registry. */
unsigned reg_schema_version(const struct reg *reg);
/* 1 when this process holds the key that opens users' secrets. */
int	reg_has_secret_key(const struct reg *reg);

/*
 * A secret of the config (a SIP password in users.conf, a phone's admin
 * password) sealed with the registry's key, so the file the admin edits
 * need not hold it in clear: "sealed:" and base64 of nonce, ciphertext
 * and tag (provboxctl seal prints it). reg_config_open() opens one into
 * out; -1 when this key does not open it (sealed on another box, altered)
 * or it is malformed. Both need the key (root).
 */
#define REG_SEALED_PREFIX	CFG_SEALED_PREFIX
#define REG_CONFIG_SECRET_MAX	255
#define REG_SEALED_MAX		(sizeof(REG_SEALED_PREFIX) - 1 + \
	4 * ((REG_CONFIG_SECRET_MAX + 28 + 2) / 3))
int	reg_config_seal(const struct reg *reg, const char *clear, char *out,
	    size_t outsz);
int	reg_config_open(const struct reg *reg, const char *value, char *out,
	    size_t outsz);
/* reg_config_open() for cfg_unseal(): reg is a const struct reg *. */
int	reg_config_opener(const void *reg, const char *sealed, char *out,
	    size_t outsz);

int	reg_txn_begin(struct reg *reg, struct reg_txn *txn, int rdonly);
/* Commits, or aborts if the transaction has an error. 0 or -1. */
int	reg_txn_commit(struct reg_txn *txn);
void	reg_txn_abort(struct reg_txn *txn);
/* A read transaction kept for reuse: reset drops its snapshot. */
void	reg_txn_reset(struct reg_txn *txn);
int	reg_txn_renew(struct reg_txn *txn);

struct reg_user {
	char		 name[CFG_NAME_MAX + 1];
	char		 display_name[CFG_DISPLAY_MAX + 1];
	char		 sip_user[CFG_SIP_MAX + 1];
	char		 sip_password[CFG_SIP_MAX + 1];
	char		 sip_server[CFG_HOST_MAX + 1];
	uint16_t	 sip_port;
	char		 token[TOKEN_LEN + 1];	/* "" when revoked */
	int64_t		 token_created;
	/*
	 * The token before the last rotation, still answering until
	 * old_until (provboxctl rotate's grace): "" when none. Indexed
	 * like token, so a lookup finds the user by either.
	 */
	char		 old_token[TOKEN_LEN + 1];
	int64_t		 old_until;
	/*
	 * Read by a process that may not read the registry's secret key,
	 * or sealed with another key: sip_password and token are empty, and
	 * reg_user_put() refuses this copy.
	 */
	int		 secrets_sealed;	/* REG_SEALED_* */
};
#define REG_SEALED_NO_KEY	1	/* this process has no key */
#define REG_SEALED_OTHER_KEY	2	/* secret.key replaced, or altered */
/* Wipes the password and token from a struct reg_user copy. */
void	reg_user_clear(struct reg_user *u);

#define REG_PHONE_PW_MAX	64	/* a phone's admin password */

struct reg_device {
	struct mac_addr	 mac;
	char		 user[CFG_NAME_MAX + 1];
	char		 vendor[CFG_NAME_MAX + 1];
	char		 model[CFG_NAME_MAX + 1];
	/*
	 * The phone's own web admin password, made by reg_sync() when the
	 * device is added (a random one unless the settings give one):
	 * sealed like a user's SIP password. "" when none, or when it
	 * could not be opened (secrets_sealed says why).
	 */
	char		 admin_password[REG_PHONE_PW_MAX + 1];
	int		 secrets_sealed;	/* REG_SEALED_* */
};
/* Wipes the admin password from a struct reg_device copy. */
void	reg_device_clear(struct reg_device *d);

enum lease_state {
	LEASE_OFFERED = 1,	/* held for an OFFER, not yet ACKed */
	LEASE_BOUND,		/* ACKed */
	LEASE_RELEASED,		/* the client gave it back */
	LEASE_DECLINED,		/* quarantined after a DECLINE */
};
const char	*lease_state_str(enum lease_state state);

#define REG_CLIENT_KEY_MAX	256	/* kind byte + up to 255 bytes */
#define REG_HOSTNAME_MAX	63
#define REG_VCLASS_MAX		255

struct reg_lease {
	uint32_t	 ip;		/* host order */
	uint8_t		 state;		/* enum lease_state */
	uint8_t		 htype;
	uint8_t		 hlen;		/* bytes of chaddr in use, <= 16 */
	uint8_t		 chaddr[16];
	uint16_t	 client_key_len;
	/* 'I' + Option 61, or 'H' + htype + chaddr: how the client is known */
	uint8_t		 client_key[REG_CLIENT_KEY_MAX];
	int64_t		 start;
	int64_t		 expire;
	uint8_t		 hostname_len;
	uint8_t		 hostname[REG_HOSTNAME_MAX];	/* raw client bytes */
	uint8_t		 vclass_len;
	uint8_t		 vclass[REG_VCLASS_MAX];	/* raw Option 60 */
};

/* Users and their tokens. */
int	reg_user_get(struct reg_txn *txn, const char *name,
	    struct reg_user *out);
/* Stores u; keeps the token index in step with u->token. */
int	reg_user_put(struct reg_txn *txn, const struct reg_user *u);
/* Deletes the user and its token (its devices are the caller's). */
int	reg_user_del(struct reg_txn *txn, const char *name);
/* Finds the user that owns token text s[0..len). */
int	reg_token_lookup(struct reg_txn *txn, const char *s, size_t len,
	    char user[CFG_NAME_MAX + 1]);

int	reg_device_get(struct reg_txn *txn, const struct mac_addr *mac,
	    struct reg_device *out);
int	reg_device_put(struct reg_txn *txn, const struct reg_device *d);
int	reg_device_del(struct reg_txn *txn, const struct mac_addr *mac);

int	reg_lease_get(struct reg_txn *txn, uint32_t ip, struct reg_lease *out);
/* Stores l at l->ip, moving the client and MAC indexes with it. */
int	reg_lease_put(struct reg_txn *txn, const struct reg_lease *l);
int	reg_lease_del(struct reg_txn *txn, uint32_t ip);
/*
 * The addresses held by a client key / a MAC, lowest first: returns how
 * many exist (which may exceed max; only max are stored), or -1.
 */
int	reg_lease_ips_by_client(struct reg_txn *txn, const uint8_t *key,
	    size_t keylen, uint32_t *ips, size_t max);
int	reg_lease_ips_by_mac(struct reg_txn *txn, const struct mac_addr *mac,
	    uint32_t *ips, size_t max);

/*
 * Walks every record of a table in key order. The record passed to fn is
 * a copy valid for that call only; fn returns 0 to go on, 1 to stop early
 * or -1 to fail the walk. Returns 0 or -1.
 */
int	reg_user_foreach(struct reg_txn *txn,
	    int (*fn)(const struct reg_user *, void *), void *arg);
int	reg_device_foreach(struct reg_txn *txn,
	    int (*fn)(const struct reg_device *, void *), void *arg);
int	reg_lease_foreach(struct reg_txn *txn,
	    int (*fn)(const struct reg_lease *, void *), void *arg);

/* Walks the leases with start <= ip <= end, in address order. */
int	reg_lease_foreach_range(struct reg_txn *txn, uint32_t start,
	    uint32_t end, int (*fn)(const struct reg_lease *, void *),
	    void *arg);

enum reg_table {
	REG_T_USERS,
	REG_T_TOKENS,
	REG_T_DEVICES,
	REG_T_LEASES,
	REG_T_LEASE_CLIENT,
	REG_T_LEASE_MAC,
	REG_T_META,
	REG_T_FETCHES,
	REG_T_ENROLL,
	REG_T_FA_TOKENS,
	REG_T_HISTORY,
	REG_T_COUNT
};

/* A phone's last request to the provisioning service. */
struct reg_fetch {
	struct mac_addr	 mac;
	int64_t		 time;
	uint32_t	 ip;		/* host order; 0 if not IPv4 */
	uint16_t	 status;	/* HTTP status answered */
	char		 file[129];
	char		 refused[32];	/* the guard that refused, or "" */
};
int	reg_fetch_put(struct reg_txn *txn, const struct reg_fetch *f);
int	reg_fetch_get(struct reg_txn *txn, const struct mac_addr *mac,
	    struct reg_fetch *out);
/* Number of records in a table, or -1. */
long	reg_count(struct reg_txn *txn, enum reg_table table);

/*
 * Enrollment (common/enroll.h holds the state machine). A device without a
 * record is ENROLL_NEW.
 */
enum enroll_state {
	ENROLL_NEW = 0,		/* registered, never provisioned */
	ENROLL_ENROLLING,	/* a window is open until window_until */
	ENROLL_PROVISIONED,	/* it used its permanent URL */
	ENROLL_SUSPECT,		/* another client identity claimed its MAC */
	ENROLL_STATE_COUNT
};

struct reg_enroll {
	struct mac_addr	 mac;
	uint8_t		 state;		/* enum enroll_state */
	int64_t		 since;		/* when the state began */
	int64_t		 window_until;	/* ENROLLING: the window's end */
	/* The first-access token ("" none): sealed at rest. */
	char		 fa_token[TOKEN_LEN + 1];
	/* The client identity it went to first (a lease client key). */
	uint16_t	 id_len;
	uint8_t		 id[REG_CLIENT_KEY_MAX];
	uint32_t	 fa_ip;		/* the address it went to */
	int64_t		 fa_handed;	/* first handed out; 0 never */
	int64_t		 fa_fetched;	/* first credential fetch with it */
	/* When it first used its user's current permanent token. */
	int64_t		 token_seen;
	int		 secrets_sealed;	/* REG_SEALED_* */
};
void	reg_enroll_clear(struct reg_enroll *e);
/* 0, REG_NOTFOUND (the device is new) or -1. */
int	reg_enroll_get(struct reg_txn *txn, const struct mac_addr *mac,
	    struct reg_enroll *out);
/* Stores e; keeps the first-access token index in step with e->fa_token. */
int	reg_enroll_put(struct reg_txn *txn, const struct reg_enroll *e);
int	reg_enroll_del(struct reg_txn *txn, const struct mac_addr *mac);
/* The device whose first-access token is s[0..len). */
int	reg_fa_lookup(struct reg_txn *txn, const char *s, size_t len,
	    struct mac_addr *mac);
int	reg_enroll_foreach(struct reg_txn *txn,
	    int (*fn)(const struct reg_enroll *, void *), void *arg);

/* One event in a device's story (enum enroll_event in enroll.h). */
#define REG_HISTORY_MAX		32
#define REG_EVENT_DETAIL_MAX	160
struct reg_event {
	struct mac_addr	 mac;
	int64_t		 time;
	uint8_t		 kind;
	uint32_t	 ip;		/* host order; 0 none */
	char		 detail[REG_EVENT_DETAIL_MAX];
};
/* Appends ev; drops the device's oldest beyond REG_HISTORY_MAX. */
int	reg_event_add(struct reg_txn *txn, const struct reg_event *ev);
/* The device's events, newest first; fn as for the foreach walks. */
int	reg_event_foreach(struct reg_txn *txn, const struct mac_addr *mac,
	    int (*fn)(const struct reg_event *, void *), void *arg);
/* Drops every event of mac. */
int	reg_event_purge(struct reg_txn *txn, const struct mac_addr *mac);

/* Test hook: stores a raw schema version, as a newer provbox would. */
int	reg_meta_set_schema(struct reg_txn *txn, uint32_t version);

#endif /* PB_REGISTRY_H */
