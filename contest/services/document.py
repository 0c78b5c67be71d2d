"""Import and export of the whole contest as a contest document (``hoithi/1``).

``import_contest`` checks everything first (schema, rules, rosters against the rules, unique
keys, references between lists) and then writes the contest in one transaction: a document
with any error writes nothing. ``export_contest`` writes the same shape back, with scores,
nominations, draws, decisions, the stage and the audit log, so that importing an export
recreates the contest exactly.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..core.errors import ContestError
from ..core.roster import MemberRecord, check_roster
from ..core.rules import rules_from_dict, rules_to_dict
from ..core.text import fold, nfc
from ..database import write_transaction
from ..document import validate
from ..extensions import db
from ..models import (AuditEntry, Contest, Decision, Draw, Judge, LotSeal, Member, Nomination,
                      Office, PartLock, Question, ScoreSheet, SheetReceipt, StageRecord, Team, Unit)
from . import access
from .audit import Actor, record


def _normalise(value: Any) -> Any:
    """NFC every string in a JSON-like value."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k) if isinstance(k, str) else k: _normalise(v) for k, v in value.items()}
    return value


def slug(text: str, taken: set[str] | None = None, prefix: str = "x") -> str:
    base = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:48] or prefix
    key, n = base, 2
    while taken is not None and key in taken:
        key, n = f"{base}-{n}", n + 1
    if taken is not None:
        taken.add(key)
    return key


def _unique(items: list[dict], path: str, what: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item["key"] in seen:
            raise ContestError(f"{path}[{i}].key: trùng mã {what} '{item['key']}'", field=f"{path}[{i}].key")
        seen.add(item["key"])


def check_document(doc: dict) -> dict:
    """Everything a document must satisfy beyond the schema. Returns the NFC-normalised contest."""
    validate(doc)
    c = _normalise(doc["contest"])
    rules = rules_from_dict(c["rules"], "contest.rules")
    units = c.get("units", [])
    _unique(units, "contest.units", "đơn vị")
    teams = c.get("teams", [])
    _unique(teams, "contest.teams", "đội")
    member_keys: set[str] = set()
    for i, team in enumerate(teams):
        members = team.get("members", [])
        for j, m in enumerate(members):
            if m["key"] in member_keys:
                raise ContestError(f"contest.teams[{i}].members[{j}].key: trùng mã thành viên '{m['key']}'",
                                   field=f"contest.teams[{i}].members[{j}].key")
            member_keys.add(m["key"])
        check_roster(team["name"], [MemberRecord(m["key"], m["name"], m.get("kind", "member"),
                                                 tuple(m.get("roles", []))) for m in members],
                     rules.team, rules.part_keys, path=f"contest.teams[{i}].members")
    judges = c.get("judges", [])
    _unique(judges, "contest.judges", "giám khảo")
    if sum(1 for j in judges if j.get("head")) > 1:
        raise ContestError("contest.judges: chỉ được có một Trưởng ban giám khảo", field="contest.judges")
    _unique(c.get("programme", []), "contest.programme", "mục chương trình")
    _unique(c.get("offices", []), "contest.offices", "cơ quan")
    questions = c.get("questions", [])
    _unique(questions, "contest.questions", "câu hỏi")
    from question_bank.core.model import question_from_dict
    for i, q in enumerate(questions):
        question_from_dict(q, f"contest.questions[{i}]")
    return c


def import_contest(doc: dict, actor: Actor | None = None) -> Contest:
    """Create a contest from a document; all or nothing."""
    actor = actor or Actor.cli()
    c = check_document(doc)
    rules = rules_from_dict(c["rules"], "contest.rules")
    with write_transaction() as session:
        contest = Contest(name=c["name"], organizer=c.get("organizer", ""),
                          date=dt.date.fromisoformat(c["date"]) if c.get("date") else None,
                          venue=c.get("venue", ""), rules_data=c["rules"],
                          programme=c.get("programme", []), documents=c.get("documents"),
                          results_public=bool(c.get("results_public", False)))
        session.add(contest)
        session.flush()
        units: dict[str, Unit] = {}
        for i, u in enumerate(c.get("units", [])):
            unit = Unit(contest_id=contest.id, key=u["key"], name=u["name"], position=i)
            session.add(unit)
            units[u["key"]] = unit
        by_name = {fold(u.name): u for u in units.values()}
        taken = set(units)
        teams: dict[str, Team] = {}
        members: dict[str, Member] = {}
        for i, t in enumerate(c.get("teams", [])):
            unit = None
            if t.get("unit"):
                unit = units.get(t["unit"]) or by_name.get(fold(t["unit"]))
                if unit is None:
                    unit = Unit(contest_id=contest.id, key=slug(t["unit"], taken, "unit"), name=t["unit"],
                                position=len(units))
                    session.add(unit)
                    units[unit.key] = unit
                    by_name[fold(unit.name)] = unit
            team = Team(contest_id=contest.id, key=t["key"], name=t["name"], unit=unit, position=i)
            session.add(team)
            teams[t["key"]] = team
            for j, m in enumerate(t.get("members", [])):
                member = Member(contest_id=contest.id, team=team, key=m["key"], name=m["name"],
                                position_title=m.get("position", ""), workplace=m.get("workplace", ""),
                                kind=m.get("kind", "member"), roles=list(m.get("roles", [])), position=j)
                session.add(member)
                members[m["key"]] = member
        judges: dict[str, Judge] = {}
        for i, j in enumerate(c.get("judges", [])):
            judge = Judge(contest_id=contest.id, key=j["key"], name=j["name"], title=j.get("title", ""),
                          head=bool(j.get("head", False)), position=i)
            session.add(judge)
            judges[j["key"]] = judge
        offices = {o["key"]: o["name"] for o in c.get("offices", [])}
        office_names = {fold(n) for n in offices.values()}
        office_taken = set(offices)
        for q in c.get("questions", []):
            name = q.get("office", "")
            if name and fold(name) not in office_names:
                offices[slug(name, office_taken, "office")] = name
                office_names.add(fold(name))
        for i, (key, name) in enumerate(offices.items()):
            session.add(Office(contest_id=contest.id, key=key, name=name, position=i))
        for i, q in enumerate(c.get("questions", [])):
            session.add(Question(contest_id=contest.id, key=q["key"], kind=q.get("kind", "open"),
                                 text=q["text"], choices=list(q.get("choices", [])),
                                 answer=q.get("answer", ""), field=q.get("field", ""),
                                 office=q.get("office", ""), basis=q.get("basis", ""),
                                 points=q.get("points"), follow_ups=list(q.get("follow_ups", [])),
                                 status=q.get("status", "submitted"),
                                 reject_reason=q.get("reject_reason", ""), position=i))
        session.flush()
        _import_history(session, contest, c, rules, teams, judges, members)
        access.ensure_tokens(contest)
        if "audit" not in c:  # a restored export brings its own history, unchanged
            record(contest.id, actor, "contest.import", contest.name,
                   new={"teams": len(teams), "judges": len(judges),
                        "questions": len(c.get("questions", []))})
    return contest


def _import_history(session, contest: Contest, c: dict, rules, teams, judges, members) -> None:
    """Scores, nominations, draws, decisions, locks, stage and audit of an exported contest."""
    from ..core.tabulation import validate_criteria

    def ref(table: dict, key: str, path: str, what: str):
        if key not in table:
            raise ContestError(f"{path}: không có {what} '{key}'", field=path)
        return table[key]

    for i, s in enumerate(c.get("scores", [])):
        path = f"contest.scores[{i}]"
        part = rules.part(s["part"])
        if part is None:
            raise ContestError(f"{path}.part: không có phần thi '{s['part']}'", field=f"{path}.part")
        criteria = validate_criteria(part, s["criteria"], rules.score_step)
        judge = ref(judges, s["judge"], f"{path}.judge", "giám khảo")
        team = ref(teams, s["team"], f"{path}.team", "đội")
        total = sum(criteria.values(), Decimal(0))
        client_id = s.get("id") or f"import-{i}"
        session.add(ScoreSheet(contest_id=contest.id, judge_id=judge.id, team_id=team.id,
                               part_key=part.key, criteria={k: _num(v) for k, v in criteria.items()},
                               total=total, client_id=client_id, comment=s.get("comment", ""),
                               source=s.get("source", "tablet"), revision=s.get("revision", 1)))
        session.add(SheetReceipt(contest_id=contest.id, judge_id=judge.id, client_id=client_id,
                                 answer={"team": team.key, "part": part.key}))
    for i, n in enumerate(c.get("nominations", [])):
        path = f"contest.nominations[{i}]"
        if rules.prizes.find(n["prize"]) is None:
            raise ContestError(f"{path}.prize: không có giải '{n['prize']}'", field=f"{path}.prize")
        judge = ref(judges, n["judge"], f"{path}.judge", "giám khảo")
        member = ref(members, n["member"], f"{path}.member", "thành viên")
        session.add(Nomination(contest_id=contest.id, judge_id=judge.id, prize_key=n["prize"],
                               member_id=member.id))
    draws = c.get("draws") or {}
    for kind in ("questions", "order"):
        seal = draws.get(kind)
        if not seal:
            continue
        session.add(LotSeal(contest_id=contest.id, kind=kind, salt=seal["salt"], lots=seal["lots"],
                            commitment=seal["commitment"], revealed=bool(seal.get("revealed"))))
        for d in seal.get("drawn", []):
            session.add(Draw(contest_id=contest.id, kind=kind, lot=int(d["lot"]), team_key=d["team"],
                             value=d.get("question") or d.get("value") or "",
                             at=_parse_at(d.get("at"))))
    for d in c.get("decisions", []):
        if d["kind"] == "lock":
            session.add(PartLock(contest_id=contest.id, part_key=d["data"]["part"],
                                 locked_by=d.get("by", ""), locked_at=_parse_at(d.get("at"))))
            continue
        session.add(Decision(contest_id=contest.id, kind=d["kind"], data=d.get("data", {}),
                             reason=d.get("reason", ""), by=d.get("by", ""), at=_parse_at(d.get("at"))))
    if c.get("stage"):
        session.add(StageRecord(contest_id=contest.id, state=c["stage"],
                                version=int(c["stage"].get("version", 0))))
    for a in c.get("audit", []):
        session.add(AuditEntry(contest_id=contest.id, at=_parse_at(a.get("at")), actor=a.get("actor", ""),
                               device=a.get("device", ""), action=a["action"], target=a.get("target", ""),
                               old=a.get("old"), new=a.get("new"), reason=a.get("reason", "")))


def _parse_at(value: str | None) -> dt.datetime:
    if not value:
        return dt.datetime(1970, 1, 1)
    return dt.datetime.fromisoformat(value.rstrip("Z"))


def _at(value: dt.datetime) -> str:
    return value.isoformat(timespec="milliseconds") + "Z"


def _num(value) -> int | float | None:
    if value is None:
        return None
    d = Decimal(str(value))
    return int(d) if d == d.to_integral_value() else float(d)


def export_contest(contest: Contest) -> dict:
    """The whole contest as a contest document, history included."""
    cid = contest.id
    scalars = db.session.scalars
    judges = {j.id: j.key for j in contest.judges}
    teams = {t.id: t.key for t in contest.teams}
    members = {m.id: m.key for m in scalars(select(Member).where(Member.contest_id == cid))}
    c: dict[str, Any] = {
        "name": contest.name,
        "organizer": contest.organizer,
        "date": contest.date.isoformat() if contest.date else None,
        "venue": contest.venue,
        "rules": rules_to_dict(contest.rules),
        "units": [{"key": u.key, "name": u.name} for u in contest.units],
        "teams": [{"key": t.key, "name": t.name, "unit": t.unit_name,
                   "members": [{"key": m.key, "name": m.name, "position": m.position_title,
                                "workplace": m.workplace, "kind": m.kind, "roles": list(m.roles)}
                               for m in t.members]} for t in contest.teams],
        "judges": [{"key": j.key, "name": j.name, "title": j.title, "head": j.head} for j in contest.judges],
        "questions": [question_dict(q) for q in scalars(
            select(Question).where(Question.contest_id == cid).order_by(Question.position, Question.id))],
        "programme": list(contest.programme or []),
        "offices": [{"key": o.key, "name": o.name} for o in scalars(
            select(Office).where(Office.contest_id == cid).order_by(Office.position, Office.id))],
        "results_public": contest.results_public,
        "scores": [{"judge": judges[s.judge_id], "team": teams[s.team_id], "part": s.part_key,
                    "criteria": dict(s.criteria), "id": s.client_id, "comment": s.comment,
                    "source": s.source} for s in scalars(
            select(ScoreSheet).where(ScoreSheet.contest_id == cid).order_by(ScoreSheet.id))],
        "nominations": [{"judge": judges[n.judge_id], "prize": n.prize_key, "member": members[n.member_id]}
                        for n in scalars(select(Nomination).where(Nomination.contest_id == cid)
                                         .order_by(Nomination.id))],
        "draws": _export_draws(cid),
        "decisions": _export_decisions(cid),
        "audit": [{"at": _at(a.at), "actor": a.actor, "device": a.device, "action": a.action,
                   "target": a.target, "old": a.old, "new": a.new, "reason": a.reason}
                  for a in scalars(select(AuditEntry).where(AuditEntry.contest_id == cid)
                                   .order_by(AuditEntry.id))],
    }
    if contest.documents:
        c["documents"] = contest.documents
    stage = db.session.get(StageRecord, cid)
    if stage is not None:
        c["stage"] = stage.state
    return {"format": "hoithi/1", "contest": c}


def question_dict(q: Question) -> dict:
    d: dict[str, Any] = {"key": q.key, "kind": q.kind, "text": q.text}
    if q.kind == "choice":
        d["choices"] = list(q.choices)
    d.update({"answer": q.answer, "field": q.field, "office": q.office, "basis": q.basis,
              "points": _num(q.points), "follow_ups": list(q.follow_ups), "status": q.status})
    if q.reject_reason:
        d["reject_reason"] = q.reject_reason
    return d


def _export_draws(cid: int) -> dict | None:
    out: dict[str, Any] = {}
    for seal in db.session.scalars(select(LotSeal).where(LotSeal.contest_id == cid)):
        drawn = db.session.scalars(select(Draw).where(Draw.contest_id == cid, Draw.kind == seal.kind)
                                   .order_by(Draw.id))
        out[seal.kind] = {"commitment": seal.commitment, "salt": seal.salt, "lots": seal.lots,
                          "revealed": seal.revealed,
                          "drawn": [{"lot": d.lot, "team": d.team_key, "question": d.value, "at": _at(d.at)}
                                    for d in drawn]}
    return out or None


def _export_decisions(cid: int) -> list[dict]:
    out = [{"kind": "lock", "data": {"part": lk.part_key}, "reason": "", "by": lk.locked_by,
            "at": _at(lk.locked_at)}
           for lk in db.session.scalars(select(PartLock).where(PartLock.contest_id == cid).order_by(PartLock.id))]
    out += [{"kind": d.kind, "data": d.data, "reason": d.reason, "by": d.by, "at": _at(d.at)}
            for d in db.session.scalars(select(Decision).where(Decision.contest_id == cid).order_by(Decision.id))]
    return out
