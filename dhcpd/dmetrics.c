/*
 * dmetrics.c - provbox-dhcpd's Prometheus metrics (common/metrics.h):
 * messages received and sent by type, malformed ones and drops by
 * reason, conflict probes, registry commits with their latency, batch
 * sizes, and each pool's size, use and quarantine with the leases by
 * state, read from the registry at each scrape.
 *
 * The counters are the batch's (batch_stats(), counted as it runs at no
 * extra cost); only the lease families cost anything, and only when
 * scraped: one read transaction walking the lease table, O(leases x
 * pools), a few milliseconds for an office's thousands of leases.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "addr.h"
#include "batch.h"
#include "dhcpd.h"
#include "enroll.h"
#include "metrics.h"
#include "registry.h"

/* "DHCPDISCOVER" -> "discover"; 0 (no option 53) -> "bootp". */
static const char *
type_label(int type, char *buf, size_t sz)
{
	const char	*s = dhcp_msgtype_str(type);
	size_t		 i;

	if (type == 0)
		return "bootp";
	if (strncmp(s, "DHCP", 4) == 0)
		s += 4;
	for (i = 0; s[i] != '\0' && i + 1 < sz; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[i] = '\0';
	return buf;
}

static void
write_messages(struct evbuffer *out, const struct batch_stats *st)
{
	static const int	 sent[] = { DHCPOFFER, DHCPACK, DHCPNAK };
	char			 t[32];

	metrics_family(out, "provbox_dhcp_messages_received_total",
	    METRICS_COUNTER, "DHCP messages received and parsed, by message "
	    "type (option 53; bootp: none).");
	for (int i = 0; i <= DHCP_MSGTYPE_MAX; i++)
		metrics_sample_u(out, "provbox_dhcp_messages_received_total",
		    (const char *[]){ "type", type_label(i, t, sizeof(t)),
		    NULL }, st->received[i]);
	metrics_family(out, "provbox_dhcp_messages_sent_total",
	    METRICS_COUNTER, "DHCP replies sent, by message type.");
	for (size_t i = 0; i < sizeof(sent) / sizeof(sent[0]); i++)
		metrics_sample_u(out, "provbox_dhcp_messages_sent_total",
		    (const char *[]){ "type", type_label(sent[i], t,
		    sizeof(t)), NULL }, st->sent[sent[i]]);
	metrics_counter(out, "provbox_dhcp_send_errors_total", "DHCP replies "
	    "that could not be sent.", st->send_errors);
	metrics_counter(out, "provbox_dhcp_datagrams_received_total",
	    "Datagrams read from the DHCP sockets, malformed ones included.",
	    st->rx);
	metrics_family(out, "provbox_dhcp_malformed_total", METRICS_COUNTER,
	    "Datagrams dropped as malformed, by reason.");
	for (int i = 1; i < DHCP_P_COUNT; i++)
		metrics_sample_u(out, "provbox_dhcp_malformed_total",
		    (const char *[]){ "reason", dhcp_perr_str(
		    (enum dhcp_perr)i), NULL }, st->malformed[i]);
	metrics_family(out, "provbox_dhcp_dropped_total", METRICS_COUNTER,
	    "Messages answered with nothing, by reason.");
	for (int i = 1; i < DROP_COUNT; i++)
		metrics_sample_u(out, "provbox_dhcp_dropped_total",
		    (const char *[]){ "reason", dhcp_drop_str(
		    (enum dhcp_drop)i), NULL }, st->dropped[i]);
}

static void
write_batches(struct evbuffer *out, const struct batch_stats *st)
{
	metrics_counter(out, "provbox_dhcp_conflict_probes_sent_total",
	    "ICMP echoes sent to an address before offering it.", st->probes);
	metrics_counter(out, "provbox_dhcp_conflict_probe_errors_total",
	    "Conflict probes that could not be sent (offered unprobed).",
	    st->probe_errors);
	metrics_family(out, "provbox_dhcp_conflict_probes_ended_total",
	    METRICS_COUNTER, "Conflict probes ended: answered (the address "
	    "is set aside) or not.");
	metrics_sample_u(out, "provbox_dhcp_conflict_probes_ended_total",
	    (const char *[]){ "result", "answered", NULL }, st->conflicts);
	metrics_sample_u(out, "provbox_dhcp_conflict_probes_ended_total",
	    (const char *[]){ "result", "unanswered", NULL },
	    st->probe_timeouts);
	metrics_family(out, "provbox_dhcp_enrollment_events_total",
	    METRICS_COUNTER, "Enrollment events the DHCP server recorded, "
	    "by kind.");
	for (int i = 1; i < EV_COUNT; i++)
		metrics_sample_u(out, "provbox_dhcp_enrollment_events_total",
		    (const char *[]){ "event", enroll_event_str(
		    (enum enroll_event)i), NULL }, st->enroll_events[i]);
	metrics_counter(out, "provbox_dhcp_registry_commits_total", "Batches "
	    "committed to the registry with leases in them.", st->commits);
	metrics_counter(out, "provbox_dhcp_registry_commit_failures_total",
	    "Batch commits that failed (their replies were not sent).",
	    st->commit_errors);
	metrics_family(out, "provbox_dhcp_commit_duration_seconds",
	    METRICS_HISTOGRAM, "Time to commit a batch to the registry, "
	    "fsync included.");
	metrics_hist_write(out, "provbox_dhcp_commit_duration_seconds", NULL,
	    &st->commit_seconds);
	metrics_family(out, "provbox_dhcp_batch_messages", METRICS_HISTOGRAM,
	    "Messages decided per batch (one registry transaction).");
	metrics_hist_write(out, "provbox_dhcp_batch_messages", NULL,
	    &st->batch_size);
}

/* What the lease walk counts. */
enum { ST_OFFERED, ST_BOUND, ST_RELEASED, ST_DECLINED, ST_EXPIRED, ST_N };

static const char *const state_names[ST_N] = {
	"offered", "bound", "released", "declined", "expired",
};

#define MAX_POOLS	256

struct walk {
	const struct cfg	*cfg;
	time_t			 now;
	unsigned long		 states[ST_N];
	/* By pool, in config order (subnet by subnet). */
	unsigned long		 used[MAX_POOLS];
	unsigned long		 quarantined[MAX_POOLS];
};

/*
 * A lease in exactly one state: an offer or binding past its expiry,
 * and a quarantine that is over, are "expired" (the address can be
 * given again).
 */
static int
on_lease(const struct reg_lease *l, void *arg)
{
	struct walk	*w = arg;
	int		 live = l->expire > (int64_t)w->now, st;
	size_t		 k = 0;

	switch (l->state) {
	case LEASE_OFFERED:
		st = live ? ST_OFFERED : ST_EXPIRED;
		break;
	case LEASE_BOUND:
		st = live ? ST_BOUND : ST_EXPIRED;
		break;
	case LEASE_RELEASED:
		st = ST_RELEASED;
		break;
	case LEASE_DECLINED:
		st = live ? ST_DECLINED : ST_EXPIRED;
		break;
	default:
		return 0;
	}
	w->states[st]++;
	for (size_t i = 0; i < w->cfg->dhcp.nsubnets; i++) {
		const struct cfg_subnet *sn = &w->cfg->dhcp.subnets[i];

		for (size_t j = 0; j < sn->npools && k < MAX_POOLS; j++, k++) {
			if (l->ip < sn->pools[j].start ||
			    l->ip > sn->pools[j].end)
				continue;
			if (st == ST_OFFERED || st == ST_BOUND)
				w->used[k]++;
			else if (st == ST_DECLINED)
				w->quarantined[k]++;
			return 0;
		}
	}
	return 0;
}

static void
pool_gauge(struct evbuffer *out, const struct walk *w, const char *name,
    const char *help, int which)
{
	char	 net[IP4_STR_LEN + 4], a[IP4_STR_LEN], b[IP4_STR_LEN];
	char	 range[2 * IP4_STR_LEN + 1];
	size_t	 k = 0;

	metrics_family(out, name, METRICS_GAUGE, help);
	for (size_t i = 0; i < w->cfg->dhcp.nsubnets; i++) {
		const struct cfg_subnet *sn = &w->cfg->dhcp.subnets[i];

		snprintf(net, sizeof(net), "%s/%u", ip4_format(sn->network,
		    a), sn->prefix);
		for (size_t j = 0; j < sn->npools && k < MAX_POOLS; j++, k++) {
			const struct cfg_pool	*p = &sn->pools[j];
			uint64_t		 v;

			snprintf(range, sizeof(range), "%s-%s", ip4_format(
			    p->start, a), ip4_format(p->end, b));
			v = which == 0 ? (uint64_t)p->end - p->start + 1 :
			    which == 1 ? w->used[k] : w->quarantined[k];
			metrics_sample_u(out, name, (const char *[]){ "subnet",
			    net, "pool", range, NULL }, v);
		}
	}
}

static void
write_leases(struct evbuffer *out, const struct dhcpd_view *v)
{
	static struct walk	 w;	/* 4 KB: not on the stack */
	struct reg_txn		 txn;

	if (v->cfg == NULL || v->reg == NULL)
		return;
	memset(&w, 0, sizeof(w));
	w.cfg = v->cfg;
	w.now = time(NULL);
	if (reg_txn_begin(v->reg, &txn, 1) != 0)
		return;
	if (reg_lease_foreach(&txn, on_lease, &w) != 0) {
		reg_txn_abort(&txn);
		return;
	}
	reg_txn_abort(&txn);
	pool_gauge(out, &w, "provbox_dhcp_pool_addresses", "Addresses in "
	    "the pool.", 0);
	pool_gauge(out, &w, "provbox_dhcp_pool_used_addresses", "Pool "
	    "addresses offered or bound now.", 1);
	pool_gauge(out, &w, "provbox_dhcp_pool_quarantined_addresses", "Pool "
	    "addresses set aside now (declined, or answering a conflict "
	    "probe).", 2);
	metrics_family(out, "provbox_dhcp_leases", METRICS_GAUGE, "Lease "
	    "records by state (expired: an offer, binding or quarantine that "
	    "is over).");
	for (int i = 0; i < ST_N; i++)
		metrics_sample_u(out, "provbox_dhcp_leases", (const char *[]){
		    "state", state_names[i], NULL }, w.states[i]);
}

void
dhcpd_metrics(struct evbuffer *out)
{
	const struct dhcpd_view	*v = dhcpd_view();
	const struct batch_stats *st;

	if (v == NULL)
		return;
	if (v->batch != NULL) {
		st = batch_stats(v->batch);
		write_messages(out, st);
		write_batches(out, st);
	}
	write_leases(out, v);
}
