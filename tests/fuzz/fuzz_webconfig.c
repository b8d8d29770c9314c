// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer + AddressSanitizer: the --web-config parser on arbitrary
 * bytes.  Invariants: a file is either loaded or refused with a reason;
 * a loaded one has matching TLS halves, versions in TLS 1.0..1.3 with
 * min <= max, bcrypt-looking hashes, and a priority string and summary
 * that fit.  (Passwords are not checked: a fuzzed bcrypt cost could be
 * 2^31 rounds.)
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "webconfig.h"

static char path[64];

static void check_loaded(struct vsva_webconfig *wc)
{
	char buf[512];
	int i;

	assert(!wc->cert_pem == !wc->key_pem);
	assert(wc->min_tls >= 10 && wc->min_tls <= wc->max_tls &&
	       wc->max_tls <= 13);
	assert(wc->nusers >= 0 && (!wc->nusers || wc->dearest < wc->nusers));
	for (i = 0; i < wc->nusers; i++)
		assert(!strncmp(wc->hash[i], "$2", 2));
	assert(wc->nsuites <= VSVA_WC_MAX_SUITES &&
	       wc->ngroups <= VSVA_WC_MAX_GROUPS &&
	       wc->nsans <= VSVA_WC_MAX_SANS && wc->nfiles >= 1);
	assert(!wc->nsans || wc->client_auth == VSVA_REQUIRE_ANY_CLIENT_CERT ||
	       wc->client_auth == VSVA_REQUIRE_AND_VERIFY_CLIENT_CERT);
	assert(!vsva_webconfig_priorities(wc, buf, sizeof(buf)));
	vsva_webconfig_describe(wc, buf, sizeof(buf));
	assert(strlen(buf) > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vsva_webconfig wc;
	char err[512] = "";
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_webconfig.%d.yml",
			 (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (vsva_webconfig_load(path, &wc, err, sizeof(err)) == 0) {
		check_loaded(&wc);
		vsva_webconfig_free(&wc);
	} else {
		assert(err[0]);		/* a refusal says why */
	}
	return 0;
}
