/*
 * resync.c - the NOTIFY transactions of provboxctl resync (resync.h):
 * what to send, how to read the answer, the digest, and the loop that
 * sends to every phone at once and waits.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <osipparser2/osip_parser.h>

#include "addr.h"
#include "log.h"
#include "resync.h"

const char *
resync_result_str(enum resync_result r)
{
	switch (r) {
	case RESYNC_PENDING:
		return "pending";
	case RESYNC_NO_LEASE:
		return "no-lease";
	case RESYNC_ACKED:
		return "acknowledged";
	case RESYNC_REJECTED:
		return "rejected";
	case RESYNC_TIMEOUT:
		return "timeout";
	case RESYNC_ERROR:
		return "error";
	}
	return "?";
}

const char *
resync_event(const char *vendor, int reboot)
{
	if (vendor != NULL && strcmp(vendor, "cisco") == 0)
		return reboot ? "reboot_now" : "resync";
	return reboot ? "check-sync;reboot=true" : "check-sync";
}

/* MD5 of the parts joined by ':', as hex, into out[33]. */
static int
md5_hex(const char *const *parts, size_t n, char out[33])
{
	EVP_MD_CTX	*ctx;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned	 mdlen = 0;
	int		 ret = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1)
		goto done;
	for (size_t i = 0; i < n; i++)
		if ((i > 0 && EVP_DigestUpdate(ctx, ":", 1) != 1) ||
		    EVP_DigestUpdate(ctx, parts[i], strlen(parts[i])) != 1)
			goto done;
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 16)
		goto done;
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	ret = 0;
done:
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(md, sizeof(md));
	return ret;
}

int
resync_digest(const char *user, const char *realm, const char *password,
    const char *method, const char *uri, const char *nonce, const char *nc,
    const char *cnonce, const char *qop, char out[33])
{
	char	 ha1[33], ha2[33];
	int	 ret = -1;

	/* RFC 2617 3.2.2.2 and 3.2.2.3: A1 and A2 for MD5 and qop auth. */
	if (md5_hex((const char *[]){ user, realm, password }, 3, ha1) != 0 ||
	    md5_hex((const char *[]){ method, uri }, 2, ha2) != 0)
		goto done;
	if (qop != NULL && qop[0] != '\0')
		ret = md5_hex((const char *[]){ ha1, nonce, nc, cnonce, qop,
		    ha2 }, 6, out);
	else
		ret = md5_hex((const char *[]){ ha1, nonce, ha2 }, 3, out);
done:
	OPENSSL_cleanse(ha1, sizeof(ha1));
	return ret;
}

/*
 * A challenge value into out without its quotes: printable, no quote or
 * backslash (a quoted-pair would need undoing, and no phone sends one),
 * shorter than outsz. NULL gives "". 0 or -1.
 */
static int
unquote(const char *v, char *out, size_t outsz)
{
	size_t n;

	out[0] = '\0';
	if (v == NULL)
		return 0;
	n = strlen(v);
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	if (n >= outsz)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f || v[i] == '"' ||
		    v[i] == '\\')
			return -1;
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}

/* qop-options (RFC 2617 3.2.1): a comma-separated list; "auth" in it? */
static int
has_qop_auth(const char *list)
{
	char		 buf[RESYNC_CHAL_MAX], *p, *tok, *save = NULL;

	if (unquote(list, buf, sizeof(buf)) != 0)
		return 0;
	for (p = buf; (tok = strtok_r(p, ", \t", &save)) != NULL; p = NULL)
		if (strcasecmp(tok, "auth") == 0)
			return 1;
	return 0;
}

int
resync_parse_challenge(const char *buf, size_t len,
    struct resync_challenge *c)
{
	osip_message_t		*msg = NULL;
	osip_www_authenticate_t	*wa = NULL;
	const char		*type, *alg, *qop;
	int			 ret = -1;

	memset(c, 0, sizeof(*c));
	if (len == 0 || len > SIPPNP_MSG_MAX || sippnp_init() != 0 ||
	    osip_message_init(&msg) != OSIP_SUCCESS ||
	    osip_message_parse(msg, buf, len) != OSIP_SUCCESS)
		goto done;
	if (osip_message_get_www_authenticate(msg, 0, &wa) < 0 || wa == NULL) {
		wa = NULL;
		if (osip_message_get_proxy_authenticate(msg, 0, &wa) < 0 ||
		    wa == NULL)
			goto done;
		c->proxy = 1;
	}
	type = osip_www_authenticate_get_auth_type(wa);
	alg = osip_www_authenticate_get_algorithm(wa);
	qop = osip_www_authenticate_get_qop_options(wa);
	if (type == NULL || strcasecmp(type, "Digest") != 0)
		goto done;
	/* RFC 2617 3.2.1: absent means MD5; MD5-sess is not done here. */
	if (alg != NULL && strcasecmp(alg, "MD5") != 0 &&
	    strcasecmp(alg, "\"MD5\"") != 0)
		goto done;
	if (unquote(osip_www_authenticate_get_realm(wa), c->realm,
	    sizeof(c->realm)) != 0 ||
	    unquote(osip_www_authenticate_get_nonce(wa), c->nonce,
	    sizeof(c->nonce)) != 0 || c->nonce[0] == '\0' ||
	    unquote(osip_www_authenticate_get_opaque(wa), c->opaque,
	    sizeof(c->opaque)) != 0)
		goto done;
	if (qop != NULL && !(c->qop_auth = has_qop_auth(qop)))
		goto done;	/* only auth-int offered */
	ret = 0;
done:
	if (ret != 0)
		memset(c, 0, sizeof(*c));
	osip_message_free(msg);
	return ret;
}

int
resync_authorization(const struct resync_challenge *c, const char *user,
    const char *password, const char *uri, const char *cnonce, char *out,
    size_t sz)
{
	char	 resp[33], qop[96] = "", opaque[RESYNC_CHAL_MAX + 16] = "";
	int	 n;

	for (const char *s = user; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"' ||
		    *s == '\\')
			return -1;
	if (resync_digest(user, c->realm, password, "NOTIFY", uri, c->nonce,
	    "00000001", cnonce, c->qop_auth ? "auth" : NULL, resp) != 0)
		return -1;
	if (c->qop_auth)
		snprintf(qop, sizeof(qop), ", qop=auth, nc=00000001, "
		    "cnonce=\"%s\"", cnonce);
	if (c->opaque[0] != '\0')
		snprintf(opaque, sizeof(opaque), ", opaque=\"%s\"", c->opaque);
	n = snprintf(out, sz, "%s: Digest username=\"%s\", realm=\"%s\", "
	    "nonce=\"%s\", uri=\"%s\", response=\"%s\", algorithm=MD5%s%s",
	    c->proxy ? "Proxy-Authorization" : "Authorization", user,
	    c->realm, c->nonce, uri, resp, qop, opaque);
	return n < 0 || (size_t)n >= sz ? -1 : n;
}

/* The phone's reason phrase, cut and escaped, into p->reason. */
static void
keep_reason(struct resync_phone *p, const char *buf, size_t len)
{
	osip_message_t	*msg = NULL;
	const char	*r;

	p->reason[0] = '\0';
	if (osip_message_init(&msg) != OSIP_SUCCESS)
		return;
	if (osip_message_parse(msg, buf, len) == OSIP_SUCCESS &&
	    (r = osip_message_get_reason_phrase(msg)) != NULL)
		log_escape(p->reason, sizeof(p->reason), r,
		    strnlen(r, SIPPNP_MSG_MAX));
	osip_message_free(msg);
}

enum resync_step
resync_on_response(struct resync_phone *p, const char *buf, size_t len,
    struct resync_challenge *c)
{
	struct sippnp_resp	 r;

	if (sippnp_parse_response(buf, len, &r) != SIPPNP_OK ||
	    strcmp(r.call_id, p->call_id) != 0 || r.cseq != p->cseq ||
	    strcasecmp(r.method, "NOTIFY") != 0 ||
	    strcmp(r.branch, p->branch) != 0)
		return RESYNC_STEP_IGNORE;
	if (r.status < 200)
		return RESYNC_STEP_WAIT;
	if ((r.status == 401 || r.status == 407) && !p->challenged) {
		if (p->password[0] == '\0')
			p->note = "no SIP password to answer the challenge "
			    "with (run as root)";
		else if (resync_parse_challenge(buf, len, c) != 0)
			p->note = "a challenge provboxctl cannot answer";
		else
			return RESYNC_STEP_AUTH;
	} else if ((r.status == 401 || r.status == 407) && p->challenged)
		p->note = "the digest answer was refused";
	else if (r.status == 481)
		p->note = "the phone does not take this event out of dialog";
	p->status = r.status;
	keep_reason(p, buf, len);
	p->result = r.status < 300 ? RESYNC_ACKED : RESYNC_REJECTED;
	return RESYNC_STEP_DONE;
}

/* ------------------------------------------------------------- the loop */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* n random bytes as hex into out (2n + 1 bytes). */
static int
rand_hex(char *out, size_t n)
{
	unsigned char b[16];

	if (n > sizeof(b) || RAND_bytes(b, (int)n) != 1)
		return -1;
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

static void
fail(struct resync_phone *p, const char *note)
{
	p->result = RESYNC_ERROR;
	p->note = note;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/*
 * Builds p's NOTIFY (a new transaction: new branch, CSeq p->cseq), with
 * hdr (an Authorization line) when not NULL. 0 or -1.
 */
static int
build(struct resync_phone *p, const char *hdr)
{
	struct sippnp_checksync_args	 a;
	char				 b[33], name[32];
	int				 n;

	if (rand_hex(b, 12) != 0)
		return -1;
	snprintf(p->branch, sizeof(p->branch), "z9hG4bK%s", b);
	memset(&a, 0, sizeof(a));
	a.target = p->uri;
	a.local = p->local;
	a.branch = p->branch;
	a.from_tag = p->from_tag;
	a.call_id = p->call_id;
	a.cseq = p->cseq;
	a.event = p->event;	/* the vendor's, reboot included */
	if (hdr != NULL) {
		/* "Authorization: Digest ..." as resync_authorization() writes it. */
		const char *colon = strstr(hdr, ": ");

		if (colon == NULL || (size_t)(colon - hdr) >= sizeof(name))
			return -1;
		memcpy(name, hdr, (size_t)(colon - hdr));
		name[colon - hdr] = '\0';
		a.auth_header = name;
		a.auth_value = colon + 2;
	}
	if ((n = sippnp_build_checksync(&a, p->msg, sizeof(p->msg))) < 0)
		return -1;
	p->msglen = (size_t)n;
	return 0;
}

/* The socket, our address, the identifiers and the first NOTIFY. */
static int
start(struct resync_phone *p)
{
	struct sockaddr_in	 sin, me;
	socklen_t		 melen = sizeof(me);
	char			 ip[IP4_STR_LEN], me_ip[INET_ADDRSTRLEN];
	char			 id[33];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(RESYNC_PORT);
	sin.sin_addr.s_addr = htonl(p->ip);
	if ((p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0) {
		fail(p, "cannot open a UDP socket");
		return -1;
	}
	/* The kernel picks our source address, which the Via must name. */
	if (connect(p->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(p->fd, (struct sockaddr *)&me, &melen) != 0 ||
	    inet_ntop(AF_INET, &me.sin_addr, me_ip, sizeof(me_ip)) == NULL) {
		fail(p, "no route to the phone's address");
		return -1;
	}
	snprintf(p->local, sizeof(p->local), "%s:%u", me_ip,
	    (unsigned)ntohs(me.sin_port));
	ip4_format(p->ip, ip);
	if (p->sip_user[0] != '\0')
		snprintf(p->uri, sizeof(p->uri), "sip:%s@%s:%u", p->sip_user,
		    ip, RESYNC_PORT);
	else
		snprintf(p->uri, sizeof(p->uri), "sip:%s:%u", ip, RESYNC_PORT);
	if (rand_hex(id, 16) != 0 || rand_hex(p->from_tag, 8) != 0) {
		fail(p, "the random number generator failed");
		return -1;
	}
	snprintf(p->call_id, sizeof(p->call_id), "%s@provbox", id);
	p->cseq = 1;
	if (build(p, NULL) != 0) {
		fail(p, "the NOTIFY cannot be built (an odd SIP user name?)");
		return -1;
	}
	return 0;
}

static void
transmit(struct resync_phone *p)
{
	/* A lost or refused datagram is what Timer E is for. */
	(void)send(p->fd, p->msg, p->msglen, 0);
}

/* Begins a transaction: sends, arms Timer E and the give-up time. */
static void
begin(struct resync_phone *p, uint64_t now, unsigned timeout_ms)
{
	p->due_ms = now + sippnp_timer_start(&p->timer);
	p->give_up_ms = now + timeout_ms;
	p->waited_ms = timeout_ms;
	transmit(p);
}

/* p's socket is readable: reads what is there. */
static void
readable(struct resync_phone *p, uint64_t now, unsigned timeout_ms)
{
	struct resync_challenge	 c;
	char			 buf[SIPPNP_MSG_MAX + 1], cnonce[17];
	char			 hdr[RESYNC_AUTH_MAX];
	ssize_t			 n;

	for (;;) {
		if ((n = recv(p->fd, buf, sizeof(buf), 0)) < 0) {
			/* ECONNREFUSED: an ICMP port unreachable; the
			 * phone may be booting, so retransmit on. */
			return;
		}
		if (n == 0 || (size_t)n > SIPPNP_MSG_MAX)
			continue;
		switch (resync_on_response(p, buf, (size_t)n, &c)) {
		case RESYNC_STEP_IGNORE:
			continue;
		case RESYNC_STEP_WAIT:
			sippnp_timer_provisional(&p->timer);
			continue;
		case RESYNC_STEP_DONE:
			close(p->fd);
			p->fd = -1;
			return;
		case RESYNC_STEP_AUTH:
			break;
		}
		/* RFC 3261 22.2: the same Call-ID and From tag, CSeq + 1. */
		p->challenged = 1;
		p->cseq++;
		if (rand_hex(cnonce, 8) != 0 ||
		    resync_authorization(&c, p->sip_user, p->password, p->uri,
		    cnonce, hdr, sizeof(hdr)) < 0 || build(p, hdr) != 0) {
			fail(p, "the digest answer cannot be built");
			return;
		}
		OPENSSL_cleanse(hdr, sizeof(hdr));
		begin(p, now, timeout_ms);
	}
}

int
resync_run(struct resync_phone *p, size_t n, unsigned timeout_ms)
{
	struct pollfd	*pfd = NULL;
	size_t		*idx = NULL;
	uint64_t	 now = now_ms();
	int		 ret = -1;

	if (timeout_ms == 0 || timeout_ms > SIPPNP_TF_MS)
		timeout_ms = SIPPNP_TF_MS;
	for (size_t i = 0; i < n; i++) {
		p[i].fd = -1;
		if (p[i].result == RESYNC_PENDING && start(&p[i]) == 0)
			begin(&p[i], now, timeout_ms);
	}
	if ((pfd = calloc(n + 1, sizeof(*pfd))) == NULL ||
	    (idx = calloc(n + 1, sizeof(*idx))) == NULL)
		goto done;
	for (;;) {
		uint64_t	 next = UINT64_MAX;
		size_t		 np = 0;
		int		 r;

		now = now_ms();
		for (size_t i = 0; i < n; i++) {
			unsigned delay;

			if (p[i].fd < 0)
				continue;
			if (now >= p[i].due_ms) {
				if (now >= p[i].give_up_ms ||
				    sippnp_timer_next(&p[i].timer, &delay) != 0) {
					p[i].result = RESYNC_TIMEOUT;
					close(p[i].fd);
					p[i].fd = -1;
					continue;
				}
				transmit(&p[i]);
				p[i].due_ms = now + delay;
				if (p[i].due_ms > p[i].give_up_ms)
					p[i].due_ms = p[i].give_up_ms;
			}
			if (p[i].due_ms < next)
				next = p[i].due_ms;
			pfd[np].fd = p[i].fd;
			pfd[np].events = POLLIN;
			idx[np++] = i;
		}
		if (np == 0)
			break;
		r = poll(pfd, np, next > now ? (int)(next - now) : 0);
		if (r < 0 && errno != EINTR)
			goto done;
		now = now_ms();
		for (size_t k = 0; r > 0 && k < np; k++)
			if (pfd[k].revents & (POLLIN | POLLERR))
				readable(&p[idx[k]], now, timeout_ms);
	}
	ret = 0;
done:
	for (size_t i = 0; i < n; i++) {
		if (p[i].fd >= 0) {
			close(p[i].fd);
			p[i].fd = -1;
			if (p[i].result == RESYNC_PENDING)
				p[i].result = RESYNC_ERROR;
		}
		OPENSSL_cleanse(p[i].password, sizeof(p[i].password));
		OPENSSL_cleanse(p[i].msg, sizeof(p[i].msg));
	}
	free(pfd);
	free(idx);
	return ret;
}
