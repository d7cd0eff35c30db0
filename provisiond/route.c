/*
 * route.c - what a provisioning request asks for.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "route.h"

static const char *const kind_names[] = {
	[ROUTE_BAD] = "bad",
	[ROUTE_NONE] = "none",
	[ROUTE_TOKEN] = "token",
	[ROUTE_LEGACY] = "legacy",
	[ROUTE_STATIC] = "static",
};

const char *
route_kind_str(enum route_kind kind)
{
	if ((unsigned)kind > ROUTE_STATIC)
		return "unknown";
	return kind_names[kind];
}

static int
name_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

/*
 * Percent-decodes src into dst (dstsz bytes with the NUL). Refuses
 * encoded '/', '\' and NUL, malformed escapes, control and non-ASCII bytes.
 */
static int
decode(const char *src, char *dst, size_t dstsz)
{
	size_t o = 0;

	for (const char *p = src; *p != '\0' && *p != '?' && *p != '#'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '%') {
			int hi = hex_digit(p[1]), lo;

			if (hi < 0 || (lo = hex_digit(p[2])) < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			if (c == '/' || c == '\\' || c == '\0' || c == '%')
				return -1;
			p += 2;
		}
		if (c < 0x21 || c >= 0x7f || c == '\\')
			return -1;
		if (o + 1 >= dstsz)
			return -1;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return 0;
}

/* 1 if s is a plain file name: name characters, not "." or "..". */
static int
valid_file(const char *s, size_t len)
{
	if (len == 0 || len > ROUTE_FILE_MAX || s[0] == '.')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!name_char(s[i]))
			return 0;
	return 1;
}

/* If path starts with the folder prefix, the rest after its '/'. */
static const char *
under(const char *path, const char *prefix)
{
	size_t len = strlen(prefix);

	if (strncmp(path, prefix, len) != 0 || path[len] != '/')
		return NULL;
	return path + len + 1;
}

enum route_kind
route_parse(const struct cfg *cfg, const char *path, struct route *out)
{
	char		 buf[ROUTE_PATH_MAX + 1];
	const char	*rest, *slash;

	memset(out, 0, sizeof(*out));
	out->kind = ROUTE_BAD;
	if (path == NULL || path[0] != '/' || strlen(path) > ROUTE_PATH_MAX ||
	    decode(path, buf, sizeof(buf)) != 0)
		return out->kind;
	/* No segment may be "." or "..", and no empty segment. */
	for (const char *p = buf; *p != '\0'; p++)
		if (p[0] == '/' && (p[1] == '/' || (p[1] == '.' && (p[2] ==
		    '/' || p[2] == '\0' || (p[2] == '.' && (p[3] == '/' ||
		    p[3] == '\0'))))))
			return out->kind;

	out->kind = ROUTE_NONE;
	if ((rest = under(buf, cfg->prov.token_path)) != NULL) {
		if ((slash = strchr(rest, '/')) == NULL)
			return out->kind;
		/* A malformed token is a miss like any wrong token. */
		if (!token_valid_format(rest, (size_t)(slash - rest)) ||
		    !valid_file(slash + 1, strlen(slash + 1)))
			return out->kind;
		memcpy(out->token, rest, TOKEN_LEN);
		out->token[TOKEN_LEN] = '\0';
		memcpy(out->file, slash + 1, strlen(slash + 1) + 1);
		out->kind = ROUTE_TOKEN;
	} else if ((rest = under(buf, cfg->prov.legacy_path)) != NULL) {
		if (!valid_file(rest, strlen(rest)))
			return out->kind;
		memcpy(out->file, rest, strlen(rest) + 1);
		out->kind = ROUTE_LEGACY;
	} else if ((rest = under(buf, "/static")) != NULL) {
		if (!valid_file(rest, strlen(rest)))
			return out->kind;
		memcpy(out->file, rest, strlen(rest) + 1);
		out->kind = ROUTE_STATIC;
	}
	return out->kind;
}

/*
 * Matches name from position n against pattern from position p,
 * backtracking over '*' and ${model} (at most one of each pattern's
 * variable runs, so the cost is O(len^2) at worst for 128-byte names).
 */
static int
match(const char *p, const char *n, struct file_match *m)
{
	while (*p != '\0') {
		if (strncmp(p, "${mac}", 6) == 0 ||
		    strncmp(p, "${MAC}", 6) == 0) {
			size_t	 len = 0;

			/* aabbccddeeff, or aa-bb-cc-dd-ee-ff ('-' only:
			 * ':' never reaches here, it is no name character). */
			while (len < 17 && n[len] != '\0' &&
			    (hex_digit(n[len]) >= 0 || n[len] == '-'))
				len++;
			if (len >= 17 && mac_parse_n(n, 17, &m->mac) == 0)
				len = 17;
			else if (len >= 12 && mac_parse_n(n, 12, &m->mac) == 0)
				len = 12;
			else
				return 0;
			/* 000000000000: Polycom's common file, no device. */
			if (memcmp(m->mac.b, "\0\0\0\0\0\0", 6) == 0)
				return 0;
			m->has_mac = 1;
			n += len;
			p += 6;
			continue;
		}
		if (*p == '*' || strncmp(p, "${model}", 8) == 0) {
			int		 is_model = *p != '*';
			const char	*next = p + (is_model ? 8 : 1);
			size_t		 len = strlen(n);

			/* Shortest first: "y0000000000*.cfg" and friends. */
			for (size_t k = is_model ? 1 : 0; k <= len; k++) {
				if (is_model && (k > CFG_NAME_MAX ||
				    !name_char(n[k - 1])))
					break;
				if (match(next, n + k, m)) {
					if (is_model) {
						memcpy(m->model, n, k);
						m->model[k] = '\0';
					}
					return 1;
				}
			}
			return 0;
		}
		/* Literal text compares without case: SEP/sep, .CFG/.cfg. */
		if (tolower((unsigned char)*p) != tolower((unsigned char)*n))
			return 0;
		p++;
		n++;
	}
	return *n == '\0';
}

int
route_match_file(const struct cfg_file *f, const char *name,
    struct file_match *m)
{
	memset(m, 0, sizeof(*m));
	if (!match(f->pattern, name, m))
		return 0;
	m->file = f;
	return 1;
}

static int
find_in(const struct cfg_vendor *v, const char *name, int per_device,
    struct file_match *m)
{
	for (size_t i = 0; i < v->nfiles; i++) {
		if (v->files[i].per_device != per_device)
			continue;
		if (route_match_file(&v->files[i], name, m)) {
			m->vendor = v;
			return 1;
		}
	}
	return 0;
}

int
route_find_file(const struct cfg *cfg, const struct cfg_vendor *vendor,
    const char *name, struct file_match *m)
{
	for (int per_device = 1; per_device >= 0; per_device--) {
		if (vendor != NULL) {
			if (find_in(vendor, name, per_device, m))
				return 1;
			continue;
		}
		for (size_t i = 0; i < cfg->nvendors; i++)
			if (find_in(&cfg->vendors[i], name, per_device, m))
				return 1;
	}
	memset(m, 0, sizeof(*m));
	return 0;
}
