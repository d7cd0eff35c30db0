/*
 * ctlsock.c - the control socket of a daemon (ctlsock.h): the socket and
 * its connections, and the commands both daemons answer. Requests are
 * parsed and answers written by ctlreq.c.
 *
 * Who may talk: the file is 0660 root:<group of cfg->user>, so the kernel
 * keeps others out; SO_PEERCRED/SO_PEERGROUPS checks the same again on
 * every connection (root, the daemon's uid, or a member of the group), in
 * case the file's mode or the directory were changed under it.
 *
 * Limits: CTL_REQUEST_MAX bytes per request, CTL_CONNS_MAX connections at
 * once (more are answered "busy" and closed), CTL_TIMEOUT seconds for a
 * request to arrive and its answer to leave.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <jansson.h>

#include "cfg.h"
#include "ctlsock.h"
#include "daemon.h"
#include "log.h"
#include "runstate.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS	59
#endif

#define CTL_CONNS_MAX	16
#define CTL_TIMEOUT	10	/* seconds */
#define CTL_GROUPS_MAX	256	/* supplementary groups looked at */

struct ctl_conn;

struct ctlsock {
	struct event_base		*base;
	struct event			*ev;
	int				 fd;
	char				 path[sizeof(((struct sockaddr_un *)
					    0)->sun_path)];
	char				*name;
	const struct ctl_command	*cmds;
	size_t				 ncmds;
	uid_t				 uid;	/* the daemon's */
	gid_t				 gid;	/* and its group */
	time_t				 started;
	struct ctl_conn			*conns;
	unsigned			 nconns;
	struct ctlsock_stats		 st;
	struct log_ratelimit		 rl;
};

struct ctl_conn {
	struct ctlsock		*cs;
	struct bufferevent	*bev;
	struct ctl_conn		*next;
	int			 answered;
};

/* The socket of this process, for the common commands. */
static struct ctlsock *the_cs;

/* ------------------------------------------------------ common commands */

static json_t *
jstr_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *
errors_json(const struct cfg_errors *errs)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < errs->n; i++) {
		const struct cfg_error	*e = &errs->v[i];
		json_t			*o = json_object();

		json_object_set_new(o, "file", jstr_or_null(e->file));
		json_object_set_new(o, "line", e->line > 0 ?
		    json_integer(e->line) : json_null());
		json_object_set_new(o, "setting", jstr_or_null(e->setting));
		json_object_set_new(o, "message", jstr_or_null(e->msg));
		json_array_append_new(arr, o);
	}
	return arr;
}

static int
cmd_list(json_t *args, json_t *ans, char *text, size_t textsz);

static int
cmd_version(json_t *args, json_t *ans, char *text, size_t textsz)
{
	(void)args;
	json_object_set_new(ans, "name", json_string(the_cs->name));
	json_object_set_new(ans, "version", json_string(PB_VERSION));
	snprintf(text, textsz, "%s %s", the_cs->name, PB_VERSION);
	return CTL_OK;
}

static int
cmd_status(json_t *args, json_t *ans, char *text, size_t textsz)
{
	const struct cfg	*cfg = daemon_cfg();
	unsigned long long	 seq;
	char			 why[512];
	int			 ok;
	json_t			*rl, *sock;
	const struct ctlsock_stats *st = &the_cs->st;

	(void)args;
	json_object_set_new(ans, "name", json_string(the_cs->name));
	json_object_set_new(ans, "version", json_string(PB_VERSION));
	json_object_set_new(ans, "pid", json_integer(getpid()));
	json_object_set_new(ans, "started", json_integer(the_cs->started));
	json_object_set_new(ans, "uptime", json_integer(time(NULL) -
	    the_cs->started));
	json_object_set_new(ans, "config", jstr_or_null(cfg != NULL ?
	    cfg->path : NULL));
	json_object_set_new(ans, "log_level", json_string(
	    log_level_str(log_get_level())));
	/* The reload status file is what SIGHUP and config-reload write. */
	if (cfg != NULL && runstate_read_reload(cfg->run_dir, the_cs->name,
	    &seq, &ok, why, sizeof(why)) == 0) {
		rl = json_object();
		json_object_set_new(rl, "ok", json_boolean(ok));
		json_object_set_new(rl, "time", json_integer((json_int_t)
		    (seq / 1000000000ULL)));
		json_object_set_new(rl, "message", ok ? json_null() :
		    jstr_or_null(why));
		json_object_set_new(ans, "last_reload", rl);
	} else
		json_object_set_new(ans, "last_reload", json_null());
	sock = json_object();
	json_object_set_new(sock, "connections", json_integer(
	    (json_int_t)st->connections));
	json_object_set_new(sock, "requests", json_integer(
	    (json_int_t)st->requests));
	json_object_set_new(sock, "malformed", json_integer(
	    (json_int_t)st->malformed));
	json_object_set_new(sock, "oversized", json_integer(
	    (json_int_t)st->oversized));
	json_object_set_new(sock, "refused", json_integer(
	    (json_int_t)st->refused));
	json_object_set_new(sock, "timeouts", json_integer(
	    (json_int_t)st->timeouts));
	json_object_set_new(ans, "control_socket", sock);
	snprintf(text, textsz, "%s %s running for %llds", the_cs->name,
	    PB_VERSION, (long long)(time(NULL) - the_cs->started));
	return CTL_OK;
}

static int
cmd_reload(json_t *args, json_t *ans, char *text, size_t textsz)
{
	struct cfg_errors	 errs;
	int			 r;

	(void)args;
	memset(&errs, 0, sizeof(errs));
	r = daemon_reload(&errs);
	json_object_set_new(ans, "applied", json_boolean(r == 0));
	json_object_set_new(ans, "errors", errors_json(&errs));
	if (r == 0)
		snprintf(text, textsz, "config reloaded");
	else
		snprintf(text, textsz, "config refused (%zu error%s): the "
		    "running config stays", errs.n, errs.n == 1 ? "" : "s");
	cfg_errors_free(&errs);
	return r == 0 ? CTL_OK : CTL_ERROR;
}

/*
 * Loads and validates a config without applying it, as a reload would
 * (daemon_test_config(): this daemon's settings and what it reads beside
 * them, provisiond's templates and TLS material). The path defaults to
 * the running config's.
 */
static int
cmd_config_test(json_t *args, json_t *ans, char *text, size_t textsz)
{
	const struct cfg	*run = daemon_cfg();
	json_t			*p = json_object_get(args, "path");
	const char		*path = run != NULL ? run->path : NULL;
	struct cfg_errors	 errs;
	int			 r;

	if (p != NULL && !json_is_string(p)) {
		snprintf(text, textsz, "\"path\" must be a string");
		return CTL_ERROR;
	}
	if (p != NULL)
		path = json_string_value(p);
	if (path == NULL || path[0] == '\0') {
		snprintf(text, textsz, "no config path");
		return CTL_ERROR;
	}
	r = daemon_test_config(path, &errs);
	json_object_set_new(ans, "path", json_string(path));
	json_object_set_new(ans, "ok", json_boolean(r == 0));
	json_object_set_new(ans, "errors", errors_json(&errs));
	if (r == 0)
		snprintf(text, textsz, "config OK");
	else
		snprintf(text, textsz, "config has %zu error%s", errs.n,
		    errs.n == 1 ? "" : "s");
	cfg_errors_free(&errs);
	return r == 0 ? CTL_OK : CTL_ERROR;
}

static int
cmd_log_level(json_t *args, json_t *ans, char *text, size_t textsz)
{
	json_t		*l = json_object_get(args, "level");
	enum log_level	 old = log_get_level(), lvl;

	if (l == NULL || !json_is_string(l) ||
	    log_level_parse(json_string_value(l), &lvl) != 0) {
		snprintf(text, textsz, "\"level\" must be one of err, "
		    "warning, notice, info, debug");
		return CTL_ERROR;
	}
	log_set_level(lvl);
	log_notice("log level %s (was %s), set through the control socket",
	    log_level_str(lvl), log_level_str(old));
	json_object_set_new(ans, "level", json_string(log_level_str(lvl)));
	json_object_set_new(ans, "previous", json_string(log_level_str(old)));
	snprintf(text, textsz, "log level %s (was %s)", log_level_str(lvl),
	    log_level_str(old));
	return CTL_OK;
}

static const struct ctl_command common_cmds[] = {
	{ "list-commands", "the commands this daemon answers", cmd_list },
	{ "version-get", "the daemon's name and version", cmd_version },
	{ "status", "pid, uptime, config, log level, last reload",
	    cmd_status },
	{ "config-reload", "reload the config now; every error if refused",
	    cmd_reload },
	{ "config-test", "validate a config (arguments: path) without "
	    "applying it", cmd_config_test },
	{ "log-level-set", "set the log level (arguments: level)",
	    cmd_log_level },
};
#define NCOMMON (sizeof(common_cmds) / sizeof(common_cmds[0]))

static void
list_push(json_t *arr, const struct ctl_command *c)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "help", json_string(c->help));
	json_array_append_new(arr, o);
}

static int
cmd_list(json_t *args, json_t *ans, char *text, size_t textsz)
{
	json_t *arr = json_array();

	(void)args;
	for (size_t i = 0; i < NCOMMON; i++)
		list_push(arr, &common_cmds[i]);
	for (size_t i = 0; i < the_cs->ncmds; i++)
		list_push(arr, &the_cs->cmds[i]);
	json_object_set_new(ans, "commands", arr);
	snprintf(text, textsz, "%zu commands", NCOMMON + the_cs->ncmds);
	return CTL_OK;
}

static const struct ctl_command *
find_command(const struct ctlsock *cs, const char *name)
{
	for (size_t i = 0; i < NCOMMON; i++)
		if (strcmp(common_cmds[i].name, name) == 0)
			return &common_cmds[i];
	for (size_t i = 0; i < cs->ncmds; i++)
		if (strcmp(cs->cmds[i].name, name) == 0)
			return &cs->cmds[i];
	return NULL;
}

/* ---------------------------------------------------------- connections */

static void	on_read(struct bufferevent *, void *);
static void	on_event(struct bufferevent *, short, void *);

static void
conn_free(struct ctl_conn *c)
{
	struct ctlsock	 *cs = c->cs;
	struct ctl_conn **pp;

	for (pp = &cs->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	cs->nconns--;
	bufferevent_free(c->bev);
	free(c);
}

/*
 * The answer is out: the write side closes, and what the peer still sends
 * is read and dropped until it closes too (or the timeout): closing with
 * unread bytes would reset the connection and could lose the answer.
 */
static void
on_written(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;

	(void)shutdown(bufferevent_getfd(bev), SHUT_WR);
	bufferevent_setcb(bev, on_read, NULL, on_event, c);
	bufferevent_enable(bev, EV_READ);
}

/* Sends the answer; the connection closes once it is out. */
static void
conn_answer(struct ctl_conn *c, int result, const char *text, json_t *args)
{
	char	*line;
	size_t	 len = 0;

	c->answered = 1;
	bufferevent_disable(c->bev, EV_READ);
	if ((line = ctl_answer_format(result, text, args, &len)) == NULL ||
	    bufferevent_write(c->bev, line, len) != 0) {
		free(line);
		conn_free(c);
		return;
	}
	free(line);
	bufferevent_setcb(c->bev, NULL, on_written, on_event, c);
	bufferevent_enable(c->bev, EV_WRITE);
}

/* why is ours: what it quotes of the request, the parser escaped. */
static void
conn_bad(struct ctl_conn *c, const char *why)
{
	c->cs->st.malformed++;
	log_warnx_rl(&c->cs->rl, "control socket: malformed request: %s",
	    why);
	conn_answer(c, CTL_ERROR, why, NULL);
}

/* One complete request: parse, run, answer. */
static void
conn_request(struct ctl_conn *c, const char *buf, size_t len)
{
	struct ctl_request		 req;
	const struct ctl_command	*cmd;
	char				 err[512], text[1024];
	json_t				*ans;
	int				 r;

	if (ctl_request_parse(buf, len, &req, err, sizeof(err)) != 0) {
		conn_bad(c, err);
		return;
	}
	c->cs->st.requests++;
	if ((cmd = find_command(c->cs, req.command)) == NULL) {
		snprintf(text, sizeof(text), "unsupported command \"%s\" "
		    "(list-commands lists them)", req.command);
		conn_answer(c, CTL_UNSUPPORTED, text, NULL);
		ctl_request_clear(&req);
		return;
	}
	if ((ans = json_object()) == NULL) {
		ctl_request_clear(&req);
		conn_free(c);
		return;
	}
	text[0] = '\0';
	r = cmd->run(req.args, ans, text, sizeof(text));
	log_debug("control socket: %s: result %d", req.command, r);
	if (text[0] == '\0')
		snprintf(text, sizeof(text), "%s", r == CTL_OK ? "done" :
		    r == CTL_EMPTY ? "nothing found" : "failed");
	conn_answer(c, r, text, ans);
	json_decref(ans);
	ctl_request_clear(&req);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct ctl_conn		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 p;
	size_t			 len = evbuffer_get_length(in), n;
	char			*buf;

	if (c->answered) {
		evbuffer_drain(in, len);
		return;
	}
	p = evbuffer_search(in, "\n", 1, NULL);
	if (p.pos < 0 && len <= CTL_REQUEST_MAX)
		return;			/* more to come */
	if (p.pos < 0 || (size_t)p.pos + 1 > CTL_REQUEST_MAX) {
		char why[128];

		c->cs->st.oversized++;
		snprintf(why, sizeof(why), "request too large: over %d bytes",
		    CTL_REQUEST_MAX);
		conn_bad(c, why);
		return;
	}
	n = (size_t)p.pos + 1;
	if ((buf = malloc(n)) == NULL) {
		conn_free(c);
		return;
	}
	evbuffer_remove(in, buf, n);
	conn_request(c, buf, n);
	free(buf);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 len = evbuffer_get_length(in);
	char		*buf;

	if ((what & BEV_EVENT_EOF) && !c->answered) {
		/* The end of the stream ends a request too. */
		if ((buf = malloc(len + 1)) == NULL) {
			conn_free(c);
			return;
		}
		evbuffer_remove(in, buf, len);
		if (len > CTL_REQUEST_MAX)
			c->cs->st.oversized++;
		conn_request(c, buf, len);
		free(buf);
		return;
	}
	if ((what & BEV_EVENT_TIMEOUT) && !c->answered) {
		c->cs->st.timeouts++;
		conn_answer(c, CTL_ERROR, "timeout: no complete request "
		    "within 10 s", NULL);
		return;
	}
	conn_free(c);
}

/*
 * The peer is root, the daemon's user, or in the daemon's group (its
 * primary group or, where the kernel tells, a supplementary one).
 */
static int
peer_allowed(const struct ctlsock *cs, int fd, uid_t *uidp)
{
	struct ucred	 cr;
	socklen_t	 len = sizeof(cr);
	gid_t		 groups[CTL_GROUPS_MAX];

	*uidp = (uid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
		return 0;
	*uidp = cr.uid;
	if (cr.uid == 0 || cr.uid == cs->uid || cr.uid == geteuid() ||
	    cr.gid == cs->gid)
		return 1;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
		for (size_t i = 0; i < len / sizeof(gid_t); i++)
			if (groups[i] == cs->gid)
				return 1;
	return 0;
}

static void
on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct ctlsock	*cs = arg;
	struct ctl_conn	*c = NULL;
	struct timeval	 tv = { CTL_TIMEOUT, 0 };
	uid_t		 uid;
	int		 fd, busy;
	static const char busy_msg[] = "{\"result\": 1, \"text\": "
			    "\"busy: too many control connections\"}\n";
	static const char deny_msg[] = "{\"result\": 1, \"text\": "
			    "\"permission denied: not root, the daemon's "
			    "user or its group\"}\n";

	(void)what;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) <
	    0)
		return;
	cs->st.connections++;
	busy = cs->nconns >= CTL_CONNS_MAX;
	if (busy || !peer_allowed(cs, fd, &uid)) {
		cs->st.refused++;
		/* A best-effort line: the socket buffer takes it or not. */
		(void)!send(fd, busy ? busy_msg : deny_msg, busy ?
		    sizeof(busy_msg) - 1 : sizeof(deny_msg) - 1,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (!busy)
			log_warnx_rl(&cs->rl, "control socket: uid %ld "
			    "refused", (long)uid);
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->bev = bufferevent_socket_new(cs->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		free(c);
		close(fd);
		return;
	}
	c->cs = cs;
	c->next = cs->conns;
	cs->conns = c;
	cs->nconns++;
	/* Read a little past the limit: enough to say it is too large. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_REQUEST_MAX + 1);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
	bufferevent_enable(c->bev, EV_READ);
}

/* -------------------------------------------------------------- the socket */

int
ctlsock_path(const char *run_dir, const char *name, char *buf, size_t bufsz)
{
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path);
	int n;

	n = snprintf(buf, bufsz, "%s/%s.ctl", run_dir, name);
	return n < 0 || (size_t)n >= bufsz || (size_t)n >= max ? -1 : 0;
}

/* 1 when something answers on path. */
static int
answers(const struct sockaddr_un *sa)
{
	int fd, r;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return r;
}

struct ctlsock *
ctlsock_start(struct event_base *base, const struct cfg *cfg,
    const char *name, const struct ctl_command *cmds, size_t ncmds,
    char *err, size_t errsz)
{
	struct ctlsock		*cs;
	struct sockaddr_un	 sa;
	struct stat		 sb;
	struct passwd		*pw;
	mode_t			 um;

	if ((cs = calloc(1, sizeof(*cs))) == NULL ||
	    (cs->name = strdup(name)) == NULL) {
		snprintf(err, errsz, "control socket: out of memory");
		free(cs);
		return NULL;
	}
	cs->fd = -1;
	cs->base = base;
	cs->cmds = cmds;
	cs->ncmds = ncmds;
	cs->started = time(NULL);
	cs->uid = geteuid();
	cs->gid = getegid();
	cs->rl = (struct log_ratelimit)LOG_RATELIMIT_CONFIGURED;
	if (ctlsock_path(cfg->run_dir, name, cs->path, sizeof(cs->path)) !=
	    0) {
		snprintf(err, errsz, "control socket: %s/%s.ctl is longer "
		    "than a UNIX socket path may be", cfg->run_dir, name);
		goto fail;
	}
	/* The user the daemon becomes, as the privilege drop finds it. */
	if (cfg->user != NULL && geteuid() == 0) {
		if ((pw = getpwnam(cfg->user)) == NULL) {
			snprintf(err, errsz, "control socket: no user %s",
			    cfg->user);
			goto fail;
		}
		cs->uid = pw->pw_uid;
		cs->gid = pw->pw_gid;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, cs->path, strlen(cs->path) + 1);
	if (lstat(cs->path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			snprintf(err, errsz, "control socket: %s exists and "
			    "is not a socket: remove it", cs->path);
			goto fail;
		}
		if (answers(&sa)) {
			snprintf(err, errsz, "control socket: a daemon "
			    "answers on %s already", cs->path);
			goto fail;
		}
		/* A socket left by a daemon that is gone. */
		if (unlink(cs->path) != 0) {
			snprintf(err, errsz, "control socket: removing the "
			    "stale %s: %s", cs->path, strerror(errno));
			goto fail;
		}
	}
	if ((cs->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errsz, "control socket: %s", strerror(errno));
		goto fail;
	}
	/* Born 0660: no moment when others may connect. */
	um = umask(0117);
	if (bind(cs->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		umask(um);
		snprintf(err, errsz, "control socket: bind %s: %s", cs->path,
		    strerror(errno));
		goto fail;
	}
	umask(um);
	if (geteuid() == 0 && chown(cs->path, 0, cs->gid) != 0) {
		snprintf(err, errsz, "control socket: chown %s: %s",
		    cs->path, strerror(errno));
		unlink(cs->path);
		goto fail;
	}
	if (listen(cs->fd, CTL_CONNS_MAX) != 0 ||
	    (cs->ev = event_new(base, cs->fd, EV_READ | EV_PERSIST,
	    on_accept, cs)) == NULL || event_add(cs->ev, NULL) != 0) {
		snprintf(err, errsz, "control socket: listen %s: %s",
		    cs->path, strerror(errno));
		unlink(cs->path);
		goto fail;
	}
	the_cs = cs;
	return cs;
fail:
	if (cs->fd >= 0)
		close(cs->fd);
	if (cs->ev != NULL)
		event_free(cs->ev);
	free(cs->name);
	free(cs);
	return NULL;
}

void
ctlsock_free(struct ctlsock *cs)
{
	if (cs == NULL)
		return;
	while (cs->conns != NULL)
		conn_free(cs->conns);
	if (cs->ev != NULL)
		event_free(cs->ev);
	if (cs->fd >= 0) {
		close(cs->fd);
		/* Best effort: run_dir may be the root's after the drop. */
		(void)unlink(cs->path);
	}
	if (the_cs == cs)
		the_cs = NULL;
	free(cs->name);
	free(cs);
}

const struct ctlsock_stats *
ctlsock_stats(const struct ctlsock *cs)
{
	return &cs->st;
}
