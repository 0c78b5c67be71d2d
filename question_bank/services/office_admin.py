"""Contributing offices (cơ quan soạn câu hỏi): list, add, rename, and their sign-in links.

An office's questions are those whose ``office`` column equals the office's name; renaming
the office renames that column too. An office signs in with its own link (role "office",
subject = office key). Two offices may not share a name, compared without case or diacritics.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import func, select

from contest.core.errors import Conflict, ContestError, Forbidden, NotFound
from contest.core.text import fold, nfc
from contest.database import write_transaction
from contest.extensions import db
from contest.models import Contest
from contest.services import access
from contest.services.access import Principal
from contest.services.audit import Actor, record

from ..core.model import MAX_SHORT, QuestionData
from ..models import Office, Question
from .common import cli_actor


def offices(contest_id: int) -> list[Office]:
    return list(db.session.scalars(select(Office).where(Office.contest_id == contest_id)
                                   .order_by(Office.position, Office.id)))


def office_by_key(contest_id: int, key: str) -> Office:
    office = db.session.scalar(select(Office).where(Office.contest_id == contest_id, Office.key == key))
    if office is None:
        raise NotFound(f"Không có cơ quan '{key}'", field="office")
    return office


def office_of(principal: Principal, contest_id: int) -> Office | None:
    """The office behind an office principal; None for anyone else."""
    if principal.role != "office":
        return None
    if not principal.subject:
        raise Forbidden("Đường dẫn này không gắn với cơ quan nào")
    return office_by_key(contest_id, principal.subject)


def _office_name(name: Any) -> str:
    if not isinstance(name, str) or not nfc(name).strip():
        raise ContestError("Tên cơ quan: không được để trống", field="name")
    name = " ".join(nfc(name).split())
    if len(name) > MAX_SHORT:
        raise ContestError(f"Tên cơ quan: dài {len(name)} ký tự, tối đa {MAX_SHORT}", field="name")
    return name


def same_name(contest_id: int, name: str, except_id: int | None = None) -> Office | None:
    """The office already called ``name`` (ignoring case and diacritics), if any."""
    for o in offices(contest_id):
        if o.id != except_id and fold(o.name) == fold(name):
            return o
    return None


def new_office(contest: Contest, name: str) -> Office:
    """Add the office row (key from the name, last position); the caller issues its link."""
    from contest.services.document import slug
    taken = {o.key for o in offices(contest.id)}
    position = (db.session.scalar(select(func.max(Office.position))
                                  .where(Office.contest_id == contest.id)) or 0) + 1
    office = Office(contest_id=contest.id, key=slug(name, taken, "office"), name=name,
                    position=position)
    db.session.add(office)
    db.session.flush()
    return office


def settle_office(contest: Contest, data: QuestionData) -> QuestionData:
    """An organiser named ``data.office`` for a question: an existing office of that name
    lends its spelling; an unknown name becomes a new office with its link."""
    existing = same_name(contest.id, data.office)
    if existing is None:
        new_office(contest, data.office)
        access.ensure_tokens(contest)
        return data
    return replace(data, office=existing.name)


def add_office(contest: Contest, name: str, actor: Actor | None = None) -> Office:
    """Add a contributing office and issue its link (token) in the same transaction."""
    name = _office_name(name)
    actor = actor or cli_actor()
    with write_transaction():
        if same_name(contest.id, name):
            raise Conflict(f"Tên cơ quan: đã có cơ quan '{name}'", field="name")
        office = new_office(contest, name)
        access.ensure_tokens(contest)
        record(contest.id, actor, "office.create", office.key, new={"name": name})
    return office


def rename_office(contest: Contest, key: str, name: str, actor: Actor | None = None) -> Office:
    """Rename an office; its questions follow (their ``office`` column is the name)."""
    name = _office_name(name)
    actor = actor or cli_actor()
    with write_transaction():
        office = office_by_key(contest.id, key)
        if same_name(contest.id, name, except_id=office.id):
            raise Conflict(f"Tên cơ quan: đã có cơ quan '{name}'", field="name")
        old = office.name
        if old == name:
            return office
        moved = 0
        for q in db.session.scalars(select(Question).where(Question.contest_id == contest.id,
                                                            Question.office == old)):
            q.office = name
            moved += 1
        office.name = name
        from contest.models import AccessToken
        for t in db.session.scalars(select(AccessToken).where(
                AccessToken.contest_id == contest.id, AccessToken.role == "office",
                AccessToken.subject == key)):
            t.label = name
        record(contest.id, actor, "office.rename", key, old={"name": old},
               new={"name": name, "questions": moved})
    return office


def office_links(contest_id: int, base: str) -> dict[str, dict]:
    from contest.services.links import links
    return links(contest_id, base)["offices"]
