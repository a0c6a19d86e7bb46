"""Child processes of the harness: started with logs captured to a file, stopped by their own pid."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(text: str, lines: int = 200) -> str:
    parts = text.splitlines()
    return "\n".join(parts[-lines:])


class ReadyTimeout(RuntimeError):
    pass


class ManagedProcess:
    """A peer started as `argv`, ready once a stdout line starts with `READY` (its rest is `.ready_info`)."""

    def __init__(self, name: str, argv: list[str], log_path: Path, cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.cwd = cwd or REPO
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_info: str = ""
        self._ready = threading.Event()
        self._log_lock = threading.Lock()

    def start(self, timeout: float = 30.0) -> str:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab", buffering=0)  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            self.argv, cwd=self.cwd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        threading.Thread(target=self._pump, daemon=True, name=f"log-{self.name}").start()
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self.proc.poll() is not None:
                raise ReadyTimeout(f"{self.name} exited with {self.proc.returncode} before READY:\n{self.log_text()}")
            if time.monotonic() > deadline:
                self.stop()
                raise ReadyTimeout(f"{self.name} not READY after {timeout}s:\n{self.log_text()}")
        return self.ready_info

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in iter(self.proc.stdout.readline, b""):
            with self._log_lock:
                self._log.write(line)
            if not self._ready.is_set() and line.startswith(b"READY"):
                self.ready_info = line.decode().strip()[len("READY"):].strip()
                self._ready.set()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: the process and its children only
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout)
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()
