// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad's auth under attack: which client a failed attempt counts for (an
 * IPv4 address, an IPv6 /64), and remembered passwords across a reload
 * (kept while the user's hash stays, forgotten when it changes, never
 * taken from a bcrypt that checked a hash a reload replaced meanwhile).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <crypt.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>
#include "auth.h"
#include "webconfig.h"

static char dir[] = "/tmp/vsva-auth-XXXXXX";
static char one[128], two[128];	/* bcrypt hashes of "one" and "two" */

static int setup(void **st)
{
	struct crypt_data cd = { 0 };
	char salt[64];

	if (!mkdtemp(dir) ||
	    !crypt_gensalt_rn("$2b$", 4, NULL, 0, salt, sizeof(salt)))
		return -1;
	snprintf(one, sizeof(one), "%s", crypt_r("one", salt, &cd));
	snprintf(two, sizeof(two), "%s", crypt_r("two", salt, &cd));
	return 0;
}

static int teardown(void **st)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

/* The key of a client at @addr (IPv4 or IPv6 text), as hex: "len:bytes" */
static const char *key_of(const char *addr)
{
	static char out[64];
	unsigned char key[AUTH_KEY_LEN];
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *in4 = (void *)&ss;
	struct sockaddr_in6 *in6 = (void *)&ss;
	size_t n, i;
	int len;

	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(1234);
	} else {
		assert_int_equal(inet_pton(AF_INET6, addr, &in6->sin6_addr), 1);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(4321);
	}
	n = vsvad_auth_key((struct sockaddr *)&ss, key);
	assert_in_range(n, 1, AUTH_KEY_LEN);
	len = snprintf(out, sizeof(out), "%zu:", n);
	for (i = 0; i < n; i++)
		len += snprintf(out + len, sizeof(out) - len, "%02x", key[i]);
	return out;
}

static void test_key(void **st)
{
	char a[64];

	/* IPv4: the address, port left out */
	assert_string_equal(key_of("192.0.2.7"), "5:04c0000207");
	assert_string_equal(key_of("127.0.0.2"), "5:047f000002");
	/* an IPv4 client of a dual-stack socket is that IPv4 client, not
	 * one of every IPv4 client sharing ::ffff:0:0/64 */
	assert_string_equal(key_of("::ffff:192.0.2.7"), "5:04c0000207");
	assert_string_equal(key_of("::ffff:127.0.0.3"), "5:047f000003");
	/* IPv6: the /64, whatever the interface identifier */
	assert_string_equal(key_of("2001:db8:1:2::1"), "9:0620010db800010002");
	snprintf(a, sizeof(a), "%s", key_of("2001:db8:1:2:ffff:eeee:dddd:cccc"));
	assert_string_equal(a, "9:0620010db800010002");
	assert_string_not_equal(key_of("2001:db8:1:3::1"), a);
	assert_string_equal(key_of("::1"), "9:060000000000000000");
	/* no address (a Unix socket, say): one shared key */
	{
		unsigned char key[AUTH_KEY_LEN];
		struct sockaddr sa = { .sa_family = AF_UNIX };

		assert_int_equal(vsvad_auth_key(&sa, key), 1);
		assert_int_equal(key[0], 0);
		assert_int_equal(vsvad_auth_key(NULL, key), 1);
	}
}

/* @text as the file @name, loaded into @wc */
static int load(const char *name, const char *text, struct vsva_webconfig *wc)
{
	char path[256], err[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return vsva_webconfig_load(path, wc, err, sizeof(err));
}

/* A reload keeps the remembered password of a user whose hash stays, and
 * forgets that of a user whose hash changed. */
static void test_reload_keeps_cache(void **st)
{
	struct vsva_webconfig wc, next;
	char err[512], text[512];

	snprintf(text, sizeof(text), "basic_auth_users:\n  alice: %s\n"
		 "  bob: %s\n", one, one);
	assert_int_equal(load("a.yml", text, &wc), 0);
	assert_false(vsva_webconfig_cached(&wc, "alice", "one"));
	assert_true(vsva_webconfig_verify(&wc, "alice", "one"));
	assert_true(vsva_webconfig_verify(&wc, "bob", "one"));
	assert_true(vsva_webconfig_cached(&wc, "alice", "one"));
	assert_true(vsva_webconfig_cached(&wc, "bob", "one"));
	/* bob's password changes, carol is new, alice's stays (in another
	 * place of the list) */
	snprintf(text, sizeof(text), "basic_auth_users:\n  carol: %s\n"
		 "  bob: %s\n  alice: %s\n", one, two, one);
	assert_int_equal(load("b.yml", text, &next), 0);
	assert_int_equal(vsva_webconfig_swap(&wc, &next, err, sizeof(err)), 0);
	vsva_webconfig_free(&next);
	assert_true(vsva_webconfig_cached(&wc, "alice", "one"));
	assert_false(vsva_webconfig_cached(&wc, "bob", "one"));
	assert_false(vsva_webconfig_cached(&wc, "bob", "two"));
	assert_false(vsva_webconfig_cached(&wc, "carol", "one"));
	assert_false(vsva_webconfig_check(&wc, "bob", "one"));
	assert_true(vsva_webconfig_check(&wc, "bob", "two"));
	assert_true(vsva_webconfig_cached(&wc, "bob", "two"));
	/* alice removed: gone from the cache, bob's stays */
	snprintf(text, sizeof(text), "basic_auth_users:\n  bob: %s\n", two);
	assert_int_equal(load("c.yml", text, &next), 0);
	assert_int_equal(vsva_webconfig_swap(&wc, &next, err, sizeof(err)), 0);
	vsva_webconfig_free(&next);
	assert_true(vsva_webconfig_cached(&wc, "bob", "two"));
	assert_false(vsva_webconfig_cached(&wc, "alice", "one"));
	vsva_webconfig_free(&wc);
}

/* bcrypt runs on a copy of the hash, without the lock; a reload that
 * changes the user meanwhile makes the answer void: not remembered, and
 * not good (it checked a password that is no longer the user's). */
static void test_bcrypt_then_reload(void **st)
{
	struct vsva_webconfig wc, next;
	struct vsva_wc_hash h;
	char err[512], text[512];

	snprintf(text, sizeof(text), "basic_auth_users:\n  alice: %s\n", one);
	assert_int_equal(load("d.yml", text, &wc), 0);
	assert_true(vsva_webconfig_copy_hash(&wc, "alice", &h));
	assert_true(h.known);
	assert_string_equal(h.hash, one);
	assert_true(vsva_webconfig_bcrypt(&h, "one"));
	assert_false(vsva_webconfig_bcrypt(&h, "two"));
	/* the reload lands between the bcrypt and remembering it */
	snprintf(text, sizeof(text), "basic_auth_users:\n  alice: %s\n", two);
	assert_int_equal(load("e.yml", text, &next), 0);
	assert_int_equal(vsva_webconfig_swap(&wc, &next, err, sizeof(err)), 0);
	vsva_webconfig_free(&next);
	assert_false(vsva_webconfig_remember(&wc, "alice", "one", &h));
	assert_false(vsva_webconfig_cached(&wc, "alice", "one"));
	/* with the hash unchanged it is remembered */
	assert_true(vsva_webconfig_copy_hash(&wc, "alice", &h));
	assert_true(vsva_webconfig_bcrypt(&h, "two"));
	assert_true(vsva_webconfig_remember(&wc, "alice", "two", &h));
	assert_true(vsva_webconfig_cached(&wc, "alice", "two"));
	/* an unknown user is checked against a real hash, and refused */
	assert_true(vsva_webconfig_copy_hash(&wc, "mallory", &h));
	assert_false(h.known);
	assert_string_equal(h.hash, two);
	assert_false(vsva_webconfig_bcrypt(&h, "two"));
	assert_false(vsva_webconfig_remember(&wc, "mallory", "two", &h));
	vsva_webconfig_free(&wc);
	/* no users: nothing to copy, nothing good */
	assert_int_equal(load("f.yml", "http_server_config:\n  headers:\n"
			      "    X-Frame-Options: deny\n", &wc), 0);
	assert_false(vsva_webconfig_copy_hash(&wc, "alice", &h));
	assert_false(vsva_webconfig_bcrypt(&h, "one"));
	vsva_webconfig_free(&wc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_reload_keeps_cache),
		cmocka_unit_test(test_bcrypt_then_reload),
	};

	return cmocka_run_group_tests_name("auth", tests, setup, teardown);
}
