#!/usr/bin/env python3
"""KVM's ioctl numbers on files that are not KVM's: N rounds of
KVM_CREATE_VM (0xae01), KVM_SET_USER_MEMORY_REGION (0x4020ae46) and
KVM_SET_USER_MEMORY_REGION2 (0x40a0ae49), the last two deleting (a zero
memory_size), on /dev/null, on a pipe and on a file named kvm-vm (in
the directory given as the second argument, if any).  Any user can do
this; the syscall rungs must not count it.  Prints its pid."""
import fcntl
import os
import sys

rounds = int(sys.argv[1])
null = os.open("/dev/null", os.O_RDWR)
pipe, _ = os.pipe()
fds = [null, pipe]
if len(sys.argv) > 2:
    fds.append(os.open(os.path.join(sys.argv[2], "kvm-vm"),
                       os.O_RDWR | os.O_CREAT, 0o600))
for _ in range(rounds):
    for fd in fds:
        for cmd, arg in ((0xAE01, 0), (0x4020AE46, bytes(32)),
                         (0x40A0AE49, bytes(160))):
            try:
                fcntl.ioctl(fd, cmd, arg)
            except OSError:
                pass
print(os.getpid())
