/*
 * tftp.h - provisiond's read-only TFTP server (provisioning.tftp_listen)
 * on the daemon's event loop: the sockets, the sessions and their
 * timers around tftp_proto.h. What a request gets is not decided here:
 * the daemon's answer callback runs the flat folder's rules (serve.h)
 * and fills a prov_resp, whose body or file this module then sends.
 *
 * Each transfer has a socket of its own (a new port, RFC 1350 4: the
 * server's transfer identifier), bound to the address the request came
 * to and connected to the client's, so the kernel drops what another
 * host or port sends into it. Limits: TFTP_SESSIONS transfers at once,
 * TFTP_PER_SOURCE from one address; a request past them is answered
 * with an error, counted, and never queued.
 */
#ifndef PB_TFTP_H
#define PB_TFTP_H

#include <stddef.h>
#include <sys/socket.h>

#include "serve.h"
#include "tftp_proto.h"

#define TFTP_SESSIONS	256
#define TFTP_PER_SOURCE	4

struct event_base;
struct tftp_server;

/*
 * Answers a read request from peer: fills resp (prov_resp_init() done)
 * as prov_handle() does, 200 with a body or a file to send. Called once
 * per accepted request, audit line included.
 */
typedef void (*tftp_answer_fn)(const struct tftp_req *req,
    const struct sockaddr *peer, struct prov_resp *resp, void *arg);

struct tftp_stats {
	unsigned long	 requests;	/* read requests parsed */
	unsigned long	 malformed[TFTP_REQ_ERR_COUNT];	/* by reason */
	unsigned long	 truncated;	/* over TFTP_REQ_MAX */
	unsigned long	 refused;	/* answered with an error */
	unsigned long	 busy;		/* past the session limits */
	unsigned long	 done;		/* transfers completed */
	unsigned long	 timedout;	/* given up after TFTP_SENDS_MAX */
	unsigned long	 aborted;	/* the client sent an error */
	unsigned long	 failed;	/* a read or a send failed */
	unsigned long	 packets;	/* DATA and OACK sent */
	unsigned	 sessions;	/* transfers now */
};

/*
 * Binds every "addr:port" of listen (as root: port 69 is privileged).
 * NULL with err on failure.
 */
struct tftp_server	*tftp_server_new(struct event_base *base,
			    char *const *listen, size_t nlisten,
			    tftp_answer_fn answer, void *arg, char *err,
			    size_t errsz);
/* Ends every transfer and closes the sockets. NULL is a no-op. */
void			 tftp_server_free(struct tftp_server *s);
void			 tftp_server_stats(const struct tftp_server *s,
			    struct tftp_stats *st);
/* The malformed requests of st, every reason and the truncated ones. */
unsigned long		 tftp_stats_malformed(const struct tftp_stats *st);

#endif /* PB_TFTP_H */
