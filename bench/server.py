"""Serve an app with gunicorn on a free loopback port, and stop it afterwards."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen | None) -> None:
    """Stop a process the bench started: politely, then not."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Server:
    """``gunicorn`` serving ``app_path`` (e.g. ``wsgi:app``) with ``workers`` workers."""

    def __init__(
        self,
        app_path: str,
        env: dict[str, str],
        *,
        workers: int = 2,
        worker_class: str = "sync",
        threads: int = 1,
        log_path: Path,
        ready_path: str = "/healthz",
    ) -> None:
        self.app_path, self.env, self.workers = app_path, env, workers
        self.worker_class, self.threads = worker_class, threads
        self.log_path, self.ready_path = log_path, ready_path
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--log-level",
            "warning",
            "--error-logfile",
            str(self.log_path),
            self.app_path,
        ]
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env={**os.environ, **self.env}, stdin=subprocess.DEVNULL
        )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", self.ready_path)
                if connection.getresponse().status == 200:
                    connection.close()
                    return
                connection.close()
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer {self.ready_path} in {timeout:.0f}s")

    def __exit__(self, *exc_info) -> None:
        stop(self.process)
