/*
 * tv.c - value trees (tv.h): the settings a template renders, built per
 * device and per file, freed (texts wiped) in one call.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tv.h"

struct tv_ent {
	const char	*key;		/* NULL in a list */
	struct tv	*val;
};

struct tv {
	enum tv_kind	 kind;
	const char	*text;		/* TV_TEXT */
	struct tv_ent	*ents;		/* TV_MAP, TV_LIST */
	size_t		 n, cap;
};

/*
 * Every node, text, key and entry array of a doc comes from its chunks:
 * a tree is built per request, and a few large allocations cost less
 * than hundreds of small ones. Freeing wipes every chunk (texts may be
 * passwords) and frees them.
 */
struct tv_chunk {
	struct tv_chunk	*next;
	size_t		 used, cap;
	max_align_t	 data[];
};

#define TV_CHUNK	8192

struct tv_doc {
	struct tv	*root;
	struct tv_chunk	*chunks;
	int		 failed;
};

static void *
tv_alloc(struct tv_doc *doc, size_t size)
{
	struct tv_chunk	*c = doc->chunks;
	size_t		 need = (size + sizeof(max_align_t) - 1) /
			    sizeof(max_align_t) * sizeof(max_align_t);
	void		*p;

	if (need < size)
		goto fail;
	if (c == NULL || c->cap - c->used < need) {
		size_t cap = need > TV_CHUNK ? need : TV_CHUNK;

		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			goto fail;
		c->used = 0;
		c->cap = cap;
		c->next = doc->chunks;
		doc->chunks = c;
	}
	p = (char *)c->data + c->used;
	c->used += need;
	memset(p, 0, size);
	return p;
fail:
	doc->failed = 1;
	return NULL;
}

static const char *
tv_strdup(struct tv_doc *doc, const char *s)
{
	size_t	 len = strlen(s) + 1;
	char	*p;

	if ((p = tv_alloc(doc, len)) != NULL)
		memcpy(p, s, len);
	return p;
}

static struct tv *
tv_new(struct tv_doc *doc, enum tv_kind kind, const char *text)
{
	struct tv *v;

	if ((v = tv_alloc(doc, sizeof(*v))) == NULL)
		return NULL;
	v->kind = kind;
	if (kind == TV_TEXT && (v->text = tv_strdup(doc, text != NULL ? text :
	    "")) == NULL)
		return NULL;
	return v;
}

struct tv_doc *
tv_doc_new(void)
{
	struct tv_doc *doc;

	if ((doc = calloc(1, sizeof(*doc))) == NULL)
		return NULL;
	if ((doc->root = tv_new(doc, TV_MAP, NULL)) == NULL) {
		tv_doc_free(doc);
		return NULL;
	}
	return doc;
}

void
tv_doc_free(struct tv_doc *doc)
{
	struct tv_chunk *c, *next;

	if (doc == NULL)
		return;
	for (c = doc->chunks; c != NULL; c = next) {
		next = c->next;
		/* A password may be in it; explicit_bzero is not elided. */
		explicit_bzero(c->data, c->used);
		free(c);
	}
	free(doc);
}

void
tv_doc_fail(struct tv_doc *doc)
{
	if (doc != NULL)
		doc->failed = 1;
}

int
tv_doc_failed(const struct tv_doc *doc)
{
	return doc == NULL || doc->failed;
}

struct tv *
tv_root(struct tv_doc *doc)
{
	return doc != NULL ? doc->root : NULL;
}

/* Appends (key, val) to node; 0 or -1. */
static int
tv_append(struct tv_doc *doc, struct tv *node, const char *key,
    struct tv *val)
{
	struct tv_ent	*e;
	const char	*k = NULL;

	if (node->n == node->cap) {
		/* The old array stays in the chunk until the doc is freed. */
		size_t cap = node->cap ? node->cap * 2 : 8;

		if (cap > SIZE_MAX / sizeof(*e) ||
		    (e = tv_alloc(doc, cap * sizeof(*e))) == NULL)
			goto fail;
		if (node->n > 0)
			memcpy(e, node->ents, node->n * sizeof(*e));
		node->ents = e;
		node->cap = cap;
	}
	if (key != NULL && (k = tv_strdup(doc, key)) == NULL)
		goto fail;
	node->ents[node->n].key = k;
	node->ents[node->n].val = val;
	node->n++;
	return 0;
fail:
	doc->failed = 1;
	return -1;
}

/* A new node under key in map, replacing one there. */
static struct tv *
tv_set(struct tv_doc *doc, struct tv *map, const char *key,
    enum tv_kind kind, const char *text)
{
	struct tv *v;

	if (doc == NULL || map == NULL || map->kind != TV_MAP || key == NULL)
		return NULL;
	if ((v = tv_new(doc, kind, text)) == NULL)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (map->ents[i].key[0] == key[0] &&
		    strcmp(map->ents[i].key, key) == 0) {
			/* The old node stays in the doc until it is freed. */
			map->ents[i].val = v;
			return v;
		}
	return tv_append(doc, map, key, v) == 0 ? v : NULL;
}

struct tv *
tv_set_text(struct tv_doc *doc, struct tv *map, const char *key,
    const char *text)
{
	return tv_set(doc, map, key, TV_TEXT, text);
}

struct tv *
tv_put_text(struct tv_doc *doc, struct tv *map, const char *key,
    const char *text)
{
	struct tv *v;

	if (doc == NULL || map == NULL || map->kind != TV_MAP || key == NULL)
		return NULL;
	if ((v = tv_new(doc, TV_TEXT, text)) == NULL)
		return NULL;
	return tv_append(doc, map, key, v) == 0 ? v : NULL;
}

struct tv *
tv_set_list(struct tv_doc *doc, struct tv *map, const char *key)
{
	return tv_set(doc, map, key, TV_LIST, NULL);
}

struct tv *
tv_set_map(struct tv_doc *doc, struct tv *map, const char *key)
{
	return tv_set(doc, map, key, TV_MAP, NULL);
}

static struct tv *
tv_add(struct tv_doc *doc, struct tv *list, enum tv_kind kind,
    const char *text)
{
	struct tv *v;

	if (doc == NULL || list == NULL || list->kind != TV_LIST)
		return NULL;
	if ((v = tv_new(doc, kind, text)) == NULL)
		return NULL;
	return tv_append(doc, list, NULL, v) == 0 ? v : NULL;
}

struct tv *
tv_add_text(struct tv_doc *doc, struct tv *list, const char *text)
{
	return tv_add(doc, list, TV_TEXT, text);
}

struct tv *
tv_add_map(struct tv_doc *doc, struct tv *list)
{
	return tv_add(doc, list, TV_MAP, NULL);
}

struct tv *
tv_get(const struct tv *map, const char *key)
{
	if (map == NULL || map->kind != TV_MAP)
		return NULL;
	/* The first byte rules out most keys without a call. */
	for (size_t i = 0; i < map->n; i++)
		if (map->ents[i].key[0] == key[0] &&
		    strcmp(map->ents[i].key, key) == 0)
			return map->ents[i].val;
	return NULL;
}

enum tv_kind
tv_kind(const struct tv *node)
{
	return node->kind;
}

const char *
tv_text(const struct tv *node)
{
	return node != NULL && node->kind == TV_TEXT ? node->text : NULL;
}

size_t
tv_count(const struct tv *list)
{
	return list != NULL && list->kind == TV_LIST ? list->n : 0;
}

struct tv *
tv_item(const struct tv *list, size_t i)
{
	return list != NULL && list->kind == TV_LIST && i < list->n ?
	    list->ents[i].val : NULL;
}
