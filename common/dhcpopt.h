/*
 * dhcpopt.h - the DHCP option type table.
 *
 * Every option an admin can configure has a type that says how its value is
 * written in the config and encoded on the wire. Known codes carry a default
 * type and a name; any other code may be configured with an explicit type.
 */
#ifndef PB_DHCPOPT_H
#define PB_DHCPOPT_H

#include <stddef.h>
#include <stdint.h>

enum opt_type {
	OPT_T_NONE = 0,
	OPT_T_IP,		/* one IPv4 address */
	OPT_T_IP_LIST,		/* one or more IPv4 addresses */
	OPT_T_U8,
	OPT_T_U16,
	OPT_T_U32,
	OPT_T_STRING,		/* text, may hold ${...} placeholders */
	OPT_T_HEX,		/* raw bytes written as hex */
	OPT_T_BOOL,		/* one byte, 0 or 1 */
	OPT_T_SUBOPTS,		/* encapsulated code/len/value (43, 125, ...) */
	OPT_T_I32,		/* signed, two's complement (RFC 2132 3.4) */
	OPT_T_LAST = OPT_T_I32
};

struct opt_def {
	uint8_t		 code;
	const char	*name;
	enum opt_type	 type;
	int		 server_only;	/* set by the server, not by admins */
};

const char	*opt_type_str(enum opt_type type);
int		 opt_type_parse(const char *name, enum opt_type *out);
/* The table entry for code, or NULL for a code provbox has no name for. */
const struct opt_def *opt_def_find(unsigned code);
/* The code for an option name ("routers", "tftp-server-name"); -1 if none. */
int		 opt_code_by_name(const char *name);

/*
 * Parses hex bytes written as "01:02:ff", "01 02 ff" or "0102ff" into out.
 * Returns the byte count, or -1 for bad digits or more than outsz bytes.
 */
int		 opt_hex_parse(const char *s, uint8_t *out, size_t outsz);

#endif /* PB_DHCPOPT_H */
