"""The organisers' setup actions over the API: the same service functions as the setup
screens, addressed by the keys of the contest document. Every write takes an optional
``revision`` (the contest's ``revision`` from GET .../setup); a stale one is a 409."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from sqlalchemy import select

from ..core.errors import ContestError, NotFound
from ..extensions import db
from ..models import Judge, Member, Team, Unit
from ..services import setup_documents as documents_svc
from ..services import setup_edit as svc
from ..web.auth import require
from . import bp, json_body
from .contests import get_contest
from .spec import operation

ORGANISERS = "organisers"
REVISION = {"revision": {"type": ["integer", "null"], "description": "the contest's revision you saw"}}
OBJECT = {"type": "object"}


def _begin(contest_id: int) -> tuple[Any, dict, int | None]:
    get_contest(contest_id)
    principal = require(contest_id, "organiser")
    body = json_body()
    revision = body.get("revision")
    if revision is not None and (isinstance(revision, bool) or not isinstance(revision, int)):
        raise ContestError("revision: phải là số nguyên", field="revision")
    _check_shapes(body)
    return principal.actor(), body, revision


# Lists the services iterate: a wrong type is a 400 naming the field, not a 500.
_OBJECT_LISTS = ("phases", "criteria", "collective", "special", "individual", "items")
_TEXT_LISTS = ("roles", "tie_break")


def _check_shapes(body: dict) -> None:
    for key in _OBJECT_LISTS + _TEXT_LISTS:
        value = body.get(key)
        if value is None:
            continue
        want = dict if key in _OBJECT_LISTS else str
        if not isinstance(value, list) or not all(isinstance(v, want) for v in value):
            what = "các đối tượng" if want is dict else "các chuỗi"
            raise ContestError(f"{key}: phải là danh sách {what}", field=key)


def _id(model, contest_id: int, key: str, what: str) -> int:
    row_id = db.session.scalar(select(model.id).where(model.contest_id == contest_id, model.key == key))
    if row_id is None:
        raise NotFound(f"Không có {what} '{key}'", field="key")
    return row_id


def _saved(contest_id: int, status: int = 200, **extra):
    contest = get_contest(contest_id)
    db.session.refresh(contest)
    return jsonify({"revision": contest.revision, **extra}), status


def _body_with_unit(contest_id: int, body: dict) -> dict:
    data = dict(body)
    if data.get("unit") is not None and not isinstance(data["unit"], str):
        raise ContestError("unit: phải là mã đơn vị (chuỗi) hoặc null", field="unit")
    if data.get("unit"):
        data["unit"] = _id(Unit, contest_id, str(data["unit"]), "đơn vị")
    return data


operation("/v1/contests/{id}/setup", "get", "The setup checklist and the contest's revision",
          roles=ORGANISERS, response=OBJECT)


@bp.get("/v1/contests/<int:contest_id>/setup")
def setup_state(contest_id: int):
    from dataclasses import asdict

    from ..core.setup_checks import checklist
    contest = get_contest(contest_id)
    require(contest_id, "organiser")
    steps = checklist(svc.setup_data(contest))
    return jsonify({"revision": contest.revision, "checklist": [asdict(s) for s in steps]})


operation("/v1/contests/{id}", "put", "Edit the contest's name, organiser, date and venue",
          roles=ORGANISERS, body={"type": "object", "properties": {
              "name": {"type": "string"}, "organizer": {"type": "string"},
              "date": {"type": ["string", "null"]}, "venue": {"type": "string"}, **REVISION}},
          response=OBJECT, errors=(400, 401, 403, 404, 409))


@bp.put("/v1/contests/<int:contest_id>")
def update_contest(contest_id: int):
    actor, body, revision = _begin(contest_id)
    svc.update_info(contest_id, revision, body, actor)
    return _saved(contest_id)


operation("/v1/contests/{id}/rules/general", "put",
          "Team limits, aggregation, decimals, score step, tie-break order", roles=ORGANISERS,
          body={"type": "object", "properties": {
              "max_members": {"type": "integer"}, "max_guests": {"type": "integer"},
              "aggregation": {"type": "string"}, "decimals": {"type": "integer"},
              "score_step": {"type": "number"}, "tie_break": {"type": "array", "items": {"type": "string"}},
              **REVISION}}, response=OBJECT, errors=(400, 401, 403, 404, 409))


@bp.put("/v1/contests/<int:contest_id>/rules/general")
def rules_general(contest_id: int):
    actor, body, revision = _begin(contest_id)
    svc.save_general(contest_id, revision, body, actor)
    return _saved(contest_id)


PART_BODY = {"type": "object", "properties": {
    "key": {"type": "string"}, "name": {"type": "string"},
    "phases": {"type": "array", "items": OBJECT}, "criteria": {"type": "array", "items": OBJECT},
    "overtime_penalty": {"type": ["object", "null"]},
    "drawn": {"type": ["boolean", "null"],
              "description": "its questions are drawn by lot; absent or null: unchanged"}, **REVISION}}


def _part_index(contest_id: int, key: str) -> int:
    for i, part in enumerate(get_contest(contest_id).rules.parts):
        if part.key == key:
            return i
    raise NotFound(f"Không có phần thi '{key}'", field="key")


operation("/v1/contests/{id}/rules/parts", "post", "Add a part (phases, criteria, overtime penalty, drawn)",
          roles=ORGANISERS, body=PART_BODY, response=OBJECT, status=201, errors=(400, 401, 403, 404, 409))


@bp.post("/v1/contests/<int:contest_id>/rules/parts")
def add_part(contest_id: int):
    actor, body, revision = _begin(contest_id)
    svc.save_part(contest_id, revision, body, actor)
    return _saved(contest_id, 201)


operation("/v1/contests/{id}/rules/parts/{key}", "put", "Replace a part (its key stays)",
          roles=ORGANISERS, body=PART_BODY, response=OBJECT, errors=(400, 401, 403, 404, 409))


@bp.put("/v1/contests/<int:contest_id>/rules/parts/<key>")
def edit_part(contest_id: int, key: str):
    actor, body, revision = _begin(contest_id)
    svc.save_part(contest_id, revision, body, actor, index=_part_index(contest_id, key))
    return _saved(contest_id)


operation("/v1/contests/{id}/rules/parts/{key}", "delete", "Remove a part", roles=ORGANISERS,
          body={"type": "object", "properties": REVISION}, response=OBJECT,
          errors=(400, 401, 403, 404, 409))


@bp.delete("/v1/contests/<int:contest_id>/rules/parts/<key>")
def remove_part(contest_id: int, key: str):
    actor, _body, revision = _begin(contest_id)
    _part_index(contest_id, key)
    svc.delete_part(contest_id, revision, key, actor)
    return _saved(contest_id)


operation("/v1/contests/{id}/rules/prizes", "put", "The prize structure", roles=ORGANISERS,
          body={"type": "object", "properties": {
              "collective": {"type": "array", "items": OBJECT}, "special": {"type": "array", "items": OBJECT},
              "individual": {"type": "array", "items": OBJECT}, **REVISION}},
          response=OBJECT, errors=(400, 401, 403, 404, 409))


@bp.put("/v1/contests/<int:contest_id>/rules/prizes")
def rules_prizes(contest_id: int):
    actor, body, revision = _begin(contest_id)
    groups = {g: body.get(g) or [] for g in ("collective", "special", "individual")}
    svc.save_prizes(contest_id, revision, groups, actor)
    return _saved(contest_id)


operation("/v1/contests/{id}/programme", "put", "The programme of the day, in order",
          roles=ORGANISERS, body={"type": "object", "required": ["items"], "properties": {
              "items": {"type": "array", "items": OBJECT}, **REVISION}},
          response=OBJECT, errors=(400, 401, 403, 404, 409))


@bp.put("/v1/contests/<int:contest_id>/programme")
def programme(contest_id: int):
    actor, body, revision = _begin(contest_id)
    items = body.get("items")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ContestError("items: phải là danh sách các mục chương trình", field="items")
    svc.save_programme(contest_id, revision, items, actor)
    return _saved(contest_id)


# -------------------------------------------------------------------- units, teams, members, judges

def _crud(collection: str, model, what: str, save, delete, body_schema: dict, parent=None):
    """POST /{collection}, PUT and DELETE /{collection}/{key} for one kind of row."""
    base = f"/v1/contests/{{id}}/{collection}"
    operation(base, "post", f"Add a {what}", roles=ORGANISERS, body=body_schema, response=OBJECT,
              status=201, errors=(400, 401, 403, 404, 409))
    operation(base + "/{key}", "put", f"Edit a {what}", roles=ORGANISERS, body=body_schema,
              response=OBJECT, errors=(400, 401, 403, 404, 409))
    operation(base + "/{key}", "delete", f"Remove a {what}", roles=ORGANISERS,
              body={"type": "object", "properties": REVISION}, response=OBJECT,
              errors=(400, 401, 403, 404, 409))

    def create(contest_id: int):
        actor, body, revision = _begin(contest_id)
        row = save(contest_id, revision, body, actor, None)
        return _saved(contest_id, 201, key=row.key)

    def edit(contest_id: int, key: str):
        actor, body, revision = _begin(contest_id)
        row = save(contest_id, revision, body, actor, _id(model, contest_id, key, what))
        return _saved(contest_id, key=row.key)

    def remove(contest_id: int, key: str):
        actor, _body, revision = _begin(contest_id)
        delete(contest_id, revision, _id(model, contest_id, key, what), actor)
        return _saved(contest_id)

    url = f"/v1/contests/<int:contest_id>/{collection}"
    bp.add_url_rule(url, f"{collection}_create", create, methods=["POST"])
    bp.add_url_rule(url + "/<key>", f"{collection}_edit", edit, methods=["PUT"])
    bp.add_url_rule(url + "/<key>", f"{collection}_delete", remove, methods=["DELETE"])


def _save_unit(cid, rev, body, actor, row_id):
    return svc.save_unit(cid, rev, body, actor, unit_id=row_id)


def _save_team(cid, rev, body, actor, row_id):
    return svc.save_team(cid, rev, _body_with_unit(cid, body), actor, team_id=row_id)


def _save_member(cid, rev, body, actor, row_id):
    if row_id is None:
        team = body.get("team")
        if not isinstance(team, str) or not team:
            raise ContestError("team: cần mã đội của thành viên", field="team")
        team_id = _id(Team, cid, team, "đội")
    else:
        team_id = db.session.get(Member, row_id).team_id
    return svc.save_member(cid, rev, team_id, body, actor, member_id=row_id)


def _save_judge(cid, rev, body, actor, row_id):
    judge, _notice = svc.save_judge(cid, rev, body, actor, judge_id=row_id)
    return judge


NAMED = {"name": {"type": "string"}, "key": {"type": "string"}, **REVISION}
_crud("units", Unit, "unit", _save_unit, svc.delete_unit, {"type": "object", "properties": NAMED})
_crud("teams", Team, "team", _save_team, svc.delete_team,
      {"type": "object", "properties": {**NAMED, "unit": {"type": ["string", "null"]}}})
_crud("members", Member, "member", _save_member, svc.delete_member,
      {"type": "object", "properties": {**NAMED, "team": {"type": "string"}, "position": {"type": "string"},
                                        "workplace": {"type": "string"},
                                        "kind": {"enum": ["member", "guest"]},
                                        "roles": {"type": "array", "items": {"type": "string"}}}})
_crud("judges", Judge, "judge", _save_judge, svc.delete_judge,
      {"type": "object", "properties": {**NAMED, "title": {"type": "string"}, "head": {"type": "boolean"}}})


operation("/v1/contests/{id}/tokens/{token_id}/reissue", "post",
          "Revoke one access link and issue a new one (its sockets are dropped)", roles=ORGANISERS,
          body=OBJECT, response=OBJECT, status=201)


@bp.post("/v1/contests/<int:contest_id>/tokens/<int:token_id>/reissue")
def reissue(contest_id: int, token_id: int):
    get_contest(contest_id)
    actor = require(contest_id, "organiser").actor()
    fresh = svc.reissue_link(contest_id, token_id, actor)
    from ..services.links import links
    return jsonify({"role": fresh.role, "subject": fresh.subject, "links": links(contest_id)}), 201


# -------------------------------------------------------------------- documents' letterhead and signer

def _setting_schema(setting) -> dict:
    if setting.kind == "list":
        return {"type": ["array", "null"], "maxItems": documents_svc.LIST_MAX,
                "items": {"type": "string", "maxLength": documents_svc.ENTRY_MAX}}
    if setting.kind == "flag":
        return {"type": ["boolean", "null"], "description": "the decision is marked DỰ THẢO (default true)"}
    return {"type": ["string", "null"], "maxLength": setting.max_len}


DOCUMENTS_BODY = {"type": "object", "additionalProperties": False, "properties": {
    **{s.key: _setting_schema(s) for s in documents_svc.SETTINGS}, **REVISION}}

operation("/v1/contests/{id}/setup/documents", "get",
          "The documents' letterhead and signer: the settings stored and each one's default",
          roles=ORGANISERS, response={"type": "object", "properties": {
              "revision": {"type": "integer"}, "documents": {"type": "object"},
              "defaults": {"type": "object"}}})


@bp.get("/v1/contests/<int:contest_id>/setup/documents")
def document_settings(contest_id: int):
    contest = get_contest(contest_id)
    require(contest_id, "organiser")
    return jsonify({"revision": contest.revision, "documents": contest.documents or {},
                    "defaults": documents_svc.defaults(contest)})


operation("/v1/contests/{id}/setup/documents", "put",
          "Replace the documents' letterhead and signer (docs/documents.md): an absent, null or "
          "empty setting uses its default; 'date' and keys not listed here are kept",
          roles=ORGANISERS, body=DOCUMENTS_BODY, response=OBJECT, errors=(400, 401, 403, 404, 409))


@bp.put("/v1/contests/<int:contest_id>/setup/documents")
def save_document_settings(contest_id: int):
    actor, body, revision = _begin(contest_id)
    documents_svc.save_documents(contest_id, revision, {k: v for k, v in body.items() if k != "revision"},
                                 actor)
    return _saved(contest_id)
