/*
 * sync.h - bringing the users table of the config into the registry.
 *
 * The one function that writes users, devices and tokens. Both daemons call
 * it at start and on SIGHUP, and provboxctl calls it; all of it happens in
 * one write transaction, so a reader sees the registry before or after a
 * sync, never half of one. It is idempotent: a second sync of the same
 * config changes nothing. A user keeps its token across syncs (or its
 * revoked state); a new user gets a fresh token; a user removed from the
 * config loses its token and devices.
 */
#ifndef PB_SYNC_H
#define PB_SYNC_H

#include <stddef.h>
#include <time.h>

#include "cfg.h"
#include "registry.h"

struct reg_sync_stats {
	unsigned	 users_added;
	unsigned	 users_changed;
	unsigned	 users_removed;
	unsigned	 users_unchanged;
	unsigned	 devices_added;
	unsigned	 devices_changed;
	unsigned	 devices_removed;
	unsigned	 devices_unchanged;
};

/* Returns 0, or -1 with a message in err (the registry is left as it was). */
int	reg_sync(struct reg *reg, const struct cfg *cfg, time_t now,
	    struct reg_sync_stats *st, char *err, size_t errsz);

#endif /* PB_SYNC_H */
