/*
 * reload.c - provboxctl reload: check the config as the daemons will, then
 * reload each running daemon and report whether it took the config.
 *
 * Through the control socket (common/ctlsock.h) when it answers: first
 * config-test in every daemon, so that none applies a config another
 * would refuse; then config-reload, whose answer says applied or refused
 * with every error. A daemon whose socket does not answer but whose pid
 * file names a live process gets the old way: SIGHUP, then the reload
 * status it writes in run_dir. Nothing is sent when the config has an
 * error. With --daemon NAME only that daemon is reloaded (the systemd
 * units' ExecReload), and its not running is an error.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctlsock.h"
#include "runstate.h"

/* What became of one daemon's reload. */
struct reload_res {
	const char	*name;
	long		 pid;		/* -1: not running */
	const char	*result;	/* provboxctl(8): reload */
	const char	*via;		/* "socket", "signal" or NULL */
	char		 why[512];	/* refusal or error, or "" */
	json_t		*errors;	/* the daemon's (socket) */
};

/* Sends SIGHUP to one daemon and waits for its reload status; 0 or -1. */
static int
reload_one(const struct cfg *cfg, struct reload_res *res)
{
	unsigned long long seq0 = 0, seq;
	int		 had, ok;
	pid_t		 pid = runstate_read_pid(cfg->run_dir, res->name);

	res->pid = (long)pid;
	res->why[0] = '\0';
	if (pid < 0) {
		res->result = "not-running";
		return 0;
	}
	res->via = "signal";
	had = runstate_read_reload(cfg->run_dir, res->name, &seq0, &ok,
	    res->why, sizeof(res->why)) == 0;
	res->why[0] = '\0';
	if (kill(pid, SIGHUP) != 0) {
		res->result = "signal-failed";
		snprintf(res->why, sizeof(res->why), "%s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < 100; i++) {
		usleep(100 * 1000);
		if (runstate_read_reload(cfg->run_dir, res->name, &seq, &ok,
		    res->why, sizeof(res->why)) == 0 && (!had || seq != seq0)) {
			res->result = ok ? "reloaded" : "refused";
			if (ok)
				res->why[0] = '\0';
			return ok ? 0 : -1;
		}
	}
	res->why[0] = '\0';
	res->result = "no-answer";
	return -1;
}

/* "file:line: setting: message" of one error object into buf. */
static void
format_error(json_t *e, char *buf, size_t sz)
{
	const char	*f = json_string_value(json_object_get(e, "file"));
	const char	*set = json_string_value(json_object_get(e,
			    "setting"));
	const char	*msg = json_string_value(json_object_get(e,
			    "message"));
	json_t		*l = json_object_get(e, "line");
	size_t		 n = 0;

	buf[0] = '\0';
	if (f != NULL && json_is_integer(l))
		n = (size_t)snprintf(buf, sz, "%s:%lld: ", f,
		    (long long)json_integer_value(l));
	else if (f != NULL)
		n = (size_t)snprintf(buf, sz, "%s: ", f);
	if (n < sz && set != NULL)
		n += (size_t)snprintf(buf + n, sz - n, "%s: ", set);
	if (n < sz)
		snprintf(buf + n, sz - n, "%s", msg != NULL ? msg : "");
}

/* A refusal's further errors, one "file:line: setting: message" a line. */
static void
print_errors(json_t *errs)
{
	char	 line[1024];

	for (size_t i = 1; i < json_array_size(errs); i++) {
		format_error(json_array_get(errs, i), line, sizeof(line));
		printf("  %s\n", line);
	}
}

static void
print_res(const struct cfg *cfg, const struct reload_res *r)
{
	if (strcmp(r->result, "not-running") == 0)
		printf("%s: not running (no live pid in %s)\n", r->name,
		    cfg->run_dir);
	else if (strcmp(r->result, "signal-failed") == 0)
		printf("%s (pid %ld): cannot signal it: %s\n", r->name,
		    r->pid, r->why);
	else if (strcmp(r->result, "reloaded") == 0)
		printf("%s (pid %ld): reloaded\n", r->name, r->pid);
	else if (strcmp(r->result, "refused") == 0) {
		printf("%s (pid %ld): refused the new config: %s\n", r->name,
		    r->pid, r->why);
		print_errors(r->errors);
	} else if (strcmp(r->result, "not-reloaded") == 0)
		printf("%s (pid %ld): not reloaded: %s\n", r->name, r->pid,
		    r->why);
	else if (strcmp(r->result, "error") == 0)
		printf("%s (pid %ld): %s\n", r->name, r->pid, r->why);
	else
		printf("%s (pid %ld): no answer within 10 s (see its log)\n",
		    r->name, r->pid);
}

static json_t *
res_json(const struct reload_res *r)
{
	json_t *o = jobj();

	jset(o, "name", jtext(r->name));
	jset(o, "pid", r->pid < 0 ? jnull() : jint(r->pid));
	jset(o, "via", jtext(r->via));
	jset(o, "result", jtext(r->result));
	jset(o, "message", jtext_or_null(r->why));
	jset(o, "errors", r->errors != NULL ? json_incref(r->errors) :
	    jarr());
	return o;
}

/*
 * One command through a daemon's socket: 0 with *ans (its result), or
 * CTL_NOT_RUNNING, or -1 with res->why.
 */
static int
via_socket(const struct cfg *cfg, struct reload_res *res, const char *cmd,
    json_t **ans)
{
	int r = ctl_call(cfg, res->name, cmd, NULL, ans, res->why,
	    sizeof(res->why));

	if (r == -1)
		res->result = "error";
	return r;
}

/*
 * The answer's errors, kept in res; why is the first of them (as the
 * daemon's reload status file says it), or the answer's text.
 */
static void
take_errors(struct reload_res *res, json_t *ans)
{
	json_t *e = json_object_get(json_object_get(ans, "arguments"),
	    "errors");

	json_decref(res->errors);
	res->errors = json_is_array(e) ? json_incref(e) : NULL;
	if (json_array_size(e) > 0)
		format_error(json_array_get(e, 0), res->why, sizeof(res->why));
	else
		snprintf(res->why, sizeof(res->why), "%s", ctl_text(ans));
}

int
cmd_reload(const char *path, const char *only)
{
	static const char *const all[] = { "provbox-dhcpd",
	    "provbox-provisiond" };
	const char		*one[1];
	const char *const	*names = all;
	size_t			 n = 2;
	struct reload_res	 res[2];
	int			 sock[2];
	struct cfg		*cfg;
	json_t			*doc = NULL, *errs = NULL, *ans;
	json_t			*daemons = NULL;
	int			 ret = 0, tested_ok = 1;

	if (only != NULL) {
		if ((one[0] = ctl_daemon_name(only)) == NULL) {
			fprintf(stderr, "provboxctl: reload --daemon: the "
			    "daemons are dhcpd and provisiond\n");
			return 2;
		}
		names = one;
		n = 1;
	}
	memset(res, 0, sizeof(res));
	if (ctl_json) {
		doc = jobj();
		errs = jarr();
		daemons = jarr();
		jset(doc, "config", jtext(path));
	}
	/* The same check the daemons make: nothing is sent if it fails. */
	if ((cfg = ctl_load(path, 0, errs)) == NULL) {
		fprintf(stderr, "provboxctl: not reloading: the running "
		    "daemons keep their config\n");
		ret = 1;
		n = 0;
	}
	/* Each daemon that answers tests the config before any applies. */
	for (size_t i = 0; i < n; i++) {
		res[i].name = names[i];
		res[i].pid = (long)runstate_read_pid(cfg->run_dir, names[i]);
		sock[i] = via_socket(cfg, &res[i], "config-test", &ans);
		if (sock[i] != 0)
			continue;
		res[i].via = "socket";
		if (ctl_result(ans) != CTL_OK) {
			res[i].result = "refused";
			take_errors(&res[i], ans);
			tested_ok = 0;
		}
		json_decref(ans);
	}
	for (size_t i = 0; i < n; i++) {
		if (sock[i] == -1) {
			ret = 1;
			continue;
		}
		if (sock[i] == CTL_NOT_RUNNING) {
			res[i].why[0] = '\0';
			if (!tested_ok) {
				res[i].result = "not-reloaded";
				snprintf(res[i].why, sizeof(res[i].why),
				    "another daemon refused the config");
			} else if (reload_one(cfg, &res[i]) != 0)
				ret = 1;
			if (only != NULL && strcmp(res[i].result,
			    "not-running") == 0)
				ret = 1;
			continue;
		}
		if (res[i].result != NULL) {	/* refused by config-test */
			ret = 1;
			continue;
		}
		if (!tested_ok) {
			res[i].result = "not-reloaded";
			snprintf(res[i].why, sizeof(res[i].why), "another "
			    "daemon refused the config");
			ret = 1;
			continue;
		}
		if (via_socket(cfg, &res[i], "config-reload", &ans) != 0) {
			if (res[i].result == NULL)
				res[i].result = "error";
			ret = 1;
			continue;
		}
		if (ctl_result(ans) == CTL_OK)
			res[i].result = "reloaded";
		else {
			res[i].result = "refused";
			take_errors(&res[i], ans);
			ret = 1;
		}
		json_decref(ans);
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(res[i].result, "reloaded") == 0)
			res[i].why[0] = '\0';
		if (ctl_json)
			jpush(daemons, res_json(&res[i]));
		else
			print_res(cfg, &res[i]);
		json_decref(res[i].errors);
	}
	if (ctl_json) {
		jset(doc, "config_ok", jbool(cfg != NULL));
		jset(doc, "errors", errs);
		jset(doc, "daemons", daemons);
		if (json_print(doc) != 0)
			ret = 1;
	}
	cfg_free(cfg);
	return ret;
}
