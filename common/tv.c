/*
 * tv.c - value trees (tv.h): the settings a template renders, built per
 * device and per file, freed (texts wiped) in one call.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tv.h"

struct tv_ent {
	char		*key;		/* NULL in a list */
	struct tv	*val;
};

struct tv {
	enum tv_kind	 kind;
	char		*text;		/* TV_TEXT */
	struct tv_ent	*ents;		/* TV_MAP, TV_LIST */
	size_t		 n, cap;
	struct tv	*all_next;	/* the doc's list of its nodes */
};

struct tv_doc {
	struct tv	*root;
	struct tv	*all;
	int		 failed;
};

static struct tv *
tv_new(struct tv_doc *doc, enum tv_kind kind, const char *text)
{
	struct tv *v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		goto fail;
	v->kind = kind;
	if (kind == TV_TEXT && (v->text = strdup(text != NULL ? text :
	    "")) == NULL) {
		free(v);
		goto fail;
	}
	v->all_next = doc->all;
	doc->all = v;
	return v;
fail:
	doc->failed = 1;
	return NULL;
}

struct tv_doc *
tv_doc_new(void)
{
	struct tv_doc *doc;

	if ((doc = calloc(1, sizeof(*doc))) == NULL)
		return NULL;
	if ((doc->root = tv_new(doc, TV_MAP, NULL)) == NULL) {
		free(doc);
		return NULL;
	}
	return doc;
}

void
tv_doc_free(struct tv_doc *doc)
{
	struct tv *v, *next;

	if (doc == NULL)
		return;
	for (v = doc->all; v != NULL; v = next) {
		next = v->all_next;
		if (v->text != NULL) {
			OPENSSL_cleanse(v->text, strlen(v->text));
			free(v->text);
		}
		for (size_t i = 0; i < v->n; i++)
			free(v->ents[i].key);
		free(v->ents);
		free(v);
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
	char		*k = NULL;

	if (node->n == node->cap) {
		size_t cap = node->cap ? node->cap * 2 : 4;

		if ((e = reallocarray(node->ents, cap, sizeof(*e))) == NULL)
			goto fail;
		node->ents = e;
		node->cap = cap;
	}
	if (key != NULL && (k = strdup(key)) == NULL)
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
		if (strcmp(map->ents[i].key, key) == 0) {
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
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->ents[i].key, key) == 0)
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
