// SPDX-License-Identifier: GPL-2.0
/* Can this process load and attach tracing BPF programs? */
#include <pwd.h>
#include <stdio.h>
#include <cap-ng.h>
#include <linux/capability.h>
#include <stdbool.h>
#include "vsva/privs.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif
#ifndef CAP_BPF
#define CAP_BPF		39
#endif

int vsva_check_privileges(char *msg, size_t len)
{
	bool admin, bpf, perfmon;

	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_get_caps_process()) {
		snprintf(msg, len, "cannot read this process's capabilities");
		return -1;
	}
	admin = capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN);
	bpf = capng_have_capability(CAPNG_EFFECTIVE, CAP_BPF);
	perfmon = capng_have_capability(CAPNG_EFFECTIVE, CAP_PERFMON);
	if (admin || (bpf && perfmon))
		return 0;
	snprintf(msg, len, "insufficient privileges: loading tracing BPF "
		 "programs needs root, or CAP_BPF and CAP_PERFMON (missing:%s%s)"
		 "; run it with sudo", bpf ? "" : " CAP_BPF",
		 perfmon ? "" : " CAP_PERFMON");
	return -1;
}

/*
 * After the programs are loaded and attached: keep only CAP_BPF (map
 * reads and the retention GC's deletes need it where
 * kernel.unprivileged_bpf_disabled is set), and optionally become @user.
 */
int vsva_drop_privileges(const char *user, char *msg, size_t len)
{
	struct passwd *pw = NULL;
	int rc;

	if (user) {
		pw = getpwnam(user);
		if (!pw) {
			snprintf(msg, len, "--user %s: no such user", user);
			return -1;
		}
	}
	capng_clear(CAPNG_SELECT_BOTH);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_BPF);
	if (pw)
		rc = capng_change_id(pw->pw_uid, pw->pw_gid,
				     CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	else if (capng_apply(CAPNG_SELECT_ALL))
		rc = capng_apply(CAPNG_SELECT_BOTH);	/* no CAP_SETPCAP */
	else
		rc = 0;
	if (rc) {
		snprintf(msg, len, "dropping privileges%s%s failed (libcap-ng "
			 "error %d)", pw ? " to user " : "", pw ? user : "", rc);
		return -1;
	}
	return 0;
}
