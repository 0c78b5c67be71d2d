"""Plain-data fixtures for the document writers: the demo contest with made-up scores, and
standings and an allocation shaped like the tabulation and prize cores' output (built here
by hand, so these tests do not depend on those cores).

The made-up results: Đội Thị trấn Đăk Rve first, Đội Xã Đăk Kôi second, Đăk Tơ Lung and
Đăk Ruồng with identical sheets (shared rank 3, both third prize), then Tân Lập, Đăk Tờ Re,
Đăk Pne (encouragement). Đăk Rve and Đăk Kôi are equal on the skit, so the special prize is a
tie awaiting the jury head; the best-actor prize was a tie the jury head has decided.
"""

from __future__ import annotations

import copy
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "contest" / "demo" / "kon-ray-2023.json"
if not DEMO.exists():  # pragma: no cover - before the demo lands in the repo
    DEMO = Path("/work/shared/contract/kon-ray-2023.json")

# the fraction of each criterion's maximum a team earns, per part
QUALITY = {
    "dak-rve": {"intro": 0.9, "skit": 0.9, "quiz": 0.9},
    "dak-koi": {"intro": 0.8, "skit": 0.9, "quiz": 0.8},
    "dak-to-lung": {"intro": 0.8, "skit": 0.8, "quiz": 0.7},
    "dak-ruong": {"intro": 0.8, "skit": 0.8, "quiz": 0.7},
    "tan-lap": {"intro": 0.7, "skit": 0.7, "quiz": 0.6},
    "dak-to-re": {"intro": 0.6, "skit": 0.6, "quiz": 0.6},
    "dak-pne": {"intro": 0.5, "skit": 0.5, "quiz": 0.5},
}
OFFSETS = [0, 0.5, -0.5, 1, -1]  # per judge on the first criterion; they cancel out

DOCUMENTS = {
    "issuer": "ỦY BAN NHÂN DÂN HUYỆN KON RẪY",
    "place": "Kon Rẫy",
    "number_symbol": "      /QĐ-UBND",
    "signer_name": "Đinh Thị Hồng Thu",
    "signer_title": "PHÓ CHỦ TỊCH",
    "signer_on_behalf": "TM. ỦY BAN NHÂN DÂN",
    "signer_deputy": "KT. CHỦ TỊCH",
    "recipients": ["Như Điều 3", "Sở Nội vụ tỉnh Kon Tum (b/c)", "TT Huyện ủy (b/c)",
                   "TT HĐND huyện (b/c)", "CT, các PCT UBND huyện", "Lưu: VT, PNV"],
}


def _half(x: float) -> float:
    return float(Decimal(str(x * 2)).quantize(Decimal(1), ROUND_HALF_UP) / 2)


def make_doc(*, documents: bool = True, missing_sheet: bool = False) -> dict:
    doc = json.loads(DEMO.read_text(encoding="utf-8"))
    c = doc["contest"]
    if documents:
        c["documents"] = copy.deepcopy(DOCUMENTS)
    scores = []
    for ji, judge in enumerate(c["judges"]):
        for team in c["teams"]:
            for part in c["rules"]["parts"]:
                q = QUALITY[team["key"]][part["key"]]
                criteria = {}
                for ci, crit in enumerate(part["criteria"]):
                    value = _half(crit["max"] * q) + (OFFSETS[ji] if ci == 0 else 0)
                    criteria[crit["key"]] = max(0, min(crit["max"], value))
                scores.append({"judge": judge["key"], "team": team["key"], "part": part["key"],
                               "criteria": criteria, "id": f"{judge['key']}-{team['key']}-{part['key']}",
                               "comment": "", "source": "paper" if ji == 4 else "tablet"})
    if missing_sheet:
        scores = [s for s in scores if not (s["judge"] == "j5" and s["team"] == "dak-pne"
                                            and s["part"] == "quiz")]
    c["scores"] = scores
    c["nominations"] = []
    c["decisions"] = [{"kind": "tie", "tie": "individual-0123456789abcdef",
                       "order": ["dak-rve-m2", "dak-koi-m2"],
                       "reason": "Diễn xuất tự nhiên, truyền tải tốt thông điệp",
                       "by": "j1", "at": "2023-09-15T16:30:00+07:00"}]
    return doc


def make_standings(doc: dict) -> dict:
    """Mean of the judges' sheet totals, rounded to 2 decimals, ranked by total then the
    tie-break parts; equal on everything shares a rank."""
    c = doc["contest"]
    parts = [p["key"] for p in c["rules"]["parts"]]
    totals: dict = {}
    for s in c["scores"]:
        totals.setdefault((s["team"], s["part"]), []).append(sum(Decimal(str(v)) for v in s["criteria"].values()))
    rows = []
    for team in c["teams"]:
        scores = {}
        for p in parts:
            values = totals.get((team["key"], p))
            scores[p] = (float((sum(values) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP))
                         if values else None)
        total = round(sum(v for v in scores.values() if v is not None), 2)
        rows.append({"team": team["key"], "total": total, "parts": scores, "penalty": 0})
    key = lambda r: (r["total"], *(r["parts"][p] or 0 for p in c["rules"]["tie_break"]))  # noqa: E731
    rows.sort(key=key, reverse=True)
    previous, rank = None, 0
    for i, r in enumerate(rows, 1):
        if key(r) != previous:
            rank, previous = i, key(r)
        r["rank"] = rank
    expected = len(c["judges"]) * len(c["teams"]) * len(parts)
    return {"teams": rows, "complete": len(c["scores"]) == expected}


def make_allocation() -> dict:
    awards = [
        {"prize": "first", "kind": "collective", "team": "dak-rve", "amount": 5000000, "decided": False},
        {"prize": "second", "kind": "collective", "team": "dak-koi", "amount": 4000000, "decided": False},
        {"prize": "third", "kind": "collective", "team": "dak-to-lung", "amount": 3000000, "decided": False},
        {"prize": "third", "kind": "collective", "team": "dak-ruong", "amount": 3000000, "decided": False},
        {"prize": "encouragement", "kind": "collective", "team": "tan-lap", "amount": 1500000, "decided": False},
        {"prize": "encouragement", "kind": "collective", "team": "dak-to-re", "amount": 1500000, "decided": False},
        {"prize": "encouragement", "kind": "collective", "team": "dak-pne", "amount": 1500000, "decided": False},
        {"prize": "best_actor", "kind": "individual", "member": "dak-rve-m2", "amount": 1000000, "decided": True},
        {"prize": "best_presenter", "kind": "individual", "member": "dak-koi-m1", "amount": 1000000, "decided": False},
        {"prize": "best_answerer", "kind": "individual", "member": "dak-rve-m9", "amount": 1000000, "decided": False},
    ]
    ties = [{"key": "special-fedcba9876543210", "kind": "special",
             "candidates": ["dak-rve", "dak-koi"], "prizes": ["best_skit", ""], "slots": 1,
             "rank": 1}]
    return {"awards": awards, "ties": ties, "unawarded": [],
            "budget": sum(a["amount"] for a in awards)}
