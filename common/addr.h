/*
 * addr.h - MAC and IPv4 address text forms.
 *
 * IPv4 addresses are kept in host byte order (uint32_t) in memory so ranges
 * compare as numbers; they are converted to network order only on the wire
 * and in registry keys.
 */
#ifndef PB_ADDR_H
#define PB_ADDR_H

#include <stddef.h>
#include <stdint.h>

struct mac_addr {
	uint8_t b[6];
};

#define MAC_STR_LEN	18	/* "aa:bb:cc:dd:ee:ff" + NUL */
#define MAC_PLAIN_LEN	13	/* "aabbccddeeff" + NUL */
#define IP4_STR_LEN	16

/*
 * Accepts the forms phones and admins write: aa:bb:cc:dd:ee:ff,
 * aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff and aabbccddeeff, in either case.
 * Returns 0, or -1 for anything else (including trailing text).
 */
int	 mac_parse(const char *s, struct mac_addr *out);
/* Same, for a string that is not NUL-terminated. */
int	 mac_parse_n(const char *s, size_t len, struct mac_addr *out);
/* "aa:bb:cc:dd:ee:ff" */
char	*mac_format(const struct mac_addr *mac, char buf[MAC_STR_LEN]);
/* "aabbccddeeff", or "AABBCCDDEEFF" when upper is set. */
char	*mac_format_plain(const struct mac_addr *mac, char buf[MAC_PLAIN_LEN],
	    int upper);
int	 mac_cmp(const struct mac_addr *a, const struct mac_addr *b);
/* The value of one hex digit, or -1. */
int	 hex_digit(char c);

/* Dotted quad, exactly four decimal parts 0..255 without leading junk. */
int	 ip4_parse(const char *s, uint32_t *out);
char	*ip4_format(uint32_t ip, char buf[IP4_STR_LEN]);
/* "a.b.c.d/len"; len 0..32. The address is returned as written. */
int	 cidr_parse(const char *s, uint32_t *addr, unsigned *prefix);
uint32_t ip4_mask(unsigned prefix);

#endif /* PB_ADDR_H */
