"""The corrections that make the workbook lossless: JSON diff operations
``[path, [value read] or [], [original] or []]`` (``[]`` = key absent), stored in a row's
``_meta`` cells or in the ``_extra`` sheet, and applied on reading only while a value still
reads as it did when written, so that a hand edit always wins. Plain JSON, no cells.
"""

from __future__ import annotations

import math
from typing import Any

from .xlsx_cells import ABSENT


def _same(a: Any, b: Any) -> bool:
    """JSON equality that also tells 1 from 1.0 and True from 1 (key order ignored)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def diff(rec: Any, orig: Any, path: list, ops: list) -> None:
    """Operations turning ``rec`` into ``orig``: ``[path, [rec value] | [], [orig value] | []]``."""
    if isinstance(rec, dict) and isinstance(orig, dict):
        for k, v in orig.items():
            if k in rec:
                diff(rec[k], v, path + [k], ops)
            else:
                ops.append([path + [k], [], [v]])
        for k, v in rec.items():
            if k not in orig:
                ops.append([path + [k], [v], []])
    elif isinstance(rec, list) and isinstance(orig, list) and len(rec) == len(orig):
        for i, (x, y) in enumerate(zip(rec, orig)):
            diff(x, y, path + [i], ops)
    elif not _same(rec, orig):
        ops.append([path, [rec], [orig]])


def apply(target: Any, ops: Any) -> None:
    """Apply diff operations in place, each only while the value still reads as written."""
    if not isinstance(ops, list):
        return
    for op in ops:
        if not (isinstance(op, list) and len(op) == 3 and isinstance(op[0], list) and op[0]
                and isinstance(op[1], list) and isinstance(op[2], list)):
            continue
        path, expect, value = op
        parent = target
        for step in path[:-1]:
            if isinstance(parent, dict) and isinstance(step, str) and step in parent:
                parent = parent[step]
            elif (isinstance(parent, list) and isinstance(step, int)
                  and not isinstance(step, bool) and 0 <= step < len(parent)):
                parent = parent[step]
            else:
                parent = None
                break
        last = path[-1]
        if isinstance(parent, dict) and isinstance(last, str):
            current = [parent[last]] if last in parent else []
            if _same(current, expect):
                if value:
                    parent[last] = value[0]
                else:
                    parent.pop(last, None)
        elif (isinstance(parent, list) and isinstance(last, int) and not isinstance(last, bool)
              and 0 <= last < len(parent) and len(value) == 1):
            if _same([parent[last]], expect):
                parent[last] = value[0]


def get_path(obj: Any, *path: Any) -> Any:
    for step in path:
        if isinstance(obj, dict) and step in obj:
            obj = obj[step]
        else:
            return ABSENT
    return obj


def set_path(obj: dict, path: tuple, value: Any) -> None:
    for step in path[:-1]:
        nxt = obj.get(step)
        if not isinstance(nxt, dict):
            nxt = obj[step] = {}
        obj = nxt
    obj[path[-1]] = value
