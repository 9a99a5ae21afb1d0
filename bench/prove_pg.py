"""A throwaway PostgreSQL cluster for `make prove`: initdb in a temp dir, its own port, stopped at the end.

Never touches the machine's shared PostgreSQL: the cluster lives in its own directory on its own port
(default 55432) and is the only one `make prove` restarts. initdb refuses to run as root, so when run
as root the cluster belongs to the `postgres` system user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"{name} not found under /usr/lib/postgresql/*/bin; install the postgresql package")
    return found[-1]


class Cluster:
    """initdb → start → (restart) → stop; `url` is the SQLAlchemy URL of its `prove` database."""

    def __init__(self, port: int = 55432) -> None:
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="salesbot-prove-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "pg.log")
        self.user = "postgres" if os.geteuid() == 0 else None
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/prove"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = ["runuser", "-u", self.user, "--", *args] if self.user else list(args)
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        """Create the cluster and the `prove` database, and start it."""
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self._run(_bin("initdb"), "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        with open(os.path.join(self.data, "postgresql.conf"), "a", encoding="utf-8") as conf:
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.dir}'\n"
                       "fsync = off\nsynchronous_commit = off\nmax_connections = 200\n")
        self._ctl("start")
        self._run(_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "prove")

    def _ctl(self, action: str, *extra: str) -> None:
        self._run(_bin("pg_ctl"), "-D", self.data, "-l", self.log, "-w", "-t", "60", *extra, action)

    def restart(self) -> float:
        """Restart the cluster (fast shutdown: open connections are cut); return the seconds it was away."""
        started = time.monotonic()
        self._ctl("restart", "-m", "fast")
        return time.monotonic() - started

    def stop(self) -> None:
        """Stop the cluster and delete its directory."""
        self._ctl("stop", "-m", "immediate") if os.path.exists(os.path.join(self.data, "postmaster.pid")) else None
        shutil.rmtree(self.dir, ignore_errors=True)
