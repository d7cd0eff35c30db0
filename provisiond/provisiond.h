/*
 * provisiond.h - what the running provbox-provisiond offers the modules
 * beside its event loop (its control-socket commands, its metrics): a
 * view of its state. The pointers change on every reload: take the view
 * afresh each time, never keep one across a return to the loop.
 */
#ifndef PB_PROVISIOND_H
#define PB_PROVISIOND_H

struct cfg;
struct evbuffer;
struct guard;
struct prov_templates;
struct reg;
struct pnpd;
struct tftp_server;

struct provd_view {
	const struct cfg		*cfg;
	struct reg			*reg;
	const struct prov_templates	*tp;
	struct guard			*guard;
	const struct tftp_server	*tftp;		/* NULL: off */
	const struct pnpd		*pnpd;		/* NULL: off */
	unsigned long			 requests;
	unsigned long			 status[6];	/* by hundreds */
};

const struct provd_view	*provd_view(void);
/* The daemon's metric families (pmetrics.c; metrics.h). */
void			 provd_metrics(struct evbuffer *out);

#endif /* PB_PROVISIOND_H */
