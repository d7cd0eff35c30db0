/*
 * addr.c - MAC and IPv4 address text forms.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Reads 12 hex digits with an optional separator after every `group`
 * digits; sep 0 means no separators at all.
 */
static int
mac_parse_grouped(const char *s, size_t len, char sep, size_t group,
    struct mac_addr *out)
{
	uint8_t	 nib[12];
	size_t	 n = 0, i = 0;

	while (i < len && n < 12) {
		int v = hex_digit(s[i]);

		if (v < 0)
			return -1;
		nib[n++] = (uint8_t)v;
		i++;
		if (sep != 0 && n < 12 && n % group == 0) {
			if (i >= len || s[i] != sep)
				return -1;
			i++;
		}
	}
	if (n != 12 || i != len)
		return -1;
	for (size_t k = 0; k < 6; k++)
		out->b[k] = (uint8_t)(nib[2 * k] << 4 | nib[2 * k + 1]);
	return 0;
}

int
mac_parse_n(const char *s, size_t len, struct mac_addr *out)
{
	switch (len) {
	case 12:
		return mac_parse_grouped(s, len, 0, 0, out);
	case 14:
		return mac_parse_grouped(s, len, '.', 4, out);
	case 17:
		if (s[2] == ':' || s[2] == '-')
			return mac_parse_grouped(s, len, s[2], 2, out);
		return -1;
	default:
		return -1;
	}
}

int
mac_parse(const char *s, struct mac_addr *out)
{
	return mac_parse_n(s, strlen(s), out);
}

/*
 * Hex by hand, not snprintf: dhcpd formats the MAC for every reply it
 * builds, and the formatted call cost more than all the options together.
 */
static char *
mac_hex(const struct mac_addr *mac, char *buf, char sep, int upper)
{
	const char	*digits = upper ? "0123456789ABCDEF" :
			    "0123456789abcdef";
	char		*p = buf;

	for (int i = 0; i < 6; i++) {
		if (sep != '\0' && i > 0)
			*p++ = sep;
		*p++ = digits[mac->b[i] >> 4];
		*p++ = digits[mac->b[i] & 0x0f];
	}
	*p = '\0';
	return buf;
}

char *
mac_format(const struct mac_addr *mac, char buf[MAC_STR_LEN])
{
	return mac_hex(mac, buf, ':', 0);
}

char *
mac_format_plain(const struct mac_addr *mac, char buf[MAC_PLAIN_LEN],
    int upper)
{
	return mac_hex(mac, buf, '\0', upper);
}

int
mac_cmp(const struct mac_addr *a, const struct mac_addr *b)
{
	return memcmp(a->b, b->b, sizeof(a->b));
}

/* Parses "a.b.c.d" from s up to end (exclusive). */
static int
ip4_parse_n(const char *s, const char *end, uint32_t *out)
{
	uint32_t	 ip = 0;
	int		 parts = 0;

	while (s < end) {
		unsigned	 v = 0;
		int		 digits = 0;

		while (s < end && isdigit((unsigned char)*s)) {
			v = v * 10 + (unsigned)(*s - '0');
			if (++digits > 3 || v > 255)
				return -1;
			s++;
		}
		if (digits == 0)
			return -1;
		ip = ip << 8 | v;
		parts++;
		if (s == end)
			break;
		if (*s != '.' || parts == 4)
			return -1;
		s++;
		if (s == end)
			return -1;
	}
	if (parts != 4)
		return -1;
	*out = ip;
	return 0;
}

int
ip4_parse(const char *s, uint32_t *out)
{
	return ip4_parse_n(s, s + strlen(s), out);
}

char *
ip4_format(uint32_t ip, char buf[IP4_STR_LEN])
{
	snprintf(buf, IP4_STR_LEN, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
	    (ip >> 8) & 0xff, ip & 0xff);
	return buf;
}

uint32_t
ip4_mask(unsigned prefix)
{
	return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

int
cidr_parse(const char *s, uint32_t *addr, unsigned *prefix)
{
	const char	*slash = strchr(s, '/');
	unsigned	 len = 0;
	const char	*p;

	if (slash == NULL || slash[1] == '\0' || strlen(slash + 1) > 2)
		return -1;
	for (p = slash + 1; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		len = len * 10 + (unsigned)(*p - '0');
	}
	if (len > 32 || ip4_parse_n(s, slash, addr) != 0)
		return -1;
	*prefix = len;
	return 0;
}
