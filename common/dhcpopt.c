/*
 * dhcpopt.c - the DHCP option type table (RFC 2132 and later RFCs).
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "addr.h"
#include "dhcpopt.h"

static const struct opt_def opt_table[] = {
	{ 1, "subnet-mask", OPT_T_IP, 0 },
	/* RFC 2132 3.4: "a two's complement 32-bit integer". */
	{ 2, "time-offset", OPT_T_I32, 0 },
	{ 3, "routers", OPT_T_IP_LIST, 0 },
	{ 4, "time-servers", OPT_T_IP_LIST, 0 },
	{ 6, "domain-name-servers", OPT_T_IP_LIST, 0 },
	{ 7, "log-servers", OPT_T_IP_LIST, 0 },
	{ 12, "host-name", OPT_T_STRING, 0 },
	{ 15, "domain-name", OPT_T_STRING, 0 },
	{ 26, "interface-mtu", OPT_T_U16, 0 },
	{ 28, "broadcast-address", OPT_T_IP, 0 },
	{ 42, "ntp-servers", OPT_T_IP_LIST, 0 },
	{ 43, "vendor-encapsulated-options", OPT_T_SUBOPTS, 0 },
	{ 44, "netbios-name-servers", OPT_T_IP_LIST, 0 },
	{ 50, "requested-address", OPT_T_IP, 1 },
	{ 51, "lease-time", OPT_T_U32, 1 },
	{ 52, "option-overload", OPT_T_U8, 1 },
	{ 53, "message-type", OPT_T_U8, 1 },
	{ 54, "server-identifier", OPT_T_IP, 1 },
	{ 55, "parameter-request-list", OPT_T_HEX, 1 },
	{ 56, "message", OPT_T_STRING, 1 },
	{ 57, "max-message-size", OPT_T_U16, 1 },
	{ 58, "renewal-time", OPT_T_U32, 1 },
	{ 59, "rebinding-time", OPT_T_U32, 1 },
	{ 60, "vendor-class-identifier", OPT_T_STRING, 0 },
	{ 61, "client-identifier", OPT_T_HEX, 1 },
	{ 66, "tftp-server-name", OPT_T_STRING, 0 },
	{ 67, "bootfile-name", OPT_T_STRING, 0 },
	{ 82, "relay-agent-information", OPT_T_HEX, 1 },
	{ 100, "pcode", OPT_T_STRING, 0 },
	{ 101, "tcode", OPT_T_STRING, 0 },
	{ 114, "url", OPT_T_STRING, 0 },
	{ 119, "domain-search", OPT_T_HEX, 0 },
	{ 120, "sip-servers", OPT_T_HEX, 0 },
	{ 125, "vivso", OPT_T_HEX, 0 },
	{ 150, "tftp-server-address", OPT_T_IP_LIST, 0 },
	{ 159, "config-url", OPT_T_STRING, 0 },
	{ 160, "provisioning-server", OPT_T_STRING, 0 },
	{ 242, "avaya-ip-phone", OPT_T_STRING, 0 },
};

static const char *const type_names[] = {
	[OPT_T_NONE] = "none",
	[OPT_T_IP] = "ip",
	[OPT_T_IP_LIST] = "ip-list",
	[OPT_T_U8] = "u8",
	[OPT_T_U16] = "u16",
	[OPT_T_U32] = "u32",
	[OPT_T_STRING] = "string",
	[OPT_T_HEX] = "hex",
	[OPT_T_BOOL] = "bool",
	[OPT_T_SUBOPTS] = "suboptions",
	[OPT_T_I32] = "i32",
};

const char *
opt_type_str(enum opt_type type)
{
	if ((unsigned)type > OPT_T_LAST)
		return "unknown";
	return type_names[type];
}

int
opt_type_parse(const char *name, enum opt_type *out)
{
	for (size_t i = OPT_T_IP; i <= OPT_T_LAST; i++) {
		if (strcasecmp(name, type_names[i]) == 0) {
			*out = (enum opt_type)i;
			return 0;
		}
	}
	return -1;
}

const struct opt_def *
opt_def_find(unsigned code)
{
	for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++)
		if (opt_table[i].code == code)
			return &opt_table[i];
	return NULL;
}

int
opt_code_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++)
		if (strcasecmp(opt_table[i].name, name) == 0)
			return opt_table[i].code;
	return -1;
}

int
opt_hex_parse(const char *s, uint8_t *out, size_t outsz)
{
	size_t	 n = 0;
	int	 hi = -1;

	for (; *s != '\0'; s++) {
		int v;

		if (*s == ':' || *s == ' ' || *s == '-') {
			if (hi >= 0)	/* a separator inside a byte */
				return -1;
			continue;
		}
		if ((v = hex_digit(*s)) < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= outsz)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return -1;
	return (int)n;
}
