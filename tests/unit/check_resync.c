/*
 * check_resync.c - provboxctl resync's decisions (ctl/resync.h): the
 * event per class, the message edits, the digest (RFC 2617 3.5's
 * example), reading a challenge, and what each answer means. The socket
 * loop is the integration test's (tests/integration/resync.sh).
 */
#include "config.h"

#include <osipparser2/osip_parser.h>

#include "testutil.h"

#include "resync.h"
#include "sippnp.h"

#define CRLF	"\r\n"

START_TEST(test_digest_rfc2617)
{
	char out[33];

	/* RFC 2617 3.5. */
	ck_assert_int_eq(resync_digest("Mufasa", "testrealm@host.com",
	    "Circle Of Life", "GET", "/dir/index.html",
	    "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b",
	    "auth", out), 0);
	ck_assert_str_eq(out, "6629fae49393a05397450978507c4ef1");
	/* Without qop (RFC 2069): MD5(HA1:nonce:HA2), computed apart. */
	ck_assert_int_eq(resync_digest("Mufasa", "testrealm@host.com",
	    "Circle Of Life", "GET", "/dir/index.html",
	    "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b",
	    NULL, out), 0);
	ck_assert_str_eq(out, "670fd8c2df070c60b045671b8b24ff02");
}
END_TEST

START_TEST(test_event)
{
	ck_assert_str_eq(resync_event("snom", 0), "check-sync");
	ck_assert_str_eq(resync_event("yealink", 1), "check-sync;reboot=true");
	ck_assert_str_eq(resync_event("cisco", 0), "resync");
	ck_assert_str_eq(resync_event("cisco", 1), "reboot_now");
	/* Only the SPA/MPP class; the 79xx class is not Cisco's resync. */
	ck_assert_str_eq(resync_event("cisco-enterprise", 0), "check-sync");
	ck_assert_str_eq(resync_event(NULL, 0), "check-sync");
}
END_TEST

/* A NOTIFY as resync.c builds it: event and answer to a challenge. */
static int
checksync(char *out, size_t sz, const char *event, const char *auth_header,
    const char *auth_value)
{
	struct sippnp_checksync_args a = {
		.target = "sip:201@10.0.0.5:5060",
		.local = "10.0.0.1:40000",
		.branch = "z9hG4bKabc",
		.from_tag = "f00d",
		.call_id = "c0ffee@provbox",
		.cseq = 2,
		.event = event,
		.auth_header = auth_header,
		.auth_value = auth_value,
	};

	return sippnp_build_checksync(&a, out, sz);
}

/*
 * The vendor's event and the digest answer go into the NOTIFY as headers
 * libosip2 reads back; a value that could add a header is refused.
 */
START_TEST(test_notify_event_auth)
{
	char		 msg[SIPPNP_MSG_MAX];
	int		 n;
	osip_message_t	*sip = NULL;
	osip_header_t	*h = NULL;

	n = checksync(msg, sizeof(msg), "resync", "Authorization",
	    "Digest username=\"201\", realm=\"r\", nonce=\"n\", "
	    "uri=\"sip:201@10.0.0.5:5060\", response=\"0123\"");
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strlen(msg), (size_t)n);
	ck_assert_ptr_nonnull(strstr(msg, CRLF "Event: resync" CRLF));
	ck_assert_ptr_null(strstr(msg, "check-sync"));
	ck_assert_int_eq(osip_message_init(&sip), 0);
	ck_assert_int_eq(osip_message_parse(sip, msg, (size_t)n), 0);
	ck_assert_int_ge(osip_message_header_get_byname(sip, "event", 0, &h),
	    0);
	ck_assert_str_eq(h->hvalue, "resync");
	ck_assert_ptr_nonnull(sip->authorizations.node);
	osip_message_free(sip);
	/* No event given: check-sync; the reboot form whole. */
	ck_assert_int_gt(checksync(msg, sizeof(msg), NULL, NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(msg, CRLF "Event: check-sync" CRLF));
	ck_assert_int_gt(checksync(msg, sizeof(msg), "check-sync;reboot=true",
	    NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(msg, CRLF "Event: check-sync;"
	    "reboot=true" CRLF));
	/* Header injection, another header name, half an answer. */
	ck_assert_int_eq(checksync(msg, sizeof(msg), "resync\r\nX: y", NULL,
	    NULL), -1);
	ck_assert_int_eq(checksync(msg, sizeof(msg), "re sync", NULL, NULL),
	    -1);
	ck_assert_int_eq(checksync(msg, sizeof(msg), NULL, "Authorization",
	    "Digest x\r\nX: y"), -1);
	ck_assert_int_eq(checksync(msg, sizeof(msg), NULL, "X-Auth", "a"), -1);
	ck_assert_int_eq(checksync(msg, sizeof(msg), NULL, "Authorization",
	    NULL), -1);
	/* No room. */
	ck_assert_int_eq(checksync(msg, 64, NULL, NULL, NULL), -1);
}
END_TEST

#define RESP_HEAD(code) \
    "SIP/2.0 " code CRLF \
    "Via: SIP/2.0/UDP 10.0.0.1:40000;branch=z9hG4bKabc" CRLF \
    "From: <sip:provbox@10.0.0.1:40000>;tag=f00d" CRLF \
    "To: <sip:201@10.0.0.5:5060>;tag=99" CRLF \
    "Call-ID: c0ffee@provbox" CRLF \
    "CSeq: 2 NOTIFY" CRLF

static const char r401[] = RESP_HEAD("401 Unauthorized")
    "WWW-Authenticate: Digest realm=\"snom\", nonce=\"abc123\", "
    "qop=\"auth\", algorithm=MD5, opaque=\"op1\"" CRLF
    "Content-Length: 0" CRLF CRLF;
static const char r407[] = RESP_HEAD("407 Proxy Authentication Required")
    "Proxy-Authenticate: Digest realm=\"PolycomSPIP\", nonce=\"n2\"" CRLF
    "Content-Length: 0" CRLF CRLF;
static const char r401_basic[] = RESP_HEAD("401 Unauthorized")
    "WWW-Authenticate: Basic realm=\"x\"" CRLF
    "Content-Length: 0" CRLF CRLF;
static const char r401_sess[] = RESP_HEAD("401 Unauthorized")
    "WWW-Authenticate: Digest realm=\"x\", nonce=\"n\", "
    "algorithm=MD5-sess" CRLF "Content-Length: 0" CRLF CRLF;
static const char r401_authint[] = RESP_HEAD("401 Unauthorized")
    "WWW-Authenticate: Digest realm=\"x\", nonce=\"n\", "
    "qop=\"auth-int\"" CRLF "Content-Length: 0" CRLF CRLF;
static const char r401_quote[] = RESP_HEAD("401 Unauthorized")
    "WWW-Authenticate: Digest realm=\"a\\\"b\", nonce=\"n\"" CRLF
    "Content-Length: 0" CRLF CRLF;
static const char r200[] = RESP_HEAD("200 OK") "Content-Length: 0" CRLF CRLF;
static const char r180[] = RESP_HEAD("180 Ringing")
    "Content-Length: 0" CRLF CRLF;
static const char r481[] = RESP_HEAD("481 Call/Transaction Does Not Exist")
    "Content-Length: 0" CRLF CRLF;
static const char r486_odd[] = RESP_HEAD("486 Busy \x01Here")
    "Content-Length: 0" CRLF CRLF;
static const char r200_other[] =
    "SIP/2.0 200 OK" CRLF
    "Via: SIP/2.0/UDP 10.0.0.1:40000;branch=z9hG4bKabc" CRLF
    "From: <sip:provbox@10.0.0.1:40000>;tag=f00d" CRLF
    "To: <sip:201@10.0.0.5:5060>;tag=99" CRLF
    "Call-ID: other@provbox" CRLF
    "CSeq: 2 NOTIFY" CRLF "Content-Length: 0" CRLF CRLF;

START_TEST(test_challenge)
{
	struct resync_challenge c;

	ck_assert_int_eq(resync_parse_challenge(r401, strlen(r401), &c), 0);
	ck_assert_int_eq(c.proxy, 0);
	ck_assert_int_eq(c.qop_auth, 1);
	ck_assert_str_eq(c.realm, "snom");
	ck_assert_str_eq(c.nonce, "abc123");
	ck_assert_str_eq(c.opaque, "op1");
	ck_assert_int_eq(resync_parse_challenge(r407, strlen(r407), &c), 0);
	ck_assert_int_eq(c.proxy, 1);
	ck_assert_int_eq(c.qop_auth, 0);
	ck_assert_str_eq(c.realm, "PolycomSPIP");
	ck_assert_str_eq(c.opaque, "");
	ck_assert_int_eq(resync_parse_challenge(r401_basic,
	    strlen(r401_basic), &c), -1);
	ck_assert_int_eq(resync_parse_challenge(r401_sess,
	    strlen(r401_sess), &c), -1);
	ck_assert_int_eq(resync_parse_challenge(r401_authint,
	    strlen(r401_authint), &c), -1);
	ck_assert_int_eq(resync_parse_challenge(r401_quote,
	    strlen(r401_quote), &c), -1);
	ck_assert_int_eq(resync_parse_challenge(r200, strlen(r200), &c), -1);
	ck_assert_int_eq(resync_parse_challenge("junk", 4, &c), -1);
}
END_TEST

START_TEST(test_authorization)
{
	struct resync_challenge	 c;
	char			 out[RESYNC_AUTH_MAX];

	ck_assert_int_eq(resync_parse_challenge(r401, strlen(r401), &c), 0);
	ck_assert_int_gt(resync_authorization(&c, "201", "pw-201",
	    "sip:201@10.0.0.5:5060", "cafebabe", out, sizeof(out)), 0);
	/* The response computed apart: MD5(HA1:abc123:00000001:cafebabe:
	 * auth:HA2), HA1 = MD5(201:snom:pw-201), HA2 = MD5(NOTIFY:uri). */
	ck_assert_str_eq(out, "Authorization: Digest username=\"201\", "
	    "realm=\"snom\", nonce=\"abc123\", uri=\"sip:201@10.0.0.5:5060\", "
	    "response=\"3378e94ec69fa66c0e4aa9c7560d7fa2\", algorithm=MD5, "
	    "qop=auth, nc=00000001, cnonce=\"cafebabe\", opaque=\"op1\"");
	ck_assert_ptr_null(strstr(out, "pw-201"));
	ck_assert_int_eq(resync_parse_challenge(r407, strlen(r407), &c), 0);
	ck_assert_int_gt(resync_authorization(&c, "201", "pw-201",
	    "sip:201@10.0.0.5:5060", "cafebabe", out, sizeof(out)), 0);
	ck_assert_int_eq(strncmp(out, "Proxy-Authorization: Digest ", 28), 0);
	ck_assert_ptr_null(strstr(out, "qop"));
	/* A user that would break out of the quotes; no room. */
	ck_assert_int_eq(resync_authorization(&c, "a\"b", "pw", "sip:a@b",
	    "cafebabe", out, sizeof(out)), -1);
	ck_assert_int_eq(resync_authorization(&c, "201", "pw", "sip:a@b",
	    "cafebabe", out, 40), -1);
}
END_TEST

static void
phone(struct resync_phone *p, const char *password)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->call_id, "c0ffee@provbox");
	strcpy(p->branch, "z9hG4bKabc");
	p->cseq = 2;
	strcpy(p->password, password);
}

START_TEST(test_on_response)
{
	struct resync_phone	 p;
	struct resync_challenge	 c;

	phone(&p, "pw-201");
	ck_assert_int_eq(resync_on_response(&p, r200_other,
	    strlen(r200_other), &c), RESYNC_STEP_IGNORE);
	ck_assert_int_eq(resync_on_response(&p, "garbage", 7, &c),
	    RESYNC_STEP_IGNORE);
	ck_assert_int_eq(resync_on_response(&p, r180, strlen(r180), &c),
	    RESYNC_STEP_WAIT);
	ck_assert_int_eq(p.result, RESYNC_PENDING);
	ck_assert_int_eq(resync_on_response(&p, r200, strlen(r200), &c),
	    RESYNC_STEP_DONE);
	ck_assert_int_eq(p.result, RESYNC_ACKED);
	ck_assert_int_eq(p.status, 200);
	ck_assert_str_eq(p.reason, "OK");
	ck_assert_ptr_null(p.note);

	/* Another transaction's answer (the CSeq before a digest). */
	phone(&p, "pw-201");
	p.cseq = 3;
	ck_assert_int_eq(resync_on_response(&p, r200, strlen(r200), &c),
	    RESYNC_STEP_IGNORE);
	p.cseq = 2;
	strcpy(p.branch, "z9hG4bKother");
	ck_assert_int_eq(resync_on_response(&p, r200, strlen(r200), &c),
	    RESYNC_STEP_IGNORE);

	/* A challenge: answered once, with the password. */
	phone(&p, "pw-201");
	ck_assert_int_eq(resync_on_response(&p, r401, strlen(r401), &c),
	    RESYNC_STEP_AUTH);
	ck_assert_str_eq(c.nonce, "abc123");
	p.challenged = 1;
	ck_assert_int_eq(resync_on_response(&p, r401, strlen(r401), &c),
	    RESYNC_STEP_DONE);
	ck_assert_int_eq(p.result, RESYNC_REJECTED);
	ck_assert_int_eq(p.status, 401);
	ck_assert_str_eq(p.note, "the digest answer was refused");
	/* Without a password; with a challenge that cannot be answered. */
	phone(&p, "");
	ck_assert_int_eq(resync_on_response(&p, r401, strlen(r401), &c),
	    RESYNC_STEP_DONE);
	ck_assert_int_eq(p.result, RESYNC_REJECTED);
	ck_assert_ptr_nonnull(strstr(p.note, "no SIP password"));
	phone(&p, "pw");
	ck_assert_int_eq(resync_on_response(&p, r401_basic,
	    strlen(r401_basic), &c), RESYNC_STEP_DONE);
	ck_assert_int_eq(p.result, RESYNC_REJECTED);

	phone(&p, "pw");
	ck_assert_int_eq(resync_on_response(&p, r481, strlen(r481), &c),
	    RESYNC_STEP_DONE);
	ck_assert_int_eq(p.status, 481);
	ck_assert_int_eq(p.result, RESYNC_REJECTED);
	ck_assert_ptr_nonnull(p.note);
}
END_TEST

START_TEST(test_reason_escaped)
{
	struct resync_phone	 p;
	struct resync_challenge	 c;
	enum resync_step	 st;

	/* The phone's words are escaped (or the answer refused whole). */
	phone(&p, "pw");
	st = resync_on_response(&p, r486_odd, strlen(r486_odd), &c);
	if (st == RESYNC_STEP_DONE) {
		ck_assert_int_eq(p.status, 486);
		for (const char *s = p.reason; *s != '\0'; s++)
			ck_assert(*s >= 0x20 && *s < 0x7f);
	} else
		ck_assert_int_eq(st, RESYNC_STEP_IGNORE);
}
END_TEST

START_TEST(test_result_str)
{
	ck_assert_str_eq(resync_result_str(RESYNC_ACKED), "acknowledged");
	ck_assert_str_eq(resync_result_str(RESYNC_NO_LEASE), "no-lease");
	ck_assert_str_eq(resync_result_str(RESYNC_TIMEOUT), "timeout");
}
END_TEST

static Suite *
resync_suite(void)
{
	Suite	*s = suite_create("resync");
	TCase	*tc = tcase_create("decide");

	tcase_add_test(tc, test_digest_rfc2617);
	tcase_add_test(tc, test_event);
	tcase_add_test(tc, test_notify_event_auth);
	tcase_add_test(tc, test_challenge);
	tcase_add_test(tc, test_authorization);
	tcase_add_test(tc, test_on_response);
	tcase_add_test(tc, test_reason_escaped);
	tcase_add_test(tc, test_result_str);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (sippnp_init() != 0)
		return EXIT_FAILURE;
	return tu_run(resync_suite());
}
