/*
 * fuzz_ctlreq.c - the control socket's request parser (common/ctlsock.h).
 *
 * An input is the bytes of one request as a connection delivers them.
 * ctl_request_parse() either fills a request (a command of 1 to 64 of
 * [a-z0-9-] starting with a letter, arguments an object) or says why not,
 * in a NUL-terminated message that is valid UTF-8, because it goes into
 * the answer; either way the answer written from it is one line of JSON
 * that jansson reads back with the same result. Everything is freed
 * (LeakSanitizer).
 */
#include "config.h"

#include <string.h>

#include <jansson.h>

#include "fuzz.h"

#include "ctlsock.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/* The answer reads back as one JSON object with result r. */
static void
check_answer(int r, const char *text, json_t *args)
{
	json_error_t	 jerr;
	json_t		*back;
	size_t		 len = 0;
	char		*line = ctl_answer_format(r, text, args, &len);

	FUZZ_CHECK(line != NULL);
	FUZZ_CHECK(len > 0 && line[len - 1] == '\n');
	FUZZ_CHECK(memchr(line, '\n', len - 1) == NULL);
	back = json_loadb(line, len, 0, &jerr);
	FUZZ_CHECK(back != NULL);
	FUZZ_CHECK(json_integer_value(json_object_get(back, "result")) == r);
	FUZZ_CHECK(json_is_string(json_object_get(back, "text")));
	json_decref(back);
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request	 req;
	char			 err[512];
	size_t			 n;

	memset(err, 0x55, sizeof(err));
	if (ctl_request_parse((const char *)data, size, &req, err,
	    sizeof(err)) != 0) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(req.args == NULL);
		check_answer(CTL_ERROR, err, NULL);
		return 0;
	}
	n = strlen(req.command);
	FUZZ_CHECK(n >= 1 && n <= CTL_COMMAND_MAX);
	FUZZ_CHECK(req.command[0] >= 'a' && req.command[0] <= 'z');
	FUZZ_CHECK(strspn(req.command, "abcdefghijklmnopqrstuvwxyz0123456789-")
	    == n);
	FUZZ_CHECK(json_is_object(req.args));
	FUZZ_CHECK(size <= CTL_REQUEST_MAX);
	check_answer(CTL_OK, req.command, req.args);
	ctl_request_clear(&req);
	FUZZ_CHECK(req.args == NULL);
	return 0;
}
