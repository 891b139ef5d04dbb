"""Run a command and report its wall time and the CPU time of every process it started.

    .venv/bin/python bench/cpu_tree.py .venv/bin/pytest -q -n 0 tests/browser/test_x.py

``/usr/bin/time`` and ``getrusage(RUSAGE_CHILDREN)`` count only the descendants that their
parents waited for. Chromium's renderer, GPU and utility processes outlive the browser process
that forked them when Playwright closes it, are adopted by init and are never counted: on a
browser test that is most of the CPU (measured: 2.7 s counted of 4.0 s spent for three
Chromium launches). This script makes itself a child subreaper (Linux ``prctl``), so orphans
are adopted by it, reaps them all at the end and reports the whole tree's user + system time.
It also samples /proc every quarter second to split the CPU by command name (processes that
live shorter than a sample are in the total only). On a shared machine CPU time is a fairer
measure than wall time, which follows the machine's load.
"""

from __future__ import annotations

import collections
import ctypes
import os
import resource
import subprocess
import sys
import threading
import time

PR_SET_CHILD_SUBREAPER = 36
TICKS = os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> list[tuple[int, str, float]]:
    """(pid, command, CPU seconds so far) of every process under ``root``."""
    children = collections.defaultdict(list)
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat_file:
                stat = stat_file.read()
        except OSError:
            continue
        end = stat.rindex(")")
        command = stat[stat.index("(") + 1:end]
        fields = stat[end + 2:].split()
        cpu = (int(fields[11]) + int(fields[12])) / TICKS
        children[int(fields[1])].append((int(name), command, cpu))
    found, todo = [], [root]
    while todo:
        for pid, command, cpu in children.get(todo.pop(), []):
            found.append((pid, command, cpu))
            todo.append(pid)
    return found


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("cannot become a child subreaper: orphans will be missed", file=sys.stderr)
    seen: dict[tuple[int, str], float] = {}
    done = threading.Event()

    def sample():
        while not done.is_set():
            for pid, command, cpu in _tree(os.getpid()):
                seen[(pid, command)] = cpu
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    code = subprocess.call(argv)  # noqa: S603 (the command line the user gave)
    wall = time.monotonic() - started
    while True:  # reap the adopted orphans, so their CPU joins RUSAGE_CHILDREN
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    done.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    by_command: collections.Counter = collections.Counter()
    for (_, command), cpu in seen.items():
        by_command[command.split("/")[0].split(":")[0]] += cpu
    split = ", ".join(f"{name} {cpu:.1f}" for name, cpu in by_command.most_common(8))
    print(f"cpu_tree: wall {wall:.1f} s, CPU {usage.ru_utime + usage.ru_stime:.1f} s "
          f"(user {usage.ru_utime:.1f}, system {usage.ru_stime:.1f}); by command: {split}",
          file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
