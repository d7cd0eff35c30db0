/*
 * ctlreq.c - control-socket requests parsed and answers written
 * (ctlsock.h): no I/O, no globals, so the unit tests and fuzz_ctlreq reach
 * them on any bytes.
 *
 * Why jansson: the requests are JSON from local admins' tools, and a
 * Debian library that rejects duplicate keys and bad UTF-8 beats a
 * hand-written parser; it is already what provboxctl prints with. What
 * jansson does not bound (nesting depth: its parser recurses) is checked
 * on the raw bytes before it sees them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctlsock.h"
#include "log.h"

/*
 * How deep the brackets of buf nest, outside strings: jansson's parser
 * recurses, so a request of 60000 '[' is refused before it sees it.
 * Malformed JSON is jansson's to report; this only counts.
 */
static int
nesting_ok(const char *buf, size_t len)
{
	int	 depth = 0, in_str = 0;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '[' || c == '{') {
			if (++depth > CTL_DEPTH_MAX)
				return 0;
		} else if (c == ']' || c == '}')
			depth--;
	}
	return 1;
}

static int
command_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CTL_COMMAND_MAX || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int
ctl_request_parse(const char *buf, size_t len, struct ctl_request *req,
    char *err, size_t errsz)
{
	json_error_t	 jerr;
	json_t		*root = NULL, *cmd, *args;
	const char	*key;
	json_t		*v;
	size_t		 n;

	memset(req, 0, sizeof(*req));
	if (len > CTL_REQUEST_MAX) {
		snprintf(err, errsz, "request too large: %zu bytes, the limit "
		    "is %d", len, CTL_REQUEST_MAX);
		return -1;
	}
	/* One newline ends it; blanks around the object are JSON's. */
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (memchr(buf, '\n', len) != NULL) {
		snprintf(err, errsz, "one request per connection: a newline "
		    "ends it");
		return -1;
	}
	for (n = 0; n < len && (buf[n] == ' ' || buf[n] == '\t' ||
	    buf[n] == '\r'); n++)
		;
	if (n == len) {
		snprintf(err, errsz, "empty request: send {\"command\": "
		    "\"list-commands\"}");
		return -1;
	}
	if (!nesting_ok(buf, len)) {
		snprintf(err, errsz, "request nested deeper than %d levels",
		    CTL_DEPTH_MAX);
		return -1;
	}
	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		char text[sizeof(jerr.text) * 4];

		log_escape(text, sizeof(text), jerr.text, strlen(jerr.text));
		snprintf(err, errsz, "not JSON: %s at byte %d", text,
		    jerr.position);
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(err, errsz, "a request is a JSON object");
		goto fail;
	}
	json_object_foreach(root, key, v) {
		if (strcmp(key, "command") != 0 &&
		    strcmp(key, "arguments") != 0) {
			char k[64];

			log_escape(k, sizeof(k), key, strlen(key));
			snprintf(err, errsz, "unknown key \"%s\": a request "
			    "has \"command\" and \"arguments\"", k);
			goto fail;
		}
	}
	cmd = json_object_get(root, "command");
	if (cmd == NULL) {
		snprintf(err, errsz, "no \"command\" in the request");
		goto fail;
	}
	if (!json_is_string(cmd)) {
		snprintf(err, errsz, "\"command\" must be a string");
		goto fail;
	}
	if (strlen(json_string_value(cmd)) != json_string_length(cmd) ||
	    !command_ok(json_string_value(cmd))) {
		snprintf(err, errsz, "\"command\" must be 1 to %d of a-z, 0-9 "
		    "and -", CTL_COMMAND_MAX);
		goto fail;
	}
	args = json_object_get(root, "arguments");
	if (args != NULL && !json_is_object(args)) {
		snprintf(err, errsz, "\"arguments\" must be an object");
		goto fail;
	}
	snprintf(req->command, sizeof(req->command), "%s",
	    json_string_value(cmd));
	req->args = args != NULL ? json_incref(args) : json_object();
	json_decref(root);
	if (req->args == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	return 0;
fail:
	json_decref(root);
	return -1;
}

void
ctl_request_clear(struct ctl_request *req)
{
	json_decref(req->args);
	req->args = NULL;
	req->command[0] = '\0';
}

char *
ctl_answer_format(int result, const char *text, json_t *args, size_t *lenp)
{
	json_t	*o, *t;
	char	*s, *line = NULL;
	size_t	 n;

	if ((o = json_object()) == NULL)
		return NULL;
	if ((t = json_string(text != NULL ? text : "")) == NULL) {
		/* Not UTF-8: escaped, so the answer stays JSON. */
		char esc[1024];

		log_escape(esc, sizeof(esc), text, strlen(text));
		t = json_string(esc);
	}
	if (json_object_set_new(o, "result", json_integer(result)) != 0 ||
	    json_object_set_new(o, "text", t) != 0 ||
	    (args != NULL && json_object_set(o, "arguments", args) != 0)) {
		json_decref(o);
		return NULL;
	}
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	if ((line = malloc(n + 2)) != NULL) {
		memcpy(line, s, n);
		line[n] = '\n';
		line[n + 1] = '\0';
		if (lenp != NULL)
			*lenp = n + 1;
	}
	free(s);
	return line;
}
