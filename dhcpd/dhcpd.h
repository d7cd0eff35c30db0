/*
 * dhcpd.h - what the running provbox-dhcpd offers the modules beside its
 * event loop (its control-socket commands, its metrics): a view of its
 * state. The pointers change on every reload: take the view afresh each
 * time, never keep one across a return to the loop.
 */
#ifndef PB_DHCPD_H
#define PB_DHCPD_H

struct admit;
struct batch;
struct cfg;
struct evbuffer;
struct leasedb;
struct reg;

struct dhcpd_view {
	const struct cfg	*cfg;
	struct reg		*reg;
	struct leasedb		*ldb;
	struct batch		*batch;
	struct admit		*admit;
};

const struct dhcpd_view	*dhcpd_view(void);
/* The daemon's metric families (dmetrics.c; metrics.h). */
void			 dhcpd_metrics(struct evbuffer *out);

#endif /* PB_DHCPD_H */
