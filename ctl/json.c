/*
 * json.c - provboxctl's JSON output, through jansson: values made from C
 * strings that may not be UTF-8, a sticky out-of-memory flag, and the one
 * place that prints a document.
 *
 * jansson takes only valid UTF-8, so nothing reaches it unchecked:
 *
 *   jtext()   text from the config or the registry (names, models, event
 *             details): valid UTF-8 as it is; each byte that is not part
 *             of valid UTF-8 becomes U+FFFD. Such bytes are a broken
 *             config, not information.
 *   jbytes()  bytes a client sent (a DHCP host name or vendor class, an
 *             HTTP file name): escaped as the logs and the tables escape
 *             them (log_escape(): printable ASCII as it is, a backslash or
 *             a double quote after a backslash, any other byte as the four
 *             characters \xNN), so the same name reads the same in a log
 *             line, a table and JSON, and every byte can be recovered.
 *
 * A jansson call that fails (out of memory) sets a flag that json_print()
 * checks, so a command never prints a document with holes in it. A
 * document is one line of ASCII (JSON_COMPACT, JSON_ENSURE_ASCII: other
 * characters as \uXXXX), which line-based tools and scripts can rely on.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "log.h"

static int	json_failed;

/* The length of the valid UTF-8 sequence at p (n > 0 bytes left), or 0. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned	c = p[0], cp;
	size_t		len;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)		/* a continuation byte, or overlong */
		return 0;
	if (c < 0xe0) {
		len = 2;
		cp = c & 0x1f;
	} else if (c < 0xf0) {
		len = 3;
		cp = c & 0x0f;
	} else if (c < 0xf5) {
		len = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, past U+10FFFF (RFC 3629 3). */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* The JSON string of n bytes at src, each byte not in valid UTF-8 U+FFFD. */
static json_t *
convert(const void *src, size_t n)
{
	const unsigned char	*p = src;
	json_t			*v = NULL;
	char			*buf, *o;
	size_t			 len;

	/* At most 3 bytes out per byte in (U+FFFD). */
	if (n > (SIZE_MAX - 1) / 3 || (buf = malloc(n * 3 + 1)) == NULL) {
		json_failed = 1;
		return NULL;
	}
	o = buf;
	for (size_t i = 0; i < n; i += len) {
		if ((len = utf8_len(p + i, n - i)) > 0) {
			memcpy(o, p + i, len);
			o += len;
			continue;
		}
		len = 1;
		memcpy(o, "\xef\xbf\xbd", 3);	/* U+FFFD */
		o += 3;
	}
	if ((v = json_stringn(buf, (size_t)(o - buf))) == NULL)
		json_failed = 1;
	free(buf);
	return v;
}

json_t *
jtext(const char *s)
{
	if (s == NULL)
		return jnull();
	return convert(s, strlen(s));
}

json_t *
jtext_or_null(const char *s)
{
	return s == NULL || *s == '\0' ? jnull() : jtext(s);
}

json_t *
jbytes(const void *p, size_t n)
{
	json_t	*v;
	char	*buf;

	/* log_escape() writes at most 4 bytes per byte: nothing is cut. */
	if (n > (SIZE_MAX - 1) / 4 || (buf = malloc(n * 4 + 1)) == NULL) {
		json_failed = 1;
		return NULL;
	}
	if ((v = json_string(log_escape(buf, n * 4 + 1, p, n))) == NULL)
		json_failed = 1;
	free(buf);
	return v;
}

json_t *
jint(long long v)
{
	json_t *j = json_integer((json_int_t)v);

	if (j == NULL)
		json_failed = 1;
	return j;
}

json_t *
jtime(int64_t t)
{
	return t == 0 ? jnull() : jint((long long)t);
}

json_t *
jnull(void)
{
	return json_null();	/* a singleton: never fails */
}

json_t *
jbool(int b)
{
	return b ? json_true() : json_false();
}

json_t *
jobj(void)
{
	json_t *o = json_object();

	if (o == NULL)
		json_failed = 1;
	return o;
}

json_t *
jarr(void)
{
	json_t *a = json_array();

	if (a == NULL)
		json_failed = 1;
	return a;
}

void
jset(json_t *obj, const char *key, json_t *v)
{
	/* jansson drops v when obj is NULL; v NULL fails by itself. */
	if (json_object_set_new(obj, key, v) != 0)
		json_failed = 1;
}

void
jpush(json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, v) != 0)
		json_failed = 1;
}

int
json_print(json_t *v)
{
	int ret = -1;

	if (v == NULL || json_failed)
		fprintf(stderr, "provboxctl: out of memory writing JSON\n");
	else if (json_dumpf(v, stdout, JSON_COMPACT | JSON_ENSURE_ASCII) ==
	    0 && putchar('\n') != EOF && fflush(stdout) == 0)
		ret = 0;
	else
		fprintf(stderr, "provboxctl: cannot write the JSON output\n");
	json_decref(v);
	return ret;
}
