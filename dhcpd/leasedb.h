/*
 * leasedb.h - the DHCP server's lease view over the LMDB registry.
 *
 * LMDB holds every lease; the only thing kept in memory is one bit per pool
 * address saying whether a lease record (or a reservation) holds it, so
 * start-up reads the lease keys once and nothing else, and a free address
 * is found without touching the disk.
 *
 * Decisions are made in batches (one pass of the event loop): all reads and
 * writes of a batch go through one write transaction, so each decision sees
 * the leases decided before it, and the batch commits once (one fsync for
 * all its ACKs) before any reply is sent.
 */
#ifndef PB_LEASEDB_H
#define PB_LEASEDB_H

#include <time.h>

#include "cfg.h"
#include "registry.h"
#include "server.h"

struct leasedb;

/* Builds the address index for cfg's pools from the registry. */
struct leasedb	*leasedb_new(struct reg *reg, const struct cfg *cfg,
		    char *err, size_t errsz);
void		 leasedb_free(struct leasedb *ldb);
/* The lease view for dhcp_decide(); valid inside a batch. */
void		 leasedb_view(struct leasedb *ldb, struct lease_view *v);

int		 leasedb_begin(struct leasedb *ldb);
/* Stores a decided lease in the batch. 0 or -1. */
int		 leasedb_store(struct leasedb *ldb, const struct reg_lease *l);
/*
 * Applies what a decision learnt about a device's enrollment in the
 * batch (enroll_apply()): 1 with ev filled, 0, or -1.
 */
int		 leasedb_enroll(struct leasedb *ldb, const struct enroll_op *op,
		    time_t now, struct reg_event *ev);
/* Commits the batch durably. 0, or -1 (nothing of the batch is kept). */
int		 leasedb_commit(struct leasedb *ldb);
void		 leasedb_abort(struct leasedb *ldb);
/* The last error of the batch, for the log. */
const char	*leasedb_error(const struct leasedb *ldb);

/*
 * The admin's lease release and delete (the control socket's lease-release
 * and lease-delete), with provboxctl lease's meaning: release ends the
 * lease now (state released; its client may have the address back, any
 * other may take it; a declined address leaves its quarantine), delete
 * removes the record. One write transaction of its own, outside a batch;
 * the address index follows at once, so the next client can be given the
 * address. 0 with *was the record as it was, REG_NOTFOUND when there is
 * none, or -1 with err (also when a batch is open: try again).
 */
int		 leasedb_admin(struct leasedb *ldb, uint32_t ip, int release,
		    time_t now, struct reg_lease *was, char *err,
		    size_t errsz);

/* Addresses held / free in all pools, for the log and for tests. */
void		 leasedb_usage(const struct leasedb *ldb, unsigned long *held,
		    unsigned long *total);

#endif /* PB_LEASEDB_H */
