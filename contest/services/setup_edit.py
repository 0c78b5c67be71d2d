"""Editing a contest's setup: the contest itself, its rules and programme, units, teams,
members, judges and access links.

Every function here is one use case: it checks its input (Vietnamese messages naming the
field, as :class:`ContestError`), then, inside one ``write_transaction()``, re-reads the
contest, checks the form's ``revision`` (a stale form is a :class:`Conflict` and writes
nothing), checks what the change would break, writes, bumps ``Contest.revision`` and records an
audit entry (old → new). After the commit it publishes a staff-only ``setup`` event.

Policies
- Keys: left empty, a key is made from the name (:func:`contest.services.document.slug`); a key
  given by hand must be well formed and unused. A key never changes after creation (score
  sheets, draws, tokens and prizes point at it).
- Names are NFC-normalised, trimmed and their inner spaces collapsed.
- Rules: every change rebuilds the whole rules object and validates it with
  :func:`contest.core.rules.rules_from_dict`; the existing rosters must still fit (limits,
  parts performed in); parts already scored keep their criteria and the score step; a prize
  with nominations cannot be removed.
- Rosters: every member change re-checks the whole team with
  :func:`contest.core.roster.check_roster` (a 13th member or a 5th guest is refused naming the
  team).
- Jury head: making a judge head moves the flag from the previous head (and says so).
- Deleting is refused while it would drop history: a team or judge with score sheets, a member
  or judge with nominations, a unit with teams.

This module does not render anything, parse HTTP forms or build URLs.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import func, select

from ..core.errors import Conflict, ContestError, NotFound
from ..core.roster import KINDS, MemberRecord, check_roster
from ..core.rules import KEY_RE, Rules, rules_from_dict, rules_to_dict
from ..core.setup_checks import JudgeInfo, SetupData, TeamInfo, team_label
from ..core.text import fold, nfc
from ..database import write_transaction
from ..extensions import db
from ..models import (AccessToken, Contest, Judge, Member, Nomination, ScoreSheet, StageRecord,
                      Team, Unit)
from . import access
from .audit import Actor, record
from .document import slug

DEFAULT_DOCUMENT = Path(__file__).resolve().parent.parent / "demo" / "kon-ray-2023.json"
STALE = "Dữ liệu đã được người khác thay đổi; hãy tải lại trang"
PROGRAMME_KINDS = ("plain", "contest", "results")
KIND_LABELS = {"member": "Thành viên", "guest": "Người được mời phối hợp"}


# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=1)
def _default_document() -> str:
    return DEFAULT_DOCUMENT.read_text(encoding="utf-8")


def default_rules() -> dict:
    """The rules of the Kon Rẫy 2023 contest: a new contest starts with them."""
    return json.loads(_default_document())["contest"]["rules"]


def default_programme() -> list:
    return json.loads(_default_document())["contest"].get("programme", [])


def clean_text(value: Any, field: str, label: str, *, required: bool = False,
               max_len: int = 300, multiline: bool = False) -> str:
    """NFC, trimmed, inner spaces collapsed; refused when required and empty, or too long."""
    text = nfc("" if value is None else str(value)).strip()
    if not multiline:
        text = " ".join(text.split())
    if required and not text:
        raise ContestError(f"{label}: không được để trống", field=field)
    if len(text) > max_len:
        raise ContestError(f"{label}: dài quá {max_len} ký tự", field=field)
    return text


def clean_key(value: Any, name: str, taken: set[str], what: str, prefix: str,
              field: str = "key") -> str:
    """The key typed, checked; or one made from the name when left empty."""
    key = nfc("" if value is None else str(value)).strip()
    if not key:
        return slug(name, set(taken), prefix)
    if not KEY_RE.match(key):
        raise ContestError(f"Mã '{key}': chỉ gồm chữ không dấu, số, '-', '_' hoặc '.' "
                           "(tối đa 64 ký tự, bắt đầu bằng chữ hoặc số)", field=field)
    if key in taken:
        raise ContestError(f"Mã '{key}' đã được dùng cho {what} khác", field=field)
    return key


def _contest_for_write(session, contest_id: int, revision: int | None) -> Contest:
    contest = session.get(Contest, contest_id)
    if contest is None:
        raise NotFound(f"Không có hội thi số {contest_id}")
    if revision is not None and int(revision) != contest.revision:
        raise Conflict(STALE, field="revision", code="stale")
    return contest


def get_contest(contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise NotFound(f"Không có hội thi số {contest_id}")
    return contest


def _saved(contest: Contest) -> None:
    contest.revision = (contest.revision or 0) + 1


def _announce(contest_id: int, action: str, revision: int) -> None:
    """After commit: tell the staff screens that the setup changed (they may reload)."""
    from .. import live
    live.publish(contest_id, "setup", {"contest": contest_id, "action": action, "revision": revision},
                 staff_only=True)


def _row(session, model, contest_id: int, row_id: int, what: str):
    if not 0 < row_id < 2 ** 63:  # beyond any database integer: no such row
        raise NotFound(f"Không tìm thấy {what}")
    row = session.get(model, row_id)
    if row is None or row.contest_id != contest_id:
        raise NotFound(f"Không tìm thấy {what}")
    return row


def _parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if "/" in text:
            d, m, y = (int(x) for x in text.split("/"))
            return dt.date(y, m, d)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ContestError(f"Ngày '{text}' không hợp lệ (viết dd/mm/yyyy)", field="date") from None


# --------------------------------------------------------------------------- contest


def _info(data: dict) -> dict:
    return {"name": clean_text(data.get("name"), "name", "Tên hội thi", required=True),
            "organizer": clean_text(data.get("organizer"), "organizer", "Cơ quan tổ chức"),
            "date": _parse_date(data.get("date")),
            "venue": clean_text(data.get("venue"), "venue", "Địa điểm")}


def _info_dict(c: Contest) -> dict:
    return {"name": c.name, "organizer": c.organizer, "venue": c.venue,
            "date": c.date.isoformat() if c.date else None}


def create_contest(data: dict, actor: Actor) -> Contest:
    """A new contest with the default rules and programme, usable at once."""
    info = _info(data)
    with write_transaction() as session:
        contest = Contest(rules_data=default_rules(), programme=default_programme(), **info)
        session.add(contest)
        session.flush()
        access.ensure_tokens(contest)
        record(contest.id, actor, "contest.create", contest.name, new=_info_dict(contest))
    return contest


def update_info(contest_id: int, revision: int | None, data: dict, actor: Actor) -> Contest:
    info = _info(data)
    with write_transaction() as session:
        contest = _contest_for_write(session, contest_id, revision)
        old = _info_dict(contest)
        for k, v in info.items():
            setattr(contest, k, v)
        _saved(contest)
        record(contest.id, actor, "contest.update", contest.name, old=old, new=_info_dict(contest))
        rev = contest.revision
    _announce(contest_id, "contest.update", rev)
    return contest


def import_document(filename: str, data: bytes, actor: Actor) -> Contest:
    """A contest from an uploaded contest document (.json or .xlsx); all or nothing."""
    from ..document import load_document
    from .document import import_contest
    doc = load_document(filename, data)
    return import_contest(doc, actor)


def export_document(contest_id: int, fmt: str) -> tuple[str, bytes]:
    """The whole contest as a contest document: (file name, bytes)."""
    from ..document import dump_document
    from .document import export_contest
    if fmt not in ("json", "xlsx"):
        raise ContestError("Chỉ xuất được .json hoặc .xlsx", field="format")
    contest = get_contest(contest_id)
    name = f"{slug(contest.name, None, 'hoi-thi')}.{fmt}"
    return name, dump_document(name, export_contest(contest))


# --------------------------------------------------------------------------- rules


def _roster_records(team: Team) -> list[MemberRecord]:
    return [MemberRecord(m.key, m.name, m.kind, tuple(m.roles or ())) for m in team.members]


def _over(teams: list[tuple[str, int]], limit: int, what: str, field: str) -> None:
    if not teams:
        return
    if len(teams) == 1:
        name, n = teams[0]
        message = f"{team_label(name)} đã có {n} {what}, nhiều hơn tối đa {limit}; hãy bớt {what} của đội trước"
    else:
        message = (f"Các đội có nhiều hơn {limit} {what}: "
                   + ", ".join(f"{team_label(name)} ({n})" for name, n in teams)
                   + f"; hãy bớt {what} của các đội này trước")
    raise ContestError(message, field=field, code="team_limit")


def _check_rosters_fit(session, contest: Contest, rules: Rules) -> None:
    members = [(t.name, sum(1 for m in t.members if m.kind == "member")) for t in contest.teams]
    guests = [(t.name, sum(1 for m in t.members if m.kind == "guest")) for t in contest.teams]
    _over([(t, n) for t, n in members if n > rules.team.max_members], rules.team.max_members,
          "thành viên", "rules.team.max_members")
    _over([(t, n) for t, n in guests if n > rules.team.max_guests], rules.team.max_guests,
          "người được mời phối hợp", "rules.team.max_guests")
    for team in contest.teams:
        for m in team.members:
            for role in m.roles or ():
                if rules.part(role) is None:
                    raise ContestError(f"{team_label(team.name)}: thành viên '{m.name}' đang biểu diễn ở phần "
                                       f"thi '{role}'; hãy bỏ phân công đó trước khi xóa phần thi",
                                       field="rules.parts", code="in_use")


def _check_history_fits(session, contest: Contest, old: Rules, new: Rules) -> None:
    scored = set(session.scalars(select(ScoreSheet.part_key).where(
        ScoreSheet.contest_id == contest.id).distinct()))
    for key in sorted(scored):
        before, after = old.part(key), new.part(key)
        if before is None:
            continue
        name = before.name
        if after is None:
            raise ContestError(f"Phần thi '{name}' đã có phiếu chấm; không thể xóa",
                               field="rules.parts", code="in_use")
        if [(c.key, c.max) for c in before.criteria] != [(c.key, c.max) for c in after.criteria]:
            index = new.parts.index(after)
            raise ContestError(f"Phần thi '{name}' đã có phiếu chấm; không thể thêm, bớt hoặc đổi mã, "
                               "điểm tối đa của tiêu chí", field=f"rules.parts[{index}].criteria",
                               code="in_use")
    if scored and old.score_step != new.score_step:
        raise ContestError("Đã có phiếu chấm; không thể đổi bước điểm", field="rules.score_step",
                           code="in_use")
    nominated = set(session.scalars(select(Nomination.prize_key).where(
        Nomination.contest_id == contest.id).distinct()))
    for key in sorted(nominated):
        prize = new.prizes.find(key)
        if prize is None:
            was = old.prizes.find(key)
            raise ContestError(f"Giải '{was.name if was else key}' đã có đề cử của giám khảo; không thể xóa",
                               field="rules.prizes", code="in_use")


def change_rules(contest_id: int, revision: int | None, change: Callable[[dict], Any],
                 actor: Actor, action: str = "rules.update", target: str = "Thể lệ") -> Contest:
    """Apply ``change`` to a copy of the rules object, validate the result, check that the
    rosters and the history still fit, and save it. Errors name the rules path
    (``rules.parts[1].criteria[0].max``)."""
    with write_transaction() as session:
        contest = _contest_for_write(session, contest_id, revision)
        old_data = contest.rules_data
        data = json.loads(json.dumps(old_data))
        change(data)
        new = rules_from_dict(_normalise(data))
        _check_rosters_fit(session, contest, new)
        _check_history_fits(session, contest, contest.rules, new)
        contest.rules_data = rules_to_dict(new)
        _saved(contest)
        record(contest.id, actor, action, target, old=old_data, new=contest.rules_data)
        rev = contest.revision
    _announce(contest_id, action, rev)
    return contest


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(nfc(value).split())
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    return value


def save_general(contest_id: int, revision: int | None, general: dict, actor: Actor) -> Contest:
    """Team limits, aggregation, decimals, score step and the tie-break order."""
    def change(rules: dict) -> None:
        rules["team"] = {"max_members": general.get("max_members"),
                         "max_guests": general.get("max_guests")}
        for key in ("aggregation", "decimals", "score_step"):
            rules[key] = general.get(key)
        rules["tie_break"] = [k for k in general.get("tie_break") or [] if k]
    return change_rules(contest_id, revision, change, actor, "rules.general", "Thể lệ: quy định chung")


def _part_keys_taken(rules: dict, except_index: int | None) -> set[str]:
    return {p.get("key") for i, p in enumerate(rules.get("parts", [])) if i != except_index}


def save_part(contest_id: int, revision: int | None, part: dict, actor: Actor,
              index: int | None = None) -> int:
    """Add a part (``index`` None) or replace the part at ``index``; its key stays. Returns
    the index. ``part``: key (new parts only), name, phases [{key, name, seconds}], criteria
    [{key, name, max}], overtime_penalty {points, per_seconds} or None. Empty phase and
    criterion keys are made from their names."""
    result: dict = {}

    def change(rules: dict) -> None:
        parts = rules.setdefault("parts", [])
        name = clean_text(part.get("name"), f"rules.parts[{index if index is not None else len(parts)}].name",
                          "Tên phần thi", required=True)
        if index is None:
            at = len(parts)
            key = clean_key(part.get("key"), name, _part_keys_taken(rules, None), "phần thi", "part",
                            field=f"rules.parts[{at}].key")
        else:
            if not 0 <= index < len(parts):
                raise NotFound("Không tìm thấy phần thi")
            at, key = index, parts[index]["key"]
        item: dict = {"key": key, "name": name,
                      "phases": _rows(part.get("phases") or [], f"rules.parts[{at}].phases", "giai đoạn", "phase"),
                      "criteria": _rows(part.get("criteria") or [], f"rules.parts[{at}].criteria", "tiêu chí",
                                        "criterion")}
        if part.get("overtime_penalty") is not None:
            item["overtime_penalty"] = part["overtime_penalty"]
        if index is None:
            parts.append(item)
        else:
            parts[index] = item
        result["index"] = at

    change_rules(contest_id, revision, change, actor, "rules.part", f"Phần thi: {part.get('name', '')}")
    return result["index"]


def _rows(rows: list[dict], path: str, what: str, prefix: str) -> list[dict]:
    """Fill empty keys from names; refuse a duplicate key typed by hand."""
    taken = {r.get("key") for r in rows if r.get("key")}
    out = []
    seen: set[str] = set()
    for i, r in enumerate(rows):
        r = dict(r)
        if not r.get("key"):
            r["key"] = slug(str(r.get("name") or ""), taken, prefix)
        if r["key"] in seen:
            raise ContestError(f"{path}[{i}].key: trùng mã {what} '{r['key']}'", field=f"{path}[{i}].key")
        seen.add(r["key"])
        out.append(r)
    return out


def delete_part(contest_id: int, revision: int | None, part_key: str, actor: Actor) -> None:
    """Remove a part; it leaves the tie-break order too. Refused while a prize is given on it,
    members perform in it or it has score sheets."""
    def change(rules: dict) -> None:
        parts = rules.get("parts", [])
        part = next((p for p in parts if p["key"] == part_key), None)
        if part is None:
            raise NotFound("Không tìm thấy phần thi")
        if len(parts) == 1:
            raise ContestError("Thể lệ cần ít nhất một phần thi", field="rules.parts")
        prizes = rules.get("prizes", {})
        for group in ("special", "individual"):
            for prize in prizes.get(group, []):
                if prize.get("part") == part_key:
                    raise ContestError(f"Không thể xóa phần thi '{part['name']}': giải '{prize['name']}' "
                                       "được trao theo phần thi này; hãy sửa cơ cấu giải trước",
                                       field="rules.prizes", code="in_use")
        rules["parts"] = [p for p in parts if p["key"] != part_key]
        rules["tie_break"] = [k for k in rules.get("tie_break", []) if k != part_key]
    change_rules(contest_id, revision, change, actor, "rules.part.delete", f"Phần thi: {part_key}")


def save_prizes(contest_id: int, revision: int | None, prizes: dict, actor: Actor) -> Contest:
    """The prize structure: {"collective": [...], "special": [...], "individual": [...]}; empty
    keys are made from the names and must be unique across the three lists."""
    def change(rules: dict) -> None:
        taken = {p.get("key") for group in prizes.values() for p in group if p.get("key")}
        seen: set[str] = set()
        out: dict = {}
        for group in ("collective", "special", "individual"):
            out[group] = []
            for i, p in enumerate(prizes.get(group, [])):
                p = dict(p)
                if not p.get("key"):
                    p["key"] = slug(str(p.get("name") or ""), taken, "prize")
                if p["key"] in seen:
                    raise ContestError(f"rules.prizes.{group}[{i}].key: trùng mã giải '{p['key']}'",
                                       field=f"rules.prizes.{group}[{i}].key")
                seen.add(p["key"])
                out[group].append(p)
        rules["prizes"] = out
    return change_rules(contest_id, revision, change, actor, "rules.prizes", "Cơ cấu giải thưởng")


def save_programme(contest_id: int, revision: int | None, items: list[dict], actor: Actor) -> Contest:
    """The programme of the day, in order: [{key, name, kind}] (kind plain|contest|results or
    empty for the default by key)."""
    taken = {i.get("key") for i in items if i.get("key")}
    programme: list[dict] = []
    seen: set[str] = set()
    for i, raw in enumerate(items):
        name = clean_text(raw.get("name"), f"programme[{i}].name", f"Mục {i + 1}: tên", required=True)
        key = (raw.get("key") or "").strip() or slug(name, taken, "item")
        if not KEY_RE.match(key):
            raise ContestError(f"Mục {i + 1}: mã '{key}' chỉ gồm chữ không dấu, số, '-', '_' hoặc '.'",
                               field=f"programme[{i}].key")
        if key in seen:
            raise ContestError(f"Mục {i + 1}: trùng mã '{key}'", field=f"programme[{i}].key")
        seen.add(key)
        item = {"key": key, "name": name}
        kind = raw.get("kind") or ""
        if kind:
            if kind not in PROGRAMME_KINDS:
                raise ContestError(f"Mục {i + 1}: loại '{kind}' không hợp lệ", field=f"programme[{i}].kind")
            item["kind"] = kind
        programme.append(item)
    with write_transaction() as session:
        contest = _contest_for_write(session, contest_id, revision)
        old = list(contest.programme or [])
        contest.programme = programme
        _saved(contest)
        record(contest.id, actor, "programme.update", "Chương trình", old=old, new=programme)
        rev = contest.revision
    _announce(contest_id, "programme.update", rev)
    return contest


# --------------------------------------------------------------------------- units and teams


def _unit_dict(u: Unit) -> dict:
    return {"key": u.key, "name": u.name}


def save_unit(contest_id: int, revision: int | None, data: dict, actor: Actor,
              unit_id: int | None = None) -> Unit:
    name = clean_text(data.get("name"), "name", "Tên đơn vị", required=True)
    with write_transaction() as session:
        contest = _contest_for_write(session, contest_id, revision)
        unit = _row(session, Unit, contest_id, unit_id, "đơn vị") if unit_id else None
        others = [u for u in contest.units if u is not unit]
        if any(fold(u.name) == fold(name) for u in others):
            raise ContestError(f"Đã có đơn vị '{name}'", field="name")
        old = _unit_dict(unit) if unit else None
        if unit is None:
            key = clean_key(data.get("key"), name, {u.key for u in others}, "đơn vị", "unit")
            unit = Unit(contest_id=contest_id, key=key, name=name,
                        position=max((u.position for u in others), default=-1) + 1)
            session.add(unit)
        else:
            unit.name = name
        _saved(contest)
        session.flush()
        record(contest_id, actor, "unit.update" if old else "unit.create", name, old=old,
               new=_unit_dict(unit))
        rev = contest.revision
    _announce(contest_id, "unit", rev)
    return unit


def delete_unit(contest_id: int, revision: int | None, unit_id: int, actor: Actor) -> None:
    with write_transaction() as session:
        contest = _contest_for_write(session, contest_id, revision)
        unit = _row(session, Unit, contest_id, unit_id, "đơn vị")
        teams = [t.name for t in contest.teams if t.unit_id == unit.id]
        if teams:
            raise ContestError(f"Đơn vị '{unit.name}' đang có đội: {', '.join(teams)}; hãy xóa hoặc "
                               "chuyển đội trước", field="unit", code="in_use")
        record(contest_id, actor, "unit.delete", unit.name, old=_unit_dict(unit))
        session.delete(unit)
        _saved(contest)
        rev = contest.revision
    _announce(contest_id, "unit", rev)


def _team_dict(t: Team) -> dict:
    return {"key": t.key, "name": t.name, "unit": t.unit.key if t.unit else None}


def save_team(contest_id: int, revision: int | None, data: dict, actor: Actor,
              team_id: int | None = None) -> Team:
    """``data``: name, unit (unit id or empty), key (new teams only)."""
    name = clean_text(data.get("name"), "name", "Tên đội", required=True)
    with write_transaction() as session:
        contest = _contest_for_write(session, contest_id, revision)
        team = _row(session, Team, contest_id, team_id, "đội") if team_id else None
        others = [t for t in contest.teams if t is not team]
        if any(fold(t.name) == fold(name) for t in others):
            raise ContestError(f"Đã có đội '{name}'", field="name")
        unit = None
        if data.get("unit") not in (None, "", 0, "0"):
            try:
                unit = _row(session, Unit, contest_id, int(data["unit"]), "đơn vị")
            except (ValueError, NotFound):
                raise ContestError("Đơn vị không có trong hội thi này", field="unit") from None
        old = _team_dict(team) if team else None
        if team is None:
            key = clean_key(data.get("key"), name, {t.key for t in others}, "đội", "team")
            team = Team(contest_id=contest_id, key=key, name=name, unit=unit,
                        position=max((t.position for t in others), default=-1) + 1)
            session.add(team)
        else:
            team.name, team.unit = name, unit
        _saved(contest)
        session.flush()
        record(contest_id, actor, "team.update" if old else "team.create", name, old=old,
               new=_team_dict(team))
        rev = contest.revision
    _announce(contest_id, "team", rev)
    return team


def delete_team(contest_id: int, revision: int | None, team_id: int, actor: Actor) -> None:
    with write_transaction() as session:
        contest = _contest_for_write(session, contest_id, revision)
        team = _row(session, Team, contest_id, team_id, "đội")
        sheets = session.scalar(select(func.count(ScoreSheet.id)).where(ScoreSheet.team_id == team.id))
        if sheets:
            raise ContestError(f"{team_label(team.name)} đã có {sheets} phiếu chấm; không thể xóa",
                               field="team", code="in_use")
        _refuse_nominated(session, team.members)
        record(contest_id, actor, "team.delete", team.name,
               old=dict(_team_dict(team), members=[_member_dict(m) for m in team.members]))
        session.delete(team)
        _saved(contest)
        rev = contest.revision
    _announce(contest_id, "team", rev)


# --------------------------------------------------------------------------- members


def _member_dict(m: Member) -> dict:
    return {"key": m.key, "name": m.name, "position": m.position_title, "workplace": m.workplace,
            "kind": m.kind, "roles": list(m.roles or [])}


def _refuse_nominated(session, members: list[Member]) -> None:
    ids = {m.id: m for m in members if m.id is not None}
    if not ids:
        return
    hit = session.scalar(select(Nomination.member_id).where(Nomination.member_id.in_(ids)).limit(1))
    if hit is not None:
        raise ContestError(f"Thành viên '{ids[hit].name}' đang được giám khảo đề cử giải cá nhân; "
                           "không thể xóa", field="member", code="in_use")


def save_member(contest_id: int, revision: int | None, team_id: int, data: dict, actor: Actor,
                member_id: int | None = None) -> Member:
    """Add or edit a member of a team. ``data``: name, position (chức vụ), workplace, kind
    (member|guest), roles (part keys), key (new members only). The team's whole roster is
    checked against the rules; nothing is saved when it breaks them."""
    name = clean_text(data.get("name"), "name", "Họ và tên", required=True, max_len=200)
    position = clean_text(data.get("position"), "position", "Chức vụ")
    workplace = clean_text(data.get("workplace"), "workplace", "Nơi công tác")
    kind = data.get("kind") or "member"
    if kind not in KINDS:
        raise ContestError(f"Loại '{kind}' không hợp lệ: chọn Thành viên hoặc Người được mời phối hợp",
                           field="kind")
    roles = [str(r) for r in (data.get("roles") or [])]
    with write_transaction() as session:
        contest = _contest_for_write(session, contest_id, revision)
        team = _row(session, Team, contest_id, team_id, "đội")
        member = None
        if member_id:
            member = _row(session, Member, contest_id, member_id, "thành viên")
            if member.team_id != team.id:
                raise NotFound("Không tìm thấy thành viên trong đội này")
        if member is None:
            taken = set(session.scalars(select(Member.key).where(Member.contest_id == contest_id)))
            key = clean_key(data.get("key"), name, taken, "thành viên", "member")
        else:
            key = member.key
        records = [MemberRecord(m.key, m.name, m.kind, tuple(m.roles or ())) for m in team.members
                   if m is not member]
        records.append(MemberRecord(key, name, kind, tuple(roles)))
        rules = contest.rules
        try:
            check_roster(team.name, records, rules.team, rules.part_keys)
        except ContestError as exc:
            field = "roles" if ".roles" in (exc.field or "") else ("kind" if exc.code == "team_limit" else exc.field)
            raise ContestError(exc.message, field=field, code=exc.code) from None
        old = _member_dict(member) if member else None
        if member is None:
            member = Member(contest_id=contest_id, team=team, key=key,
                            position=max((m.position for m in team.members), default=-1) + 1)
            session.add(member)
        member.name, member.position_title, member.workplace = name, position, workplace
        member.kind, member.roles = kind, roles
        _saved(contest)
        session.flush()
        record(contest_id, actor, "member.update" if old else "member.create", f"{team.name}: {name}",
               old=old, new=_member_dict(member))
        rev = contest.revision
    _announce(contest_id, "member", rev)
    return member


def delete_member(contest_id: int, revision: int | None, member_id: int, actor: Actor) -> None:
    with write_transaction() as session:
        contest = _contest_for_write(session, contest_id, revision)
        member = _row(session, Member, contest_id, member_id, "thành viên")
        _refuse_nominated(session, [member])
        record(contest_id, actor, "member.delete", f"{member.team.name}: {member.name}",
               old=_member_dict(member))
        session.delete(member)
        _saved(contest)
        rev = contest.revision
    _announce(contest_id, "member", rev)


# --------------------------------------------------------------------------- judges


def _judge_dict(j: Judge) -> dict:
    return {"key": j.key, "name": j.name, "title": j.title, "head": j.head}


def save_judge(contest_id: int, revision: int | None, data: dict, actor: Actor,
               judge_id: int | None = None) -> tuple[Judge, str | None]:
    """Add or edit a judge; a new judge gets an access token in the same transaction. Making
    a judge the head moves the flag from the previous head: the second value says so."""
    name = clean_text(data.get("name"), "name", "Họ và tên", required=True, max_len=200)
    title = clean_text(data.get("title"), "title", "Chức vụ")
    head = bool(data.get("head"))
    notice = None
    with write_transaction() as session:
        contest = _contest_for_write(session, contest_id, revision)
        judge = _row(session, Judge, contest_id, judge_id, "giám khảo") if judge_id else None
        others = [j for j in contest.judges if j is not judge]
        old = _judge_dict(judge) if judge else None
        if judge is None:
            key = clean_key(data.get("key"), name, {j.key for j in others}, "giám khảo", "judge")
            judge = Judge(contest_id=contest_id, key=key,
                          position=max((j.position for j in others), default=-1) + 1)
            session.add(judge)
        judge.name, judge.title, judge.head = name, title, head
        if head:
            previous = [j for j in others if j.head]
            for j in previous:
                j.head = False
                record(contest_id, actor, "judge.update", j.name, old=_judge_dict(j) | {"head": True},
                       new=_judge_dict(j))
            if previous:
                notice = (f"Trưởng ban giám khảo chuyển từ {', '.join(j.name for j in previous)} "
                          f"sang {name}")
        session.flush()
        for t in session.scalars(select(AccessToken).where(
                AccessToken.contest_id == contest_id, AccessToken.role == "judge",
                AccessToken.subject == judge.key, AccessToken.revoked.is_(False))):
            t.label = name
        access.ensure_tokens(contest)
        _saved(contest)
        record(contest_id, actor, "judge.update" if old else "judge.create", name, old=old,
               new=_judge_dict(judge))
        rev = contest.revision
    _announce(contest_id, "judge", rev)
    return judge, notice


def delete_judge(contest_id: int, revision: int | None, judge_id: int, actor: Actor) -> None:
    """Remove a judge with no sheets and no nominations; their link stops working."""
    from .. import live
    with write_transaction() as session:
        contest = _contest_for_write(session, contest_id, revision)
        judge = _row(session, Judge, contest_id, judge_id, "giám khảo")
        sheets = session.scalar(select(func.count(ScoreSheet.id)).where(ScoreSheet.judge_id == judge.id))
        nominations = session.scalar(select(func.count(Nomination.id)).where(Nomination.judge_id == judge.id))
        if sheets or nominations:
            raise ContestError(f"Giám khảo '{judge.name}' đã có {sheets} phiếu chấm và {nominations} đề cử; "
                               "không thể xóa", field="judge", code="in_use")
        revoked = []
        for t in session.scalars(select(AccessToken).where(
                AccessToken.contest_id == contest_id, AccessToken.role == "judge",
                AccessToken.subject == judge.key, AccessToken.revoked.is_(False))):
            t.revoked = True
            revoked.append(t.id)
        record(contest_id, actor, "judge.delete", judge.name, old=_judge_dict(judge))
        session.delete(judge)
        _saved(contest)
        rev = contest.revision
    for token_id in revoked:
        live.drop_token(token_id)
    _announce(contest_id, "judge", rev)


# --------------------------------------------------------------------------- access links

ROLE_LABELS = {"organiser": "Ban Tổ chức", "mc": "Người dẫn chương trình", "judge": "Giám khảo",
               "office": "Cơ quan soạn câu hỏi", "audience": "Khán giả", "projector": "Máy chiếu"}


@dataclass(frozen=True)
class LinkCard:
    """One screen's link, for the links page and the printed QR cards."""

    role: str
    role_label: str
    person: str
    url: str
    detail: str = ""
    token_id: int | None = None  # None for the public links (audience, projector)
    head: bool = False


def link_cards(contest: Contest, base: str) -> list[LinkCard]:
    """Every link of the contest: organisers, MC, each judge (in order), each office, then the
    public audience and projector links."""
    from question_bank.models import Office
    rows = access.tokens(contest.id)
    by_role: dict[tuple[str, str | None], AccessToken] = {(t.role, t.subject): t for t in rows}
    cards: list[LinkCard] = []

    def add(role: str, subject: str | None, person: str, detail: str = "", head: bool = False) -> None:
        t = by_role.get((role, subject))
        if t is not None:
            cards.append(LinkCard(role, "Trưởng ban giám khảo" if head else ROLE_LABELS[role], person,
                                  f"{base}/t/{t.token}", detail, t.id, head))

    add("organiser", None, "Ban Tổ chức", "Quản lý hội thi trên máy tính")
    add("mc", None, "Người dẫn chương trình", "Điều khiển chương trình và máy chiếu")
    for j in contest.judges:
        add("judge", j.key, j.name, j.title, j.head)
    for o in db.session.scalars(select(Office).where(Office.contest_id == contest.id)
                                .order_by(Office.position, Office.id)):
        add("office", o.key, o.name, "Gửi câu hỏi cho ngân hàng câu hỏi")
    cards.append(LinkCard("audience", ROLE_LABELS["audience"], "Khán giả, đại biểu",
                          f"{base}/c/{contest.id}", "Theo dõi trực tiếp trên điện thoại"))
    cards.append(LinkCard("projector", ROLE_LABELS["projector"], "Màn hình máy chiếu",
                          f"{base}/c/{contest.id}/projector", "Mở trên máy tính nối máy chiếu"))
    return cards


def reissue_link(contest_id: int, token_id: int, actor: Actor) -> AccessToken:
    """Revoke one link and issue a new one for the same role; the old one stops working at
    once (its sockets are disconnected after the commit)."""
    from .. import live
    with write_transaction() as session:
        row = session.get(AccessToken, token_id)
        if row is None or row.contest_id != contest_id:
            raise NotFound("Không tìm thấy đường dẫn truy cập")
        if row.revoked:
            raise Conflict("Đường dẫn này đã được thu hồi; hãy tải lại trang", field="token", code="stale")
        fresh = access.revoke(contest_id, token_id)
        record(contest_id, actor, "link.reissue", row.label,
               old={"role": row.role, "subject": row.subject, "token_id": row.id},
               new={"role": fresh.role, "subject": fresh.subject, "token_id": fresh.id})
    live.drop_token(token_id)
    return fresh


# --------------------------------------------------------------------------- checklist


def setup_data(contest: Contest) -> SetupData:
    """The plain data the checklist looks at."""
    from question_bank.models import Draw, LotSeal, Question
    try:
        rules, rules_error = contest.rules, None
    except ContestError as exc:
        rules, rules_error = None, exc.message
    teams = []
    for t in contest.teams:
        performed = {r for m in t.members for r in (m.roles or ())}
        unassigned = tuple(p.name for p in rules.parts if p.key not in performed) if rules else ()
        teams.append(TeamInfo(t.key, t.name, t.unit_name,
                              sum(1 for m in t.members if m.kind == "member"),
                              sum(1 for m in t.members if m.kind == "guest"), unassigned))
    counts = dict(db.session.execute(select(Question.status, func.count(Question.id)).where(
        Question.contest_id == contest.id).group_by(Question.status)).all())
    seal = db.session.scalar(select(LotSeal).where(LotSeal.contest_id == contest.id,
                                                   LotSeal.kind == "questions"))
    drawn = db.session.scalar(select(func.count(Draw.id)).where(Draw.contest_id == contest.id,
                                                                Draw.kind == "questions")) or 0
    stage = db.session.get(StageRecord, contest.id)
    step = 0
    if stage is not None and isinstance(stage.state, dict):
        value = stage.state.get("step", 0)
        step = value if isinstance(value, int) else 0
    return SetupData(
        name=contest.name, organizer=contest.organizer or "", venue=contest.venue or "",
        date=contest.date, rules=rules, rules_error=rules_error,
        programme=tuple(contest.programme or ()),
        units=tuple(u.name for u in contest.units), teams=tuple(teams),
        judges=tuple(JudgeInfo(j.key, j.name, j.head) for j in contest.judges),
        questions_approved=counts.get("approved", 0) + counts.get("used", 0),
        questions_waiting=counts.get("submitted", 0),
        sealed_lots=len(seal.lots) if seal is not None and isinstance(seal.lots, dict) else None,
        lots_drawn=drawn, stage_step=step)
