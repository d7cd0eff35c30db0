/*
 * serve.c - what the provisioning service answers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "log.h"
#include "serve.h"
#include "settings.h"
#include "tmpl.h"

static const char *const refusal_names[REF_COUNT] = {
	[REF_NONE] = "-",
	[REF_BAD_PATH] = "bad-path",
	[REF_LONG_PATH] = "long-path",
	[REF_HEADERS] = "header-fields",
	[REF_METHOD] = "method",
	[REF_NOT_FOUND] = "not-found",
	[REF_TOKEN] = "token",
	[REF_NOT_USERS] = "not-users-device",
	[REF_ALLOWLIST] = "allowlist",
	[REF_LEASE] = "lease-binding",
	[REF_CERT_MISSING] = "client-cert-missing",
	[REF_CERT_CA] = "client-cert-ca",
	[REF_CERT_MAC] = "client-cert-mac",
	[REF_PLAIN_HTTP] = "plain-http",
	[REF_GUARD] = "guard",
	[REF_INTERNAL] = "internal",
	[REF_FA_CLOSED] = "first-access-closed",
	[REF_FA_LEASE] = "first-access-lease",
	[REF_NOT_ENROLLED] = "not-enrolled",
	[REF_IDENTITY] = "identity",
	[REF_ROTATED] = "rotated",
};

const char *
prov_refusal_str(enum prov_refusal r)
{
	if ((unsigned)r >= REF_COUNT)
		return "unknown";
	return refusal_names[r];
}

/*
 * The templates of a config: the ones cfg_load() parsed (and rendered
 * for every device) when it has them; else parsed here.
 */
struct prov_templates {
	const struct settings_templates	*ts;
	struct settings_templates	*own;
};

struct prov_templates *
prov_templates_load(const struct cfg *cfg, char *err, size_t errsz)
{
	struct prov_templates	*tp;
	struct cfg_errors	 errs;

	memset(&errs, 0, sizeof(errs));
	if ((tp = calloc(1, sizeof(*tp))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if ((tp->ts = cfg->templates) != NULL)
		return tp;
	if ((tp->own = settings_templates_load(cfg, &errs)) == NULL) {
		if (errs.n > 0)
			cfg_error_format(&errs.v[0], err, errsz);
		else
			snprintf(err, errsz, "out of memory");
		cfg_errors_free(&errs);
		free(tp);
		return NULL;
	}
	tp->ts = tp->own;
	return tp;
}

void
prov_templates_free(struct prov_templates *tp)
{
	if (tp == NULL)
		return;
	settings_templates_free(tp->own);
	free(tp);
}

void
prov_resp_clear(struct prov_resp *resp)
{
	if (resp->body != NULL) {
		OPENSSL_cleanse(resp->body, resp->len);
		free(resp->body);
		resp->body = NULL;
	}
	if (resp->fd >= 0)
		close(resp->fd);
	resp->fd = -1;
}

void
prov_resp_init(struct prov_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->fd = -1;
	resp->content_type = "text/plain";
}

void
prov_refuse(struct prov_resp *resp, enum prov_refusal why)
{
	resp->refused = why;
	switch (why) {
	case REF_BAD_PATH:
		resp->status = 400;
		resp->reason = "Bad Request";
		break;
	case REF_LONG_PATH:
		/* RFC 9110 15.5.15 */
		resp->status = 414;
		resp->reason = "URI Too Long";
		break;
	case REF_HEADERS:
		/* RFC 6585 5 */
		resp->status = 431;
		resp->reason = "Request Header Fields Too Large";
		break;
	case REF_METHOD:
		resp->status = 405;
		resp->reason = "Method Not Allowed";
		break;
	case REF_PLAIN_HTTP:
		resp->status = 403;
		resp->reason = "Forbidden";
		break;
	case REF_GUARD:
		resp->status = 429;
		resp->reason = "Too Many Requests";
		break;
	case REF_INTERNAL:
		resp->status = 500;
		resp->reason = "Internal Server Error";
		break;
	default:
		/* Every kind of miss looks the same from outside. */
		resp->status = 404;
		resp->reason = "Not Found";
		break;
	}
	resp->content_type = "text/plain";
}

static const char *
static_type(const char *name)
{
	static const struct {
		const char	*ext;
		const char	*type;
	} types[] = {
		{ ".cfg", "text/plain" }, { ".txt", "text/plain" },
		{ ".xml", "application/xml" }, { ".htm", "text/html" },
		{ ".html", "text/html" }, { ".wav", "audio/wav" },
		{ ".png", "image/png" }, { ".jpg", "image/jpeg" },
		{ ".bmp", "image/bmp" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]);
	    i++)
		if (strcasecmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* Parses "bytes=a-b", "bytes=a-", "bytes=-n" for a file of size; 0 or -1. */
static int
parse_range(const char *r, off_t size, off_t *start, off_t *end)
{
	char		*e;
	long long	 a = -1, b = -1;

	if (strncmp(r, "bytes=", 6) != 0 || strchr(r, ',') != NULL)
		return -1;
	r += 6;
	if (*r != '-') {
		a = strtoll(r, &e, 10);
		if (e == r || *e != '-' || a < 0)
			return -1;
		r = e + 1;
		if (*r != '\0') {
			b = strtoll(r, &e, 10);
			if (e == r || *e != '\0' || b < a)
				return -1;
		}
	} else {
		b = strtoll(r + 1, &e, 10);
		if (e == r + 1 || *e != '\0' || b <= 0)
			return -1;
		a = size > b ? size - b : 0;
		b = -1;
	}
	if (a >= size)
		return -1;
	*start = a;
	*end = b < 0 || b >= size ? size - 1 : b;
	return 0;
}

/* A file from static_dir (firmware, ring tones), with ETag and Range. */
static int
serve_static(const struct cfg *cfg, const struct prov_req *req,
    struct prov_resp *resp)
{
	struct stat	 st;
	char		 path[4096];
	off_t		 start = 0, end;
	int		 fd;

	if (cfg->prov.static_dir == NULL || (size_t)snprintf(path,
	    sizeof(path), "%s/%s", cfg->prov.static_dir, resp->file) >=
	    sizeof(path))
		return -1;
	/* O_NONBLOCK: open() of a FIFO would wait for a writer. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	snprintf(resp->etag, sizeof(resp->etag), "\"%llx-%llx\"",
	    (unsigned long long)st.st_size, (unsigned long long)st.st_mtime);
	resp->content_type = static_type(resp->file);
	if (req->if_none_match != NULL &&
	    strstr(req->if_none_match, resp->etag) != NULL) {
		close(fd);
		resp->status = 304;
		resp->reason = "Not Modified";
		return 0;
	}
	end = st.st_size - 1;
	resp->status = 200;
	resp->reason = "OK";
	if (req->range != NULL && st.st_size > 0) {
		if (parse_range(req->range, st.st_size, &start, &end) != 0) {
			close(fd);
			resp->status = 416;
			resp->reason = "Range Not Satisfiable";
			snprintf(resp->content_range,
			    sizeof(resp->content_range), "bytes */%lld",
			    (long long)st.st_size);
			return 0;
		}
		resp->status = 206;
		resp->reason = "Partial Content";
		snprintf(resp->content_range, sizeof(resp->content_range),
		    "bytes %lld-%lld/%lld", (long long)start, (long long)end,
		    (long long)st.st_size);
	}
	resp->off = start;
	resp->len = st.st_size > 0 ? (size_t)(end - start + 1) : 0;
	if (req->head) {
		close(fd);
		return 0;
	}
	resp->fd = fd;
	return 0;
}

/*
 * Renders m's template for user u and device d. url_token, when not NULL,
 * is the token of the folder the file names instead of the user's: the
 * first-access token (bootstrap), or "" for the flat folder (a legacy
 * phone keeps coming back to the folder DHCP names; its file does not
 * spread the user's token).
 */
static void
serve_rendered(const struct cfg *cfg, const struct prov_templates *tp,
    const struct file_match *m, const struct reg_user *u,
    const struct reg_device *d, int blank_credentials, const char *url_token,
    const struct prov_req *req, struct prov_resp *resp)
{
	const struct tmpl	*t;
	struct settings_in	 in;
	struct tv_doc		*doc;
	char			 url[512];
	ssize_t			 n;

	memset(&in, 0, sizeof(in));
	/* The template, and the parts of the tree it names. */
	if ((t = settings_template_parts(tp->ts, m->file, &in)) == NULL) {
		prov_refuse(resp, REF_INTERNAL);
		return;
	}
	in.vendor = m->vendor;
	url[0] = '\0';
	if (u != NULL)
		settings_in_user(&in, cfg, u, url_token, url, sizeof(url));
	if (d != NULL)
		settings_in_device(&in, d);
	/* Bootstrap: the phone learns only where its folder is. */
	in.blank_credentials = blank_credentials;
	doc = settings_tree(cfg, &in);
	OPENSSL_cleanse(url, sizeof(url));
	if (doc == NULL || (n = tmpl_render(t, tv_root(doc), m->file->format,
	    &resp->body)) < 0) {
		tv_doc_free(doc);
		prov_refuse(resp, REF_INTERNAL);
		return;
	}
	tv_doc_free(doc);
	resp->len = (size_t)n;
	resp->status = 200;
	resp->reason = "OK";
	resp->content_type = m->file->content_type;
	/*
	 * A phone's own file holds its password; a common file rendered for
	 * a user may name the user's folder. Neither is for a cache.
	 */
	resp->no_store = u != NULL;
	if (req->head) {
		OPENSSL_cleanse(resp->body, resp->len);
		free(resp->body);
		resp->body = NULL;
	}
}

/*
 * The per-device rule that answers name, and the device: vendors' file
 * names overlap (snom's and Gigaset's <MAC>.xml, Yealink's and Fanvil's
 * <mac>.cfg), so every class whose rule matches and names a MAC is tried,
 * and the class the registry files that device under wins. Returns 1 (m,
 * d filled), 0 (none; *named says whether some rule named a MAC, m then
 * holds that MAC), -1 on a registry failure. O(classes x rules).
 */
static int
device_file(const struct cfg *cfg, struct reg_txn *txn, const char *name,
    int legacy_only, struct file_match *m, struct reg_device *d, int *named)
{
	struct file_match	cand;
	int			x;

	*named = 0;
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < cfg->nvendors; i++) {
		const struct cfg_vendor *v = &cfg->vendors[i];

		if (legacy_only && v->mode != PROV_MODE_LEGACY)
			continue;
		for (size_t k = 0; k < v->nfiles; k++) {
			if (!v->files[k].per_device ||
			    !route_match_file(&v->files[k], name, &cand))
				continue;
			cand.vendor = v;
			if (!*named)
				*m = cand;
			*named = 1;
			if ((x = reg_device_get(txn, &cand.mac, d)) < 0)
				return -1;
			if (x == 0 && strcmp(d->vendor, v->name) == 0) {
				/* A rule for other models: the class's next. */
				if (!cfg_file_for_model(&v->files[k],
				    d->model[0] != '\0' ? d->model : NULL))
					continue;
				*m = cand;
				return 1;
			}
			break;	/* this class's rule matched: next class */
		}
	}
	return 0;
}

/* 1 if the class named vendor is that of one of u's devices. */
static int
users_class(const struct cfg *cfg, const struct cfg_user *u,
    const char *vendor)
{
	for (size_t i = 0; i < u->ndevices; i++)
		if (strcmp(cfg->vendors[u->devices[i].vendor].name,
		    vendor) == 0)
			return 1;
	return 0;
}

/*
 * A common (per-model) rule for name among the classes that pass: the
 * user's own classes for a token folder (user set), legacy classes for
 * the flat folder (user NULL).
 */
static int
common_file(const struct cfg *cfg, const char *user, const char *name,
    struct file_match *m)
{
	const struct cfg_user *u = NULL;

	/* Looked up once, not once per class: offices have many users. */
	if (user != NULL && (u = cfg_user_find(cfg, user)) == NULL)
		goto none;
	for (size_t i = 0; i < cfg->nvendors; i++) {
		const struct cfg_vendor *v = &cfg->vendors[i];

		if (u != NULL ? !users_class(cfg, u, v->name) :
		    v->mode != PROV_MODE_LEGACY)
			continue;
		for (size_t k = 0; k < v->nfiles; k++) {
			if (v->files[k].per_device ||
			    !route_match_file(&v->files[k], name, m))
				continue;
			m->vendor = v;
			return 1;
		}
	}
none:
	memset(m, 0, sizeof(*m));
	return 0;
}

/* A rule of class vc for a common file (no MAC in it) that name matches. */
static int
class_common_file(const struct cfg_vendor *vc, const char *name,
    struct file_match *m)
{
	for (size_t k = 0; k < vc->nfiles; k++) {
		if (vc->files[k].per_device ||
		    !route_match_file(&vc->files[k], name, m))
			continue;
		m->vendor = vc;
		return 1;
	}
	memset(m, 0, sizeof(*m));
	return 0;
}

int
prov_lease_at(struct reg_txn *txn, uint32_t ip, const struct mac_addr *mac,
    time_t now, struct reg_lease *l)
{
	int r;

	if (ip == 0)
		return 0;
	if ((r = reg_lease_get(txn, ip, l)) != 0)
		return r < 0 ? -1 : 0;
	return l->state == LEASE_BOUND && l->expire > now && l->htype == 1 &&
	    l->hlen == 6 && (mac == NULL || memcmp(l->chaddr, mac->b, 6) == 0);
}

/* 1 if the request's client certificate proves mac, else refused, 0. */
static int
cert_proves(const struct prov_req *req, const struct mac_addr *mac,
    struct prov_resp *resp)
{
	if (!req->cert_present)
		prov_refuse(resp, REF_CERT_MISSING);
	else if (!req->cert_verified)
		prov_refuse(resp, REF_CERT_CA);
	else if (!req->cert_has_mac || mac_cmp(&req->cert_mac, mac) != 0)
		prov_refuse(resp, REF_CERT_MAC);
	else
		return 1;
	return 0;
}

/* What this request teaches the device's enrollment. */
static void
set_eop(struct prov_resp *resp, enum enroll_op_kind kind,
    const struct mac_addr *mac, uint32_t ip, const struct reg_lease *l,
    const char *what, const char *file)
{
	struct enroll_op *op = &resp->eop;

	op->kind = (uint8_t)kind;
	op->mac = *mac;
	op->ip = ip;
	op->id_len = 0;
	if (l != NULL) {
		op->id_len = l->client_key_len;
		memcpy(op->id, l->client_key, l->client_key_len);
	}
	snprintf(op->detail, sizeof(op->detail), "%.90s%s%.64s", what,
	    file[0] != '\0' ? ": " : "", file);
}

/*
 * The device's own files through its first-access token (enroll.h): only
 * to the address holding its lease under the identity the token went to,
 * only while the token lives. The file carries the permanent URL.
 */
static void
serve_first_access(const struct cfg *cfg, const struct prov_templates *tp,
    struct reg_txn *txn, const struct route *r, const struct mac_addr *mac,
    const struct prov_req *req, struct prov_resp *resp)
{
	const struct cfg_vendor	*vc;
	struct reg_enroll	 e;
	struct reg_device	 d, dd;
	struct reg_user		 u;
	struct reg_lease	 l;
	struct file_match	 m;
	int			 x, named;

	memset(&u, 0, sizeof(u));
	memset(&e, 0, sizeof(e));
	resp->first_access = 1;
	resp->mac = *mac;
	resp->has_mac = 1;
	if ((x = reg_device_get(txn, mac, &d)) != 0 ||
	    (x = reg_enroll_get(txn, mac, &e)) != 0) {
		prov_refuse(resp, x < 0 ? REF_INTERNAL : REF_TOKEN);
		goto done;
	}
	snprintf(resp->user, sizeof(resp->user), "%s", d.user);
	if ((vc = cfg_vendor_find(cfg, d.vendor)) != NULL)
		resp->vendor = vc->name;
	if (!req->tls) {
		prov_refuse(resp, REF_PLAIN_HTTP);
		goto done;
	}
	if (!enroll_fa_live(&e, req->now, cfg->prov.enroll.fa_limit)) {
		prov_refuse(resp, REF_FA_CLOSED);
		set_eop(resp, EOP_REFUSED, mac, req->peer_ip4, NULL,
		    "first-access URL no longer open", r->file);
		goto done;
	}
	if ((x = prov_lease_at(txn, req->peer_ip4, mac, req->now, &l)) < 0) {
		prov_refuse(resp, REF_INTERNAL);
		goto done;
	}
	if (x == 0 || !enroll_id_is(&e, l.client_key, l.client_key_len)) {
		/* A replay from elsewhere: exactly what to raise an alarm on. */
		prov_refuse(resp, REF_FA_LEASE);
		set_eop(resp, EOP_REFUSED, mac, req->peer_ip4, NULL,
		    x == 0 ? "first-access URL from an address without the "
		    "device's lease" : "first-access URL from another client "
		    "identity", r->file);
		goto done;
	}
	if (vc == NULL || (x = reg_user_get(txn, d.user, &u)) != 0 ||
	    u.token[0] == '\0') {
		/* A removed class or user, or a revoked token: nothing. */
		prov_refuse(resp, vc != NULL && x < 0 ? REF_INTERNAL : REF_TOKEN);
		goto done;
	}
	if ((x = device_file(cfg, txn, r->file, 0, &m, &dd, &named)) < 0) {
		prov_refuse(resp, REF_INTERNAL);
		goto done;
	}
	if (x == 1 || named) {
		if (x != 1 || mac_cmp(&m.mac, mac) != 0) {
			prov_refuse(resp, REF_NOT_USERS);
			goto done;
		}
		if (m.vendor->client_cert && !cert_proves(req, mac, resp))
			goto done;
		serve_rendered(cfg, tp, &m, &u, &d, 0, NULL, req, resp);
		if (resp->status == 200 && !req->head)
			set_eop(resp, EOP_FETCHED, mac, req->peer_ip4, &l,
			    "file", r->file);
		goto done;
	}
	if (class_common_file(vc, r->file, &m)) {
		serve_rendered(cfg, tp, &m, &u, NULL, 0, NULL, req, resp);
		goto done;
	}
	prov_refuse(resp, REF_NOT_FOUND);
done:
	reg_enroll_clear(&e);
	reg_user_clear(&u);
	reg_device_clear(&d);
	reg_device_clear(&dd);
}

/*
 * A request with a user's permanent token that went well: if it came
 * from the lease of one of that user's devices, under the identity that
 * device was enrolled with, the device is provisioned (and its
 * first-access token dead). Reads only; the change goes out in eop.
 */
static void
note_permanent(struct reg_txn *txn, const struct reg_user *u,
    const struct prov_req *req, struct prov_resp *resp)
{
	struct reg_lease	 l;
	struct reg_device	 d;
	struct reg_enroll	 e;
	struct mac_addr		 mac;
	int			 r, skip;

	if (resp->status >= 400 ||
	    prov_lease_at(txn, req->peer_ip4, NULL, req->now, &l) != 1)
		return;
	memcpy(mac.b, l.chaddr, 6);
	if (reg_device_get(txn, &mac, &d) != 0 || strcmp(d.user, u->name) != 0)
		return;
	if ((r = reg_enroll_get(txn, &mac, &e)) < 0)
		return;
	skip = !enroll_wants_seen(r == 0 ? &e : NULL, u->token_created) ||
	    (r == 0 && e.id_len != 0 && !enroll_id_is(&e, l.client_key,
	    l.client_key_len));
	if (r == 0)
		reg_enroll_clear(&e);
	if (!skip) {
		set_eop(resp, EOP_PROVISIONED, &mac, req->peer_ip4, &l,
		    "permanent URL used", resp->file);
		resp->eop.token_created = u->token_created;
	}
}

/*
 * A request with the token a rotation replaced: it answers during the
 * grace (provboxctl rotate), with files that name the new URL, so a
 * phone that pinned the old one moves in one fetch; a device that has
 * used the new token is done with the old one. 1 to serve, 0 refused.
 */
static int
old_token_ok(struct reg_txn *txn, const struct reg_user *u,
    const struct file_match *m, int own_file, const struct prov_req *req,
    struct prov_resp *resp)
{
	struct reg_enroll	e;
	int			r, done;

	if (req->now >= u->old_until || u->token[0] == '\0') {
		prov_refuse(resp, REF_ROTATED);
		return 0;
	}
	if (!own_file)
		return 1;
	if ((r = reg_enroll_get(txn, &m->mac, &e)) < 0) {
		prov_refuse(resp, REF_INTERNAL);
		return 0;
	}
	done = r == 0 && e.token_seen >= u->token_created;
	if (r == 0)
		reg_enroll_clear(&e);
	if (done) {
		prov_refuse(resp, REF_ROTATED);
		return 0;
	}
	return 1;
}

static void
serve_token(const struct cfg *cfg, const struct prov_templates *tp,
    struct reg_txn *txn, const struct route *r, const struct prov_req *req,
    struct prov_resp *resp)
{
	struct reg_user		 u;
	struct reg_device	 d;
	struct file_match	 m;
	struct mac_addr		 famac;
	char			 name[CFG_NAME_MAX + 1];
	int			 x, named, old;

	memset(&u, 0, sizeof(u));
	log_redact(resp->token_hint, sizeof(resp->token_hint), r->token);
	if ((x = reg_token_lookup(txn, r->token, strlen(r->token), name)) ==
	    REG_NOTFOUND && (x = reg_fa_lookup(txn, r->token,
	    strlen(r->token), &famac)) == 0) {
		serve_first_access(cfg, tp, txn, r, &famac, req, resp);
		goto done;
	}
	if (x != 0 || (x = reg_user_get(txn, name, &u)) != 0) {
		prov_refuse(resp, x < 0 ? REF_INTERNAL : REF_TOKEN);
		goto done;
	}
	snprintf(resp->user, sizeof(resp->user), "%s", u.name);
	if (!req->tls) {
		/* A token folder over plain HTTP would show the token. */
		prov_refuse(resp, REF_PLAIN_HTTP);
		goto done;
	}
	/* Found by its hash: the text now says which of the two it is. */
	old = u.old_token[0] != '\0' && CRYPTO_memcmp(u.old_token, r->token,
	    TOKEN_LEN) == 0;
	if ((x = device_file(cfg, txn, r->file, 0, &m, &d, &named)) < 0) {
		prov_refuse(resp, REF_INTERNAL);
		goto done;
	}
	if (x == 1 || named) {
		resp->mac = m.mac;
		resp->has_mac = 1;
		resp->vendor = m.vendor->name;
		/* Not this user's device: the same 404 as a missing file. */
		if (x != 1 || strcmp(d.user, u.name) != 0) {
			prov_refuse(resp, REF_NOT_USERS);
			goto done;
		}
		if (m.vendor->client_cert && !cert_proves(req, &m.mac, resp))
			goto done;
		if (old && !old_token_ok(txn, &u, &m, 1, req, resp))
			goto done;
		serve_rendered(cfg, tp, &m, &u, &d, 0, NULL, req, resp);
	} else if (common_file(cfg, u.name, r->file, &m)) {
		resp->vendor = m.vendor->name;
		if (old && !old_token_ok(txn, &u, &m, 0, req, resp))
			goto done;
		serve_rendered(cfg, tp, &m, &u, NULL, 0, NULL, req, resp);
	} else if ((old && !old_token_ok(txn, &u, &m, 0, req, resp)) ||
	    serve_static(cfg, req, resp) != 0) {
		if (!old || resp->refused == REF_NONE)
			prov_refuse(resp, REF_NOT_FOUND);
		goto done;
	}
	if (!old)
		note_permanent(txn, &u, req, resp);
done:
	reg_user_clear(&u);
	reg_device_clear(&d);
}

/*
 * Enrollment's word on a legacy phone's own file, for a requester that
 * holds the MAC's lease l (lease binding on, no certificate required):
 * the lease's identity must be the one enrolled; a phone not yet bound
 * is bound to it during an open window. Returns 1 to serve, 0 refused.
 */
static int
legacy_identity(const struct reg_enroll *e, int found,
    const struct reg_lease *l, const struct mac_addr *mac,
    const struct prov_req *req, struct prov_resp *resp)
{
	char a[64], b[64], detail[REG_EVENT_DETAIL_MAX];

	/*
	 * The identity bound at enrollment holding the lease is the phone,
	 * suspect or not: another host spoofing its MAC must not be able to
	 * cut it off from its file (the alarm is raised all the same).
	 */
	if (found && e->id_len != 0) {
		if (enroll_id_is(e, l->client_key, l->client_key_len))
			return 1;
		if (e->state == ENROLL_SUSPECT) {
			prov_refuse(resp, REF_IDENTITY);
			return 0;
		}
		prov_refuse(resp, REF_IDENTITY);
		snprintf(detail, sizeof(detail), "duplicate MAC: enrolled as "
		    "%s, lease held by %s", enroll_id_str(e->id, e->id_len, a,
		    sizeof(a)), enroll_id_str(l->client_key,
		    l->client_key_len, b, sizeof(b)));
		set_eop(resp, EOP_DUPLICATE, mac, req->peer_ip4, l, detail,
		    "");
		return 0;
	}
	if (found && e->state == ENROLL_SUSPECT) {
		prov_refuse(resp, REF_IDENTITY);
		return 0;
	}
	if (found && enroll_state_at(e, req->now) == ENROLL_ENROLLING)
		return 1;
	prov_refuse(resp, REF_NOT_ENROLLED);
	return 0;
}

static void
serve_legacy(const struct cfg *cfg, const struct prov_templates *tp,
    struct reg_txn *txn, const struct prov_req *req, struct prov_resp *resp)
{
	const struct cfg_legacy	*g;
	struct reg_user		 u;
	struct reg_device	 d;
	struct reg_enroll	 e;
	struct reg_lease	 l;
	struct file_match	 m;
	int			 x, named, found = 0, bound = 0;

	memset(&u, 0, sizeof(u));
	memset(&e, 0, sizeof(e));
	if ((x = device_file(cfg, txn, resp->file, 1, &m, &d, &named)) < 0) {
		prov_refuse(resp, REF_INTERNAL);
		return;
	}
	if (x == 0 && !named) {
		if (common_file(cfg, NULL, resp->file, &m)) {
			resp->vendor = m.vendor->name;
			serve_rendered(cfg, tp, &m, NULL, NULL, 0, NULL, req,
			    resp);
		} else if (serve_static(cfg, req, resp) != 0)
			prov_refuse(resp, REF_NOT_FOUND);
		return;
	}
	resp->vendor = m.vendor->name;
	resp->mac = m.mac;
	resp->has_mac = 1;
	g = &m.vendor->legacy;
	/*
	 * Never in clear text: a phone's file holds its password, and a
	 * bootstrap file a first-access URL. Refused before anything about
	 * the MAC is looked at, so the answer tells nothing about it. The
	 * one exception is the admin's: a class with tftp = true, whose
	 * phones fetch over TFTP and nothing else.
	 */
	if (!req->tls && !(req->tftp && m.vendor->tftp)) {
		prov_refuse(resp, REF_PLAIN_HTTP);
		return;
	}
	/*
	 * Not registered in a legacy class: refused by the allowlist, or,
	 * without it, simply nothing to serve. Every refusal below is the
	 * same 404 (prov_refuse()), so none tells a registered MAC from another.
	 */
	if (x == 0) {
		prov_refuse(resp, g->allowlist ? REF_ALLOWLIST : REF_NOT_FOUND);
		return;
	}
	snprintf(resp->user, sizeof(resp->user), "%s", d.user);
	if (g->lease_binding) {
		if ((x = prov_lease_at(txn, req->peer_ip4, &m.mac, req->now,
		    &l)) < 0) {
			prov_refuse(resp, REF_INTERNAL);
			return;
		}
		if (x == 0) {
			prov_refuse(resp, REF_LEASE);
			return;
		}
		bound = 1;
	}
	if (g->client_cert && !cert_proves(req, &m.mac, resp))
		return;
	if ((x = reg_enroll_get(txn, &m.mac, &e)) < 0) {
		prov_refuse(resp, REF_INTERNAL);
		return;
	}
	found = x == 0;
	/* Without a certificate, the lease's identity is the proof left. */
	if (bound && !g->client_cert && !legacy_identity(&e, found, &l,
	    &m.mac, req, resp))
		goto done;
	if (g->bootstrap && !(found && enroll_fa_live(&e, req->now,
	    cfg->prov.enroll.fa_limit))) {
		/* A bootstrap file is only a first-access URL: none now. */
		prov_refuse(resp, REF_NOT_ENROLLED);
		goto done;
	}
	if ((x = reg_user_get(txn, d.user, &u)) != 0) {
		prov_refuse(resp, x < 0 ? REF_INTERNAL : REF_NOT_FOUND);
		goto done;
	}
	if (g->bootstrap) {
		serve_rendered(cfg, tp, &m, &u, &d, 1, e.fa_token, req, resp);
		/* It names a first-access URL: never kept by a cache. */
		resp->no_store = 1;
		if (resp->status == 200 && bound && e.id_len == 0)
			set_eop(resp, EOP_HANDED, &m.mac, req->peer_ip4, &l,
			    "bootstrap", resp->file);
		goto done;
	}
	serve_rendered(cfg, tp, &m, &u, &d, 0, "", req, resp);
	if (resp->status == 200 && !req->head && (!found ||
	    e.state != ENROLL_PROVISIONED))
		set_eop(resp, EOP_PROVISIONED, &m.mac, req->peer_ip4,
		    bound ? &l : NULL, "flat folder", resp->file);
done:
	reg_enroll_clear(&e);
	reg_user_clear(&u);
	reg_device_clear(&d);
}

void
prov_handle(const struct cfg *cfg, const struct prov_templates *tp,
    struct reg_txn *txn, const struct prov_req *req, struct prov_resp *resp)
{
	struct route r;

	prov_resp_init(resp);
	resp->kind = route_parse(cfg, req->path, &r);
	snprintf(resp->file, sizeof(resp->file), "%s", r.file);
	/* TFTP names a file of the flat folder, nothing else. */
	if (req->tftp && resp->kind != ROUTE_LEGACY && resp->kind !=
	    ROUTE_BAD)
		resp->kind = ROUTE_NONE;
	switch (resp->kind) {
	case ROUTE_BAD:
		/* Longer than any path served: not even decoded. */
		prov_refuse(resp, req->path != NULL && strlen(req->path) >
		    ROUTE_PATH_MAX ? REF_LONG_PATH : REF_BAD_PATH);
		break;
	case ROUTE_NONE:
		prov_refuse(resp, REF_NOT_FOUND);
		break;
	case ROUTE_TOKEN:
		serve_token(cfg, tp, txn, &r, req, resp);
		break;
	case ROUTE_LEGACY:
		serve_legacy(cfg, tp, txn, req, resp);
		break;
	case ROUTE_STATIC:
		if (serve_static(cfg, req, resp) != 0)
			prov_refuse(resp, REF_NOT_FOUND);
		break;
	}
	if (txn->err != REG_OK && resp->refused != REF_INTERNAL) {
		prov_resp_clear(resp);
		prov_refuse(resp, REF_INTERNAL);
	}
}
