/*
 * phonelocale.h - the admin's language (ISO 639-1, "de") and tone zone (ISO
 * 3166-1 alpha-2, "DE") in each phone vendor's own words: the values
 * vendor templates put in their language and call-progress-tone settings
 * (exposed to templates as lang.<vendor> and tone.<vendor>).
 *
 * Pure tables: nothing here allocates or does I/O, and every string
 * returned is static and lives as long as the program.
 *
 * Not called locale.h: common/ is on the include path, and that name
 * would hide the C library's <locale.h> from every file that includes it.
 */
#ifndef PB_LOCALE_H
#define PB_LOCALE_H

#include <stddef.h>

#define LOCALE_CODE_MAX	8	/* longer codes are refused unread */

enum locale_vendor {
	LOCALE_YEALINK = 0,
	LOCALE_SNOM,
	LOCALE_POLYCOM,
	LOCALE_CISCO,
	LOCALE_GRANDSTREAM,
	LOCALE_FANVIL,
	LOCALE_GIGASET,
	LOCALE_AASTRA,
	LOCALE_VENDOR_COUNT
};

/* "yealink", "snom", ...; "unknown" for a value outside the enum. */
const char	*locale_vendor_str(enum locale_vendor v);

/*
 * 0 when the table knows code (ASCII case-insensitive), else -1 with a
 * message in err (when err is not NULL and errsz > 0), e.g.
 * "unknown language 'xx' (known: cs da de ...)". A NULL, empty, overlong
 * or non-letter code is refused the same way.
 */
int		 locale_language_check(const char *code, char *err,
		    size_t errsz);
int		 locale_tone_check(const char *code, char *err,
		    size_t errsz);

/*
 * The vendor's own value for code, or NULL when code is unknown, v is
 * out of range, or that vendor's phones have no documented value for it
 * (the template then writes nothing and the phone keeps its own).
 */
const char	*locale_language(const char *code, enum locale_vendor v);
const char	*locale_tone(const char *code, enum locale_vendor v);

#endif /* PB_LOCALE_H */
