"""View data for the documents: plain dicts of ready-to-print strings, one builder per block.

The templates hold no logic (STYLE.md, 7): every number is formatted here, every name looked
up here, every sentence that depends on the data written here. Inputs are the contest
(:class:`ContestView`), the ``standings`` and the ``allocation`` dicts of CONTRACT.md.

Terms:

* a **sheet total** is the sum of one judge's criteria for one team and part; when a judge
  sent several sheets for the same team and part, the last one counts;
* a **pending tie** is an entry of ``allocation["ties"]``: its prizes are *not* awarded and the
  documents say so; a **resolved tie** is a ``decisions`` entry of kind ``tie`` in the contest
  document; awards it produced carry ``decided``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from contest.core.text import format_money

from .context import ContestView, clean, points
from .words import money_words

MAX_NAMED_COLUMNS = 5
KIND_LABEL = {"collective": "giải tập thể", "special": "giải phụ", "individual": "giải cá nhân"}
AGGREGATION_TEXT = {
    "mean": "trung bình cộng tổng điểm của các giám khảo",
    "median": "trung vị tổng điểm của các giám khảo",
    "trimmed_mean": ("trung bình cộng tổng điểm của các giám khảo sau khi bỏ một điểm cao nhất "
                     "và một điểm thấp nhất (khi có từ 5 giám khảo)"),
}


def _num(value) -> Decimal:
    return Decimal(str(value))


# ------------------------------------------------------------------------- rosters
def roster_view(cv: ContestView) -> list[dict]:
    teams = []
    for t in cv.teams:
        members = []
        for m in t.get("members") or []:
            roles = ", ".join(cv.part_name(r) for r in m.get("roles") or [])
            members.append({
                "index": len(members) + 1, "name": clean(m.get("name")),
                "position": clean(m.get("position")), "workplace": clean(m.get("workplace")),
                "kind": "Người được mời phối hợp" if m.get("kind") == "guest" else "Thành viên",
                "kind_short": "Mời phối hợp" if m.get("kind") == "guest" else "Thành viên",
                "roles": roles,
            })
        n_guests = sum(1 for m in t.get("members") or [] if m.get("kind") == "guest")
        teams.append({
            "index": len(teams) + 1, "name": clean(t.get("name")), "unit": clean(t.get("unit")),
            "members": members, "count": len(members), "guests": n_guests,
            "summary": f"{len(members) - n_guests} thành viên, {n_guests} người được mời phối hợp",
        })
    return teams


# -------------------------------------------------------------------------- sheets
def latest_sheets(cv: ContestView) -> dict[tuple[str, str, str], dict]:
    """The sheets that count, keyed (judge, team, part)."""
    out: dict[tuple[str, str, str], dict] = {}
    for s in cv.data.get("scores") or []:
        out[(s.get("judge"), s.get("team"), s.get("part"))] = s
    return out


def sheet_total(sheet: dict) -> Decimal:
    return sum((_num(v) for v in (sheet.get("criteria") or {}).values() if v is not None),
               Decimal(0))


def judge_matrix(cv: ContestView, standings: dict) -> list[dict]:
    """Per part: every team's sheet total from every judge, and the part score."""
    sheets = latest_sheets(cv)
    by_team = {t["team"]: t for t in standings.get("teams") or []}
    order = [t["team"] for t in standings.get("teams") or []] or [t["key"] for t in cv.teams]
    order += [t["key"] for t in cv.teams if t["key"] not in order]
    out = []
    for part in cv.rules.parts:
        rows = []
        for key in order:
            cells = []
            for j in cv.judges:
                s = sheets.get((j["key"], key, part.key))
                cells.append(points(sheet_total(s)) if s else "—")
            score = (by_team.get(key) or {}).get("parts", {}).get(part.key)
            rows.append({"index": len(rows) + 1, "team": cv.team_name(key), "sheets": cells,
                         "score": cv.score(score)})
        out.append({"key": part.key, "name": clean(part.name), "max": points(part.max),
                    "title": f"{clean(part.name)} (tối đa {points(part.max)} điểm)",
                    "rows": rows})
    return out


def sheet_details(cv: ContestView) -> dict[str, list[dict]]:
    """Per part key: every sheet with its criteria, for the spreadsheet minutes."""
    out: dict[str, list[dict]] = defaultdict(list)
    for (judge, team, part), s in latest_sheets(cv).items():
        out[part].append({"judge": cv.judge_name(judge), "team": cv.team_name(team),
                          "criteria": dict(s.get("criteria") or {}),
                          "total": sheet_total(s), "source": s.get("source") or "",
                          "comment": clean(s.get("comment"))})
    judge_pos = {cv.judge_name(j["key"]): i for i, j in enumerate(cv.judges)}
    team_pos = {cv.team_name(t["key"]): i for i, t in enumerate(cv.teams)}
    for rows in out.values():
        rows.sort(key=lambda r: (team_pos.get(r["team"], 999), judge_pos.get(r["judge"], 999)))
    return out


# ------------------------------------------------------------------------ standings
def ranking_rows(cv: ContestView, standings: dict) -> list[dict]:
    teams = standings.get("teams") or []
    rank_count = defaultdict(int)
    for t in teams:
        rank_count[t.get("rank")] += 1
    rows = []
    for t in teams:
        penalty = t.get("penalty") or 0
        rows.append({
            "rank": str(t.get("rank") or "—"), "team": cv.team_name(t["team"]),
            "unit": clean((cv.team_by_key.get(t["team"]) or {}).get("unit")),
            "parts": [cv.score((t.get("parts") or {}).get(p.key)) for p in cv.rules.parts],
            "part_values": [(t.get("parts") or {}).get(p.key) for p in cv.rules.parts],
            "penalty": cv.score(penalty) if penalty else "",
            "penalty_value": penalty, "total": cv.score(t.get("total")),
            "total_value": t.get("total"),
            "note": "Đồng hạng" if rank_count[t.get("rank")] > 1 else "",
        })
    return rows


def rank_tie_notes(cv: ContestView, standings: dict) -> list[str]:
    """Equal totals: how the tie-break separated them, or that they share a rank."""
    groups: dict = defaultdict(list)
    for t in standings.get("teams") or []:
        if t.get("total") is not None:
            groups[_num(t["total"])].append(t)
    order = " → ".join(cv.part_name(k) for k in cv.rules.tie_break) or "không có"
    notes = []
    for total, group in groups.items():
        if len(group) < 2:
            continue
        names = ", ".join(cv.team_name(t["team"]) for t in group)
        ranks = {t.get("rank") for t in group}
        head = f"{names} cùng đạt {cv.score(total)} điểm"
        if len(ranks) == 1:
            notes.append(f"{head}, bằng nhau ở mọi phần thi xét phụ ({order}): "
                         f"xếp đồng hạng {group[0].get('rank')}.")
        else:
            placed = "; ".join(f"{cv.team_name(t['team'])} hạng {t.get('rank')}" for t in group)
            notes.append(f"{head}, được xếp theo thứ tự ưu tiên điểm phần thi ({order}): {placed}.")
    return notes


# ---------------------------------------------------------------------------- awards
def award_rows(cv: ContestView, allocation: dict) -> dict:
    prize_pos = {k: i for i, k in enumerate(cv.prize_by_key)}
    awards = sorted(allocation.get("awards") or [], key=lambda a: prize_pos.get(a.get("prize"), 999))
    collective, individual = [], []
    for a in awards:
        amount = int(a.get("amount") or 0)
        row = {"prize": cv.prize_name(a.get("prize")), "amount": format_money(amount),
               "amount_value": amount, "kind": a.get("kind"), "decided": bool(a.get("decided")),
               "note": "Theo quyết định của Trưởng ban Giám khảo" if a.get("decided") else ""}
        if a.get("member"):
            member, team = cv.member_by_key.get(a["member"], ({}, {}))
            row.update(name=cv.member_name(a["member"]), key=a["member"],
                       line=cv.member_line(a["member"]), team=clean(team.get("name")),
                       unit=clean(team.get("unit")), position=clean(member.get("position")),
                       index=len(individual) + 1)
            row["label"] = f"{row['name']} ({row['team']})" if row["team"] else row["name"]
            individual.append(row)
        else:
            team = cv.team_by_key.get(a.get("team"), {})
            row.update(name=cv.team_name(a.get("team")), key=a.get("team"),
                       line=clean(team.get("unit")), team=cv.team_name(a.get("team")),
                       unit=clean(team.get("unit")), position="", index=len(collective) + 1)
            row["label"] = row["name"]
            collective.append(row)
    total = sum(r["amount_value"] for r in collective + individual)
    return {"collective": collective, "individual": individual,
            "all": collective + individual, "total": format_money(total), "total_value": total,
            "total_words": money_words(total),
            "collective_total": format_money(sum(r["amount_value"] for r in collective)),
            "individual_total": format_money(sum(r["amount_value"] for r in individual))}


def pending_tie_notes(cv: ContestView, allocation: dict) -> list[str]:
    notes = []
    for tie in allocation.get("ties") or []:
        names = ", ".join(cv.candidate_name(c) for c in tie.get("candidates") or [])
        prizes = tie.get("prizes") or []
        at_stake = list(dict.fromkeys(cv.prize_name(p) for p in prizes if p))
        stake = ", ".join(at_stake) or "không có giải"
        if "" in prizes:
            stake += " hoặc không có giải"
        where = (f"đồng hạng {tie['rank']}" if tie.get("rank") is not None
                 else "bằng nhau về số phiếu đề cử")
        notes.append(f"{names} {where} ({KIND_LABEL.get(tie.get('kind'), 'giải')}), "
                     f"tranh {tie.get('slots', 0)} suất {stake}: chờ Trưởng ban Giám khảo quyết định, "
                     "chưa trao giải.")
    return notes


def pending_prize_notes(cv: ContestView, allocation: dict) -> list[str]:
    """The prizes a pending tie holds back, one line each, for the awards lists."""
    notes = []
    for tie in allocation.get("ties") or []:
        at_stake = list(dict.fromkeys(cv.prize_name(p) for p in tie.get("prizes") or [] if p))
        names = ", ".join(cv.candidate_name(c) for c in tie.get("candidates") or [])
        notes.append(f"{', '.join(at_stake) or 'Giải'} ({tie.get('slots', 0)} suất): chưa trao, chờ "
                     f"Trưởng ban Giám khảo quyết định trường hợp đồng hạng giữa {names}.")
    return notes


def resolved_tie_notes(cv: ContestView, allocation: dict) -> list[str]:
    decided: dict[str, list[str]] = defaultdict(list)
    for a in allocation.get("awards") or []:
        if a.get("decided"):
            decided[a.get("team") or a.get("member")].append(cv.prize_name(a.get("prize")))
    notes = []
    for d in cv.data.get("decisions") or []:
        if d.get("kind") != "tie":
            continue
        order = "; ".join(
            cv.candidate_name(k) + (f" – {', '.join(decided[k])}" if decided.get(k) else "")
            for k in d.get("order") or [])
        by = cv.judge_name(d["by"]) if d.get("by") else "Trưởng ban Giám khảo"
        reason = f" Lý do: {clean(d.get('reason'))}." if d.get("reason") else ""
        notes.append(f"Trưởng ban Giám khảo ({by}) quyết định thứ tự: {order}.{reason}")
    return notes


def unawarded_notes(cv: ContestView, allocation: dict) -> list[str]:
    return [f"{cv.prize_name(u.get('prize'))}: {u.get('slots', 0)} giải không trao "
            "(không đủ đội thi đạt điều kiện)." for u in allocation.get("unawarded") or []]


# ------------------------------------------------------------------------- counters
def counts(cv: ContestView) -> dict:
    members = [m for t in cv.teams for m in t.get("members") or []]
    guests = sum(1 for m in members if m.get("kind") == "guest")
    questions = cv.data.get("questions") or []
    draws = cv.data.get("draws") or {}  # {kind: {"commitment": …, "drawn": [{lot, team, question}]}}
    drawn = {d.get("question") for d in (draws.get("questions") or {}).get("drawn") or []
             if d.get("question")}
    drawn |= {q.get("key") for q in questions if q.get("status") == "used"}
    offices = list(dict.fromkeys(clean(q.get("office")) for q in questions if q.get("office")))
    head = next((j for j in cv.judges if j.get("head")), None)
    return {
        "teams": len(cv.teams), "units": len({clean(t.get("unit")) for t in cv.teams}),
        "people": len(members), "members": len(members) - guests, "guests": guests,
        "judges": len(cv.judges), "head": clean(head["name"]) if head else "",
        "head_title": clean(head.get("title")) if head else "",
        "questions": len(questions),
        "approved": sum(1 for q in questions if q.get("status") in ("approved", "used")),
        "drawn": len(drawn), "offices": ", ".join(offices), "n_offices": len(offices),
        "parts": len(cv.rules.parts),
    }


def parts_view(cv: ContestView) -> list[dict]:
    out = []
    for p in cv.rules.parts:
        seconds = sum(ph.seconds for ph in p.phases)
        phases = ", ".join(f"{clean(ph.name).lower()} {_duration(ph.seconds)}" for ph in p.phases)
        criteria = "; ".join(f"{clean(c.name)} ({points(c.max)} điểm)" for c in p.criteria)
        out.append({"name": clean(p.name), "max": points(p.max),
                    "time": _duration(seconds) if seconds else "", "phases": phases,
                    "criteria": criteria,
                    "line": f"{clean(p.name)}: tối đa {points(p.max)} điểm"
                            + (f", thời gian {phases}" if phases else "")
                            + f". Tiêu chí: {criteria}."})
    return out


def _duration(seconds: int) -> str:
    minutes, sec = divmod(int(seconds), 60)
    if minutes and sec:
        return f"{minutes} phút {sec} giây"
    return f"{minutes} phút" if minutes else f"{sec} giây"


def judges_view(cv: ContestView) -> list[dict]:
    """The jury; ``column`` is the judge's name as a table heading, or 'GK1'... when more
    than :data:`MAX_NAMED_COLUMNS` judges would make the columns too narrow for names."""
    short = len(cv.judges) > MAX_NAMED_COLUMNS
    out = []
    for i, j in enumerate(cv.judges):
        name, title = clean(j.get("name")), clean(j.get("title"))
        role = "Trưởng ban" if j.get("head") else "Thành viên"
        out.append({"index": i + 1, "name": name, "title": title, "role": role,
                    "column": f"GK{i + 1}" if short else name,
                    "line": f"{name}, {title} – {role}" if title else f"{name} – {role}"})
    return out


def judge_legend(cv: ContestView) -> str:
    if len(cv.judges) <= MAX_NAMED_COLUMNS:
        return ""
    return "Ghi chú: " + "; ".join(f"GK{j['index']}: {j['name']}" for j in judges_view(cv)) + "."


def aggregation_text(cv: ContestView) -> str:
    return (f"Điểm phần thi là {AGGREGATION_TEXT.get(cv.rules.aggregation, cv.rules.aggregation)}, "
            f"làm tròn đến {cv.rules.decimals} chữ số thập phân; tổng điểm là tổng điểm các phần "
            "thi trừ điểm phạt quá thời gian (nếu có).")


__all__ = ["roster_view", "judge_matrix", "sheet_details", "ranking_rows", "rank_tie_notes",
           "award_rows", "pending_tie_notes", "pending_prize_notes", "resolved_tie_notes", "unawarded_notes",
           "counts", "parts_view", "judges_view", "judge_legend", "aggregation_text"]
