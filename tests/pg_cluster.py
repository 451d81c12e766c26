"""A private PostgreSQL server for drills that stop and start it (the shared test server must never stop).

`private_cluster()` makes a throwaway cluster in a temporary directory on a free loopback port (initdb, trust
auth, fsync off), yields it, and removes it. It runs the server binaries as the `postgres` user when the tests
run as root (PostgreSQL refuses root). Without the server binaries the drill is skipped, saying why.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    bin_dir: Path
    data: Path
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-w", *args],
                       check=True, timeout=60, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-o", options, "-l", str(self.data.parent / "server.log"), "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    bin_dir = _bin_dir()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        pytest.skip("the PostgreSQL server binaries (initdb, pg_ctl) are not installed: this drill cannot run")
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="pcp-pg-"))
    if as_user:
        shutil.chown(root, "postgres")
    cluster = Cluster(bin_dir, root / "data", _free_port(), as_user)
    try:
        subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "postgres"],
                       check=True, timeout=120, stdout=subprocess.DEVNULL)
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop()
        except (subprocess.SubprocessError, OSError):
            pass
        shutil.rmtree(root, ignore_errors=True)
