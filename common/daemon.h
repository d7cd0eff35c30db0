/*
 * daemon.h - what both daemons do the same way: load the config logging
 * every error, bring it into the registry, drop privileges, report a
 * reload to provboxctl, and tell systemd how the service is doing.
 */
#ifndef PB_DAEMON_H
#define PB_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "registry.h"

/*
 * Loads path with cfg_load(flags), logging every error. NULL if it has
 * any; why then holds the first one (for the reload status).
 */
struct cfg	*daemon_load_config(const char *path, unsigned flags,
		    char *why, size_t whysz);
/* reg_sync() with its counts logged. 0 or -1 (logged). */
int		 daemon_sync(struct reg *reg, const struct cfg *cfg);
/*
 * When running as root and user is set, becomes user. Whoever it runs as,
 * keeps only the capabilities in keep (a mask of 1 << CAP_*; 0 keeps
 * none; ambient ones are cleared too) and sets no_new_privs. Fatal on
 * failure: a half-dropped daemon must not run.
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

#endif /* PB_DAEMON_H */
