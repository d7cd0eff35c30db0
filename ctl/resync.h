/*
 * resync.h - provboxctl resync's transactions (issue #15 item 2): one
 * out-of-dialog NOTIFY per phone that asks it to fetch its files now
 * (Event: check-sync, or Cisco's resync), sent to UDP 5060 of its leased
 * address, retransmitted on Timer E and given up on Timer F (RFC 3261
 * 17.1.2.2), answered once more with digest credentials when the phone
 * challenges it (RFC 3261 22.2, RFC 2617). etc/templates/README.md,
 * "check-sync", says which vendors challenge and why.
 *
 * What to send, how to read an answer and the digest are pure functions
 * (tests/unit/check_resync.c); resync_run() is the only part with
 * sockets. Nothing here reads the registry or prints: ctl/resync_cmd.c
 * does.
 */
#ifndef PB_CTL_RESYNC_H
#define PB_CTL_RESYNC_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "sippnp.h"

#define RESYNC_PORT		5060
#define RESYNC_EVENT_MAX	32
#define RESYNC_REASON_MAX	64	/* the phone's reason phrase, escaped */
#define RESYNC_CHAL_MAX		128	/* realm, nonce, opaque */
#define RESYNC_AUTH_MAX		1024	/* the Authorization header line */

/*
 * Test knob: PROVBOX_RESYNC_TIMEOUT_MS gives up on a phone after that many
 * milliseconds instead of Timer F's 32 s (the integration test's, so a
 * silent phone costs 2 s). Never needed in use; at most Timer F.
 */
#define RESYNC_TIMEOUT_ENV	"PROVBOX_RESYNC_TIMEOUT_MS"

enum resync_result {
	RESYNC_PENDING = 0,	/* not sent yet, or waiting */
	RESYNC_NO_LEASE,	/* no live lease: not sent */
	RESYNC_ACKED,		/* a 2xx */
	RESYNC_REJECTED,	/* another final status */
	RESYNC_TIMEOUT,		/* no final answer before Timer F */
	RESYNC_ERROR,		/* could not be built or sent */
};
/* "pending", "no-lease", "acknowledged", "rejected", "timeout", "error" */
const char	*resync_result_str(enum resync_result r);

/* A digest challenge (RFC 2617 3.2.1) from a 401 or a 407. */
struct resync_challenge {
	int		 proxy;		/* 407: Proxy-Authorization */
	int		 qop_auth;	/* qop offered and "auth" among it */
	char		 realm[RESYNC_CHAL_MAX];
	char		 nonce[RESYNC_CHAL_MAX];
	char		 opaque[RESYNC_CHAL_MAX];	/* "" if none */
};

/* One phone's transaction. */
struct resync_phone {
	/* The caller's. */
	uint32_t	 ip;		/* host order */
	char		 sip_user[CFG_SIP_MAX + 1];	/* account 1; may be "" */
	/* Account 1's password; "" when this process could not open it. */
	char		 password[CFG_SIP_MAX + 1];
	char		 event[RESYNC_EVENT_MAX];	/* resync_event() */
	/* resync_run()'s. */
	int		 fd;
	char		 uri[SIPPNP_HDR_MAX];	/* Request-URI and To */
	char		 local[SIPPNP_NAME_MAX];	/* our host:port */
	char		 call_id[SIPPNP_ID_MAX];
	char		 from_tag[SIPPNP_ID_MAX];
	char		 branch[SIPPNP_ID_MAX];	/* with z9hG4bK */
	uint32_t	 cseq;
	char		 msg[SIPPNP_MSG_MAX];
	size_t		 msglen;
	struct sippnp_timer timer;
	uint64_t	 due_ms;	/* next retransmission */
	uint64_t	 give_up_ms;	/* this transaction's Timer F */
	unsigned	 waited_ms;	/* the last transaction's wait, for the
					   report */
	/* The outcome. */
	enum resync_result result;
	int		 status;	/* the final status; 0 none */
	char		 reason[RESYNC_REASON_MAX];
	int		 challenged;	/* answered a challenge with a digest */
	const char	*note;	/* a fixed sentence, or NULL */
};

/* What an answer means to the transaction. */
enum resync_step {
	RESYNC_STEP_IGNORE,	/* not ours (another transaction), or junk */
	RESYNC_STEP_WAIT,	/* 1xx: keep waiting (Timer E becomes T2) */
	RESYNC_STEP_AUTH,	/* a challenge to answer: send again */
	RESYNC_STEP_DONE,	/* final: p's outcome is set */
};

/*
 * The Event value for a phone of class vendor: Cisco SPA/MPP (class
 * "cisco") take "resync" and "reboot_now" (Cisco's provisioning guide,
 * "Resync_From_SIP"), everyone else "check-sync" and
 * "check-sync;reboot=true".
 */
const char	*resync_event(const char *vendor, int reboot);

/*
 * RFC 2617 3.2.2.1 with MD5 (EVP): the 32 lower-case hex digits and a NUL
 * into out. qop "auth" uses nc and cnonce; qop NULL or "" is RFC 2069's
 * form. 0, or -1 if EVP fails.
 */
int		 resync_digest(const char *user, const char *realm,
		    const char *password, const char *method, const char *uri,
		    const char *nonce, const char *nc, const char *cnonce,
		    const char *qop, char out[33]);

/*
 * The first Digest challenge of the 401 (WWW-Authenticate) or 407
 * (Proxy-Authenticate) in buf[0..len), read with libosip2. 0, or -1: no
 * such header, not Digest, an algorithm but MD5, a qop without "auth",
 * or a value too long or holding a quote, backslash or control byte.
 */
int		 resync_parse_challenge(const char *buf, size_t len,
		    struct resync_challenge *c);

/*
 * The "Authorization: Digest ..." (or "Proxy-Authorization: ...") header
 * line answering c for a NOTIFY to uri (RFC 3261 22.4, nc 00000001).
 * Returns its length, or -1: no room, or a user with a quote or a
 * control byte. out holds no password, only the response's hash.
 */
int		 resync_authorization(const struct resync_challenge *c,
		    const char *user, const char *password, const char *uri,
		    const char *cnonce, char *out, size_t sz);

/*
 * Reads the answer buf[0..len) to p's current NOTIFY: ignored unless its
 * Call-ID, CSeq and top Via branch are p's. A 401/407 not yet answered,
 * with a challenge c can answer and a password to answer it with, is
 * RESYNC_STEP_AUTH (c filled); any other final status sets p's result,
 * status, reason (escaped) and note.
 */
enum resync_step resync_on_response(struct resync_phone *p, const char *buf,
		    size_t len, struct resync_challenge *c);

/*
 * Sends each of the n phones whose result is RESYNC_PENDING its NOTIFY,
 * all at once (one connected UDP socket each, so the kernel picks the
 * source address and a reply from another address is not read), and
 * waits until every one has a final answer or has timed out:
 * timeout_ms (at most Timer F) after each transaction began. Sets each
 * one's outcome; returns 0, or -1 if poll() itself failed. Wipes the
 * passwords before it returns.
 */
int		 resync_run(struct resync_phone *p, size_t n,
		    unsigned timeout_ms);

#endif /* PB_CTL_RESYNC_H */
