/*
 * daemon_main.c - the one lifecycle of both daemons (daemon.h): options,
 * config, the fork, the registry, the daemon's own start, the control
 * socket and metrics listener, the privilege drop and the sandbox, the
 * signals, the loop, and the reload that SIGHUP and the control socket
 * share.
 *
 * The fork comes before the registry is opened: an LMDB environment never
 * crosses a fork (its locks belong to the process that opened it). The
 * parent stays until the child serves, so "provbox-dhcpd" without -f
 * exits 0 only when the daemon is really up, and 1 (after the child's own
 * error on stderr) when it is not, as an init script or an admin at a
 * shell expects.
 */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctlsock.h"
#include "daemon.h"
#include "log.h"
#include "metrics.h"
#include "registry.h"
#include "runstate.h"
#include "sandbox.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG	SYSCONFDIR "/provbox/provbox.conf"
#ifndef PB_VERSION
#define PB_VERSION	PACKAGE_VERSION
#endif
#define NSIGS		4

static struct {
	const struct daemon_hooks	*h;
	const char			*cfgpath;
	int				 foreground;
	int				 debug;
	struct cfg			*cfg;
	struct reg			*reg;
	struct event_base		*base;
	char				*pidfile;
	struct ctlsock			*ctl;
	struct metrics_listener		*ml;
	int				 ready_fd;	/* the parent's pipe */
} M = { .ready_fd = -1 };

const struct cfg *
daemon_cfg(void)
{
	return M.cfg;
}

struct reg *
daemon_reg(void)
{
	return M.reg;
}

struct event_base *
daemon_base(void)
{
	return M.base;
}

const char *
daemon_config_path(void)
{
	return M.cfgpath;
}

/* -h and --help: on stdout, exit 0; a wrong option: on stderr, exit 2. */
static void
usage(const char *name, int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: %s [-dfnt] [-c config]\n"
	    "       %s --version | --help\n"
	    "  -c file    config file (default %s)\n"
	    "  -d         debug logging\n"
	    "  -f         stay in the foreground, log to stderr (or the "
	    "journal)\n"
	    "  -t, -n     check the config and the files it names, and "
	    "exit\n"
	    "             (0 valid, 1 not)\n"
	    "  --version  print the version and exit\n"
	    "  -h, --help print this and exit\n", name, name, DEFAULT_CONFIG);
	exit(status);
}

/* Appends an error that is not the config file's (msg only). */
static void
errs_add(struct cfg_errors *errs, const char *msg)
{
	struct cfg_error *v;

	if (errs == NULL)
		return;
	if ((v = realloc(errs->v, (errs->n + 1) * sizeof(*v))) == NULL)
		return;
	errs->v = v;
	memset(&v[errs->n], 0, sizeof(v[0]));
	if ((v[errs->n].msg = strdup(msg)) != NULL)
		errs->n++;
}

/*
 * The config with every error logged and kept in errs. why gets the first
 * error (the reload status file and systemd's STATUS= hold one line).
 */
static struct cfg *
load_config(struct cfg_errors *errs, char *why, size_t whysz)
{
	struct cfg	*cfg;
	char		 line[1024];

	if (cfg_load(M.cfgpath, M.h->cfg_flags, &cfg, errs) == 0)
		return cfg;
	for (size_t i = 0; i < errs->n; i++)
		log_warnx("%s", cfg_error_format(&errs->v[i], line,
		    sizeof(line)));
	log_warnx("%s: %zu error%s", M.cfgpath, errs->n, errs->n == 1 ? "" :
	    "s");
	if (errs->n > 0)
		snprintf(why, whysz, "%s%s", cfg_error_format(&errs->v[0], line,
		    sizeof(line)), errs->n > 1 ? " (and more in the log)" : "");
	else
		snprintf(why, whysz, "%s: cannot load", M.cfgpath);
	return NULL;
}

/*
 * The config's sealed secrets opened with the registry's key, which only
 * now is at hand (the registry opens after the fork). Fatal when one
 * does not open: the phones would get the sealed text as a password.
 */
static void
unseal_at_start(void)
{
	struct cfg_errors	ue;
	char			line[1024];

	memset(&ue, 0, sizeof(ue));
	if (cfg_unseal(M.cfg, reg_config_opener, M.reg, &ue) != 0) {
		for (size_t i = 0; i < ue.n; i++)
			log_warnx("%s", cfg_error_format(&ue.v[i], line,
			    sizeof(line)));
		fatalx("%s: sealed values that do not open", M.cfgpath);
	}
	cfg_errors_free(&ue);
}

static void
reload_done(const char *why)
{
	daemon_reload_done(M.cfg, M.h->name, M.cfgpath, why);
}

int
daemon_reload(struct cfg_errors *errs)
{
	struct cfg	*cfg, *old;
	void		*staged = NULL;
	char		 why[512];

	memset(errs, 0, sizeof(*errs));
	log_info("reloading %s", M.cfgpath);
	daemon_notify_reloading();
	if ((cfg = load_config(errs, why, sizeof(why))) == NULL)
		goto refused;
	if (cfg_unseal(cfg, reg_config_opener, M.reg, errs) != 0) {
		snprintf(why, sizeof(why), "%s", errs->n > 0 ?
		    errs->v[errs->n - 1].msg : "a sealed value does not open");
		log_warnx("%s", why);
		cfg_free(cfg);
		goto refused;
	}
	if (M.h->load != NULL && M.h->load(cfg, &staged, why,
	    sizeof(why)) != 0) {
		log_warnx("%s", why);
		goto refused_msg;
	}
	if (strcmp(cfg->registry_path, M.cfg->registry_path) != 0)
		log_warnx("registry.path changed: it takes effect at restart");
	/* The sync is one transaction: it lands whole or not at all. */
	if (daemon_sync(M.reg, cfg) != 0) {
		snprintf(why, sizeof(why), "the registry sync failed (see the "
		    "log)");
		goto refused_msg;
	}
	if (M.h->apply(cfg, staged, why, sizeof(why)) != 0)
		goto refused_msg;
	old = M.cfg;
	M.cfg = cfg;
	cfg_free(old);
	if (!M.debug)
		log_set_level(cfg->log_level);
	reload_done(NULL);
	return 0;
refused_msg:
	errs_add(errs, why);
	if (M.h->discard != NULL)
		M.h->discard(staged);
	cfg_free(cfg);
refused:
	reload_done(why);
	return -1;
}

int
daemon_test_config(const char *path, struct cfg_errors *errs)
{
	struct cfg	*cfg;
	void		*staged = NULL;
	char		 why[512];

	memset(errs, 0, sizeof(*errs));
	if (cfg_load(path, M.h->cfg_flags, &cfg, errs) != 0)
		return -1;
	/* Running, the registry's key is at hand: the sealed values too. */
	if (M.reg != NULL && cfg_unseal(cfg, reg_config_opener, M.reg,
	    errs) != 0) {
		cfg_free(cfg);
		return -1;
	}
	if (M.h->load != NULL && M.h->load(cfg, &staged, why,
	    sizeof(why)) != 0) {
		errs_add(errs, why);
		cfg_free(cfg);
		return -1;
	}
	if (M.h->discard != NULL)
		M.h->discard(staged);
	cfg_free(cfg);
	return 0;
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct cfg_errors errs;

	(void)sig;
	(void)what;
	(void)arg;
	daemon_reload(&errs);
	cfg_errors_free(&errs);
}

static void
on_term(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	log_info("signal %d: stopping", (int)sig);
	event_base_loopbreak(M.base);
}

static void
on_usr1(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	if (M.h->stats != NULL)
		M.h->stats();
}

/*
 * The fork: the parent waits on a pipe until the child writes one byte
 * (it serves: exit 0) or the pipe closes without it (the child died; its
 * error went to the same stderr: exit 1). The child leads a new session,
 * in /, with stdin and stdout on /dev/null; stderr stays until it serves,
 * so that a start-up error reaches whoever started it.
 */
static void
detach(void)
{
	int	p[2], fd;
	pid_t	pid;
	ssize_t	n;
	char	c;

	if (pipe2(p, O_CLOEXEC) != 0)
		fatal("pipe");
	fflush(NULL);
	if ((pid = fork()) < 0)
		fatal("fork");
	if (pid > 0) {
		close(p[1]);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 ? 0 : 1);
	}
	close(p[0]);
	M.ready_fd = p[1];
	if (setsid() < 0)
		fatal("setsid");
	if (chdir("/") != 0)
		fatal("chdir /");
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		fatal("/dev/null");
	if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0)
		fatal("dup2");
	close(fd);
}

/* The child serves: the parent may go, and the log moves to syslog. */
static void
detached(void)
{
	int fd;

	if (M.ready_fd < 0)
		return;
	log_init(M.h->name, 0, M.debug ? PB_LOG_DEBUG : M.cfg->log_level);
	if (write(M.ready_fd, "1", 1) != 1)
		log_warn("cannot tell the starting process");
	close(M.ready_fd);
	M.ready_fd = -1;
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

/*
 * Under systemd (INVOCATION_ID is set for every unit it starts), -t runs
 * as ExecStartPre= in the unit's own sandbox, where only ReadWritePaths=
 * can be written: a config that moves registry.path or run_dir elsewhere
 * fails here with the drop-in that fixes it, not later with EROFS.
 */
static int
check_unit_paths(const struct cfg *cfg)
{
	const char	*paths[2] = { cfg->registry_path, cfg->run_dir };
	const char	*what[2] = { "registry.path", "run_dir" };
	int		 bad = 0;

	if (getenv("INVOCATION_ID") == NULL)
		return 0;
	for (int i = 0; i < 2; i++) {
		if (paths[i] == NULL || access(paths[i], W_OK) == 0 ||
		    errno != EROFS)
			continue;
		log_warnx("%s %s is read-only for this unit: add it to the "
		    "unit's ReadWritePaths= (systemctl edit %s, then "
		    "[Service] ReadWritePaths=%s)", what[i], paths[i],
		    M.h->name, paths[i]);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/*
 * One loop for both: the changelist folds the add/delete pairs evhttp
 * makes on every request into one epoll_ctl() per change that survives
 * the pass. Three priorities: everything runs at the middle one (the
 * default), work that should wait for a pass's I/O (provisiond's log
 * flush) at the lowest.
 */
static struct event_base *
new_base(void)
{
	struct event_config	*ecfg;
	struct event_base	*base = NULL;

	if ((ecfg = event_config_new()) == NULL)
		return NULL;
	if (event_config_set_flag(ecfg,
	    EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) == 0)
		base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	if (base != NULL && event_base_priority_init(base, 3) != 0) {
		event_base_free(base);
		base = NULL;
	}
	return base;
}

int
daemon_main(int argc, char *argv[], const struct daemon_hooks *h)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const int signos[NSIGS] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1 };
	void		(*const cbs[NSIGS])(evutil_socket_t, short, void *) = {
		on_hup, on_term, on_term, on_usr1 };
	struct event	*sigs[NSIGS];
	struct cfg_errors errs;
	void		*staged = NULL;
	char		 err[512];
	int		 ch, check_only = 0;

	M.h = h;
	M.cfgpath = DEFAULT_CONFIG;
	while ((ch = getopt_long(argc, argv, "c:dfnth", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			M.cfgpath = optarg;
			break;
		case 'd':
			M.debug = 1;
			break;
		case 'f':
			M.foreground = 1;
			break;
		case 'n':
		case 't':
			check_only = 1;
			break;
		case 'h':
			usage(h->name, 0);
			break;
		case 'V':
			printf("%s %s\n", h->name, PB_VERSION);
			return 0;
		default:
			usage(h->name, 2);
		}
	}
	if (optind != argc)
		usage(h->name, 2);
	log_init(h->name, 1, M.debug ? PB_LOG_DEBUG : PB_LOG_INFO);
	/* Under systemd, even the config's errors are journal entries. */
	log_set_target(LOG_TARGET_AUTO);
	M.cfg = load_config(&errs, err, sizeof(err));
	cfg_errors_free(&errs);
	if (M.cfg == NULL)
		return 1;
	if (h->load != NULL && h->load(M.cfg, &staged, err, sizeof(err)) !=
	    0) {
		log_warnx("%s", err);
		cfg_free(M.cfg);
		return 1;
	}
	if (check_only) {
		int rc = check_unit_paths(M.cfg) == 0 ? 0 : 1;

		if (rc == 0)
			fprintf(stderr, "%s: OK\n", M.cfgpath);
		if (h->discard != NULL)
			h->discard(staged);
		cfg_free(M.cfg);
		return rc;
	}
	if (!M.debug)
		log_set_level(M.cfg->log_level);
	log_set_facility(M.cfg->log_facility);
	log_set_target(M.cfg->log_target);
	log_set_ratelimit(M.cfg->log_warn_burst, M.cfg->log_warn_interval);
	signal(SIGPIPE, SIG_IGN);

	/* Before any LMDB environment exists (STYLE rule 9). */
	if (!M.foreground)
		detach();
	if (reg_open(M.cfg->registry_path, M.cfg->registry_map_size,
	    M.cfg->registry_sync ? 0 : REG_NOSYNC, &M.reg, err,
	    sizeof(err)) != 0)
		fatalx("%s", err);
	if (!M.cfg->registry_sync)
		log_warnx("registry.sync is off: acknowledged leases can be "
		    "lost in a power failure");
	unseal_at_start();
	if (daemon_sync(M.reg, M.cfg) != 0)
		fatalx("cannot bring the config into the registry");
	if ((M.base = new_base()) == NULL)
		fatalx("cannot create the event loop");
	err[0] = '\0';
	if (h->start(M.base, M.reg, M.cfg, staged, err, sizeof(err)) != 0)
		fatalx("%s", err[0] != '\0' ? err : "cannot start");
	M.pidfile = runstate_write_pid(M.cfg->run_dir, h->name);
	/* As root still: the socket's owner and group are set here. */
	if ((M.ctl = ctlsock_start(M.base, M.cfg, h->name, h->commands,
	    h->ncommands, err, sizeof(err))) == NULL)
		fatalx("control socket: %s", err);
	err[0] = '\0';
	if ((M.ml = metrics_start(M.base, M.cfg, h->name, h->metrics, err,
	    sizeof(err))) == NULL && err[0] != '\0')
		fatalx("metrics: %s", err);
	daemon_drop_privileges(M.cfg->user, h->caps);
	if (sandbox_enter((enum sandbox_role)h->sandbox) != 0)
		fatalx("cannot start without the seccomp filter");
	for (int i = 0; i < NSIGS; i++)
		if ((sigs[i] = evsignal_new(M.base, signos[i], cbs[i],
		    NULL)) == NULL || evsignal_add(sigs[i], NULL) != 0)
			fatalx("cannot watch signals");
	log_info("%s started (config %s, registry %s)", h->name, M.cfgpath,
	    M.cfg->registry_path);
	/* Its sockets are open and its privileges dropped: it serves. */
	daemon_notify_ready(M.cfgpath);
	detached();

	event_base_dispatch(M.base);

	daemon_notify_stopping();
	if (h->stats != NULL)
		h->stats();
	for (int i = 0; i < NSIGS; i++)
		event_free(sigs[i]);
	metrics_free(M.ml);
	ctlsock_free(M.ctl);
	h->stop();
	event_base_free(M.base);
	reg_close(M.reg);
	cfg_free(M.cfg);
	if (M.pidfile != NULL) {
		unlink(M.pidfile);
		free(M.pidfile);
	}
	return 0;
}
