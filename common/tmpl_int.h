/*
 * tmpl_int.h - a parsed template, shared by the parser (tmpl.c) and the
 * renderer (tmpl_render.c) and nobody else.
 */
#ifndef PB_TMPL_INT_H
#define PB_TMPL_INT_H

#include <stddef.h>

#define TMPL_MAX_SEGS	8	/* parts of a name */

enum tn_kind {
	TN_TEXT = 0,
	TN_VAR,
	TN_EACH,
	TN_IF,
};

struct tnode;

struct tblock {
	struct tnode	*v;
	size_t		 n, cap;
};

struct tnode {
	enum tn_kind	 kind;
	char		*text;		/* TN_TEXT: owned, len bytes */
	size_t		 len;
	char		*path[TMPL_MAX_SEGS];	/* TN_VAR, TN_EACH, TN_IF */
	size_t		 npath;
	char		*as;		/* TN_EACH: the element's name */
	struct tblock	 body;		/* TN_EACH; TN_IF when true */
	struct tblock	 alt;		/* TN_IF when false */
};

struct tmpl {
	struct tblock	 top;
};

#endif /* PB_TMPL_INT_H */
