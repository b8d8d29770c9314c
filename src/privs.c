// SPDX-License-Identifier: GPL-2.0
/* Can this process load and attach tracing BPF programs? */
#include <stdio.h>
#include <cap-ng.h>
#include <linux/capability.h>
#include "vsva.h"

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
