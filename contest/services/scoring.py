"""Judging: score sheets, nominations, locks, the jury head's decisions, and the standings.

One service step per use case: load rows, call the pure core (:mod:`contest.core.tabulation`,
:mod:`contest.core.prizes`), save inside :func:`~contest.database.write_transaction`, then
publish. Policies that live here (the arithmetic lives in the core):

* **Sheets are idempotent.** Every sheet carries a client-made ``id``. The first time an id
  arrives it is stored together with its answer (:class:`SheetReceipt`); the same id again
  answers the same and changes nothing (even after a later sheet replaced it). The same id
  with *different* content is refused (409 ``id_reused``): a tablet never does that.
* **A later sheet replaces** the judge's earlier sheet for the same team and part, until the
  part is **locked**; then every new sheet is refused (409 ``locked``) until the jury head
  unlocks it with a reason. Replays of ids already stored are still answered.
* **A judge is who the token says.** A body naming another judge is refused (403); only the
  secretary's paper entry (source ``paper``) names the judge.
* **Nominations**: one per judge and individual prize, among the performers of the prize's
  part; a later one replaces the earlier until that part is locked.
* **Decisions** of the jury head (:class:`Decision`): ``tie`` (an order for one tie, with a
  reason) and ``penalty`` (points for overtime on one team's part; the latest per team and
  part counts, 0 cancels). Only confirmed penalties reach the standings.
* **Stale writes**: a write may carry ``expected`` (what the screen saw: the current decision
  id, or whether a part was locked); when the state moved on meanwhile it is refused with 409
  ``stale`` so two tabs of the jury head cannot silently overwrite each other.
* **One computation per change.** The standings, the prize allocation and the jury board's
  matrix are computed together and cached per contest under a *stamp* read from the database
  in one cheap query (counts and latest changes of sheets, nominations, decisions, locks and the
  contest's revision), so several server processes stay correct and a thousand listeners cost
  one computation. Broadcasts are coalesced (``BROADCAST_COALESCE_MS``).
* Everything that changes a sheet, a nomination, a lock or a decision is written to the audit
  log in the same transaction: who, from which device, old -> new, why.

This module does not decide what the audience may see of the stage (``results_mode`` comes
from :mod:`contest.services.stage`) and does not render anything.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..core import prizes as prize_core
from ..core.errors import Conflict, ContestError, Forbidden, NotFound
from ..core.tabulation import (Sheet, Standings, compute_standings, number, outlier_threshold,
                               outliers, parse_points, spread, standings_to_dict,
                               validate_criteria)
from ..core.text import format_number
from ..database import write_transaction
from ..extensions import db, socketio
from ..models import (Contest, Decision, Judge, Member, Nomination, PartLock, ScoreSheet,
                      SheetReceipt, StageRecord, Team)
from .access import Principal
from .audit import Actor, record

log = logging.getLogger("hoithi.scoring")

ID_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")
MAX_COMMENT = 2000
MAX_REASON = 1000
ALL = "all"
_MISSING: Any = object()

# --------------------------------------------------------------------------- small helpers


def _num(value: Decimal | int | float | None):
    if value is None:
        return None
    return number(Decimal(str(value)))


def _reason(value: Any, field: str = "reason", required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ContestError("Lý do phải là một đoạn văn bản", field=field)
    value = value.strip()
    if required and len(value) < 3:
        raise ContestError("Cần ghi lý do (ít nhất 3 ký tự)", field=field)
    if len(value) > MAX_REASON:
        raise ContestError(f"Lý do dài quá {MAX_REASON} ký tự", field=field)
    return value


def _text_key(body: Mapping, key: str, what: str, prefix: str = "") -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContestError(f"{prefix}{key}: cần ghi {what}" if prefix else f"Cần chọn {what}",
                           field=f"{prefix}{key}")
    return value.strip()


def _err(exc: ContestError, prefix: str) -> ContestError:
    """The same error with its field (and message) under ``prefix`` (bulk rows)."""
    if not prefix:
        return exc
    field = f"{prefix}{exc.field}" if exc.field else prefix.rstrip(".")
    new = type(exc)(f"{field}: {exc.message}", field=field, code=exc.code, status=exc.status)
    return new


@dataclass(frozen=True)
class Roster:
    """The contest's teams, judges and members, keyed by their document keys, in order."""

    teams: dict[str, Team]
    judges: dict[str, Judge]
    members: dict[str, Member]

    @property
    def team_by_id(self) -> dict[int, Team]:
        return {t.id: t for t in self.teams.values()}

    @property
    def judge_by_id(self) -> dict[int, Judge]:
        return {j.id: j for j in self.judges.values()}

    @property
    def member_by_id(self) -> dict[int, Member]:
        return {m.id: m for m in self.members.values()}


def roster(contest_id: int) -> Roster:
    s = db.session
    teams = {t.key: t for t in s.scalars(select(Team).where(Team.contest_id == contest_id)
                                         .order_by(Team.position, Team.id))}
    judges = {j.key: j for j in s.scalars(select(Judge).where(Judge.contest_id == contest_id)
                                          .order_by(Judge.position, Judge.id))}
    members = {m.key: m for m in s.scalars(select(Member).where(Member.contest_id == contest_id)
                                           .order_by(Member.team_id, Member.position, Member.id))}
    return Roster(teams, judges, members)


def _named(table: Mapping[str, Any], key: Any):
    """``table[key]`` for a key sent by a client, None for anything that is not a known string."""
    return table.get(key) if isinstance(key, str) else None


def _locks(contest_id: int) -> dict[str, PartLock]:
    return {lk.part_key: lk for lk in db.session.scalars(
        select(PartLock).where(PartLock.contest_id == contest_id).order_by(PartLock.id))}


def _judge_of(principal: Principal, ros: Roster, body: Mapping) -> Judge:
    """The judge a request speaks for: the token's, never the body's."""
    if principal.role != "judge" or not principal.subject:
        raise Forbidden("Chỉ giám khảo được gửi phiếu chấm và đề cử", field="judge")
    claimed = body.get("judge")
    if claimed not in (None, "", principal.subject):
        raise Forbidden("Giám khảo chỉ được gửi phiếu của chính mình", field="judge")
    judge = ros.judges.get(principal.subject)
    if judge is None:
        raise NotFound("Giám khảo của mã truy cập này không còn trong hội thi", field="judge")
    return judge


def performers(ros: Roster) -> dict[str, set[str]]:
    """Part key -> the keys of the members whose roles include it."""
    out: dict[str, set[str]] = {}
    for m in ros.members.values():
        for part in m.roles or ():
            out.setdefault(part, set()).add(m.key)
    return out


# --------------------------------------------------------------------------- sheets


def _sheet_answer(client_id: str, team: str, part: str, total: Decimal, replaced: bool) -> dict:
    return {"id": client_id, "team": team, "part": part, "total": _num(total), "stored": True,
            "replaced": replaced}


def _public_answer(stored: dict) -> dict:
    return {k: stored.get(k) for k in ("id", "team", "part", "total", "stored", "replaced")}


def _same_content(stored: dict, team: str, part: str, criteria: Any) -> bool:
    if stored.get("team") != team or stored.get("part") != part:
        return False
    saved = stored.get("criteria")
    if saved is None or not isinstance(criteria, Mapping):
        return True  # an imported receipt keeps no criteria: the keys decide
    if set(saved) != set(criteria):
        return False
    for k, v in criteria.items():
        p = parse_points(v)
        if p is None or p != Decimal(str(saved[k])):
            return False
    return True


def _store_sheet(contest: Contest, ros: Roster, judge: Judge, body: Any, actor: Actor, *,
                 source: str, prefix: str = "", expected: Any = _MISSING) -> tuple[dict, bool]:
    """Validate and store one sheet inside the caller's write transaction.

    Returns (stored answer, created). ``prefix`` is put in front of every field name
    ("sheets[3]." for bulk rows). ``expected``: the client id of the sheet the person saw for
    this judge, team and part (None: no sheet); when the stored one differs, 409 ``stale``.
    """
    try:
        return _store_sheet_inner(contest, ros, judge, body, actor, source=source,
                                  expected=expected)
    except ContestError as exc:
        raise _err(exc, prefix) from None


def _store_sheet_inner(contest: Contest, ros: Roster, judge: Judge, body: Any, actor: Actor, *,
                       source: str, expected: Any = _MISSING) -> tuple[dict, bool]:
    s = db.session
    if not isinstance(body, Mapping):
        raise ContestError("Phiếu chấm phải là một đối tượng JSON", field="body")
    client_id = body.get("id")
    if not isinstance(client_id, str) or not ID_RE.match(client_id):
        raise ContestError("Phiếu chấm cần mã phiếu 'id' (1–100 ký tự chữ, số, '-', '_', '.', ':')",
                           field="id")
    team_key = body.get("team")
    part_key = body.get("part")
    receipt = s.scalar(select(SheetReceipt).where(SheetReceipt.contest_id == contest.id,
                                                 SheetReceipt.judge_id == judge.id,
                                                 SheetReceipt.client_id == client_id))
    if receipt is not None:
        if not _same_content(receipt.answer, team_key, part_key, body.get("criteria")):
            raise Conflict("Mã phiếu này đã được dùng cho một phiếu chấm khác", field="id",
                           code="id_reused")
        stored = dict(receipt.answer)
        if "total" not in stored:  # an imported receipt: answer from the sheet itself
            row = s.scalar(select(ScoreSheet).where(ScoreSheet.contest_id == contest.id,
                                                    ScoreSheet.client_id == client_id,
                                                    ScoreSheet.judge_id == judge.id))
            total = Decimal(str(row.total)) if row is not None else Decimal(0)
            stored = _sheet_answer(client_id, team_key, part_key, total, False)
        return stored, False

    rules = contest.rules
    if not isinstance(team_key, str) or team_key not in ros.teams:
        raise ContestError(f"Không có đội '{team_key}' trong hội thi", field="team")
    part = rules.part(part_key) if isinstance(part_key, str) else None
    if part is None:
        raise ContestError(f"Không có phần thi '{part_key}'", field="part")
    criteria = validate_criteria(part, body.get("criteria"), rules.score_step)
    comment = body.get("comment") or ""
    if not isinstance(comment, str):
        raise ContestError("Nhận xét phải là văn bản", field="comment")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ContestError(f"Nhận xét dài quá {MAX_COMMENT} ký tự", field="comment")
    lock = s.scalar(select(PartLock).where(PartLock.contest_id == contest.id,
                                          PartLock.part_key == part.key))
    if lock is not None:
        raise Conflict(f"Phần thi «{part.name}» đã được khoá; cần Trưởng ban giám khảo mở khoá "
                       "(có ghi lý do) để sửa điểm", field="part", code="locked")

    team = ros.teams[team_key]
    total = sum(criteria.values(), Decimal(0))
    values = {k: _num(v) for k, v in criteria.items()}
    row = s.scalar(select(ScoreSheet).where(ScoreSheet.contest_id == contest.id,
                                            ScoreSheet.judge_id == judge.id,
                                            ScoreSheet.team_id == team.id,
                                            ScoreSheet.part_key == part.key))
    current = row.client_id if row is not None else None
    if expected is not _MISSING and expected != current:
        if row is None:
            what = "phiếu cũ không còn"
        else:
            origin = "phiếu giấy" if row.source == "paper" else "gửi từ máy tính bảng"
            what = f"{origin}, tổng {format_number(Decimal(str(row.total)))} điểm"
        raise Conflict(f"Phiếu của {judge.name} cho {team.name}, phần «{part.name}» vừa thay đổi "
                       f"({what}) sau khi bạn mở mẫu nhập. Kiểm tra lại; bấm lưu lần nữa nếu vẫn "
                       "muốn thay bằng phiếu giấy.", field="judge", code="stale")
    new = {"id": client_id, "criteria": values, "total": _num(total), "comment": comment,
           "source": source}
    target = f"{judge.key}/{team.key}/{part.key}"
    if row is None:
        row = ScoreSheet(contest_id=contest.id, judge_id=judge.id, team_id=team.id,
                         part_key=part.key, criteria=values, total=total, client_id=client_id,
                         comment=comment, source=source, revision=1, updated_at=utcnow())
        s.add(row)
        replaced, old = False, None
        action = "sheet.create"
    else:
        old = {"id": row.client_id, "criteria": dict(row.criteria), "total": _num(row.total),
               "comment": row.comment, "source": row.source}
        row.criteria, row.total, row.client_id = values, total, client_id
        row.comment, row.source = comment, source
        row.revision = (row.revision or 1) + 1
        row.updated_at = utcnow()
        replaced = True
        action = "sheet.replace"
    record(contest.id, actor, action, target, old=old, new=new,
           reason="Nhập từ phiếu chấm giấy" if source == "paper" else "")
    answer = _sheet_answer(client_id, team.key, part.key, total, replaced)
    s.add(SheetReceipt(contest_id=contest.id, judge_id=judge.id, client_id=client_id,
                       answer=dict(answer, criteria=values)))
    s.flush()
    return answer, True


def receive_sheet(contest: Contest, principal: Principal, body: Any, device: str = "", *,
                  source: str = "tablet", expected: Any = _MISSING) -> tuple[dict, bool]:
    """Store a judge's sheet (see the module docstring). Returns (answer, created): created is
    False for a replay of an id already stored (answer 200 instead of 201).

    The organisers' paper entry passes an organiser principal, ``source="paper"`` and names
    the judge in ``body["judge"]``."""
    if not isinstance(body, Mapping):
        raise ContestError("Phiếu chấm phải là một đối tượng JSON", field="body")
    for attempt in range(2):
        try:
            with write_transaction():
                ros = roster(contest.id)
                if source == "paper":
                    if principal.role != "organiser":
                        raise Forbidden("Chỉ Ban Tổ chức (thư ký) được nhập phiếu chấm giấy")
                    judge = _named(ros.judges, body.get("judge"))
                    if judge is None:
                        raise ContestError(f"Không có giám khảo '{body.get('judge')}'",
                                           field="judge")
                else:
                    judge = _judge_of(principal, ros, body)
                stored, created = _store_sheet(contest, ros, judge, body,
                                               principal.actor(device), source=source,
                                               expected=expected)
            break
        except IntegrityError:
            # Two deliveries of the same new id raced (several processes): the other one won;
            # the second attempt finds its receipt and answers the same.
            if attempt:
                raise
    if created:
        changed(contest.id)
    return _public_answer(stored), created


def submit_sheet(contest: Contest, principal: Principal, body: Any, device: str = "") -> dict:
    """Store a judge's sheet; the answer of CONTRACT section 4."""
    return receive_sheet(contest, principal, body, device)[0]


def enter_paper_sheet(contest: Contest, principal: Principal, body: Any, device: str = "", *,
                      expected: Any = _MISSING) -> dict:
    """The secretary types in a paper score sheet (``body`` names the judge).

    ``expected`` is the client id of the sheet the form showed for that judge, team and part
    (None: none), so a sheet the judge's tablet sent meanwhile is never silently replaced."""
    return receive_sheet(contest, principal, body, device, source="paper", expected=expected)[0]


def seen_sheets(contest: Contest, part_key: str) -> dict[str, str]:
    """"judge/team" -> client id of the stored sheets of one part (what a form shows)."""
    ros = roster(contest.id)
    judges, teams = ros.judge_by_id, ros.team_by_id
    return {f"{judges[r.judge_id].key}/{teams[r.team_id].key}": r.client_id
            for r in db.session.scalars(select(ScoreSheet).where(
                ScoreSheet.contest_id == contest.id, ScoreSheet.part_key == part_key))
            if r.judge_id in judges and r.team_id in teams}


# --------------------------------------------------------------------------- nominations


def _store_nomination(contest: Contest, ros: Roster, judge: Judge, body: Any, actor: Actor,
                      prefix: str = "", *, paper: bool = False) -> dict:
    try:
        return _store_nomination_inner(contest, ros, judge, body, actor, paper)
    except ContestError as exc:
        raise _err(exc, prefix) from None


def _store_nomination_inner(contest: Contest, ros: Roster, judge: Judge, body: Any,
                            actor: Actor, paper: bool) -> dict:
    s = db.session
    if not isinstance(body, Mapping):
        raise ContestError("Đề cử phải là một đối tượng JSON", field="body")
    rules = contest.rules
    prize_key = body.get("prize")
    prize = next((p for p in rules.prizes.individual if p.key == prize_key), None)
    if prize is None:
        names = ", ".join(p.key for p in rules.prizes.individual) or "(không có)"
        raise ContestError(f"Không có giải cá nhân '{prize_key}' (các giải: {names})",
                           field="prize")
    member_key = body.get("member")
    member = ros.members.get(member_key) if isinstance(member_key, str) else None
    part = rules.part(prize.part)
    if member is None:
        raise ContestError(f"Không có thành viên '{member_key}'", field="member")
    if prize.part not in (member.roles or ()):
        raise ContestError(f"{member.name} không tham gia phần thi «{part.name}» nên không thể "
                           f"được đề cử giải «{prize.name}»", field="member")
    if s.scalar(select(PartLock.id).where(PartLock.contest_id == contest.id,
                                         PartLock.part_key == prize.part)) is not None:
        raise Conflict(f"Phần thi «{part.name}» đã được khoá; không thể đổi đề cử giải "
                       f"«{prize.name}»", field="prize", code="locked")
    row = s.scalar(select(Nomination).where(Nomination.contest_id == contest.id,
                                            Nomination.judge_id == judge.id,
                                            Nomination.prize_key == prize.key))
    answer = {"judge": judge.key, "prize": prize.key, "member": member.key, "stored": True,
              "replaced": row is not None and row.member_id != member.id}
    if row is not None and row.member_id == member.id:
        return answer  # the same nomination again: nothing changes
    old = None
    if row is None:
        s.add(Nomination(contest_id=contest.id, judge_id=judge.id, prize_key=prize.key,
                         member_id=member.id, updated_at=utcnow()))
    else:
        previous = ros.member_by_id.get(row.member_id)
        old = {"member": previous.key if previous else None}
        row.member_id, row.updated_at = member.id, utcnow()
    record(contest.id, actor, "nomination.set", f"{judge.key}/{prize.key}", old=old,
           new={"member": member.key, "name": member.name,
                "source": "paper" if paper else "tablet"},
           reason="Nhập từ phiếu giấy" if paper else "")
    s.flush()
    answer["changed"] = True
    return answer


def nominate(contest: Contest, principal: Principal, body: Any, device: str = "") -> dict:
    """A judge nominates a performer for an individual prize (replacing their earlier one)."""
    if not isinstance(body, Mapping):
        raise ContestError("Đề cử phải là một đối tượng JSON", field="body")
    with write_transaction():
        ros = roster(contest.id)
        paper = principal.role == "organiser" and bool(body.get("paper"))
        if paper:
            judge = _named(ros.judges, body.get("judge"))
            if judge is None:
                raise ContestError(f"Không có giám khảo '{body.get('judge')}'", field="judge")
        else:
            judge = _judge_of(principal, ros, body)
        answer = _store_nomination(contest, ros, judge, body, principal.actor(device),
                                   paper=paper)
    changed_flag = answer.pop("changed", False)
    if changed_flag:
        changed(contest.id)
    return answer


# --------------------------------------------------------------------------- bulk (paper)


def apply_bulk(contest: Contest, data: Any, actor: Actor | None = None) -> dict:
    """``hoithi scores``: sheets and nominations from a file, in order, all or nothing.

    ``{"sheets": [{"judge", "team", "part", "criteria", "id"}], "nominations": [{"judge",
    "prize", "member"}]}``. The same rules as the API; every sheet is a paper sheet. A row
    without an ``id`` gets one derived from its content, so running the same file twice
    changes nothing. Errors name the row: ``sheets[3].criteria.content``.
    """
    actor = actor or Actor.cli()
    if not isinstance(data, Mapping):
        raise ContestError("Tệp điểm phải là một đối tượng JSON có 'sheets' và/hoặc "
                           "'nominations'", field="file")
    unknown = [k for k in data if k not in ("sheets", "nominations")]
    if unknown:
        raise ContestError(f"{unknown[0]}: khoá không hợp lệ (chỉ có 'sheets', 'nominations')",
                           field=unknown[0])
    sheets = data.get("sheets", [])
    noms = data.get("nominations", [])
    for name, value in (("sheets", sheets), ("nominations", noms)):
        if not isinstance(value, list):
            raise ContestError(f"{name}: phải là một danh sách", field=name)
    stored_sheets = stored_noms = 0
    any_change = False
    with write_transaction():
        ros = roster(contest.id)
        for i, row in enumerate(sheets):
            prefix = f"sheets[{i}]."
            if not isinstance(row, Mapping):
                raise ContestError(f"sheets[{i}]: phải là một đối tượng", field=f"sheets[{i}]")
            judge = _named(ros.judges, row.get("judge"))
            if judge is None:
                raise ContestError(f"{prefix}judge: không có giám khảo '{row.get('judge')}'",
                                   field=f"{prefix}judge")
            body = dict(row)
            if body.get("id") in (None, ""):
                digest = hashlib.sha256(json.dumps(
                    [row.get("judge"), row.get("team"), row.get("part"), row.get("criteria")],
                    sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()[:24]
                body["id"] = f"paper-{digest}"
            _, created = _store_sheet(contest, ros, judge, body, actor, source="paper",
                                      prefix=prefix)
            stored_sheets += 1
            any_change |= created
        for i, row in enumerate(noms):
            prefix = f"nominations[{i}]."
            if not isinstance(row, Mapping):
                raise ContestError(f"nominations[{i}]: phải là một đối tượng",
                                   field=f"nominations[{i}]")
            judge = _named(ros.judges, row.get("judge"))
            if judge is None:
                raise ContestError(f"{prefix}judge: không có giám khảo '{row.get('judge')}'",
                                   field=f"{prefix}judge")
            answer = _store_nomination(contest, ros, judge, row, actor, prefix=prefix,
                                       paper=True)
            stored_noms += 1
            any_change |= bool(answer.get("changed"))
    if any_change:
        changed(contest.id)
    return {"sheets": stored_sheets, "nominations": stored_noms}


# --------------------------------------------------------------------------- locks


def _part_keys(contest: Contest, part: Any) -> list[str]:
    rules = contest.rules
    if part == ALL:
        return list(rules.part_keys)
    if not isinstance(part, str) or rules.part(part) is None:
        raise ContestError(f"Không có phần thi '{part}'", field="part")
    return [part]


def _require_head(principal: Principal, *, organisers: bool = False) -> None:
    if principal.role == "judge" and principal.head:
        return
    if organisers and principal.role == "organiser":
        return
    who = "Trưởng ban giám khảo hoặc Ban Tổ chức" if organisers else "Trưởng ban giám khảo"
    raise Forbidden(f"Chỉ {who} được làm việc này")


def lock_part(contest: Contest, principal: Principal, part: Any, device: str = "", *,
              force: bool = False, reason: str = "") -> dict:
    """Lock one part (or ``"all"``): no sheet or nomination of it changes until unlocked.

    Refused when the part still misses sheets, unless ``force`` with a reason; refused with
    409 ``stale`` when it is already locked (another tab was quicker)."""
    _require_head(principal, organisers=True)
    keys = _part_keys(contest, part)
    reason = _reason(reason, required=force)
    with write_transaction() as s:
        locks = _locks(contest.id)
        todo = [k for k in keys if k not in locks]
        if not todo:
            raise Conflict("Phần thi này đã được khoá (có thể từ một máy khác); tải lại để xem"
                           if part != ALL else "Mọi phần thi đã được khoá", field="part",
                           code="stale")
        ros = roster(contest.id)
        have = {(j, t, p) for j, t, p in s.execute(
            select(ScoreSheet.judge_id, ScoreSheet.team_id, ScoreSheet.part_key)
            .where(ScoreSheet.contest_id == contest.id))}
        missing = {k: sum(1 for j in ros.judges.values() for t in ros.teams.values()
                          if (j.id, t.id, k) not in have) for k in todo}
        short = {k: n for k, n in missing.items() if n}
        if short and not force:
            names = ", ".join(f"«{contest.rules.part(k).name}» thiếu {n} phiếu"
                              for k, n in short.items())
            raise Conflict(f"Chưa thể khoá: {names}. Nhập đủ phiếu (hoặc khoá kèm lý do).",
                           field="part", code="incomplete")
        actor = principal.actor(device)
        for k in todo:
            s.add(PartLock(contest_id=contest.id, part_key=k, locked_by=actor.name,
                           locked_at=utcnow()))
            record(contest.id, actor, "part.lock", k, old={"locked": False},
                   new={"locked": True, "missing": missing[k]}, reason=reason)
    changed(contest.id)
    return {"locked": todo, "locks": locks_dict(contest.id)}


def unlock_part(contest: Contest, principal: Principal, part: Any, reason: Any,
                device: str = "") -> dict:
    """Unlock one part (or ``"all"``); only the jury head, always with a reason."""
    _require_head(principal)
    keys = _part_keys(contest, part)
    reason = _reason(reason)
    with write_transaction() as s:
        locks = _locks(contest.id)
        todo = [k for k in keys if k in locks]
        if not todo:
            raise Conflict("Phần thi này đang không bị khoá (có thể vừa được mở ở máy khác)",
                           field="part", code="stale")
        actor = principal.actor(device)
        for k in todo:
            lk = locks[k]
            record(contest.id, actor, "part.unlock", k,
                   old={"locked": True, "by": lk.locked_by}, new={"locked": False},
                   reason=reason)
            s.delete(lk)
    changed(contest.id)
    return {"unlocked": todo, "locks": locks_dict(contest.id)}


def locks_dict(contest_id: int) -> dict:
    return {k: {"by": lk.locked_by, "at": lk.locked_at.isoformat(timespec="seconds") + "Z"}
            for k, lk in _locks(contest_id).items()}


# --------------------------------------------------------------------------- decisions


def _decisions(contest_id: int, kind: str) -> list[Decision]:
    return list(db.session.scalars(select(Decision).where(
        Decision.contest_id == contest_id, Decision.kind == kind).order_by(Decision.id)))


def _check_expected(expected: Any, current: int | None) -> None:
    if expected is _MISSING:
        return
    if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int)):
        raise ContestError("'expected' phải là mã quyết định đã thấy hoặc null",
                           field="expected")
    if expected != current:
        raise Conflict("Quyết định này vừa được ghi ở một máy khác; tải lại để xem rồi quyết "
                       "định lại nếu cần", field="expected", code="stale")


def decide_tie(contest: Contest, principal: Principal, tie_key: Any, order: Any, reason: Any,
               device: str = "", expected: Any = _MISSING) -> dict:
    """Record the jury head's order for one tie the prize allocation reported."""
    _require_head(principal)
    reason = _reason(reason)
    if not isinstance(tie_key, str) or not tie_key:
        raise ContestError("Cần chọn trường hợp đồng hạng", field="tie")
    if not isinstance(order, list) or not all(isinstance(x, str) for x in order):
        raise ContestError("Thứ tự phải là danh sách mã ứng viên", field="order")
    with write_transaction() as s:
        computed = _compute(contest)
        tie = next((t for t in computed.all_ties if t.key == tie_key), None)
        if tie is None:
            raise Conflict("Trường hợp đồng hạng này không còn (bảng điểm đã thay đổi); "
                           "tải lại để xem", field="tie", code="stale")
        prize_core.validate_decision(tie, prize_core.TieDecision(tie_key, tuple(order)))
        previous = [d for d in _decisions(contest.id, "tie") if d.data.get("tie") == tie_key]
        current = previous[-1] if previous else None
        _check_expected(expected, current.id if current else None)
        actor = principal.actor(device)
        row = Decision(contest_id=contest.id, kind="tie",
                       data={"tie": tie_key, "order": list(order), "kind": tie.kind,
                             "candidates": list(tie.candidates), "prizes": list(tie.prizes)},
                       reason=reason, by=actor.name, at=utcnow())
        s.add(row)
        record(contest.id, actor, "tie.decide", tie_key,
               old={"order": current.data.get("order")} if current else None,
               new={"order": list(order), "prizes": list(tie.prizes)}, reason=reason)
        s.flush()
        answer = {"decision": row.id, "tie": tie_key, "order": list(order)}
    changed(contest.id)
    return answer


def overtime_rows(contest: Contest) -> list[dict]:
    """The overtime the timer recorded, with the deduction the rules suggest per phase."""
    stage = db.session.get(StageRecord, contest.id)
    rows = (stage.state or {}).get("overtime") if stage is not None else None
    out = []
    for r in rows or ():
        try:
            team, part_key, phase, ms = r["team"], r["part"], r.get("phase", ""), int(r["ms"])
        except (KeyError, TypeError, ValueError):
            continue
        part = contest.rules.part(part_key)
        if part is None or ms <= 0:
            continue
        pen = part.overtime_penalty
        suggested = pen.deduction(ms / 1000) if pen is not None else Decimal(0)
        out.append({"team": team, "part": part_key, "phase": phase, "ms": ms,
                    "suggested": _num(suggested)})
    return out


def _suggested(contest: Contest, team: str, part: str) -> tuple[Decimal, int]:
    rows = [r for r in overtime_rows(contest) if r["team"] == team and r["part"] == part]
    return (sum((Decimal(str(r["suggested"])) for r in rows), Decimal(0)),
            sum(r["ms"] for r in rows))


def confirm_penalty(contest: Contest, principal: Principal, team: Any, part: Any, points: Any,
                    reason: Any = "", device: str = "", expected: Any = _MISSING) -> dict:
    """The jury head confirms (or edits, or cancels with 0) an overtime penalty.

    The rules suggest the points (:meth:`OvertimePenalty.deduction` of the recorded overtime);
    any other number needs a reason. The latest decision for a team's part counts."""
    _require_head(principal)
    rules = contest.rules
    p = rules.part(part) if isinstance(part, str) else None
    if p is None:
        raise ContestError(f"Không có phần thi '{part}'", field="part")
    value = parse_points(points)
    if value is None or value < 0 or value > p.max:
        raise ContestError(f"Điểm trừ phải là số từ 0 đến {format_number(p.max)}", field="points")
    with write_transaction() as s:
        ros = roster(contest.id)
        if not isinstance(team, str) or team not in ros.teams:
            raise ContestError(f"Không có đội '{team}'", field="team")
        suggested, ms = _suggested(contest, team, part)
        reason = _reason(reason, required=value != suggested)
        if not reason:
            reason = (f"Quá giờ {ms // 60000}:{ms // 1000 % 60:02d}, trừ theo thể lệ"
                      if ms else "Theo thể lệ")
        previous = [d for d in _decisions(contest.id, "penalty")
                    if d.data.get("team") == team and d.data.get("part") == part]
        current = previous[-1] if previous else None
        _check_expected(expected, current.id if current else None)
        actor = principal.actor(device)
        row = Decision(contest_id=contest.id, kind="penalty",
                       data={"team": team, "part": part, "points": _num(value),
                             "suggested": _num(suggested), "overtime_ms": ms},
                       reason=reason, by=actor.name, at=utcnow())
        s.add(row)
        record(contest.id, actor, "penalty.confirm", f"{team}/{part}",
               old={"points": current.data.get("points")} if current else None,
               new={"points": _num(value), "suggested": _num(suggested)}, reason=reason)
        s.flush()
        answer = {"decision": row.id, "team": team, "part": part, "points": _num(value)}
    changed(contest.id)
    return answer


def penalties_dict(contest: Contest) -> dict:
    latest: dict[tuple[str, str], Decision] = {}
    for d in _decisions(contest.id, "penalty"):
        latest[(d.data.get("team"), d.data.get("part"))] = d
    return {
        "overtime": overtime_rows(contest),
        "penalties": [{"team": t, "part": p, "points": d.data.get("points"),
                       "suggested": d.data.get("suggested"), "reason": d.reason, "by": d.by,
                       "decision": d.id, "at": d.at.isoformat(timespec="seconds") + "Z"}
                      for (t, p), d in latest.items()],
    }


# --------------------------------------------------------------------------- the computation


@dataclass(frozen=True)
class Computed:
    """Everything derived from the sheets at one stamp."""

    stamp: tuple
    standings: Standings
    standings_payload: dict
    allocation: prize_core.Allocation
    all_ties: tuple[prize_core.Tie, ...]
    prizes_payload: dict
    matrix: dict


_cache: dict[int, Computed] = {}
_cache_lock = threading.RLock()


def _stamp(contest_id: int) -> tuple:
    """One cheap query that changes whenever anything the standings depend on changes."""
    def sub(*cols, model):
        return select(*cols).where(model.contest_id == contest_id).scalar_subquery()

    row = db.session.execute(select(
        sub(func.count(ScoreSheet.id), model=ScoreSheet),
        sub(func.coalesce(func.sum(ScoreSheet.revision), 0), model=ScoreSheet),
        sub(func.max(ScoreSheet.updated_at), model=ScoreSheet),
        sub(func.count(Nomination.id), model=Nomination),
        sub(func.max(Nomination.updated_at), model=Nomination),
        sub(func.count(Decision.id), model=Decision),
        sub(func.max(Decision.id), model=Decision),
        sub(func.count(PartLock.id), model=PartLock),
        sub(func.max(PartLock.id), model=PartLock),
        sub(func.count(Team.id), model=Team),
        sub(func.count(Judge.id), model=Judge),
        sub(func.count(Member.id), model=Member),
        select(Contest.revision).where(Contest.id == contest_id).scalar_subquery(),
    )).one()
    return tuple(str(v) for v in row)


def invalidate(contest_id: int) -> None:
    with _cache_lock:
        _cache.pop(contest_id, None)


def computed(contest: Contest) -> Computed:
    """The cached computation for the contest's current state (recomputed once per change)."""
    return _compute(contest)


def _compute(contest: Contest) -> Computed:
    with _cache_lock:
        stamp = _stamp(contest.id)
        hit = _cache.get(contest.id)
        if hit is not None and hit.stamp == stamp:
            return hit
        result = _build(contest, stamp)
        _cache[contest.id] = result
        return result


def _build(contest: Contest, stamp: tuple) -> Computed:
    s = db.session
    rules = contest.rules
    ros = roster(contest.id)
    teams_by_id, judges_by_id = ros.team_by_id, ros.judge_by_id
    rows = list(s.scalars(select(ScoreSheet).where(ScoreSheet.contest_id == contest.id)
                          .order_by(ScoreSheet.id)))
    sheets = []
    for r in rows:
        t, j = teams_by_id.get(r.team_id), judges_by_id.get(r.judge_id)
        if t is None or j is None:
            continue
        sheets.append((r, Sheet(judge=j.key, team=t.key, part=r.part_key,
                                criteria={k: Decimal(str(v)) for k, v in r.criteria.items()})))
    penalties: dict[tuple[str, str], Decimal] = {}
    for d in _decisions(contest.id, "penalty"):
        penalties[(d.data.get("team"), d.data.get("part"))] = Decimal(str(d.data.get("points", 0)))
    penalties = {k: v for k, v in penalties.items() if v}
    standings = compute_standings(rules, list(ros.teams), list(ros.judges),
                                  [sh for _, sh in sheets], penalties)

    members_by_id = ros.member_by_id
    noms = []
    for n in s.scalars(select(Nomination).where(Nomination.contest_id == contest.id)
                       .order_by(Nomination.updated_at, Nomination.id)):
        j, m = judges_by_id.get(n.judge_id), members_by_id.get(n.member_id)
        if j is not None and m is not None:
            noms.append(prize_core.Nomination(judge=j.key, prize=n.prize_key, member=m.key))
    decisions = [prize_core.TieDecision(tie=d.data.get("tie", ""),
                                        order=tuple(d.data.get("order") or ()), reason=d.reason)
                 for d in _decisions(contest.id, "tie")]
    perf = performers(ros)
    allocation = prize_core.allocate(rules, standings, noms, perf, decisions)
    open_ties = prize_core.allocate(rules, standings, noms, perf, ()).ties

    standings_payload = _standings_payload(contest, ros, standings)
    prizes_payload = _prizes_payload(contest, ros, allocation, standings, decisions, noms)
    matrix = _matrix(contest, ros, sheets, standings)
    return Computed(stamp=stamp, standings=standings, standings_payload=standings_payload,
                    allocation=allocation, all_ties=open_ties, prizes_payload=prizes_payload,
                    matrix=matrix)


def _parts_info(contest: Contest) -> list[dict]:
    return [{"key": p.key, "name": p.name, "max": _num(p.max),
             "criteria": [{"key": c.key, "name": c.name, "max": _num(c.max)} for c in p.criteria]}
            for p in contest.rules.parts]


def _standings_payload(contest: Contest, ros: Roster, st: Standings) -> dict:
    data = standings_to_dict(st)
    for row in data["teams"]:
        team = ros.teams[row["team"]]
        row["name"] = team.name
        row["unit"] = team.unit_name
    data["parts"] = [{"key": p["key"], "name": p["name"], "max": p["max"]}
                     for p in _parts_info(contest)]
    data["decimals"] = contest.rules.decimals
    return data


def _prizes_payload(contest: Contest, ros: Roster, allocation: prize_core.Allocation,
                    st: Standings, decisions, noms) -> dict:
    rules = contest.rules
    data = prize_core.allocation_to_dict(allocation)

    def prize_name(key: str) -> str:
        p = rules.prizes.find(key)
        return p.name if p is not None else ("Không có giải" if key == "" else key)

    def candidate_name(key: str) -> str:
        if key in ros.teams:
            return ros.teams[key].name
        m = ros.members.get(key)
        if m is not None:
            return f"{m.name} ({m.team.name})"
        return key

    for a in data["awards"]:
        a["name"] = prize_name(a["prize"])
        if "team" in a:
            a["team_name"] = ros.teams[a["team"]].name
        if "member" in a:
            m = ros.members.get(a["member"])
            a["member_name"] = m.name if m else a["member"]
            a["member_team"] = m.team.name if m else ""
    for t in data["ties"]:
        t["candidate_names"] = [candidate_name(c) for c in t["candidates"]]
        t["prize_names"] = [prize_name(p) for p in t["prizes"]]
    for u in data["unawarded"]:
        u["name"] = prize_name(u["prize"])
    votes: dict[str, dict[str, int]] = {}
    latest = {(n.judge, n.prize): n.member for n in noms}
    for (_judge, prize), member in latest.items():
        votes.setdefault(prize, {})
        votes[prize][member] = votes[prize].get(member, 0) + 1
    data["nominations"] = {p: [{"member": m, "name": candidate_name(m), "votes": v}
                               for m, v in sorted(ms.items(), key=lambda e: -e[1])]
                           for p, ms in votes.items()}
    data["decisions"] = [{"tie": d.tie, "order": list(d.order), "reason": d.reason}
                         for d in decisions]
    data["complete"] = st.complete
    return data


def _matrix(contest: Contest, ros: Roster, sheets, st: Standings) -> dict:
    rules = contest.rules
    part_scores = {t.team: t.parts for t in st.teams}
    by_key: dict[tuple[str, str, str], tuple[ScoreSheet, Sheet]] = {}
    for row, sh in sheets:
        by_key[(sh.judge, sh.team, sh.part)] = (row, sh)
    rows = []
    missing_total = 0
    for part in rules.parts:
        threshold = outlier_threshold(part.max)
        for team in ros.teams.values():
            cells: dict[str, dict] = {}
            totals: dict[str, Decimal] = {}
            for judge in ros.judges.values():
                hit = by_key.get((judge.key, team.key, part.key))
                if hit is None:
                    continue
                row, sh = hit
                totals[judge.key] = sh.total
                cells[judge.key] = {"total": _num(sh.total), "source": row.source,
                                    "revision": row.revision, "comment": row.comment,
                                    "criteria": dict(row.criteria)}
            flagged = outliers(totals, threshold)
            for k in flagged:
                cells[k]["outlier"] = True
            missing = [j for j in ros.judges if j not in cells]
            missing_total += len(missing)
            rows.append({"team": team.key, "part": part.key, "sheets": cells,
                         "score": _num(part_scores.get(team.key, {}).get(part.key)),
                         "spread": _num(spread(totals.values())) if len(totals) > 1 else None,
                         "outliers": sorted(flagged), "missing": missing,
                         "threshold": _num(threshold)})
    return {
        "judges": [{"key": j.key, "name": j.name, "head": j.head} for j in ros.judges.values()],
        "teams": [{"key": t.key, "name": t.name, "unit": t.unit_name} for t in ros.teams.values()],
        "parts": _parts_info(contest),
        "rows": rows,
        "missing": missing_total,
        "complete": st.complete,
    }


# --------------------------------------------------------------------------- read models


def results_mode(contest: Contest) -> str:
    """What the audience sees of the standings: ``hidden``, ``live`` or ``frozen``."""
    try:
        from . import stage as stage_service
        mode = stage_service.results_mode(contest.id)
    except (ImportError, AttributeError):
        mode = "live" if contest.results_public else "hidden"
    return mode if mode in ("hidden", "live", "frozen") else "hidden"


def _frozen(contest: Contest) -> dict | None:
    try:
        from . import stage as stage_service
        return stage_service.frozen_standings(contest.id)
    except (ImportError, AttributeError):
        return None


def standings_dict(contest: Contest) -> dict:
    """The live standings (staff and ``hoithi standings``), names included. A copy: callers
    may keep or change it without touching the cache."""
    return copy.deepcopy(_compute(contest).standings_payload)


def prizes_dict(contest: Contest) -> dict:
    """The prize allocation with names, ties for the jury head and unawarded prizes."""
    return copy.deepcopy(_compute(contest).prizes_payload)


def audience_standings(contest: Contest) -> dict | None:
    """What the audience may see now: the live standings, the frozen ones, or nothing."""
    mode = results_mode(contest)
    if mode == "live":
        return standings_dict(contest)
    if mode == "frozen":
        return _frozen(contest)
    return None


def standings_for(contest: Contest, principal: Principal) -> dict:
    """GET .../standings: staff always see the live standings; the audience per the mode."""
    if principal.is_staff:
        return standings_dict(contest)
    data = audience_standings(contest)
    if data is None:
        raise Forbidden("Kết quả chưa được công bố", code="hidden")
    return data


def matrix_dict(contest: Contest) -> dict:
    data = copy.deepcopy(_compute(contest).matrix)
    data["locks"] = locks_dict(contest.id)
    return data


def sheets_of(contest: Contest, judge_key: str) -> list[dict]:
    """One judge's stored sheets (for their tablet)."""
    ros = roster(contest.id)
    judge = ros.judges.get(judge_key)
    if judge is None:
        return []
    teams = ros.team_by_id
    return [{"team": teams[r.team_id].key, "part": r.part_key, "criteria": dict(r.criteria),
             "total": _num(r.total), "id": r.client_id, "comment": r.comment,
             "source": r.source}
            for r in db.session.scalars(select(ScoreSheet).where(
                ScoreSheet.contest_id == contest.id, ScoreSheet.judge_id == judge.id)
                .order_by(ScoreSheet.id)) if r.team_id in teams]


def nominations_of(contest: Contest, judge_key: str | None = None) -> list[dict]:
    ros = roster(contest.id)
    judges, members = ros.judge_by_id, ros.member_by_id
    out = []
    for n in db.session.scalars(select(Nomination).where(Nomination.contest_id == contest.id)
                                .order_by(Nomination.id)):
        j, m = judges.get(n.judge_id), members.get(n.member_id)
        if j is None or m is None or (judge_key is not None and j.key != judge_key):
            continue
        out.append({"judge": j.key, "prize": n.prize_key, "member": m.key, "name": m.name})
    return out


def tablet_data(contest: Contest, principal: Principal) -> dict:
    """Everything the judge's tablet needs to score offline: rubric, teams, performers."""
    ros = roster(contest.id)
    rules = contest.rules
    perf: dict[str, dict[str, list[dict]]] = {}
    for m in ros.members.values():
        for part in m.roles or ():
            perf.setdefault(part, {}).setdefault(m.team.key, []).append(
                {"key": m.key, "name": m.name, "position": m.position_title})
    judge = ros.judges.get(principal.subject or "")
    return {
        "contest": contest.id,
        "name": contest.name,
        "judge": {"key": judge.key, "name": judge.name, "head": judge.head} if judge else None,
        "step": _num(rules.score_step),
        "parts": _parts_info(contest),
        "teams": [{"key": t.key, "name": t.name, "unit": t.unit_name} for t in ros.teams.values()],
        "prizes": [{"key": p.key, "name": p.name, "part": p.part}
                   for p in rules.prizes.individual],
        "performers": perf,
        "sheets": sheets_of(contest, judge.key) if judge else [],
        "nominations": nominations_of(contest, judge.key) if judge else [],
        "locks": sorted(_locks(contest.id)),
    }


# --------------------------------------------------------------------------- broadcasting

_pending: set[int] = set()
_pending_lock = threading.Lock()


def changed(contest_id: int) -> None:
    """After a committed change: forget the cached computation and broadcast (coalesced)."""
    invalidate(contest_id)
    if not has_app_context():  # pragma: no cover - services always run in an app context
        return
    app = current_app._get_current_object()
    delay = int(app.config.get("BROADCAST_COALESCE_MS", 0) or 0)
    if delay <= 0:
        broadcast(contest_id)
        return
    with _pending_lock:
        if contest_id in _pending:
            return
        _pending.add(contest_id)
    socketio.start_background_task(_broadcast_later, app, contest_id, delay)


def _broadcast_later(app, contest_id: int, delay_ms: int) -> None:
    socketio.sleep(delay_ms / 1000)
    with _pending_lock:
        _pending.discard(contest_id)
    with app.app_context():
        try:
            broadcast(contest_id)
        except Exception:  # noqa: BLE001 - a failed broadcast must not kill the worker
            log.exception("standings broadcast failed for contest %s", contest_id)
        finally:
            db.session.remove()


def broadcast(contest_id: int) -> None:
    """Publish ``standings`` (public only while results are live) and the staff ``sheets``."""
    from ..live import publish
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        return
    data = _compute(contest)
    db.session.commit()  # end the read transaction before publish writes the version
    mode = results_mode(contest)
    payload = dict(data.standings_payload, results_mode=mode)
    if mode == "live":
        publish(contest_id, "standings", payload)
    else:
        publish(contest_id, "standings", payload, staff_only=True)
    publish(contest_id, "sheets", sheets_event(contest, data), staff_only=True)


def sheets_event(contest: Contest, data: Computed | None = None) -> dict:
    """The staff ``sheets`` event: which sheets are in (no numbers: judges share the staff
    room, and a judge never sees another's scores), the locks and a revision to refetch on."""
    data = data or _compute(contest)
    have = {r["part"] + "/" + r["team"]: sorted(r["sheets"]) for r in data.matrix["rows"]}
    return {"revision": hashlib.sha256(json.dumps(data.stamp).encode()).hexdigest()[:16],
            "have": have, "missing": data.matrix["missing"], "complete": data.matrix["complete"],
            "locks": sorted(_locks(contest.id))}


# --------------------------------------------------------------------------- live snapshot


def _snapshot_standings(contest: Contest, principal: Principal):
    if principal.is_staff:
        return standings_dict(contest)
    return audience_standings(contest)


def _snapshot_judging(contest: Contest, principal: Principal):
    if principal.role == "judge":
        data = {"judge": principal.subject, "sheets": sheets_of(contest, principal.subject),
                "nominations": nominations_of(contest, principal.subject),
                "locks": sorted(_locks(contest.id))}
        if principal.head:
            data["matrix"] = matrix_dict(contest)
        return data
    if principal.role == "organiser":
        return {"matrix": matrix_dict(contest), "locks": sorted(_locks(contest.id))}
    return None


def register_snapshot_parts() -> None:
    from ..live import SNAPSHOT_PARTS
    SNAPSHOT_PARTS["standings"] = _snapshot_standings
    SNAPSHOT_PARTS["judging"] = _snapshot_judging


register_snapshot_parts()
