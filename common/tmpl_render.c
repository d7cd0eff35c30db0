/*
 * tmpl_render.c - a parsed template (tmpl.c) rendered over a value tree
 * (tv.h), and the one escaping of every value provbox puts in a file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tmpl.h"
#include "tmpl_int.h"

struct rscope {
	const char	*name;
	const struct tv	*val;
	size_t		 index, count;
};

struct rstate {
	const struct tv	*root;
	enum file_format fmt;
	struct rscope	 scopes[TMPL_MAX_DEPTH];
	size_t		 nscopes, nloops;
	char		*buf;
	size_t		 len, cap;
	int		 failed;
};

/* The replacement for byte c in fmt: NULL drops it, else its text. */
static const char *
esc(unsigned char c, enum file_format fmt, char one[2])
{
	if (c < 0x20 || c == 0x7f)
		return NULL;	/* no line breaks, no control bytes */
	if (fmt == FILE_FMT_XML)
		switch (c) {
		case '&':
			return "&amp;";
		case '<':
			return "&lt;";
		case '>':
			return "&gt;";
		case '"':
			return "&quot;";
		case '\'':
			return "&apos;";
		}
	one[0] = (char)c;
	one[1] = '\0';
	return one;
}

size_t
tmpl_escape(const char *v, enum file_format fmt, char *dst, size_t dstsz)
{
	size_t o = 0;

	for (; v != NULL && *v != '\0'; v++) {
		unsigned char	 c = (unsigned char)*v;
		char		 one[2];
		const char	*rep;
		size_t		 n;

		/* Most bytes are themselves: no lookup, no strlen. */
		if (c > 0x3e && c != 0x7f) {
			if (o + 1 >= dstsz)
				break;
			dst[o++] = (char)c;
			continue;
		}
		if ((rep = esc(c, fmt, one)) == NULL)
			continue;
		n = rep == one ? 1 : strlen(rep);
		if (o + n >= dstsz)
			break;
		memcpy(dst + o, rep, n);
		o += n;
	}
	if (dstsz > 0)
		dst[o] = '\0';
	return o;
}

static int
out_reserve(struct rstate *rs, size_t more)
{
	char	*nb;
	size_t	 cap;

	if (rs->failed)
		return -1;
	if (more > TMPL_MAX_OUTPUT - rs->len) {
		rs->failed = 1;
		return -1;
	}
	if (rs->len + more + 1 <= rs->cap)
		return 0;
	cap = rs->cap ? rs->cap : 4096;
	while (cap < rs->len + more + 1)
		cap *= 2;
	if ((nb = malloc(cap)) == NULL) {
		rs->failed = 1;
		return -1;
	}
	/* A copy, not realloc: the old buffer may hold a password. */
	if (rs->buf != NULL) {
		memcpy(nb, rs->buf, rs->len);
		OPENSSL_cleanse(rs->buf, rs->cap);
		free(rs->buf);
	}
	rs->buf = nb;
	rs->cap = cap;
	return 0;
}

static void
out_raw(struct rstate *rs, const char *s, size_t n)
{
	if (out_reserve(rs, n) != 0)
		return;
	memcpy(rs->buf + rs->len, s, n);
	rs->len += n;
}

static void
out_escaped(struct rstate *rs, const char *v)
{
	size_t n = strlen(v);

	/* An escaped byte is at most six ("&quot;"). */
	if (n > TMPL_MAX_OUTPUT / 6 || out_reserve(rs, 6 * n) != 0) {
		rs->failed = 1;
		return;
	}
	rs->len += tmpl_escape(v, rs->fmt, rs->buf + rs->len,
	    rs->cap - rs->len);
}

/*
 * The value path names now: *v for a node, or *text for a loop field
 * (written into tmp). Both NULL: absent.
 */
static void
resolve(const struct rstate *rs, char *const *path, size_t npath,
    const struct tv **v, const char **text, char *tmp, size_t tmpsz)
{
	const struct tv *cur = NULL;

	*v = NULL;
	*text = NULL;
	if (strcmp(path[0], "loop") == 0 && npath == 2 && rs->nscopes > 0) {
		const struct rscope *s = &rs->scopes[rs->nscopes - 1];

		if (strcmp(path[1], "index") == 0)
			snprintf(tmp, tmpsz, "%zu", s->index + 1);
		else if (strcmp(path[1], "index0") == 0)
			snprintf(tmp, tmpsz, "%zu", s->index);
		else if (strcmp(path[1], "first") == 0)
			snprintf(tmp, tmpsz, "%s", s->index == 0 ? "1" : "");
		else
			snprintf(tmp, tmpsz, "%s", s->index + 1 == s->count ?
			    "1" : "");
		*text = tmp;
		return;
	}
	for (size_t s = rs->nscopes; s-- > 0;)
		if (strcmp(rs->scopes[s].name, path[0]) == 0) {
			cur = rs->scopes[s].val;
			goto descend;
		}
	cur = tv_get(rs->root, path[0]);
descend:
	for (size_t i = 1; i < npath && cur != NULL; i++)
		cur = tv_get(cur, path[i]);
	*v = cur;
}

static int
truthy(const struct tv *v, const char *text)
{
	if (text != NULL)
		return text[0] != '\0';
	if (v == NULL)
		return 0;
	switch (tv_kind(v)) {
	case TV_TEXT:
		return tv_text(v)[0] != '\0';
	case TV_LIST:
		return tv_count(v) > 0;
	case TV_MAP:
		return 1;
	}
	return 0;
}

static void
render_block(struct rstate *rs, const struct tblock *b)
{
	char tmp[32];

	for (size_t i = 0; i < b->n && !rs->failed; i++) {
		const struct tnode	*t = &b->v[i];
		const struct tv		*v;
		const char		*text;

		switch (t->kind) {
		case TN_TEXT:
			out_raw(rs, t->text, t->len);
			break;
		case TN_VAR:
			resolve(rs, t->path, t->npath, &v, &text, tmp,
			    sizeof(tmp));
			if (text == NULL)
				text = tv_text(v);
			if (text != NULL)
				out_escaped(rs, text);
			break;
		case TN_IF:
			resolve(rs, t->path, t->npath, &v, &text, tmp,
			    sizeof(tmp));
			render_block(rs, truthy(v, text) ? &t->body : &t->alt);
			break;
		case TN_EACH:
			resolve(rs, t->path, t->npath, &v, &text, tmp,
			    sizeof(tmp));
			if (v == NULL || tv_kind(v) != TV_LIST)
				break;
			/* Depth is bounded by the parse (TMPL_MAX_DEPTH). */
			rs->scopes[rs->nscopes].name = t->as;
			rs->scopes[rs->nscopes].count = tv_count(v);
			rs->nscopes++;
			for (size_t k = 0; k < tv_count(v) && !rs->failed;
			    k++) {
				rs->scopes[rs->nscopes - 1].val = tv_item(v, k);
				rs->scopes[rs->nscopes - 1].index = k;
				render_block(rs, &t->body);
			}
			rs->nscopes--;
			break;
		}
	}
}

ssize_t
tmpl_render(const struct tmpl *t, const struct tv *root,
    enum file_format fmt, char **out)
{
	struct rstate rs;

	memset(&rs, 0, sizeof(rs));
	rs.root = root;
	rs.fmt = fmt;
	*out = NULL;
	if (out_reserve(&rs, 0) == 0)
		render_block(&rs, &t->top);
	if (rs.failed) {
		if (rs.buf != NULL) {
			OPENSSL_cleanse(rs.buf, rs.cap);
			free(rs.buf);
		}
		return -1;
	}
	rs.buf[rs.len] = '\0';
	*out = rs.buf;
	return (ssize_t)rs.len;
}

/* 1 if a node of b (or of a block inside it) names path. */
static int
block_uses(const struct tblock *b, const char *path)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct tnode	*t = &b->v[i];
		char			 name[512];
		size_t			 o = 0;

		if (t->kind == TN_TEXT)
			continue;
		for (size_t k = 0; k < t->npath && o < sizeof(name); k++)
			o += (size_t)snprintf(name + o, sizeof(name) - o,
			    "%s%s", k ? "." : "", t->path[k]);
		if (t->npath > 0 && strcmp(name, path) == 0)
			return 1;
		if (block_uses(&t->body, path) || block_uses(&t->alt, path))
			return 1;
	}
	return 0;
}

int
tmpl_uses(const struct tmpl *t, const char *path)
{
	return t != NULL && block_uses(&t->top, path);
}

/* 1 if a node of b (or of a block inside it) starts with name. */
static int
block_uses_root(const struct tblock *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct tnode *t = &b->v[i];

		if (t->kind == TN_TEXT)
			continue;
		if (t->npath > 0 && strcmp(t->path[0], name) == 0)
			return 1;
		if (block_uses_root(&t->body, name) ||
		    block_uses_root(&t->alt, name))
			return 1;
	}
	return 0;
}

int
tmpl_uses_root(const struct tmpl *t, const char *name)
{
	return t != NULL && block_uses_root(&t->top, name);
}
