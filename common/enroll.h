/*
 * enroll.h - the enrollment state machine: how a registered device comes
 * to hold its permanent provisioning URL without any LAN host being able
 * to learn it.
 *
 *   new ---- provboxctl enroll ----> enrolling (a window, until a time)
 *   enrolling -- the phone's first fetch with its permanent URL, from the
 *                address and identity it was enrolled under --> provisioned
 *   any -- another client identity claims the MAC --> suspect
 *   suspect -- provboxctl device clear --> new
 *   enrolling -- the window ends --> new (read as such; no write needed)
 *
 * While a device is enrolling, the DHCP server hands its first-access
 * token (random, made when the window opened, sealed in the registry) to
 * the first client identity that holds the MAC's lease, and to no other;
 * provisiond serves that device's own file through it only to the address
 * holding that lease under that identity, until the phone has used its
 * permanent URL or fa_limit seconds after its first credential fetch.
 *
 * The decisions (dhcpd/server.c, provisiond/serve.c) stay pure: they say
 * what should change as a struct enroll_op, and the daemon applies it in
 * its write transaction with enroll_apply(), which re-reads the record,
 * so an op decided on a stale read does nothing wrong.
 */
#ifndef PB_ENROLL_H
#define PB_ENROLL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "registry.h"

enum enroll_event {
	EV_NONE = 0,
	EV_WINDOW_OPENED,	/* provboxctl enroll, or a new device */
	EV_WINDOW_CLOSED,	/* expired, or ended by the admin */
	EV_FA_HANDED,		/* the first-access URL went to MAC/IP/id */
	EV_FA_USED,		/* the device's file fetched with it */
	EV_PROVISIONED,		/* the permanent URL used for the first time */
	EV_REFUSED,		/* a request refused, with its reason */
	EV_DUPLICATE_MAC,	/* a second client identity for the MAC */
	EV_SUSPECT,		/* the device turned suspect */
	EV_CLEARED,		/* the admin ended suspect */
	EV_ROTATED,		/* the user's token was rotated */
	EV_COUNT
};

const char	*enroll_state_str(enum enroll_state state);
const char	*enroll_event_str(enum enroll_event ev);
/* The state a record stands for at now (a closed window reads as new). */
enum enroll_state enroll_state_at(const struct reg_enroll *e, time_t now);
/*
 * 1 while e's first-access token may be used at now: enrolling, the
 * window open, and not more than fa_limit seconds after the first
 * credential fetch made with it.
 */
int		 enroll_fa_live(const struct reg_enroll *e, time_t now,
		    unsigned fa_limit);
/* 1 when the identity id[0..len) is the one e was bound to. */
int		 enroll_id_is(const struct reg_enroll *e, const uint8_t *id,
		    size_t len);
/*
 * A client identity for the log: "id 01:80:5e:..." (Option 61, as sent)
 * or "hw 01:80:5e:..." (the hardware type, then chaddr), hex, cut after
 * 16 bytes; "-" for none. Returns buf.
 */
char		*enroll_id_str(const uint8_t *id, size_t len, char *buf,
		    size_t sz);

/* A refusal within this many seconds of the last one is not recorded. */
#define ENROLL_REFUSED_QUIET	60

enum enroll_op_kind {
	EOP_NONE = 0,
	EOP_HANDED,		/* the first-access URL went out (DHCP) */
	EOP_DUPLICATE,		/* another identity claimed the MAC (DHCP) */
	EOP_FETCHED,		/* the device's file went out through it */
	EOP_PROVISIONED,	/* the permanent URL came from the device
				 * (token_created: of the token it used) */
	EOP_REFUSED,		/* a request for the device refused (one a
				 * minute is recorded) */
};

struct enroll_op {
	uint8_t		 kind;		/* enum enroll_op_kind */
	struct mac_addr	 mac;
	uint32_t	 ip;		/* host order */
	uint16_t	 id_len;	/* the client identity involved */
	uint8_t		 id[REG_CLIENT_KEY_MAX];
	int64_t		 token_created;
	char		 detail[REG_EVENT_DETAIL_MAX];
};

/*
 * Whether a request with the user's current permanent token (created at
 * token_created) from device e (NULL: no record, new) teaches anything:
 * the device is not provisioned yet, or has not used this token before.
 */
int	enroll_wants_seen(const struct reg_enroll *e, int64_t token_created);

/*
 * Applies op in txn (a write transaction) at now. Returns 1 when it wrote
 * something (ev then holds the event for the audit line), 0 when there
 * was nothing to do, -1 on a registry failure. A device that is not
 * registered is never given a record.
 */
int	enroll_apply(struct reg_txn *txn, const struct enroll_op *op,
	    time_t now, struct reg_event *ev);

/*
 * Opens a window of seconds for the device: a new first-access token, no
 * identity bound yet. Returns 1 (ev filled); 0 for a suspect device,
 * which stays suspect (*was_suspect set); -1 for a device that is not
 * registered or a registry failure.
 */
int	enroll_open(struct reg_txn *txn, const struct mac_addr *mac,
	    time_t now, unsigned seconds, int *was_suspect,
	    struct reg_event *ev);
/* Ends a window early (the token dies). 1, 0 (none open) or -1. */
int	enroll_close(struct reg_txn *txn, const struct mac_addr *mac,
	    time_t now, struct reg_event *ev);
/* suspect -> new, the token dropped. 1, 0 (not suspect) or -1. */
int	enroll_clear(struct reg_txn *txn, const struct mac_addr *mac,
	    time_t now, struct reg_event *ev);

/*
 * Windows that have run out: each is closed (its token dropped) with an
 * EV_WINDOW_CLOSED event, handed to fn (for the audit line) after it is
 * written. Returns how many, or -1. O(enrollment records).
 */
int	enroll_sweep(struct reg_txn *txn, time_t now,
	    void (*fn)(const struct reg_event *, void *), void *arg);

/*
 * The audit line for ev: notice for the expected steps, warning for
 * refusals, duplicates and suspects.
 */
void	enroll_log(const struct reg_event *ev);

#endif /* PB_ENROLL_H */
