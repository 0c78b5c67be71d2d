"""Score sheets and nominations: from a judge's tablet, the secretary's paper entry, and a
file of paper sheets (``hoithi scores``).

One service step per use case: load the roster, validate with the pure core
(:func:`contest.core.tabulation.validate_criteria`), save inside
:func:`~contest.database.write_transaction`, then :func:`~contest.services.results_live.changed`
publishes. Policies that live here:

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
* **Stale paper entry**: the secretary's form may carry ``expected`` (the sheet it showed);
  when another sheet arrived meanwhile the entry is refused with 409 ``stale``.
* Every change is written to the audit log in the same transaction: who, from which device,
  old -> new, why.

Locks and the jury head's decisions are in :mod:`contest.services.jury`.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..core.errors import Conflict, ContestError, Forbidden
from ..core.tabulation import parse_points, validate_criteria
from ..core.text import format_number
from ..database import write_transaction
from ..extensions import db
from ..models import Contest, Nomination, PartLock, ScoreSheet, SheetReceipt
from ..models.contest import contest_id_of
from .access import Principal
from .audit import Actor, record
from .results_live import changed
from .scoring_common import (ID_RE, MAX_COMMENT, _MISSING, JudgeRef, Roster, _err, _judge_of, _named,
                             _num, roster)

# --------------------------------------------------------------------------- sheets

# The receiving path's lookups, built once (building a statement cost as much as running it).
_RECEIPT = cache(lambda: select(SheetReceipt).where(
    SheetReceipt.contest_id == bindparam("cid"), SheetReceipt.judge_id == bindparam("judge"),
    SheetReceipt.client_id == bindparam("client")))
_LOCK = cache(lambda: select(PartLock).where(PartLock.contest_id == bindparam("cid"),
                                             PartLock.part_key == bindparam("part")))
_SHEET = cache(lambda: select(ScoreSheet).where(
    ScoreSheet.contest_id == bindparam("cid"), ScoreSheet.judge_id == bindparam("judge"),
    ScoreSheet.team_id == bindparam("team"), ScoreSheet.part_key == bindparam("part")))


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


def _store_sheet(contest: Contest, ros: Roster, judge: JudgeRef, body: Any, actor: Actor, *,
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


def _store_sheet_inner(contest: Contest, ros: Roster, judge: JudgeRef, body: Any, actor: Actor, *,
                       source: str, expected: Any = _MISSING) -> tuple[dict, bool]:
    s = db.session
    cid = contest_id_of(contest)  # the rules come with the roster: no reload of the contest
    if not isinstance(body, Mapping):
        raise ContestError("Phiếu chấm phải là một đối tượng JSON", field="body")
    client_id = body.get("id")
    if not isinstance(client_id, str) or not ID_RE.match(client_id):
        raise ContestError("Phiếu chấm cần mã phiếu 'id' (1–100 ký tự chữ, số, '-', '_', '.', ':')",
                           field="id")
    team_key = body.get("team")
    part_key = body.get("part")
    receipt = s.scalar(_RECEIPT(), {"cid": cid, "judge": judge.id, "client": client_id})
    if receipt is not None:
        if not _same_content(receipt.answer, team_key, part_key, body.get("criteria")):
            raise Conflict("Mã phiếu này đã được dùng cho một phiếu chấm khác", field="id",
                           code="id_reused")
        stored = dict(receipt.answer)
        if "total" not in stored:  # an imported receipt: answer from the sheet itself
            row = s.scalar(select(ScoreSheet).where(ScoreSheet.contest_id == cid,
                                                    ScoreSheet.client_id == client_id,
                                                    ScoreSheet.judge_id == judge.id))
            total = Decimal(str(row.total)) if row is not None else Decimal(0)
            stored = _sheet_answer(client_id, team_key, part_key, total, False)
        return stored, False

    rules = ros.rules
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
    lock = s.scalar(_LOCK(), {"cid": cid, "part": part.key})
    if lock is not None:
        raise Conflict(f"Phần thi «{part.name}» đã được khoá; cần Trưởng ban giám khảo mở khoá "
                       "(có ghi lý do) để sửa điểm", field="part", code="locked")

    team = ros.teams[team_key]
    total = sum(criteria.values(), Decimal(0))
    values = {k: _num(v) for k, v in criteria.items()}
    row = s.scalar(_SHEET(), {"cid": cid, "judge": judge.id, "team": team.id, "part": part.key})
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
        row = ScoreSheet(contest_id=cid, judge_id=judge.id, team_id=team.id,
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
    record(cid, actor, action, target, old=old, new=new,
           reason="Nhập từ phiếu chấm giấy" if source == "paper" else "")
    answer = _sheet_answer(client_id, team.key, part.key, total, replaced)
    s.add(SheetReceipt(contest_id=cid, judge_id=judge.id, client_id=client_id,
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
    cid = contest_id_of(contest)
    for attempt in range(2):
        try:
            with write_transaction():
                ros = roster(cid)
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
        changed(cid)
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


def _store_nomination(contest: Contest, ros: Roster, judge: JudgeRef, body: Any, actor: Actor,
                      prefix: str = "", *, paper: bool = False) -> dict:
    try:
        return _store_nomination_inner(contest, ros, judge, body, actor, paper)
    except ContestError as exc:
        raise _err(exc, prefix) from None


def _store_nomination_inner(contest: Contest, ros: Roster, judge: JudgeRef, body: Any,
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
