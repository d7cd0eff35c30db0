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
	if (pid > 1 && kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		pid = -1;
	return (pid_t)pid;
}

void
runstate_write_reload(const char *run_dir, const char *name,
    unsigned long seq, int ok, const char *why)
{
	char	 path[4096], tmp[4120];
	FILE	*f;

	/* Written aside and renamed, so a reader never sees half of it. */
	snprintf(path, sizeof(path), "%s/%s.reload", run_dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fprintf(f, "%lu %lld %s%s%s\n", seq, (long long)time(NULL),
	    ok ? "ok" : "refused", ok ? "" : ": ", ok ? "" : why);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		unlink(tmp);
}

int
runstate_read_reload(const char *run_dir, const char *name,
    unsigned long *seq, int *ok, char *why, size_t whysz)
{
	char		 path[4096], line[1024], *p;
	long long	 t;
	int		 n = 0;
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s.reload", run_dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(line, sizeof(line), f) == NULL ||
	    sscanf(line, "%lu %lld %n", seq, &t, &n) < 2 || n == 0) {
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
