/*
 * ctl.h - what provboxctl's command files share: the config and registry
 * session, relative times, and the JSON values every command's --json
 * output is made of (ctl/json.c; the schemas are in provboxctl(8)).
 */
#ifndef PB_CTL_H
#define PB_CTL_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "cfg.h"
#include "registry.h"

extern int	 ctl_json;	/* --json */
extern int	 ctl_secrets;	/* --secrets (device show) */
extern time_t	 ctl_now;

struct session {
	struct cfg	*cfg;
	struct reg	*reg;
	struct reg_txn	 txn;
};

/*
 * Loads the config, printing every error to stderr; NULL if it has any.
 * With errs, the errors are also appended to it as JSON objects (file,
 * line, setting, message).
 */
struct cfg	*ctl_load(const char *path, unsigned flags, json_t *errs);
/* Opens the config's registry; NULL (said on stderr) on failure. */
struct reg	*ctl_open_registry(const struct cfg *cfg, unsigned flags);
/* Loads the config and opens the registry in a transaction; 0 or -1. */
int		 session_open(struct session *s, const char *path, int write);
/* Commits (a write session) and closes; 0 or 1 for the exit status. */
int		 session_close(struct session *s, int ok);
/* Opens cfg's sealed values with reg's key (errors printed, and listed
 * in errs when not NULL). 0 or -1. */
int	ctl_unseal(const struct reg *reg, struct cfg *cfg, json_t *errs);

/* "in 41m", "3h ago", "now": how far t is from ctl_now. */
const char	*reltime(time_t t, char *buf, size_t sz);

/*
 * JSON values (ctl/json.c). Each returns a new reference, or NULL when out
 * of memory, which jset/jpush and then json_print notice: build a
 * document without checking each call, print it once.
 */
json_t	*jtext(const char *s);		/* NULL: null */
json_t	*jtext_or_null(const char *s);	/* "" and NULL: null */
json_t	*jbytes(const void *p, size_t n);	/* log_escape()d */
json_t	*jint(long long v);
json_t	*jtime(int64_t t);		/* 0: null */
json_t	*jnull(void);
json_t	*jbool(int b);
json_t	*jobj(void);
json_t	*jarr(void);
/* Both take over v (also on failure). */
void	 jset(json_t *obj, const char *key, json_t *v);
void	 jpush(json_t *arr, json_t *v);
/* Prints v and a newline on stdout and drops v; 0, or -1 (said). */
int	 json_print(json_t *v);

/* users, devices, leases (ctl/list.c); the exit status. */
int	cmd_users(const char *path);
int	cmd_devices(const char *path);
int	cmd_leases(const char *path);

/* Enrollment commands (ctl/enroll.c). */
struct enroll_args {
	int		 all;		/* --all */
	int		 close;		/* --close */
	unsigned	 seconds;	/* --for; 0: the config's window */
};
int	cmd_enroll(const char *path, const char *who,
	    const struct enroll_args *a);
int	cmd_device(const char *path, const char *verb, const char *mac);
/* device render MAC FILE: the file as the phone gets it (render.c). */
int	cmd_render(const char *path, const char *mac, const char *name);
/*
 * The device's enrollment state and story, for provboxctl status: printed,
 * or with obj, set as its keys state, window_until, first_access, events.
 */
void	status_enroll(struct session *s, const struct mac_addr *mac,
	    json_t *obj);
/* "90", "30m", "2h", "1d" as seconds; -1 when malformed. */
long	parse_duration(const char *s);

/*
 * resync MAC|USER|--all (who NULL) [--reboot] (ctl/resync_cmd.c): a
 * check-sync NOTIFY to each phone's leased address, one line (or with
 * --json an array of objects) per phone; with into (rotate --resync) the
 * array becomes its "resync" key instead of being printed. 0 if every
 * phone acknowledged, else 1.
 */
int	cmd_resync(const char *path, const char *who, int reboot,
	    json_t *into);

/* lease release IP, lease delete IP (ctl/lease.c); the exit status. */
int	cmd_lease(const char *path, const char *verb, const char *ip);

/*
 * reload (ctl/reload.c): every running daemon, or only daemon (a name
 * ctl_daemon_name() knows) when not NULL; certificate (ctl/cert.c). The
 * exit status.
 */
int	cmd_reload(const char *path, const char *daemon);
int	cmd_certificate(const char *path);

/*
 * The daemons' control sockets (ctl/client.c). ctl_call() sends command
 * with args (borrowed; NULL for none) to daemon ("provbox-dhcpd") and
 * reads its answer: 0 with *answer (caller drops it), CTL_NOT_RUNNING
 * when nothing listens on its socket (the callers fall back), or -1; err
 * says why either way.
 */
#define CTL_NOT_RUNNING		1
#define CTL_CALL_TIMEOUT	30	/* seconds, a reload included */
int		 ctl_call(const struct cfg *cfg, const char *daemon,
		    const char *command, json_t *args, json_t **answer,
		    char *err, size_t errsz);
int		 ctl_result(const json_t *answer);
const char	*ctl_text(const json_t *answer);
/* "dhcpd" or "provbox-dhcpd" -> "provbox-dhcpd"; NULL if neither daemon. */
const char	*ctl_daemon_name(const char *s);
/* ctl DAEMON COMMAND [JSON], status without a MAC; the exit status. */
int		 cmd_ctl(const char *path, const char *daemon,
		    const char *command, const char *jargs);
int		 cmd_status_all(const char *path);

#endif /* PB_CTL_H */
