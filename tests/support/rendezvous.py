"""A loopback rendezvous for test handlers running in other processes: named barriers with a recorded order.

A party connects over TCP, sends one line ``<step> <parties> <who>\\n`` and gets ``go\\n`` back once ``parties``
connections have arrived for the same step (no sleeps, no polling: the reply is the signal). Every arrival is recorded
in order (``arrivals``), so a test can prove from the server side that several invocations were inside their handlers
at once: with a barrier of N parties per step, every arrival for step k comes before any arrival for step k + 1.
The test process itself can take part (:meth:`Rendezvous.join`), e.g. to hold a handler until it lets it go.
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType

__all__ = ["Rendezvous", "meet"]


class Rendezvous:
    """The barrier server; a context manager exposing ``address`` (``host:port``) and ``arrivals``."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._sock.getsockname()[1]}"
        self.arrivals: list[tuple[str, str]] = []  # (step, who), in arrival order
        self._waiting: dict[str, list[socket.socket]] = {}
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> Rendezvous:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._sock.close()
        with self._cond:
            for conns in self._waiting.values():
                for conn in conns:
                    conn.close()
            self._waiting.clear()

    def join(self, step: str, parties: int, who: str = "test") -> None:
        """Take part in ``step`` from the test process (blocks until the other parties arrived)."""
        meet(self.address, step, parties, who)

    def wait_arrivals(self, step: str, count: int, timeout: float = 30.0) -> None:
        """Wait until ``count`` parties have arrived at ``step`` (e.g. a handler is parked there)."""
        with self._cond:
            if not self._cond.wait_for(lambda: sum(1 for s, _ in self.arrivals if s == step) >= count, timeout):
                raise AssertionError(f"only {self.arrivals} arrived; wanted {count} at {step!r}")

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._arrive, args=(conn,), daemon=True).start()

    def _arrive(self, conn: socket.socket) -> None:
        line = conn.makefile("rb").readline().decode().split()
        if len(line) != 3:
            conn.close()
            return
        step, parties, who = line[0], int(line[1]), line[2]
        with self._cond:
            self.arrivals.append((step, who))
            group = self._waiting.setdefault(step, [])
            group.append(conn)
            self._cond.notify_all()
            if len(group) < parties:
                return
            del self._waiting[step]
        for member in group:
            try:
                member.sendall(b"go\n")
            finally:
                member.close()


def meet(address: str, step: str, parties: int, who: str) -> None:
    """Arrive at ``step`` of the rendezvous at ``address`` and return once all ``parties`` have arrived."""
    host, _, port = address.rpartition(":")
    with socket.create_connection((host, int(port))) as conn:
        conn.sendall(f"{step} {parties} {who}\n".encode())
        reply = conn.makefile("rb").readline()
    if reply != b"go\n":
        raise RuntimeError(f"rendezvous {step!r} ended without the go signal: {reply!r}")
