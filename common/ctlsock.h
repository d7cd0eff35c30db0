/*
 * ctlsock.h - each daemon's control socket: a UNIX stream socket at
 * <run_dir>/<name>.ctl (mode 0660, root and the daemons' group) that
 * answers one JSON request per connection, in Kea's command style:
 *
 *   request  {"command": "lease-get", "arguments": {"ip": "10.0.0.9"}}
 *            (one object, ended by a newline or by the end of the stream)
 *   answer   {"result": 0, "text": "...", "arguments": {...}}
 *            then the daemon closes the connection.
 *
 * result is one of enum ctl_result. The commands every daemon answers
 * (list-commands, version-get, status, config-reload, config-test,
 * log-level-set) are here; a daemon adds its own as a table of struct
 * ctl_command. provboxctl(8) documents every command and its answer.
 *
 * The request parser (ctl_request_parse) and the answer writer
 * (ctl_answer_format) do no I/O, so they are unit tested and fuzzed;
 * the socket, the peer check and the limits are in ctlsock.c.
 */
#ifndef PB_CTLSOCK_H
#define PB_CTLSOCK_H

#include <stddef.h>

struct cfg;
struct event_base;
struct json_t;			/* jansson's json_t */

enum ctl_result {
	CTL_OK = 0,		/* done */
	CTL_ERROR = 1,		/* refused or failed: text says why */
	CTL_UNSUPPORTED = 2,	/* no such command */
	CTL_EMPTY = 3,		/* done, nothing found (no such lease) */
};

/* The most a request may be, newline included. */
#define CTL_REQUEST_MAX		(64 * 1024)
/* How deep arrays and objects may nest in a request. */
#define CTL_DEPTH_MAX		8
/* A command name: 1 to 64 of [a-z0-9-], starting with a letter. */
#define CTL_COMMAND_MAX		64

/*
 * One command. run() gets the request's arguments (an object, empty when
 * the request had none; borrowed) and fills answer (an empty object it
 * owns keys of) and text (a sentence for people, "" for a default one);
 * it returns an enum ctl_result. It runs in the event loop: it must not
 * block longer than a registry transaction.
 */
struct ctl_command {
	const char	*name;
	const char	*help;		/* one line for list-commands */
	int		(*run)(struct json_t *args, struct json_t *answer,
			    char *text, size_t textsz);
};

/* A parsed request: owned by the caller, freed by ctl_request_clear(). */
struct ctl_request {
	char		 command[CTL_COMMAND_MAX + 1];
	struct json_t	*args;		/* always an object */
};

/*
 * Parses one request from buf (len bytes, not NUL-terminated; one
 * trailing newline allowed). 0 with req filled, or -1 with err saying
 * what is wrong (too large, not JSON, duplicate key, too deep, not an
 * object, no or bad command, arguments not an object, unknown key).
 * No I/O, no globals: safe on any bytes.
 */
int		 ctl_request_parse(const char *buf, size_t len,
		    struct ctl_request *req, char *err, size_t errsz);
void		 ctl_request_clear(struct ctl_request *req);

/*
 * The answer as one line of JSON ending in a newline: malloc'd (caller
 * frees), or NULL when out of memory. args may be NULL (no "arguments"
 * key); it is borrowed. Bytes of text that are not UTF-8 are escaped.
 */
char		*ctl_answer_format(int result, const char *text,
		    struct json_t *args, size_t *lenp);

/*
 * Opens the socket (as root, before the privilege drop) and serves it on
 * base: the common commands and cmds (borrowed for the socket's life).
 * name is the daemon's ("provbox-dhcpd"). NULL with err on failure. A
 * socket file left by a daemon that is gone is replaced; one that
 * answers is not.
 */
struct ctlsock	*ctlsock_start(struct event_base *base,
		    const struct cfg *cfg, const char *name,
		    const struct ctl_command *cmds, size_t ncmds, char *err,
		    size_t errsz);
/* Closes the socket and its connections, removes the file. NULL-safe. */
void		 ctlsock_free(struct ctlsock *cs);

/* What a control socket did, for status and the tests. */
struct ctlsock_stats {
	unsigned long	 connections;	/* accepted */
	unsigned long	 requests;	/* parsed and answered */
	unsigned long	 malformed;	/* requests refused unparsed */
	unsigned long	 oversized;	/* of those: too large */
	unsigned long	 refused;	/* peers not let in; too many */
	unsigned long	 timeouts;	/* no request in time */
};
const struct ctlsock_stats *ctlsock_stats(const struct ctlsock *cs);

/* <run_dir>/<name>.ctl into buf; -1 when it does not fit sun_path. */
int		 ctlsock_path(const char *run_dir, const char *name,
		    char *buf, size_t bufsz);

#endif /* PB_CTLSOCK_H */
