"""A private PostgreSQL server for the lemma store's tests (and for ``.ci/run``).

Starts the Debian package's binaries (``/usr/lib/postgresql/N/bin``, or ``initdb`` on
PATH) on a data directory of its own: listening on 127.0.0.1 only, on a free port, every
connection authenticated (SCRAM-SHA-256, a random password), owned by the current user, or
by ``postgres`` when run as root (PostgreSQL refuses to run as root).

    python tests/pgserver.py start DIR   # prints the postgresql:// URL (mode 0600 in DIR/url)
    python tests/pgserver.py stop DIR
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

USER, DB = "eagersmt", "eagersmt_memo"


def bindir() -> Optional[Path]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    exe = shutil.which("initdb")
    return Path(exe).parent if exe else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, base: str):
        """``base``: a directory of its own (the user ``postgres`` must be able to reach it
        when run as root: not under a 0700 directory such as pytest's)."""
        self.base = Path(base)
        self.data = self.base / "data"
        self.bin = bindir()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.as_root = os.geteuid() == 0
        self.url = ""

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:6])}... exit {r.returncode}: {r.stderr.strip()[-500:]}")
        return r

    def start(self) -> str:
        self.base.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o755)
        password = secrets.token_hex(16)
        self.data.mkdir(mode=0o700)
        pwfile = self.base / "pw"
        pwfile.write_text(password + "\n")
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.data, pw.pw_uid, pw.pw_gid)
            os.chown(pwfile, pw.pw_uid, pw.pw_gid)
        os.chmod(pwfile, 0o600)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, f"--pwfile={pwfile}",
                  "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8",
                  "--no-instructions")
        pwfile.unlink()
        port = _free_port()
        opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {self.data} -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l",
                  str(self.data / "server.log"), "-w", "-t", "60", "start")
        admin = f"postgresql://{USER}:{password}@127.0.0.1:{port}/postgres"
        import psycopg

        for _ in range(50):
            try:
                with psycopg.connect(admin, autocommit=True, connect_timeout=5) as c:
                    c.execute(f"CREATE DATABASE {DB}")
                break
            except psycopg.OperationalError:
                time.sleep(0.2)
        self.url = f"postgresql://{USER}:{password}@127.0.0.1:{port}/{DB}"
        url_file = self.base / "url"
        url_file.write_text(self.url + "\n")
        os.chmod(url_file, 0o600)
        return self.url

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        print(__doc__, file=sys.stderr)
        return 2
    server = PgServer(argv[2])
    if argv[1] == "start":
        print(server.start())
    else:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
