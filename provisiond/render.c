/*
 * render.c - config files rendered from templates.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "tmpl.h"

static const char *const var_names[RV_COUNT] = {
	[RV_USER] = "user.name",
	[RV_DISPLAY_NAME] = "user.display_name",
	[RV_SIP_USER] = "sip.user",
	[RV_SIP_PASSWORD] = "sip.password",
	[RV_SIP_SERVER] = "sip.server",
	[RV_SIP_PORT] = "sip.port",
	[RV_MAC] = "device.mac",
	[RV_MAC_UPPER] = "device.MAC",
	[RV_MODEL] = "device.model",
	[RV_VENDOR] = "vendor",
	[RV_BASE_URL] = "base_url",
	[RV_PROV_URL] = "provisioning_url",
};

/* A literal run of the template, or a variable (var >= 0). */
struct seg {
	int		 var;
	size_t		 off;	/* literal: into text */
	size_t		 len;
};

struct render_tmpl {
	char		*text;		/* literals, "{{{{" already folded */
	struct seg	*segs;
	size_t		 nsegs;
	size_t		 literal_len;
};

static int
add_seg(struct render_tmpl *t, size_t *cap, int var, size_t off, size_t len)
{
	if (var < 0 && len == 0)
		return 0;
	if (t->nsegs == *cap) {
		size_t		 ncap = *cap ? *cap * 2 : 16;
		struct seg	*n = reallocarray(t->segs, ncap, sizeof(*n));

		if (n == NULL)
			return -1;
		t->segs = n;
		*cap = ncap;
	}
	t->segs[t->nsegs++] = (struct seg){ var, off, len };
	if (var < 0)
		t->literal_len += len;
	return 0;
}

struct render_tmpl *
render_parse(const char *text, size_t len, char *err, size_t errsz)
{
	struct render_tmpl	*t;
	size_t			 cap = 0, o = 0, start = 0, line = 1;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->text = malloc(len + 1)) == NULL)
		goto nomem;
	for (size_t i = 0; i < len; i++) {
		const char	*close;
		size_t		 a, b;
		int		 var = -1;

		if (text[i] == '\n')
			line++;
		if (text[i] != '{' || i + 1 >= len || text[i + 1] != '{') {
			t->text[o++] = text[i];
			continue;
		}
		if (i + 3 < len && text[i + 2] == '{' && text[i + 3] == '{') {
			t->text[o++] = '{';
			t->text[o++] = '{';
			i += 3;
			continue;
		}
		close = memmem(text + i + 2, len - i - 2, "}}", 2);
		if (close == NULL || memchr(text + i, '\n', (size_t)(close -
		    (text + i))) != NULL) {
			snprintf(err, errsz, "line %zu: '{{' without '}}' on "
			    "the same line", line);
			goto fail;
		}
		a = i + 2;
		b = (size_t)(close - text);
		while (a < b && isspace((unsigned char)text[a]))
			a++;
		while (b > a && isspace((unsigned char)text[b - 1]))
			b--;
		for (int k = 0; k < RV_COUNT; k++)
			if (strlen(var_names[k]) == b - a &&
			    memcmp(var_names[k], text + a, b - a) == 0)
				var = k;
		if (var < 0) {
			snprintf(err, errsz, "line %zu: unknown placeholder "
			    "'{{%.*s}}' (valid: user.name, user.display_name, "
			    "sip.user, sip.password, sip.server, sip.port, "
			    "device.mac, device.MAC, device.model, vendor, "
			    "base_url, provisioning_url)", line,
			    (int)(b - a > 40 ? 40 : b - a), text + a);
			goto fail;
		}
		if (add_seg(t, &cap, -1, start, o - start) != 0 ||
		    add_seg(t, &cap, var, 0, 0) != 0)
			goto nomem;
		start = o;
		i = (size_t)(close - text) + 1;
	}
	if (add_seg(t, &cap, -1, start, o - start) != 0)
		goto nomem;
	return t;
nomem:
	snprintf(err, errsz, "out of memory");
fail:
	render_free(t);
	return NULL;
}

struct render_tmpl *
render_load(const char *path, char *err, size_t errsz)
{
	struct render_tmpl	*t = NULL;
	FILE			*f;
	char			*buf = NULL, msg[256];
	size_t			 len;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc((1 << 20) + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto done;
	}
	/* One byte over the limit tells "exactly 1 MiB" from "more". */
	len = fread(buf, 1, (1 << 20) + 1, f);
	if (ferror(f) || len > 1 << 20) {
		snprintf(err, errsz, "%s: %s", path, ferror(f) ?
		    "read error" : "larger than 1 MiB");
		goto done;
	}
	if ((t = render_parse(buf, len, msg, sizeof(msg))) == NULL)
		snprintf(err, errsz, "%s: %s", path, msg);
done:
	free(buf);
	fclose(f);
	return t;
}

void
render_free(struct render_tmpl *t)
{
	if (t == NULL)
		return;
	free(t->text);
	free(t->segs);
	free(t);
}

/* The one escaping of provbox's templates (tmpl.h). */
size_t
render_escape(const char *v, enum file_format fmt, char *dst, size_t dstsz)
{
	return tmpl_escape(v, fmt, dst, dstsz);
}

ssize_t
render(const struct render_tmpl *t, const struct render_vals *vals,
    enum file_format fmt, char **out)
{
	size_t	 cap = t->literal_len + 1, o = 0;
	char	*buf;

	/* An escaped value is at most six times its length ("&quot;"). */
	for (size_t i = 0; i < t->nsegs; i++)
		if (t->segs[i].var >= 0 && vals->v[t->segs[i].var] != NULL)
			cap += 6 * strlen(vals->v[t->segs[i].var]);
	if ((buf = malloc(cap)) == NULL)
		return -1;
	for (size_t i = 0; i < t->nsegs; i++) {
		const struct seg *s = &t->segs[i];

		if (s->var < 0) {
			memcpy(buf + o, t->text + s->off, s->len);
			o += s->len;
		} else
			o += render_escape(vals->v[s->var], fmt, buf + o,
			    cap - o);
	}
	buf[o] = '\0';
	*out = buf;
	return (ssize_t)o;
}
