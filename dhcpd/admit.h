/*
 * admit.h - admission limits for clients the registry does not know: one
 * token bucket per MAC, per relay and per interface (and per client and
 * source for DECLINEs), so that a flood of random MACs cannot take a pool
 * faster than an admin allows, and a refusal is logged once per burst.
 */
#ifndef PB_ADMIT_H
#define PB_ADMIT_H

#include <stddef.h>
#include <time.h>

#include "cfg.h"

struct admit;

/* A table for lim (copied). NULL when out of memory. */
struct admit	*admit_new(const struct cfg_dhcp_limits *lim);
void		 admit_free(struct admit *a);
/*
 * Takes one admission of kind (enum admit_kind, server.h) for key at now:
 * ADMIT_OK, or ADMIT_REFUSED, or ADMIT_REFUSED_FIRST for the first refusal
 * since the key was last admitted. The signature of lease_view.admit.
 */
int		 admit_check(void *a, int kind, const void *key, size_t len,
		    time_t now);

#endif /* PB_ADMIT_H */
