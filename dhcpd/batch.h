/*
 * batch.h - the DHCP server's batch: receive, decide, commit, send.
 *
 * A batch is one LMDB write transaction: the datagrams the sockets hold
 * (one recvmmsg each, up to BATCH_MAX in all) are parsed, decided and
 * their leases stored, then the batch commits (durably, unless the admin
 * turned registry.sync off) and only then do the replies leave, one
 * sendmmsg per interface. No acknowledged lease can be lost to a crash,
 * and the fsync is shared by the whole batch. A failed commit sends no
 * reply but NAKs (they promise nothing).
 *
 * Conflict detection (probe.h): a decision DA_PROBE stores its hold like
 * any lease, and once the batch has committed one ICMP echo goes to the
 * address. A probe that ended (answered, or timed out) is decided again
 * at the start of a later batch: an address that answered is set aside
 * first (dhcp_conflict_lease()).
 *
 * The sockets are behind struct batch_ops, so that unit tests drive a
 * batch with fake ones and a registry that fails on demand. The event
 * loop (when to run a batch, the group-commit wait, the probe timer) is
 * the daemon's.
 */
#ifndef PB_BATCH_H
#define PB_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cfg.h"
#include "leasedb.h"
#include "metrics.h"
#include "net.h"
#include "packet.h"
#include "probe.h"
#include "server.h"

#define BATCH_MAX	NET_BATCH_MAX	/* 128 */

/* The steps a test may make fail (batch_ops.fail). */
enum batch_step {
	BATCH_BEGIN,		/* leasedb_begin() */
	BATCH_COMMIT,		/* leasedb_commit(): the batch is aborted */
};

struct batch_ops {
	/* Reads up to n datagrams queued on ifc (as net_recv_batch()). */
	int	(*recv)(void *arg, const struct iface *ifc, struct net_rx *rx,
		    size_t n);
	/*
	 * Sends n replies out of ifc (as net_send_batch()): sets each
	 * message's err, returns how many did not leave.
	 */
	size_t	(*send)(void *arg, const struct iface *ifc,
		    struct net_msg *msgs, size_t n);
	/* Sends one ICMP echo request to ip. 0, or -1 with errno. */
	int	(*echo)(void *arg, uint32_t ip, uint16_t id, uint16_t seq);
	/*
	 * Tests: 1 makes that step fail as if LMDB had failed it. NULL: the
	 * registry decides.
	 */
	int	(*fail)(void *arg, enum batch_step step);
};

/*
 * What a batch decides with, all borrowed: replaced as a whole at a
 * reload (batch_set_env()), never during a batch.
 */
struct batch_env {
	const struct cfg	*cfg;
	struct leasedb		*ldb;
	struct iface		*ifs;
	size_t			 nifs;
	/* lease_view.admit (dhcpd/admit.h); NULL: all admitted. */
	int			(*admit)(void *arg, int kind, const void *key,
				    size_t len, time_t now);
	void			*admit_arg;
};

/* The counters the daemon's stats lines and its metrics show. */
struct batch_stats {
	unsigned long	 rx;
	/*
	 * Parsed messages from the sockets by option 53 (0: none, BOOTP);
	 * one decided again after a conflict probe is not counted twice.
	 */
	unsigned long	 received[DHCP_MSGTYPE_MAX + 1];
	unsigned long	 malformed[DHCP_P_COUNT];
	unsigned long	 dropped[DROP_COUNT];
	unsigned long	 sent[DHCPINFORM + 1];
	unsigned long	 send_errors;
	unsigned long	 commits;
	unsigned long	 commit_errors;
	/* Conflict detection. */
	unsigned long	 probes;		/* echoes sent */
	unsigned long	 probe_errors;		/* echoes that could not go */
	unsigned long	 conflicts;		/* probes answered */
	unsigned long	 probe_timeouts;	/* probes not answered */
	/* Enrollment events the batches stored (enroll.h), by kind. */
	unsigned long	 enroll_events[EV_COUNT];
	/*
	 * Metrics: how long each commit that stored something took
	 * (seconds, fsync included), and how many messages each batch
	 * decided (batches of none are not counted).
	 */
	struct metrics_hist commit_seconds;
	struct metrics_hist batch_size;
};

struct batch;

/*
 * A batch runner with its own probe table; ops and arg are borrowed for
 * its life. NULL when out of memory.
 */
struct batch	*batch_new(const struct batch_ops *ops, void *arg);
void		 batch_free(struct batch *b);

/*
 * The config, registry and interfaces to serve with (at start and after
 * each reload). Probes whose interface is no longer served or whose
 * address is in no pool of the new config end here, unanswered and
 * undecided: their clients ask again.
 */
void		 batch_set_env(struct batch *b, const struct batch_env *env);

/*
 * One batch: first the probes that ended (decided again), then what
 * only's socket holds or, only NULL, every socket's, up to BATCH_MAX
 * messages in all. Returns the number of messages decided (for the
 * daemon's group-commit heuristics).
 */
size_t		 batch_serve(struct batch *b, struct iface *only);

/* The probe table, for the daemon's socket and timer. */
struct probe_table *batch_probes(struct batch *b);
const struct batch_stats *batch_stats(const struct batch *b);

#endif /* PB_BATCH_H */
