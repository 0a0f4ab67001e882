"""A private Ray head for the Ray tests and ``benchmarks/bench_ray.py``.

Idea: a test or a benchmark must neither join nor stop anybody else's Ray.  ``RayHead``
runs ``ray start --head --block`` in a session of its own, on 127.0.0.1 with free ports for
every Ray service, its own temporary folder and a fresh token (``RAY_AUTH_MODE=token``),
and waits until the Jobs API answers with that token.  ``close`` kills its whole process
tree (and any process that left the tree but still names the temporary folder), never
``ray stop``, which would stop every Ray on the machine.  ``env`` is what a client of this
head needs (address, token, PATH).  Cost: a head start, several seconds.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional


def free_ports(n: int) -> list[int]:
    """``n`` distinct TCP ports free on 127.0.0.1 right now."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def worker_ports(taken: list[int], count: int = 200) -> int:
    """The first of ``count + 1`` worker ports, a range holding none of ``taken`` (Ray refuses
    to start when its worker ports overlap its other ports); drawn below Linux's usual
    ephemeral range (32768-60999), where ``free_ports``' ports come from."""
    while True:
        low = random.randrange(20000, 32000)
        if not any(low <= p <= low + count for p in taken):
            return low


def http_status(url: str, token: Optional[str]) -> int:
    """The HTTP status of a GET (with the token as a bearer), 0 when nothing listens."""
    req = urllib.request.Request(url)
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:  # not listening (yet)
        return 0


def kill_tree(proc: subprocess.Popen, marker: str) -> None:
    """Kill ``proc``, its descendants and any process whose command line holds ``marker``."""
    import psutil

    procs: list[psutil.Process] = []
    try:
        root = psutil.Process(proc.pid)
        procs = [root] + root.children(recursive=True)
    except psutil.NoSuchProcess:
        pass
    for p in psutil.process_iter(["cmdline"]):  # daemons that left the tree, if any
        if marker in " ".join(p.info["cmdline"] or ()) and p not in procs:
            procs.append(p)
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)
    proc.wait(timeout=10)


class RayHead:
    """A running private head (see the module doc); ``RuntimeError`` with its log if it
    does not come up within ``start_timeout`` seconds."""

    def __init__(self, cpus: int = 2, *, object_store_mb: int = 100,
                 extra_env: Optional[dict[str, str]] = None, start_timeout: float = 90):
        self.tmp = tempfile.mkdtemp(prefix="esr", dir="/tmp")  # short: socket paths are limited
        self.token = secrets.token_hex(32)
        token_path = Path(self.tmp) / "auth_token"
        token_path.write_text(self.token)
        token_path.chmod(0o600)
        ports = free_ports(11)
        gcs, dash, client, nm, om, agent, agent_grpc, rte, metrics, am, dm = ports
        wmin = worker_ports(ports)
        env = {**os.environ, **(extra_env or {}), "RAY_AUTH_MODE": "token",
               "RAY_AUTH_TOKEN_PATH": str(token_path), "RAY_USAGE_STATS_ENABLED": "0",
               "AUTOSCALER_METRIC_PORT": str(am), "DASHBOARD_METRIC_PORT": str(dm),  # else fixed
               "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        env.pop("RAY_ADDRESS", None)
        env.pop("RAY_AUTH_TOKEN", None)
        cmd = [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block",
               "--node-ip-address", "127.0.0.1", "--port", str(gcs),
               "--dashboard-host", "127.0.0.1", "--dashboard-port", str(dash),
               "--ray-client-server-port", str(client), "--node-manager-port", str(nm),
               "--object-manager-port", str(om), "--dashboard-agent-listen-port", str(agent),
               "--dashboard-agent-grpc-port", str(agent_grpc), "--runtime-env-agent-port", str(rte),
               "--metrics-export-port", str(metrics), "--min-worker-port", str(wmin),
               "--max-worker-port", str(wmin + 200), "--num-cpus", str(cpus),
               "--object-store-memory", str(object_store_mb * 2**20),
               "--temp-dir", f"{self.tmp}/ray", "--disable-usage-stats"]
        self.log_path = Path(self.tmp) / "head.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed by close())
        # TMPDIR: the daemons' own temporary files (killed, they cannot remove them) go
        # where close() removes them
        self.proc = subprocess.Popen(cmd, env={**env, "TMPDIR": self.tmp}, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     cwd=self.tmp)
        self.address = f"127.0.0.1:{gcs}"          # GCS, HOST:PORT
        self.dashboard = f"http://127.0.0.1:{dash}"  # Jobs endpoint
        self.env = {**env, "RAY_ADDRESS": self.address}
        try:
            deadline = time.monotonic() + start_timeout
            while http_status(f"{self.dashboard}/api/jobs/", self.token) != 200:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("ray head did not start:\n" + self.log_path.read_text())
                time.sleep(0.5)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        kill_tree(self.proc, self.tmp)
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> "RayHead":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
