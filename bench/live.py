"""Live-path benchmarks: one ``hoithi serve`` (SQLite) or two behind Redis (PostgreSQL), an
audience of N raw websocket clients (``bench/eio.py``) on the other core, and the figures of
issue 7 printed as Markdown tables.

    python bench/live.py broadcast --clients 1000 3000        # sheet POST -> standings everywhere
    python bench/live.py burst                                # 10 sheets at once -> broadcasts
    python bench/live.py storm --clients 3000                 # everyone reconnects at once
    python bench/live.py judges                               # 10 judges, 20 sheets/s, SQLite
    python bench/live.py scaleout --clients 6000              # 2 processes, PostgreSQL + Redis
    python bench/live.py all                                  # everything (about 8 minutes)

Latency of a sheet = (arrival of the first ``standings`` event that contains it) - (the moment
the judge's POST was sent), both on CLOCK_MONOTONIC. "Contains it": every sheet of a run is a
new (judge, team, part), so the event's ``missing`` count tells how many sheets it includes;
sheets are ranked by the order their answers came back (the order the write lock committed
them). A client that never gets such an event has LOST it. Sends follow an open-loop schedule
(fixed times, whatever the server's answers).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eio import Fleet, raise_nofile  # noqa: E402
from harness import (CLIENT_CORES, REDIS, Http, base_env, demo_document, load_contest,  # noqa: E402
                     machine, pct, postgres_url, request, set_results_live, sheet_body,
                     sqlite_url, start_server, table)

RESULTS: list[tuple[str, list[dict]]] = []


def report(title: str, rows: list[dict]) -> None:
    RESULTS.append((title, rows))
    print(f"\n### {title}\n\n{table(rows)}\n", flush=True)


class Setup:
    """A database with the demo contest (or ``doc``), its tokens, and 1..2 servers."""

    def __init__(self, tmp: Path, *, processes: int = 1, db: str = "sqlite", doc: dict | None = None,
                 env: dict | None = None, server_cores: list[str] | None = None):
        self.tmp = tmp
        self.drop = None
        if db == "sqlite":
            self.db = sqlite_url(tmp)
        else:
            self.db, self.drop = postgres_url()
        extra = dict(env or {})
        if processes > 1:
            channel = f"hoithi-bench-{os.getpid()}-{int(time.time())}"
            extra.setdefault("HOITHI_MESSAGE_QUEUE", f"{REDIS}#channel={channel}")
        self.env = base_env(tmp, self.db, **extra)
        self.doc = doc or demo_document()
        self.cid, self.links = load_contest(self.db, self.doc, tmp, self.env)
        cores = server_cores or (["0"] * processes)
        self.servers = [start_server(tmp, self.env, cores=cores[i], name=f"s{i}")
                        for i in range(processes)]
        self.url = self.servers[0].url
        self.judges = [j["token"] for j in self.links["judges"].values()]
        self.judge_keys = list(self.links["judges"])
        self.mc = self.links["mc"]["token"]
        # warm up: the pages, the API and the first computation
        for s in self.servers:
            request(s.url, "GET", f"/c/{self.cid}")
            request(s.url, "GET", f"/api/v1/contests/{self.cid}/stage")

    def rss_kb(self) -> int:
        return sum(s.rss_kb() for s in self.servers)

    def close(self) -> None:
        for s in self.servers:
            s.stop()
        if self.drop:
            self.drop()


def sheet_plan(doc: dict, judges: list[str], seed: int = 7):
    """Every (judge index, team, part) once, shuffled: each POST is a new sheet."""
    c = doc["contest"]
    combos = [(j, t["key"], p["key"]) for j in range(len(judges)) for t in c["teams"]
              for p in c["rules"]["parts"]]
    random.Random(seed).shuffle(combos)
    return combos


class Poster:
    """Sends sheets on an open-loop schedule from one thread per judge."""

    def __init__(self, setup: Setup, urls: list[str] | None = None):
        self.setup = setup
        self.urls = urls or [setup.url]
        self.rng = random.Random(11)
        self.plan = iter(sheet_plan(setup.doc, setup.judges))
        self.sent: list[dict] = []
        self.lock = threading.Lock()
        self.conns: dict[tuple[int, str, int], Http] = {}
        self.busy: set = set()

    def _conn(self, judge: int, url: str) -> Http:
        """An idle keep-alive connection of this judge to this server (a new one if all busy)."""
        with self.lock:
            for (j, u, _n), h in self.conns.items():
                if j == judge and u == url and h not in self.busy:
                    self.busy.add(h)
                    return h
            h = Http(url, self.setup.judges[judge])
            self.conns[(judge, url, len(self.conns))] = h
            self.busy.add(h)
            return h

    def post_at(self, when_ns: int, url: str | None = None) -> threading.Thread:
        j, team, part = next(self.plan)
        body = sheet_body(self.setup.doc, self.setup.judge_keys[j], team, part, self.rng)
        url = url or self.urls[0]

        def run():
            delay = (when_ns - time.monotonic_ns()) / 1e9
            if delay > 0:
                time.sleep(delay)
            conn = self._conn(j, url)  # keep-alive, like a tablet
            t0 = time.monotonic_ns()
            status, answer = conn.call("POST", f"/api/v1/contests/{self.setup.cid}/scores", body)
            t1 = time.monotonic_ns()
            with self.lock:
                self.busy.discard(conn)
                self.sent.append({"t_send": t0, "t_resp": t1, "status": status, "url": url,
                                  "answer": answer})
        th = threading.Thread(target=run, daemon=True)
        th.start()
        return th

    def close(self):
        for c in self.conns.values():
            c.close()


def missing_now(setup: Setup) -> int:
    status, body = request(setup.url, "GET", f"/api/v1/contests/{setup.cid}/standings",
                           token=setup.mc)
    return body["missing"]


def sheet_latencies(events, sent: list[dict], m0: int, clients: set[int]):
    """Per (client, sheet) latency in ms, the number lost, and broadcasts seen per client."""
    ok = sorted((s for s in sent if s["status"] in (200, 201)), key=lambda s: s["t_resp"])
    need = [(m0 - (r + 1), s["t_send"]) for r, s in enumerate(ok)]
    per_client: dict[int, list[tuple[int, int]]] = {c: [] for c in clients}
    for idx, t, name, payload, _size in events:
        if name == "standings" and idx in per_client and isinstance(payload, dict):
            per_client[idx].append((t, payload.get("missing", 10**9)))
    lat, lost, counts = [], 0, []
    firsts: dict[int, list[int]] = {}
    for c, evs in per_client.items():
        evs.sort()
        counts.append(len(evs))
        for i, (m, t_send) in enumerate(need):
            hit = next((t for t, miss in evs if miss <= m and t >= t_send), None)
            if hit is None:
                lost += 1
            else:
                lat.append((hit - t_send) / 1e6)
                firsts.setdefault(i, []).append(hit)
    spread = [(max(v) - min(v)) / 1e6 for v in firsts.values() if len(v) > 1]
    sheet_latencies.per_sheet = [(round(pct([(h - need[i][1]) / 1e6 for h in v], 50)),
                                  round((max(v) - need[i][1]) / 1e6)) for i, v in sorted(firsts.items())]
    sheet_latencies.spread = spread
    return lat, lost, counts


def gaps(events, clients: set[int]) -> int:
    """Clients that saw a version gap (a missed event) among the events collected."""
    last: dict[int, int] = {}
    bad = set()
    for idx, _t, _name, payload, _size in sorted(events, key=lambda e: e[1]):
        if idx not in clients or not isinstance(payload, dict) or "version" not in payload:
            continue
        v = payload["version"]
        if idx in last and v != last[idx] + 1 and v > last[idx]:
            bad.add(idx)
        last[idx] = max(v, last.get(idx, v))
    return len(bad)


# --------------------------------------------------------------------------- scenarios

def profile(pid: int, name: str, seconds: float):
    """With BENCH_PYSPY=DIR: py-spy samples the server (collapsed stacks + an SVG flame graph)."""
    out = os.environ.get("BENCH_PYSPY")
    if not out:
        return None
    import subprocess
    Path(out).mkdir(parents=True, exist_ok=True)
    base = Path(out) / name
    return subprocess.Popen(
        ["sh", "-c", f"py-spy record -p {pid} -r 250 -d {int(seconds) + 1} --format raw -o {base}.txt --nonblocking"
                     f" >/dev/null 2>&1"], env=dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}"))

def broadcast(n_list: list[int], posts: int = 20, spacing_ms: int = 400, env: dict | None = None,
              label: str = "") -> None:
    rows, prow = [], []
    for n in n_list:
        with tempfile.TemporaryDirectory(prefix="hoithi-bench-") as tmp:
            setup = Setup(Path(tmp), env=env)
            try:
                proj = Fleet(setup.url, setup.cid, cores=CLIENT_CORES, query={"screen": "projector"})
                aud = Fleet(setup.url, setup.cid, cores=CLIENT_CORES)
                proj.connect(1, tag="projector")
                time.sleep(0.5)
                rss0 = setup.rss_kb()
                con = aud.connect(n, inflight=200, timeout=120)
                time.sleep(1.0)
                rss1 = setup.rss_kb()
                set_results_live(setup.url, setup.cid, setup.mc)
                time.sleep(0.5)
                m0 = missing_now(setup)
                aud.collect(clear=True)
                proj.collect(clear=True)
                cpu0, scpu0 = aud.stats()["cpu_s"], setup.servers[0].cpu_s()
                poster = Poster(setup)
                spy = profile(setup.servers[0].proc.pid, f"broadcast-{n}", posts * spacing_ms / 1000 + 1)
                t0 = time.monotonic_ns() + 200_000_000
                threads = [poster.post_at(t0 + i * spacing_ms * 1_000_000) for i in range(posts)]
                for th in threads:
                    th.join(30)
                time.sleep(1.5)
                if spy:
                    spy.wait(30)
                # MC presses: stage changes at the projector
                mc = Http(setup.url, setup.mc)
                presses = []
                for i in range(10):
                    t_send = time.monotonic_ns()
                    status, _ = mc.call("POST", f"/api/v1/contests/{setup.cid}/stage",
                                        {"action": "next" if i % 2 == 0 else "previous"})
                    presses.append(t_send)
                    time.sleep(0.3)
                time.sleep(1.0)
                mc.close()
                wall = (time.monotonic_ns() - t0) / 1e9
                cpu1, scpu1 = aud.stats()["cpu_s"], setup.servers[0].cpu_s()
                ev = aud.collect()
                pev = proj.collect()
                clients = {e[0] for e in ev} | set(range(n))
                lat, lost, counts = sheet_latencies(ev, poster.sent, m0, set(range(n)))
                spread = sheet_latencies.spread
                if os.environ.get("BENCH_VERBOSE"):
                    print("per sheet (p50/max ms):", sheet_latencies.per_sheet, file=sys.stderr)
                plat, plost, _ = sheet_latencies(pev, poster.sent, m0, {0})
                stage_lat = []
                pst = sorted(e[1] for e in pev if e[2] == "stage")
                for t_send in presses:
                    hit = next((t for t in pst if t >= t_send), None)
                    if hit is not None:
                        stage_lat.append((hit - t_send) / 1e6)
                size = max((e[4] for e in ev if e[2] == "standings"), default=0)
                errors = sum(1 for s in poster.sent if s["status"] not in (200, 201))
                rows.append({
                    "clients": n, "connected": con["live"],
                    "connect s": round(con["seconds"], 1),
                    "KB/conn": round((rss1 - rss0) / max(1, con["live"]), 1),
                    "RSS MB": round(rss1 / 1024),
                    "sheets": len(poster.sent), "errors": errors,
                    "p50 ms": pct(lat, 50), "p99 ms": pct(lat, 99), "max ms": max(lat or [0]),
                    "fan-out ms": pct(spread, 50),
                    "lost": lost, "gaps": gaps(ev, clients),
                    "msg B": size,
                    "client CPU %": round(100 * (cpu1 - cpu0) / wall),
                    "server CPU %": round(100 * (scpu1 - scpu0) / wall),
                })
                prow.append({"audience": n, "standings p50 ms": pct(plat, 50),
                             "standings p99 ms": pct(plat, 99), "lost": plost,
                             "MC press p50 ms": pct(stage_lat, 50), "MC press p99 ms": pct(stage_lat, 99),
                             "presses seen": f"{len(stage_lat)}/{len(presses)}"})
                poster.close()
                aud.close()
                proj.close()
            finally:
                setup.close()
    report(f"Sheet POST -> standings at every audience socket, 1 process, SQLite{label}", rows)
    report(f"Projector (served first){label}", prow)


def burst(n: int = 1000, sheets: int = 10, env: dict | None = None) -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="hoithi-bench-") as tmp:
        setup = Setup(Path(tmp), env=env)
        try:
            aud = Fleet(setup.url, setup.cid, cores=CLIENT_CORES)
            aud.connect(n, inflight=200)
            set_results_live(setup.url, setup.cid, setup.mc)
            time.sleep(0.5)
            for rnd in range(3):
                m0 = missing_now(setup)
                aud.collect(clear=True)
                poster = Poster(setup)
                poster.plan = itertools.islice(poster.plan, rnd * sheets, None)
                t0 = time.monotonic_ns() + 100_000_000
                threads = [poster.post_at(t0) for _ in range(sheets)]  # ten judges press at once
                for th in threads:
                    th.join(30)
                time.sleep(1.5)
                ev = aud.collect()
                lat, lost, counts = sheet_latencies(ev, poster.sent, m0, set(range(n)))
                span = (max(s["t_resp"] for s in poster.sent) - t0) / 1e6
                rows.append({"round": rnd + 1, "clients": n, "sheets": len(poster.sent),
                             "POSTs done in ms": round(span),
                             "broadcasts": max(counts or [0]),
                             "p50 ms": pct(lat, 50), "p99 ms": pct(lat, 99), "lost": lost,
                             "errors": sum(1 for s in poster.sent if s["status"] not in (200, 201))})
                poster.close()
            aud.close()
        finally:
            setup.close()
    report("Burst: 10 sheets posted at the same moment", rows)


def storm(n: int = 3000, env: dict | None = None) -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="hoithi-bench-") as tmp:
        setup = Setup(Path(tmp), env=env)
        try:
            set_results_live(setup.url, setup.cid, setup.mc)
            aud = Fleet(setup.url, setup.cid, cores=CLIENT_CORES)
            cpu0 = setup.servers[0].cpu_s()
            first = aud.connect(n, inflight=200, timeout=120)
            cpu1 = setup.servers[0].cpu_s()
            rows.append({"phase": "first connect (200 handshakes in flight)", "clients": n,
                         "with snapshot": first["live"], "seconds": round(first["seconds"], 2),
                         "snapshot p50 ms": pct(first["snapshot_ms"], 50),
                         "snapshot p99 ms": pct(first["snapshot_ms"], 99),
                         "server CPU s": round(cpu1 - cpu0, 2)})
            aud.drop(abort=True)  # the router reboots: every connection dies at once
            time.sleep(0.2)
            spy = profile(setup.servers[0].proc.pid, f"storm-{n}", 8)
            cpu0 = setup.servers[0].cpu_s()
            again = aud.connect(n, inflight=n, timeout=60)
            cpu1 = setup.servers[0].cpu_s()
            rows.append({"phase": "all reconnect at once", "clients": n,
                         "with snapshot": again["live"], "seconds": round(again["seconds"], 2),
                         "snapshot p50 ms": pct(again["snapshot_ms"], 50),
                         "snapshot p99 ms": pct(again["snapshot_ms"], 99),
                         "server CPU s": round(cpu1 - cpu0, 2)})
            if spy:
                spy.wait(30)
            aud.close()
        finally:
            setup.close()
    report("Reconnect storm", rows)


def judges(rate: float = 20.0, seconds: float = 20.0, n_judges: int = 10, audience: int = 300,
           env: dict | None = None) -> None:
    """Ten judges post sheets at a sustained ``rate`` per second in total (open loop)."""
    from harness import big_document
    doc = big_document(teams=16, judges=n_judges, criteria=5)
    rows = []
    with tempfile.TemporaryDirectory(prefix="hoithi-bench-") as tmp:
        setup = Setup(Path(tmp), doc=doc, env=env)
        try:
            aud = Fleet(setup.url, setup.cid, cores=CLIENT_CORES)
            aud.connect(audience, inflight=200)
            set_results_live(setup.url, setup.cid, setup.mc)
            rng = random.Random(3)
            conns = [Http(setup.url, t) for t in setup.judges]
            c = doc["contest"]
            results, lock = [], threading.Lock()

            def judge(j: int):
                period = n_judges / rate
                t0 = time.monotonic() + rng.random() * period
                k = 0
                while True:
                    when = t0 + k * period
                    if when - t0 > seconds:
                        return
                    delay = when - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    team = c["teams"][rng.randrange(len(c["teams"]))]["key"]
                    part = c["rules"]["parts"][rng.randrange(3)]["key"]
                    body = sheet_body(doc, setup.judge_keys[j], team, part, rng)
                    s = time.monotonic_ns()
                    try:
                        status, _ = conns[j].call("POST", f"/api/v1/contests/{setup.cid}/scores", body)
                    except OSError as exc:
                        status = repr(exc)
                    e = time.monotonic_ns()
                    with lock:
                        results.append((status, (e - s) / 1e6))
                    k += 1

            scpu0 = setup.servers[0].cpu_s()
            t_start = time.monotonic()
            ths = [threading.Thread(target=judge, args=(j,)) for j in range(n_judges)]
            for th in ths:
                th.start()
            for th in ths:
                th.join(seconds + 60)
            wall = time.monotonic() - t_start
            scpu = setup.servers[0].cpu_s() - scpu0
            time.sleep(1)
            ev = aud.collect()
            lat = [ms for st, ms in results]
            rows.append({"judges": n_judges, "target /s": rate, "seconds": round(wall, 1),
                         "sheets": len(results), "achieved /s": round(len(results) / wall, 1),
                         "errors": sum(1 for st, _ in results if st not in (200, 201)),
                         "POST p50 ms": pct(lat, 50), "POST p99 ms": pct(lat, 99),
                         "audience": audience,
                         "broadcasts": len({e[3].get("version") for e in ev if e[2] == "standings"}),
                         "server CPU %": round(100 * scpu / wall)})
            for cn in conns:
                cn.close()
            aud.close()
        finally:
            setup.close()
    report("Ten judges, sustained sheets, SQLite", rows)


def scaleout(n: int = 6000, posts: int = 20, spacing_ms: int = 400, env: dict | None = None) -> None:
    """Two processes (one per core) on PostgreSQL + Redis; half the clients on each;
    every sheet is posted to process 0."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="hoithi-bench-") as tmp:
        setup = Setup(Path(tmp), processes=2, db="postgres", server_cores=["0", "1"], env=env)
        try:
            fleets = [Fleet(s.url, setup.cid, cores={0, 1}) for s in setup.servers]
            rss0 = setup.rss_kb()
            cons = [f.connect(n // 2, inflight=200, timeout=120) for f in fleets]
            time.sleep(1)
            rss1 = setup.rss_kb()
            set_results_live(setup.url, setup.cid, setup.mc)
            time.sleep(0.5)
            m0 = missing_now(setup)
            for f in fleets:
                f.collect(clear=True)
            poster = Poster(setup)
            t0 = time.monotonic_ns() + 200_000_000
            ths = [poster.post_at(t0 + i * spacing_ms * 1_000_000) for i in range(posts)]
            for th in ths:
                th.join(30)
            time.sleep(1.5)
            for i, f in enumerate(fleets):
                ev = f.collect()
                lat, lost, _ = sheet_latencies(ev, poster.sent, m0, set(range(n // 2)))
                rows.append({"process": f"{i} ({'emitting' if i == 0 else 'other'})",
                             "clients": cons[i]["live"], "connect s": round(cons[i]["seconds"], 1),
                             "p50 ms": pct(lat, 50), "p99 ms": pct(lat, 99), "lost": lost,
                             "KB/conn (both)": round((rss1 - rss0) / max(1, sum(c["live"] for c in cons)), 1)})
            poster.close()
            for f in fleets:
                f.close()
        finally:
            setup.close()
    report("Scale-out: 2 processes, PostgreSQL + Redis, sheets posted to process 0", rows)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", choices=["broadcast", "burst", "storm", "judges", "scaleout", "all"])
    ap.add_argument("--clients", type=int, nargs="*")
    ap.add_argument("--posts", type=int, default=20)
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    args = ap.parse_args(argv)
    raise_nofile(1 << 16)
    os.sched_setaffinity(0, CLIENT_CORES)  # the server's core is the server's alone
    gc.disable()  # a collection here would delay a judge's POST after its send time was taken
    env = dict(kv.split("=", 1) for kv in args.env)
    print(f"Load average before: {os.getloadavg()}", flush=True)
    print(f"Machine: {machine()}\nServer cores: {os.environ.get('BENCH_SERVER_CORES', '0')}, "
          f"client cores: {sorted(CLIENT_CORES)}", flush=True)
    sc = args.scenario
    if sc in ("broadcast", "all"):
        broadcast(args.clients or [1000, 3000], posts=args.posts, env=env)
    if sc in ("burst", "all"):
        burst((args.clients or [1000])[0] if sc == "burst" else 1000, env=env)
    if sc in ("storm", "all"):
        storm((args.clients or [3000])[0] if sc == "storm" else 3000, env=env)
    if sc in ("judges", "all"):
        judges(env=env)
    if sc in ("scaleout", "all"):
        scaleout((args.clients or [6000])[0] if sc == "scaleout" else 6000, env=env)


if __name__ == "__main__":
    main()
