"""A small HTTP/1.1 load generator for the request benchmarks (commits, quiz submissions).

Raw asyncio sockets rather than an HTTP library: the load generator shares the machine's two cores
with gunicorn and PostgreSQL, so what it spends per request is kept to a minimum (and measured).

Three models:

The first ``warmup`` seconds are not counted (see :func:`run`).

* ``rate > 0`` — open model: each simulated user sends on its own fixed schedule (``users / rate``
  seconds apart, random phase), one request at a time on its own connection, like a SCO committing
  every few seconds. Latency is counted from the *scheduled* send time, so a slow server that delays
  the next send is charged for it (no coordinated omission).
* ``rate == 0`` — closed model: every user sends its next request as soon as the previous one is
  answered (saturation: the throughput ceiling; latency ≈ users / throughput by Little's law).
* ``burst`` — every user sends exactly one request at the same instant (after all connections are
  open): "500 learners press submit together".

CPU seconds of the processes named in ``cpu_pids`` (gunicorn workers, PostgreSQL backends) and of
this process are read from ``/proc`` around the run, to show where each request's time goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class User:
    """One simulated user: where it sends, its fixed header lines (cookie, CSRF) and its body maker."""

    path: str
    headers: str
    body: Callable[[int], bytes]  # request number (1, 2, …) → JSON body
    check: Callable[[int, bytes], bool] = lambda status, body: status == 200


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    elapsed: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)

    def percentile(self, p: float) -> float:
        lat = sorted(self.latencies)
        return lat[min(len(lat) - 1, max(0, int(round(len(lat) * p / 100.0)) - 1))] if lat else float("nan")

    def summary(self, what: str = "requests") -> str:
        ok = len(self.latencies)
        n = ok + sum(self.errors.values())
        lines = [f"{what}: ok={ok} failed={n - ok} in {self.elapsed:.1f} s → {ok / self.elapsed:.0f}/s"]
        if ok:
            p50, p90, p99 = (self.percentile(p) * 1000 for p in (50, 90, 99))
            worst, mean = max(self.latencies) * 1000, statistics.fmean(self.latencies) * 1000
            lines.append(f"latency ms: p50={p50:.1f} p90={p90:.1f} p99={p99:.1f} max={worst:.1f} mean={mean:.1f}")
        if self.errors:
            lines.append(f"failures: {dict(self.errors)}")
        if self.cpu and ok:
            total = sum(self.cpu.values())
            lines.append("CPU ms per request: " + ", ".join(f"{k} {v / ok * 1000:.2f}" for k, v in self.cpu.items())
                         + f", total {total / ok * 1000:.2f} (machine: {os.cpu_count()} cores → ceiling "
                         f"≈ {os.cpu_count() / (total / ok):.0f}/s)")
        return "\n".join(lines)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds (0 when it has gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:
        return []


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (a server's workers and what they started)."""
    found = children(pid)
    return [*found, *(d for child in found for d in descendants(child))]


async def _request(reader, writer, head: bytes, body: bytes) -> tuple[int, bytes]:
    writer.write(head + body)
    status_line = await reader.readline()
    length, close = 0, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            close = True
    data = await reader.readexactly(length) if length else b""
    parts = status_line.split()
    if len(parts) < 2:
        raise ConnectionError("no status line")
    if close:
        raise _Closed(int(parts[1]), data)
    return int(parts[1]), data


class _Closed(Exception):
    """The server answered and closed the connection (sync workers): reconnect for the next request."""

    def __init__(self, status: int, data: bytes):
        super().__init__(status)
        self.status, self.data = status, data


async def _user_loop(port: int, user: User, clock: dict[str, float], seconds: float, interval: float, once: bool,
                     start: asyncio.Event, result: Result) -> None:
    conn = await asyncio.open_connection("127.0.0.1", port)
    await start.wait()
    begin = clock["begin"]
    n = 0
    scheduled = begin + (0.0 if once or interval == 0 else random.uniform(0, interval))
    try:
        while True:
            now = time.perf_counter()
            if not once and now >= begin + seconds:
                break
            if interval and scheduled > now:
                await asyncio.sleep(scheduled - now)
            n += 1
            body = user.body(n)
            head = (f"POST {user.path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{user.headers}"
                    f"Content-Length: {len(body)}\r\n\r\n").encode()
            sent_for = scheduled if interval or once else time.perf_counter()
            reused = conn is not None
            if conn is None:
                conn = await asyncio.open_connection("127.0.0.1", port)
            try:
                try:
                    status, data = await _request(*conn, head, body)
                except ConnectionError:
                    if not reused:
                        raise
                    # the server closed an idle keep-alive connection: reconnect and resend, as browsers do
                    conn[1].close()
                    conn = await asyncio.open_connection("127.0.0.1", port)
                    status, data = await _request(*conn, head, body)
            except _Closed as closed:
                status, data = closed.status, closed.data
                conn[1].close()
                conn = None
            except (OSError, ConnectionError, asyncio.IncompleteReadError) as exc:
                if sent_for - begin >= clock["warmup"]:
                    result.errors[type(exc).__name__] += 1
                conn[1].close()
                conn = None
                status, data = -1, b""
            if status != -1 and sent_for - begin >= clock["warmup"]:
                if user.check(status, data):
                    result.latencies.append(time.perf_counter() - sent_for)
                else:
                    result.errors[f"HTTP {status}"] += 1
            if once:
                break
            scheduled += interval
    finally:
        if conn is not None:
            conn[1].close()


async def _run(port: int, users: list[User], seconds: float, rate: float, burst: bool, warmup: float,
               result: Result, cpu_pids: dict[str, list[int]]) -> None:
    start = asyncio.Event()
    warmup = 0.0 if burst else warmup
    clock: dict[str, float] = {"warmup": warmup}
    interval = 0.0 if burst or rate <= 0 else len(users) / rate
    tasks = [asyncio.ensure_future(_user_loop(port, user, clock, seconds + warmup, interval, burst, start, result))
             for user in users]
    await asyncio.sleep(0.5 + len(users) / 2000)  # let every connection open
    clock["begin"] = time.perf_counter()
    start.set()
    await asyncio.sleep(warmup)
    before = {k: sum(cpu_seconds(p) for p in pids) for k, pids in cpu_pids.items()}
    client_before = time.process_time()
    measured_from = time.perf_counter()
    await asyncio.gather(*tasks)
    result.elapsed = time.perf_counter() - measured_from
    result.cpu = {k: sum(cpu_seconds(p) for p in pids) - before[k] for k, pids in cpu_pids.items()}
    result.cpu["load generator"] = time.process_time() - client_before


def run(port: int, users: list[User], *, seconds: float = 30, rate: float = 0, burst: bool = False,
        warmup: float = 5.0, cpu_pids: dict[str, list[int]] | None = None) -> Result:
    """Run the load and return latencies, failures, elapsed time and CPU seconds per component.

    The first ``warmup`` seconds (not in a burst) are sent but not counted: the server accepts its
    connections and fills its caches (prepared statements, the package's parsed manifest)."""
    result = Result()
    asyncio.run(_run(port, users, seconds, rate, burst, warmup, result, cpu_pids or {}))
    return result


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], *, workers: int = 4, worker_class: str = "gthread", threads: int = 2,
             pythonpath: str | None = None) -> Iterator[tuple[subprocess.Popen, int]]:
    """Run ``app`` (e.g. ``"lms:create_app()"``) under gunicorn on a free loopback port, as the README's
    deployment command does (keep-alive 75 s, a deep backlog for bursts); yield (process, port) once it
    accepts connections, and stop it afterwards."""
    port = _free_port()
    command = [str(Path(sys.executable).with_name("gunicorn")), "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "--worker-class", worker_class, "--backlog", "2048", "--log-level", "warning", "--keep-alive", "75"]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    if pythonpath:
        command += ["--pythonpath", pythonpath]
    yield from _serve([*command, app], env, port)


@contextlib.contextmanager
def granian(app: str, env: dict[str, str], *, workers: int = 4, threads: int = 2) -> Iterator[tuple[subprocess.Popen, int]]:
    """Run the WSGI factory ``app`` (e.g. ``"lms:create_app"``) under Granian (its HTTP server in Rust; WSGI
    calls on ``threads`` blocking threads per worker) on a free loopback port, as :func:`gunicorn` does."""
    port = _free_port()
    command = [str(Path(sys.executable).with_name("granian")), "--interface", "wsgi", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
               "--blocking-threads", str(threads), "--backlog", "2048", "--log-level", "warning", app]
    yield from _serve(command, env, port)


def add_server_arguments(parser: Any) -> None:
    """``--server``, ``--workers``, ``--worker-class``, ``--threads``: the app server of a bench (argparse)."""
    parser.add_argument("--server", choices=("granian", "gunicorn"), default="granian",
                        help="the HTTP server (docs/decisions/http-server.md)")
    parser.add_argument("--workers", type=int, default=0,
                        help="server worker processes (default: 2 for Granian, one per core; 4 for gunicorn)")
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"), help="gunicorn's")
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker (Granian: blocking threads)")


def server_settings(args: Any) -> str:
    """Fill in the default worker count of ``args.server``; the server as the benches print it."""
    args.workers = args.workers or (2 if args.server == "granian" else 4)
    kind = "granian" if args.server == "granian" else f"gunicorn × {args.worker_class}"
    threads = f" ({args.threads} threads)" if args.server == "granian" or args.worker_class == "gthread" else ""
    return f"{kind}, {args.workers} workers{threads}"


def app_server(kind: str, factory: str, env: dict[str, str], *, workers: int = 4, threads: int = 2,
               worker_class: str = "gthread", pythonpath: str | None = None):
    """The app factory ``factory`` (``"module:function"``) under ``kind`` (``gunicorn`` or ``granian``): the
    context manager of :func:`gunicorn` or :func:`granian`."""
    if kind == "granian":
        if pythonpath:
            env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [pythonpath, env.get("PYTHONPATH", "")]))}
        return granian(factory, env, workers=workers, threads=threads)
    return gunicorn(f"{factory}()", env, workers=workers, worker_class=worker_class, threads=threads,
                    pythonpath=pythonpath)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(command: list[str], env: dict[str, str], port: int) -> Iterator[tuple[subprocess.Popen, int]]:
    """Start the server ``command`` listening on ``port``; yield (process, port) once it accepts connections."""
    # every bench login comes from loopback: lift the per-client login rate (lms.accounts.throttle)
    env = {"LMS_LOGIN_RATE": "1000000 per minute", **env}
    server = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parents[1])
    try:
        end = time.monotonic() + 60
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > end or server.poll() is not None:
                raise SystemExit(f"{command[0]} did not start")
            time.sleep(0.2)
        yield server, port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
