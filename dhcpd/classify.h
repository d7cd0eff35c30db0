/*
 * classify.h - putting a DHCP client in a vendor class.
 *
 * The vendor class identifier (Option 60) is compared with every class in
 * config order (prefix, substring, exact; case-insensitive, trailing NUL
 * bytes ignored, as Cisco 79xx phones send one). Only when no class matches
 * it is the MAC's OUI compared, again in order; then the default class.
 * Option 60 is the stronger evidence: OUIs are shared (Gigaset Pro phones
 * carry snom's).
 */
#ifndef PB_CLASSIFY_H
#define PB_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

/* The class for a client, or NULL if none matches and there is no default. */
const struct cfg_vendor	*classify(const struct cfg *cfg, const uint8_t *vc,
			    size_t vclen, const struct mac_addr *mac);

#endif /* PB_CLASSIFY_H */
