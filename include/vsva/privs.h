/* SPDX-License-Identifier: GPL-2.0 */
/* vsva: the privileges loading tracing BPF needs, and dropping them. */
#ifndef VSVA_PRIVS_H
#define VSVA_PRIVS_H

#include <stddef.h>

/* Privileges: 0 if this process may load tracing BPF, else a message. */
int vsva_check_privileges(char *msg, size_t len);
/* Keep only CAP_BPF; with @user (may be NULL) switch to that user. */
int vsva_drop_privileges(const char *user, char *msg, size_t len);

#endif /* VSVA_PRIVS_H */
