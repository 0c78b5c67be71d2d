"""The non-socket figures of issue 7, as Markdown tables:

- standings for 16 teams x 7 judges x 3 parts x 5 criteria (the pure core, and the service's
  whole recomputation with names, prizes and the jury board);
- HTTP throughput of the leaderboard (the audience page ``/c/<id>`` and the public standings
  API) with keep-alive connections;
- the audience page's weight on the wire (HTML + CSS + JS modules + Socket.IO client + fonts);
- ``hoithi serve --demo``: seconds until the audience page answers;
- clock sync error of static/js/clock.js with 10 ± 5 ms jitter (Node, bench/clock_sync.mjs).

    python bench/app.py [standings|http|weight|startup|clock|all]
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import (CLIENT_CORES, HOITHI, ROOT, base_env, big_document, demo_document,  # noqa: E402
                     free_port, load_contest, machine, pct, request, set_results_live,
                     sqlite_url, start_server, table)

RESULTS: list = []


def report(title: str, rows: list[dict]) -> None:
    RESULTS.append((title, rows))
    print(f"\n### {title}\n\n{table(rows)}\n", flush=True)


# --------------------------------------------------------------------------- standings

def standings(runs: int = 1000) -> None:
    from contest.core.rules import rules_from_dict as parse_rules
    from contest.core.tabulation import Sheet, compute_standings, standings_to_dict
    doc = big_document(teams=16, judges=7, criteria=5)
    c = doc["contest"]
    rules = parse_rules(c["rules"])
    teams = [t["key"] for t in c["teams"]]
    judges = [j["key"] for j in c["judges"]]
    rng = random.Random(5)
    sheets = [Sheet(judge=j, team=t, part=p.key,
                    criteria={cr.key: Decimal(rng.randrange(0, int(cr.max * 2) + 1)) / 2
                              for cr in p.criteria})
              for j in judges for t in teams for p in rules.parts]
    times, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.thread_time()
        standings_to_dict(compute_standings(rules, teams, judges, sheets, {}))
        cpu.append((time.thread_time() - c0) * 1000)
        times.append((time.perf_counter() - t0) * 1000)
    rows = [{"what": "core: compute_standings + standings_to_dict", "sheets": len(sheets),
             "p50 ms": pct(times, 50), "p99 ms": pct(times, 99), "max ms": max(times),
             "CPU p99 ms": pct(cpu, 99)}]
    rows.append(_service_standings(doc))
    report("Standings, 16 teams x 7 judges x 3 parts x 5 criteria", rows)


def _service_standings(doc: dict, runs: int = 30) -> dict:
    """The service's recomputation after a change (sheets from the database, names, prizes,
    the jury board), uncached: what one broadcast costs before it is sent."""
    from config import TestConfig
    from contest import create_app
    tmp = Path(tempfile.mkdtemp(prefix="hoithi-bench-"))
    try:
        app = create_app(TestConfig, INSTANCE_PATH=str(tmp / "i"), DATABASE_URL=sqlite_url(tmp))
        from contest.extensions import db
        from contest.models import Contest
        from contest.services import scoring
        from contest.services.document import import_contest
        rng = random.Random(9)
        with app.app_context():
            contest = import_contest(doc)
            cid = contest.id
            sheets = [{"judge": j["key"], "team": t["key"], "part": p["key"],
                       "criteria": {cr["key"]: rng.randrange(0, int(cr["max"] * 2) + 1) / 2
                                    for cr in p["criteria"]}}
                      for j in doc["contest"]["judges"] for t in doc["contest"]["teams"]
                      for p in doc["contest"]["rules"]["parts"]]
            scoring.apply_bulk(contest, {"sheets": sheets})
        times = []
        for _ in range(runs):
            with app.app_context():
                contest = db.session.get(Contest, cid)
                scoring.invalidate(cid)
                t0 = time.perf_counter()
                scoring.standings_dict(contest)
                times.append((time.perf_counter() - t0) * 1000)
                db.session.remove()
        with app.app_context():
            db.engine.dispose()
        return {"what": "service: scoring.standings_dict uncached (SQLite)", "sheets": len(sheets),
                "p50 ms": pct(times, 50), "p99 ms": pct(times, 99), "max ms": max(times)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- HTTP throughput

def hammer(port: int, path: str, seconds: float = 5.0, conns: int = 32, headers: str = "") -> dict:
    """Closed loop: ``conns`` keep-alive connections, each sends the next GET when the previous
    answer is complete. Returns requests/s, non-200 answers and latency percentiles."""
    req = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode()
    sel = selectors.EpollSelector()
    state = {}
    for _ in range(conns):
        s = socket.create_connection(("127.0.0.1", port))
        s.setblocking(False)
        state[s] = [bytearray(), time.perf_counter()]
        s.send(req)
        sel.register(s, selectors.EVENT_READ)
    done, bad, lat = 0, 0, []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for key, _ in sel.select(0.5):
            s = key.fileobj
            buf, t0 = state[s]
            data = s.recv(1 << 20)
            if not data:
                raise RuntimeError("server closed a keep-alive connection")
            buf += data
            while True:
                head_end = buf.find(b"\r\n\r\n")
                if head_end < 0:
                    break
                head = bytes(buf[:head_end]).decode("latin-1")
                m = re.search(r"(?im)^content-length:\s*(\d+)", head)
                length = int(m.group(1)) if m else 0
                if len(buf) < head_end + 4 + length:
                    break
                if not head.startswith("HTTP/1.1 200"):
                    bad += 1
                del buf[:head_end + 4 + length]
                now = time.perf_counter()
                lat.append((now - state[s][1]) * 1000)
                done += 1
                state[s][1] = now
                s.send(req)
    for s in state:
        s.close()
    return {"req/s": round(done / seconds), "non-200": bad, "p50 ms": pct(lat, 50), "p99 ms": pct(lat, 99)}


def http(seconds: float = 5.0) -> None:
    with tempfile.TemporaryDirectory(prefix="hoithi-bench-") as tmp:
        tmp = Path(tmp)
        env = base_env(tmp, sqlite_url(tmp))
        cid, links = load_contest(sqlite_url(tmp), demo_document(), tmp, env)
        server = start_server(tmp, env)
        try:
            set_results_live(server.url, cid, links["mc"]["token"])
            rows = []
            for what, path in (("audience page (leaderboard) /c/ID", f"/c/{cid}"),
                               ("public standings API", f"/api/v1/contests/{cid}/standings"),
                               ("static file (hoithi.css)", "/static/css/hoithi.css")):
                request(server.url, "GET", path)
                cpu0 = server.cpu_s()
                r = hammer(server.port, path, seconds)
                rows.append({"GET": what, **r, "server CPU %": round(100 * (server.cpu_s() - cpu0) / seconds)})
            report(f"HTTP throughput, 1 process (32 keep-alive connections, {seconds:.0f} s each)", rows)
        finally:
            server.stop()


# --------------------------------------------------------------------------- page weight

def weight() -> None:
    """Everything a phone downloads for the audience page, compressed as the server sends it."""
    with tempfile.TemporaryDirectory(prefix="hoithi-bench-") as tmp:
        tmp = Path(tmp)
        env = base_env(tmp, sqlite_url(tmp))
        cid, links = load_contest(sqlite_url(tmp), demo_document(), tmp, env)
        server = start_server(tmp, env)
        try:
            set_results_live(server.url, cid, links["mc"]["token"])
            rows, seen = [], set()
            todo = [(f"/c/{cid}", "page")]
            while todo:
                path, kind = todo.pop(0)
                if path in seen:
                    continue
                seen.add(path)
                wire, raw, body = _fetch(server.port, path)
                rows.append({"file": path, "kind": kind, "bytes": raw, "on the wire": wire})
                text = body.decode("utf-8", "replace")
                if kind == "page":
                    for m in re.finditer(r'(?:href|src)="(/static/[^"?#]+)', text):
                        todo.append((m.group(1), "css" if m.group(1).endswith(".css") else "js"))
                elif path.endswith(".css"):
                    for m in re.finditer(r'url\(["\']?([^"\')?#]+)', text):
                        todo.append((_join(path, m.group(1)), "font" if "woff" in m.group(1) else "css"))
                    for m in re.finditer(r'@import\s+(?:url\()?["\']([^"\']+)', text):
                        todo.append((_join(path, m.group(1)), "css"))
                elif path.endswith((".js", ".mjs")):
                    for m in re.finditer(r'(?:import|from)\s*\(?\s*["\'](\.{1,2}/[^"\']+|/static/[^"\']+)["\']', text):
                        todo.append((_join(path, m.group(1)), "js"))
            # Fonts: a browser downloads only the faces the page uses; count the woff2 files of
            # the families and weights the CSS of this page uses (all of them, to be safe).
            total = sum(r["on the wire"] for r in rows)
            rows.append({"file": "TOTAL", "kind": "", "bytes": sum(r["bytes"] for r in rows), "on the wire": total})
            report("Audience page weight (gzip as served, every linked file)", rows)
            browser = _browser_weight(server.url, cid)
            if browser:
                report("Audience page in Chromium (what a phone really downloads)", browser)
        finally:
            server.stop()


def _browser_weight(url: str, cid: int) -> list[dict] | None:
    """Load the audience page in headless Chromium (if installed) and add up what it fetched:
    encoded body + headers of every response, the Socket.IO handshake included."""
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        return None
    from playwright.sync_api import sync_playwright
    rows = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                                    "--disable-background-networking", "--disable-component-update",
                                    "--disable-sync"])
        page = b.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN")
        page.goto(f"{url}/c/{cid}", wait_until="networkidle")
        page.evaluate("() => document.fonts.ready.then(() => document.fonts.size)")
        page.wait_for_timeout(1500)
        for entry in page.evaluate("""() => performance.getEntriesByType('resource')
              .concat(performance.getEntriesByType('navigation'))
              .map(e => ({name: e.name, size: e.transferSize, type: e.initiatorType}))"""):
            rows.append({"url": entry["name"].replace(url, ""), "type": entry["type"],
                         "transferred": entry["size"]})
        b.close()
    rows.append({"url": "TOTAL (HTTP; websocket frames not counted)", "type": "",
                 "transferred": sum(r["transferred"] for r in rows)})
    return rows


def _join(base: str, rel: str) -> str:
    if rel.startswith("/"):
        return rel
    parts = base.split("/")[:-1]
    for piece in rel.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _fetch(port: int, path: str) -> tuple[int, int, bytes]:
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    wire = len(data) + sum(len(k) + len(v) + 4 for k, v in resp.getheaders()) + 17
    body = gzip.decompress(data) if resp.getheader("Content-Encoding") == "gzip" else data
    return wire, len(body), body


# --------------------------------------------------------------------------- start-up

def startup(runs: int = 3) -> None:
    rows = []
    for i in range(runs):
        with tempfile.TemporaryDirectory(prefix="hoithi-bench-") as tmp:
            port = free_port()
            env = dict(os.environ, HOITHI_INSTANCE_PATH=str(Path(tmp) / "instance"),
                       HOITHI_BACKUP_MINUTES="0")
            env.pop("HOITHI_DATABASE_URL", None)
            t0 = time.monotonic()
            proc = subprocess.Popen([*HOITHI, "serve", "--demo", "--host", "127.0.0.1", "--port", str(port),
                                     "--no-qr"], cwd=tmp, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            ready = None
            try:
                while time.monotonic() - t0 < 30:
                    try:
                        status, _ = request(f"http://127.0.0.1:{port}", "GET", "/c/1", timeout=1)
                        if status == 200:
                            ready = time.monotonic() - t0
                            break
                    except OSError:
                        time.sleep(0.02)
            finally:
                proc.terminate()
                proc.wait(10)
            rows.append({"run": i + 1, "fresh instance folder": "yes", "ready s": ready})
    report("`hoithi serve --demo`: start to the audience page answering", rows)


# --------------------------------------------------------------------------- clock

def clock(syncs: int = 200) -> None:
    node = shutil.which("node")
    if not node:
        report("Clock sync", [{"result": "skipped: node not installed"}])
        return
    with tempfile.TemporaryDirectory(prefix="hoithi-bench-") as tmp:
        tmp = Path(tmp)
        env = base_env(tmp, sqlite_url(tmp))
        cid, _ = load_contest(sqlite_url(tmp), demo_document(), tmp, env)
        server = start_server(tmp, env)
        try:
            rows = []
            for lo, hi in ((0, 0), (5, 15)):
                out = subprocess.run([node, "--experimental-websocket", "--no-warnings",
                                      str(ROOT / "bench" / "clock_sync.mjs"), str(server.port), str(cid),
                                      str(syncs), str(lo), str(hi)], capture_output=True, text=True,
                                     timeout=300, check=True).stdout
                r = json.loads(out.strip().splitlines()[-1])
                rows.append({"injected delay each way ms": f"{lo}–{hi}" if hi else "none",
                             "syncs (8 pings each)": r["syncs"], "error p50 ms": r["p50_ms"],
                             "error p99 ms": r["p99_ms"], "error max ms": r["max_ms"],
                             "best RTT p50 ms": r["rtt_p50_ms"]})
            report("Clock offset error of static/js/clock.js (loopback)", rows)
        finally:
            server.stop()


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    os.sched_setaffinity(0, CLIENT_CORES)
    print(f"Machine: {machine()}", flush=True)
    for name, fn in (("standings", standings), ("http", http), ("weight", weight),
                     ("startup", startup), ("clock", clock)):
        if which in (name, "all"):
            fn()


if __name__ == "__main__":
    main()
