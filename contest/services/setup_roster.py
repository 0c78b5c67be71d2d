"""Editing units, teams, members and judges: every member change re-checks the whole team
against the rules (a 13th member or a 5th guest is refused naming the team); deleting is
refused while it would drop history."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from ..core.errors import ContestError, NotFound
from ..core.roster import KINDS, MemberRecord, check_roster
from ..core.setup_checks import team_label
from ..core.text import fold
from ..database import write_transaction
from ..models import AccessToken, Judge, Member, Nomination, ScoreSheet, Team, Unit
from . import access
from .audit import Actor, record

DEFAULT_DOCUMENT = Path(__file__).resolve().parent.parent / "demo" / "kon-ray-2023.json"
STALE = "Dữ liệu đã được người khác thay đổi; hãy tải lại trang"
PROGRAMME_KINDS = ("plain", "contest", "results")
KIND_LABELS = {"member": "Thành viên", "guest": "Người được mời phối hợp"}


from .setup_common import _announce, _contest_for_write, _row, _saved, clean_key, clean_text


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
            except (TypeError, ValueError, OverflowError, NotFound):
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


