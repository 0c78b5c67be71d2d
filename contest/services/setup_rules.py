"""Editing a contest's rules and programme: every change rebuilds the whole rules object,
validates it with :func:`contest.core.rules.rules_from_dict`, and checks that the existing
rosters, score sheets and nominations still fit before anything is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select

from ..core.errors import ContestError, NotFound
from ..core.roster import MemberRecord
from ..core.rules import KEY_RE, Rules, rules_from_dict, rules_to_dict
from ..core.setup_checks import team_label
from ..core.show import drawn_by_default
from ..core.text import nfc
from ..database import write_transaction
from ..models import Contest, Nomination, ScoreSheet, Team
from .audit import Actor, record
from .document import slug

DEFAULT_DOCUMENT = Path(__file__).resolve().parent.parent / "demo" / "kon-ray-2023.json"
STALE = "Dữ liệu đã được người khác thay đổi; hãy tải lại trang"
PROGRAMME_KINDS = ("plain", "contest", "results")
KIND_LABELS = {"member": "Thành viên", "guest": "Người được mời phối hợp"}


from .setup_common import (PROGRAMME_KINDS, _announce, _contest_for_write, _saved, clean_key, clean_text)


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


def _set_drawn(parts: list[dict], at: int, item: dict, drawn: Any) -> None:
    """Say whether the part ``item`` (to sit at ``at``) is drawn by lot, changing what the
    other parts are drawn as never.

    While no part of the rules gives ``drawn``, the default rule holds
    (:func:`contest.core.show.drawn_by_default`): a choice that agrees with it writes nothing;
    one that does not writes ``drawn`` on every part, the others keeping what the default gave
    them. Once any part gives it, the choice is written as it is (``false`` included, so that
    unticking the last drawn part does not bring the default back). A non-boolean is written
    too and refused by validation, naming ``rules.parts[i].drawn``."""
    others = [p for i, p in enumerate(parts) if i != at]
    if not isinstance(drawn, bool) or any(p.get("drawn") is not None for p in others):
        item["drawn"] = drawn
        return
    if drawn == drawn_by_default(item["key"], (ph.get("key") for ph in item["phases"])):
        return
    for p in others:
        p["drawn"] = drawn_by_default(p.get("key"), (ph.get("key") for ph in p.get("phases") or []
                                                      if isinstance(ph, dict)))
    item["drawn"] = drawn


def save_part(contest_id: int, revision: int | None, part: dict, actor: Actor,
              index: int | None = None) -> int:
    """Add a part (``index`` None) or replace the part at ``index``; its key stays. Returns
    the index. ``part``: key (new parts only), name, phases [{key, name, seconds}], criteria
    [{key, name, max}], overtime_penalty {points, per_seconds} or None, and ``drawn`` (its
    questions are drawn by lot; see :func:`_set_drawn`; absent or null: the part keeps what it
    said). Empty phase and criterion keys are made from their names."""
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
        if part.get("drawn") is not None:
            _set_drawn(parts, at, item, part["drawn"])
        elif index is not None and parts[index].get("drawn") is not None:
            item["drawn"] = parts[index]["drawn"]
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


