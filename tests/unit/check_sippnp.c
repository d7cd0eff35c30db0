/*
 * check_sippnp.c - the SIP plug-and-play messages: the SUBSCRIBE forms real
 * phones send, what is refused, the 200 OK and the NOTIFYs built and read
 * back with libosip2, and the retransmission timers.
 *
 * The SUBSCRIBEs keep the header forms of the traces the vendors publish
 * (see sippnp.h for where each comes from); only the MACs and addresses
 * differ where the source masked them.
 */
#include "config.h"

#include <osipparser2/osip_parser.h>

#include "testutil.h"

#include "addr.h"
#include "sippnp.h"

#define CRLF	"\r\n"

/* snom 3xx/7xx, service.snom.com "SIP Plug & Play" trace. */
static const char snom_sub[] =
    "SUBSCRIBE sip:MAC%3a00135E874B49@intern.snom.de SIP/2.0" CRLF
    "Via: SIP/2.0/UDP 192.168.10.67:5060;rport" CRLF
    "From: <sip:MAC%3a00135E874B49@intern.snom.de>;tag=658512961" CRLF
    "To: <sip:MAC%3a00135E874B49@intern.snom.de>" CRLF
    "Call-ID: 1930770594@192.168.10.67" CRLF
    "CSeq: 1 SUBSCRIBE" CRLF
    "Event: ua-profile;profile-type=\"device\";vendor=\"OEM\";"
    "model=\"OEM\";version=\"7.1.19\"" CRLF
    "Expires: 0" CRLF
    "Accept: application/url" CRLF
    "Contact: <sip:192.168.10.67:5060>" CRLF
    "Content-Length: 0" CRLF CRLF;

/* snom M700 DECT base, M300/M700 provisioning guide (MAC masked there). */
static const char snom_m700_sub[] =
    "SUBSCRIBE sip:MAC%3a000413612345@224.0.1.75 SIP/2.0" CRLF
    "Via: SIP/2.0/UDP 10.0.0.90:5060;branch=z9hG4bKl1d23iyadenuaa1jr4vm" CRLF
    "Max-Forwards: 70" CRLF
    "From: <sip:512@10.0.0.90>;tag=dmrud.mzfyg66" CRLF
    "To: <sip:MAC%3a000413612345@224.0.1.75>" CRLF
    "Call-ID: 6cm70qdo.o.8i@10.0.0.90" CRLF
    "CSeq: 20264 SUBSCRIBE" CRLF
    "Contact: <sip:512@10.0.0.90>" CRLF
    "Accept: application/url" CRLF
    "Allow: INVITE, CANCEL, BYE, ACK, REGISTER, OPTIONS, REFER, SUBSCRIBE, "
    "NOTIFY, MESSAGE, INFO, PRACK, UPDATE" CRLF
    "Allow-Events: dialog,message-summary" CRLF
    "Event: ua-profile;profile-type=\"device\";vendor=\"snom\";"
    "model=\"snomM700\";version=\"03.23.0005\"" CRLF
    "Expires: 0" CRLF
    "Supported: replaces,100rel" CRLF
    "User-Agent: snomM700/03.23.0005 (MAC=000413612345; SER= 00000; HW=255)"
    CRLF
    "Content-Length: 0" CRLF CRLF;

/* Yealink W52P, captured in janakj/autoprov sip_pnp.py. */
static const char yealink_sub[] =
    "SUBSCRIBE sip:MAC001565f4f9e1@224.0.1.75 SIP/2.0" CRLF
    "Via: SIP/2.0/UDP 10.1.3.239:5059;branch=z9hG4bK1536537630" CRLF
    "From: <sip:MAC001565f4f9e1@224.0.1.75>;tag=1536537630" CRLF
    "To: <sip:MAC001565f4f9e1@224.0.1.75>" CRLF
    "Call-ID: 1536537630@10.1.3.239" CRLF
    "CSeq: 1 SUBSCRIBE" CRLF
    "Contact: <sip:MAC001565f4f9e1@10.1.3.239:5059>" CRLF
    "Max-Forwards: 70" CRLF
    "User-Agent: Yealink W52P 25.81.0.10" CRLF
    "Expires: 0" CRLF
    "Event: ua-profile;profile-type=\"device\";vendor=\"yealink\";"
    "model=\"W52P\";version=\"25.81.0.10\"" CRLF
    "Accept: application/url" CRLF
    "Content-Length: 0" CRLF CRLF;

/* AudioCodes 400HD, administrator's manual LTRT-11973: no MAC. */
static const char audiocodes_sub[] =
    "SUBSCRIBE sip:224.0.1.75:5060 SIP/2.0" CRLF
    "From: <sip:00000001@10.13.2.37:5060>;tag=87a5a8-25020d0a-13c4-50029-"
    "386d4398-66dc40c-386d4398" CRLF
    "To: <sip:224.0.1.75:5060>" CRLF
    "Call-ID: 8884c8-25020d0a-13c4-50029-386d4398-3e2bcb8e-386d4398" CRLF
    "CSeq: 1 SUBSCRIBE" CRLF
    "Via: SIP/2.0/UDP 10.13.2.37:5060;rport;branch=z9hG4bK-386d4398-"
    "6ad00ca2-7ca3606e" CRLF
    "Expires: 0" CRLF
    "Event: ua-profile;profile-type=\"application\";model=\"440HD\";"
    "version=\"2.2.2\"" CRLF
    "Max-Forwards: 70" CRLF
    "Supported: replaces,100rel" CRLF
    "Accept: application/url" CRLF
    "Contact: <sip:00000001@10.13.2.37:5060>" CRLF
    "User-Agent: AUDC-IPPhone/2.2.2" CRLF
    "Content-Length: 0" CRLF CRLF;

/*
 * A template for the variants: %s are the Request-URI user, the From user
 * and the Event value.
 */
#define TEMPLATE							\
    "SUBSCRIBE sip:%s@224.0.1.75 SIP/2.0" CRLF				\
    "Via: SIP/2.0/UDP 10.42.0.150:5060;branch=z9hG4bKabc" CRLF		\
    "From: <sip:%s@224.0.1.75>;tag=ft1" CRLF				\
    "To: <sip:MAC%%3a000413200002@224.0.1.75>" CRLF			\
    "Call-ID: c1@10.42.0.150" CRLF					\
    "CSeq: 7 SUBSCRIBE" CRLF						\
    "Event: %s" CRLF							\
    "Contact: <sip:10.42.0.150:5060>" CRLF				\
    "Content-Length: 0" CRLF CRLF

static enum sippnp_err
parse_str(const char *m, struct sippnp_sub *s)
{
	return sippnp_parse(m, strlen(m), s);
}

/* Parses a copy of exactly len bytes (no NUL after it: ASan sees). */
static enum sippnp_err
parse_exact(const char *m, size_t len, struct sippnp_sub *s)
{
	char		*copy = malloc(len > 0 ? len : 1);
	enum sippnp_err	 e;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, m, len);
	e = sippnp_parse(copy, len, s);
	free(copy);
	return e;
}

static enum sippnp_err
parse_variant(const char *ruser, const char *fuser, const char *event,
    struct sippnp_sub *s)
{
	char	 m[2048];

	ck_assert_int_lt(snprintf(m, sizeof(m), TEMPLATE, ruser, fuser, event),
	    (int)sizeof(m));
	return parse_str(m, s);
}

static char *
macstr(const struct sippnp_sub *s, char buf[MAC_STR_LEN])
{
	return mac_format(&s->mac, buf);
}

START_TEST(test_snom)
{
	struct sippnp_sub	 s;
	char			 b[MAC_STR_LEN];

	ck_assert_int_eq(parse_exact(snom_sub, strlen(snom_sub), &s),
	    SIPPNP_OK);
	ck_assert_int_eq(s.has_mac, 1);
	ck_assert_str_eq(macstr(&s, b), "00:13:5e:87:4b:49");
	ck_assert_int_eq(s.mac_src, SIPPNP_MAC_RURI);
	ck_assert_str_eq(s.vendor, "OEM");
	ck_assert_str_eq(s.model, "OEM");
	ck_assert_str_eq(s.version, "7.1.19");
	ck_assert_str_eq(s.profile_type, "device");
	ck_assert_str_eq(s.call_id, "1930770594@192.168.10.67");
	ck_assert_uint_eq(s.cseq, 1);
	ck_assert_str_eq(s.from_tag, "658512961");
	ck_assert_str_eq(s.to_tag, "");
	ck_assert_uint_eq(s.nvia, 1);
	ck_assert_str_eq(s.via[0], "SIP/2.0/UDP 192.168.10.67:5060;rport");
	ck_assert_str_eq(s.branch, "");
	ck_assert_str_eq(s.contact, "sip:192.168.10.67:5060");
	ck_assert_int_eq(s.expires, 0);
	ck_assert_ptr_nonnull(strstr(s.event, "version=\"7.1.19\""));
}
END_TEST

START_TEST(test_snom_m700)
{
	struct sippnp_sub	 s;
	char			 b[MAC_STR_LEN];

	ck_assert_int_eq(parse_str(snom_m700_sub, &s), SIPPNP_OK);
	ck_assert_int_eq(s.has_mac, 1);
	ck_assert_str_eq(macstr(&s, b), "00:04:13:61:23:45");
	ck_assert_int_eq(s.mac_src, SIPPNP_MAC_RURI);
	ck_assert_str_eq(s.vendor, "snom");
	ck_assert_str_eq(s.model, "snomM700");
	ck_assert_str_eq(s.version, "03.23.0005");
	ck_assert_uint_eq(s.cseq, 20264);
	ck_assert_str_eq(s.branch, "z9hG4bKl1d23iyadenuaa1jr4vm");
	ck_assert_str_eq(s.from_tag, "dmrud.mzfyg66");
}
END_TEST

START_TEST(test_yealink)
{
	struct sippnp_sub	 s;
	char			 b[MAC_STR_LEN];

	ck_assert_int_eq(parse_str(yealink_sub, &s), SIPPNP_OK);
	ck_assert_int_eq(s.has_mac, 1);
	ck_assert_str_eq(macstr(&s, b), "00:15:65:f4:f9:e1");
	ck_assert_str_eq(s.vendor, "yealink");
	ck_assert_str_eq(s.model, "W52P");
	ck_assert_str_eq(s.version, "25.81.0.10");
	ck_assert_str_eq(s.contact, "sip:MAC001565f4f9e1@10.1.3.239:5059");
	ck_assert_str_eq(s.branch, "z9hG4bK1536537630");
}
END_TEST

START_TEST(test_audiocodes_no_mac)
{
	struct sippnp_sub	 s;

	ck_assert_int_eq(parse_str(audiocodes_sub, &s), SIPPNP_OK);
	ck_assert_int_eq(s.has_mac, 0);
	ck_assert_int_eq(s.mac_src, SIPPNP_MAC_NONE);
	ck_assert_str_eq(s.profile_type, "application");
	ck_assert_str_eq(s.vendor, "");
	ck_assert_str_eq(s.model, "440HD");
	ck_assert_str_eq(s.from_tag,
	    "87a5a8-25020d0a-13c4-50029-386d4398-66dc40c-386d4398");
}
END_TEST

/* Each vendor's MAC form, in the Request-URI and in From. */
START_TEST(test_mac_forms)
{
	static const char *const forms[] = {
		"MAC%3a000413200002",		/* snom */
		"MAC%3A000413200002",		/* Grandstream */
		"MAC000413200002",		/* Yealink */
		"MAC=000413200002",		/* PLANET */
		"mac%3a000413200002",
		"000413200002",
		"MAC%3a00-04-13-20-00-02",
		"MAC%3a00%3a04%3a13%3a20%3a00%3a02",
		"MAC-00-04-13-20-00-02",
		"MAC:000413200002",		/* colon unescaped */
		"0004.1320.0002",
	};
	const char	*ev = "ua-profile";
	struct sippnp_sub s;
	char		 b[MAC_STR_LEN];

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		ck_assert_msg(parse_variant(forms[i], "anon", ev, &s) ==
		    SIPPNP_OK, "%s refused", forms[i]);
		ck_assert_msg(s.has_mac && s.mac_src == SIPPNP_MAC_RURI,
		    "%s: no MAC in the Request-URI", forms[i]);
		ck_assert_str_eq(macstr(&s, b), "00:04:13:20:00:02");
		ck_assert_int_eq(parse_variant("anon", forms[i], ev, &s),
		    SIPPNP_OK);
		ck_assert_int_eq(s.mac_src, SIPPNP_MAC_FROM);
		ck_assert_str_eq(macstr(&s, b), "00:04:13:20:00:02");
	}
	/* Only the To names it (the template's To). */
	ck_assert_int_eq(parse_variant("anon", "anon", ev, &s), SIPPNP_OK);
	ck_assert_int_eq(s.mac_src, SIPPNP_MAC_TO);
	/* Not MACs: too short, too long, other text. */
	ck_assert_int_eq(parse_variant("MAC%3a0004132000", "x", ev, &s),
	    SIPPNP_OK);
	ck_assert_int_eq(s.mac_src, SIPPNP_MAC_TO);
	ck_assert_int_eq(parse_variant("MAC00041320000211", "MACHINE", ev,
	    &s), SIPPNP_OK);
	ck_assert_int_eq(s.mac_src, SIPPNP_MAC_TO);
	/* Two different MACs: refused, never guessed. */
	ck_assert_int_eq(parse_variant("MAC000413200002", "MAC000413200003",
	    ev, &s), SIPPNP_ERR_MAC);
	ck_assert_int_eq(s.has_mac, 0);
	ck_assert_int_eq(parse_variant("MAC000413200009", "x", ev, &s),
	    SIPPNP_ERR_MAC);
}
END_TEST

START_TEST(test_event_params)
{
	struct sippnp_sub	 s;

	/* Unquoted values, spaces, other case, unknown parameters. */
	ck_assert_int_eq(parse_variant("x", "x", "UA-Profile ; Vendor=snom ;"
	    "model = \"snom D785\";version=10.1.54.13;effective-by=0;x",
	    &s), SIPPNP_OK);
	ck_assert_str_eq(s.vendor, "snom");
	ck_assert_str_eq(s.model, "snom D785");
	ck_assert_str_eq(s.version, "10.1.54.13");
	ck_assert_str_eq(s.profile_type, "");
	/* A quoted-pair. */
	ck_assert_int_eq(parse_variant("x", "x",
	    "ua-profile;model=\"a\\\"b\"", &s), SIPPNP_OK);
	ck_assert_str_eq(s.model, "a\"b");
	/* No parameters at all. */
	ck_assert_int_eq(parse_variant("x", "x", "ua-profile", &s), SIPPNP_OK);
	ck_assert_str_eq(s.event, "ua-profile");
}
END_TEST

START_TEST(test_event_refused)
{
	static const char *const bad[] = {
		"presence", "message-summary", "check-sync", "ua-profiles",
		"ua-profile;vendor=\"unterminated", "ua-profile;vendor=a;vendor=b",
		"ua-profile;;", "ua-profile vendor=x", "ua-profile;=x",
		"ua-profile;model=\"0123456789012345678901234567890123456789"
		"012345678901234567890123456789\"",
		"ua-profile;model=\"caf\xc3\xa9\"",
	};
	struct sippnp_sub	 s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse_variant("x", "x", bad[i], &s) ==
		    SIPPNP_ERR_EVENT, "'%s' accepted", bad[i]);
}
END_TEST

/* Deletes the line starting with name from the snom trace, and parses. */
static enum sippnp_err
parse_without(const char *name, struct sippnp_sub *s)
{
	char		 m[sizeof(snom_sub)];
	const char	*at = strstr(snom_sub, name), *eol;
	size_t		 head;

	ck_assert_ptr_nonnull(at);
	eol = strstr(at, CRLF) + 2;
	head = (size_t)(at - snom_sub);
	memcpy(m, snom_sub, head);
	memcpy(m + head, eol, strlen(eol) + 1);
	return parse_str(m, s);
}

START_TEST(test_missing)
{
	struct sippnp_sub	 s;

	ck_assert_int_eq(parse_without("Event:", &s), SIPPNP_ERR_MISSING);
	ck_assert_int_eq(parse_without("Contact:", &s), SIPPNP_ERR_MISSING);
	ck_assert_int_eq(parse_without("Call-ID:", &s), SIPPNP_ERR_MISSING);
	ck_assert_int_eq(parse_without("CSeq:", &s), SIPPNP_ERR_MISSING);
	ck_assert_int_eq(parse_without("To:", &s), SIPPNP_ERR_MISSING);
	/* libosip2 refuses a message without From or Via itself. */
	ck_assert_int_ne(parse_without("From:", &s), SIPPNP_OK);
	ck_assert_int_ne(parse_without("Via:", &s), SIPPNP_OK);
	/* Expires and Accept are optional. */
	ck_assert_int_eq(parse_without("Expires:", &s), SIPPNP_OK);
	ck_assert_int_eq(s.expires, -1);
	ck_assert_int_eq(parse_without("Accept:", &s), SIPPNP_OK);
}
END_TEST

/* Replaces the first occurrence of from in the snom trace, and parses. */
static enum sippnp_err
parse_edited(const char *from, const char *to, struct sippnp_sub *s)
{
	char		 m[SIPPNP_MSG_MAX * 2];
	const char	*at = strstr(snom_sub, from);
	size_t		 head;

	ck_assert_ptr_nonnull(at);
	head = (size_t)(at - snom_sub);
	ck_assert_uint_lt(strlen(snom_sub) + strlen(to), sizeof(m));
	memcpy(m, snom_sub, head);
	strcpy(m + head, to);
	strcat(m, at + strlen(from));
	return parse_str(m, s);
}

START_TEST(test_refused)
{
	struct sippnp_sub	 s;
	char			 vias[1024] = "";

	ck_assert_int_eq(parse_edited("SUBSCRIBE sip:", "NOTIFY sip:", &s),
	    SIPPNP_ERR_METHOD);
	ck_assert_int_eq(parse_edited("SUBSCRIBE sip:", "FOO sip:", &s),
	    SIPPNP_ERR_METHOD);
	ck_assert_int_eq(parse_edited("SUBSCRIBE sip:", "subscribe sip:", &s),
	    SIPPNP_ERR_METHOD);
	ck_assert_int_eq(parse_edited("CSeq: 1 SUBSCRIBE", "CSeq: 1 NOTIFY",
	    &s), SIPPNP_ERR_CSEQ);
	ck_assert_int_eq(parse_edited("CSeq: 1 ", "CSeq: 2147483648 ", &s),
	    SIPPNP_ERR_CSEQ);
	ck_assert_int_eq(parse_edited("CSeq: 1 ", "CSeq: 2147483647 ", &s),
	    SIPPNP_OK);
	ck_assert_uint_eq(s.cseq, 2147483647u);
	ck_assert_int_eq(parse_edited("SIP/2.0\r\n", "SIP/3.0\r\n", &s),
	    SIPPNP_ERR_VERSION);
	ck_assert_int_eq(parse_edited("SUBSCRIBE sip:MAC%3a00135E874B49@"
	    "intern.snom.de", "SUBSCRIBE tel:+4930123", &s), SIPPNP_ERR_URI);
	ck_assert_int_eq(parse_edited("Expires: 0", "Expires: soon", &s),
	    SIPPNP_ERR_EXPIRES);
	ck_assert_int_eq(parse_edited("Expires: 0", "Expires: 99999999999",
	    &s), SIPPNP_ERR_EXPIRES);
	ck_assert_int_eq(parse_edited("Expires: 0", "Expires: 3600", &s),
	    SIPPNP_OK);
	ck_assert_int_eq(s.expires, 3600);
	ck_assert_int_eq(parse_edited("Expires: 0", "Expires: 0\r\nExpires: 1",
	    &s), SIPPNP_ERR_DUP);
	ck_assert_int_eq(parse_edited("Event:", "o: ua-profile\r\nEvent:", &s),
	    SIPPNP_ERR_DUP);
	ck_assert_int_eq(parse_edited("Contact: <sip:192.168.10.67:5060>",
	    "Contact: <sip:192.168.10.67:5060>, <sip:10.0.0.1>", &s),
	    SIPPNP_ERR_DUP);
	/* A Contact host libosip2 takes but a request line cannot carry. */
	ck_assert_int_ne(parse_edited("Contact: <sip:192.168.10.67:5060>",
	    "Contact: <sip:192.168.10.67/UDP 10.0.0.1:5060>", &s), SIPPNP_OK);
	ck_assert_int_ne(parse_edited("Contact: <sip:192.168.10.67:5060>",
	    "Contact: <sip:192.168.10.67/x:5060>", &s), SIPPNP_OK);
	/* The compact form alone is fine (RFC 6665 8.4). */
	ck_assert_int_eq(parse_edited("Event:", "o:", &s), SIPPNP_OK);
	ck_assert_str_eq(s.vendor, "OEM");
	/* A response where a request belongs. */
	ck_assert_int_eq(parse_edited("SUBSCRIBE sip:MAC%3a00135E874B49@"
	    "intern.snom.de SIP/2.0", "SIP/2.0 200 OK", &s), SIPPNP_ERR_KIND);
	/* Five Via values: over SIPPNP_VIA_MAX, comma-joined or not. */
	for (int i = 0; i < 4; i++)
		strcat(vias, "Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKx\r\n");
	strcat(vias, "Via:");
	ck_assert_int_eq(parse_edited("Via:", vias, &s), SIPPNP_ERR_VIA);
	ck_assert_int_eq(parse_edited("Via: SIP/2.0/UDP 192.168.10.67:5060",
	    "Via: SIP/2.0/UDP a, SIP/2.0/UDP b, SIP/2.0/UDP c, SIP/2.0/UDP d, "
	    "SIP/2.0/UDP 192.168.10.67:5060", &s), SIPPNP_ERR_VIA);
	ck_assert_int_eq(parse_edited("Via: SIP/2.0/UDP 192.168.10.67:5060",
	    "Via: SIP/2.0/UDP a, SIP/2.0/UDP b, SIP/2.0/UDP c, "
	    "SIP/2.0/UDP 192.168.10.67:5060", &s), SIPPNP_OK);
	ck_assert_uint_eq(s.nvia, 4);
	/* Garbage. */
	ck_assert_int_eq(parse_str("hello\r\n\r\n", &s), SIPPNP_ERR_SYNTAX);
	ck_assert_int_eq(parse_str("", &s), SIPPNP_ERR_SIZE);
}
END_TEST

START_TEST(test_oversized)
{
	struct sippnp_sub	 s;
	char			*big = malloc(SIPPNP_MSG_MAX + 2);
	size_t			 n = strlen(snom_sub) - 2;

	ck_assert_ptr_nonnull(big);
	/* The trace padded with a header up to the cap, then one byte more. */
	memcpy(big, snom_sub, n);
	memcpy(big + n, "X-Pad: ", 7);
	memset(big + n + 7, 'a', SIPPNP_MSG_MAX - n - 7 - 4);
	memcpy(big + SIPPNP_MSG_MAX - 4, "\r\n\r\n", 4);
	ck_assert_int_eq(sippnp_parse(big, SIPPNP_MSG_MAX, &s), SIPPNP_OK);
	memmove(big + SIPPNP_MSG_MAX - 3, big + SIPPNP_MSG_MAX - 4, 4);
	big[SIPPNP_MSG_MAX - 4] = 'a';
	ck_assert_int_eq(sippnp_parse(big, SIPPNP_MSG_MAX + 1, &s),
	    SIPPNP_ERR_SIZE);
	ck_assert_int_eq(s.has_mac, 0);
	free(big);
}
END_TEST

/* CR, LF and NUL smuggled into the values we keep. */
START_TEST(test_injection)
{
	struct sippnp_sub	 s;
	char			 m[1024];
	size_t			 n;

	/* A NUL inside a header: refused before libosip2 sees it. */
	memcpy(m, snom_sub, sizeof(snom_sub));
	n = strlen(m);
	*strstr(m, "OEM") = '\0';
	ck_assert_int_eq(sippnp_parse(m, n, &s), SIPPNP_ERR_BYTES);
	ck_assert_int_eq(parse_edited("tag=658512961", "tag=65\x01", &s),
	    SIPPNP_ERR_BYTES);
	ck_assert_int_eq(parse_edited("\"OEM\";model", "\"O\x1b[2J\";model",
	    &s), SIPPNP_ERR_BYTES);
	/* A bare CR or LF in a quoted vendor ends the header there. */
	ck_assert_int_ne(parse_edited("vendor=\"OEM\"", "vendor=\"O\rX: y\"",
	    &s), SIPPNP_OK);
	ck_assert_int_ne(parse_edited("vendor=\"OEM\"", "vendor=\"O\nX: y\"",
	    &s), SIPPNP_OK);
	/* %0d%0a in a user part: libosip2 undoes it, no MAC comes of it. */
	ck_assert_int_eq(parse_variant("MAC%3a000413200002%0d%0aX", "x",
	    "ua-profile", &s), SIPPNP_OK);
	ck_assert_int_eq(s.mac_src, SIPPNP_MAC_TO);
	/* Folded headers (RFC 3261 7.3.1) are one line once read. */
	ck_assert_int_eq(parse_edited("Event: ua-profile;",
	    "Event: ua-profile\r\n ;", &s), SIPPNP_OK);
	for (size_t i = 0; i < strlen(s.event); i++)
		ck_assert_int_ge((unsigned char)s.event[i], 0x20);
	ck_assert_str_eq(s.vendor, "OEM");
}
END_TEST

/* Reads a built message back with libosip2. */
static osip_message_t *
osip_read(const char *m, int n)
{
	osip_message_t	*msg = NULL;

	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strlen(m), (size_t)n);
	ck_assert_int_eq(osip_message_init(&msg), 0);
	ck_assert_int_eq(osip_message_parse(msg, m, (size_t)n), 0);
	return msg;
}

static const char *
hval(osip_message_t *msg, const char *name)
{
	osip_header_t	*h = NULL;

	if (osip_message_header_get_byname(msg, name, 0, &h) < 0 || h == NULL)
		return NULL;
	return h->hvalue;
}

static const char *
tag_of(osip_from_t *h)
{
	osip_generic_param_t	*t = NULL;

	if (osip_from_get_tag(h, &t) != 0 || t == NULL)
		return NULL;
	return t->gvalue;
}

START_TEST(test_build_ok)
{
	struct sippnp_sub	 s;
	osip_message_t		*msg;
	osip_via_t		*via = NULL;
	char			 out[2048], *str = NULL;
	int			 n;

	ck_assert_int_eq(parse_str(snom_m700_sub, &s), SIPPNP_OK);
	n = sippnp_build_ok(&s, "srv1", "10.42.0.1:5060", out, sizeof(out));
	msg = osip_read(out, n);
	ck_assert_int_eq(msg->status_code, 200);
	ck_assert_int_eq(osip_list_size(&msg->vias), 1);
	osip_message_get_via(msg, 0, &via);
	ck_assert_int_eq(osip_via_to_str(via, &str), 0);
	ck_assert_str_eq(str, s.via[0]);
	osip_free(str);
	ck_assert_str_eq(msg->call_id->number, "6cm70qdo.o.8i");
	ck_assert_str_eq(msg->call_id->host, "10.0.0.90");
	ck_assert_str_eq(msg->cseq->number, "20264");
	ck_assert_str_eq(msg->cseq->method, "SUBSCRIBE");
	ck_assert_str_eq(tag_of(msg->from), "dmrud.mzfyg66");
	ck_assert_str_eq(tag_of(msg->to), "srv1");
	ck_assert_str_eq(hval(msg, "expires"), "0");
	ck_assert_int_eq(osip_list_size(&msg->contacts), 1);
	osip_message_free(msg);
	/* Without a Contact; a tag the SUBSCRIBE had is kept. */
	ck_assert_int_eq(parse_edited("To: <sip:MAC%3a00135E874B49@intern."
	    "snom.de>", "To: <sip:x@y>;tag=theirs", &s), SIPPNP_OK);
	n = sippnp_build_ok(&s, "mine", NULL, out, sizeof(out));
	msg = osip_read(out, n);
	ck_assert_str_eq(tag_of(msg->to), "theirs");
	ck_assert_int_eq(osip_list_size(&msg->contacts), 0);
	osip_message_free(msg);
	/* Refused: a tag that is not a token, no room. */
	ck_assert_int_eq(parse_str(snom_sub, &s), SIPPNP_OK);
	ck_assert_int_eq(sippnp_build_ok(&s, "a\r\nX: y", NULL, out,
	    sizeof(out)), -1);
	ck_assert_int_eq(sippnp_build_ok(&s, "", NULL, out, sizeof(out)), -1);
	ck_assert_int_eq(sippnp_build_ok(&s, "t", "10.0.0.1>\r\nX:", out,
	    sizeof(out)), -1);
	ck_assert_int_eq(sippnp_build_ok(&s, "t", NULL, out, 64), -1);
}
END_TEST

START_TEST(test_set_source)
{
	struct sippnp_sub	 s;

	ck_assert_int_eq(parse_str(snom_sub, &s), SIPPNP_OK);
	ck_assert_int_eq(sippnp_set_source(&s, "192.168.10.67", 5060), 0);
	ck_assert_ptr_nonnull(strstr(s.via[0], "rport=5060"));
	ck_assert_ptr_nonnull(strstr(s.via[0], "received=192.168.10.67"));
	ck_assert_int_eq(sippnp_set_source(&s, "not an ip", 5060), -1);
	ck_assert_int_eq(sippnp_set_source(&s, "10.0.0.1", 0), -1);
	/* A Via without rport gets only received=. */
	ck_assert_int_eq(parse_str(yealink_sub, &s), SIPPNP_OK);
	ck_assert_int_eq(sippnp_set_source(&s, "10.1.3.239", 5059), 0);
	ck_assert_ptr_null(strstr(s.via[0], "rport"));
	ck_assert_ptr_nonnull(strstr(s.via[0], "received=10.1.3.239"));
}
END_TEST

START_TEST(test_build_notify)
{
	struct sippnp_sub	 s;
	struct sippnp_notify_args a = {
		.local = "10.42.0.1:5060", .branch = "n1", .to_tag = "srv1",
		.cseq = 1, .url = "https://10.42.0.1/p/abc/{mac}.xml",
		.expires = -1,
	};
	struct sippnp_resp	 r;
	osip_message_t		*msg;
	osip_body_t		*body = NULL;
	osip_via_t		*via = NULL;
	osip_generic_param_t	*br = NULL;
	char			 out[2048], *str = NULL;
	int			 n;

	ck_assert_int_eq(parse_str(yealink_sub, &s), SIPPNP_OK);
	n = sippnp_build_notify(&s, &a, out, sizeof(out));
	msg = osip_read(out, n);
	ck_assert_str_eq(msg->sip_method, "NOTIFY");
	ck_assert_int_eq(osip_uri_to_str(msg->req_uri, &str), 0);
	ck_assert_str_eq(str, "sip:MAC001565f4f9e1@10.1.3.239:5059");
	osip_free(str);
	/* Tags swapped: ours in From, the phone's in To. */
	ck_assert_str_eq(tag_of(msg->from), "srv1");
	ck_assert_str_eq(tag_of(msg->to), "1536537630");
	ck_assert_str_eq(msg->to->url->username, "MAC001565f4f9e1");
	ck_assert_str_eq(msg->call_id->number, "1536537630");
	ck_assert_str_eq(msg->cseq->number, "1");
	ck_assert_str_eq(msg->cseq->method, "NOTIFY");
	ck_assert_int_eq(osip_list_size(&msg->vias), 1);
	osip_message_get_via(msg, 0, &via);
	osip_via_param_get_byname(via, "branch", &br);
	ck_assert_str_eq(br->gvalue, "z9hG4bKn1");
	ck_assert_str_eq(hval(msg, "max-forwards"), "70");
	ck_assert_str_eq(hval(msg, "event"), s.event);
	ck_assert_str_eq(hval(msg, "subscription-state"),
	    "terminated;reason=timeout");
	ck_assert_str_eq(msg->content_type->type, "application");
	ck_assert_str_eq(msg->content_type->subtype, "url");
	ck_assert_int_eq(atoi(msg->content_length->value), (int)strlen(a.url));
	ck_assert_int_eq(osip_message_get_body(msg, 0, &body), 0);
	ck_assert_uint_eq(body->length, strlen(a.url));
	ck_assert_int_eq(memcmp(body->body, a.url, body->length), 0);
	/* The body ends the message: Content-Length counts exactly it. */
	ck_assert_str_eq(out + n - strlen(a.url), a.url);
	ck_assert_str_eq(strstr(out, "\r\n\r\n") + 4, a.url);
	osip_message_free(msg);

	/* The phone's 200 to it, as sippnp_parse_response() reads it. */
	n = snprintf(out, sizeof(out), "SIP/2.0 200 OK\r\n"
	    "Via: SIP/2.0/UDP 10.42.0.1:5060;branch=z9hG4bKn1\r\n"
	    "From: <sip:MAC001565f4f9e1@224.0.1.75>;tag=srv1\r\n"
	    "To: <sip:MAC001565f4f9e1@224.0.1.75>;tag=1536537630\r\n"
	    "Call-ID: 1536537630@10.1.3.239\r\nCSeq: 1 NOTIFY\r\n"
	    "Content-Length: 0\r\n\r\n");
	ck_assert_int_eq(sippnp_parse_response(out, (size_t)n, &r), SIPPNP_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.call_id, "1536537630@10.1.3.239");
	ck_assert_uint_eq(r.cseq, 1);
	ck_assert_str_eq(r.method, "NOTIFY");
	ck_assert_str_eq(r.branch, "z9hG4bKn1");
	ck_assert_str_eq(r.to_tag, "1536537630");
	ck_assert_int_eq(sippnp_parse_response(snom_sub, strlen(snom_sub), &r),
	    SIPPNP_ERR_KIND);
	ck_assert_int_eq(r.status, 0);

	/* An active subscription; a branch already with the magic cookie. */
	a.expires = 3600;
	a.branch = "z9hG4bKn2";
	n = sippnp_build_notify(&s, &a, out, sizeof(out));
	msg = osip_read(out, n);
	ck_assert_str_eq(hval(msg, "subscription-state"), "active;expires=3600");
	osip_message_get_via(msg, 0, &via);
	osip_via_param_get_byname(via, "branch", &br);
	ck_assert_str_eq(br->gvalue, "z9hG4bKn2");
	osip_message_free(msg);
}
END_TEST

START_TEST(test_notify_refused)
{
	static const char *const urls[] = {
		"http://x/\r\nX-Evil: 1", "http://x/\n", "http://x/\r",
		"http://x/\x01", "http://x/ a", "http://x/\x7f", "",
		"http://x/\xc3\xa9",
	};
	struct sippnp_sub	 s;
	struct sippnp_notify_args a = {
		.local = "10.42.0.1:5060", .branch = "n1", .to_tag = "srv1",
		.cseq = 1, .url = "http://x/", .expires = -1,
	};
	char			 out[2048], longurl[SIPPNP_URL_MAX + 2];

	ck_assert_int_eq(parse_str(snom_sub, &s), SIPPNP_OK);
	ck_assert_int_gt(sippnp_build_notify(&s, &a, out, sizeof(out)), 0);
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		a.url = urls[i];
		ck_assert_msg(sippnp_build_notify(&s, &a, out, sizeof(out)) ==
		    -1, "url %zu accepted", i);
	}
	memset(longurl, 'a', sizeof(longurl) - 1);
	longurl[sizeof(longurl) - 1] = '\0';
	a.url = longurl;
	ck_assert_int_eq(sippnp_build_notify(&s, &a, out, sizeof(out)), -1);
	longurl[SIPPNP_URL_MAX] = '\0';
	ck_assert_int_gt(sippnp_build_notify(&s, &a, out, sizeof(out)), 0);
	a.url = "http://x/";
	a.branch = "n1\r\nX: y";
	ck_assert_int_eq(sippnp_build_notify(&s, &a, out, sizeof(out)), -1);
	a.branch = "n1";
	a.to_tag = "a;b";
	ck_assert_int_eq(sippnp_build_notify(&s, &a, out, sizeof(out)), -1);
	a.to_tag = "srv1";
	a.local = "10.42.0.1>;x";
	ck_assert_int_eq(sippnp_build_notify(&s, &a, out, sizeof(out)), -1);
	a.local = "10.42.0.1";
	a.cseq = 0x80000000u;
	ck_assert_int_eq(sippnp_build_notify(&s, &a, out, sizeof(out)), -1);
	a.cseq = 2;
	ck_assert_int_eq(sippnp_build_notify(&s, &a, out, 100), -1);
}
END_TEST

START_TEST(test_checksync)
{
	struct sippnp_checksync_args a = {
		.target = "sip:10.42.0.150:5060", .local = "10.42.0.1:5060",
		.branch = "cs1", .from_tag = "f1", .call_id = "cs1@10.42.0.1",
		.cseq = 1, .reboot = 0,
	};
	osip_message_t	*msg;
	char		 out[1024];
	int		 n;

	n = sippnp_build_checksync(&a, out, sizeof(out));
	msg = osip_read(out, n);
	ck_assert_str_eq(msg->sip_method, "NOTIFY");
	ck_assert_str_eq(msg->req_uri->host, "10.42.0.150");
	ck_assert_str_eq(hval(msg, "event"), "check-sync");
	ck_assert_str_eq(hval(msg, "subscription-state"), "terminated");
	ck_assert_str_eq(tag_of(msg->from), "f1");
	ck_assert_ptr_null(tag_of(msg->to));
	ck_assert_str_eq(msg->content_length->value, "0");
	osip_message_free(msg);
	a.reboot = 1;
	n = sippnp_build_checksync(&a, out, sizeof(out));
	msg = osip_read(out, n);
	ck_assert_str_eq(hval(msg, "event"), "check-sync;reboot=true");
	osip_message_free(msg);
	a.target = "sip:10.42.0.150>\r\nX: y";
	ck_assert_int_eq(sippnp_build_checksync(&a, out, sizeof(out)), -1);
	a.target = "http://10.42.0.150/";
	ck_assert_int_eq(sippnp_build_checksync(&a, out, sizeof(out)), -1);
	a.target = "sip:10.42.0.150";
	a.call_id = "a@b@c";
	ck_assert_int_eq(sippnp_build_checksync(&a, out, sizeof(out)), -1);
	a.call_id = "abc";
	ck_assert_int_gt(sippnp_build_checksync(&a, out, sizeof(out)), 0);
}
END_TEST

START_TEST(test_timers)
{
	static const unsigned want[] = { 1000, 2000, 4000, 4000, 4000, 4000,
		4000, 4000, 4000, 500 };
	struct sippnp_timer	 t;
	unsigned		 d = 0, total;
	size_t			 i;

	total = sippnp_timer_start(&t);
	ck_assert_uint_eq(total, 500);
	for (i = 0; sippnp_timer_next(&t, &d) == 0; i++) {
		ck_assert_uint_lt(i, sizeof(want) / sizeof(want[0]));
		ck_assert_uint_eq(d, want[i]);
		total += d;
	}
	ck_assert_uint_eq(i, sizeof(want) / sizeof(want[0]));
	ck_assert_uint_eq(total, 32000);
	ck_assert_uint_eq(t.elapsed_ms, SIPPNP_TF_MS);
	/* After a provisional response Timer E is T2 at once. */
	sippnp_timer_start(&t);
	sippnp_timer_provisional(&t);
	ck_assert_int_eq(sippnp_timer_next(&t, &d), 0);
	ck_assert_uint_eq(d, 4000);
}
END_TEST

START_TEST(test_err_str)
{
	for (int e = 0; e < SIPPNP_ERR_MAX; e++) {
		ck_assert_ptr_nonnull(sippnp_err_str(e));
		ck_assert_str_ne(sippnp_err_str(e), "unknown");
	}
	ck_assert_str_eq(sippnp_err_str(SIPPNP_ERR_MAX), "unknown");
	ck_assert_str_eq(sippnp_err_str(SIPPNP_OK), "ok");
}
END_TEST

static Suite *
sippnp_suite(void)
{
	Suite	*s = suite_create("sippnp");
	TCase	*parse = tcase_create("parse");
	TCase	*build = tcase_create("build");

	tcase_add_test(parse, test_snom);
	tcase_add_test(parse, test_snom_m700);
	tcase_add_test(parse, test_yealink);
	tcase_add_test(parse, test_audiocodes_no_mac);
	tcase_add_test(parse, test_mac_forms);
	tcase_add_test(parse, test_event_params);
	tcase_add_test(parse, test_event_refused);
	tcase_add_test(parse, test_missing);
	tcase_add_test(parse, test_refused);
	tcase_add_test(parse, test_oversized);
	tcase_add_test(parse, test_injection);
	tcase_add_test(parse, test_err_str);
	suite_add_tcase(s, parse);
	tcase_add_test(build, test_build_ok);
	tcase_add_test(build, test_set_source);
	tcase_add_test(build, test_build_notify);
	tcase_add_test(build, test_notify_refused);
	tcase_add_test(build, test_checksync);
	tcase_add_test(build, test_timers);
	suite_add_tcase(s, build);
	return s;
}

int
main(void)
{
	/* The tests read messages back with libosip2 directly. */
	if (sippnp_init() != 0)
		return EXIT_FAILURE;
	return tu_run(sippnp_suite());
}
