/*
 * render.h - the config files phones fetch, rendered from templates.
 *
 * A template is text with {{ name }} placeholders, parsed once (at start
 * and on reload) into literal runs and variables. Every value is escaped
 * for the file's format: XML-escaped in XML files, and in text files every
 * line break and control byte is removed, so no value can start a line of
 * its own (no setting can be injected). "{{{{" writes "{{".
 */
#ifndef PB_RENDER_H
#define PB_RENDER_H

#include <stddef.h>
#include <sys/types.h>

#include "cfg.h"

enum render_var {
	RV_USER = 0,		/* user.name */
	RV_DISPLAY_NAME,	/* user.display_name */
	RV_SIP_USER,		/* sip.user */
	RV_SIP_PASSWORD,	/* sip.password */
	RV_SIP_SERVER,		/* sip.server */
	RV_SIP_PORT,		/* sip.port */
	RV_MAC,			/* device.mac: aabbccddeeff */
	RV_MAC_UPPER,		/* device.MAC: AABBCCDDEEFF */
	RV_MODEL,		/* device.model */
	RV_VENDOR,		/* vendor */
	RV_BASE_URL,		/* base_url */
	RV_PROV_URL,		/* provisioning_url: the user's folder */
	RV_COUNT
};

struct render_vals {
	const char	*v[RV_COUNT];	/* NULL renders as "" */
};

struct render_tmpl;

/*
 * Parses template text. Returns NULL with a message (naming the line) in
 * err for an unknown placeholder or an unclosed "{{".
 */
struct render_tmpl	*render_parse(const char *text, size_t len,
			    char *err, size_t errsz);
/* Reads and parses a template file (at most 1 MiB). */
struct render_tmpl	*render_load(const char *path, char *err,
			    size_t errsz);
void			 render_free(struct render_tmpl *t);

/*
 * Renders t with vals, escaped for fmt, into a new buffer (*out, caller
 * frees with free(), after wiping it: it may hold a password). Returns the
 * length, or -1 if out of memory.
 */
ssize_t	render(const struct render_tmpl *t, const struct render_vals *vals,
	    enum file_format fmt, char **out);

/* Escapes one value for fmt into dst; returns the bytes written. */
size_t	render_escape(const char *v, enum file_format fmt, char *dst,
	    size_t dstsz);

#endif /* PB_RENDER_H */
