/*
 * testutil.h - small helpers shared by the Check unit tests: a scratch
 * directory per test and files written into it.
 */
#ifndef PB_TESTUTIL_H
#define PB_TESTUTIL_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
tu_rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

/* Creates a fresh directory under $TMPDIR; the caller removes it. */
static inline char *
tu_mkdtemp(void)
{
	const char	*base = getenv("TMPDIR");
	char		*dir;

	if (base == NULL)
		base = "/tmp";
	ck_assert(asprintf(&dir, "%s/pbtest.XXXXXX", base) > 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static inline void
tu_rmtree(char *dir)
{
	if (dir == NULL)
		return;
	nftw(dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* Writes text to dir/name and returns the path (caller frees). */
static inline char *
tu_write(const char *dir, const char *name, const char *text)
{
	char	*path;
	FILE	*f;

	ck_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* Runs one suite the way every check_<module> binary does. */
static inline int
tu_run(Suite *s)
{
	SRunner	*sr = srunner_create(s);
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* PB_TESTUTIL_H */
