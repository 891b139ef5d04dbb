"""Load the programme of a generated 1,000-talk event under gunicorn: the programme page, a
talk page and every export; report req/s, p50 and p99 at 64 connections against the target.

Run from anywhere (``make bench-programme``; ``make bench`` runs it too). For each database
(``--databases sqlite,postgresql``) the script:

1. makes a fresh database: a SQLite file in a temporary directory, or a PostgreSQL database
   ``ff_bench_prog_<random>`` on ``BENCH_POSTGRES_URL`` (default
   postgresql://postgres@127.0.0.1:5432/postgres), dropped at the end whatever happens;
2. migrates it and generates a synthetic event (``--talks``, default 1,000 talks of 20
   minutes by fictional speakers of fictional companies, in 21 rooms over two days) and
   releases its programme through the release service;
3. starts gunicorn with the project's gunicorn.conf.py and the same settings as bench/web.py
   (the dev settings on the temporary directory: DEBUG off, file cache shared by the workers),
   warms each page up and loads it with wrk (or bench/web.py's Python generator) at
   ``--connections`` (default 64) for ``--duration`` seconds;
4. prints a table with the target: at least 10x what pretalx 2025.2 serves on this machine
   (measured ~35 req/s for /schedule/ and ~12 req/s for schedule.json), so >= 350 req/s for the
   two pages and >= 120 req/s for each export, and PASS/FAIL per row. Next to req/s it prints
   the server's CPU milliseconds per request (user + system time of gunicorn's master and
   workers during the load, from /proc, divided by the requests answered; "of it system" is
   the kernel's part, mostly sending the bytes): a cached export must cost what a cached page
   costs, at most 1 ms (``CPU_TARGET_MS``), plain and gzip.

``--only schedule`` loads only the rows whose address contains one of the comma-separated
words (e.g. to measure the exports alone).

Only 127.0.0.1 is loaded. gunicorn is always stopped and the databases dropped, also on
Ctrl-C. The exit status is 0 whatever the verdict unless ``--strict`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import web  # noqa: E402  (bench/web.py: gunicorn, wrk and the Python load generator)

REPO_DIR = web.REPO_DIR
SLUG = "bench-programme-2027"
PAGE_TARGET = 350.0  # 10 x pretalx's ~35 req/s for /schedule/
EXPORT_TARGET = 120.0  # 10 x pretalx's ~12 req/s for schedule.json
# Server CPU per request of a cached export: what a cached page costs (the programme page,
# served from memory, costs about 0.8 ms on a quiet 2-CPU machine).
CPU_TARGET_MS = 1.0
ROOMS = 21
DAYS = 2
SESSIONS_PER_DAY = 3
TALKS_PER_SESSION = 8
TALK_MINUTES = 20


# Generation (runs inside Django, in a child process) ---------------------------------------


def generate(talks: int) -> dict:
    """Create the synthetic event and release it; returns the slug and one talk code."""
    import datetime as dt

    import django

    django.setup()
    from django.db import transaction

    from fusionforum.accounts.models import Organisation, User
    from fusionforum.cfp.models import CallSettings, Speaker, Submission
    from fusionforum.events.models import Day, Event, EventStatus
    from fusionforum.programme.models import ProgrammeSession, Release, Room, TalkSlot

    capacity = ROOMS * DAYS * SESSIONS_PER_DAY * TALKS_PER_SESSION
    if talks > capacity:
        raise SystemExit(f"at most {capacity} talks fit the generated grid")
    start_date = dt.date(2027, 5, 26)
    with transaction.atomic():
        event = Event(slug=SLUG, title="Benchmark Fusion Workshop (synthetic)",
                      tagline="Generated for the programme benchmark",
                      start_date=start_date, end_date=start_date + dt.timedelta(days=DAYS - 1),
                      venue_name="Synthetic Campus", venue_address="1 Bench Road\nTestville",
                      description="A **synthetic** event with generated talks.",
                      contact_emails="bench@bench.invalid", public_email="bench@bench.invalid",
                      status=EventStatus.PUBLISHED)
        event.full_clean()
        event.save()
        tz = event.tz
        for offset in range(DAYS):
            Day.objects.create(event=event, date=start_date + dt.timedelta(days=offset),
                               label=f"Day {offset + 1}")
        CallSettings.objects.create(
            event=event, opens_at=dt.datetime(2027, 1, 1, tzinfo=tz),
            closes_at=dt.datetime(2027, 3, 1, tzinfo=tz))
        organisations = Organisation.objects.bulk_create([
            Organisation(name=f"Fictional Fusion Company {n:03d}", kind="private_developer",
                         fusion_approach=("tokamak", "stellarator", "laser_inertial",
                                          "z_pinch", "frc")[n % 5], country="FR")
            for n in range(max(1, talks // 5))
        ])
        organisations = list(Organisation.objects.filter(name__startswith="Fictional Fusion "
                                                              "Company").order_by("name"))
        User.objects.bulk_create([
            User(email=f"speaker{n:04d}@bench.invalid", full_name=f"Synthetic Speaker {n:04d}",
                 organisation=organisations[n % len(organisations)], password="!")
            for n in range(talks)
        ])
        users = list(User.objects.filter(email__endswith="@bench.invalid").order_by("email"))
        rooms = Room.objects.bulk_create([
            Room(event=event, name=f"Room {n + 1:02d}", position=n, capacity=100)
            for n in range(ROOMS)
        ])
        rooms = list(Room.objects.filter(event=event).order_by("position"))
        now = dt.datetime(2027, 3, 2, tzinfo=tz)
        submissions = Submission.objects.bulk_create([
            Submission(event=event, organisation=users[n].organisation, state="confirmed",
                       title=f"Synthetic progress report {n:04d} on a fictional device",
                       abstract="A generated abstract about a fictional fusion device. " * 4,
                       breakthroughs="Generated public answer about a milestone. " * 8,
                       challenges="Generated confidential answer. " * 4,
                       challenges_visibility="confidential",
                       iter_help="Generated public answer about ITER. " * 4,
                       breakthrough_scale="prototype_device", created_by=users[n],
                       created_at=now, submitted_at=now)
            for n in range(talks)
        ])
        submissions = list(Submission.objects.filter(event=event).order_by("title"))
        Speaker.objects.bulk_create([Speaker(submission=s, user=u, position=0)
                                     for s, u in zip(submissions, users, strict=True)])
        placed = 0
        slots = []
        for day in range(DAYS):
            date = start_date + dt.timedelta(days=day)
            for block in range(SESSIONS_PER_DAY):
                begin = dt.datetime.combine(date, dt.time(9 + block * 3, 0), tzinfo=tz)
                for room in rooms:
                    if placed >= talks:
                        break
                    session = ProgrammeSession.objects.create(
                        event=event, kind="talks", room=room, start=begin,
                        end=begin + dt.timedelta(minutes=TALKS_PER_SESSION * TALK_MINUTES),
                        title=f"{room.name} block {block + 1}")
                    for n in range(TALKS_PER_SESSION):
                        if placed >= talks:
                            break
                        slots.append(TalkSlot(
                            submission=submissions[placed], session=session,
                            start=begin + dt.timedelta(minutes=n * TALK_MINUTES),
                            duration_minutes=TALK_MINUTES))
                        placed += 1
        TalkSlot.objects.bulk_create(slots)
    try:
        from fusionforum.programme import releases

        releases.release(event, by=None, comment="Generated programme.", notify=False)
    except Exception as error:  # the service refused: say so, release the snapshot directly
        print(f"  release service refused ({error}); releasing the snapshot directly",
              flush=True)
        from fusionforum.core import clock
        from fusionforum.programme import snapshot

        Release.objects.create(event=event, version=1, released_at=clock.now(),
                               snapshot=snapshot.build(event))
    release = Release.objects.filter(event=event).order_by("-version").first()
    return {"slug": SLUG, "talk": release.snapshot["talks"][0]["code"],
            "talks": len(release.snapshot["talks"]), "version": release.version}


# Databases -------------------------------------------------------------------------------


def postgres_admin_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def postgres_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(postgres_admin_url(), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def create_postgres() -> str:
    name = f"ff_bench_prog_{secrets.token_hex(4)}"
    postgres_execute(f'CREATE DATABASE "{name}"')
    return name


def drop_postgres(name: str) -> None:
    try:
        postgres_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"Dropped PostgreSQL database {name}", flush=True)
    except Exception as error:  # reported, never hidden
        print(f"WARNING: could not drop PostgreSQL database {name}: {error}", flush=True)


# Running ---------------------------------------------------------------------------------


def pages(info: dict, gzip_too: bool) -> list[tuple[str, float, bool]]:
    """(path, target, with Accept-Encoding: gzip). Exports are measured as browsers and
    schedule apps fetch them (gzip) and, for comparison, uncompressed."""
    slug = info["slug"]
    rows = [(f"/{slug}/programme/", PAGE_TARGET, False),
            (f"/{slug}/talks/{info['talk']}/", PAGE_TARGET, False)]
    for export in ("schedule.xml", "schedule.json", "programme.json", "programme.ics"):
        if gzip_too:
            rows.append((f"/{slug}/programme/{export}", EXPORT_TARGET, True))
        rows.append((f"/{slug}/programme/{export}", EXPORT_TARGET, False))
    return rows


def load_with_wrk_gzip(wrk: str, port: int, path: str, connections: int,
                       duration: int) -> web.Result:
    """bench/web.py's wrk run, with the Accept-Encoding header clients send."""
    command = [wrk, f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s",
               "--latency", "-H", "Accept-Encoding: gzip",
               f"http://{web.HOST}:{port}{path}"]
    completed = subprocess.run(command, capture_output=True, text=True,
                               timeout=duration + 30, check=False)
    if completed.returncode != 0:
        raise web.BenchError(f"wrk failed ({completed.returncode}):\n{completed.stderr}")
    result = web.Result(page=path, connections=connections, tool="wrk", duration_s=duration)
    return web.parse_wrk_output(completed.stdout, result)


def run_one(database: str, args: argparse.Namespace) -> list[dict]:
    var_dir = Path(tempfile.mkdtemp(prefix="fusionforum-bench-programme-"))
    env = web.demo_environment(var_dir)
    pg_name = None
    process = None
    rows: list[dict] = []
    try:
        if database == "postgresql":
            pg_name = create_postgres()
            env["DATABASE_URL"] = with_database(postgres_admin_url(), pg_name)
            print(f"[{database}] database {pg_name}", flush=True)
        else:
            print(f"[{database}] database {var_dir}", flush=True)
        web.run_manage(env, "migrate", "--noinput")
        web.run_manage(env, "collectstatic", "--noinput", "-v0")
        print(f"  generating {args.talks} talks and releasing ...", flush=True)
        started = time.monotonic()
        completed = subprocess.run(
            [str(web.VENV_BIN / "python"), __file__, "--generate", str(args.talks)],
            cwd=REPO_DIR, env=env, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            sys.stderr.write(completed.stdout + completed.stderr)
            raise web.BenchError("generating the event failed")
        info = json.loads(completed.stdout.strip().splitlines()[-1])
        print(f"  {info['talks']} talks released as version {info['version']} in "
              f"{time.monotonic() - started:.1f} s", flush=True)
        port = web.free_port()
        log_path = var_dir / "gunicorn.log"
        wrk = None if args.no_wrk else shutil.which("wrk")
        process = web.start_gunicorn(env, port, log_path)
        web.wait_until_healthy(process, port, log_path)
        for path, target, gzipped in pages(info, gzip_too=bool(wrk)):
            if args.only and not any(word in path for word in args.only):
                continue
            warm = web.warm_up(port, path)
            size = warm["bytes"]
            if gzipped:
                size = gzipped_size(port, path)
            for connections in args.connections:
                print(f"  loading {path}{' (gzip)' if gzipped else ''} with {connections} "
                      f"connections for {args.duration} s", flush=True)
                cpu_before = web.server_cpu_seconds(process)
                sys_before = web.server_cpu_seconds(process, system_only=True)
                if wrk and gzipped:
                    result = load_with_wrk_gzip(wrk, port, path, connections, args.duration)
                elif wrk:
                    result = web.load_with_wrk(wrk, port, path, connections, args.duration)
                else:
                    result = web.load_with_python(port, path, connections, args.duration)
                cpu_s = web.server_cpu_seconds(process) - cpu_before
                sys_s = web.server_cpu_seconds(process, system_only=True) - sys_before
                answered = result.requests_ok + result.non_2xx
                rows.append({"database": database,
                             "page": path + (" [gzip]" if gzipped else ""), "target": target,
                             "cpu_target_ms": None if target == PAGE_TARGET else CPU_TARGET_MS,
                             "cpu_ms": cpu_s * 1000 / answered if answered else None,
                             "sys_ms": sys_s * 1000 / answered if answered else None,
                             "bytes": size, "status": warm["statuses"][-1],
                             "result": result})
    finally:
        if process is not None:
            web.stop_gunicorn(process)
        if pg_name:
            drop_postgres(pg_name)
        shutil.rmtree(var_dir, ignore_errors=True)
    return rows


def gzipped_size(port: int, path: str) -> int:
    import http.client

    connection = http.client.HTTPConnection(web.HOST, port, timeout=web.REQUEST_TIMEOUT_S)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        return len(connection.getresponse().read())
    finally:
        connection.close()


def print_table(rows: list[dict], target_connections: int) -> bool:
    header = ("db", "page", "conns", "KiB", "req/s", "CPU ms/req", "of it system", "p50 ms",
              "p99 ms", "errors", "target", "verdict")
    lines = []
    all_pass = True
    for row in rows:
        r = row["result"]
        judged = r.connections == target_connections
        cpu_ms, cpu_target = row.get("cpu_ms"), row.get("cpu_target_ms")
        ok = row["status"] == 200 and r.errors == 0 and r.rps >= row["target"] and (
            cpu_target is None or (cpu_ms is not None and cpu_ms <= cpu_target))
        verdict = ("PASS" if ok else "FAIL") if judged else "-"
        if row["status"] != 200:
            verdict = f"FAIL ({row['status']})"
        all_pass &= ok or not judged
        lines.append((row["database"], row["page"], str(r.connections),
                      f"{row['bytes'] / 1024:.0f}", f"{r.rps:.1f}", web.format_ms(cpu_ms),
                      web.format_ms(row.get("sys_ms")),
                      web.format_ms(r.p50_ms), web.format_ms(r.p99_ms), web.format_errors(r),
                      f">= {row['target']:.0f}"
                      + (f", <= {cpu_target:.0f} ms CPU" if cpu_target else ""), verdict))
    widths = [max(len(x[i]) for x in [header, *lines]) for i in range(len(header))]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    print()
    return all_pass


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--talks", type=int, default=1000)
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default: %(default)s)")
    parser.add_argument("--connections", default="64")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--no-wrk", action="store_true")
    parser.add_argument("--only", default="",
                        help="comma-separated words: load only the addresses containing one")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when a target fails")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    args.connections = [int(c) for c in args.connections.split(",") if c.strip()]
    args.only = [w.strip() for w in args.only.split(",") if w.strip()]
    if set(args.databases) - {"sqlite", "postgresql"}:
        parser.error("databases are sqlite and postgresql")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.generate:
        print(json.dumps(generate(args.generate)))
        return 0
    signal.signal(signal.SIGTERM, web.interrupt_on_sigterm)
    rows: list[dict] = []
    try:
        for database in args.databases:
            try:
                rows += run_one(database, args)
            except web.BenchError as error:
                print(f"[{database}] bench failed: {error}", file=sys.stderr)
            except Exception as error:
                if database != "postgresql":
                    raise
                print(f"[{database}] skipped: {error}", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return 130
    if not rows:
        print("Nothing was measured.")
        return 2
    target_connections = 64 if 64 in args.connections else max(args.connections)
    all_pass = print_table(rows, target_connections)
    tool = rows[0]["result"].tool
    print(f"Targets at {target_connections} connections: pages >= {PAGE_TARGET:.0f} req/s, "
          f"exports >= {EXPORT_TARGET:.0f} req/s (10x pretalx 2025.2 on this machine) "
          f"and <= {CPU_TARGET_MS:.0f} ms server CPU per request. "
          f"Overall: {'PASS' if all_pass else 'FAIL'}. Load tool: {tool}; "
          f"{os.cpu_count()} CPUs; gunicorn workers: "
          f"{web.configured_workers(web.demo_environment(Path(tempfile.gettempdir())))}.")
    if args.json:
        args.json.write_text(json.dumps([
            {k: v for k, v in row.items() if k != "result"}
            | {"rps": row["result"].rps, "p50_ms": row["result"].p50_ms,
               "p99_ms": row["result"].p99_ms, "errors": row["result"].errors,
               "connections": row["result"].connections} for row in rows], indent=2) + "\n")
    return 1 if args.strict and not all_pass else 0


if __name__ == "__main__":
    sys.exit(main())
