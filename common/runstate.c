/*
 * runstate.c - pid and reload status files in the run directory.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "runstate.h"

char *
runstate_write_pid(const char *run_dir, const char *name)
{
	char	*path;
	FILE	*f;

	if (mkdir(run_dir, 0755) != 0 && errno != EEXIST) {
		log_warn("cannot create %s", run_dir);
		return NULL;
	}
	if (asprintf(&path, "%s/%s.pid", run_dir, name) < 0)
		return NULL;
	if ((f = fopen(path, "w")) == NULL) {
		log_warn("cannot write %s", path);
		free(path);
		return NULL;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
	return path;
}

/* 1 if process pid runs a program whose name is name. */
static int
is_daemon(pid_t pid, const char *name)
{
	char	 path[64], argv0[4096], *base;
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(argv0, 1, sizeof(argv0) - 1, f);
	fclose(f);
	argv0[n] = '\0';	/* argv[0] ends at its own NUL */
	base = strrchr(argv0, '/');
	base = base != NULL ? base + 1 : argv0;
	return strcmp(base, name) == 0;
}

pid_t
runstate_read_pid(const char *run_dir, const char *name)
{
	char	 path[4096];
	FILE	*f;
	long	 pid = -1;

	snprintf(path, sizeof(path), "%s/%s.pid", run_dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1)
		pid = -1;
	fclose(f);
	if (pid > 1 && ((kill((pid_t)pid, 0) != 0 && errno == ESRCH) ||
	    !is_daemon((pid_t)pid, name)))
		pid = -1;
	return (pid_t)pid;
}

void
runstate_write_reload(const char *run_dir, const char *name, int ok,
    const char *why)
{
	char		 path[4096], tmp[4120];
	struct timespec	 ts;
	FILE		*f;

	clock_gettime(CLOCK_REALTIME, &ts);
	/* Written aside and renamed, so a reader never sees half of it. */
	snprintf(path, sizeof(path), "%s/%s.reload", run_dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fprintf(f, "%llu %lld %s%s%s\n", (unsigned long long)ts.tv_sec *
	    1000000000ULL + (unsigned long long)ts.tv_nsec,
	    (long long)ts.tv_sec, ok ? "ok" : "refused", ok ? "" : ": ",
	    ok ? "" : why);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		unlink(tmp);
}

int
runstate_read_reload(const char *run_dir, const char *name,
    unsigned long long *stamp, int *ok, char *why, size_t whysz)
{
	char		 path[4096], line[1024], *p;
	long long	 t;
	int		 n = 0;
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s.reload", run_dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(line, sizeof(line), f) == NULL ||
	    sscanf(line, "%llu %lld %n", stamp, &t, &n) < 2 || n == 0) {
		fclose(f);
		return -1;
	}
	fclose(f);
	p = line + n;
	p[strcspn(p, "\n")] = '\0';
	*ok = strncmp(p, "ok", 2) == 0;
	snprintf(why, whysz, "%s", *ok ? "" : (strncmp(p, "refused: ", 9) ==
	    0 ? p + 9 : p));
	return 0;
}
