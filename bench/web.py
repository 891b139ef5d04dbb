"""Load the public pages of the demo workshop under gunicorn and report req/s, p50 and p99.

Run from anywhere (``make bench`` does ``.venv/bin/python bench/web.py``). The script:

1. builds a throw-away demo in a fresh temporary directory (FUSIONFORUM_VAR_DIR points there,
   DATABASE_URL and REDIS_URL are dropped), so the developer's var/ and databases are never
   touched: ``migrate``, ``collectstatic`` and ``load_demo`` run with the dev settings;
2. starts gunicorn from the venv with the project's gunicorn.conf.py on a free port of
   127.0.0.1 (GUNICORN_WORKERS and the other GUNICORN_* variables are honoured) and waits for
   /healthz;
3. warms each page up, then loads it for ``--duration`` seconds at each connection count, with
   ``wrk`` when it is on PATH and otherwise (or with ``--no-wrk``) with a bounded asyncio load
   generator that opens one connection per request;
4. prints a table and a verdict for the target: home page at 64 connections, at least
   800 req/s and p99 at most 100 ms. The exit status is 0 whatever the verdict unless
   ``--strict`` is given; ``--json FILE`` writes the results.

Only 127.0.0.1 is ever loaded. gunicorn is always stopped, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import math
import os
import re
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = REPO_DIR / ".venv" / "bin"
HOST = "127.0.0.1"
SETTINGS_MODULE = "fusionforum.settings.dev"

DEFAULT_PAGES = (
    "/demo-workshop/",
    "/demo-workshop/livestream/",
    "/demo-workshop/contact/",  # never cached: the form carries a CSRF token
    "/demo-workshop/event.json",
)
TARGET_PAGE = "/demo-workshop/"
TARGET_CONNECTIONS = 64
TARGET_MIN_RPS = 800.0
TARGET_MAX_P99_MS = 100.0

HEALTH_TIMEOUT_S = 30.0
WARMUP_REQUESTS = 10
REQUEST_TIMEOUT_S = 10.0
SHOWN_HEADERS = ("X-Page-Cache", "Cache-Control", "Content-Type", "Connection")


@dataclass
class Result:
    page: str
    connections: int
    tool: str
    duration_s: float
    requests_ok: int = 0
    rps: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    non_2xx: int = 0
    socket_errors: int = 0
    error_detail: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


class BenchError(RuntimeError):
    """A step of the benchmark failed; the message says which."""


# Demo preparation -------------------------------------------------------------------------------


def demo_environment(var_dir: Path) -> dict[str, str]:
    """The environment of every child: the dev settings on a private var/ directory."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    env["FUSIONFORUM_VAR_DIR"] = str(var_dir)
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_manage(env: dict[str, str], *args: str) -> None:
    command = [str(VENV_BIN / "python"), "manage.py", *args]
    print(f"  $ {' '.join(command[1:])}", flush=True)
    completed = subprocess.run(
        command, cwd=REPO_DIR, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise BenchError(f"manage.py {args[0]} failed with status {completed.returncode}")


def prepare_demo(env: dict[str, str]) -> None:
    print(f"Preparing the demo in {env['FUSIONFORUM_VAR_DIR']}", flush=True)
    run_manage(env, "migrate", "--noinput")
    run_manage(env, "collectstatic", "--noinput", "-v0")
    run_manage(env, "load_demo")


# gunicorn ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def configured_workers(env: dict[str, str]) -> int:
    """The worker count gunicorn.conf.py settles on in ``env`` (for the report only)."""
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        config = runpy.run_path(str(REPO_DIR / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return int(config["workers"])


def start_gunicorn(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "gunicorn"),
        "--config", "gunicorn.conf.py",
        "--bind", f"{HOST}:{port}",
        "fusionforum.wsgi",
    ]
    print(f"Starting gunicorn on http://{HOST}:{port}/ (log: {log_path})", flush=True)
    with open(log_path, "wb") as log:
        # A session of its own: Ctrl-C reaches this script only, which then stops gunicorn.
        return subprocess.Popen(
            command, cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_healthy(process: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(
                f"gunicorn exited with status {process.returncode}:\n{log_tail(log_path)}"
            )
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, _, _ = fetch(port, "/healthz", timeout=2.0)
            if status == 200:
                return
        time.sleep(0.2)
    raise BenchError(f"/healthz did not answer 200 within {HEALTH_TIMEOUT_S:.0f} s:\n"
                     f"{log_tail(log_path)}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    """SIGTERM to gunicorn's process group, SIGKILL if it is still there after 15 s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def server_cpu_seconds(process: subprocess.Popen, *, system_only: bool = False) -> float:
    """CPU seconds (user + system, or only system) spent so far by the gunicorn started by
    start_gunicorn: every live process of its session (the master and its workers) plus the
    workers it has already reaped (recycled by max_requests). Read from /proc (Linux); 0.0
    where there is none."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        # The command name (field 2) may hold spaces: split after its closing parenthesis.
        fields = stat[stat.rindex(")") + 2:].split()
        session, utime, stime, cutime, cstime = (int(fields[3]), int(fields[11]),
                                                 int(fields[12]), int(fields[13]),
                                                 int(fields[14]))
        if session != process.pid:
            continue
        total += stime if system_only else utime + stime
        if int(entry.name) == process.pid:
            total += cstime if system_only else cutime + cstime
    return total / ticks


def log_tail(log_path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def booted_workers(log_path: Path) -> int:
    try:
        return log_path.read_text(errors="replace").count("Booting worker with pid")
    except OSError:
        return 0


# Single requests --------------------------------------------------------------------------------


def fetch(port: int, path: str, timeout: float = REQUEST_TIMEOUT_S) -> tuple[int, dict, int]:
    """GET ``path`` once; return the status, the headers and the body length."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        return response.status, dict(response.getheaders()), len(body)
    finally:
        connection.close()


def warm_up(port: int, path: str) -> dict:
    """A handful of sequential requests; returns what the last one looked like."""
    statuses = []
    headers: dict = {}
    size = 0
    for _ in range(WARMUP_REQUESTS):
        status, headers, size = fetch(port, path)
        statuses.append(status)
    shown = {name: headers[name] for name in SHOWN_HEADERS if name in headers}
    print(f"  warm-up {path}: statuses {sorted(set(statuses))}, {size} bytes, {shown}",
          flush=True)
    if statuses[-1] != 200:
        print(f"  WARNING: {path} answers {statuses[-1]}, not 200", flush=True)
    return {"statuses": statuses, "bytes": size, "headers": shown}


# Load with wrk ----------------------------------------------------------------------------------

_UNIT_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def duration_to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"unknown wrk duration {text!r}")
    return float(match.group(1)) * _UNIT_TO_MS[match.group(2)]


def parse_wrk_output(output: str, result: Result) -> Result:
    total = re.search(r"^\s*(\d+) requests in ([\d.]+\w+),", output, re.M)
    p50 = re.search(r"^\s+50(?:\.0+)?%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99(?:\.0+)?%\s+(\S+)", output, re.M)
    if not (total and p50 and p99):
        raise BenchError(f"could not parse wrk output:\n{output}")
    result.p50_ms = duration_to_ms(p50.group(1))
    result.p99_ms = duration_to_ms(p99.group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result.non_2xx = int(non_2xx.group(1)) if non_2xx else 0
    result.requests_ok = int(total.group(1)) - result.non_2xx
    # wrk's own Requests/sec counts every response; report the 2xx/3xx ones only, like the
    # Python load generator does.
    elapsed_s = duration_to_ms(total.group(2)) / 1000.0
    result.rps = result.requests_ok / elapsed_s if elapsed_s > 0 else 0.0
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if sockets:
        kinds = ("connect", "read", "write", "timeout")
        result.error_detail = {k: int(v) for k, v in zip(kinds, sockets.groups(), strict=True)}
        result.socket_errors = sum(result.error_detail.values())
    return result


def load_with_wrk(wrk: str, port: int, path: str, connections: int, duration: int) -> Result:
    threads = min(2, connections)
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
               f"http://{HOST}:{port}{path}"]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 30, check=False
    )
    if completed.returncode != 0:
        raise BenchError(f"wrk failed ({completed.returncode}):\n{completed.stderr}")
    result = Result(page=path, connections=connections, tool="wrk", duration_s=duration)
    return parse_wrk_output(completed.stdout, result)


# Load with Python -------------------------------------------------------------------------------


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


async def _one_request(port: int, request: bytes) -> int:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()  # Connection: close, so the body ends at EOF
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    parts = status_line.split()
    if len(parts) < 2 or not parts[1].isdigit():
        raise ConnectionError(f"bad status line {status_line!r}")
    return int(parts[1])


async def _python_worker(port: int, path: str, deadline: float, result: Result,
                         latencies: list[float]) -> None:
    request = (f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
               "User-Agent: fusionforum-bench\r\nConnection: close\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    while loop.time() < deadline:
        started = loop.time()
        try:
            status = await asyncio.wait_for(_one_request(port, request), REQUEST_TIMEOUT_S)
        except (OSError, ConnectionError, TimeoutError) as error:
            result.socket_errors += 1
            kind = type(error).__name__
            result.error_detail[kind] = result.error_detail.get(kind, 0) + 1
            continue
        if status == 200:
            latencies.append((loop.time() - started) * 1000.0)
        else:
            result.non_2xx += 1


async def _python_load(port: int, path: str, connections: int, duration: int) -> Result:
    result = Result(page=path, connections=connections, tool="python", duration_s=duration)
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started + duration
    workers = [
        asyncio.create_task(_python_worker(port, path, deadline, result, latencies))
        for _ in range(connections)
    ]
    # Requests still in flight at the deadline may finish; nothing runs past their timeout.
    _, pending = await asyncio.wait(workers, timeout=duration + REQUEST_TIMEOUT_S + 1)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    elapsed = loop.time() - started
    latencies.sort()
    result.requests_ok = len(latencies)
    result.rps = len(latencies) / elapsed if elapsed > 0 else 0.0
    result.p50_ms = percentile(latencies, 0.50)
    result.p99_ms = percentile(latencies, 0.99)
    return result


def load_with_python(port: int, path: str, connections: int, duration: int) -> Result:
    return asyncio.run(_python_load(port, path, connections, duration))


# Report -----------------------------------------------------------------------------------------


def format_ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def format_errors(result: Result) -> str:
    if not result.errors:
        return "0"
    detail = f"{result.non_2xx} non-2xx, {result.socket_errors} socket"
    if result.error_detail:
        kinds = ", ".join(f"{k} {v}" for k, v in result.error_detail.items() if v)
        detail += f": {kinds}"
    return f"{result.errors} ({detail})"


def print_table(results: list[Result]) -> None:
    header = ("page", "conns", "req/s", "p50 ms", "p99 ms", "errors")
    rows = [
        (r.page, str(r.connections), f"{r.rps:.1f}", format_ms(r.p50_ms), format_ms(r.p99_ms),
         format_errors(r))
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    aligns = ("<", ">", ">", ">", ">", "<")

    def line(cells):
        cells = zip(cells, aligns, widths, strict=True)
        return "  ".join(f"{c:{a}{w}}" for c, a, w in cells).rstrip()

    print()
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
    print()


def verdict(results: list[Result]) -> tuple[str, str]:
    """('PASS' | 'FAIL' | 'NOT MEASURED', explanation) for the home page target."""
    target = (f"home page at {TARGET_CONNECTIONS} connections: >= {TARGET_MIN_RPS:.0f} req/s "
              f"and p99 <= {TARGET_MAX_P99_MS:.0f} ms")
    for r in results:
        if r.page == TARGET_PAGE and r.connections == TARGET_CONNECTIONS:
            ok = (r.rps >= TARGET_MIN_RPS and r.p99_ms is not None
                  and r.p99_ms <= TARGET_MAX_P99_MS)
            measured = f"measured {r.rps:.1f} req/s, p99 {format_ms(r.p99_ms)} ms"
            return ("PASS" if ok else "FAIL"), f"{target} ({measured})"
    return "NOT MEASURED", target


# Main -------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default=",".join(DEFAULT_PAGES),
                        help="comma-separated paths to load (default: %(default)s)")
    parser.add_argument("--connections", default="8,64",
                        help="comma-separated connection counts (default: %(default)s)")
    parser.add_argument("--duration", type=int, default=10,
                        help="seconds of load per page and connection count (default: 10)")
    parser.add_argument("--no-wrk", action="store_true",
                        help="use the Python load generator even when wrk is installed")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when the home page target fails")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary demo directory (for reading the gunicorn log)")
    args = parser.parse_args(argv)
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    for page in args.pages:
        if not page.startswith("/"):
            parser.error(f"pages are paths on 127.0.0.1 and start with '/': {page!r}")
    try:
        args.connections = [int(c) for c in args.connections.split(",") if c.strip()]
    except ValueError:
        parser.error("--connections takes integers, e.g. 8,64")
    if not args.connections or min(args.connections) < 1 or args.duration < 1:
        parser.error("connections and duration must be positive")
    return args


def run_benchmark(args: argparse.Namespace, var_dir: Path) -> dict:
    env = demo_environment(var_dir)
    prepare_demo(env)
    port = free_port()
    log_path = var_dir / "gunicorn.log"
    workers = configured_workers(env)
    wrk = None if args.no_wrk else shutil.which("wrk")
    tool = f"wrk ({wrk})" if wrk else "python asyncio load generator"
    process = start_gunicorn(env, port, log_path)
    try:
        wait_until_healthy(process, port, log_path)
        print(f"gunicorn is up: {workers} workers configured "
              f"(GUNICORN_WORKERS={os.environ.get('GUNICORN_WORKERS', 'unset')}); "
              f"load tool: {tool}", flush=True)
        results: list[Result] = []
        warmups = {}
        for path in args.pages:
            warmups[path] = warm_up(port, path)
            for connections in args.connections:
                print(f"  loading {path} with {connections} connections "
                      f"for {args.duration} s ...", flush=True)
                if wrk:
                    result = load_with_wrk(wrk, port, path, connections, args.duration)
                else:
                    result = load_with_python(port, path, connections, args.duration)
                results.append(result)
        booted = booted_workers(log_path)
        log_problems = [line for line in log_tail(log_path, 10_000).splitlines()
                        if "ERROR" in line or "CRITICAL" in line or "WORKER TIMEOUT" in line]
    finally:
        print("Stopping gunicorn", flush=True)
        stop_gunicorn(process)
    if log_problems:
        print(f"gunicorn log has {len(log_problems)} error lines, e.g.:")
        for line in log_problems[:5]:
            print(f"  {line}")
    return {
        "tool": "wrk" if wrk else "python",
        "workers": workers,
        "workers_booted": booted,
        "cpu_count": os.cpu_count(),
        "duration_s": args.duration,
        "warmup": warmups,
        "results": results,
    }


def interrupt_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM (e.g. from a CI runner) unwinds like Ctrl-C so gunicorn is stopped too.
    signal.signal(signal.SIGTERM, interrupt_on_sigterm)
    var_dir = Path(tempfile.mkdtemp(prefix="fusionforum-bench-"))
    try:
        report = run_benchmark(args, var_dir)
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    except (BenchError, subprocess.TimeoutExpired, OSError) as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"Demo directory kept: {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)

    results: list[Result] = report["results"]
    print_table(results)
    outcome, explanation = verdict(results)
    print(f"Target {outcome}: {explanation}")
    print(f"gunicorn workers: {report['workers']} configured, {report['workers_booted']} booted "
          f"during the run, on {report['cpu_count']} CPUs; "
          f"load tool: {report['tool']}")
    if args.json:
        payload = dict(report, results=[dict(asdict(r), errors=r.errors) for r in results],
                       verdict={"outcome": outcome, "target": explanation})
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"Results written to {args.json}")
    return 1 if args.strict and outcome == "FAIL" else 0


if __name__ == "__main__":
    sys.exit(main())
