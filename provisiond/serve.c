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
#include "render.h"
#include "serve.h"

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
};

const char *
prov_refusal_str(enum prov_refusal r)
{
	if ((unsigned)r >= REF_COUNT)
		return "unknown";
	return refusal_names[r];
}

/* One loaded template per vendor file rule, in config order. */
struct prov_templates {
	const struct cfg_file	**files;
	struct render_tmpl	**tmpl;
	size_t			 n;
};

struct prov_templates *
prov_templates_load(const struct cfg *cfg, char *err, size_t errsz)
{
	struct prov_templates	*tp;
	size_t			 n = 0;

	for (size_t i = 0; i < cfg->nvendors; i++)
		n += cfg->vendors[i].nfiles;
	if ((tp = calloc(1, sizeof(*tp))) == NULL ||
	    (n > 0 && ((tp->files = calloc(n, sizeof(*tp->files))) == NULL ||
	    (tp->tmpl = calloc(n, sizeof(*tp->tmpl))) == NULL))) {
		snprintf(err, errsz, "out of memory");
		prov_templates_free(tp);
		return NULL;
	}
	for (size_t i = 0; i < cfg->nvendors; i++) {
		for (size_t k = 0; k < cfg->vendors[i].nfiles; k++) {
			const struct cfg_file *f = &cfg->vendors[i].files[k];

			tp->files[tp->n] = f;
			if ((tp->tmpl[tp->n] = render_load(f->template, err,
			    errsz)) == NULL) {
				prov_templates_free(tp);
				return NULL;
			}
			tp->n++;
		}
	}
	return tp;
}

void
prov_templates_free(struct prov_templates *tp)
{
	if (tp == NULL)
		return;
	for (size_t i = 0; i < tp->n; i++)
		render_free(tp->tmpl[i]);
	free(tp->tmpl);
	free(tp->files);
	free(tp);
}

static const struct render_tmpl *
template_for(const struct prov_templates *tp, const struct cfg_file *f)
{
	for (size_t i = 0; i < tp->n; i++)
		if (tp->files[i] == f)
			return tp->tmpl[i];
	return NULL;
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

static void
refuse(struct prov_resp *resp, enum prov_refusal why)
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
	case REF_LEASE:
	case REF_CERT_MISSING:
	case REF_CERT_CA:
	case REF_CERT_MAC:
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

/* Everything a template may show, for one user and (optionally) device. */
static void
fill_vals(const struct cfg *cfg, const struct reg_user *u,
    const struct reg_device *d, struct render_vals *v, char *port,
    size_t portsz, char *mac, char *MAC, char *url, size_t urlsz)
{
	memset(v, 0, sizeof(*v));
	v->v[RV_BASE_URL] = cfg->prov.base_url;
	url[0] = '\0';
	if (u != NULL) {
		v->v[RV_USER] = u->name;
		v->v[RV_DISPLAY_NAME] = u->display_name;
		v->v[RV_SIP_USER] = u->sip_user;
		v->v[RV_SIP_PASSWORD] = u->sip_password;
		v->v[RV_SIP_SERVER] = u->sip_server;
		snprintf(port, portsz, "%u", u->sip_port);
		v->v[RV_SIP_PORT] = port;
		if (u->token[0] != '\0' && cfg->prov.base_url != NULL)
			snprintf(url, urlsz, "%s%s/%s/", cfg->prov.base_url,
			    cfg->prov.token_path, u->token);
		v->v[RV_PROV_URL] = url;
	}
	if (d != NULL) {
		v->v[RV_MAC] = mac_format_plain(&d->mac, mac, 0);
		v->v[RV_MAC_UPPER] = mac_format_plain(&d->mac, MAC, 1);
		v->v[RV_MODEL] = d->model;
		v->v[RV_VENDOR] = d->vendor;
	}
}

static void
serve_rendered(const struct cfg *cfg, const struct prov_templates *tp,
    const struct file_match *m, const struct reg_user *u,
    const struct reg_device *d, int blank_credentials,
    const struct prov_req *req, struct prov_resp *resp)
{
	const struct render_tmpl	*t = template_for(tp, m->file);
	struct render_vals		 v;
	char				 port[8], mac[MAC_PLAIN_LEN];
	char				 MAC[MAC_PLAIN_LEN], url[512];
	ssize_t				 n;

	if (t == NULL) {
		refuse(resp, REF_INTERNAL);
		return;
	}
	fill_vals(cfg, u, d, &v, port, sizeof(port), mac, MAC, url,
	    sizeof(url));
	if (v.v[RV_VENDOR] == NULL)
		v.v[RV_VENDOR] = m->vendor->name;
	if (blank_credentials) {
		/* Bootstrap: the phone learns only where its folder is. */
		v.v[RV_SIP_USER] = "";
		v.v[RV_SIP_PASSWORD] = "";
	}
	if ((n = render(t, &v, m->file->format, &resp->body)) < 0) {
		refuse(resp, REF_INTERNAL);
		return;
	}
	resp->len = (size_t)n;
	resp->status = 200;
	resp->reason = "OK";
	resp->content_type = m->file->content_type;
	resp->no_store = u != NULL && m->file->per_device;
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

static void
serve_token(const struct cfg *cfg, const struct prov_templates *tp,
    struct reg_txn *txn, const struct route *r, const struct prov_req *req,
    struct prov_resp *resp)
{
	struct reg_user		 u;
	struct reg_device	 d;
	struct file_match	 m;
	char			 name[CFG_NAME_MAX + 1];
	int			 x, named;

	memset(&u, 0, sizeof(u));
	log_redact(resp->token_hint, sizeof(resp->token_hint), r->token);
	if ((x = reg_token_lookup(txn, r->token, strlen(r->token), name)) !=
	    0 || (x = reg_user_get(txn, name, &u)) != 0) {
		refuse(resp, x < 0 ? REF_INTERNAL : REF_TOKEN);
		goto done;
	}
	snprintf(resp->user, sizeof(resp->user), "%s", u.name);
	if (!req->tls) {
		/* A token folder over plain HTTP would show the token. */
		refuse(resp, REF_PLAIN_HTTP);
		goto done;
	}
	if ((x = device_file(cfg, txn, r->file, 0, &m, &d, &named)) < 0) {
		refuse(resp, REF_INTERNAL);
		goto done;
	}
	if (x == 1 || named) {
		resp->mac = m.mac;
		resp->has_mac = 1;
		resp->vendor = m.vendor->name;
		/* Not this user's device: the same 404 as a missing file. */
		if (x != 1 || strcmp(d.user, u.name) != 0) {
			refuse(resp, REF_NOT_USERS);
			goto done;
		}
		serve_rendered(cfg, tp, &m, &u, &d, 0, req, resp);
		goto done;
	}
	if (common_file(cfg, u.name, r->file, &m)) {
		resp->vendor = m.vendor->name;
		serve_rendered(cfg, tp, &m, &u, NULL, 0, req, resp);
		goto done;
	}
	if (serve_static(cfg, req, resp) != 0)
		refuse(resp, REF_NOT_FOUND);
done:
	reg_user_clear(&u);
}

/* 1 if ip holds a live lease for mac (RFC 2131 bound, not expired). */
static int
holds_lease(struct reg_txn *txn, uint32_t ip, const struct mac_addr *mac,
    time_t now)
{
	struct reg_lease l;

	if (ip == 0 || reg_lease_get(txn, ip, &l) != 0)
		return 0;
	return l.state == LEASE_BOUND && l.expire > now && l.htype == 1 &&
	    l.hlen == 6 && memcmp(l.chaddr, mac->b, 6) == 0;
}

static void
serve_legacy(const struct cfg *cfg, const struct prov_templates *tp,
    struct reg_txn *txn, const struct prov_req *req, struct prov_resp *resp)
{
	const struct cfg_legacy	*g;
	struct reg_user		 u;
	struct reg_device	 d;
	struct file_match	 m;
	int			 x, named;

	memset(&u, 0, sizeof(u));
	if ((x = device_file(cfg, txn, resp->file, 1, &m, &d, &named)) < 0) {
		refuse(resp, REF_INTERNAL);
		return;
	}
	if (x == 0 && !named) {
		if (common_file(cfg, NULL, resp->file, &m)) {
			resp->vendor = m.vendor->name;
			serve_rendered(cfg, tp, &m, NULL, NULL, 0, req, resp);
		} else if (serve_static(cfg, req, resp) != 0)
			refuse(resp, REF_NOT_FOUND);
		return;
	}
	resp->vendor = m.vendor->name;
	resp->mac = m.mac;
	resp->has_mac = 1;
	g = &m.vendor->legacy;
	/*
	 * Not registered in a legacy class: refused by the allowlist, or,
	 * without it, simply nothing to serve.
	 */
	if (x == 0) {
		refuse(resp, g->allowlist ? REF_ALLOWLIST : REF_NOT_FOUND);
		return;
	}
	snprintf(resp->user, sizeof(resp->user), "%s", d.user);
	if (g->lease_binding && !holds_lease(txn, req->peer_ip4, &m.mac,
	    req->now)) {
		refuse(resp, REF_LEASE);
		return;
	}
	if (g->client_cert) {
		if (!req->cert_present) {
			refuse(resp, REF_CERT_MISSING);
			return;
		}
		if (!req->cert_verified) {
			refuse(resp, REF_CERT_CA);
			return;
		}
		if (!req->cert_has_mac ||
		    mac_cmp(&req->cert_mac, &m.mac) != 0) {
			refuse(resp, REF_CERT_MAC);
			return;
		}
	}
	/*
	 * Never in clear text: a phone's file holds its password, and a
	 * bootstrap file its token URL.
	 */
	if (!req->tls) {
		refuse(resp, REF_PLAIN_HTTP);
		return;
	}
	if ((x = reg_user_get(txn, d.user, &u)) != 0) {
		refuse(resp, x < 0 ? REF_INTERNAL : REF_NOT_FOUND);
		goto done;
	}
	serve_rendered(cfg, tp, &m, &u, &d, g->bootstrap, req, resp);
	if (g->bootstrap)
		resp->no_store = 0;
done:
	reg_user_clear(&u);
}

void
prov_handle(const struct cfg *cfg, const struct prov_templates *tp,
    struct reg_txn *txn, const struct prov_req *req, struct prov_resp *resp)
{
	struct route r;

	memset(resp, 0, sizeof(*resp));
	resp->fd = -1;
	resp->content_type = "text/plain";
	resp->kind = route_parse(cfg, req->path, &r);
	snprintf(resp->file, sizeof(resp->file), "%s", r.file);
	switch (resp->kind) {
	case ROUTE_BAD:
		/* Longer than any path served: not even decoded. */
		refuse(resp, req->path != NULL && strlen(req->path) >
		    ROUTE_PATH_MAX ? REF_LONG_PATH : REF_BAD_PATH);
		break;
	case ROUTE_NONE:
		refuse(resp, REF_NOT_FOUND);
		break;
	case ROUTE_TOKEN:
		serve_token(cfg, tp, txn, &r, req, resp);
		break;
	case ROUTE_LEGACY:
		serve_legacy(cfg, tp, txn, req, resp);
		break;
	case ROUTE_STATIC:
		if (serve_static(cfg, req, resp) != 0)
			refuse(resp, REF_NOT_FOUND);
		break;
	}
	if (txn->err != REG_OK && resp->refused != REF_INTERNAL) {
		prov_resp_clear(resp);
		refuse(resp, REF_INTERNAL);
	}
}
