"""Kernel-enforced confinement for the process that executes untrusted SPARQL.

The SPARQL guard refuses ``SERVICE`` before a query reaches the store, but a
guard is a parser, and two parsers can disagree (a comment ended by a bare
carriage return once hid ``SERVICE`` from it). The worker that runs queries
therefore gives up the network before it opens the store, so that any future
disagreement fails closed:

* **seccomp** (libseccomp through ``pyseccomp``): ``socket()`` for any family
  but ``AF_UNIX`` fails with ``EPERM``, and so does ``io_uring_setup`` (an
  io_uring could open sockets without the ``socket`` system call). The filter
  is synchronised to every thread and inherited by threads made later.
* **an empty network namespace** (``unshare(CLONE_NEWNET)``, inside a new user
  namespace when the process is not privileged): even a socket that exists
  has no interface to reach, loopback included.

The worker talks to the API over a socket pair made before confinement
(``AF_UNIX``), which neither layer touches. Seccomp is required; the
namespace is added where the kernel allows it. A process where seccomp cannot
be installed does not serve queries (:class:`SandboxError`).
"""

from __future__ import annotations

import ctypes
import errno
import resource
import socket

import pyseccomp

from vawg_kg.errors import StoreUnavailableError

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


class SandboxError(StoreUnavailableError):
    """The query worker could not confine itself, so it refuses to run queries."""

    code = "sandbox_unavailable"


def _deny_network_syscalls() -> None:
    try:
        seccomp_filter = pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW)
        seccomp_filter.set_attr(pyseccomp.Attr.CTL_TSYNC, 1)
        seccomp_filter.add_rule(pyseccomp.ERRNO(errno.EPERM), "socket",
                                pyseccomp.Arg(0, pyseccomp.NE, socket.AF_UNIX))
        seccomp_filter.add_rule(pyseccomp.ERRNO(errno.EPERM), "io_uring_setup")
        seccomp_filter.load()
    except (OSError, RuntimeError, ValueError) as exc:
        raise SandboxError(
            f"the SPARQL worker cannot install its seccomp filter ({exc}); it needs Linux with seccomp "
            "and libseccomp2 (Debian: apt-get install libseccomp2)") from exc


def _enter_empty_network_namespace() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    return False


def limit_memory(max_bytes: int) -> None:
    """Cap the process's data segment (heap and anonymous maps; not the store's file maps)."""
    if max_bytes > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (max_bytes, max_bytes))


def confine_network() -> list[str]:
    """Give up every network family but AF_UNIX; returns the layers in force (seccomp first)."""
    layers = []
    if _enter_empty_network_namespace():
        layers.append("network-namespace")
    _deny_network_syscalls()
    layers.insert(0, "seccomp")
    return layers


def network_is_closed() -> bool:
    """True when this process cannot make an internet socket (used by the worker's self-check)."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.socket(family, socket.SOCK_STREAM).close()
        except OSError:
            continue
        return False
    return True


__all__ = ["SandboxError", "confine_network", "limit_memory", "network_is_closed"]
