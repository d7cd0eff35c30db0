/*
 * sippnp.c - the SIP plug-and-play messages (see sippnp.h for the forms).
 *
 * Why libosip2: SIP's grammar (RFC 3261 25) has line folding, compact
 * header names, comma-joined header values, quoted strings, escaped URIs
 * and angle-bracket rules that a hand parser gets wrong at the edges.
 * libosip2 is a small C library that Debian keeps (libosip2-dev 5.3,
 * security updates included); it parses, and this file validates what it
 * returns: every field it keeps is copied out with a cap and a byte check,
 * and only the Event value (ua-profile and its parameters, RFC 6080) is
 * read here, with a cursor, because libosip2 leaves unknown headers as
 * text.
 *
 * What is built by hand: nothing but header values. The 200 OK and the
 * NOTIFYs are libosip2 messages: each value (kept from the SUBSCRIBE, or
 * made with snprintf from arguments checked first) goes through
 * libosip2's parser for its header, and osip_message_to_str() writes the
 * message and its Content-Length. A value libosip2 refuses fails the build.
 *
 * Untrusted bytes are refused before libosip2 sees them when the message
 * is over SIPPNP_MSG_MAX or holds a NUL or a control byte other than CR,
 * LF and HT: libosip2 works on C strings, where a NUL would hide the rest.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>

#include "sippnp.h"

#define BRANCH_MAGIC	"z9hG4bK"	/* RFC 3261 8.1.1.7 */

static int	 osip_ready;

static const char *const err_names[SIPPNP_ERR_MAX] = {
	[SIPPNP_OK] = "ok",
	[SIPPNP_ERR_SIZE] = "size",
	[SIPPNP_ERR_BYTES] = "control-bytes",
	[SIPPNP_ERR_SYNTAX] = "syntax",
	[SIPPNP_ERR_KIND] = "kind",
	[SIPPNP_ERR_VERSION] = "version",
	[SIPPNP_ERR_METHOD] = "method",
	[SIPPNP_ERR_URI] = "request-uri",
	[SIPPNP_ERR_MISSING] = "missing-header",
	[SIPPNP_ERR_DUP] = "duplicate-header",
	[SIPPNP_ERR_VIA] = "via-count",
	[SIPPNP_ERR_CSEQ] = "cseq",
	[SIPPNP_ERR_EVENT] = "event",
	[SIPPNP_ERR_EXPIRES] = "expires",
	[SIPPNP_ERR_FIELD] = "field",
	[SIPPNP_ERR_MAC] = "mac-conflict",
	[SIPPNP_ERR_STATUS] = "status",
};

const char *
sippnp_err_str(enum sippnp_err err)
{
	if ((unsigned)err >= SIPPNP_ERR_MAX)
		return "unknown";
	return err_names[err];
}

static void
osip_quiet(const char *file, int line, osip_trace_level_t level,
    const char *fmt, va_list ap)
{
}

/*
 * parser_init() fills libosip2's header tables once; the daemons are
 * single-threaded (one event loop), so a flag is enough. Debian builds
 * libosip2 with its trace on, which writes every refusal to stderr: a
 * flood from the network would become a flood in the journal, so every
 * level is switched off and the sink is a no-op (the caller counts and
 * logs refusals itself).
 */
int
sippnp_init(void)
{
	if (osip_ready)
		return 0;
	osip_trace_initialize_func(TRACE_LEVEL0, osip_quiet);
	for (int l = TRACE_LEVEL0; l < END_TRACE_LEVEL; l++)
		osip_trace_disable_level((osip_trace_level_t)l);
	if (parser_init() != OSIP_SUCCESS)
		return -1;
	osip_ready = 1;
	return 0;
}

/* RFC 3261 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / ...). */
static int
is_token_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("-.!%*_+`'~", c));
}

static int
is_text_char(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

static int
is_graph_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/* 1 to max - 1 bytes, each one that ok() takes. */
static int
all_of(const char *s, size_t max, int (*ok)(unsigned char))
{
	size_t	 n;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (n = 0; s[n] != '\0'; n++)
		if (n + 1 >= max || !ok((unsigned char)s[n]))
			return 0;
	return 1;
}

/* A token of 1 to max - 1 bytes. */
static int
is_token(const char *s, size_t max)
{
	return all_of(s, max, is_token_char);
}

/* A Call-ID we make: word [ "@" word ] (RFC 3261 25.1), words of tokens. */
static int
is_callid(const char *s)
{
	const char	*at;
	size_t		 n;

	if (s == NULL || (n = strlen(s)) == 0 || n >= SIPPNP_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '@' && !is_token_char((unsigned char)s[i]))
			return 0;
	at = strchr(s, '@');
	return at == NULL || (at != s && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL);
}

/* Our "host:port": a name, an IPv4 or a bracketed IPv6, and a port. */
static int
is_hostport(const char *s)
{
	size_t	 n;

	if (s == NULL || (n = strlen(s)) == 0 || n >= SIPPNP_NAME_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n;
}

/* Printable ASCII and spaces, 1 to max - 1 bytes: a header's value. */
static int
is_text(const char *s, size_t max)
{
	return all_of(s, max, is_text_char);
}

/* Printable ASCII without space, 1 to max - 1 bytes: URLs and URIs. */
static int
is_graph(const char *s, size_t max)
{
	return all_of(s, max, is_graph_char);
}

/*
 * Copies src (NULL: "") into dst[dstsz]. Refuses a value that does not fit
 * or holds a byte below 0x20 or 0x7f; with ascii set, anything but
 * printable ASCII.
 */
static int
copy_field(char *dst, size_t dstsz, const char *src, int ascii)
{
	size_t	 n;

	if (src == NULL)
		src = "";
	n = strlen(src);
	if (n >= dstsz)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 || c == 0x7f || (ascii && c > 0x7e))
			return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

/* Same, for a string libosip2 allocated; frees it. */
static int
copy_osip_str(char *dst, size_t dstsz, char *src)
{
	int	 rc = copy_field(dst, dstsz, src, 0);

	osip_free(src);
	return rc;
}

/* Whether buf[0..len) has no NUL and no control byte but CR, LF, HT. */
static int
bytes_ok(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') ||
		    c == 0x7f)
			return 0;
	}
	return 1;
}

/* The common front: size, bytes, libosip2. */
static enum sippnp_err
parse_common(const char *buf, size_t len, osip_message_t **msgp)
{
	osip_message_t	*msg = NULL;
	enum sippnp_err	 err = SIPPNP_OK;

	*msgp = NULL;
	if (buf == NULL || len == 0 || len > SIPPNP_MSG_MAX) {
		err = SIPPNP_ERR_SIZE;
		goto done;
	}
	if (!bytes_ok(buf, len)) {
		err = SIPPNP_ERR_BYTES;
		goto done;
	}
	if (sippnp_init() != 0 || osip_message_init(&msg) != OSIP_SUCCESS) {
		err = SIPPNP_ERR_SYNTAX;
		goto done;
	}
	if (osip_message_parse(msg, buf, len) != OSIP_SUCCESS) {
		err = SIPPNP_ERR_SYNTAX;
		goto done;
	}
	if (msg->sip_version == NULL ||
	    strcasecmp(msg->sip_version, "SIP/2.0") != 0) {
		err = SIPPNP_ERR_VERSION;
		goto done;
	}
	/* RFC 3261 8.1.1 (8.2.6.2 for what a response copies). */
	if (msg->from == NULL || msg->to == NULL || msg->call_id == NULL ||
	    msg->cseq == NULL || osip_list_size(&msg->vias) < 1) {
		err = SIPPNP_ERR_MISSING;
		goto done;
	}
	if (osip_list_size(&msg->vias) > SIPPNP_VIA_MAX) {
		err = SIPPNP_ERR_VIA;
		goto done;
	}
done:
	if (err != SIPPNP_OK)
		osip_message_free(msg);
	else
		*msgp = msg;
	return err;
}

/* RFC 3261 8.1.1.5: a 32-bit number below 2^31, digits only. */
static int
cseq_number(const osip_cseq_t *cs, uint32_t *out)
{
	const char	*p = cs->number;
	unsigned long	 v = 0;

	if (p == NULL || *p == '\0' || strlen(p) > 10)
		return -1;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 0x7fffffffUL)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* The tag parameter of a From or To, "" if none; -1 if not a token. */
static int
copy_tag(char *dst, size_t dstsz, osip_from_t *h)
{
	osip_generic_param_t	*tag = NULL;

	dst[0] = '\0';
	if (osip_from_get_tag(h, &tag) != OSIP_SUCCESS || tag == NULL ||
	    tag->gvalue == NULL)
		return 0;
	return is_token(tag->gvalue, dstsz) ? copy_field(dst, dstsz,
	    tag->gvalue, 1) : -1;
}

/* The branch of a Via, "" if none; -1 if not a token. */
static int
copy_branch(char *dst, size_t dstsz, osip_via_t *via)
{
	osip_generic_param_t	*br = NULL;

	dst[0] = '\0';
	if (osip_via_param_get_byname(via, "branch", &br) != OSIP_SUCCESS ||
	    br == NULL || br->gvalue == NULL)
		return 0;
	return is_token(br->gvalue, dstsz) ? copy_field(dst, dstsz,
	    br->gvalue, 1) : -1;
}

/*
 * The one header named name or its compact form; -1 if there are two.
 * osip_message_header_get_byname() returns the index of the first match
 * at or after pos, or -1.
 */
static int
header_once(osip_message_t *msg, const char *name, const char *compact,
    osip_header_t **out)
{
	osip_header_t	*h = NULL;
	int		 n = 0, at;

	*out = NULL;
	for (int i = 0; i < 2; i++) {
		const char *nm = i == 0 ? name : compact;

		if (nm == NULL)
			continue;
		for (at = 0; (at = osip_message_header_get_byname(msg, nm, at,
		    &h)) >= 0 && n < 2; at++) {
			*out = h;
			n++;
		}
	}
	return n > 1 ? -1 : 0;
}

static const char *
skip_lws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/*
 * Reads a token or a quoted string (RFC 3261 25.1 quoted-string, with
 * quoted-pairs) at *pp into dst[dstsz]; moves *pp past it.
 */
static int
read_value(const char **pp, char *dst, size_t dstsz)
{
	const char	*p = *pp;
	size_t		 n = 0;

	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				return -1;
			if (*p == '\\' && *++p == '\0')
				return -1;
			if (n + 1 >= dstsz)
				return -1;
			dst[n++] = *p;
		}
		p++;
	} else {
		for (; is_token_char((unsigned char)*p); p++) {
			if (n + 1 >= dstsz)
				return -1;
			dst[n++] = *p;
		}
		if (n == 0)
			return -1;
	}
	dst[n] = '\0';
	*pp = p;
	return 0;
}

/*
 * Event = ( "Event" / "o" ) HCOLON event-type *( SEMI event-param ) (RFC
 * 6665 8.4), the type ua-profile with RFC 6080's profile-type, vendor,
 * model and version. A known parameter given twice is refused; unknown
 * ones are skipped. Names are compared without case.
 */
static enum sippnp_err
event_parse(const char *v, struct sippnp_sub *out)
{
	static const char *const names[] = { "profile-type", "vendor",
		"model", "version" };
	char		*dst[4] = { out->profile_type, out->vendor, out->model,
		out->version };
	int		 seen[4] = { 0, 0, 0, 0 };
	char		 name[SIPPNP_NAME_MAX], val[SIPPNP_NAME_MAX];
	const char	*p = skip_lws(v);
	size_t		 n = 0;

	while (is_token_char((unsigned char)p[n]))
		n++;
	if (n != strlen("ua-profile") || strncasecmp(p, "ua-profile", n) != 0)
		return SIPPNP_ERR_EVENT;
	p = skip_lws(p + n);
	while (*p != '\0') {
		if (*p != ';')
			return SIPPNP_ERR_EVENT;
		p = skip_lws(p + 1);
		if (*p == '"' || read_value(&p, name, sizeof(name)) != 0)
			return SIPPNP_ERR_EVENT;
		p = skip_lws(p);
		val[0] = '\0';
		if (*p == '=') {
			p = skip_lws(p + 1);
			if (read_value(&p, val, sizeof(val)) != 0)
				return SIPPNP_ERR_EVENT;
			p = skip_lws(p);
		}
		for (int i = 0; i < 4; i++) {
			if (strcasecmp(name, names[i]) != 0)
				continue;
			if (seen[i]++ ||
			    copy_field(dst[i], SIPPNP_NAME_MAX, val, 1) != 0)
				return SIPPNP_ERR_EVENT;
		}
	}
	return SIPPNP_OK;
}

/* RFC 3261 20.19 delta-seconds; refused above 2^31 - 1. */
static int
expires_parse(const char *v, long *out)
{
	const char	*p = skip_lws(v);
	unsigned long	 e = 0;
	size_t		 n = 0;

	for (; *p >= '0' && *p <= '9'; p++, n++) {
		if (n >= 10)
			return -1;
		e = e * 10 + (unsigned long)(*p - '0');
	}
	if (n == 0 || *skip_lws(p) != '\0' || e > (unsigned long)INT32_MAX)
		return -1;
	*out = (long)e;
	return 0;
}

/*
 * The MAC in a user part (libosip2 has undone the %-escapes): "MAC" in any
 * case, an optional ':', '=' or '-', then a form mac_parse() reads; or
 * such a form alone.
 */
static int
mac_in_user(const char *u, struct mac_addr *mac)
{
	size_t	 len;

	if (u == NULL)
		return -1;
	len = strlen(u);
	if (len >= 3 && strncasecmp(u, "MAC", 3) == 0) {
		u += 3;
		len -= 3;
		if (len > 0 && (*u == ':' || *u == '=' || *u == '-')) {
			u++;
			len--;
		}
	}
	return mac_parse_n(u, len, mac);
}

static enum sippnp_err
find_mac(osip_message_t *msg, struct sippnp_sub *out)
{
	const osip_uri_t	*where[3] = { msg->req_uri, msg->from->url,
		msg->to->url };
	static const enum sippnp_mac_src src[3] = { SIPPNP_MAC_RURI,
		SIPPNP_MAC_FROM, SIPPNP_MAC_TO };
	struct mac_addr		 m;

	for (int i = 0; i < 3; i++) {
		if (where[i] == NULL)
			continue;
		/*
		 * "sip:MAC:0004...@host" with the colon unescaped reads as
		 * user "MAC", password "0004..." (RFC 3261 19.1.1).
		 */
		if (mac_in_user(where[i]->username, &m) != 0 &&
		    (where[i]->username == NULL ||
		    strcasecmp(where[i]->username, "MAC") != 0 ||
		    mac_in_user(where[i]->password, &m) != 0))
			continue;
		if (!out->has_mac) {
			out->has_mac = 1;
			out->mac = m;
			out->mac_src = src[i];
		} else if (mac_cmp(&out->mac, &m) != 0)
			return SIPPNP_ERR_MAC;
	}
	return SIPPNP_OK;
}

/*
 * A sip: or sips: URI whose host is a name, an IPv4 or an IPv6 reference
 * (RFC 3261 25.1 hostport): libosip2 takes "10.1.3.230/UDP 10" as a host,
 * and a URI with a space would break the request line it goes into.
 */
static int
is_sip_scheme(const osip_uri_t *u)
{
	size_t	 n;

	if (u == NULL || u->scheme == NULL || u->host == NULL ||
	    (strcasecmp(u->scheme, "sip") != 0 &&
	    strcasecmp(u->scheme, "sips") != 0))
		return 0;
	n = strlen(u->host);
	return n > 0 && n < SIPPNP_NAME_MAX && strspn(u->host,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    ".-:[]") == n;
}

/* The Vias in order (via NULL: not kept), and the top one's branch. */
static enum sippnp_err
copy_vias(osip_message_t *msg, char via[][SIPPNP_HDR_MAX], size_t *nvia,
    char *branch)
{
	osip_via_t	*v = NULL;
	char		*s = NULL;
	int		 n = osip_list_size(&msg->vias);

	for (int i = 0; i < n; i++) {
		if (osip_message_get_via(msg, i, &v) < 0 || v == NULL)
			return SIPPNP_ERR_SYNTAX;
		if (via != NULL && (osip_via_to_str(v, &s) != OSIP_SUCCESS ||
		    copy_osip_str(via[i], SIPPNP_HDR_MAX, s) != 0))
			return SIPPNP_ERR_FIELD;
		if (i == 0 && copy_branch(branch, SIPPNP_ID_MAX, v) != 0)
			return SIPPNP_ERR_FIELD;
	}
	if (nvia != NULL)
		*nvia = (size_t)n;
	return SIPPNP_OK;
}

/* The Call-ID as "number@host" or "number". */
static int
copy_callid(char *dst, size_t dstsz, const osip_call_id_t *ci)
{
	char	*s = NULL;

	if (osip_call_id_to_str(ci, &s) != OSIP_SUCCESS)
		return -1;
	return copy_osip_str(dst, dstsz, s);
}

enum sippnp_err
sippnp_parse(const char *buf, size_t len, struct sippnp_sub *out)
{
	osip_message_t	*msg = NULL;
	osip_header_t	*ev = NULL, *ex = NULL;
	osip_contact_t	*ct = NULL;
	char		*s = NULL;
	enum sippnp_err	 err;

	memset(out, 0, sizeof(*out));
	out->expires = -1;
	if ((err = parse_common(buf, len, &msg)) != SIPPNP_OK)
		goto done;
	if (MSG_IS_RESPONSE(msg) || msg->sip_method == NULL) {
		err = SIPPNP_ERR_KIND;
		goto done;
	}
	/* Methods are case-sensitive (RFC 3261 7.1). */
	if (strcmp(msg->sip_method, "SUBSCRIBE") != 0) {
		err = SIPPNP_ERR_METHOD;
		goto done;
	}
	if (!is_sip_scheme(msg->req_uri)) {
		err = SIPPNP_ERR_URI;
		goto done;
	}
	if (cseq_number(msg->cseq, &out->cseq) != 0 ||
	    msg->cseq->method == NULL ||
	    strcmp(msg->cseq->method, msg->sip_method) != 0) {
		err = SIPPNP_ERR_CSEQ;
		goto done;
	}
	if (header_once(msg, "event", "o", &ev) != 0 ||
	    header_once(msg, "expires", NULL, &ex) != 0 ||
	    osip_list_size(&msg->contacts) > 1) {
		err = SIPPNP_ERR_DUP;
		goto done;
	}
	/* RFC 6665 4.1.2 (Event), RFC 3261 8.1.1.8 (Contact). */
	if (ev == NULL || ev->hvalue == NULL ||
	    osip_message_get_contact(msg, 0, &ct) < 0 || ct == NULL ||
	    ct->url == NULL) {
		err = SIPPNP_ERR_MISSING;
		goto done;
	}
	if (!is_sip_scheme(ct->url)) {
		err = SIPPNP_ERR_URI;
		goto done;
	}
	if ((err = event_parse(ev->hvalue, out)) != SIPPNP_OK)
		goto done;
	if (ex != NULL && (ex->hvalue == NULL ||
	    expires_parse(ex->hvalue, &out->expires) != 0)) {
		err = SIPPNP_ERR_EXPIRES;
		goto done;
	}
	if ((err = copy_vias(msg, out->via, &out->nvia, out->branch)) !=
	    SIPPNP_OK)
		goto done;
	err = SIPPNP_ERR_FIELD;
	if (copy_field(out->event, sizeof(out->event), ev->hvalue, 0) != 0 ||
	    copy_callid(out->call_id, sizeof(out->call_id), msg->call_id) !=
	    0 ||
	    copy_tag(out->from_tag, sizeof(out->from_tag), msg->from) != 0 ||
	    copy_tag(out->to_tag, sizeof(out->to_tag), msg->to) != 0)
		goto done;
	if (osip_from_to_str(msg->from, &s) != OSIP_SUCCESS ||
	    copy_osip_str(out->from, sizeof(out->from), s) != 0)
		goto done;
	if (osip_to_to_str(msg->to, &s) != OSIP_SUCCESS ||
	    copy_osip_str(out->to, sizeof(out->to), s) != 0)
		goto done;
	if (osip_uri_to_str(ct->url, &s) != OSIP_SUCCESS ||
	    copy_osip_str(out->contact, sizeof(out->contact), s) != 0 ||
	    !is_graph(out->contact, sizeof(out->contact)))
		goto done;
	err = find_mac(msg, out);
done:
	osip_message_free(msg);
	if (err != SIPPNP_OK) {
		memset(out, 0, sizeof(*out));
		out->expires = -1;
	}
	return err;
}

enum sippnp_err
sippnp_parse_response(const char *buf, size_t len, struct sippnp_resp *out)
{
	osip_message_t	*msg = NULL;
	enum sippnp_err	 err;

	memset(out, 0, sizeof(*out));
	if ((err = parse_common(buf, len, &msg)) != SIPPNP_OK)
		goto done;
	if (!MSG_IS_RESPONSE(msg)) {
		err = SIPPNP_ERR_KIND;
		goto done;
	}
	if (msg->status_code < 100 || msg->status_code > 699) {
		err = SIPPNP_ERR_STATUS;
		goto done;
	}
	out->status = msg->status_code;
	if (cseq_number(msg->cseq, &out->cseq) != 0 ||
	    msg->cseq->method == NULL || !is_token(msg->cseq->method,
	    sizeof(out->method))) {
		err = SIPPNP_ERR_CSEQ;
		goto done;
	}
	if ((err = copy_vias(msg, NULL, NULL, out->branch)) != SIPPNP_OK)
		goto done;
	err = SIPPNP_ERR_FIELD;
	if (copy_field(out->method, sizeof(out->method), msg->cseq->method,
	    1) != 0 ||
	    copy_tag(out->to_tag, sizeof(out->to_tag), msg->to) != 0 ||
	    copy_callid(out->call_id, sizeof(out->call_id), msg->call_id) != 0)
		goto done;
	err = SIPPNP_OK;
done:
	osip_message_free(msg);
	if (err != SIPPNP_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

int
sippnp_set_source(struct sippnp_sub *s, const char *ip, unsigned port)
{
	osip_via_t		*via = NULL;
	osip_generic_param_t	*p = NULL;
	char			*str = NULL, pbuf[12];
	uint32_t		 a;
	int			 ret = -1;

	if (s == NULL || s->nvia == 0 || ip == NULL || ip4_parse(ip, &a) != 0 ||
	    port == 0 || port > 65535)
		goto done;
	snprintf(pbuf, sizeof(pbuf), "%u", port);
	if (osip_via_init(&via) != OSIP_SUCCESS ||
	    osip_via_parse(via, s->via[0]) != OSIP_SUCCESS)
		goto done;
	if (osip_via_param_get_byname(via, "received", &p) == OSIP_SUCCESS &&
	    p != NULL) {
		osip_free(p->gvalue);
		p->gvalue = osip_strdup(ip);
	} else
		osip_via_set_received(via, osip_strdup(ip));
	p = NULL;
	if (osip_via_param_get_byname(via, "rport", &p) == OSIP_SUCCESS &&
	    p != NULL && p->gvalue == NULL)
		p->gvalue = osip_strdup(pbuf);
	if (osip_via_to_str(via, &str) != OSIP_SUCCESS ||
	    strlen(str) >= sizeof(s->via[0]))
		goto done;
	memcpy(s->via[0], str, strlen(str) + 1);
	ret = 0;
done:
	osip_free(str);
	osip_via_free(via);
	return ret;
}

/* Writes msg into out[outsz] with a NUL; the length, or -1. */
static int
emit(osip_message_t *msg, char *out, size_t outsz)
{
	char	*str = NULL;
	size_t	 n = 0;
	int	 ret = -1;

	if (osip_message_to_str(msg, &str, &n) != OSIP_SUCCESS || str == NULL)
		goto done;
	if (n + 1 > outsz || n > INT_MAX)
		goto done;
	memcpy(out, str, n);
	out[n] = '\0';
	ret = (int)n;
done:
	osip_free(str);
	return ret;
}

typedef int (*hdr_set)(osip_message_t *, const char *);

/*
 * A header value made with snprintf, given to libosip2's parser for that
 * header (set), or added as an "other" header called name (set NULL).
 */
static int
set_fmt(osip_message_t *msg, hdr_set set, const char *name, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
set_fmt(osip_message_t *msg, hdr_set set, const char *name, const char *fmt,
    ...)
{
	char	 v[SIPPNP_HDR_MAX];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(v))
		return -1;
	if (set != NULL)
		return set(msg, v) == OSIP_SUCCESS ? 0 : -1;
	return osip_message_set_header(msg, name, v) == OSIP_SUCCESS ? 0 : -1;
}

/* Our Via: SIP/2.0/UDP local;branch=z9hG4bK... (RFC 3261 8.1.1.7). */
static int
set_our_via(osip_message_t *msg, const char *local, const char *branch)
{
	int	 magic = strncmp(branch, BRANCH_MAGIC, strlen(BRANCH_MAGIC)) == 0;

	return set_fmt(msg, osip_message_set_via, NULL, "SIP/2.0/UDP %s;branch=%s%s", local,
	    magic ? "" : BRANCH_MAGIC, branch);
}

/* A request line to uri (checked by libosip2's URI parser). */
static int
set_request(osip_message_t *msg, const char *method, const char *uri)
{
	osip_uri_t	*u = NULL;

	if (!is_graph(uri, SIPPNP_HDR_MAX) || osip_uri_init(&u) != OSIP_SUCCESS)
		return -1;
	if (osip_uri_parse(u, uri) != OSIP_SUCCESS || !is_sip_scheme(u)) {
		osip_uri_free(u);
		return -1;
	}
	osip_message_set_uri(msg, u);
	osip_message_set_method(msg, osip_strdup(method));
	osip_message_set_version(msg, osip_strdup("SIP/2.0"));
	return 0;
}

int
sippnp_build_ok(const struct sippnp_sub *s, const char *to_tag,
    const char *local, char *out, size_t outsz)
{
	osip_message_t	*msg = NULL;
	int		 ret = -1;

	if (s == NULL || out == NULL || s->nvia == 0 ||
	    s->nvia > SIPPNP_VIA_MAX || (s->to_tag[0] == '\0' &&
	    !is_token(to_tag, SIPPNP_ID_MAX)) ||
	    (local != NULL && !is_hostport(local)))
		goto done;
	if (sippnp_init() != 0 || osip_message_init(&msg) != OSIP_SUCCESS)
		goto done;
	osip_message_set_version(msg, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(msg, 200);
	osip_message_set_reason_phrase(msg, osip_strdup("OK"));
	for (size_t i = 0; i < s->nvia; i++)
		if (osip_message_set_via(msg, s->via[i]) != OSIP_SUCCESS)
			goto done;
	if (osip_message_set_from(msg, s->from) != OSIP_SUCCESS ||
	    osip_message_set_to(msg, s->to) != OSIP_SUCCESS ||
	    osip_message_set_call_id(msg, s->call_id) != OSIP_SUCCESS)
		goto done;
	/* RFC 3261 8.2.6.2: a To without a tag gets ours. */
	if (s->to_tag[0] == '\0')
		osip_to_set_tag(msg->to, osip_strdup(to_tag));
	if (set_fmt(msg, osip_message_set_cseq, NULL, "%u SUBSCRIBE", (unsigned)s->cseq) != 0 ||
	    set_fmt(msg, NULL, "Expires", "%ld", s->expires < 0 ? 0 : s->expires) !=
	    0)
		goto done;
	/* RFC 3261 12.1.1: a response that makes a dialog has a Contact. */
	if (local != NULL && set_fmt(msg, osip_message_set_contact, NULL, "<sip:%s>", local) != 0)
		goto done;
	ret = emit(msg, out, outsz);
done:
	osip_message_free(msg);
	return ret;
}

int
sippnp_build_notify(const struct sippnp_sub *s,
    const struct sippnp_notify_args *a, char *out, size_t outsz)
{
	osip_message_t	*msg = NULL;
	int		 ret = -1;

	if (s == NULL || a == NULL || out == NULL || s->contact[0] == '\0' ||
	    !is_hostport(a->local) || !is_token(a->branch, SIPPNP_ID_MAX) ||
	    (s->to_tag[0] == '\0' && !is_token(a->to_tag, SIPPNP_ID_MAX)) ||
	    a->cseq > 0x7fffffffu || !is_graph(a->url, SIPPNP_URL_MAX + 1) ||
	    a->expires > INT32_MAX)
		goto done;
	if (sippnp_init() != 0 || osip_message_init(&msg) != OSIP_SUCCESS)
		goto done;
	/* RFC 6665 4.2.2 and RFC 3261 12.2.1.1: to the remote target. */
	if (set_request(msg, "NOTIFY", s->contact) != 0 ||
	    set_our_via(msg, a->local, a->branch) != 0)
		goto done;
	/* Our side of the dialog is the SUBSCRIBE's To, the phone's its From. */
	if (osip_message_set_from(msg, s->to) != OSIP_SUCCESS ||
	    osip_message_set_to(msg, s->from) != OSIP_SUCCESS ||
	    osip_message_set_call_id(msg, s->call_id) != OSIP_SUCCESS)
		goto done;
	if (s->to_tag[0] == '\0')
		osip_from_set_tag(msg->from, osip_strdup(a->to_tag));
	if (set_fmt(msg, osip_message_set_cseq, NULL, "%u NOTIFY", (unsigned)a->cseq) != 0 ||
	    set_fmt(msg, NULL, "Max-Forwards", "70") != 0 ||
	    set_fmt(msg, osip_message_set_contact, NULL, "<sip:%s>", a->local) != 0 ||
	    set_fmt(msg, NULL, "Event", "%s", s->event) != 0)
		goto done;
	/* RFC 6665 4.2.1: every NOTIFY says what became of the subscription. */
	if (a->expires < 0) {
		if (set_fmt(msg, NULL, "Subscription-State",
		    "terminated;reason=timeout") != 0)
			goto done;
	} else if (set_fmt(msg, NULL, "Subscription-State", "active;expires=%ld",
	    a->expires) != 0)
		goto done;
	if (osip_message_set_content_type(msg, "application/url") !=
	    OSIP_SUCCESS ||
	    osip_message_set_body(msg, a->url, strlen(a->url)) != OSIP_SUCCESS)
		goto done;
	ret = emit(msg, out, outsz);
done:
	osip_message_free(msg);
	return ret;
}

int
sippnp_build_checksync(const struct sippnp_checksync_args *a, char *out,
    size_t outsz)
{
	osip_message_t	*msg = NULL;
	int		 ret = -1;

	if (a == NULL || out == NULL ||
	    !is_graph(a->target, SIPPNP_HDR_MAX) ||
	    strpbrk(a->target, "<>\"") != NULL || !is_hostport(a->local) ||
	    !is_token(a->branch, SIPPNP_ID_MAX) ||
	    !is_token(a->from_tag, SIPPNP_ID_MAX) || !is_callid(a->call_id) ||
	    a->cseq > 0x7fffffffu ||
	    (a->event != NULL && !is_graph(a->event, SIPPNP_NAME_MAX)) ||
	    ((a->auth_header != NULL) != (a->auth_value != NULL)) ||
	    (a->auth_header != NULL &&
	    strcmp(a->auth_header, "Authorization") != 0 &&
	    strcmp(a->auth_header, "Proxy-Authorization") != 0) ||
	    (a->auth_value != NULL && !is_text(a->auth_value,
	    SIPPNP_HDR_MAX * 4)))
		goto done;
	if (sippnp_init() != 0 || osip_message_init(&msg) != OSIP_SUCCESS)
		goto done;
	if (set_request(msg, "NOTIFY", a->target) != 0 ||
	    set_our_via(msg, a->local, a->branch) != 0 ||
	    set_fmt(msg, osip_message_set_from, NULL, "<sip:provbox@%s>;tag=%s", a->local,
	    a->from_tag) != 0 ||
	    set_fmt(msg, osip_message_set_to, NULL, "<%s>", a->target) != 0 ||
	    osip_message_set_call_id(msg, a->call_id) != OSIP_SUCCESS ||
	    set_fmt(msg, osip_message_set_cseq, NULL, "%u NOTIFY", (unsigned)a->cseq) != 0 ||
	    set_fmt(msg, NULL, "Max-Forwards", "70") != 0 ||
	    set_fmt(msg, osip_message_set_contact, NULL, "<sip:%s>", a->local) != 0 ||
	    (a->event != NULL ? set_fmt(msg, NULL, "Event", "%s", a->event) :
	    set_fmt(msg, NULL, "Event", "check-sync%s",
	    a->reboot ? ";reboot=true" : "")) != 0 ||
	    set_fmt(msg, NULL, "Subscription-State", "terminated") != 0)
		goto done;
	/* Not through set_fmt(): a digest answer outgrows SIPPNP_HDR_MAX. */
	if (a->auth_header != NULL && osip_message_set_header(msg,
	    a->auth_header, a->auth_value) != OSIP_SUCCESS)
		goto done;
	ret = emit(msg, out, outsz);
done:
	osip_message_free(msg);
	return ret;
}

unsigned
sippnp_timer_start(struct sippnp_timer *t)
{
	t->elapsed_ms = 0;
	t->interval_ms = SIPPNP_T1_MS;
	t->wait_ms = SIPPNP_T1_MS;
	return t->wait_ms;
}

int
sippnp_timer_next(struct sippnp_timer *t, unsigned *delay_ms)
{
	t->elapsed_ms += t->wait_ms;
	if (t->elapsed_ms >= SIPPNP_TF_MS)
		return -1;
	/* Timer E: MIN(2 * previous, T2), and never past Timer F. */
	t->interval_ms = t->interval_ms * 2 > SIPPNP_T2_MS ? SIPPNP_T2_MS :
	    t->interval_ms * 2;
	t->wait_ms = t->interval_ms;
	if (t->wait_ms > SIPPNP_TF_MS - t->elapsed_ms)
		t->wait_ms = SIPPNP_TF_MS - t->elapsed_ms;
	*delay_ms = t->wait_ms;
	return 0;
}

void
sippnp_timer_provisional(struct sippnp_timer *t)
{
	t->interval_ms = SIPPNP_T2_MS / 2;	/* doubled to T2 by next() */
}
