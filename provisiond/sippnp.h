/*
 * sippnp.h - the SIP plug-and-play messages (issue #15): the SUBSCRIBE a
 * phone multicasts to 224.0.1.75:5060 when it boots without a provisioning
 * URL, the 200 OK and the NOTIFY that carries the URL, the response to that
 * NOTIFY, the retransmission timers, and the out-of-dialog check-sync
 * NOTIFY. Pure code: no sockets, no globals but libosip2's parser tables,
 * no logging, so it can be fuzzed. The caller brings the randomness (tags,
 * branches, Call-IDs) and decides where each message is sent.
 *
 * The phones' forms, as documented or captured (the parser accepts each):
 *
 *  snom ("Plug & Play", service.snom.com pageId=234339774, and the M300/
 *  M700 provisioning guide): the MAC is the user part of the Request-URI
 *  and of From, percent-escaped, "sip:MAC%3a00135E874B49@intern.snom.de";
 *  Event: ua-profile;profile-type="device";vendor="OEM";model="OEM";
 *  version="7.1.19"; Expires: 0; Accept: application/url; a Via without a
 *  branch and no Max-Forwards (old firmware). The M700 puts the MAC in the
 *  Request-URI and To only: From is "<sip:512@10.0.0.90>".
 *
 *  Yealink (a W52P's SUBSCRIBE captured in janakj/autoprov, sip_pnp.py):
 *  "sip:MAC001565f4f9e1@224.0.1.75" in the Request-URI, From and To, no
 *  separator; vendor="yealink";model="W52P";version="25.81.0.10".
 *
 *  Grandstream (a GRP2612W's SUBSCRIBE replayed by the test script of
 *  Bruce Walker's "GS-Plug-n-Play Responder", 2021):
 *  "sip:MAC%3AC074AD112233@224.0.1.75", upper-case escape.
 *
 *  PLANET VIP-2140PT (user's manual 2.2.1, "Plug and Play (PnP) Server"):
 *  "<sip:MAC=00304fa99948@224.0.1.75>" in From and To; Event: with no space
 *  after the colon. No Fanvil or Gigaset trace was at hand; their phones
 *  are expected to use one of these forms.
 *
 *  AudioCodes 400HD (administrator's manual LTRT-11973, "Obtaining
 *  Firmware and Configuration Files"): "SUBSCRIBE sip:224.0.1.75:5060",
 *  From "<sip:00000001@10.13.2.37:5060>": no MAC anywhere (has_mac is 0);
 *  profile-type="application"; the NOTIFY it takes echoes the Event value.
 *
 * A MAC is the user part of the Request-URI, From or To (in that order)
 * after percent-decoding: "MAC" (any case) then an optional ':', '=' or
 * '-', then any form mac_parse() reads (12 hex digits, or with ':', '-' or
 * '.' separators); or one of those forms alone. Two places naming
 * different MACs are refused, never guessed.
 *
 * Every kept value is copied into fixed-size fields, NUL-terminated, with
 * no byte below 0x20 and no 0x7f (names: printable ASCII only); one too
 * long or holding such a byte refuses the message. Nothing points into the
 * caller's buffer or into libosip2's objects.
 */
#ifndef PB_SIPPNP_H
#define PB_SIPPNP_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define SIPPNP_MSG_MAX	4096	/* refused unread above this */
#define SIPPNP_VIA_MAX	4	/* a phone on the LAN sends one */
#define SIPPNP_HDR_MAX	256	/* a Via, From, To, Contact or Event value */
#define SIPPNP_ID_MAX	128	/* Call-ID, tags, branch */
#define SIPPNP_NAME_MAX	64	/* vendor, model, version, profile-type */
#define SIPPNP_URL_MAX	1024	/* the provisioning URL in a NOTIFY */

/* RFC 3261 17.1.2.2 and Table 4, for UDP. */
#define SIPPNP_T1_MS	500u
#define SIPPNP_T2_MS	4000u
#define SIPPNP_TF_MS	(64u * SIPPNP_T1_MS)

/* Why a message was refused; sippnp_err_str() names it for the logs. */
enum sippnp_err {
	SIPPNP_OK = 0,
	SIPPNP_ERR_SIZE,	/* empty, or over SIPPNP_MSG_MAX */
	SIPPNP_ERR_BYTES,	/* NUL or a control byte but CR, LF, HT */
	SIPPNP_ERR_SYNTAX,	/* libosip2 refused it */
	SIPPNP_ERR_KIND,	/* a response for a request, or back */
	SIPPNP_ERR_VERSION,	/* not SIP/2.0 */
	SIPPNP_ERR_METHOD,	/* a request but SUBSCRIBE */
	SIPPNP_ERR_URI,		/* Request-URI not sip: or sips: */
	SIPPNP_ERR_MISSING,	/* a mandatory header absent (RFC 3261 8.1.1) */
	SIPPNP_ERR_DUP,		/* a single-valued header twice */
	SIPPNP_ERR_VIA,		/* more than SIPPNP_VIA_MAX Via values */
	SIPPNP_ERR_CSEQ,	/* number not 0..2^31-1, or another method */
	SIPPNP_ERR_EVENT,	/* not ua-profile, or its parameters malformed */
	SIPPNP_ERR_EXPIRES,	/* not a number of seconds */
	SIPPNP_ERR_FIELD,	/* a kept value too long or with control bytes */
	SIPPNP_ERR_MAC,		/* two places name different MACs */
	SIPPNP_ERR_STATUS,	/* status code not 100..699 */
	SIPPNP_ERR_MAX
};

/* Where the MAC was found. */
enum sippnp_mac_src {
	SIPPNP_MAC_NONE = 0,
	SIPPNP_MAC_RURI,
	SIPPNP_MAC_FROM,
	SIPPNP_MAC_TO,
};

/* A ua-profile SUBSCRIBE, as far as the responder needs it. */
struct sippnp_sub {
	/* Via values in order, as libosip2 writes them; the 200 OK's. */
	char		 via[SIPPNP_VIA_MAX][SIPPNP_HDR_MAX];
	size_t		 nvia;
	char		 branch[SIPPNP_ID_MAX];	/* top Via's; "" if none */
	char		 from[SIPPNP_HDR_MAX];	/* From value, with its tag */
	char		 to[SIPPNP_HDR_MAX];	/* To value, with a tag if any */
	char		 from_tag[SIPPNP_ID_MAX];	/* "" if none */
	char		 to_tag[SIPPNP_ID_MAX];	/* "" outside a dialog */
	char		 call_id[SIPPNP_ID_MAX];
	uint32_t	 cseq;
	char		 contact[SIPPNP_HDR_MAX];	/* the Contact's URI */
	char		 event[SIPPNP_HDR_MAX];	/* the Event value, echoed */
	char		 profile_type[SIPPNP_NAME_MAX];	/* "" if absent */
	char		 vendor[SIPPNP_NAME_MAX];	/* "" if absent */
	char		 model[SIPPNP_NAME_MAX];	/* "" if absent */
	char		 version[SIPPNP_NAME_MAX];	/* "" if absent */
	long		 expires;	/* seconds; -1 if absent */
	int		 has_mac;
	struct mac_addr	 mac;
	enum sippnp_mac_src mac_src;
};

/* A response to one of our requests (the NOTIFY). */
struct sippnp_resp {
	int		 status;	/* 100..699 */
	char		 call_id[SIPPNP_ID_MAX];
	uint32_t	 cseq;
	char		 method[SIPPNP_NAME_MAX];	/* CSeq method */
	char		 branch[SIPPNP_ID_MAX];	/* top Via's; "" if none */
	char		 to_tag[SIPPNP_ID_MAX];	/* "" if none */
};

/* What the NOTIFY carries beyond the subscription. */
struct sippnp_notify_args {
	const char	*local;	/* our "host:port" for Via and Contact */
	const char	*branch;	/* RFC 3261 8.1.1.7; z9hG4bK added */
	const char	*to_tag;	/* our tag: the 200 OK's (ignored if the
					   SUBSCRIBE had one) */
	uint32_t	 cseq;	/* our CSeq in the dialog, 0..2^31-1 */
	const char	*url;	/* the body, 1..SIPPNP_URL_MAX, printable */
	long		 expires;	/* < 0: terminated;reason=timeout, else
					   active;expires=N */
};

/* An out-of-dialog check-sync NOTIFY to a phone. */
struct sippnp_checksync_args {
	const char	*target;	/* the phone's URI, e.g. sip:10.0.0.5:5060 */
	const char	*local;	/* our "host:port" */
	const char	*branch;
	const char	*from_tag;
	const char	*call_id;
	uint32_t	 cseq;
	int		 reboot;	/* adds ;reboot=true */
	/*
	 * The Event value whole, for phones that want another event
	 * (Cisco's "resync", "reboot_now"); NULL: check-sync as above.
	 * Printable, no space.
	 */
	const char	*event;
	/*
	 * A digest answer to a challenge (RFC 3261 22.2): the header
	 * "Authorization" or "Proxy-Authorization" and its value; NULL:
	 * none. Printable, no CR or LF.
	 */
	const char	*auth_header;
	const char	*auth_value;
};

/* Non-INVITE client transaction timers over UDP (RFC 3261 17.1.2.2). */
struct sippnp_timer {
	unsigned	 elapsed_ms;	/* since the request was first sent */
	unsigned	 interval_ms;	/* Timer E's current value */
	unsigned	 wait_ms;	/* the delay last returned */
};

/* Initialises libosip2's parser tables; idempotent. Returns 0 or -1. */
int		 sippnp_init(void);

/*
 * Reads buf[0..len) as a ua-profile SUBSCRIBE into *out (all of it
 * overwritten). Returns SIPPNP_OK, or why not; *out is then zeroed.
 * Mandatory: Via (1..SIPPNP_VIA_MAX), From, To, Call-ID, CSeq naming
 * SUBSCRIBE, Event ua-profile, Contact. Max-Forwards is not, though RFC
 * 3261 8.1.1 says it must be there: snom's firmware leaves it out.
 */
enum sippnp_err	 sippnp_parse(const char *buf, size_t len,
		    struct sippnp_sub *out);

/* Reads a SIP response into *out; same contract as sippnp_parse(). */
enum sippnp_err	 sippnp_parse_response(const char *buf, size_t len,
		    struct sippnp_resp *out);

/* A short fixed name for err, for logs and counters. */
const char	*sippnp_err_str(enum sippnp_err err);

/*
 * Notes where the SUBSCRIBE came from: sets received= (RFC 3261 18.2.1)
 * and, if the phone asked with a bare rport, rport= (RFC 3581 4) on the
 * top Via, so the 200 OK says how it was reached. ip is a dotted quad.
 * Returns 0, or -1 (s unchanged) if the Via would outgrow its field.
 */
int		 sippnp_set_source(struct sippnp_sub *s, const char *ip,
		    unsigned port);

/*
 * The 200 OK to s (RFC 3261 8.2.6.2): its Vias, From, To with to_tag
 * added unless it had one, Call-ID, CSeq, and Expires (the SUBSCRIBE's, 0
 * if it had none: the NOTIFY ends the subscription); Contact <sip:local>
 * unless local is NULL (RFC 3261 12.1.1 wants one). to_tag is a token of
 * 1 to SIPPNP_ID_MAX - 1 bytes. Writes the message and a NUL into out;
 * returns its length, or -1 if an argument is refused or it does not fit.
 */
int		 sippnp_build_ok(const struct sippnp_sub *s, const char *to_tag,
		    const char *local, char *out, size_t outsz);

/*
 * The NOTIFY with the provisioning URL (RFC 6665 4.2.1, RFC 6080): to the
 * phone's Contact URI, From our side of the dialog (the SUBSCRIBE's To and
 * our tag), To the phone's (its From), the same Call-ID, a new Via with
 * our branch, Max-Forwards 70, the echoed Event, Subscription-State,
 * Content-Type application/url and the URL as the body. Returns the
 * length written (NUL-terminated), or -1: an argument refused (a URL with
 * a control byte, a branch or tag that is not a token) or no room.
 */
int		 sippnp_build_notify(const struct sippnp_sub *s,
		    const struct sippnp_notify_args *a, char *out,
		    size_t outsz);

/*
 * An out-of-dialog NOTIFY with "Event: check-sync" (";reboot=true" when
 * asked) or the event a->event names, as FreePBX, Asterisk
 * (sip_notify.conf) and wazo-provd send to make a phone fetch its
 * configuration now; Subscription-State terminated (RFC 6665 4.2.1 wants
 * one in every NOTIFY), an Authorization header when given, and no body.
 * Same returns as sippnp_build_notify().
 */
int		 sippnp_build_checksync(const struct sippnp_checksync_args *a,
		    char *out, size_t outsz);

/* Starts the timers as the request is first sent; returns Timer E (T1). */
unsigned	 sippnp_timer_start(struct sippnp_timer *t);

/*
 * The last delay returned has passed. Returns 0 and *delay_ms: send the
 * request again and wait that long (Timer E doubled, at most T2); or -1:
 * Timer F (64*T1) has fired, give up. The delays are 500, 1000, 2000,
 * 4000, 4000, ... and the last one stops at 32 s exactly.
 */
int		 sippnp_timer_next(struct sippnp_timer *t, unsigned *delay_ms);

/* A provisional response arrived: Timer E becomes T2 (17.1.2.2). */
void		 sippnp_timer_provisional(struct sippnp_timer *t);

#endif /* PB_SIPPNP_H */
