/*
 * pmetrics.h - provbox-provisiond's Prometheus metrics (common/metrics.h):
 * requests by scheme and status code, by vendor class and by refusal,
 * their latency, the enumeration guard, TLS connections, handshakes and
 * resumptions, and the enrollment operations answers carried.
 *
 * on_request() calls pmetrics_begin() first and pmetrics_request() once
 * the answer is handed to evhttp: two clock reads and a few additions,
 * no allocation (the daemon has one thread, so no lock either).
 */
#ifndef PB_PMETRICS_H
#define PB_PMETRICS_H

struct evbuffer;
struct prov_resp;

/* How a request came. */
enum pm_scheme {
	PM_SCHEME_HTTP = 0,
	PM_SCHEME_HTTPS,
	PM_SCHEME_TFTP,
	PM_SCHEME_COUNT
};

/* A request starts being answered. */
void	pmetrics_begin(void);
/* Its answer r went out: counted, with its latency. */
void	pmetrics_request(const struct prov_resp *r, enum pm_scheme scheme);
/* The families (provd_metrics() is declared in provisiond.h). */
void	provd_metrics(struct evbuffer *out);

#endif /* PB_PMETRICS_H */
