/*
 * fuzz_sip.c - the SIP plug-and-play messages (provisiond/sippnp.h).
 *
 * An input is one UDP datagram. It goes through sippnp_parse() and
 * sippnp_parse_response(): a refusal has a name; what is accepted has
 * only NUL-terminated fields without control bytes, and came from no more
 * than SIPPNP_MSG_MAX bytes. From a SUBSCRIBE that parses, the 200 OK and
 * the NOTIFY are built (with and without the source noted in the Via) and
 * must read back as SUBSCRIBE answers: the OK through libosip2 with the
 * same Call-ID and CSeq, the NOTIFY with a Content-Length equal to the URL
 * it carries. The input's first bytes also serve as a URL and a tag for
 * the builders, which must refuse control bytes in them.
 */
#include "config.h"

#include <string.h>

#include <osipparser2/osip_parser.h>

#include "fuzz.h"

#include "sippnp.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	if (sippnp_init() != 0)
		FUZZ_FATAL("sippnp_init failed");
	return 0;
}

/* A field is NUL-terminated inside its array and has no control byte. */
static void
check_field(const char *f, size_t sz)
{
	const char	*nul = memchr(f, '\0', sz);

	FUZZ_CHECK(nul != NULL);
	for (const char *p = f; p < nul; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
}

#define CHECK_FIELD(f)	check_field((f), sizeof(f))

static void
check_sub(const struct sippnp_sub *s)
{
	FUZZ_CHECK(s->nvia >= 1 && s->nvia <= SIPPNP_VIA_MAX);
	for (size_t i = 0; i < s->nvia; i++)
		CHECK_FIELD(s->via[i]);
	CHECK_FIELD(s->branch);
	CHECK_FIELD(s->from);
	CHECK_FIELD(s->to);
	CHECK_FIELD(s->from_tag);
	CHECK_FIELD(s->to_tag);
	CHECK_FIELD(s->call_id);
	CHECK_FIELD(s->contact);
	CHECK_FIELD(s->event);
	CHECK_FIELD(s->profile_type);
	CHECK_FIELD(s->vendor);
	CHECK_FIELD(s->model);
	CHECK_FIELD(s->version);
	FUZZ_CHECK(s->cseq <= 0x7fffffffu);
	FUZZ_CHECK(s->expires >= -1 && s->expires <= 0x7fffffffL);
	FUZZ_CHECK(s->has_mac == (s->mac_src != SIPPNP_MAC_NONE));
	FUZZ_CHECK(s->contact[0] != '\0' && s->call_id[0] != '\0');
}

/* The 200 OK reads back with the SUBSCRIBE's Call-ID and CSeq. */
static void
check_ok(const struct sippnp_sub *s)
{
	osip_message_t	*msg = NULL;
	char		 out[SIPPNP_MSG_MAX * 2];
	char		*cid = NULL;
	int		 n;

	n = sippnp_build_ok(s, "fz1", "10.42.0.1:5060", out, sizeof(out));
	if (n < 0)
		return;		/* a kept value libosip2 will not set again */
	FUZZ_CHECK((size_t)n == strlen(out));
	FUZZ_CHECK(osip_message_init(&msg) == 0);
	FUZZ_CHECK(osip_message_parse(msg, out, (size_t)n) == 0);
	FUZZ_CHECK(msg->status_code == 200);
	FUZZ_CHECK(msg->cseq != NULL && msg->call_id != NULL);
	FUZZ_CHECK(strtoul(msg->cseq->number, NULL, 10) == s->cseq);
	FUZZ_CHECK(osip_call_id_to_str(msg->call_id, &cid) == 0);
	FUZZ_CHECK(strcmp(cid, s->call_id) == 0);
	FUZZ_CHECK(osip_list_size(&msg->vias) == (int)s->nvia);
	osip_free(cid);
	osip_message_free(msg);
}

/* The NOTIFY carries url as its body, counted by Content-Length. */
static void
check_notify(const struct sippnp_sub *s, const char *url)
{
	struct sippnp_notify_args a = {
		.local = "10.42.0.1:5060", .branch = "fz", .to_tag = "fz1",
		.cseq = 1, .url = url, .expires = -1,
	};
	osip_message_t	*msg = NULL;
	osip_body_t	*body = NULL;
	char		 out[SIPPNP_MSG_MAX * 2];
	int		 n;

	n = sippnp_build_notify(s, &a, out, sizeof(out));
	for (const char *p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			FUZZ_CHECK(n == -1);
	if (n < 0)
		return;
	FUZZ_CHECK((size_t)n == strlen(out));
	FUZZ_CHECK(strcmp(out + n - strlen(url), url) == 0);
	FUZZ_CHECK(osip_message_init(&msg) == 0);
	FUZZ_CHECK(osip_message_parse(msg, out, (size_t)n) == 0);
	FUZZ_CHECK(msg->content_length != NULL &&
	    strtoul(msg->content_length->value, NULL, 10) == strlen(url));
	FUZZ_CHECK(osip_message_get_body(msg, 0, &body) >= 0 &&
	    body->length == strlen(url) &&
	    memcmp(body->body, url, body->length) == 0);
	osip_message_free(msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*buf = (const char *)data;
	struct sippnp_sub	 s;
	struct sippnp_resp	 r;
	enum sippnp_err		 e;
	char			 url[64], tag[16], out[1024];
	size_t			 n;

	e = sippnp_parse(buf, size, &s);
	FUZZ_CHECK(strcmp(sippnp_err_str(e), "unknown") != 0);
	if (e == SIPPNP_OK) {
		FUZZ_CHECK(size <= SIPPNP_MSG_MAX);
		check_sub(&s);
		check_ok(&s);
		check_notify(&s, "https://10.42.0.1/p/abc/cfg.xml");
		/* The input's head as the URL: hostile bytes and all. */
		n = size < sizeof(url) - 1 ? size : sizeof(url) - 1;
		memcpy(url, buf, n);
		url[n] = '\0';
		if (url[0] != '\0')
			check_notify(&s, url);
		if (sippnp_set_source(&s, "10.42.0.150", 5060) == 0) {
			check_sub(&s);
			check_ok(&s);
		}
	} else {
		FUZZ_CHECK(s.nvia == 0 && s.has_mac == 0 && s.call_id[0] == '\0');
	}

	e = sippnp_parse_response(buf, size, &r);
	FUZZ_CHECK(strcmp(sippnp_err_str(e), "unknown") != 0);
	if (e == SIPPNP_OK) {
		FUZZ_CHECK(r.status >= 100 && r.status <= 699);
		CHECK_FIELD(r.call_id);
		CHECK_FIELD(r.method);
		CHECK_FIELD(r.branch);
		CHECK_FIELD(r.to_tag);
	} else
		FUZZ_CHECK(r.status == 0);

	/* The input's head as a tag: a check-sync only from a token. */
	n = size < sizeof(tag) - 1 ? size : sizeof(tag) - 1;
	memcpy(tag, buf, n);
	tag[n] = '\0';
	{
		struct sippnp_checksync_args c = {
			.target = "sip:10.42.0.150:5060", .local = "10.42.0.1",
			.branch = "cs", .from_tag = tag, .call_id = "c@x",
			.cseq = 1, .reboot = (int)(size & 1),
		};
		int m = sippnp_build_checksync(&c, out, sizeof(out));

		if (strpbrk(tag, "\r\n\t ;<>\"") != NULL)
			FUZZ_CHECK(m == -1);
		FUZZ_CHECK(m < 0 || (size_t)m == strlen(out));
		/* As the event and as a digest answer: no header added. */
		c.from_tag = "f";
		c.event = tag;
		c.auth_header = "Authorization";
		c.auth_value = tag;
		m = sippnp_build_checksync(&c, out, sizeof(out));
		for (size_t i = 0; tag[i] != '\0'; i++)
			if ((unsigned char)tag[i] < 0x20 ||
			    (unsigned char)tag[i] >= 0x7f)
				FUZZ_CHECK(m == -1);
		FUZZ_CHECK(m < 0 || (size_t)m == strlen(out));
	}
	return 0;
}
