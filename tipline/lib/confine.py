"""Confine a process that parses hostile bytes (the scrub sandbox's workers).

A decoder exploit in a scrub worker runs as the web server's user. Without
confinement it could read what that user can (the secrets directory, an SQLite
database, the evidence store), connect to the database's socket, or trace the
web process. After ``confine``, the process:

- opens files only to read or execute them, and only beneath the directories
  given (the Python installation, the shared libraries, Tipline's own package):
  nothing in the data directory, /etc or /tmp, and nothing for writing
  anywhere (Landlock, Linux 5.13+; TCP bind and connect denied from ABI 4,
  abstract Unix sockets and signals to other processes from ABI 6);
- can create no socket of any kind and cannot trace or read the memory of
  another process (a seccomp filter: socket, ptrace, process_vm_readv and
  process_vm_writev fail with EPERM; x86-64 and AArch64);
- can never gain privileges again (no_new_privs), so the rules hold across exec.

Everything is applied by the process to itself, with system calls through
ctypes: no helper binary, no root. A kernel without Landlock or seccomp leaves
that part out; ``confine`` returns the names of the parts it could not apply, so
the caller can say so.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
from collections.abc import Callable, Iterable

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

# Landlock system calls share one number on every architecture.
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1

FS_EXECUTE = 1 << 0
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
# Every filesystem right each ABI knows (13 in the first; REFER, TRUNCATE and
# IOCTL_DEV came with ABIs 2, 3 and 5): handled, so denied unless a rule allows.
_FS_RIGHTS = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

# (AUDIT_ARCH, system call numbers of socket, ptrace, process_vm_readv, _writev)
_SECCOMP_ARCH = {
    "x86_64": (0xC000003E, (41, 101, 310, 311)),
    "aarch64": (0xC00000B7, (198, 117, 270, 271)),
}
_X32_SYSCALL_BIT = 0x40000000
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_KILL_PROCESS = 0x80000000
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JSET_K, BPF_RET_K = 0x20, 0x15, 0x45, 0x06


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _call(function: Callable[..., int], *args: object) -> int:
    """A variadic libc call with every number widened to a machine word (a
    plain int would be passed as 32 bits where the kernel reads 64)."""
    widened = [
        ctypes.c_long(arg or 0) if arg is None or isinstance(arg, int) else arg
        for arg in args
    ]
    return int(function(*widened))


def confine(readable: Iterable[str]) -> list[str]:
    """Confine this process (and every thread and child it makes from now on;
    call it before starting any thread). ``readable``: the directories it may
    still read and execute from. Returns what the kernel could not apply."""
    libc = ctypes.CDLL(None, use_errno=True)
    missing = []
    if _call(libc.prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return ["no_new_privs", "landlock", "seccomp"]
    if not _landlock(libc, readable):
        missing.append("landlock")
    if not _seccomp(libc):
        missing.append("seccomp")
    return missing


def _landlock(libc: ctypes.CDLL, readable: Iterable[str]) -> bool:
    abi = _call(
        libc.syscall,
        SYS_LANDLOCK_CREATE_RULESET,
        None,
        0,
        LANDLOCK_CREATE_RULESET_VERSION,
    )
    if abi < 1:
        return False
    fs = _FS_RIGHTS[max(v for v in _FS_RIGHTS if v <= abi)]
    net = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    if abi >= 6:
        attr = struct.pack("=QQQ", fs, net, scoped)
    elif abi >= 4:
        attr = struct.pack("=QQ", fs, net)
    else:
        attr = struct.pack("=Q", fs)
    buffer = ctypes.create_string_buffer(attr, len(attr))
    ruleset = _call(libc.syscall, SYS_LANDLOCK_CREATE_RULESET, buffer, len(attr), 0)
    if ruleset < 0:
        return False
    try:
        allowed = (FS_EXECUTE | FS_READ_FILE | FS_READ_DIR) & fs
        for path in sorted(set(readable)):
            if not os.path.isdir(path):
                continue
            directory = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                rule = ctypes.create_string_buffer(
                    struct.pack("=Qi", allowed, directory), 12
                )
                added = _call(
                    libc.syscall,
                    SYS_LANDLOCK_ADD_RULE,
                    ruleset,
                    LANDLOCK_RULE_PATH_BENEATH,
                    rule,
                    0,
                )
                if added != 0:
                    return False
            finally:
                os.close(directory)
        return _call(libc.syscall, SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0) == 0
    finally:
        os.close(ruleset)


def _seccomp(libc: ctypes.CDLL) -> bool:
    known = _SECCOMP_ARCH.get(platform.machine())
    if known is None:
        return False
    arch, denied = known
    program = _filter(arch, denied, x32=platform.machine() == "x86_64")
    filters = (_SockFilter * len(program))(*program)
    fprog = _SockFprog(len(program), filters)
    return (
        _call(
            libc.prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.pointer(fprog), 0, 0
        )
        == 0
    )


def _filter(arch: int, denied: tuple[int, ...], *, x32: bool) -> list[_SockFilter]:
    """A BPF program: another architecture's calls kill the process (so nobody
    reaches a call by its number elsewhere), the denied calls fail with EPERM,
    everything else is allowed."""
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    body: list[tuple[int, int, int, int]] = []
    # Jump targets are counted from the end: [.., allow, deny, kill].
    checks = len(denied) + (1 if x32 else 0)
    body.append((BPF_LD_W_ABS, 0, 0, 4))  # seccomp_data.arch
    body.append((BPF_JEQ_K, 0, checks + 3, arch))  # not ours: to kill
    body.append((BPF_LD_W_ABS, 0, 0, 0))  # seccomp_data.nr
    remaining = checks
    if x32:
        remaining -= 1
        body.append((BPF_JSET_K, remaining + 2, 0, _X32_SYSCALL_BIT))  # to kill
    for number in denied:
        remaining -= 1
        body.append((BPF_JEQ_K, remaining + 1, 0, number))  # to deny
    body.append((BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    body.append((BPF_RET_K, 0, 0, deny))
    body.append((BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS))
    return [_SockFilter(code, jt, jf, k) for code, jt, jf, k in body]
