/*
 * cfg_dhcp.c - the dhcp section: subnets, pools, reservations, lease times,
 * and the option lists that the dhcp section and vendor classes share.
 */
#include "config.h"

#include <ctype.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_int.h"
#include "urltmpl.h"

/* An address range and where it was written, for overlap reports. */
struct span {
	uint32_t		 start;
	uint32_t		 end;
	const config_setting_t	*where;
};

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

static void
span_overlaps(struct cfg_ctx *ctx, struct span *v, size_t n, const char *what)
{
	size_t	 prev = 0;

	/* v is NULL when nothing was collected: qsort() must not see it. */
	if (n < 2)
		return;
	qsort(v, n, sizeof(*v), span_cmp);
	for (size_t i = 1; i < n; i++) {
		char	 a[IP4_STR_LEN], b[IP4_STR_LEN];

		if (v[i].start <= v[prev].end) {
			cfg_err(ctx, v[i].where, "overlaps the %s %s - %s at "
			    "%s:%u", what, ip4_format(v[prev].start, a),
			    ip4_format(v[prev].end, b),
			    config_setting_source_file(v[prev].where),
			    config_setting_source_line(v[prev].where));
		}
		if (v[i].end > v[prev].end)
			prev = i;
	}
}

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
	switch (code) {
	case 51:
	case 58:
	case 59:
		return "set lease_time; T1 and T2 follow from it";
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
			/* The server's own address, filled per reply. */
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
		struct tmpl_vars none;

		if (cfg_get_string(ctx, el, "value", 1, CFG_OPT_TEXT_MAX,
		    &s) != 1)
			return -1;
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

int
cfg_valid_hostname(const char *s)
{
	size_t label = 0;

	if (*s == '\0' || strlen(s) > 253)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0;
}

static void
parse_pools(struct cfg_ctx *ctx, const config_setting_t *sg,
    struct cfg_subnet *sn, struct span **spans, size_t *nspans)
{
	static const char *const keys[] = { "start", "end", NULL };
	const config_setting_t	*list = config_setting_get_member(sg,
				    "pools");
	uint32_t		 bcast = sn->network | ~sn->mask;
	int			 n;

	if ((n = cfg_list_len(ctx, list, "{ start = \"a.b.c.d\"; end = "
	    "\"a.b.c.d\"; }")) <= 0)
		return;
	if ((sn->pools = cfg_calloc(ctx, (size_t)n, sizeof(*sn->pools))) ==
	    NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t	*pg = config_setting_get_elem(list,
					    (unsigned)i);
		struct cfg_pool		 p;
		char			 a[IP4_STR_LEN], b[IP4_STR_LEN];
		char			 c[IP4_STR_LEN];
		struct span		*sp;

		if (!config_setting_is_group(pg)) {
			cfg_err(ctx, pg, "a pool must be a group { start = "
			    "\"a.b.c.d\"; end = \"a.b.c.d\"; }");
			continue;
		}
		cfg_check_keys(ctx, pg, keys);
		if ((cfg_get_ip(ctx, pg, "start", 1, &p.start) != 1) |
		    (cfg_get_ip(ctx, pg, "end", 1, &p.end) != 1))
			continue;
		if (p.start > p.end) {
			cfg_err(ctx, pg, "reversed pool: start %s is after "
			    "end %s (write the lower address as start)",
			    ip4_format(p.start, a), ip4_format(p.end, b));
			continue;
		}
		if ((p.start & sn->mask) != sn->network ||
		    (p.end & sn->mask) != sn->network) {
			cfg_err(ctx, pg, "pool %s - %s is outside its subnet "
			    "%s/%u", ip4_format(p.start, a),
			    ip4_format(p.end, b), ip4_format(sn->network, c),
			    sn->prefix);
			continue;
		}
		if (p.start == sn->network || p.end == bcast) {
			cfg_err(ctx, pg, "pool includes the subnet's %s "
			    "address %s (valid: %s to %s)",
			    p.start == sn->network ? "network" : "broadcast",
			    ip4_format(p.start == sn->network ? p.start :
			    p.end, a), ip4_format(sn->network + 1, b),
			    ip4_format(bcast - 1, c));
			continue;
		}
		sn->pools[sn->npools++] = p;
		sp = reallocarray(*spans, *nspans + 1, sizeof(**spans));
		if (sp == NULL) {
			ctx->nomem = 1;
			continue;
		}
		*spans = sp;
		sp[*nspans].start = p.start;
		sp[*nspans].end = p.end;
		sp[*nspans].where = pg;
		(*nspans)++;
	}
}

/* A reservation and where it was written, for duplicate reports. */
struct resv_ref {
	struct mac_addr		 mac;
	uint32_t		 ip;
	const config_setting_t	*where;
};

static void
parse_reservations(struct cfg_ctx *ctx, const config_setting_t *sg,
    struct cfg_subnet *sn, struct resv_ref **refs, size_t *nrefs)
{
	static const char *const keys[] = { "mac", "ip", "hostname", NULL };
	const config_setting_t	*list = config_setting_get_member(sg,
				    "reservations");
	uint32_t		 bcast = sn->network | ~sn->mask;
	int			 n;

	if ((n = cfg_list_len(ctx, list, "{ mac = \"...\"; ip = \"...\"; }")) <=
	    0)
		return;
	if ((sn->reservations = cfg_calloc(ctx, (size_t)n,
	    sizeof(*sn->reservations))) == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const config_setting_t	*rg = config_setting_get_elem(list,
					    (unsigned)i);
		struct cfg_reservation	*r = &sn->reservations[sn->nreservations];
		const char		*host;
		char			 a[IP4_STR_LEN], b[IP4_STR_LEN];
		struct resv_ref		*rr;

		if (!config_setting_is_group(rg)) {
			cfg_err(ctx, rg, "a reservation must be a group "
			    "{ mac = \"...\"; ip = \"...\"; }");
			continue;
		}
		cfg_check_keys(ctx, rg, keys);
		if ((cfg_get_mac(ctx, rg, "mac", 1, &r->mac) != 1) |
		    (cfg_get_ip(ctx, rg, "ip", 1, &r->ip) != 1))
			continue;
		if ((r->ip & sn->mask) != sn->network || r->ip ==
		    sn->network || r->ip == bcast) {
			cfg_err(ctx, config_setting_get_member(rg, "ip"),
			    "%s is not a host address of subnet %s/%u",
			    ip4_format(r->ip, a), ip4_format(sn->network, b),
			    sn->prefix);
			continue;
		}
		if (cfg_get_string(ctx, rg, "hostname", 0, 63, &host) == 1) {
			if (!cfg_valid_hostname(host)) {
				cfg_err(ctx, config_setting_get_member(rg,
				    "hostname"), "'%s' is not a host name "
				    "(letters, digits, '-', dots)", host);
				continue;
			}
			r->hostname = cfg_strdup(ctx, host);
		}
		sn->nreservations++;
		if ((rr = reallocarray(*refs, *nrefs + 1, sizeof(**refs))) ==
		    NULL) {
			ctx->nomem = 1;
			continue;
		}
		*refs = rr;
		rr[*nrefs].mac = r->mac;
		rr[*nrefs].ip = r->ip;
		rr[*nrefs].where = rg;
		(*nrefs)++;
	}
}

/*
 * Ties in file order, so a duplicate names the earlier one. Two on one line
 * compare by address: qsort() needs a consistent order, never "a < b and
 * b < a".
 */
static int
resv_cmp_where(const struct resv_ref *x, const struct resv_ref *y)
{
	unsigned lx = config_setting_source_line(x->where);
	unsigned ly = config_setting_source_line(y->where);

	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->where < y->where ? -1 : x->where > y->where;
}

static int
resv_cmp_mac(const void *a, const void *b)
{
	const struct resv_ref *x = a, *y = b;
	int c = mac_cmp(&x->mac, &y->mac);

	if (c != 0)
		return c;
	return resv_cmp_where(x, y);
}

static int
resv_cmp_ip(const void *a, const void *b)
{
	const struct resv_ref *x = a, *y = b;

	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return resv_cmp_where(x, y);
}

static void
check_reservations(struct cfg_ctx *ctx, struct resv_ref *r, size_t n)
{
	char	 s[MAC_STR_LEN];

	if (n < 2)	/* r may be NULL */
		return;
	qsort(r, n, sizeof(*r), resv_cmp_mac);
	for (size_t i = 1; i < n; i++)
		if (mac_cmp(&r[i].mac, &r[i - 1].mac) == 0)
			cfg_err(ctx, r[i].where, "MAC %s is listed twice: "
			    "also reserved at %s:%u", mac_format(&r[i].mac, s),
			    config_setting_source_file(r[i - 1].where),
			    config_setting_source_line(r[i - 1].where));
	qsort(r, n, sizeof(*r), resv_cmp_ip);
	for (size_t i = 1; i < n; i++)
		if (r[i].ip == r[i - 1].ip)
			cfg_err(ctx, r[i].where, "address %s is reserved "
			    "twice: also at %s:%u", ip4_format(r[i].ip, s),
			    config_setting_source_file(r[i - 1].where),
			    config_setting_source_line(r[i - 1].where));
}

static void
parse_subnet(struct cfg_ctx *ctx, const config_setting_t *sg,
    struct cfg_subnet *sn, struct span **pools, size_t *npools,
    struct resv_ref **resv, size_t *nresv)
{
	static const char *const keys[] = { "subnet", "interface", "pools",
		"routers", "dns", "domain", "lease_time", "options",
		"reservations", NULL };
	const config_setting_t	*opts;
	const char		*str;
	unsigned long long	 lt;
	char			 a[IP4_STR_LEN], b[IP4_STR_LEN], c[IP4_STR_LEN];

	cfg_check_keys(ctx, sg, keys);
	if (cfg_get_string(ctx, sg, "subnet", 1, 64, &str) != 1)
		return;
	if (cidr_parse(str, &sn->network, &sn->prefix) != 0 ||
	    sn->prefix < 8 || sn->prefix > 30) {
		cfg_err(ctx, config_setting_get_member(sg, "subnet"),
		    "'%s' is not a subnet (a.b.c.d/len, len 8 to 30)", str);
		return;
	}
	sn->mask = ip4_mask(sn->prefix);
	if ((sn->network & ~sn->mask) != 0) {
		cfg_err(ctx, config_setting_get_member(sg, "subnet"),
		    "'%s' has host bits set (did you mean %s/%u?)", str,
		    ip4_format(sn->network & sn->mask, a), sn->prefix);
		return;
	}
	if (cfg_get_string(ctx, sg, "interface", 0, IFNAMSIZ - 1, &str) == 1)
		sn->interface = cfg_strdup(ctx, str);
	parse_pools(ctx, sg, sn, pools, npools);
	parse_reservations(ctx, sg, sn, resv, nresv);
	if (cfg_get_ips(ctx, sg, "routers", &sn->routers, &sn->nrouters) ==
	    1) {
		for (size_t i = 0; i < sn->nrouters; i++) {
			if ((sn->routers[i] & sn->mask) != sn->network)
				cfg_err(ctx, config_setting_get_member(sg,
				    "routers"), "router %s is not in subnet "
				    "%s/%u", ip4_format(sn->routers[i], a),
				    ip4_format(sn->network, b), sn->prefix);
			/* A client leased the router's address cuts the LAN. */
			for (size_t k = 0; k < sn->npools; k++)
				if (sn->routers[i] >= sn->pools[k].start &&
				    sn->routers[i] <= sn->pools[k].end)
					cfg_err(ctx, config_setting_get_member(
					    sg, "routers"), "router %s is inside "
					    "the pool %s-%s: a client could be "
					    "given its address (leave it out of "
					    "the pools)", ip4_format(
					    sn->routers[i], a), ip4_format(
					    sn->pools[k].start, b), ip4_format(
					    sn->pools[k].end, c));
		}
	}
	cfg_get_ips(ctx, sg, "dns", &sn->dns, &sn->ndns);
	if (cfg_get_string(ctx, sg, "domain", 0, 253, &str) == 1) {
		if (!cfg_valid_hostname(str))
			cfg_err(ctx, config_setting_get_member(sg, "domain"),
			    "'%s' is not a domain name", str);
		else
			sn->domain = cfg_strdup(ctx, str);
	}
	if (cfg_get_uint(ctx, sg, "lease_time", 0, ctx->cfg->dhcp.min_lease_time,
	    ctx->cfg->dhcp.max_lease_time, &lt) == 1)
		sn->lease_time = (uint32_t)lt;
	if ((opts = config_setting_get_member(sg, "options")) != NULL)
		cfg_parse_options(ctx, opts, 0, "placeholders are filled only "
		    "in vendor class options", &sn->options, &sn->noptions);
}

int
cfg_parse_dhcp(struct cfg_ctx *ctx, const config_setting_t *root)
{
	static const char *const keys[] = { "interfaces", "authoritative",
		"lease_time", "min_lease_time", "max_lease_time",
		"decline_time", "offer_time", "options", "subnets", NULL };
	const config_setting_t	*g = config_setting_get_member(root, "dhcp");
	const config_setting_t	*list, *opts;
	struct cfg_dhcp		*d = &ctx->cfg->dhcp;
	struct span		*pools = NULL, *nets = NULL;
	struct resv_ref		*resv = NULL;
	size_t			 npools = 0, nresv = 0, nnets = 0;
	unsigned long long	 v;
	int			 n;

	d->authoritative = 1;
	d->lease_time = 3600;
	d->min_lease_time = 300;
	d->max_lease_time = 86400;
	d->decline_time = 86400;
	d->offer_time = 60;
	if (g == NULL)
		return 0;
	if (!cfg_is_group(ctx, g))
		return -1;
	cfg_check_keys(ctx, g, keys);
	cfg_get_strings(ctx, g, "interfaces", &d->interfaces,
	    &d->ninterfaces);
	for (size_t i = 0; i < d->ninterfaces; i++)
		if (d->interfaces[i] != NULL &&
		    (d->interfaces[i][0] == '\0' ||
		    strlen(d->interfaces[i]) >= IFNAMSIZ))
			cfg_err(ctx, config_setting_get_member(g, "interfaces"),
			    "'%s' is not an interface name (1 to %d "
			    "characters)", d->interfaces[i], IFNAMSIZ - 1);
	cfg_get_bool(ctx, g, "authoritative", &d->authoritative);
	if (cfg_get_uint(ctx, g, "min_lease_time", 0, 60, 0x7fffffff, &v) == 1)
		d->min_lease_time = (uint32_t)v;
	if (cfg_get_uint(ctx, g, "max_lease_time", 0, 60, 0x7fffffff, &v) == 1)
		d->max_lease_time = (uint32_t)v;
	if (d->min_lease_time > d->max_lease_time) {
		/* At the setting written (the defaults agree). */
		const config_setting_t *at = config_setting_get_member(g,
		    "min_lease_time");

		if (at == NULL)
			at = config_setting_get_member(g, "max_lease_time");
		cfg_err(ctx, at, "min_lease_time %u is above max_lease_time %u",
		    d->min_lease_time, d->max_lease_time);
	}
	if (cfg_get_uint(ctx, g, "lease_time", 0, d->min_lease_time,
	    d->max_lease_time, &v) == 1)
		d->lease_time = (uint32_t)v;
	else if (d->lease_time < d->min_lease_time ||
	    d->lease_time > d->max_lease_time)
		d->lease_time = d->lease_time < d->min_lease_time ?
		    d->min_lease_time : d->max_lease_time;
	if (cfg_get_uint(ctx, g, "decline_time", 0, 1, 0x7fffffff, &v) == 1)
		d->decline_time = (uint32_t)v;
	if (cfg_get_uint(ctx, g, "offer_time", 0, 1, 3600, &v) == 1)
		d->offer_time = (uint32_t)v;
	if ((opts = config_setting_get_member(g, "options")) != NULL)
		cfg_parse_options(ctx, opts, 0, "placeholders are filled only "
		    "in vendor class options", &d->options, &d->noptions);

	list = config_setting_get_member(g, "subnets");
	if ((n = cfg_list_len(ctx, list, "{ subnet = \"a.b.c.d/len\"; ... }")) <=
	    0)
		return n;
	if ((d->subnets = cfg_calloc(ctx, (size_t)n, sizeof(*d->subnets))) ==
	    NULL || (nets = cfg_calloc(ctx, (size_t)n, sizeof(*nets))) ==
	    NULL)
		goto done;
	d->nsubnets = (size_t)n;
	for (int i = 0; i < n; i++) {
		const config_setting_t *sg = config_setting_get_elem(list,
		    (unsigned)i);

		if (!config_setting_is_group(sg)) {
			cfg_err(ctx, sg, "a subnet must be a group { subnet = "
			    "\"a.b.c.d/len\"; ... }");
			continue;
		}
		parse_subnet(ctx, sg, &d->subnets[i], &pools, &npools, &resv,
		    &nresv);
		if (d->subnets[i].mask == 0)	/* already reported */
			continue;
		nets[nnets].start = d->subnets[i].network;
		nets[nnets].end = d->subnets[i].network | ~d->subnets[i].mask;
		nets[nnets].where = sg;
		nnets++;
	}
	span_overlaps(ctx, nets, nnets, "subnet");
	span_overlaps(ctx, pools, npools, "pool");
	check_reservations(ctx, resv, nresv);
done:
	free(nets);
	free(pools);
	free(resv);
	return 0;
}

void
cfg_dhcp_free(struct cfg_dhcp *d)
{
	cfg_strv_free(d->interfaces, d->ninterfaces);
	cfg_options_free(d->options, d->noptions);
	for (size_t i = 0; i < d->nsubnets; i++) {
		struct cfg_subnet *sn = &d->subnets[i];

		free(sn->interface);
		free(sn->pools);
		for (size_t k = 0; k < sn->nreservations; k++)
			free(sn->reservations[k].hostname);
		free(sn->reservations);
		free(sn->routers);
		free(sn->dns);
		free(sn->domain);
		cfg_options_free(sn->options, sn->noptions);
	}
	free(d->subnets);
}
