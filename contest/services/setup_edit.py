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

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from ..core.errors import Conflict, ContestError, NotFound
from ..core.setup_checks import JudgeInfo, SetupData, TeamInfo
from ..database import write_transaction
from ..extensions import db
from ..models import AccessToken, Contest, StageRecord
from . import access
from .audit import Actor, record
from .document import slug

DEFAULT_DOCUMENT = Path(__file__).resolve().parent.parent / "demo" / "kon-ray-2023.json"
STALE = "Dữ liệu đã được người khác thay đổi; hãy tải lại trang"
PROGRAMME_KINDS = ("plain", "contest", "results")
KIND_LABELS = {"member": "Thành viên", "guest": "Người được mời phối hợp"}
from .setup_common import (KIND_LABELS, _announce, _contest_for_write,  # noqa: F401 (re-exported)
                           _parse_date, _saved, clean_text, default_programme, default_rules,
                           get_contest)
from .setup_roster import (delete_judge, delete_member, delete_team, delete_unit,  # noqa: F401
                           save_judge, save_member, save_team, save_unit)
from .setup_rules import (change_rules, delete_part, save_general, save_part,  # noqa: F401
                          save_prizes, save_programme)


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
