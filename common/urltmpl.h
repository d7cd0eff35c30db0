/*
 * urltmpl.h - provisioning option templates with ${...} placeholders.
 *
 * Vendor classes write their option values as templates, filled per client:
 *   ${base_url}  provisioning.base_url
 *   ${token}     the user's token (token mode, registered devices only)
 *   ${mac}       aabbccddeeff     ${MAC}  AABBCCDDEEFF
 *   ${model}     the device's model from the users table
 *   ${vendor}    the vendor class name
 *   ${server_ip} the address the reply is sent from (the server's address
 *                on the client's subnet), so an option follows the network
 * "$$" stands for one "$". In an IP option (ip, ip-list), an element may
 * be "${server_ip}" alone (cfg_option.server_ip_slots).
 */
#ifndef PB_URLTMPL_H
#define PB_URLTMPL_H

#include <stddef.h>

enum tmpl_var {
	TMPL_BASE_URL = 1 << 0,
	TMPL_TOKEN = 1 << 1,
	TMPL_MAC = 1 << 2,
	TMPL_MAC_UPPER = 1 << 3,
	TMPL_MODEL = 1 << 4,
	TMPL_VENDOR = 1 << 5,
	TMPL_SERVER_IP = 1 << 6,
};
#define TMPL_ALL	0x7f

struct tmpl_vars {
	const char	*base_url;
	const char	*token;
	const char	*mac;		/* lower case, no separators */
	const char	*mac_upper;
	const char	*model;
	const char	*vendor;
	const char	*server_ip;	/* dotted quad */
};

/*
 * Translates a value written in the file templates' syntax ("{{ base_url
 * }}/p/{{ token }}/": base_url, token, server_ip, vendor, device.mac,
 * device.MAC, device.model; "{{{{" for a literal "{{") into the ${ } form
 * the functions below take; a "$" becomes "$$". Returns the length, or
 * -1 with a message in err (an unknown name, a section, an unclosed
 * "{{", a "${" mixed in, or no room in outsz).
 */
int	tmpl_from_braces(const char *in, char *out, size_t outsz, char *err,
	    size_t errsz);

/*
 * Checks a template's syntax. Returns the set of placeholders it uses
 * (enum tmpl_var bits), or -1 with a message in err for an unclosed "${",
 * an unknown name or a lone "$".
 */
int	tmpl_check(const char *tmpl, char *err, size_t errsz);

/*
 * Fills a template. A NULL variable expands to "". Returns the length
 * written (without the NUL), or -1 if the result does not fit outsz.
 * The template must have passed tmpl_check().
 */
int	tmpl_expand(const char *tmpl, const struct tmpl_vars *vars, char *out,
	    size_t outsz);

/*
 * Checks that text (an expanded template) is a usable absolute URL:
 * http, https, tftp or ftp scheme, a host, no spaces or control bytes.
 * Returns 0, or -1 with a message in err.
 */
int	url_check(const char *text, char *err, size_t errsz);

#endif /* PB_URLTMPL_H */
