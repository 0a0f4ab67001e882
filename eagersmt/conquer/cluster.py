"""Where a ``--ray ADDRESS`` points, checked without importing Ray (``import ray`` alone
costs a few tenths of a second, which an instance the probe decides must not pay).

``check_cluster``: Ray installed, and a Ray head answering at the address (a TCP connect,
then an HTTP/2 greeting: a Ray head's GCS is a gRPC server), within seconds;
``ClusterUnreachable`` (``errors.Unreachable``: ``error:`` and its own exit code from the
CLI) otherwise.  ``cluster_address``: what ``"auto"`` means (``RAY_ADDRESS``, else the
cluster ``ray start`` left on this machine, which only Ray itself can read).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from typing import Optional

from ..errors import InputError, Unreachable

RAY_MISSING = "--ray needs Ray: pip install 'eagersmt[cluster]'"
CONNECT_SECONDS = 5.0  # to find a cluster's port open before ``ray.init``
GREETING_SECONDS = 2.0  # then for it to answer as a gRPC server (at once, when it is one)


class ClusterUnreachable(Unreachable, InputError):
    """``--ray ADDRESS`` names no running Ray cluster (``error: --ray ADDRESS: ...``)."""

    def __init__(self, address: str, why: str):
        super().__init__(f"{why}; start one with 'ray start --head' (then --ray auto), give "
                         "its HOST:PORT, or use --ray local (a private Ray on this machine)",
                         filename=f"--ray {address}")


def cluster_address(address: str) -> str:
    """The HOST:PORT that ``address`` ("auto" or an address) means, as Ray finds it:
    ``RAY_ADDRESS``, else the cluster ``ray start`` left on this machine; ``ClusterUnreachable``
    when there is none."""
    if address == "auto":
        found = os.environ.get("RAY_ADDRESS") or ""
        if not found:
            try:
                from ray._private.utils import read_ray_address

                found = read_ray_address() or ""
            except Exception:  # noqa: BLE001 - an older Ray: let ray.init find it
                found = ""
        if not found or found == "auto":
            raise ClusterUnreachable(address, "no running Ray cluster found on this machine "
                                     "(RAY_ADDRESS is not set)")
        address = found
    return address.split("://", 1)[-1]


def check_cluster(address: str, timeout: Optional[float] = None) -> None:
    """Fail fast where ``--ray ADDRESS`` cannot work, without importing Ray: ``RuntimeError``
    (``RAY_MISSING``) when Ray is not installed; ``ClusterUnreachable`` unless a Ray head
    answers at ``address``'s HOST:PORT (``ray.init`` itself retries an unreachable address
    for minutes)."""
    if importlib.util.find_spec("ray") is None:
        raise RuntimeError(RAY_MISSING)
    ray = sys.modules.get("ray")  # (connected only if someone imported it already)
    if address == "local" or (ray is not None and ray.is_initialized()):
        return
    target = cluster_address(address)
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise ClusterUnreachable(address, f"{target!r} is not HOST:PORT")
    wait = CONNECT_SECONDS if timeout is None else max(0.1, min(CONNECT_SECONDS, timeout))
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=wait) as sock:
            sock.settimeout(min(wait, GREETING_SECONDS))
            grpc = speaks_http2(sock)
    except OSError as e:
        raise ClusterUnreachable(address, f"no Ray cluster answers at {target} "
                                 f"({e.strerror or e})") from None
    if not grpc:
        raise ClusterUnreachable(address, f"{target} is open but is not a Ray cluster's "
                                 "address (no gRPC answer)")


# A client's HTTP/2 connection preface and an empty SETTINGS frame (RFC 9113, 3.4 and 6.5).
HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes((0, 0, 0, 4, 0, 0, 0, 0, 0))


def speaks_http2(sock: socket.socket) -> bool:
    """Does the server on ``sock`` answer the HTTP/2 preface with a SETTINGS frame, as the
    gRPC server of a Ray head (its GCS) does at once?  Anything else (silence until the
    socket's timeout, an HTTP/1 reply, a closed connection) is not Ray; ``ray.init`` would
    retry it for tens of seconds with pages of C++ warnings."""
    try:
        sock.sendall(HTTP2_PREFACE)
        head = b""
        while len(head) < 9:
            chunk = sock.recv(9 - len(head))
            if not chunk:
                return False
            head += chunk
    except OSError:
        return False
    return head[3] == 4  # the frame type: SETTINGS
