/*
 * ctl.h - what provboxctl's command files share: the config and registry
 * session, relative times and JSON strings.
 */
#ifndef PB_CTL_H
#define PB_CTL_H

#include <time.h>

#include "cfg.h"
#include "registry.h"

extern int	 ctl_json;	/* --json */
extern time_t	 ctl_now;

struct session {
	struct cfg	*cfg;
	struct reg	*reg;
	struct reg_txn	 txn;
};

/* Loads the config and opens the registry in a transaction; 0 or -1. */
int		 session_open(struct session *s, const char *path, int write);
/* Commits (a write session) and closes; 0 or 1 for the exit status. */
int		 session_close(struct session *s, int ok);
/* "in 41m", "3h ago", "now": how far t is from ctl_now. */
const char	*reltime(time_t t, char *buf, size_t sz);
/* Writes s as a JSON string. */
void		 json_str(const char *s);

/* Enrollment commands (ctl/enroll.c). */
struct enroll_args {
	int		 all;		/* --all */
	int		 close;		/* --close */
	unsigned	 seconds;	/* --for; 0: the config's window */
};
int	cmd_enroll(const char *path, const char *who,
	    const struct enroll_args *a);
int	cmd_device(const char *path, const char *verb, const char *mac);
/* The device's enrollment state and story, for provboxctl status. */
void	status_enroll(struct session *s, const struct mac_addr *mac);
/* "90", "30m", "2h", "1d" as seconds; -1 when malformed. */
long	parse_duration(const char *s);

/* lease release IP, lease delete IP (ctl/lease.c); the exit status. */
int	cmd_lease(const char *path, const char *verb, const char *ip);

#endif /* PB_CTL_H */
