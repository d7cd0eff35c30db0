/*
 * route.h - what a provisioning request asks for, as a pure function of
 * the config and the request path (no sockets), so unit tests and the
 * fuzzer reach it directly.
 *
 *   <token_path>/<token>/<file>   a user's folder
 *   <legacy_path>/<file>          the flat folder of legacy classes
 *   /static/<file>                firmware, ring tones
 *
 * The path is percent-decoded once. Anything that could step outside a
 * folder or smuggle bytes is refused before any lookup: an encoded '/' or
 * NUL, '..' or '.' segments, backslashes, control bytes, non-ASCII, more
 * than one segment below a folder, paths over ROUTE_PATH_MAX. File names
 * are letters, digits, '.', '_', '-'.
 */
#ifndef PB_ROUTE_H
#define PB_ROUTE_H

#include <stddef.h>

#include "addr.h"
#include "cfg.h"
#include "token.h"

#define ROUTE_PATH_MAX	512
#define ROUTE_FILE_MAX	128

enum route_kind {
	ROUTE_BAD = 0,		/* malformed: 400 */
	ROUTE_NONE,		/* no such place: 404 */
	ROUTE_TOKEN,		/* a user's folder */
	ROUTE_LEGACY,		/* the flat folder */
	ROUTE_STATIC,		/* the static directory */
};
const char	*route_kind_str(enum route_kind kind);

struct route {
	enum route_kind		 kind;
	char			 token[TOKEN_LEN + 1];
	char			 file[ROUTE_FILE_MAX + 1];
};

/*
 * Splits and checks path (the request target; a query string is
 * ignored). Always fills out; returns out->kind.
 */
enum route_kind	 route_parse(const struct cfg *cfg, const char *path,
		    struct route *out);

/* What a file name means for one vendor class. */
struct file_match {
	const struct cfg_vendor	*vendor;
	const struct cfg_file	*file;
	struct mac_addr		 mac;
	int			 has_mac;
	char			 model[CFG_NAME_MAX + 1];
};

/*
 * Matches name against one file pattern. ${mac} and ${MAC} match twelve
 * hex digits in either case (phones differ), ${model} a run of name
 * characters, '*' any run. Returns 1 on a match (filling m's MAC and
 * model), else 0.
 */
int	route_match_file(const struct cfg_file *f, const char *name,
	    struct file_match *m);

/*
 * The first rule of the given classes (all of cfg's when vendor is NULL)
 * that name matches. Per-device rules are tried before common ones, so
 * "<mac>.cfg" is not taken for a common "*.cfg". Returns 1 or 0.
 */
int	route_find_file(const struct cfg *cfg, const struct cfg_vendor *vendor,
	    const char *name, struct file_match *m);

#endif /* PB_ROUTE_H */
