/*
 * urltmpl.c - provisioning option templates with ${...} placeholders,
 * and the file engine's {{ name }} syntax for the same values.
 *
 * An option value is filled once per DHCP reply, in the server's hot
 * path: it stays a flat string with ${name} slots (no tree, no
 * allocation). A value written with the file templates' {{ name }}
 * syntax (tmpl.h, the names of etc/templates/README.md) is translated
 * into that form once, when the config is loaded (tmpl_from_braces()).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "urltmpl.h"

static const struct {
	const char	*name;
	enum tmpl_var	 var;
} tmpl_names[] = {
	{ "base_url", TMPL_BASE_URL },
	{ "token", TMPL_TOKEN },
	{ "mac", TMPL_MAC },
	{ "MAC", TMPL_MAC_UPPER },
	{ "model", TMPL_MODEL },
	{ "vendor", TMPL_VENDOR },
	{ "server_ip", TMPL_SERVER_IP },
};
#define NNAMES (sizeof(tmpl_names) / sizeof(tmpl_names[0]))

/* The variable named by s[0..len) (case-sensitive: mac and MAC differ). */
static int
tmpl_lookup(const char *s, size_t len)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (strlen(tmpl_names[i].name) == len &&
		    strncmp(tmpl_names[i].name, s, len) == 0)
			return (int)tmpl_names[i].var;
	return -1;
}

/*
 * The file engine's names for the option placeholders: those a file's
 * tree has (base_url, vendor, device.*), and the two only a DHCP reply
 * knows (token, server_ip).
 */
static const struct {
	const char	*brace;
	const char	*dollar;
} brace_names[] = {
	{ "base_url", "base_url" },
	{ "token", "token" },
	{ "device.mac", "mac" },
	{ "device.MAC", "MAC" },
	{ "device.model", "model" },
	{ "vendor", "vendor" },
	{ "server_ip", "server_ip" },
};

int
tmpl_from_braces(const char *in, char *out, size_t outsz, char *err,
    size_t errsz)
{
	size_t o = 0;

#define PUT(str, n) do {						\
	if (o + (n) >= outsz)						\
		goto toolong;						\
	memcpy(out + o, (str), (n));					\
	o += (n);							\
} while (0)
	if (outsz == 0)
		goto toolong;
	for (const char *p = in; *p != '\0'; p++) {
		const char	*end, *a, *b;
		size_t		 i;

		if (p[0] == '$') {
			if (p[1] == '{') {
				snprintf(err, errsz, "mixes ${ } and {{ }} at "
				    "offset %td: write every name as {{ name "
				    "}}", p - in);
				return -1;
			}
			PUT("$$", 2);	/* a dollar is text here */
			continue;
		}
		if (p[0] != '{' || p[1] != '{') {
			PUT(p, 1);
			continue;
		}
		if (strncmp(p, "{{{{", 4) == 0) {
			PUT("{{", 2);
			p += 3;
			continue;
		}
		if ((end = strstr(p + 2, "}}")) == NULL) {
			snprintf(err, errsz, "unclosed '{{' at offset %td",
			    p - in);
			return -1;
		}
		for (a = p + 2; a < end && (*a == ' ' || *a == '\t'); a++)
			;
		for (b = end; b > a && (b[-1] == ' ' || b[-1] == '\t'); b--)
			;
		if (a < b && strchr("#/>", *a) != NULL) {
			snprintf(err, errsz, "'{{%.*s}}': an option value takes "
			    "names only, no sections or includes",
			    (int)(end - p - 2) > 32 ? 32 : (int)(end - p - 2),
			    p + 2);
			return -1;
		}
		for (i = 0; i < sizeof(brace_names) / sizeof(brace_names[0]);
		    i++)
			if (strlen(brace_names[i].brace) == (size_t)(b - a) &&
			    strncmp(brace_names[i].brace, a,
			    (size_t)(b - a)) == 0)
				break;
		if (i == sizeof(brace_names) / sizeof(brace_names[0])) {
			snprintf(err, errsz, "unknown name '%.*s' in an option "
			    "value (valid: base_url token server_ip vendor "
			    "device.mac device.MAC device.model)",
			    (int)(b - a) > 32 ? 32 : (int)(b - a), a);
			return -1;
		}
		PUT("${", 2);
		PUT(brace_names[i].dollar, strlen(brace_names[i].dollar));
		PUT("}", 1);
		p = end + 1;
	}
	out[o] = '\0';
	return (int)o;
toolong:
	snprintf(err, errsz, "longer than %zu bytes once translated",
	    outsz > 0 ? outsz - 1 : 0);
	return -1;
#undef PUT
}

int
tmpl_check(const char *tmpl, char *err, size_t errsz)
{
	int	 used = 0;

	for (const char *p = tmpl; *p != '\0'; p++) {
		const char	*end;
		int		 v;

		if (*p != '$')
			continue;
		if (p[1] == '$') {
			p++;
			continue;
		}
		if (p[1] != '{') {
			snprintf(err, errsz, "lone '$' at offset %td (write "
			    "${name} for a placeholder, $$ for a dollar sign)",
			    p - tmpl);
			return -1;
		}
		if ((end = strchr(p + 2, '}')) == NULL) {
			snprintf(err, errsz, "unclosed '${' at offset %td",
			    p - tmpl);
			return -1;
		}
		if ((v = tmpl_lookup(p + 2, (size_t)(end - p - 2))) < 0) {
			snprintf(err, errsz, "unknown placeholder '${%.*s}' "
			    "(valid: ${base_url} ${token} ${mac} ${MAC} "
			    "${model} ${vendor} ${server_ip})",
			    (int)(end - p - 2) > 32 ? 32 : (int)(end - p - 2),
			    p + 2);
			return -1;
		}
		used |= v;
		p = end;
	}
	return used;
}

static const char *
tmpl_value(const struct tmpl_vars *vars, int var)
{
	switch (var) {
	case TMPL_BASE_URL:
		return vars->base_url;
	case TMPL_TOKEN:
		return vars->token;
	case TMPL_MAC:
		return vars->mac;
	case TMPL_MAC_UPPER:
		return vars->mac_upper;
	case TMPL_MODEL:
		return vars->model;
	case TMPL_VENDOR:
		return vars->vendor;
	case TMPL_SERVER_IP:
		return vars->server_ip;
	default:
		return NULL;
	}
}

int
tmpl_expand(const char *tmpl, const struct tmpl_vars *vars, char *out,
    size_t outsz)
{
	size_t o = 0;

	if (outsz == 0)
		return -1;
	for (const char *p = tmpl; *p != '\0'; p++) {
		const char	*val = NULL, *end;
		size_t		 len;
		char		 one;

		if (p[0] == '$' && p[1] == '$') {
			one = '$';
			val = &one;
			len = 1;
			p++;
		} else if (p[0] == '$' && p[1] == '{' &&
		    (end = strchr(p + 2, '}')) != NULL) {
			val = tmpl_value(vars, tmpl_lookup(p + 2,
			    (size_t)(end - p - 2)));
			len = val != NULL ? strlen(val) : 0;
			p = end;
		} else {
			val = p;
			len = 1;
		}
		if (o + len >= outsz)
			return -1;
		if (len > 0)
			memcpy(out + o, val, len);
		o += len;
	}
	out[o] = '\0';
	return (int)o;
}

int
url_check(const char *text, char *err, size_t errsz)
{
	static const char *const schemes[] = { "http://", "https://",
		"tftp://", "ftp://" };
	const char	*host = NULL;

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncasecmp(text, schemes[i], strlen(schemes[i])) == 0)
			host = text + strlen(schemes[i]);
	if (host == NULL) {
		snprintf(err, errsz, "'%.64s' is not a URL with scheme http, "
		    "https, tftp or ftp", text);
		return -1;
	}
	if (*host == '\0' || *host == '/' || *host == ':' || *host == '?') {
		snprintf(err, errsz, "'%.64s' has no host", text);
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p <= 0x20 || *p >= 0x7f) {
			snprintf(err, errsz, "'%.64s' holds a space or "
			    "control character at offset %td", text,
			    (const char *)p - text);
			return -1;
		}
	}
	return 0;
}
