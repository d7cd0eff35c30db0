/*
 * client.c - provboxctl's side of the daemons' control sockets
 * (common/ctlsock.h): one request per connection, the answer read to the
 * end of the stream. And the commands that use it:
 *
 *   ctl DAEMON COMMAND [JSON-ARGUMENTS]   any command, for admins
 *   status                                each daemon's state and counters
 *
 * A daemon whose socket does not connect (no file, nobody listening) is
 * "not running" for the callers, which then fall back to the registry or
 * to a signal (lease, reload).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlsock.h"
#include "runstate.h"

/* An answer is at most this big (a lease-list of 100000 leases fits). */
#define ANSWER_MAX	(64 * 1024 * 1024)

const char *
ctl_daemon_name(const char *s)
{
	if (strcmp(s, "dhcpd") == 0 || strcmp(s, "provbox-dhcpd") == 0)
		return "provbox-dhcpd";
	if (strcmp(s, "provisiond") == 0 ||
	    strcmp(s, "provbox-provisiond") == 0)
		return "provbox-provisiond";
	return NULL;
}

/* Waits for fd to be ready for events until deadline; 0, or -1 (err). */
static int
wait_fd(int fd, short events, time_t deadline, char *err, size_t errsz)
{
	struct pollfd	 p = { fd, events, 0 };
	int		 r;

	for (;;) {
		time_t left = deadline - time(NULL);

		if (left <= 0) {
			snprintf(err, errsz, "no answer within %d s",
			    CTL_CALL_TIMEOUT);
			return -1;
		}
		if ((r = poll(&p, 1, (int)left * 1000)) > 0)
			return 0;
		if (r < 0 && errno != EINTR) {
			snprintf(err, errsz, "poll: %s", strerror(errno));
			return -1;
		}
	}
}

int
ctl_call(const struct cfg *cfg, const char *daemon, const char *command,
    json_t *args, json_t **answer, char *err, size_t errsz)
{
	struct sockaddr_un	 sa;
	json_t			*req = NULL;
	json_error_t		 jerr;
	char			*line = NULL, *buf = NULL;
	size_t			 len, off, cap = 0, n = 0;
	time_t			 deadline = time(NULL) + CTL_CALL_TIMEOUT;
	struct timeval		 tv = { CTL_CALL_TIMEOUT, 0 };
	ssize_t			 r;
	int			 fd = -1, ret = -1;

	*answer = NULL;
	err[0] = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (ctlsock_path(cfg->run_dir, daemon, sa.sun_path,
	    sizeof(sa.sun_path)) != 0) {
		snprintf(err, errsz, "%s/%s.ctl: path too long", cfg->run_dir,
		    daemon);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return -1;
	}
	/* A hung daemon's full backlog would block connect() for ever. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (errno == ENOENT || errno == ECONNREFUSED ||
		    errno == ENOTDIR)
			ret = CTL_NOT_RUNNING;
		snprintf(err, errsz, "%s: %s", sa.sun_path, strerror(errno));
		goto done;
	}
	if ((req = json_object()) == NULL ||
	    json_object_set_new(req, "command", json_string(command)) != 0 ||
	    (args != NULL && json_object_set(req, "arguments", args) != 0) ||
	    (line = json_dumps(req, JSON_COMPACT)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto done;
	}
	len = strlen(line);
	for (off = 0; off < len; off += (size_t)r) {
		if (wait_fd(fd, POLLOUT, deadline, err, errsz) != 0)
			goto done;
		if ((r = send(fd, line + off, len - off, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				r = 0;
			else {
				snprintf(err, errsz, "send: %s",
				    strerror(errno));
				goto done;
			}
		}
	}
	/* The end of the stream ends the request (no newline needed). */
	shutdown(fd, SHUT_WR);
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			if (cap > ANSWER_MAX || (nb = realloc(buf, cap)) ==
			    NULL) {
				snprintf(err, errsz, "answer too large");
				goto done;
			}
			buf = nb;
		}
		if (wait_fd(fd, POLLIN, deadline, err, errsz) != 0)
			goto done;
		if ((r = recv(fd, buf + n, cap - n - 1, 0)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			snprintf(err, errsz, "recv: %s", strerror(errno));
			goto done;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if ((*answer = json_loadb(buf, n, 0, &jerr)) == NULL ||
	    !json_is_object(*answer) ||
	    !json_is_integer(json_object_get(*answer, "result"))) {
		snprintf(err, errsz, "not an answer: %s", n == 0 ?
		    "the daemon closed the connection" : jerr.text);
		json_decref(*answer);
		*answer = NULL;
		goto done;
	}
	ret = 0;
done:
	if (fd >= 0)
		close(fd);
	free(line);
	free(buf);
	json_decref(req);
	return ret;
}

int
ctl_result(const json_t *answer)
{
	return (int)json_integer_value(json_object_get(answer, "result"));
}

const char *
ctl_text(const json_t *answer)
{
	const char *s = json_string_value(json_object_get(answer, "text"));

	return s != NULL ? s : "";
}

/*
 * ctl DAEMON COMMAND [JSON]: the answer as it came (--json) or its text
 * and its arguments, indented. Exit 0 for results 0 and 3, else 1.
 */
int
cmd_ctl(const char *path, const char *daemon, const char *command,
    const char *jargs)
{
	struct cfg	*cfg;
	const char	*name = ctl_daemon_name(daemon);
	json_t		*args = NULL, *ans = NULL, *a;
	json_error_t	 jerr;
	char		 err[512];
	int		 r, ret = 1;

	if (name == NULL) {
		fprintf(stderr, "provboxctl: ctl: the daemons are dhcpd and "
		    "provisiond\n");
		return 2;
	}
	if (jargs != NULL && ((args = json_loads(jargs, 0, &jerr)) == NULL ||
	    !json_is_object(args))) {
		fprintf(stderr, "provboxctl: ctl: the arguments must be a JSON "
		    "object%s%s\n", args == NULL ? ": " : "",
		    args == NULL ? jerr.text : "");
		json_decref(args);
		return 2;
	}
	if ((cfg = ctl_load(path, CFG_NO_FILE_CHECKS | CFG_NO_TEMPLATES,
	    NULL)) == NULL) {
		json_decref(args);
		return 1;
	}
	r = ctl_call(cfg, name, command, args, &ans, err, sizeof(err));
	if (r == CTL_NOT_RUNNING)
		fprintf(stderr, "provboxctl: %s is not running (%s)\n", name,
		    err);
	else if (r != 0)
		fprintf(stderr, "provboxctl: %s: %s\n", name, err);
	else {
		r = ctl_result(ans);
		ret = r == CTL_OK || r == CTL_EMPTY ? 0 : 1;
		if (ctl_json) {
			if (json_print(json_incref(ans)) != 0)
				ret = 1;
		} else {
			printf("%s\n", ctl_text(ans));
			if ((a = json_object_get(ans, "arguments")) != NULL &&
			    json_object_size(a) > 0) {
				char *s = json_dumps(a, JSON_INDENT(2) |
				    JSON_PRESERVE_ORDER);

				if (s != NULL)
					printf("%s\n", s);
				free(s);
			}
		}
	}
	json_decref(ans);
	json_decref(args);
	cfg_free(cfg);
	return ret;
}

/*
 * A command's arguments from a running daemon, with its text in err, or
 * NULL with why in err.
 */
static json_t *
ask(const struct cfg *cfg, const char *name, const char *command,
    int *running, char *err, size_t errsz)
{
	json_t	*ans = NULL, *a;
	int	 r = ctl_call(cfg, name, command, NULL, &ans, err, errsz);

	if (r == CTL_NOT_RUNNING)
		*running = 0;
	if (r != 0)
		return NULL;
	if (ctl_result(ans) != CTL_OK) {
		snprintf(err, errsz, "%s", ctl_text(ans));
		json_decref(ans);
		return NULL;
	}
	a = json_incref(json_object_get(ans, "arguments"));
	snprintf(err, errsz, "%s", ctl_text(ans));
	json_decref(ans);
	return a;
}

static void
print_daemon(const char *name, int running, long pid, json_t *st,
    const char *stats, const char *err)
{
	json_t *rl;

	if (!running) {
		printf("%s: not running\n", name);
		return;
	}
	if (st == NULL) {
		printf("%s: running (pid %ld), control socket: %s\n", name,
		    pid, err[0] != '\0' ? err : "no answer");
		return;
	}
	printf("%s: running (pid %lld, %s), up %llds, log level %s\n", name,
	    (long long)json_integer_value(json_object_get(st, "pid")),
	    json_string_value(json_object_get(st, "version")),
	    (long long)json_integer_value(json_object_get(st, "uptime")),
	    json_string_value(json_object_get(st, "log_level")));
	rl = json_object_get(st, "last_reload");
	if (json_is_object(rl))
		printf("  last reload: %s%s%s\n", json_is_true(json_object_get(
		    rl, "ok")) ? "applied" : "refused",
		    json_is_string(json_object_get(rl, "message")) ? ": " : "",
		    json_is_string(json_object_get(rl, "message")) ?
		    json_string_value(json_object_get(rl, "message")) : "");
	if (stats != NULL)
		printf("  %s\n", stats);
}

/*
 * status (no MAC): for each daemon whether it runs and, through its
 * socket, its status and statistic-get; then the registry's counts.
 */
int
cmd_status_all(const char *path)
{
	static const char *const names[] = { "provbox-dhcpd",
	    "provbox-provisiond" };
	struct session	 s;
	json_t		*doc = jobj(), *daemons = jarr(), *reg;
	char		 err[512], stext[512];
	int		 ret = 0;

	if (session_open(&s, path, 0) != 0) {
		json_decref(doc);
		json_decref(daemons);
		return 1;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		json_t	*st, *stats = NULL, *o;
		long	 pid = (long)runstate_read_pid(s.cfg->run_dir,
			    names[i]);
		int	 running = 1;

		err[0] = '\0';
		st = ask(s.cfg, names[i], "status", &running, err,
		    sizeof(err));
		if (!running && pid > 0)
			running = 1;	/* alive, its socket is not */
		if (st != NULL)
			stats = ask(s.cfg, names[i], "statistic-get", &running,
			    stext, sizeof(stext));
		if (ctl_json) {
			o = jobj();
			jset(o, "name", jtext(names[i]));
			jset(o, "running", jbool(running));
			jset(o, "pid", st != NULL ? json_incref(json_object_get(
			    st, "pid")) : pid > 0 ? jint(pid) : jnull());
			jset(o, "status", st != NULL ? json_incref(st) :
			    jnull());
			jset(o, "statistics", stats != NULL ?
			    json_incref(stats) : jnull());
			jset(o, "error", running && st == NULL ? jtext(err) :
			    jnull());
			jpush(daemons, o);
		} else
			print_daemon(names[i], running, pid, st, stats !=
			    NULL ? stext : NULL, err);
		json_decref(st);
		json_decref(stats);
	}
	reg = jobj();
	jset(reg, "path", jtext(s.cfg->registry_path));
	jset(reg, "users", jint(reg_count(&s.txn, REG_T_USERS)));
	jset(reg, "devices", jint(reg_count(&s.txn, REG_T_DEVICES)));
	jset(reg, "leases", jint(reg_count(&s.txn, REG_T_LEASES)));
	if (ctl_json) {
		jset(doc, "config", jtext(path));
		jset(doc, "daemons", daemons);
		jset(doc, "registry", reg);
		if (json_print(doc) != 0)
			ret = 1;
	} else {
		printf("registry %s: %lld users, %lld devices, %lld lease "
		    "records\n", s.cfg->registry_path,
		    (long long)reg_count(&s.txn, REG_T_USERS),
		    (long long)reg_count(&s.txn, REG_T_DEVICES),
		    (long long)reg_count(&s.txn, REG_T_LEASES));
		json_decref(doc);
		json_decref(daemons);
		json_decref(reg);
	}
	if (session_close(&s, 1) != 0)
		ret = 1;
	return ret;
}
