/*
 * reload.c - provboxctl reload: check the config as the daemons will, then
 * SIGHUP each running daemon (found through its pid file in run_dir) and
 * wait for the reload status it writes there: taken, or refused and why.
 * Nothing is sent when the config has an error.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "runstate.h"

/* What became of one daemon's reload. */
struct reload_res {
	const char	*name;
	long		 pid;		/* -1: not running */
	const char	*result;	/* provboxctl(8): reload */
	char		 why[512];	/* refusal or error, or "" */
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
	else if (strcmp(r->result, "refused") == 0)
		printf("%s (pid %ld): refused the new config: %s\n", r->name,
		    r->pid, r->why);
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
	jset(o, "result", jtext(r->result));
	jset(o, "message", jtext_or_null(r->why));
	return o;
}

int
cmd_reload(const char *path)
{
	static const char *const names[] = { "provbox-dhcpd",
	    "provbox-provisiond" };
	struct reload_res	 res;
	struct cfg		*cfg;
	json_t			*doc = NULL, *errs = NULL;
	json_t			*daemons = NULL;
	int			 ret = 0;

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
	} else {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]);
		    i++) {
			memset(&res, 0, sizeof(res));
			res.name = names[i];
			if (reload_one(cfg, &res) != 0)
				ret = 1;
			if (ctl_json)
				jpush(daemons, res_json(&res));
			else
				print_res(cfg, &res);
		}
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
