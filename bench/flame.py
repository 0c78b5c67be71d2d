"""Summarise a py-spy ``--format raw`` profile (collapsed stacks): where the time goes.

    python bench/flame.py /tmp/spy/broadcast-1000.txt [--top 25] [--idle]

Prints the share of samples per function *inclusive* (the function or anything it calls) and
*self* (the function itself), leaving out idle samples (the gevent hub waiting in epoll)
unless ``--idle``.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

IDLE = ("run (gevent/hub.py", "select (selectors.py", "poll (", "wait (gevent", "epoll")


def frames(stack: str) -> list[str]:
    out = []
    for f in stack.split(";"):
        f = re.sub(r":\d+\)$", ")", f.strip())  # forget line numbers
        f = re.sub(r"\(/.*?/site-packages/", "(", f)
        f = re.sub(r"\(/work/main/", "(", f)
        out.append(f)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--idle", action="store_true")
    args = ap.parse_args()
    incl, self_, total, idle = Counter(), Counter(), 0, 0
    for line in open(args.file, encoding="utf-8", errors="replace"):
        line = line.rstrip()
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        fs = frames(stack)
        if not fs:
            continue
        leaf = fs[-1]
        if not args.idle and any(leaf.startswith(i) for i in IDLE) and len(fs) <= 4:
            idle += n
            continue
        total += n
        self_[leaf] += n
        for f in set(fs):
            incl[f] += n
    print(f"busy samples: {total}  idle samples: {idle}")
    print("\ninclusive:")
    for f, n in incl.most_common(args.top):
        print(f"  {100 * n / total:5.1f}%  {f}")
    print("\nself:")
    for f, n in self_.most_common(args.top):
        print(f"  {100 * n / total:5.1f}%  {f}")


if __name__ == "__main__":
    main()
