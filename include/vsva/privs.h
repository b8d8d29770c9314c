/* SPDX-License-Identifier: GPL-2.0 */
/* vsva: the privileges loading tracing BPF needs, and dropping them. */
#ifndef VSVA_PRIVS_H
#define VSVA_PRIVS_H

#include <stddef.h>

/* Privileges: 0 if this process may load tracing BPF, else a message. */
int vsva_check_privileges(char *msg, size_t len);
/* Who vsvad becomes when started as root without --user, if it exists
 * (the package makes it); else nobody; else uid and gid 65534. */
#define VSVA_SYSTEM_USER	"vsva"

/* Keep only CAP_BPF; with @user (may be NULL) switch to that user, and
 * as root without one to VSVA_SYSTEM_USER or nobody, securebits locked
 * and no new privileges.  The user now in @who ("" if unchanged). */
int vsva_drop_privileges(const char *user, char *who, size_t wholen,
			 char *msg, size_t len);

#endif /* VSVA_PRIVS_H */
