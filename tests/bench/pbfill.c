/*
 * pbfill.c - fills a provbox registry with bound leases, fast, for the
 * lease-store benchmark (tests/bench/leases.sh).
 *
 *   pbfill REGISTRY_DIR MAP_MB FIRST_IP COUNT BASE_MAC
 *
 * Writes COUNT bound leases at FIRST_IP, FIRST_IP + 1, ... for the MACs
 * BASE_MAC, BASE_MAC + 1, ... (the low 3 bytes count up), known by MAC
 * ('H' client key, as provbox-dhcpd keys a client without Option 61),
 * each one for 3,600 s from now. Through the registry API, so the records
 * and both indexes are exactly what provbox-dhcpd writes; one transaction
 * per 10,000 leases, so it takes seconds where DORAs would take minutes.
 * Exit 0, or 1 with a message on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include "addr.h"
#include "registry.h"

#define FILL_BATCH	10000

int
main(int argc, char **argv)
{
	struct reg		*reg = NULL;
	struct reg_txn		 txn;
	struct reg_lease	 l;
	struct mac_addr		 base;
	struct in_addr		 first;
	char			 err[256];
	unsigned long		 count, i, mb;
	uint32_t		 m;
	time_t			 now = time(NULL);
	int			 in_txn = 0, rc = 1;

	if (argc != 6) {
		fprintf(stderr, "usage: pbfill REGISTRY_DIR MAP_MB FIRST_IP "
		    "COUNT BASE_MAC\n");
		return 2;
	}
	mb = strtoul(argv[2], NULL, 10);
	count = strtoul(argv[4], NULL, 10);
	if (mb == 0 || inet_pton(AF_INET, argv[3], &first) != 1 ||
	    mac_parse(argv[5], &base) != 0) {
		fprintf(stderr, "pbfill: bad MAP_MB, FIRST_IP or BASE_MAC\n");
		return 2;
	}
	if (reg_open(argv[1], mb << 20, 0, &reg, err, sizeof(err)) != 0) {
		fprintf(stderr, "pbfill: %s\n", err);
		return 1;
	}
	m = (uint32_t)base.b[3] << 16 | (uint32_t)base.b[4] << 8 | base.b[5];
	for (i = 0; i < count; i++) {
		uint32_t x = m + (uint32_t)i;

		if (!in_txn) {
			if (reg_txn_begin(reg, &txn, 0) != 0) {
				fprintf(stderr, "pbfill: cannot begin a "
				    "write transaction\n");
				goto done;
			}
			in_txn = 1;
		}
		memset(&l, 0, sizeof(l));
		l.ip = ntohl(first.s_addr) + (uint32_t)i;
		l.state = LEASE_BOUND;
		l.htype = 1;
		l.hlen = 6;
		memcpy(l.chaddr, base.b, 3);
		l.chaddr[3] = (uint8_t)(x >> 16);
		l.chaddr[4] = (uint8_t)(x >> 8);
		l.chaddr[5] = (uint8_t)x;
		l.client_key[0] = 'H';
		l.client_key[1] = l.htype;
		memcpy(l.client_key + 2, l.chaddr, 6);
		l.client_key_len = 8;
		l.start = now;
		l.expire = now + 3600;
		if (reg_lease_put(&txn, &l) != 0) {
			fprintf(stderr, "pbfill: lease %lu: %s\n", i,
			    reg_strerror(txn.err));
			goto done;
		}
		if ((i + 1) % FILL_BATCH == 0 || i + 1 == count) {
			in_txn = 0;
			if (reg_txn_commit(&txn) != 0) {
				fprintf(stderr, "pbfill: commit at lease %lu "
				    "failed (map full? raise MAP_MB)\n", i);
				goto done;
			}
		}
	}
	rc = 0;
done:
	if (in_txn)
		reg_txn_abort(&txn);
	reg_close(reg);
	return rc;
}
