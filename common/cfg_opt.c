/*
 * cfg_opt.c - DHCP option lists, as the dhcp section, its subnets and the
 * vendor classes write them: by code or name, typed values encoded once at
 * load time, string templates kept for the reply, sub-options nested.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"
#include "urltmpl.h"


void
cfg_options_free(struct cfg_option *opts, size_t n)
{
	if (opts == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(opts[i].tmpl);
		free(opts[i].data);
		cfg_options_free(opts[i].sub, opts[i].nsub);
	}
	free(opts);
}

static const char *
server_only_hint(unsigned code)
{
	/*
	 * 58 and 59 stay refused in option lists: the server must send T1 <
	 * T2 < the lease time of each reply, which a fixed value cannot
	 * promise (a client may ask for a shorter lease).
	 */
	switch (code) {
	case 51:
		return "set lease_time (dhcp or a subnet)";
	case 58:
		return "set renew_time (dhcp, a subnet or a vendor class)";
	case 59:
		return "set rebind_time (dhcp, a subnet or a vendor class)";
	case 54:
		return "the server identifier is the receiving interface's "
		    "address";
	default:
		return "the server sets it from the client's request";
	}
}

static int
encode_static(struct cfg_ctx *ctx, struct cfg_option *o, const void *buf,
    size_t len)
{
	if (len == 0)
		return 0;
	if ((o->data = cfg_calloc(ctx, 1, len)) == NULL)
		return -1;
	memcpy(o->data, buf, len);
	o->len = len;
	return 0;
}

/*
 * Encodes the value setting v of type o->type into o. Strings become
 * templates when they use placeholders.
 */
static int
parse_value(struct cfg_ctx *ctx, const config_setting_t *el,
    const config_setting_t *v, int allowed_vars, const char *why_not,
    struct cfg_option *o)
{
	uint8_t		 buf[255];
	int		 type = config_setting_type(v);
	long long	 n;
	char		 err[256];
	int		 used;

	switch (o->type) {
	case OPT_T_IP:
	case OPT_T_IP_LIST: {
		const config_setting_t	*e;
		const char		*str;
		char			 slot[32];
		int			 list = config_setting_is_array(v) ||
					    config_setting_is_list(v);
		size_t			 nips = list ?
					    (size_t)config_setting_length(v) :
					    1;
		uint32_t		 ip;

		if (nips == 0 || (o->type == OPT_T_IP && nips != 1) ||
		    nips > sizeof(buf) / 4) {
			cfg_err(ctx, v, "needs %s", o->type == OPT_T_IP ?
			    "exactly one IPv4 address" :
			    "1 to 63 IPv4 addresses");
			return -1;
		}
		for (size_t i = 0; i < nips; i++) {
			e = list ? config_setting_get_elem(v, (unsigned)i) : v;
			if (e == NULL || (str = config_setting_get_string(e)) ==
			    NULL) {
				cfg_err(ctx, e != NULL ? e : v, "needs IPv4 "
				    "addresses as strings, e.g. [ \"10.0.0.1\" ]");
				return -1;
			}
			/* The server's own address, filled per reply (in
			 * either syntax: {{ }} is translated first). */
			if (strstr(str, "{{") != NULL &&
			    tmpl_from_braces(str, slot, sizeof(slot), err,
			    sizeof(err)) >= 0)
				str = slot;
			if (strcmp(str, "${server_ip}") == 0) {
				if (!(allowed_vars & TMPL_SERVER_IP)) {
					cfg_err(ctx, e, "placeholders are not "
					    "allowed here: %s", why_not);
					return -1;
				}
				o->server_ip_slots |= 1ULL << i;
				ip = 0;
			} else if (ip4_parse(str, &ip) != 0) {
				cfg_err(ctx, e, "'%s' is not an IPv4 address",
				    str);
				return -1;
			}
			buf[4 * i] = (uint8_t)(ip >> 24);
			buf[4 * i + 1] = (uint8_t)(ip >> 16);
			buf[4 * i + 2] = (uint8_t)(ip >> 8);
			buf[4 * i + 3] = (uint8_t)ip;
		}
		return encode_static(ctx, o, buf, 4 * nips);
	}
	case OPT_T_U8:
	case OPT_T_U16:
	case OPT_T_U32: {
		unsigned long long	 max = o->type == OPT_T_U8 ? 0xff :
					    o->type == OPT_T_U16 ? 0xffff :
					    0xffffffffULL;
		unsigned long long	 u;
		size_t			 w = o->type == OPT_T_U8 ? 1 :
					    o->type == OPT_T_U16 ? 2 : 4;

		if (cfg_get_uint(ctx, el, "value", 1, 0, max, &u) != 1)
			return -1;
		for (size_t i = 0; i < w; i++)
			buf[i] = (uint8_t)(u >> (8 * (w - 1 - i)));
		return encode_static(ctx, o, buf, w);
	}
	case OPT_T_I32: {
		uint32_t u;

		/* An int, or an int64 with an L suffix: range checked here. */
		if ((type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) ||
		    (n = config_setting_get_int64(v)) < INT32_MIN ||
		    n > INT32_MAX) {
			cfg_err(ctx, v, "must be an integer from %ld to %ld "
			    "(a signed 32-bit value)", (long)INT32_MIN,
			    (long)INT32_MAX);
			return -1;
		}
		u = (uint32_t)(int32_t)n;
		for (size_t i = 0; i < 4; i++)
			buf[i] = (uint8_t)(u >> (8 * (3 - i)));
		return encode_static(ctx, o, buf, 4);
	}
	case OPT_T_BOOL:
		if (type != CONFIG_TYPE_BOOL) {
			cfg_err(ctx, v, "must be true or false for a bool "
			    "option");
			return -1;
		}
		buf[0] = (uint8_t)config_setting_get_bool(v);
		return encode_static(ctx, o, buf, 1);
	case OPT_T_HEX:
		if (type != CONFIG_TYPE_STRING ||
		    (n = opt_hex_parse(config_setting_get_string(v), buf,
		    sizeof(buf))) <= 0) {
			cfg_err(ctx, v, "must be 1 to 255 bytes of hex, "
			    "e.g. \"01:02:0a\" or \"01020a\"");
			return -1;
		}
		return encode_static(ctx, o, buf, (size_t)n);
	case OPT_T_STRING: {
		const char	*s;
		char		 fixed[CFG_OPT_TEXT_MAX + 1];
		char		 braces[2 * CFG_OPT_TEXT_MAX + 1];
		struct tmpl_vars none;

		if (cfg_get_string(ctx, el, "value", 1, CFG_OPT_TEXT_MAX,
		    &s) != 1)
			return -1;
		/* The file engine's {{ name }}: the same value in ${ } form. */
		if (strstr(s, "{{") != NULL) {
			if (tmpl_from_braces(s, braces, sizeof(braces), err,
			    sizeof(err)) < 0) {
				cfg_err(ctx, v, "malformed template: %s", err);
				return -1;
			}
			s = braces;
		}
		if ((used = tmpl_check(s, err, sizeof(err))) < 0) {
			cfg_err(ctx, v, "malformed template: %s", err);
			return -1;
		}
		if (used & ~allowed_vars) {
			cfg_err(ctx, v, "placeholders are not allowed here: "
			    "%s", why_not);
			return -1;
		}
		if (used != 0) {
			o->tmpl = cfg_strdup(ctx, s);
			o->tmpl_vars = used;
			return 0;
		}
		/* No placeholders: "$$" still becomes "$". */
		memset(&none, 0, sizeof(none));
		n = tmpl_expand(s, &none, fixed, sizeof(fixed));
		if (n > 255) {
			cfg_err(ctx, v, "is %lld bytes; a fixed option value "
			    "holds at most 255", n);
			return -1;
		}
		return encode_static(ctx, o, fixed, (size_t)n);
	}
	default:
		cfg_err(ctx, v, "cannot hold a value of type %s",
		    opt_type_str(o->type));
		return -1;
	}
}

static int parse_option_list(struct cfg_ctx *, const config_setting_t *,
    int, const char *, int, struct cfg_option **, size_t *);

static int
parse_option(struct cfg_ctx *ctx, const config_setting_t *el,
    int allowed_vars, const char *why_not, int is_sub, struct cfg_option *o)
{
	static const char *const keys[] = { "code", "name", "type", "value",
		"suboptions", NULL };
	const struct opt_def	*def = NULL;
	const config_setting_t	*v, *subs;
	unsigned long long	 code;
	const char		*str;
	int			 has_code, r;

	if (!config_setting_is_group(el)) {
		cfg_err(ctx, el, "an option must be a group { code = N; "
		    "value = ...; }");
		return -1;
	}
	cfg_check_keys(ctx, el, keys);
	has_code = cfg_get_uint(ctx, el, "code", 0, 1, 254, &code);
	if (has_code < 0)
		return -1;
	if (cfg_get_string(ctx, el, "name", 0, 64, &str) == 1) {
		int c = is_sub ? -1 : opt_code_by_name(str);

		if (c < 0) {
			cfg_err(ctx, config_setting_get_member(el, "name"),
			    "unknown option name '%s' (write code = N and "
			    "type = ... instead)", str);
			return -1;
		}
		if (has_code == 1 && (unsigned long long)c != code) {
			cfg_err(ctx, el, "name '%s' is option %d, not %llu",
			    str, c, code);
			return -1;
		}
		code = (unsigned long long)c;
		has_code = 1;
	}
	if (has_code != 1) {
		cfg_err(ctx, el, "an option needs code = 1..254 (or name = "
		    "\"...\")");
		return -1;
	}
	o->code = (uint8_t)code;
	if (!is_sub && (def = opt_def_find(o->code)) != NULL) {
		if (def->server_only) {
			cfg_err(ctx, el, "option %u (%s) is set by the server "
			    "itself: %s", o->code, def->name,
			    server_only_hint(o->code));
			return -1;
		}
		o->type = def->type;
	}
	if ((r = cfg_get_string(ctx, el, "type", 0, 32, &str)) < 0)
		return -1;
	if (r == 1 && opt_type_parse(str, &o->type) != 0) {
		cfg_err(ctx, config_setting_get_member(el, "type"),
		    "unknown type '%s' (valid: ip, ip-list, u8, u16, u32, "
		    "i32, string, hex, bool, suboptions)", str);
		return -1;
	}
	v = config_setting_get_member(el, "value");
	subs = config_setting_get_member(el, "suboptions");
	if (o->type == OPT_T_NONE) {
		/* An unknown sub-option written as a string is a string. */
		if (is_sub && v != NULL &&
		    config_setting_type(v) == CONFIG_TYPE_STRING)
			o->type = OPT_T_STRING;
		else {
			cfg_err(ctx, el, "option %u has no known type: add "
			    "type = \"string\" (or ip, ip-list, u8, u16, u32, "
			    "i32, hex, bool, suboptions)", o->code);
			return -1;
		}
	}
	if (o->type == OPT_T_SUBOPTS) {
		if (is_sub) {
			cfg_err(ctx, el, "sub-options do not nest");
			return -1;
		}
		if (subs == NULL || v != NULL) {
			cfg_err(ctx, el, "option %u holds sub-options: write "
			    "suboptions = ( { code = N; value = ...; } ), or "
			    "type = \"hex\" with a raw value", o->code);
			return -1;
		}
		return parse_option_list(ctx, subs, allowed_vars, why_not, 1,
		    &o->sub, &o->nsub);
	}
	if (subs != NULL) {
		cfg_err(ctx, subs, "only an option of type suboptions "
		    "holds sub-options");
		return -1;
	}
	if (v == NULL) {
		cfg_err(ctx, el, "option %u needs a value (of type %s)",
		    o->code, opt_type_str(o->type));
		return -1;
	}
	if (parse_value(ctx, el, v, allowed_vars, why_not, o) != 0)
		return -1;
	/*
	 * RFC 2132 3.4: the subnet's offset from UTC, and every zone is
	 * within a day of it. Bounded here because libconfig 1.5 reads an
	 * integer without an L suffix as an int: 2147483648 arrives as
	 * -2147483648, which the type's range alone would take.
	 */
	if (!is_sub && o->code == 2 && o->type == OPT_T_I32) {
		int32_t off = (int32_t)((uint32_t)o->data[0] << 24 |
		    (uint32_t)o->data[1] << 16 | (uint32_t)o->data[2] << 8 |
		    o->data[3]);

		if (off < -86400 || off > 86400) {
			cfg_err(ctx, v, "time-offset %ld is not an offset "
			    "from UTC (valid: -86400 to 86400 seconds)",
			    (long)off);
			return -1;
		}
	}
	return 0;
}

static int
parse_option_list(struct cfg_ctx *ctx, const config_setting_t *list,
    int allowed_vars, const char *why_not, int is_sub,
    struct cfg_option **out, size_t *nout)
{
	struct cfg_option	*opts;
	int			 n, ret = 0;

	*out = NULL;
	*nout = 0;
	if ((n = cfg_list_len(ctx, list, "{ code = N; value = ...; }")) <= 0)
		return n;
	if ((opts = cfg_calloc(ctx, (size_t)n, sizeof(*opts))) == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		const config_setting_t *el = config_setting_get_elem(list,
		    (unsigned)i);

		if (parse_option(ctx, el, allowed_vars, why_not, is_sub,
		    &opts[i]) != 0) {
			ret = -1;
			continue;
		}
		for (int k = 0; k < i; k++) {
			if (opts[k].code == opts[i].code) {
				cfg_err(ctx, el, "%soption %u is set twice in "
				    "this list", is_sub ? "sub-" : "",
				    opts[i].code);
				ret = -1;
				break;
			}
		}
	}
	*out = opts;
	*nout = (size_t)n;
	return ret;
}

int
cfg_parse_options(struct cfg_ctx *ctx, const config_setting_t *list,
    int allowed_vars, const char *why_not, struct cfg_option **out,
    size_t *n)
{
	return parse_option_list(ctx, list, allowed_vars, why_not, 0, out, n);
}
