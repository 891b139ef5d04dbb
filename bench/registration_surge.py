"""Registration surge: 2,000 participants race for 300 seats on live gunicorn app servers.

Run from anywhere (``make bench`` runs it after bench/web.py). For each database (PostgreSQL,
then SQLite) the script:

1. creates a database of its own: ``ff_surge_<random>`` on the PostgreSQL server of
   ``--pg-admin-url`` (dropped at the end; the row is skipped when no server answers), or a
   SQLite file in a fresh temporary directory; the developer's var/ and databases are never
   touched;
2. migrates it, collects the static files and seeds one open event (no approval, ``--seats``
   seats, no cap per organisation) and ``--clients`` verified people of varied organisations,
   each with a logged-in session and a CSRF cookie (tests/registration/surge_support.py);
3. starts ``--servers`` gunicorn app servers sharing the database, with the project's
   gunicorn.conf.py: the production settings on PostgreSQL with Redis as the cache and for
   session copies, as deployed (``--redis-url``; requests carry the proxy's
   X-Forwarded-Proto: https), the dev-based test-server settings on SQLite;
4. releases every client at once: each POSTs the registration form (session cookie, CSRF
   token) to one of the servers in turn, at most ``--concurrency`` connections in flight
   (asyncio, 127.0.0.1 only, a timeout per request and for the whole surge);
5. checks the database against what the clients were told and prints one row per database:
   accepted registrations per second (registrations acknowledged with 302 / wall time of the
   surge), p50 and p99 latency (connect to last byte), 5xx, oversold (confirmed beyond the
   capacity, must be 0) and lost (acknowledged but not stored, must be 0); then the CPU time
   per registration of the app servers, PostgreSQL, the load generator and the whole machine
   (other work on the machine shows as the difference), with the load average.

Targets: >= 300 accepted/s and p99 <= 1 s, nothing oversold or lost, no 5xx. The exit status
is 0 whatever the outcome unless ``--strict`` is given; ``--json FILE`` writes the results.
gunicorn is always stopped (as a process group), also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from bench.web import percentile  # noqa: E402 (one nearest-rank percentile for both benches)
from tests.registration import surge_support as surge  # noqa: E402

SLUG = "surge-bench"
TARGET_MIN_ACCEPTED_PER_S = 300.0
TARGET_MAX_P99_MS = 1000.0
REQUEST_TIMEOUT_S = 30.0
# gunicorn per app server unless --workers/--threads or GUNICORN_WORKERS/GUNICORN_THREADS say
# otherwise: 2 workers of 1 thread each (4 processes for 2 servers), of gunicorn.conf.py's
# class (gthread since the demo serves browsers directly; the figures below were measured
# with the sync class, which also runs one request per worker). The surge is CPU-bound: on
# the 2-CPU development machine a registration costs about 8.5 ms of gunicorn CPU, 2.5 ms of
# PostgreSQL CPU and 0.5 ms of this load generator (13 and 4 ms before the hot path was cut from 19
# database round trips and two transactions to 13 and one, with sessions read from Redis),
# so the two CPUs top out near 175 registrations/s. More workers only lengthen the queue and
# fewer leave a CPU idle while a worker waits for the database (2x1 and 2x3 both did worse than
# 2x2 in back-to-back runs); threads (gthread) lengthen the tail: a thread holding the seat
# lock waits for the GIL behind its siblings (p99 2.3 s with 2 servers x 3 workers x 2 threads).
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 1


@dataclass
class Row:
    database: str
    settings: str
    servers: int
    workers: int
    threads: int
    clients: int
    seats: int
    concurrency: int
    redis: bool = False  # the app servers' cache (and session copies) in Redis
    acknowledged: int = 0
    wall_s: float = 0.0
    accepted_per_s: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    # From the release of all clients to each answer: what the last people in the queue see.
    p99_since_release_ms: float | None = None
    server_errors: int = 0
    client_errors: int = 0
    confirmed: int = 0
    waitlisted: int = 0
    oversold: int = 0
    lost: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    log_problems: list[str] = field(default_factory=list)
    seconds_to_prepare: float = 0.0
    # Registrations per second through the seat lock over the first and last 10% of the log.
    lock_rate_start: float = 0.0
    lock_rate_end: float = 0.0
    # CPU time per acknowledged registration (ms) during the surge, from /proc (Linux): the app
    # servers' process groups, the database server's processes (PostgreSQL; SQLite runs inside
    # the app servers), this load generator, and the whole machine (busy time of every CPU).
    cpu_ms: dict[str, float] = field(default_factory=dict)
    load_average: str = ""

    def meets_targets(self) -> bool:
        return (not self.problems and self.oversold == 0 and self.lost == 0
                and self.server_errors == 0 and self.client_errors == 0
                and self.accepted_per_s >= TARGET_MIN_ACCEPTED_PER_S
                and self.p99_ms is not None and self.p99_ms <= TARGET_MAX_P99_MS)


class BenchError(RuntimeError):
    """A step of the benchmark failed; the message says which."""


# CPU accounting ---------------------------------------------------------------------------------

DATABASE_PROCESSES = {"postgres"}


def cpu_snapshot(app_groups: list[int]) -> dict[str, float]:
    """CPU seconds used so far by the app servers (their process groups), the database server,
    this process (the load generator) and the machine as a whole. Empty off Linux."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError, AttributeError):
        return {}
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    snapshot = {"machine": (sum(fields[:8]) - idle) / ticks, "app": 0.0, "database": 0.0}
    groups = set(app_groups)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                text = stat.read()
        except OSError:
            continue  # gone meanwhile
        comm = text[text.index("(") + 1:text.rindex(")")]
        rest = text[text.rindex(")") + 2:].split()
        used = (int(rest[11]) + int(rest[12])) / ticks  # utime + stime
        if int(rest[2]) in groups:
            snapshot["app"] += used
        elif comm in DATABASE_PROCESSES:
            snapshot["database"] += used
    usage = resource.getrusage(resource.RUSAGE_SELF)
    snapshot["load generator"] = usage.ru_utime + usage.ru_stime
    return snapshot


def cpu_per_registration(before: dict[str, float], after: dict[str, float],
                         registrations: int, *, database: bool) -> dict[str, float]:
    """Milliseconds per registration. ``database``: whether a database server took part (not
    with SQLite, which runs inside the app servers)."""
    if not before or not after or registrations < 1:
        return {}
    return {key: round(max(0.0, after[key] - before[key]) * 1000.0 / registrations, 2)
            for key in before if database or key != "database"}


# The surge --------------------------------------------------------------------------------------


def post_bytes(client: dict, port: int, site: surge.Site, index: int) -> bytes:
    path = surge.registration_path(SLUG)
    # The CSRF cookie holds a 32-character secret; Django takes the same value, unmasked, as
    # the form's token (what a browser would read from the form is a masked copy of it).
    body = urllib.parse.urlencode(surge.registration_form(client, client["csrftoken"], index))
    headers = {
        **site.headers(port),
        "Cookie": "; ".join(f"{k}={v}" for k, v in surge.cookies_of(client).items()),
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(len(body)),
        "Referer": site.origin(port) + path,
        "User-Agent": "fusionforum-surge-bench",
        "Connection": "close",
    }
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return f"POST {path} HTTP/1.1\r\n{head}\r\n{body}".encode()


async def _one(port: int, payload: bytes) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection(surge.LOCALHOST, port)
    try:
        writer.write(payload)
        await writer.drain()
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        await reader.read()  # Connection: close, so the body ends at EOF
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    status_line, *header_lines = head.split("\r\n")
    parts = status_line.split()
    if len(parts) < 2 or not parts[1].isdigit():
        raise ConnectionError(f"bad status line {status_line!r}")
    location = ""
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.strip().lower() == "location":
            location = value.strip()
    return int(parts[1]), location


async def _surge(clients: list[dict], ports: list[int], site: surge.Site, concurrency: int,
                 overall_timeout: float) -> tuple[list[surge.Outcome], float, float]:
    outcomes = [surge.Outcome(user_id=c["user_id"], port=ports[i % len(ports)])
                for i, c in enumerate(clients)]
    payloads = [post_bytes(c, o.port, site, i)
                for i, (c, o) in enumerate(zip(clients, outcomes, strict=True))]
    go = asyncio.Event()
    slots = asyncio.Semaphore(concurrency)
    loop = asyncio.get_running_loop()

    async def client(outcome: surge.Outcome, payload: bytes) -> None:
        await go.wait()
        async with slots:
            outcome.sent_at = loop.time()
            try:
                outcome.status, outcome.location = await asyncio.wait_for(
                    _one(outcome.port, payload), REQUEST_TIMEOUT_S)
            except (OSError, ConnectionError, TimeoutError, asyncio.IncompleteReadError) as error:
                outcome.error = type(error).__name__
            outcome.done_at = loop.time()

    tasks = [asyncio.create_task(client(o, p)) for o, p in zip(outcomes, payloads, strict=True)]
    await asyncio.sleep(0.1)  # every client is waiting at the start line
    released = loop.time()
    go.set()
    _, pending = await asyncio.wait(tasks, timeout=overall_timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for outcome in outcomes:
        if not outcome.done_at and not outcome.error:
            outcome.error = "stopped at the surge's time limit"
    finished = max((o.done_at for o in outcomes if o.done_at), default=released)
    return outcomes, finished - released, released


def warm_up(servers: surge.AppServers) -> None:
    """Every worker imports and connects before the start: a few anonymous page loads."""
    for port in servers.ports:
        for _ in range(10):
            reply = surge.request(port, "GET", surge.registration_path(SLUG), site=servers.site)
            if reply.status != 200:
                raise BenchError(f"the registration page answers {reply.status} on {port}")


# One database -----------------------------------------------------------------------------------


def run_one(kind: str, args: argparse.Namespace, work_dir: Path) -> Row:
    var_dir = work_dir / kind
    var_dir.mkdir()
    started = time.monotonic()
    production = kind == "postgresql"
    database = (surge.postgres_database(args.pg_admin_url) if production
                else surge.sqlite_database(var_dir))
    row = Row(database=kind, settings="production" if production else "test_server (dev)",
              servers=args.servers, workers=args.workers, threads=args.threads,
              clients=args.clients, seats=args.seats, concurrency=args.concurrency)
    env = None
    try:
        redis_url = args.redis_url if production and args.redis_url else None
        if redis_url and not surge.redis_available(redis_url):
            print(f"[{kind}] no Redis answers at {redis_url}: the file cache instead",
                  flush=True)
            redis_url = None
        row.redis = bool(redis_url)
        if row.redis:
            row.settings += " + Redis"
        env = surge.child_env(database, var_dir, production=production, workers=args.workers,
                              threads=args.threads, redis_url=redis_url)
        print(f"[{kind}] preparing the database ({database.url.rsplit('/', 1)[-1]}): "
              f"migrate, collectstatic, seed {args.clients} people", flush=True)
        surge.prepare(env)
        clients = surge.seed(env, events=[SLUG], users=args.clients,
                             capacity=args.seats)["clients"]
        site = surge.Site(production=production)
        with surge.AppServers(env, args.servers, var_dir, site=site, label="surge") as servers:
            warm_up(servers)
            row.seconds_to_prepare = round(time.monotonic() - started, 1)
            print(f"[{kind}] {args.servers} app servers up on {servers.ports} "
                  f"({args.workers} workers x {args.threads} threads each); releasing "
                  f"{args.clients} clients, at most {args.concurrency} in flight", flush=True)
            groups = [process.pid for process in servers.processes]
            cpu_before = cpu_snapshot(groups)
            outcomes, wall, released = asyncio.run(_surge(
                clients, servers.ports, site, args.concurrency, args.timeout))
            cpu_after = cpu_snapshot(groups)
            with contextlib.suppress(OSError):
                row.load_average = " ".join(f"{v:.2f}" for v in os.getloadavg())
        row.log_problems = servers.log_problems()
        answered = [o for o in outcomes if not o.error]
        facts = surge.inspect(env, SLUG)
        report = surge.check(facts,
                             [(o.user_id, o.status, o.location) for o in answered],
                             capacity=args.seats, slug=SLUG,
                             client_errors=len(outcomes) - len(answered))
    finally:
        with contextlib.suppress(Exception):
            database.drop()
        if env is not None:
            with contextlib.suppress(Exception):
                surge.forget_cache(env)
    latencies = sorted((o.done_at - o.sent_at) * 1000.0 for o in answered)
    row.wall_s = round(wall, 3)
    row.acknowledged = report.acknowledged
    row.accepted_per_s = round(report.acknowledged / wall, 1) if wall > 0 else 0.0
    row.p50_ms, row.p99_ms = percentile(latencies, 0.50), percentile(latencies, 0.99)
    row.max_ms = latencies[-1] if latencies else None
    row.p99_since_release_ms = percentile(
        sorted((o.done_at - released) * 1000.0 for o in answered), 0.99)
    row.server_errors, row.client_errors = report.server_errors, report.client_errors
    row.confirmed, row.waitlisted = report.confirmed, report.waitlisted
    row.oversold, row.lost = report.oversold, report.lost
    row.statuses, row.problems = report.statuses, report.problems
    row.lock_rate_start, row.lock_rate_end = (round(r, 1) for r in surge.rates_under_lock(facts))
    row.cpu_ms = cpu_per_registration(cpu_before, cpu_after, report.acknowledged,
                                      database=production)
    return row


# Report -----------------------------------------------------------------------------------------


def format_ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def print_table(rows: list[Row]) -> None:
    header = ("database", "gunicorn", "clients/seats", "accepted/s", "p50 ms", "p99 ms",
              "5xx", "oversold", "lost", "confirmed", "waitlisted", "wall s",
              "p99 since start ms")
    lines = [
        (r.database, f"{r.servers}x{r.workers}w{r.threads}t", f"{r.clients}/{r.seats}",
         f"{r.accepted_per_s:.1f}", format_ms(r.p50_ms), format_ms(r.p99_ms),
         str(r.server_errors), str(r.oversold), str(r.lost), str(r.confirmed),
         str(r.waitlisted), f"{r.wall_s:.2f}", format_ms(r.p99_since_release_ms))
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    print()
    print("  ".join(f"{c:<{w}}" if i < 3 else f"{c:>{w}}"
                    for i, (c, w) in enumerate(zip(header, widths, strict=True))))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print("  ".join(f"{c:<{w}}" if i < 3 else f"{c:>{w}}"
                        for i, (c, w) in enumerate(zip(line, widths, strict=True))))
    print()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000, help="default: %(default)s")
    parser.add_argument("--seats", type=int, default=300, help="default: %(default)s")
    parser.add_argument("--concurrency", type=int, default=64,
                        help="most requests in flight at once (default: %(default)s)")
    parser.add_argument("--servers", type=int, default=2,
                        help="app servers sharing the database (default: %(default)s)")
    parser.add_argument("--workers", type=int,
                        default=int(os.environ.get("GUNICORN_WORKERS", DEFAULT_WORKERS)),
                        help="gunicorn workers per server (default: GUNICORN_WORKERS or "
                             f"{DEFAULT_WORKERS})")
    parser.add_argument("--threads", type=int,
                        default=int(os.environ.get("GUNICORN_THREADS", DEFAULT_THREADS)),
                        help="threads per worker (default: GUNICORN_THREADS or "
                             f"{DEFAULT_THREADS})")
    parser.add_argument("--databases", default="postgresql,sqlite",
                        help="comma-separated: postgresql, sqlite (default: %(default)s)")
    parser.add_argument("--pg-admin-url",
                        default=os.environ.get("FUSIONFORUM_BENCH_PG_URL",
                                               surge.DEFAULT_PG_ADMIN_URL),
                        help="a PostgreSQL server's maintenance database, where the bench may "
                             "CREATE and DROP its own (default: FUSIONFORUM_BENCH_PG_URL or "
                             "%(default)s)")
    parser.add_argument("--redis-url",
                        default=os.environ.get("FUSIONFORUM_BENCH_REDIS_URL",
                                               "redis://127.0.0.1:6379/0"),
                        help="Redis for the production row's cache and session copies, as in a "
                             "deployment; the run's keys have a prefix of their own and are "
                             "removed at the end; empty: the file cache (default: "
                             "FUSIONFORUM_BENCH_REDIS_URL or %(default)s)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="the surge stops after this many seconds (default: %(default)s)")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when a row misses a target")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory (gunicorn logs, SQLite file)")
    args = parser.parse_args(argv)
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if set(args.databases) - {"postgresql", "sqlite"} or not args.databases:
        parser.error("--databases takes postgresql and/or sqlite")
    if min(args.clients, args.seats, args.concurrency, args.servers, args.workers,
           args.threads) < 1 or args.clients > 20_000 or args.concurrency > 1000:
        parser.error("counts must be positive (at most 20000 clients, 1000 in flight)")
    return args


def interrupt_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, interrupt_on_sigterm)
    work_dir = Path(tempfile.mkdtemp(prefix="fusionforum-surge-"))
    rows: list[Row] = []
    skipped: dict[str, str] = {}
    try:
        for kind in args.databases:
            if kind == "postgresql" and not surge.postgres_available(args.pg_admin_url):
                skipped[kind] = f"no PostgreSQL server answers at {args.pg_admin_url}"
                print(f"[{kind}] skipped: {skipped[kind]}", flush=True)
                continue
            rows.append(run_one(kind, args, work_dir))
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    except (BenchError, RuntimeError, OSError) as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"Work directory kept: {work_dir}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)

    print_table(rows)
    for row in rows:
        verdict = "PASS" if row.meets_targets() else "FAIL"
        print(f"{row.database}: {verdict} (targets: >= {TARGET_MIN_ACCEPTED_PER_S:.0f} "
              f"accepted/s, p99 <= {TARGET_MAX_P99_MS:.0f} ms, nothing oversold or lost, "
              f"no 5xx); settings {row.settings}, statuses {row.statuses}, "
              f"at most {row.concurrency} in flight, on {os.cpu_count()} CPUs; through the "
              f"seat lock {row.lock_rate_start:.0f}/s at the start, "
              f"{row.lock_rate_end:.0f}/s at the end")
        if row.cpu_ms:
            print("  CPU per registration: " + ", ".join(
                f"{name} {ms:.1f} ms" for name, ms in row.cpu_ms.items())
                + f" (load average after the surge: {row.load_average})")
        for problem in row.problems + row.log_problems[:5]:
            print(f"  ! {problem}")
    if args.json:
        payload = {"cpu_count": os.cpu_count(), "skipped": skipped,
                   "targets": {"min_accepted_per_s": TARGET_MIN_ACCEPTED_PER_S,
                               "max_p99_ms": TARGET_MAX_P99_MS},
                   "rows": [dict(asdict(r), meets_targets=r.meets_targets()) for r in rows]}
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"Results written to {args.json}")
    failed = any(not r.meets_targets() for r in rows)
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
