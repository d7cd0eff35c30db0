/*
 * tv.h - value trees: what a template renders (tmpl.h). A tree is maps,
 * lists and texts, built by the caller per device and per file; its
 * schema (the names templates may use) is a tree of the same shape.
 */
#ifndef PB_TV_H
#define PB_TV_H

#include <stddef.h>

enum tv_kind {
	TV_TEXT = 0,
	TV_LIST,
	TV_MAP,
};

struct tv;
struct tv_doc;

/*
 * A tree of values: its root is a map. Every node belongs to the doc and
 * is freed (texts wiped: they may be passwords) by tv_doc_free(). A
 * function that cannot allocate returns NULL and makes the doc fail
 * (tv_doc_failed()); passing it on is safe: every function takes a NULL
 * parent and returns NULL.
 */
struct tv_doc	*tv_doc_new(void);
void		 tv_doc_free(struct tv_doc *doc);
int		 tv_doc_failed(const struct tv_doc *doc);
/* Marks doc failed: its builder ran out of memory elsewhere. */
void		 tv_doc_fail(struct tv_doc *doc);
struct tv	*tv_root(struct tv_doc *doc);
/* A text, list or map under key in map (a key set twice: the last wins). */
struct tv	*tv_set_text(struct tv_doc *doc, struct tv *map,
		    const char *key, const char *text);
struct tv	*tv_set_list(struct tv_doc *doc, struct tv *map,
		    const char *key);
struct tv	*tv_set_map(struct tv_doc *doc, struct tv *map,
		    const char *key);
/*
 * As tv_set_text() for a key the map does not hold yet (a builder that
 * writes each key once): no search, so a map of n keys costs n, not n^2.
 */
struct tv	*tv_put_text(struct tv_doc *doc, struct tv *map,
		    const char *key, const char *text);
/* A text or map appended to list. */
struct tv	*tv_add_text(struct tv_doc *doc, struct tv *list,
		    const char *text);
struct tv	*tv_add_map(struct tv_doc *doc, struct tv *list);
/* Lookups: NULL when absent (or when node is not a map / list). */
struct tv	*tv_get(const struct tv *map, const char *key);
enum tv_kind	 tv_kind(const struct tv *node);
const char	*tv_text(const struct tv *node);	/* NULL: not a text */
size_t		 tv_count(const struct tv *list);
/* The i-th element of list, or NULL. */
struct tv	*tv_item(const struct tv *list, size_t i);

#endif /* PB_TV_H */
