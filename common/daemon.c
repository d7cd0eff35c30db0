/*
 * daemon.c - what both daemons do the same way.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cap-ng.h>
#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "log.h"
#include "runstate.h"
#include "sync.h"

int
daemon_sync(struct reg *reg, const struct cfg *cfg)
{
	struct reg_sync_stats	st;
	char			err[256];

	if (reg_sync(reg, cfg, time(NULL), &st, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		return -1;
	}
	log_info("registry: users %u added, %u changed, %u removed; devices "
	    "%u added, %u changed, %u removed", st.users_added,
	    st.users_changed, st.users_removed, st.devices_added,
	    st.devices_changed, st.devices_removed);
	return 0;
}

/*
 * Through libcap-ng: the capabilities in keep survive the change of user
 * (capng_change_id() keeps them across setresuid() and applies them
 * after), the bounding set is emptied when we may (root), and the ambient
 * set is cleared, so that none can be handed on to a child or come back.
 */
void
daemon_drop_privileges(const char *user, uint64_t keep)
{
	struct passwd	*pw = NULL;

	capng_clear(CAPNG_SELECT_BOTH);
	for (unsigned c = 0; c < 64; c++)
		if ((keep & (1ULL << c)) != 0 && capng_update(CAPNG_ADD,
		    CAPNG_EFFECTIVE | CAPNG_PERMITTED, c) != 0)
			fatalx("capability %u unknown to libcap-ng", c);
	if (user != NULL && getuid() == 0) {
		if ((pw = getpwnam(user)) == NULL)
			fatalx("user %s does not exist", user);
		if (capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
		    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0)
			fatalx("dropping privileges to %s failed", user);
	} else if (capng_apply(CAPNG_SELECT_CAPS) != 0)
		fatalx("cannot drop capabilities");
	/*
	 * Whoever started us (root without a user, or systemd with ambient
	 * capabilities): no ambient ones stay.
	 */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
	    errno != EINVAL)
		fatal("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
	if (pw != NULL)
		log_info("running as %s with %s", user, keep ? "only the "
		    "capabilities it needs" : "no capabilities");
	else
		log_info("running with %s", keep ? "only the capabilities it "
		    "needs" : "no capabilities");
}

int
daemon_check_private(const char *path, const char *what, char *err,
    size_t errsz)
{
	struct stat st;

	if (path == NULL || stat(path, &st) != 0)
		return 0;	/* missing: whoever opens it says so */
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errsz, "%s %s has mode %04o: every user may "
		    "read it (chmod o-rw %s)", what, path,
		    (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	return 0;
}

void
daemon_reload_done(const struct cfg *cfg, const char *name,
    const char *cfgpath, const char *why)
{
	char		stamp[32];
	time_t		now = time(NULL);
	struct tm	tm;

	runstate_write_reload(cfg->run_dir, name, why == NULL, why);
	if (why == NULL)
		log_set_ratelimit(cfg->log_warn_burst, cfg->log_warn_interval);
	if (why != NULL)
		log_warnx("reload refused (%s): the running config stays", why);
	else
		log_info("reloaded %s", cfgpath);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	/* READY=1 either way: the old config serves on after a refusal. */
	if (why != NULL)
		sd_notifyf(0, "READY=1\nSTATUS=serving; the reload at %s was "
		    "refused, the running config stays: %s", stamp, why);
	else
		sd_notifyf(0, "READY=1\nSTATUS=serving; %s reloaded at %s",
		    cfgpath, stamp);
}

void
daemon_notify_ready(const char *cfgpath)
{
	sd_notifyf(0, "READY=1\nSTATUS=serving (config %s)", cfgpath);
}

/*
 * MONOTONIC_USEC lets systemd (253 and later) tell this reload from an
 * earlier one; older versions ignore it.
 */
void
daemon_notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000);
}

void
daemon_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}
