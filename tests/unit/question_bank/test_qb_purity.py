"""The question bank core stays pure: no web framework, no database, no clock, no global random."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[3] / "question_bank" / "core"


def test_importing_the_core_loads_no_flask_sqlalchemy_or_werkzeug():
    code = ("import sys, question_bank.core.importing, question_bank.core.dedupe, "
            "question_bank.core.draw; "
            "print(sorted(m for m in ('flask', 'sqlalchemy', 'werkzeug') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=CORE.parents[1])
    assert out.stdout.strip() == "[]"


def test_the_core_never_reads_the_clock_or_the_global_random():
    for path in CORE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, (ast.Import, ast.ImportFrom))
                    for alias in node.names if isinstance(node, ast.Import)}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module}
        assert not imported & {"random", "time", "secrets", "flask", "sqlalchemy", "werkzeug"}, path
        attributes = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert not attributes & {"now", "utcnow", "today", "monotonic", "perf_counter"}, path
