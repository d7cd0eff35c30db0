/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz share: the entry
 * points' prototypes, a scratch directory removed at exit, files written
 * into it, the source tree's location and a log sink that swallows every
 * message (after it has been formatted, so the formatting is fuzzed too).
 *
 * A broken invariant is reported with FUZZ_CHECK(), which prints the
 * condition and abort()s: libFuzzer then saves the input as a crash.
 */
#ifndef PB_FUZZ_H
#define PB_FUZZ_H

#include <errno.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef PB_TOP_SRCDIR
#define PB_TOP_SRCDIR	".."
#endif

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* Start-up failures: the target cannot run at all. */
#define FUZZ_FATAL(...) do {						\
	fprintf(stderr, "fuzz: " __VA_ARGS__);				\
	fputc('\n', stderr);						\
	exit(2);							\
} while (0)

static char	*fuzz_dir;

static inline int
fuzz_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static inline void
fuzz_cleanup(void)
{
	if (fuzz_dir != NULL)
		nftw(fuzz_dir, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fuzz_dir);
	fuzz_dir = NULL;
}

/* The target's scratch directory under $TMPDIR, removed at exit. */
static inline const char *
fuzz_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (fuzz_dir != NULL)
		return fuzz_dir;
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	if (asprintf(&fuzz_dir, "%s/pbfuzz.XXXXXX", base) < 0)
		FUZZ_FATAL("out of memory");
	if (mkdtemp(fuzz_dir) == NULL)
		FUZZ_FATAL("mkdtemp %s: %s", fuzz_dir, strerror(errno));
	atexit(fuzz_cleanup);
	return fuzz_dir;
}

/* Writes data to name in the scratch directory; returns 0 or -1. */
static inline int
fuzz_write(const char *name, const void *data, size_t len)
{
	char	 path[4096];
	FILE	*f;
	int	 ret = -1;

	snprintf(path, sizeof(path), "%s/%s", fuzz_tmpdir(), name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	if (fwrite(data, 1, len, f) == len)
		ret = 0;
	if (fclose(f) != 0)
		ret = -1;
	return ret;
}

/* The path of name in the scratch directory, in buf. */
static inline char *
fuzz_path(const char *name, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/%s", fuzz_tmpdir(), name);
	return buf;
}

/* The source tree: $top_srcdir (as make check sets it), else configure's. */
static inline const char *
fuzz_top_srcdir(void)
{
	const char *top = getenv("top_srcdir");

	return top != NULL && top[0] != '\0' ? top : PB_TOP_SRCDIR;
}

/* Copies top_srcdir/rel into the scratch directory as name. */
static inline void
fuzz_copy_src(const char *rel, const char *name)
{
	char	 path[4096], buf[8192];
	FILE	*f;
	size_t	 n, len = 0;
	char	*all = NULL, *p;

	snprintf(path, sizeof(path), "%s/%s", fuzz_top_srcdir(), rel);
	if ((f = fopen(path, "r")) == NULL)
		FUZZ_FATAL("%s: %s (set top_srcdir to the source tree)", path,
		    strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if ((p = realloc(all, len + n)) == NULL)
			FUZZ_FATAL("out of memory");
		all = p;
		memcpy(all + len, buf, n);
		len += n;
	}
	fclose(f);
	if (fuzz_write(name, all, len) != 0)
		FUZZ_FATAL("cannot write %s in %s", name, fuzz_tmpdir());
	free(all);
}

static inline void
fuzz_log_sink(enum log_level level, const char *msg, void *arg)
{
	(void)level;
	(void)msg;
	(void)arg;
}

/* Every message formatted, none printed. */
static inline void
fuzz_quiet(void)
{
	log_set_level(PB_LOG_DEBUG);
	log_set_sink(fuzz_log_sink, NULL);
}

#endif /* PB_FUZZ_H */
