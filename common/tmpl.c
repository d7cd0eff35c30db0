/*
 * tmpl.c - the template engine (tmpl.h): the parser. Rendering is in
 * tmpl_render.c, the value trees in tv.c.
 *
 * Written here rather than taken from a library: Debian's C template
 * libraries (ctemplate is C++, mustach is not packaged) either cannot
 * check a template against the names it may use when it is loaded, or
 * reparse it per render; provbox needs both (a misspelt name refused by
 * provboxctl check and -t, nothing parsed per request), and its escaping
 * rules. The parser and the renderer are fuzzed (tests/fuzz/fuzz_render.c).
 *
 * Limits, all checked: TMPL_MAX_SIZE bytes of template text in all
 * (includes counted), TMPL_MAX_DEPTH nested sections, TMPL_MAX_INCLUDES
 * nested includes, names of TMPL_MAX_SEGS parts of NAME_MAX_LEN bytes,
 * TMPL_MAX_OUTPUT bytes rendered.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpl.h"
#include "tmpl_int.h"

#define NAME_MAX_LEN	64

static void
block_free(struct tblock *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct tnode *t = &b->v[i];

		free(t->text);
		for (size_t j = 0; j < t->npath; j++)
			free(t->path[j]);
		free(t->as);
		block_free(&t->body);
		block_free(&t->alt);
	}
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}

void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	block_free(&t->top);
	free(t);
}

static struct tnode *
block_add(struct tblock *b, enum tn_kind kind)
{
	struct tnode *v;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;

		if ((v = reallocarray(b->v, cap, sizeof(*v))) == NULL)
			return NULL;
		b->v = v;
		b->cap = cap;
	}
	v = &b->v[b->n++];
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	return v;
}

/* ------------------------------------------------------------------ parse */

/* A name bound by an enclosing #each: what it stands for in the schema. */
struct pscope {
	const char	*name;
	const struct tv	*shape;		/* NULL: an element of no known shape */
};

struct pstate {
	const struct tv	*schema;
	const char	*base_dir;
	char		*err;
	size_t		 errsz;
	struct pscope	 scopes[TMPL_MAX_DEPTH];
	size_t		 nscopes;
	size_t		 depth;		/* open sections, all files */
	int		 includes;	/* nested includes now */
	size_t		 total;		/* template bytes, includes counted */
};

/* One file being parsed. */
struct pfile {
	const char	*name;
	const char	*text;
	size_t		 len;
	size_t		 pos;
	unsigned	 line;
	int		 drop_nl;	/* a standalone tag's line break */
};

/*
 * A section tag ({{#each}}, {{#if}}, {{#else}}, {{/if}}, {{/each}}) alone
 * on its line, with blanks only around it, writes no line of its own:
 * the blanks before it and the line break after it are dropped (as in
 * Mustache), so a template can put one setting per line between them.
 * 1 for such a tag at f->text + at, *ls set to its line's start.
 */
static int
standalone(const struct pfile *f, size_t at, size_t *ls)
{
	const char	*close;
	size_t		 i = at;

	while (i > 0 && (f->text[i - 1] == ' ' || f->text[i - 1] == '\t'))
		i--;
	if ((i > 0 && f->text[i - 1] != '\n') || at + 2 >= f->len ||
	    (f->text[at + 2] != '#' && f->text[at + 2] != '/') ||
	    (close = memmem(f->text + at + 2, f->len - at - 2, "}}", 2)) ==
	    NULL || memchr(f->text + at, '\n', (size_t)(close - f->text) -
	    at) != NULL)
		return 0;
	for (size_t k = (size_t)(close - f->text) + 2; k < f->len; k++) {
		if (f->text[k] == '\n' || (f->text[k] == '\r' && k + 1 <
		    f->len && f->text[k + 1] == '\n'))
			break;
		if (f->text[k] != ' ' && f->text[k] != '\t')
			return 0;
	}
	*ls = i;
	return 1;
}

static int
perr(struct pstate *ps, const struct pfile *f, const char *fmt, ...)
{
	char	msg[400];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (f->line == 0)	/* the file itself, not a line of it */
		snprintf(ps->err, ps->errsz, "%s: %s", f->name, msg);
	else
		snprintf(ps->err, ps->errsz, "%s:%u: %s", f->name, f->line,
		    msg);
	return -1;
}

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/*
 * Splits "a.b.c" (len bytes) into t->path; -1 with the error set if it is
 * not a name.
 */
static int
parse_name(struct pstate *ps, const struct pfile *f, const char *s,
    size_t len, struct tnode *t)
{
	size_t i = 0;

	if (len == 0)
		return perr(ps, f, "a name is missing");
	while (i < len) {
		size_t start = i;

		while (i < len && name_char(s[i]))
			i++;
		if (i == start || i - start > NAME_MAX_LEN)
			return perr(ps, f, "'%.*s' is not a name (letters, "
			    "digits, '_' and '-', parts joined by '.')",
			    (int)(len > 80 ? 80 : len), s);
		if (t->npath == TMPL_MAX_SEGS)
			return perr(ps, f, "'%.*s' has more than %d parts",
			    (int)(len > 80 ? 80 : len), s, TMPL_MAX_SEGS);
		if ((t->path[t->npath] = strndup(s + start, i - start)) ==
		    NULL)
			return perr(ps, f, "out of memory");
		t->npath++;
		if (i < len) {
			if (s[i] != '.' || i + 1 == len)
				return perr(ps, f, "'%.*s' is not a name "
				    "(letters, digits, '_' and '-', parts "
				    "joined by '.')", (int)(len > 80 ? 80 :
				    len), s);
			i++;
		}
	}
	return 0;
}

static const char *const loop_fields[] = { "index", "index0", "first",
	"last" };

/*
 * What path stands for in the schema: 1 with *shape (NULL for a loop
 * field, which is a text) when known, 0 when not (why says what part).
 */
static int
schema_find(const struct pstate *ps, char *const *path, size_t npath,
    const struct tv **shape, int *is_loop)
{
	const struct tv	*v = NULL;
	size_t		 i = 1;

	*is_loop = 0;
	if (strcmp(path[0], "loop") == 0) {
		if (ps->nscopes == 0 || npath != 2)
			return 0;
		for (size_t k = 0; k < sizeof(loop_fields) /
		    sizeof(loop_fields[0]); k++)
			if (strcmp(path[1], loop_fields[k]) == 0) {
				*is_loop = 1;
				*shape = NULL;
				return 1;
			}
		return 0;
	}
	for (size_t s = ps->nscopes; s-- > 0;)
		if (strcmp(ps->scopes[s].name, path[0]) == 0) {
			v = ps->scopes[s].shape;
			if (v == NULL)
				return 0;
			goto descend;
		}
	if ((v = tv_get(ps->schema, path[0])) == NULL)
		return 0;
descend:
	for (; i < npath; i++)
		if ((v = tv_get(v, path[i])) == NULL)
			return 0;
	*shape = v;
	return 1;
}

/* "a.b.c" for messages. */
static const char *
path_str(char *const *path, size_t npath, char *buf, size_t sz)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < npath && o < sz; i++)
		o += (size_t)snprintf(buf + o, sz - o, "%s%s", i ? "." : "",
		    path[i]);
	return buf;
}

static int parse_text(struct pstate *, struct pfile *, struct tblock *,
    const char **);

/* Reads base_dir/rel into a new buffer; -1 with the error set. */
static int
read_include(struct pstate *ps, const struct pfile *f, const char *rel,
    char **out, size_t *outlen)
{
	char		 path[4096];
	struct stat	 st;
	char		*buf = NULL;
	size_t		 got = 0;
	int		 fd = -1;
	/* tmpl_load() reads the template itself as line 0. */
	const char	*what = f->line == 0 ? "cannot read template" :
			    "include";

	if (ps->base_dir == NULL)
		return perr(ps, f, "includes are not allowed here");
	if (rel[0] == '/' || strstr(rel, "..") != NULL)
		return perr(ps, f, "include '%s': only a path inside the "
		    "templates directory", rel);
	for (const char *p = rel; *p != '\0'; p++)
		if (!name_char(*p) && *p != '.' && *p != '/')
			return perr(ps, f, "include '%s': letters, digits, "
			    "'_', '-', '.' and '/' only", rel);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", ps->base_dir, rel) >=
	    sizeof(path))
		return perr(ps, f, "include '%s': path too long", rel);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return perr(ps, f, "%s %s: %s", what, path,
		    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return perr(ps, f, "%s %s: not a file", what, path);
	}
	if ((size_t)st.st_size > TMPL_MAX_SIZE - ps->total) {
		close(fd);
		return perr(ps, f, "%s %s: the templates pass %d bytes",
		    what, path, TMPL_MAX_SIZE);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return perr(ps, f, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*outlen = got;
	return 0;
}

static int
parse_include(struct pstate *ps, struct pfile *f, const char *rel,
    struct tblock *b)
{
	struct pfile	 inc;
	char		*text;
	const char	*end = NULL;
	size_t		 len;
	int		 rc;

	if (ps->includes == TMPL_MAX_INCLUDES)
		return perr(ps, f, "include '%s': more than %d nested "
		    "includes (one includes itself?)", rel, TMPL_MAX_INCLUDES);
	if (read_include(ps, f, rel, &text, &len) != 0)
		return -1;
	memset(&inc, 0, sizeof(inc));
	inc.name = rel;
	inc.text = text;
	inc.len = len;
	inc.line = 1;
	ps->total += len;
	ps->includes++;
	rc = parse_text(ps, &inc, b, &end);
	ps->includes--;
	if (rc == 0 && end != NULL)
		rc = perr(ps, &inc, "{{%s}} without its opening", end);
	free(text);
	return rc;
}

/*
 * The tag between "{{" and "}}" (spaces trimmed), at f->line. May parse
 * a whole section (#each, #if) through parse_text(). *end is set, and 1
 * returned, for a closing tag ("/each", "/if", "#else").
 */
static int
parse_tag(struct pstate *ps, struct pfile *f, const char *s, size_t len,
    struct tblock *b, const char **end)
{
	struct tnode	*t;
	const struct tv	*shape;
	const char	*inner_end;
	char		 nm[NAME_MAX_LEN * TMPL_MAX_SEGS + 16], rel[256];
	unsigned	 open_line = f->line;
	int		 is_loop, each;

	if (len == 5 && memcmp(s, "/each", 5) == 0) {
		*end = "/each";
		return 1;
	}
	if (len == 3 && memcmp(s, "/if", 3) == 0) {
		*end = "/if";
		return 1;
	}
	if (len == 5 && memcmp(s, "#else", 5) == 0) {
		*end = "#else";
		return 1;
	}
	if (len > 0 && s[0] == '>') {
		s++;
		len--;
		while (len > 0 && *s == ' ') {
			s++;
			len--;
		}
		if (len == 0 || len >= sizeof(rel))
			return perr(ps, f, "an include names no file");
		memcpy(rel, s, len);
		rel[len] = '\0';
		return parse_include(ps, f, rel, b);
	}
	each = len > 6 && memcmp(s, "#each ", 6) == 0;
	if (each || (len > 4 && memcmp(s, "#if ", 4) == 0)) {
		const char	*name = s + (each ? 6 : 4), *as = NULL;
		size_t		 nlen = len - (size_t)(name - s), aslen = 0;

		if (ps->depth == TMPL_MAX_DEPTH)
			return perr(ps, f, "more than %d nested sections",
			    TMPL_MAX_DEPTH);
		while (nlen > 0 && *name == ' ') {
			name++;
			nlen--;
		}
		if (each) {
			const char *sp = memmem(name, nlen, " as ", 4);

			if (sp == NULL)
				return perr(ps, f, "{{#each LIST as NAME}} "
				    "needs its 'as NAME'");
			as = sp + 4;
			aslen = nlen - (size_t)(as - name);
			nlen = (size_t)(sp - name);
			while (aslen > 0 && *as == ' ') {
				as++;
				aslen--;
			}
			while (nlen > 0 && name[nlen - 1] == ' ')
				nlen--;
		}
		if ((t = block_add(b, each ? TN_EACH : TN_IF)) == NULL)
			return perr(ps, f, "out of memory");
		if (parse_name(ps, f, name, nlen, t) != 0)
			return -1;
		if (!schema_find(ps, t->path, t->npath, &shape, &is_loop))
			return perr(ps, f, "unknown name '%s'", path_str(t->path,
			    t->npath, nm, sizeof(nm)));
		if (each) {
			struct tnode tmp;

			memset(&tmp, 0, sizeof(tmp));
			if (is_loop || tv_kind(shape) != TV_LIST)
				return perr(ps, f, "'%s' is not a list",
				    path_str(t->path, t->npath, nm,
				    sizeof(nm)));
			if (parse_name(ps, f, as, aslen, &tmp) != 0 ||
			    tmp.npath != 1 || strcmp(tmp.path[0], "loop") == 0) {
				for (size_t j = 0; j < tmp.npath; j++)
					free(tmp.path[j]);
				return perr(ps, f, "'%.*s' cannot name a list's "
				    "element (one part, not 'loop')",
				    (int)(aslen > 80 ? 80 : aslen), as);
			}
			t->as = tmp.path[0];
			ps->scopes[ps->nscopes].name = t->as;
			ps->scopes[ps->nscopes].shape = tv_item(shape, 0);
			ps->nscopes++;
		}
		ps->depth++;
		inner_end = NULL;
		if (parse_text(ps, f, &t->body, &inner_end) != 0)
			return -1;
		if (!each && inner_end != NULL &&
		    strcmp(inner_end, "#else") == 0) {
			inner_end = NULL;
			if (parse_text(ps, f, &t->alt, &inner_end) != 0)
				return -1;
		}
		ps->depth--;
		if (each)
			ps->nscopes--;
		if (inner_end == NULL || strcmp(inner_end, each ? "/each" :
		    "/if") != 0) {
			f->line = open_line;
			return perr(ps, f, "{{#%s}} is not closed by {{/%s}}%s",
			    each ? "each" : "if", each ? "each" : "if",
			    inner_end != NULL ? " (another section closes "
			    "first)" : "");
		}
		return 0;
	}
	if (len > 0 && (s[0] == '#' || s[0] == '/'))
		return perr(ps, f, "unknown section '{{%.*s}}'",
		    (int)(len > 40 ? 40 : len), s);
	if ((t = block_add(b, TN_VAR)) == NULL)
		return perr(ps, f, "out of memory");
	if (parse_name(ps, f, s, len, t) != 0)
		return -1;
	if (!schema_find(ps, t->path, t->npath, &shape, &is_loop))
		return perr(ps, f, "unknown name '%s'", path_str(t->path,
		    t->npath, nm, sizeof(nm)));
	if (!is_loop && tv_kind(shape) != TV_TEXT)
		return perr(ps, f, "'%s' is a %s, not a value%s",
		    path_str(t->path, t->npath, nm, sizeof(nm)),
		    tv_kind(shape) == TV_LIST ? "list" : "group",
		    tv_kind(shape) == TV_LIST ? " (use {{#each ... as ...}})" :
		    "");
	return 0;
}

/*
 * Parses f from f->pos into b until its end (*end NULL) or a closing tag
 * (*end names it). 0 or -1 with the error set.
 */
static int
parse_text(struct pstate *ps, struct pfile *f, struct tblock *b,
    const char **end)
{
	*end = NULL;
	while (f->pos < f->len) {
		const char	*s = f->text + f->pos;
		size_t		 rem = f->len - f->pos, lit = 0, tlen;
		const char	*open = NULL, *close;
		struct tnode	*t;
		size_t		 ls;
		int		 rc;

		if (f->drop_nl) {
			/* The rest of a standalone tag's line. */
			while (f->pos < f->len && (f->text[f->pos] == ' ' ||
			    f->text[f->pos] == '\t' || f->text[f->pos] == '\r'))
				f->pos++;
			if (f->pos < f->len && f->text[f->pos] == '\n') {
				f->pos++;
				f->line++;
			}
			f->drop_nl = 0;
			continue;
		}
		/* The literal run up to the next "{{" (or "{{{{"). */
		while (lit < rem) {
			if (s[lit] == '{' && lit + 1 < rem && s[lit + 1] == '{')
				break;
			lit++;
		}
		if (lit > 0 || (rem >= 4 && memcmp(s, "{{{{", 4) == 0)) {
			size_t take = lit, skip = lit;

			/* A standalone tag's indentation is not written. */
			if (lit > 0 && lit < rem && standalone(f, f->pos + lit,
			    &ls) && ls >= f->pos)
				take = ls - f->pos;
			if (take == 0 && lit > 0) {
				f->pos += skip;
				continue;
			}

			if (lit == 0) {	/* "{{{{" writes "{{" */
				take = 2;
				skip = 4;
			}
			if ((t = block_add(b, TN_TEXT)) == NULL ||
			    (t->text = malloc(take)) == NULL)
				return perr(ps, f, "out of memory");
			memcpy(t->text, s, take);
			t->len = take;
			for (size_t i = 0; i < skip; i++)
				if (s[i] == '\n')
					f->line++;
			f->pos += skip;
			continue;
		}
		open = s + 2;
		close = memmem(open, rem - 2, "}}", 2);
		if (close == NULL)
			return perr(ps, f, "'{{' is not closed by '}}'");
		tlen = (size_t)(close - open);
		for (size_t i = 0; i < tlen; i++)
			if (open[i] == '\n' || open[i] == '{')
				return perr(ps, f, "a tag may not hold a line "
				    "break or '{'");
		f->pos += tlen + 4;
		while (tlen > 0 && *open == ' ') {
			open++;
			tlen--;
		}
		while (tlen > 0 && open[tlen - 1] == ' ')
			tlen--;
		f->drop_nl = standalone(f, (size_t)(s - f->text), &ls);
		rc = parse_tag(ps, f, open, tlen, b, end);
		if (rc < 0)
			return -1;
		if (rc == 1)
			return 0;
	}
	return 0;
}

struct tmpl *
tmpl_parse(const char *text, size_t len, const char *name,
    const char *base_dir, const struct tv *schema, char *err, size_t errsz)
{
	struct pstate	 ps;
	struct pfile	 f;
	struct tmpl	*t;
	const char	*end = NULL;

	memset(&ps, 0, sizeof(ps));
	ps.schema = schema;
	ps.base_dir = base_dir;
	ps.err = err;
	ps.errsz = errsz;
	ps.total = len;
	memset(&f, 0, sizeof(f));
	f.name = name;
	f.text = text;
	f.len = len;
	f.line = 1;
	if (len > TMPL_MAX_SIZE) {
		perr(&ps, &f, "more than %d bytes", TMPL_MAX_SIZE);
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		perr(&ps, &f, "out of memory");
		return NULL;
	}
	if (parse_text(&ps, &f, &t->top, &end) != 0 ||
	    (end != NULL && perr(&ps, &f, "{{%s}} without its opening",
	    end) != 0)) {
		tmpl_free(t);
		return NULL;
	}
	return t;
}

struct tmpl *
tmpl_load(const char *base_dir, const char *rel, const struct tv *schema,
    char *err, size_t errsz)
{
	struct pstate	 ps;
	struct pfile	 f;
	struct tmpl	*t;
	char		*text;
	size_t		 len;

	memset(&ps, 0, sizeof(ps));
	ps.base_dir = base_dir;
	ps.err = err;
	ps.errsz = errsz;
	memset(&f, 0, sizeof(f));
	f.name = rel;
	f.line = 0;
	if (read_include(&ps, &f, rel, &text, &len) != 0)
		return NULL;
	t = tmpl_parse(text, len, rel, base_dir, schema, err, errsz);
	free(text);
	return t;
}
