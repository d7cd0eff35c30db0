/*
 * fuzz_certmac.c - the MAC in a client certificate.
 *
 * Every input is tried twice: as text for certmac_from_text() (the
 * strings the certificate holds), and as a DER certificate for
 * certmac_find() and certmac_subject() (what provisiond calls on a
 * verified peer certificate). A found MAC must be found again the same
 * way; a subject line must be printable and fit its buffer, however small.
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "fuzz.h"

#include "addr.h"
#include "certmac.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

static void
check_printable(const char *s, size_t sz)
{
	size_t len = strnlen(s, sz);

	FUZZ_CHECK(len < sz);
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7f);
}

static void
text_one(const uint8_t *data, size_t size)
{
	struct mac_addr	 a, b;
	char		 plain[MAC_PLAIN_LEN], *bare;
	size_t		 n = 0;
	int		 r;

	r = certmac_from_text((const char *)data, size, &a);
	FUZZ_CHECK(r == 0 || r == -1);
	if (r != 0)
		return;
	/* Deterministic, and the MAC's digits are in the text. */
	FUZZ_CHECK(certmac_from_text((const char *)data, size, &b) == 0);
	FUZZ_CHECK(mac_cmp(&a, &b) == 0);
	FUZZ_CHECK(memchr(data, '\0', size) == NULL);
	if ((bare = malloc(size + 1)) == NULL)
		return;
	for (size_t i = 0; i < size; i++)
		if (data[i] != ':' && data[i] != '-' && data[i] != '.')
			bare[n++] = (char)data[i];
	bare[n] = '\0';
	FUZZ_CHECK(strcasestr(bare, mac_format_plain(&a, plain, 0)) != NULL);
	free(bare);
}

static void
cert_one(const uint8_t *data, size_t size)
{
	static const size_t	 sizes[] = { 1, 2, 5, 16, 64, 512 };
	const unsigned char	*p = data;
	X509			*cert;
	struct mac_addr		 mac, again;
	char			 where[64], subj[512];

	if (size > 65536)
		return;
	if ((cert = d2i_X509(NULL, &p, (long)size)) == NULL) {
		ERR_clear_error();
		return;
	}
	if (certmac_find(cert, &mac, where, sizeof(where)) == 0) {
		FUZZ_CHECK(where[0] != '\0');
		check_printable(where, sizeof(where));
		FUZZ_CHECK(certmac_find(cert, &again, NULL, 0) == 0);
		FUZZ_CHECK(mac_cmp(&mac, &again) == 0);
	} else
		FUZZ_CHECK(where[0] == '\0');
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(subj, 'x', sizeof(subj));
		certmac_subject(cert, subj, sizes[i]);
		check_printable(subj, sizes[i]);
	}
	X509_free(cert);
	ERR_clear_error();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	text_one(data, size);
	cert_one(data, size);
	return 0;
}
