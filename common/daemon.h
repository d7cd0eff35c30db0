/*
 * daemon.h - what both daemons do the same way: one lifecycle
 * (daemon_main, below: start, reload, stop), the registry sync, the
 * privilege drop, the reload report to provboxctl, and what systemd is
 * told of how the service is doing.
 */
#ifndef PB_DAEMON_H
#define PB_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "registry.h"

/* reg_sync() with its counts logged. 0 or -1 (logged). */
int		 daemon_sync(struct reg *reg, const struct cfg *cfg);
/*
 * When running as root and user is set, becomes user (libcap-ng). Whoever
 * it runs as, keeps only the capabilities in keep (a mask of 1 << CAP_*;
 * 0 keeps none; ambient ones are cleared too, the bounding set emptied
 * when it changes user) and sets no_new_privs. Fatal on failure: a
 * half-dropped daemon must not run.
 */
void		 daemon_drop_privileges(const char *user, uint64_t keep);
/*
 * A file of secrets (the TLS key) that every user may read, or replace,
 * is refused: 0 when path is private enough, -1 with err saying why and
 * the chmod that fixes it.
 */
int		 daemon_check_private(const char *path, const char *what,
		    char *err, size_t errsz);
/*
 * Records a reload in <run_dir>/<name>.reload and logs it: why NULL means
 * the new config took, otherwise why it was refused. Tells systemd the
 * reload is over (READY=1) with a STATUS= saying which.
 */
void		 daemon_reload_done(const struct cfg *cfg, const char *name,
		    const char *cfgpath, const char *why);

/*
 * systemd's notifications (sd_notify(3), Type=notify units): without
 * $NOTIFY_SOCKET they do nothing. READY=1 once the daemon serves (its
 * sockets open, its privileges dropped); RELOADING=1 with MONOTONIC_USEC
 * when a reload starts (daemon_reload_done() ends it); STOPPING=1 when
 * it stops.
 */
void		 daemon_notify_ready(const char *cfgpath);
void		 daemon_notify_reloading(void);
void		 daemon_notify_stopping(void);

/*
 * One daemon lifecycle (daemon_main): both daemons are this function with
 * their own hooks. In order:
 *   options (-c -d -f -t/-n --version --help); the config (every error
 *   logged) and load(), which reads what the daemon needs beside it
 *   (templates, TLS); -t stops here;
 *   unless -f, the fork: the parent waits until the child serves (exit
 *   0) or dies (exit 1); no LMDB environment exists yet (STYLE rule 9);
 *   the registry opened and synced to the config; one event_base;
 *   start(), which opens the daemon's sockets and events; the pid file,
 *   the control socket (ctlsock.h) and the metrics listener (metrics.h);
 *   privileges dropped to cfg->user keeping caps (libcap-ng); the seccomp
 *   filter; signals; READY=1; the loop;
 *   after it: STOPPING=1, stats(), stop(), everything closed.
 * A reload (SIGHUP, or the control socket's config-reload) runs load()
 * and apply() on a new config after the registry sync: any failure keeps
 * the running config and says every reason.
 */
struct ctl_command;
struct event_base;
struct evbuffer;

struct daemon_hooks {
	const char	*name;		/* "provbox-dhcpd": logs, run files */
	unsigned	 cfg_flags;	/* cfg_load() flags */
	uint64_t	 caps;		/* kept: 1 << CAP_* */
	int		 sandbox;	/* enum sandbox_role */
	/*
	 * Reads what the daemon needs beside cfg into *staged (no registry
	 * yet, maybe as root before the fork). 0, or -1 with the reason in
	 * why. NULL: nothing to read.
	 */
	int	(*load)(const struct cfg *cfg, void **staged, char *why,
		    size_t whysz);
	/* Frees what load() made when it is not used. NULL-safe. */
	void	(*discard)(void *staged);
	/*
	 * Start: takes cfg (borrowed: daemon_main keeps it until the next
	 * apply) and staged (owned). Opens the daemon's sockets and events
	 * on base; fatal or -1 with err on failure.
	 */
	int	(*start)(struct event_base *base, struct reg *reg,
		    const struct cfg *cfg, void *staged, char *err,
		    size_t errsz);
	/*
	 * Reload: switch to cfg and staged (owned on success), or -1 with
	 * why and the running ones untouched (staged is then discarded by
	 * daemon_main). The old cfg stays valid until apply() returns.
	 */
	int	(*apply)(const struct cfg *cfg, void *staged, char *why,
		    size_t whysz);
	void	(*stats)(void);		/* SIGUSR1 and at the end: log them */
	void	(*stop)(void);		/* after the loop: free everything */
	/* The daemon's own control-socket commands (ctlsock.h). */
	const struct ctl_command *commands;
	size_t		 ncommands;
	/* The daemon's metric families, appended to out (metrics.h). */
	void	(*metrics)(struct evbuffer *out);
};

/* Runs the daemon; its exit status. */
int		 daemon_main(int argc, char *argv[],
		    const struct daemon_hooks *hooks);
/*
 * What a running daemon_main() offers its hooks and commands: the config
 * in force (changes on reload), the registry, the event loop, -d.
 */
const struct cfg	*daemon_cfg(void);
const char		*daemon_config_path(void);
struct reg		*daemon_reg(void);
struct event_base	*daemon_base(void);
/*
 * Reloads now, as SIGHUP does. 0 when the new config took; -1 with errs
 * holding every reason (config errors with file:line and setting, others
 * with msg only; caller frees with cfg_errors_free()).
 */
int		 daemon_reload(struct cfg_errors *errs);
/*
 * Checks the config at path as a reload would, applying nothing: the
 * settings (with this daemon's cfg_load() flags) and what load() reads
 * (provisiond: templates, TLS). 0, or -1 with every reason in errs
 * (caller frees). provboxctl reload asks both daemons this before it
 * asks either to reload, so that a config one refuses changes neither.
 */
int		 daemon_test_config(const char *path, struct cfg_errors *errs);

#endif /* PB_DAEMON_H */
