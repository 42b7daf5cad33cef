"""Start the real application under gunicorn on a free loopback port, and stop it."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

WORKERS = 2  # sync workers: one per CPU of the small server the embedded default targets
READY_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15
FLOOR_PATH = "/bench/floor/"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """`with Server(...) as server:` runs gunicorn until the block ends (even on error)."""

    def __init__(self, root: Path, env: dict[str, str], log_path: Path) -> None:
        self.root = root
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        command = [
            str(gunicorn), "--chdir", str(self.root), "--workers", str(WORKERS), "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "--error-logfile", str(self.log_path),
            "enishi.wsgi:application",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=self.root, env=self.env, stdout=subprocess.DEVNULL)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early; see {self.log_path}:\n{self._log_tail()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", FLOOR_PATH)
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass  # not listening yet
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {READY_TIMEOUT_S} s:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # gunicorn's arbiter stops its workers on SIGTERM
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_S)
