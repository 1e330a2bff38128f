"""Run a command and report its wall time and the peak memory of its whole process tree.

`/usr/bin/time -v` and `getrusage(RUSAGE_CHILDREN)` give the largest single process; a plan
runs in a main process and solver workers forked from a fork server, so the tree's resident
sets are summed, sampled from /proc every 100 ms.

    python bench/peak.py [--interval 0.1] [--out FILE] -- COMMAND ...

prints one JSON object: {"command", "returncode", "wall_s", "peak_rss_mib", "peak_processes"}.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: fields follow the last ')'.
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return 0
    return int(fields[1]) * PAGE


def tree_rss(root: int) -> tuple[int, int]:
    """Summed resident bytes of ``root`` and all its descendants, and how many there are."""
    tree = _children()
    total, count, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss(pid)
        count += 1
        todo.extend(tree.get(pid, ()))
    return total, count


def measure(command: list[str], env: dict[str, str] | None = None, interval: float = 0.1) -> dict:
    """Run ``command``; its wall seconds, the peak summed RSS of its tree, and its output."""
    started = time.monotonic()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(child.stdout or ()), daemon=True)
    reader.start()
    peak, peak_count = 0, 0
    while child.poll() is None:
        rss, count = tree_rss(child.pid)
        if rss > peak:
            peak, peak_count = rss, count
        time.sleep(interval)
    wall = time.monotonic() - started
    reader.join()
    return {
        "command": " ".join(command),
        "returncode": child.returncode,
        "wall_s": round(wall, 1),
        "peak_rss_mib": round(peak / 2**20),
        "peak_processes": peak_count,
        "stdout": "".join(out),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--out", type=Path)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("no command given")
    result = measure(command, interval=args.interval)
    sys.stdout.write(result.pop("stdout"))
    text = json.dumps(result)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return int(result["returncode"])


if __name__ == "__main__":
    sys.exit(main())
