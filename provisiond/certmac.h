/*
 * certmac.h - the MAC address in a phone's factory client certificate.
 *
 * Vendors put the MAC in different places: snom in the subject CN
 * ("000413922D24"), Cisco MPP in another subject attribute
 * ("S=000e08abcdef"), others in a subjectAltName. The CN is looked at
 * first, then every other subject attribute, then every SAN (DNS names,
 * URIs, e-mail, directory names, otherName strings). A MAC is 12 hex
 * digits, plain or with ':', '-' or '.' separators, possibly inside other
 * text ("SEP000413922D24", "MAC:00-04-13-92-2D-24", "urn:dev:mac:...").
 */
#ifndef PB_CERTMAC_H
#define PB_CERTMAC_H

#include <stddef.h>

#include <openssl/x509.h>

#include "addr.h"

/*
 * Finds the one MAC text s[0..len) holds. Returns 0 and *out, or -1 when it
 * holds none, or two different ones (ambiguous: refused, never guessed),
 * or a NUL byte. Runs of more than 12 hex digits are not a MAC.
 */
int	certmac_from_text(const char *s, size_t len, struct mac_addr *out);

/*
 * The device MAC of cert: from the CN if it holds one, else the first
 * attribute or SAN that does (in the order above; SANs by type in that
 * order, then in certificate order). Each attribute or SAN is one place:
 * a place holding two different MACs, or a string with a NUL byte, is
 * ambiguous and skipped, and the search goes on with the next place.
 * where (may be NULL) gets a short name of the place, e.g. "CN",
 * "subject serialNumber", "SAN DNS"; "" on failure. Returns 0, or -1 if
 * the certificate names no MAC.
 */
int	certmac_find(X509 *cert, struct mac_addr *out, char *where,
	    size_t wheresz);

/*
 * The subject of cert as one line (RFC 2253 form), escaped for a log line,
 * cut to fit. Returns buf.
 */
char	*certmac_subject(X509 *cert, char *buf, size_t sz);

#endif /* PB_CERTMAC_H */
