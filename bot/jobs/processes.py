"""The worker processes `apo serve` starts beside its web side, kept running until it stops.

Processes, not threads: drafting, embedding and search are CPU work that would otherwise hold
the interpreter the web side needs to ack within Slack's 3 seconds.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

from bot.jobs.worker import PARENT_ENV

log = logging.getLogger(__name__)
_RESTART_DELAY = 1.0
# Running jobs get this long to finish after SIGINT; a job cut short is leased, so another
# worker runs it again (nothing is lost by a shorter grace, only repeated work).
_STOP_GRACE = 10.0


class WorkerProcesses:
    """`count` × `python -m bot worker`, each restarted a second after it exits."""

    def __init__(self, count: int, *, metrics_port: int | None = None) -> None:
        self._count = count
        # Each child serves its own /metrics on the next ports up (bot.ops.metrics).
        self._metrics_port = metrics_port
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._children: list[subprocess.Popen[bytes]] = []
        self._supervisors: list[threading.Thread] = []

    def start(self) -> None:
        for number in range(self._count):
            thread = threading.Thread(
                target=self._supervise, args=(number,), name=f"worker-{number}", daemon=True
            )
            thread.start()
            self._supervisors.append(thread)

    def stop(self) -> None:
        """SIGINT (finish running jobs), then SIGKILL whatever is left after the grace time."""
        self._stopping.set()
        with self._lock:
            children = list(self._children)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for child in children:
            try:
                child.wait(timeout=_STOP_GRACE)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def _supervise(self, number: int) -> None:
        env = {**os.environ, PARENT_ENV: str(os.getpid())}
        if self._metrics_port is not None:
            env["APO_METRICS_PORT"] = str(self._metrics_port + 1 + number)
        while not self._stopping.is_set():
            child = subprocess.Popen([sys.executable, "-m", "bot", "worker"], env=env)
            with self._lock:
                self._children.append(child)
            log.info("worker %s started (pid %s)", number, child.pid)
            code = child.wait()
            with self._lock:
                self._children.remove(child)
            if self._stopping.wait(_RESTART_DELAY):
                return
            log.warning("worker %s exited with %s; starting it again", number, code)
