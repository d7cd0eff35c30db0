/*
 * fuzz_cfg.c - the config validator on hostile libconfig text.
 *
 * Each input is written as provbox.conf into a scratch directory that also
 * holds the shipped vendors.conf and users.conf, so the shipped main file
 * (in the corpus) loads with its @includes, and cfg_load() runs on it
 * without file checks. A config is either returned whole or refused with
 * at least one error; every error formats into a line naming the file;
 * everything is freed (LeakSanitizer checks).
 *
 * @include of anything but a plain name in the scratch directory is
 * skipped: libconfig would read any file ("/dev/zero" never ends), which
 * says nothing about provbox.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "fuzz.h"

#include "cfg.h"

static char	 path[4096];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	fuzz_copy_src("etc/vendors.conf", "vendors.conf");
	fuzz_copy_src("etc/users.conf", "users.conf");
	fuzz_path("provbox.conf", path, sizeof(path));
	return 0;
}

/* 1 if every "include" in the text names a plain file (no '/' or '.'). */
static int
includes_plain(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + 7 <= size; i++) {
		size_t k;

		if (strncasecmp((const char *)data + i, "include", 7) != 0)
			continue;
		for (k = i + 7; k < size && data[k] != '"' &&
		    data[k] != '\n'; k++)
			;
		if (k >= size || data[k] != '"')
			continue;
		if (k + 1 < size && data[k + 1] == '.')
			return 0;
		for (k++; k < size && data[k] != '"'; k++)
			if (data[k] == '/' || data[k] == '\\' || data[k] == '*'
			    || data[k] == '?' || data[k] == '\0')
				return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg		*cfg = NULL;
	struct cfg_errors	 errs;
	char			 line[1024];
	int			 r;

	if (size > 65536 || !includes_plain(data, size))
		return 0;
	if (fuzz_write("provbox.conf", data, size) != 0)
		FUZZ_FATAL("cannot write %s", path);
	/* The parser and the checks; the templates are fuzz_render's. */
	r = cfg_load(path, CFG_NO_FILE_CHECKS | CFG_NO_TEMPLATES, &cfg, &errs);
	if (r == 0) {
		FUZZ_CHECK(cfg != NULL && errs.n == 0);
		/* What the daemons look up at once. */
		for (size_t i = 0; i < cfg->nvendors; i++)
			FUZZ_CHECK(cfg_vendor_find(cfg, cfg->vendors[i].name)
			    != NULL);
		for (size_t i = 0; i < cfg->nusers; i++)
			FUZZ_CHECK(cfg_user_find(cfg, cfg->users[i].name)
			    != NULL);
		FUZZ_CHECK(prov_mode_str(cfg->prov.default_mode) != NULL);
	} else {
		FUZZ_CHECK(r == -1 && cfg == NULL && errs.n > 0);
		for (size_t i = 0; i < errs.n; i++) {
			FUZZ_CHECK(errs.v[i].file != NULL &&
			    errs.v[i].msg != NULL);
			cfg_error_format(&errs.v[i], line, sizeof(line));
			FUZZ_CHECK(strnlen(line, sizeof(line)) < sizeof(line));
		}
	}
	cfg_free(cfg);
	cfg_errors_free(&errs);
	return 0;
}
