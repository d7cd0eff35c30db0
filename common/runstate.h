/*
 * runstate.h - what a daemon tells provboxctl through its run directory:
 * its pid file, and after each reload a status file saying whether the
 * new config took ("ok" or "refused: <why>") and when.
 */
#ifndef PB_RUNSTATE_H
#define PB_RUNSTATE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* Writes <run_dir>/<name>.pid; returns the path (caller frees) or NULL. */
char	*runstate_write_pid(const char *run_dir, const char *name);
/*
 * The pid in <run_dir>/<name>.pid if that process is alive and is that
 * daemon (its argv[0] ends in name: a pid file left by a crash may name a
 * reused pid), else -1.
 */
pid_t	 runstate_read_pid(const char *run_dir, const char *name);
/*
 * Writes <run_dir>/<name>.reload: "<stamp> <time> ok" or "... refused:
 * why". The stamp (nanoseconds since the epoch) differs for every reload,
 * across restarts too, so a reader can tell a new status from an old one.
 */
void	 runstate_write_reload(const char *run_dir, const char *name, int ok,
	    const char *why);
/*
 * Reads the reload status: 0 with *stamp, *ok and why, or -1 if there is
 * none yet.
 */
int	 runstate_read_reload(const char *run_dir, const char *name,
	    unsigned long long *stamp, int *ok, char *why, size_t whysz);

#endif /* PB_RUNSTATE_H */
