// SPDX-License-Identifier: GPL-2.0
/*
 * vsvad's command line: --help, the options into struct opts (options.h),
 * each checked, and where the pins go.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "vsva/engine.h"
#include "vsva/opts.h"
#include "vsva/tablejson.h"
#include "options.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vsvad [OPTION]...\n"
"Export vsva's measurements of KVM and IOMMU virtualized I/O paths as\n"
"Prometheus metrics at http://ADDR:PORT/metrics.\n"
"\n"
"  -l, --listen ADDR:PORT  where to serve (default " DEFAULT_LISTEN ");\n"
"                          IPv6 as [::1]:9477\n"
"  -r, --retention SECS    keep VMs that exited visible this long\n"
"                          (default %d)\n"
"      --max-vms N         VMs tracked at once, live and retained; sizes\n"
"                          the BPF maps (default %d; 1..65536); more are\n"
"                          counted as drops, reason vm_capacity\n"
"      --pin               pin the BPF objects under " DEFAULT_PIN_ROOT "\n"
"                          (or $VSVA_PIN_ROOT), so that the programs\n"
"                          count on while vsvad restarts and the next\n"
"                          vsvad --pin adopts them (the unit does this)\n"
"      --no-pin            do not pin (the default): at exit nothing of\n"
"                          vsvad stays loaded\n"
"      --unpin             remove the pinned objects and exit\n"
"      --prepare-pins USER as root, before the service starts as USER:\n"
"                          make or check the pin root and hand it to\n"
"                          USER (the unit's ExecStartPre), and exit\n"
"      --no-mount-tracefs  do not mount tracefs when it is missing\n"
"      --rung M=RUNG       make measurement M use RUNG or nothing, to\n"
"                          compare rungs (any measurement; --probe lists\n"
"                          them and their rungs)\n"
"      --probe             print how this kernel resolves every\n"
"                          measurement (rung, why the others lost,\n"
"                          programs, perf events) and exit; loads nothing\n"
"      --json              with --probe: the same, and the whole measurement\n"
"                          table, as JSON (format " VSVA_TABLE_FORMAT ")\n"
"      --max-connections N HTTP connections at once (default %d)\n"
"      --max-per-ip N      of which from one client: an IPv4 address, an\n"
"                          IPv6 /64 (default 8, or --max-connections/256\n"
"                          if more; loopback clients count only in all)\n"
"      --web-config FILE   TLS and basic auth, in the format of Prometheus\n"
"                          exporters: tls_server_config {cert_file,\n"
"                          key_file, min_version, max_version,\n"
"                          cipher_suites, curve_preferences,\n"
"                          client_auth_type, client_ca_file,\n"
"                          client_allowed_sans}, basic_auth_users\n"
"                          {user: bcrypt}, http_server_config {headers}\n"
"      --check-web-config FILE  validate FILE, print what it enforces and\n"
"                          exit (0 usable, 2 not); loads nothing\n"
"  -u, --user NAME         run as NAME once the probes are attached (all\n"
"                          capabilities but CAP_BPF are dropped anyway;\n"
"                          default as root: user vsva if it exists, else\n"
"                          nobody)\n"
"  -v, --verbose           libbpf debug output\n"
"  -V, --version           print the version\n"
"  -h, --help              show this help\n"
"\n"
"Needs root, or CAP_BPF and CAP_PERFMON, and a kernel with BTF. Each\n"
"measurement's probe, or why it is unavailable, is in vsva_probe_info.\n"
"SIGHUP, or a change of --web-config or of a file it names, reads it\n"
"again (users, headers, allowed SANs, the certificate); a file that\n"
"cannot be used keeps the old config and says why.\n"
"Exit status: 0 stopped by SIGINT/SIGTERM, 1 BPF or HTTP failure,\n"
"2 usage error, 3 insufficient privileges, 4 cannot listen.\n",
		DEFAULT_RETAIN, VSVA_DEFAULT_MAX_VMS, DEFAULT_MAX_CONNS);
}

static int parse_rung(const char *arg, struct vsva_engine_opts *eo)
{
	char err[256];

	if (!vsva_rung_option(arg, eo->force, err, sizeof(err)))
		return 0;
	fprintf(stderr, "vsvad: %s\n", err);
	return -1;
}

int vsvad_parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "retention", required_argument, NULL, 'r' },
		{ "no-mount-tracefs", no_argument, NULL, 'T' },
		{ "rung", required_argument, NULL, 'R' },
		{ "probe", no_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "user", required_argument, NULL, 'u' },
		{ "web-config", required_argument, NULL, 'w' },
		{ "check-web-config", required_argument, NULL, 'W' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "max-per-ip", required_argument, NULL, 'P' },
		{ "max-vms", required_argument, NULL, 'M' },
		{ "pin", no_argument, NULL, 'I' },
		{ "no-pin", no_argument, NULL, 'N' },
		{ "unpin", no_argument, NULL, 'U' },
		{ "prepare-pins", required_argument, NULL, 'G' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long v;
	int c;

	while ((c = getopt_long(argc, argv, "l:r:u:vVh", lo, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 'r':
			if (vsva_parse_ul(optarg, 0, 30 * 86400, &v)) {
				fprintf(stderr, "vsvad: --retention '%s': expected "
					"seconds (0..2592000)\n", optarg);
				return -1;
			}
			o->eng.retention_s = v;
			break;
		case 'T':
			o->eng.no_mount_tracefs = true;
			break;
		case 'R':
			if (parse_rung(optarg, &o->eng))
				return -1;
			break;
		case 'p':
			o->probe = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'w':
		case 'W':
			o->web_config = optarg;
			o->check_web_config = c == 'W';
			break;
		case 'C':
		case 'P':
			if (vsva_parse_ul(optarg, 1, 65536, &v)) {
				fprintf(stderr, "vsvad: --%s '%s': expected "
					"1..65536\n", c == 'C' ? "max-connections"
					: "max-per-ip", optarg);
				return -1;
			}
			*(c == 'C' ? &o->max_conns : &o->max_per_ip) = v;
			break;
		case 'I':
		case 'N':
			o->pin = c == 'I';
			o->no_pin = c == 'N';
			break;
		case 'U':
			o->unpin = true;
			break;
		case 'G':
			o->prepare_pins = optarg;
			break;
		case 'M':
			if (vsva_parse_ul(optarg, 1, 65536, &v)) {
				fprintf(stderr, "vsvad: --max-vms '%s': expected "
					"1..65536\n", optarg);
				return -1;
			}
			o->eng.max_vms = v;
			break;
		case 'v':
			o->eng.verbose = true;
			break;
		case 'V':
			printf("vsvad %s\n", VSVA_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return vsva_bad_option("vsvad", usage);
		}
	}
	if (o->json && !o->probe) {
		fprintf(stderr, "vsvad: --json goes with --probe\n");
		return -1;
	}
	return vsva_no_operands("vsvad", argc, argv, optind);
}

/* Pinned only when asked: a vsvad tried in a terminal leaves nothing
 * behind, and reports pins no running vsvad holds under the root. */
void vsvad_pin_options(struct opts *o)
{
	const char *root = getenv("VSVA_PIN_ROOT");

	o->eng.orphan_root = root ? root : DEFAULT_PIN_ROOT;
	o->eng.pin_root = o->pin ? o->eng.orphan_root : NULL;
	o->eng.pin_off_why = o->no_pin ? "--no-pin" : "not asked: --pin keeps "
			     "the programs counting across a restart (the "
			     "unit does)";
}
