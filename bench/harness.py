"""Shared pieces of the benchmarks: contest documents, databases, server processes pinned to
cores, the HTTP calls of the judges and the MC, memory and percentiles.

Everything talks to 127.0.0.1 only. Servers are ``hoithi serve`` subprocesses (gevent), so
the figures are those of the product as shipped, not of a test double.
"""

from __future__ import annotations

import copy
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parent.parent)  # BENCH_ROOT: a patched copy to measure
DEMO = ROOT / "contest" / "demo" / "kon-ray-2023.json"
PY = sys.executable
HOITHI = [PY, "-m", "contest.cli"]
PG_ADMIN = os.environ.get("HOITHI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("HOITHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SERVER_CORES = os.environ.get("BENCH_SERVER_CORES", "0")
CLIENT_CORES = {int(c) for c in os.environ.get("BENCH_CLIENT_CORES", "1").split(",")}


# --------------------------------------------------------------------------- documents

def demo_document() -> dict:
    return json.loads(DEMO.read_text(encoding="utf-8"))


def big_document(teams: int = 16, judges: int = 7, criteria: int = 5) -> dict:
    """The demo stretched to ``teams`` teams, ``judges`` judges and ``criteria`` criteria per part
    (each part keeps its maximum: criteria maxima add up to it)."""
    doc = demo_document()
    c = doc["contest"]
    base_team = c["teams"][0]
    c["units"] = [{"key": f"u{i:02d}", "name": f"Xã Thử Nghiệm {i}"} for i in range(1, teams + 1)]
    c["teams"] = []
    for i in range(1, teams + 1):
        t = copy.deepcopy(base_team)
        t.update(key=f"t{i:02d}", name=f"Đội Xã Thử Nghiệm {i}", unit=f"Xã Thử Nghiệm {i}")
        for j, m in enumerate(t["members"]):
            m["key"] = f"t{i:02d}-m{j + 1}"
        c["teams"].append(t)
    c["judges"] = [{"key": f"j{i}", "name": f"Giám khảo {i}", "title": "Chuyên viên",
                    "head": i == 1} for i in range(1, judges + 1)]
    for part in c["rules"]["parts"]:
        total = sum(cr["max"] for cr in part["criteria"])
        each = total / criteria
        part["criteria"] = [{"key": f"c{k}", "name": f"Tiêu chí {k}",
                             "max": each if each != int(each) else int(each)}
                            for k in range(1, criteria + 1)]
    c["questions"] = c.get("questions", [])
    return doc


def sheet_body(doc: dict, judge: str, team: str, part: str, rng: random.Random) -> dict:
    """A valid sheet: every criterion a random multiple of 0.5 up to its maximum."""
    p = next(x for x in doc["contest"]["rules"]["parts"] if x["key"] == part)
    crit = {c["key"]: rng.randrange(0, int(c["max"] * 2) + 1) / 2 for c in p["criteria"]}
    return {"team": team, "part": part, "criteria": crit, "id": f"b-{uuid.uuid4().hex[:20]}"}


# --------------------------------------------------------------------------- databases

def sqlite_url(tmp: Path) -> str:
    return f"sqlite:///{tmp / 'bench.sqlite'}"


def postgres_url() -> tuple[str, callable]:
    """A fresh PostgreSQL database and a function that drops it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"hoithi_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), drop


def hoithi(*args: str, db: str, env: dict | None = None) -> str:
    e = dict(os.environ)
    e.update(env or {})
    e["HOITHI_DATABASE_URL"] = db
    return subprocess.run([*HOITHI, *args], cwd=ROOT, env=e, capture_output=True, text=True,
                          check=True, timeout=180).stdout


def load_contest(db: str, doc: dict, tmp: Path, env: dict) -> tuple[int, dict]:
    path = tmp / f"doc-{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    cid = json.loads(hoithi("import", str(path), "--json", db=db, env=env))["contest"]
    links = json.loads(hoithi("tokens", str(cid), "--json", db=db, env=env))
    return cid, links


# --------------------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(tmp: Path, db: str, **extra: str) -> dict:
    env = dict(os.environ, HOITHI_DATABASE_URL=db, HOITHI_INSTANCE_PATH=str(tmp / "instance"),
               HOITHI_ASYNC_MODE="gevent", HOITHI_RATELIMIT_ENABLED="0",
               HOITHI_BACKUP_MINUTES="0", HOITHI_PUBLIC_URL="http://127.0.0.1")
    env.update(extra)
    return env


@dataclass
class Server:
    port: int
    proc: subprocess.Popen
    log: Path
    url: str = ""
    pids: list = field(default_factory=list)

    def __post_init__(self):
        self.url = f"http://127.0.0.1:{self.port}"

    def rss_kb(self) -> int:
        """Resident memory of the server (and of its worker processes), KiB."""
        total = 0
        for pid in self.all_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total

    def all_pids(self) -> list[int]:
        pids = [self.proc.pid]
        try:
            kids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            pids += [int(k) for k in kids]
        except OSError:
            pass
        return pids

    def cpu_s(self) -> float:
        tck = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.all_pids():
            try:
                f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(f[11]) + int(f[12])) / tck
            except OSError:
                pass
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_server(tmp: Path, env: dict, *, port: int | None = None, cores: str | None = SERVER_CORES,
                 args: tuple = (), name: str = "server", ready_path: str = "/static/css/hoithi.css",
                 timeout: float = 30) -> Server:
    port = port or free_port()
    log = tmp / f"{name}-{port}.log"
    cmd = [*HOITHI, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-qr", *args]
    if cores:
        cmd = ["taskset", "-c", cores, *cmd]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                            preexec_fn=lambda: _nofile())
    server = Server(port, proc, log)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-3000:]}")
        try:
            status, _ = request(server.url, "GET", ready_path, timeout=1)
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"server not ready in {timeout} s: {log.read_text()[-3000:]}")


def _nofile() -> None:
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


# --------------------------------------------------------------------------- HTTP

class Http:
    """One keep-alive HTTP/1.1 connection (a judge's tablet, the MC's laptop)."""

    def __init__(self, base: str, token: str | None = None):
        host, port = base.split("//", 1)[1].split(":")
        self.host, self.port, self.token = host, int(port), token
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def call(self, method: str, path: str, body=None) -> tuple[int, object]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt:
                    raise
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw
        return resp.status, payload

    def close(self):
        self.conn.close()


def request(base: str, method: str, path: str, body=None, token: str | None = None,
            timeout: float = 30) -> tuple[int, object]:
    h = Http(base, token)
    h.conn.timeout = timeout
    try:
        return h.call(method, path, body)
    finally:
        h.close()


def set_results_live(base: str, cid: int, mc_token: str) -> None:
    status, body = request(base, "POST", f"/api/v1/contests/{cid}/stage",
                           {"action": "results", "mode": "live"}, token=mc_token)
    if status != 200:
        raise RuntimeError(f"results live: {status} {body}")


# --------------------------------------------------------------------------- numbers

def pct(values, p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def table(rows: list[dict], columns: list[str] | None = None) -> str:
    """A GitHub-flavoured Markdown table."""
    if not rows:
        return "(no rows)"
    columns = columns or list(rows[0])
    cells = [[_fmt(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    line = lambda vals: "| " + " | ".join(v.ljust(w) for v, w in zip(vals, widths)) + " |"  # noqa: E731
    out = [line(columns), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _fmt(v) -> str:
    if isinstance(v, float):
        if v != v:
            return "–"
        return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
    return str(v)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import platform
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Linux {platform.release()}, Python {platform.python_version()}"
