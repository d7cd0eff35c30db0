/*
 * probe.h - conflict detection: before an OFFER of an address that no
 * client held, one ICMP echo request goes to it (as ISC dhcpd and dnsmasq
 * do), and the client's OFFER waits for the answer or a short timeout
 * while every other client is served (issue 13, point 3).
 *
 * The table holds one entry per address being probed: the DISCOVER that
 * waits for it (its bytes and where it came from) and how many of this
 * client's probes were answered before. An entry is NEW while the batch
 * that decided it is open, OUT once its echo left (until its deadline),
 * and ANSWERED or TIMEOUT once it ended; an ended entry waits in the
 * table until a batch takes it (probe_take_done()) and decides its
 * datagram again. No I/O here but the socket helpers at the end; the
 * daemon runs the timer and watches the socket.
 */
#ifndef PB_PROBE_H
#define PB_PROBE_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

/* Probes out at once, at most (each holds one DISCOVER's bytes). */
#define PROBE_MAX		4096
/* Answered probes for one client before its DISCOVER is dropped. */
#define PROBE_ANSWERS_MAX	3
/* Probes one DISCOVER may wait for in all (answered or not). */
#define PROBE_ROUNDS_MAX	6

enum probe_state {
	PROBE_NEW = 0,		/* decided; the batch has not committed */
	PROBE_OUT,		/* the echo left; waiting for the deadline */
	PROBE_ANSWERED,		/* the address answered: it is in use */
	PROBE_TIMEOUT,		/* no answer in time (or no echo could go) */
};

struct probe {
	/* The table's links. */
	struct probe		*hnext;
	struct probe		*prev, *next;
	uint32_t		 ip;		/* host order */
	uint16_t		 seq;		/* the echo's sequence number */
	enum probe_state	 state;
	uint64_t		 deadline;	/* ms, probe_clock_ms() */
	/* This DISCOVER's probes before this one: answered, and in all. */
	unsigned		 answered;
	unsigned		 rounds;
	/* The datagram, as it came in. */
	char			 ifname[IFNAMSIZ];
	uint32_t		 src;		/* IP source, host order */
	int			 unicast;
	size_t			 len;
	uint8_t			 buf[];
};

struct probe_table;

/* An empty table; NULL when out of memory. */
struct probe_table	*probe_table_new(void);
/* Frees the table and every entry in it. NULL: nothing. */
void			 probe_table_free(struct probe_table *pt);

/*
 * Adds a NEW probe of ip with a copy of the datagram buf[0..len). NULL
 * when ip has a probe already, the table holds PROBE_MAX entries, or
 * memory is short. The entry belongs to the table.
 */
struct probe	*probe_add(struct probe_table *pt, uint32_t ip,
		    const uint8_t *buf, size_t len);
/* The echo of a NEW probe left: OUT until deadline (probe_clock_ms()). */
void		 probe_sent(struct probe_table *pt, struct probe *p,
		    uint64_t deadline);
/* Ends a NEW or OUT probe at once as unanswered (no echo could go). */
void		 probe_fail(struct probe_table *pt, struct probe *p);
/* Removes and frees an entry in any state. */
void		 probe_remove(struct probe_table *pt, struct probe *p);

/*
 * For lease_view.probing (arg: the table): 1 while ip's OFFER waits for
 * a probe (NEW, OUT) or ip answered one not yet acted on, else 0.
 */
int		 probe_pending(void *arg, uint32_t ip);

/*
 * An echo reply from ip with this id and sequence: 1 when it answered an
 * OUT probe (which is ANSWERED now), else 0 (late, forged, not ours).
 */
int		 probe_answer(struct probe_table *pt, uint32_t ip, uint16_t id,
		    uint16_t seq);
/* Ends the OUT probes whose deadline is at or before now: how many. */
size_t		 probe_expire(struct probe_table *pt, uint64_t now);
/* The earliest deadline of an OUT probe: 1 and *out, or 0 when none. */
int		 probe_next_deadline(const struct probe_table *pt,
		    uint64_t *out);
/* Ended probes waiting for a batch. */
size_t		 probe_done_count(const struct probe_table *pt);
/*
 * The probe that ended first, taken out of the table (probing() no
 * longer knows it): the caller decides its datagram again and frees it
 * with probe_free(). NULL when none ended.
 */
struct probe	*probe_take_done(struct probe_table *pt);
void		 probe_free(struct probe *p);
/* Every entry, for pruning after a reload: keep() 0 removes it. */
void		 probe_prune(struct probe_table *pt,
		    int (*keep)(void *arg, const struct probe *p), void *arg);
/* The echo identifier of this table (random at probe_table_new()). */
uint16_t	 probe_id(const struct probe_table *pt);
/* Entries in the table, in any state. */
size_t		 probe_count(const struct probe_table *pt);

/* Milliseconds of CLOCK_MONOTONIC: the clock of the deadlines. */
uint64_t	 probe_clock_ms(void);

/*
 * The raw ICMP socket (CAP_NET_RAW), non-blocking, filtered (ICMP_FILTER)
 * so that only echo replies reach it. -1 with err on a failure.
 */
int		 probe_open(char *err, size_t errsz);
/* Sends one echo request to ip. 0, or -1 with errno set. */
int		 probe_send_echo(int fd, uint32_t ip, uint16_t id,
		    uint16_t seq);
/*
 * Parses what a raw ICMP socket reads (IPv4 header, then ICMP): 0 with
 * the source, identifier and sequence of an intact echo reply, else -1.
 */
int		 probe_parse_reply(const uint8_t *buf, size_t len,
		    uint32_t *src, uint16_t *id, uint16_t *seq);
/*
 * Reads the replies queued on fd (at most 256 a call) into the table.
 * Returns how many answered a probe.
 */
size_t		 probe_recv(struct probe_table *pt, int fd);

#endif /* PB_PROBE_H */
