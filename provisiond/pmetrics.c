/*
 * pmetrics.c - provbox-provisiond's Prometheus metrics (pmetrics.h).
 *
 * Per request: the status code of its scheme (a table indexed by code),
 * its vendor class (a short table of the class names seen), its refusal,
 * its enrollment operation and its latency. The latency is the time from
 * on_request() to the answer handed to evhttp, where the server's work
 * is: TLS and the network are the client's to measure.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "cfg.h"
#include "enroll.h"
#include "guard.h"
#include "metrics.h"
#include "pmetrics.h"
#include "provisiond.h"
#include "serve.h"
#include "pnpd.h"
#include "tftp.h"
#include "tlsconn.h"

#define MAX_CLASSES	64	/* more than any config has; more: "other" */

/*
 * Request latency: an answer from memory takes tens of microseconds, a
 * rendered file with a registry read up to milliseconds.
 */
static const double latency_bounds[] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
	0.05, 0.1, 0.25, 0.5, 1,
};

static const char *const eop_names[] = {
	[EOP_NONE] = "none",
	[EOP_HANDED] = "first_access_handed",
	[EOP_DUPLICATE] = "duplicate_mac",
	[EOP_FETCHED] = "first_access_fetched",
	[EOP_PROVISIONED] = "provisioned",
	[EOP_REFUSED] = "refused",
};
#define EOP_N	(sizeof(eop_names) / sizeof(eop_names[0]))

static struct {
	int			 init;
	double			 t0;		/* pmetrics_begin() */
	unsigned long		 codes[PM_SCHEME_COUNT][600];
	unsigned long		 bad_code;	/* outside 100..599 */
	unsigned long		 refused[REF_COUNT];
	unsigned long		 eops[EOP_N];
	struct {
		char		 name[CFG_NAME_MAX + 1];
		unsigned long	 n;
	}			 classes[MAX_CLASSES];
	size_t			 nclasses;
	unsigned long		 no_class, other_class;
	struct metrics_hist	 latency;
} M;

static void
init(void)
{
	if (M.init)
		return;
	(void)metrics_hist_init(&M.latency, latency_bounds,
	    sizeof(latency_bounds) / sizeof(latency_bounds[0]));
	M.init = 1;
}

void
pmetrics_begin(void)
{
	M.t0 = metrics_now();
}

/*
 * The class's counter, found by name (copied: the config's strings go at
 * a reload, and a new one may reuse an old address). A config has a
 * handful of classes: a few short strcmp() per request.
 */
static void
count_class(const char *vendor)
{
	size_t i;

	if (vendor == NULL) {
		M.no_class++;
		return;
	}
	for (i = 0; i < M.nclasses; i++)
		if (strcmp(M.classes[i].name, vendor) == 0)
			goto found;
	if (M.nclasses == MAX_CLASSES) {
		M.other_class++;
		return;
	}
	i = M.nclasses++;
	snprintf(M.classes[i].name, sizeof(M.classes[i].name), "%s", vendor);
found:
	M.classes[i].n++;
}

void
pmetrics_request(const struct prov_resp *r, enum pm_scheme scheme)
{
	init();
	if (r->status >= 100 && r->status < 600 &&
	    (unsigned)scheme < PM_SCHEME_COUNT)
		M.codes[scheme][r->status]++;
	else
		M.bad_code++;
	if ((unsigned)r->refused < REF_COUNT)
		M.refused[r->refused]++;
	if (r->eop.kind < EOP_N)
		M.eops[r->eop.kind]++;
	count_class(r->vendor);
	if (M.t0 > 0) {
		metrics_hist_observe(&M.latency, metrics_now() - M.t0);
		M.t0 = 0;
	}
}

static void
write_requests(struct evbuffer *out)
{
	static const char *const scheme[PM_SCHEME_COUNT] = { "http",
		"https", "tftp" };
	char code[8];

	metrics_family(out, "provbox_prov_requests_total", METRICS_COUNTER,
	    "Provisioning requests answered, by scheme and status code "
	    "(codes not yet answered are absent).");
	for (int t = 0; t < PM_SCHEME_COUNT; t++)
		for (int c = 100; c < 600; c++) {
			if (M.codes[t][c] == 0)
				continue;
			snprintf(code, sizeof(code), "%d", c);
			metrics_sample_u(out, "provbox_prov_requests_total",
			    (const char *[]){ "scheme", scheme[t], "code",
			    code, NULL }, M.codes[t][c]);
		}
	metrics_family(out, "provbox_prov_requests_by_class_total",
	    METRICS_COUNTER, "Provisioning requests by the vendor class that "
	    "answered them (none: no class involved).");
	metrics_sample_u(out, "provbox_prov_requests_by_class_total",
	    (const char *[]){ "class", "none", NULL }, M.no_class);
	for (size_t i = 0; i < M.nclasses; i++)
		metrics_sample_u(out, "provbox_prov_requests_by_class_total",
		    (const char *[]){ "class", M.classes[i].name, NULL },
		    M.classes[i].n);
	if (M.other_class > 0)
		metrics_sample_u(out, "provbox_prov_requests_by_class_total",
		    (const char *[]){ "class", "other", NULL },
		    M.other_class);
	metrics_family(out, "provbox_prov_refusals_total", METRICS_COUNTER,
	    "Provisioning requests refused, by the check that refused them.");
	for (int i = 1; i < REF_COUNT; i++)
		metrics_sample_u(out, "provbox_prov_refusals_total",
		    (const char *[]){ "reason", prov_refusal_str(
		    (enum prov_refusal)i), NULL }, M.refused[i]);
	metrics_family(out, "provbox_prov_enrollment_events_total",
	    METRICS_COUNTER, "Enrollment events the answers carried, by kind "
	    "(a refusal reaches the device's history at most once a "
	    "minute).");
	for (size_t i = 1; i < EOP_N; i++)
		if (i != EOP_HANDED && i != EOP_DUPLICATE)	/* DHCP's */
			metrics_sample_u(out,
			    "provbox_prov_enrollment_events_total",
			    (const char *[]){ "event", eop_names[i], NULL },
			    M.eops[i]);
	metrics_family(out, "provbox_prov_request_duration_seconds",
	    METRICS_HISTOGRAM, "Time from a complete request to its answer "
	    "handed to the connection.");
	metrics_hist_write(out, "provbox_prov_request_duration_seconds", NULL,
	    &M.latency);
}

static void
write_guard(struct evbuffer *out, struct guard *g)
{
	struct guard_stats gs;

	if (g == NULL)
		return;
	guard_get_stats(g, &gs);
	metrics_counter(out, "provbox_prov_guard_misses_total", "Answers the "
	    "enumeration guard counted as misses (404, 403).", gs.misses);
	metrics_counter(out, "provbox_prov_guard_refused_total", "Requests "
	    "the enumeration guard refused (429).", gs.refused);
	metrics_counter(out, "provbox_prov_guard_blocks_total", "Source "
	    "addresses the guard blocked.", gs.blocks);
	metrics_counter(out, "provbox_prov_guard_attacks_total", "Times the "
	    "guard's global miss budget ran out.", gs.attacks);
	metrics_gauge(out, "provbox_prov_guard_tracked_sources", "Source "
	    "addresses the guard follows now.", (double)gs.tracked);
}

/* Only when TFTP is on (provisioning.tftp_listen). */
static void
write_tftp(struct evbuffer *out, const struct tftp_server *t)
{
	struct tftp_stats	st;

	if (t == NULL)
		return;
	tftp_server_stats(t, &st);
	metrics_counter(out, "provbox_prov_tftp_malformed_total", "TFTP "
	    "requests dropped or refused as malformed (write requests, "
	    "folders and paths, unknown modes, truncated packets).",
	    tftp_stats_malformed(&st));
	metrics_counter(out, "provbox_prov_tftp_busy_total", "TFTP requests "
	    "refused for the session limits.", st.busy);
	metrics_family(out, "provbox_prov_tftp_transfers_total",
	    METRICS_COUNTER, "TFTP transfers ended, by how.");
	metrics_sample_u(out, "provbox_prov_tftp_transfers_total",
	    (const char *[]){ "result", "done", NULL }, st.done);
	metrics_sample_u(out, "provbox_prov_tftp_transfers_total",
	    (const char *[]){ "result", "timed_out", NULL }, st.timedout);
	metrics_sample_u(out, "provbox_prov_tftp_transfers_total",
	    (const char *[]){ "result", "aborted", NULL }, st.aborted);
	metrics_sample_u(out, "provbox_prov_tftp_transfers_total",
	    (const char *[]){ "result", "failed", NULL }, st.failed);
	metrics_gauge(out, "provbox_prov_tftp_sessions", "TFTP transfers "
	    "running now.", (double)st.sessions);
}

/* Only with provisioning.sip_pnp. */
static void
write_pnp(struct evbuffer *out, const struct pnpd *d)
{
	struct pnpd_stats	st;

	if (d == NULL)
		return;
	pnpd_get_stats(d, &st);
	metrics_counter(out, "provbox_prov_sip_pnp_malformed_total", "SIP "
	    "datagrams dropped as malformed, oversized or not a ua-profile "
	    "SUBSCRIBE.", pnpd_stats_malformed(&st));
	metrics_family(out, "provbox_prov_sip_pnp_subscribes_total",
	    METRICS_COUNTER, "ua-profile SUBSCRIBEs decided, by refusal "
	    "(none: answered with a NOTIFY).");
	for (int i = 0; i < PNP_COUNT; i++)
		metrics_sample_u(out, "provbox_prov_sip_pnp_subscribes_total",
		    (const char *[]){ "refused", i == PNP_OK ? "none" :
		    pnp_refusal_str((enum pnp_refusal)i), NULL },
		    st.refused[i]);
	metrics_counter(out, "provbox_prov_sip_pnp_dropped_total", "SIP "
	    "SUBSCRIBEs dropped by the guard or the transaction limits.",
	    st.blocked + st.busy);
	metrics_family(out, "provbox_prov_sip_pnp_notifies_total",
	    METRICS_COUNTER, "NOTIFYs ended, by how.");
	metrics_sample_u(out, "provbox_prov_sip_pnp_notifies_total",
	    (const char *[]){ "result", "answered", NULL }, st.notify_acked);
	metrics_sample_u(out, "provbox_prov_sip_pnp_notifies_total",
	    (const char *[]){ "result", "timed_out", NULL },
	    st.notify_timeout);
}

static void
write_tls(struct evbuffer *out)
{
	struct tlsconn_stats ts;

	memset(&ts, 0, sizeof(ts));
	tlsconn_get_stats(&ts);
	metrics_gauge(out, "provbox_prov_open_connections", "HTTPS "
	    "connections open now.", (double)ts.open);
	metrics_counter(out, "provbox_prov_connections_accepted_total",
	    "HTTPS connections accepted.", ts.accepted);
	metrics_family(out, "provbox_prov_connections_closed_total",
	    METRICS_COUNTER, "HTTPS connections the server closed, by "
	    "reason (limits.handshake_timeout, request_timeout, "
	    "max_connections).");
	metrics_sample_u(out, "provbox_prov_connections_closed_total",
	    (const char *[]){ "reason", "handshake_timeout", NULL },
	    ts.closed_handshake);
	metrics_sample_u(out, "provbox_prov_connections_closed_total",
	    (const char *[]){ "reason", "request_timeout", NULL },
	    ts.closed_request);
	metrics_sample_u(out, "provbox_prov_connections_closed_total",
	    (const char *[]){ "reason", "connection_limit", NULL },
	    ts.closed_limit);
	metrics_counter(out, "provbox_prov_tls_handshakes_total", "TLS "
	    "handshakes completed, resumptions included.", ts.handshakes);
	metrics_counter(out, "provbox_prov_tls_resumptions_total", "TLS "
	    "handshakes that resumed a session.", ts.resumed);
}

void
provd_metrics(struct evbuffer *out)
{
	const struct provd_view *v = provd_view();

	init();
	write_requests(out);
	write_tls(out);
	if (v != NULL) {
		write_guard(out, v->guard);
		write_tftp(out, v->tftp);
		write_pnp(out, v->pnpd);
	}
}
