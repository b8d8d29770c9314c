// SPDX-License-Identifier: GPL-2.0
/* Can this process load and attach tracing BPF programs? */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <cap-ng.h>
#include <linux/capability.h>
#include <linux/securebits.h>
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
 * Started as root without --user: the user to become, so that a flaw in
 * the HTTP, TLS or YAML code is not root's.  The package's own system
 * user, else nobody, else (no such user at all) uid and gid 65534.
 */
static struct passwd *default_user(void)
{
	/* a system without either (an initramfs): nobody's usual ids */
	static struct passwd overflow = {
		.pw_name = "65534", .pw_uid = 65534, .pw_gid = 65534,
	};
	struct passwd *pw = getpwnam(VSVA_SYSTEM_USER);

	if (!pw)
		pw = getpwnam("nobody");
	return pw ? pw : &overflow;
}

#define LOCKED_SECUREBITS	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | \
				 SECBIT_NO_SETUID_FIXUP | \
				 SECBIT_NO_SETUID_FIXUP_LOCKED | \
				 SECBIT_KEEP_CAPS_LOCKED)

/*
 * Become @pw keeping only CAP_BPF.  The securebits are locked first,
 * while root may: uid 0 then grants no capability (through exec or
 * setuid), and the change of uid keeps the capabilities rather than
 * clearing them (no setuid fixup), so CAP_SETPCAP still empties the
 * bounding set before it goes itself; no new privileges through exec.
 * Threads started later inherit all of it.
 */
static int become(const struct passwd *pw, char *msg, size_t len)
{
	const char *step;
	int rc;

	step = "locking the securebits";
	if (prctl(PR_SET_SECUREBITS, LOCKED_SECUREBITS))
		goto fail_errno;
	step = "changing user and group";
	if (setgroups(0, NULL) ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid))
		goto fail_errno;
	capng_clear(CAPNG_SELECT_ALL);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_BPF);
	rc = capng_apply(CAPNG_SELECT_ALL);
	if (rc) {
		snprintf(msg, len, "dropping privileges to user %s: keeping only "
			 "CAP_BPF failed (libcap-ng error %d)", pw->pw_name, rc);
		return -1;
	}
	step = "PR_SET_NO_NEW_PRIVS";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		goto fail_errno;
	return 0;
fail_errno:
	snprintf(msg, len, "dropping privileges to user %s: %s: %s",
		 pw->pw_name, step, strerror(errno));
	return -1;
}

/*
 * Let go of the controlling terminal (vsvad in the foreground of root's
 * shell): code running in vsvad must not push keys into root's terminal
 * (TIOCSTI needs the terminal to be the caller's own).  Ctrl-C still
 * reaches vsvad: the terminal signals its foreground process group.
 * stdin, never read, becomes /dev/null; the log stays on stderr.
 */
static void leave_tty(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0) {
		ioctl(fd, TIOCNOTTY);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
}

/*
 * After the programs are loaded and attached: keep only CAP_BPF (map
 * reads and the retention GC's deletes need it where
 * kernel.unprivileged_bpf_disabled is set), and become @user; root
 * without @user becomes vsva's system user or nobody.  The user taken
 * in @who.
 */
int vsva_drop_privileges(const char *user, char *who, size_t wholen,
			 char *msg, size_t len)
{
	struct passwd *pw = NULL;

	leave_tty();
	snprintf(who, wholen, "%s", user ? user : "");
	if (user) {
		pw = getpwnam(user);
		if (!pw) {
			snprintf(msg, len, "--user %s: no such user", user);
			return -1;
		}
	} else if (geteuid() == 0) {
		pw = default_user();
	}
	if (pw) {
		snprintf(who, wholen, "%s", pw->pw_name);
		return become(pw, msg, len);
	}
	capng_clear(CAPNG_SELECT_BOTH);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_BPF);
	if (capng_apply(CAPNG_SELECT_ALL) &&
	    capng_apply(CAPNG_SELECT_BOTH)) {	/* no CAP_SETPCAP */
		snprintf(msg, len, "dropping privileges failed");
		return -1;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return 0;
}
