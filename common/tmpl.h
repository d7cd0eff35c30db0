/*
 * tmpl.h - the one template engine of provbox (issue #14): the files
 * phones fetch and, in time, the DHCP option values.
 *
 * Syntax (a template is text; everything else is copied as it is):
 *   {{ name }}             a value, escaped for the file's format
 *   {{ a.b.c }}            a value inside maps
 *   {{#each list as x}} .. {{/each}}
 *                          the body once per element, x bound to it;
 *                          {{ loop.index }} (1-based), {{ loop.index0 }},
 *                          and loop.first / loop.last for #if
 *   {{#if name}} .. {{#else}} .. {{/if}}
 *                          the first body when name is present and not
 *                          empty (a text with a byte, a list with an
 *                          element, any map), else the second
 *   {{> file }}            another template file, inlined when loaded:
 *                          a path under the templates directory (no "..",
 *                          not absolute), read once per load
 *   {{{{                   writes "{{"
 * Spaces inside the braces are optional. A section tag (#each, #if,
 * #else, /if, /each) alone on its line, blanks around it, writes no line
 * of its own: its line break is dropped (Mustache's standalone rule).
 *
 * A template is parsed once per (re)load against a schema: a value tree
 * shaped like the real ones (every name the templates may use present;
 * a list holds one element that shows the shape of all). A name the
 * schema does not have, a list used as a value, an #each over something
 * that is not a list, an unclosed section or a missing include is an
 * error naming the file and line. Rendering cannot fail on a name, then:
 * a value the real tree lacks renders as nothing.
 *
 * Values are data, never template text: a value holding "{{" renders as
 * those bytes (escaped), it is not parsed. Escaping as before: XML-escaped
 * in XML files; in text files no line break or control byte survives, so
 * no value can start a setting of its own.
 */
#ifndef PB_TMPL_H
#define PB_TMPL_H

#include <stddef.h>
#include <sys/types.h>

#include "cfg.h"
#include "tv.h"

struct tmpl;

#define TMPL_MAX_SIZE		(1024 * 1024)	/* a file, or with includes */
#define TMPL_MAX_DEPTH		16		/* nested sections */
#define TMPL_MAX_INCLUDES	8		/* nested includes */
#define TMPL_MAX_OUTPUT		(4 * 1024 * 1024)

/*
 * Parses text (name is how errors call it, "yealink/device.cfg") against
 * schema. Includes are read from files under base_dir (NULL: includes
 * are an error). NULL with "name:line: why" in err on any error.
 */
struct tmpl	*tmpl_parse(const char *text, size_t len, const char *name,
		    const char *base_dir, const struct tv *schema, char *err,
		    size_t errsz);
/* Reads base_dir/rel and parses it (tmpl_parse()). */
struct tmpl	*tmpl_load(const char *base_dir, const char *rel,
		    const struct tv *schema, char *err, size_t errsz);
void		 tmpl_free(struct tmpl *t);

/*
 * Renders t over root, escaped for fmt, into a new buffer (*out, caller
 * wipes and frees it: it may hold a password). The length, or -1 when out
 * of memory or past TMPL_MAX_OUTPUT.
 */
ssize_t		 tmpl_render(const struct tmpl *t, const struct tv *root,
		    enum file_format fmt, char **out);

/*
 * 1 if t writes or tests the name path ("tz.cisco_dst_rule") anywhere,
 * includes and sections counted; a name inside #each is its element's
 * ("a.password"), not the list's.
 */
int		 tmpl_uses(const struct tmpl *t, const char *path);
/*
 * 1 if t names anything under the top-level name ("tz" for tz.name or
 * tz.posix), counted as tmpl_uses() counts: what the tree must hold.
 */
int		 tmpl_uses_root(const struct tmpl *t, const char *name);

/* Escapes one value for fmt into dst (NUL-terminated); bytes written. */
size_t		 tmpl_escape(const char *v, enum file_format fmt, char *dst,
		    size_t dstsz);

#endif /* PB_TMPL_H */
