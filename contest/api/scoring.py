"""Judging API (CONTRACT.md section 4): score sheets, nominations, standings, prizes, and the
jury head's locks, tie decisions and penalties, the sheets matrix and the audit log.
Each view calls one function of :mod:`contest.services.scoring`."""

from __future__ import annotations

from flask import jsonify, request

from ..services import scoring
from ..services.audit import entries, request_device, to_dict
from ..web.auth import current_principal, require
from . import bp, json_body
from .contests import get_contest
from .spec import operation

P = "/v1/contests/{id}"
NUM = {"type": "number"}
STR = {"type": "string"}


device = request_device  # where a write comes from (the views pass it on to the services)


SHEET_BODY = {"type": "object", "required": ["team", "part", "criteria", "id"], "properties": {
    "team": STR, "part": STR, "criteria": {"type": "object", "additionalProperties": NUM},
    "id": {"type": "string", "maxLength": 100}, "comment": STR}}
SHEET_ANSWER = {"type": "object", "properties": {
    "id": STR, "team": STR, "part": STR, "total": NUM, "stored": {"type": "boolean"},
    "replaced": {"type": "boolean"}}}
STANDINGS = {"type": "object", "required": ["teams", "complete"], "properties": {
    "teams": {"type": "array", "items": {"type": "object", "properties": {
        "team": STR, "rank": {"type": "integer"}, "total": NUM,
        "parts": {"type": "object", "additionalProperties": {"type": ["number", "null"]}}}}},
    "complete": {"type": "boolean"}}}
PRIZES = {"type": "object", "required": ["awards", "ties", "unawarded"], "properties": {
    "awards": {"type": "array", "items": {"type": "object"}},
    "ties": {"type": "array", "items": {"type": "object"}},
    "unawarded": {"type": "array", "items": {"type": "object"}}}}

operation(f"{P}/scores", "post", "Submit a score sheet (idempotent by id; replaces the judge's "
          "earlier sheet until the part is locked)", roles="a judge", body=SHEET_BODY,
          response=SHEET_ANSWER, status=201, errors=(400, 401, 403, 404, 409))


@bp.post("/v1/contests/<int:contest_id>/scores")
def post_score(contest_id: int):
    contest = get_contest(contest_id)
    principal = require(contest_id, "judge")
    answer, created = scoring.receive_sheet(contest, principal, json_body(), device())
    return jsonify(answer), 201 if created else 200


operation(f"{P}/scores", "get", "Stored score sheets: a judge's own, or all for the jury head "
          "and organisers", roles="a judge, organisers")


@bp.get("/v1/contests/<int:contest_id>/scores")
def get_scores(contest_id: int):
    contest = get_contest(contest_id)
    principal = require(contest_id, "judge", "organiser")
    if principal.role == "judge" and not principal.head:
        return jsonify({"sheets": scoring.sheets_of(contest, principal.subject)})
    return jsonify({"sheets": [dict(s, judge=j) for j in scoring.roster(contest_id).judges
                               for s in scoring.sheets_of(contest, j)]})


operation(f"{P}/nominations", "post", "Nominate a performer for an individual prize",
          roles="a judge", body={"type": "object", "required": ["prize", "member"],
                                 "properties": {"prize": STR, "member": STR}},
          errors=(400, 401, 403, 404, 409))


@bp.post("/v1/contests/<int:contest_id>/nominations")
def post_nomination(contest_id: int):
    contest = get_contest(contest_id)
    principal = require(contest_id, "judge")
    return jsonify(scoring.nominate(contest, principal, json_body(), device()))


operation(f"{P}/nominations", "get", "Nominations: a judge's own, or all for the jury head and "
          "organisers", roles="a judge, organisers")


@bp.get("/v1/contests/<int:contest_id>/nominations")
def get_nominations(contest_id: int):
    contest = get_contest(contest_id)
    principal = require(contest_id, "judge", "organiser")
    own = principal.subject if principal.role == "judge" and not principal.head else None
    return jsonify({"nominations": scoring.nominations_of(contest, own)})


operation(f"{P}/standings", "get", "The standings (the audience only while results are public)",
          response=STANDINGS, errors=(403, 404))


@bp.get("/v1/contests/<int:contest_id>/standings")
def get_standings(contest_id: int):
    contest = get_contest(contest_id)
    return jsonify(scoring.standings_for(contest, current_principal(contest_id)))


operation(f"{P}/prizes", "get", "The prize allocation, with the ties the jury head must decide",
          roles="organisers, jury", response=PRIZES)


@bp.get("/v1/contests/<int:contest_id>/prizes")
def get_prizes(contest_id: int):
    contest = get_contest(contest_id)
    require(contest_id, "organiser", "judge")
    return jsonify(scoring.prizes_dict(contest))


operation(f"{P}/sheets", "get", "The jury board: judges x teams x parts, part scores, spreads, "
          "outliers, missing sheets and locks", roles="the jury head, organisers")


@bp.get("/v1/contests/<int:contest_id>/sheets")
def get_sheets(contest_id: int):
    contest = get_contest(contest_id)
    require(contest_id, "organiser", "judge", head=True)
    return jsonify(scoring.matrix_dict(contest))


operation(f"{P}/locks", "get", "The locked parts", roles="organisers, jury")


@bp.get("/v1/contests/<int:contest_id>/locks")
def get_locks(contest_id: int):
    get_contest(contest_id)
    require(contest_id, "organiser", "judge")
    return jsonify({"locks": scoring.locks_dict(contest_id)})


operation(f"{P}/locks", "post", "Lock a part (or \"all\"); refused while sheets are missing "
          "unless force with a reason", roles="the jury head, organisers",
          body={"type": "object", "required": ["part"], "properties": {
              "part": STR, "force": {"type": "boolean"}, "reason": STR}},
          status=201, errors=(400, 401, 403, 404, 409))


@bp.post("/v1/contests/<int:contest_id>/locks")
def post_lock(contest_id: int):
    contest = get_contest(contest_id)
    principal = require(contest_id, "organiser", "judge", head=True)
    body = json_body()
    return jsonify(scoring.lock_part(contest, principal, body.get("part"), device(),
                                     force=bool(body.get("force")),
                                     reason=body.get("reason") or "")), 201


operation(f"{P}/locks/{{part}}/unlock", "post", "Unlock a part (or \"all\") with a reason",
          roles="the jury head", body={"type": "object", "required": ["reason"],
                                       "properties": {"reason": STR}},
          errors=(400, 401, 403, 404, 409))


@bp.post("/v1/contests/<int:contest_id>/locks/<part>/unlock")
def post_unlock(contest_id: int, part: str):
    contest = get_contest(contest_id)
    principal = require(contest_id, "judge", head=True)
    return jsonify(scoring.unlock_part(contest, principal, part, json_body().get("reason"),
                                       device()))


operation(f"{P}/ties", "post", "Record the jury head's order for a tie (with a reason)",
          roles="the jury head", body={"type": "object", "required": ["tie", "order", "reason"],
                                       "properties": {"tie": STR, "order": {"type": "array",
                                                                            "items": STR},
                                                      "reason": STR,
                                                      "expected": {"type": ["integer", "null"]}}},
          status=201, errors=(400, 401, 403, 404, 409))


@bp.post("/v1/contests/<int:contest_id>/ties")
def post_tie(contest_id: int):
    contest = get_contest(contest_id)
    principal = require(contest_id, "judge", head=True)
    body = json_body()
    extra = {"expected": body["expected"]} if "expected" in body else {}
    return jsonify(scoring.decide_tie(contest, principal, body.get("tie"), body.get("order"),
                                      body.get("reason"), device(), **extra)), 201


operation(f"{P}/penalties", "get", "Recorded overtime with suggested deductions, and the "
          "confirmed penalties", roles="organisers, jury")


@bp.get("/v1/contests/<int:contest_id>/penalties")
def get_penalties(contest_id: int):
    contest = get_contest(contest_id)
    require(contest_id, "organiser", "judge")
    return jsonify(scoring.penalties_dict(contest))


operation(f"{P}/penalties", "post", "Confirm (or edit, or cancel with 0) an overtime penalty",
          roles="the jury head", body={"type": "object", "required": ["team", "part", "points"],
                                       "properties": {"team": STR, "part": STR, "points": NUM,
                                                      "reason": STR,
                                                      "expected": {"type": ["integer", "null"]}}},
          status=201, errors=(400, 401, 403, 404, 409))


@bp.post("/v1/contests/<int:contest_id>/penalties")
def post_penalty(contest_id: int):
    contest = get_contest(contest_id)
    principal = require(contest_id, "judge", head=True)
    body = json_body()
    extra = {"expected": body["expected"]} if "expected" in body else {}
    return jsonify(scoring.confirm_penalty(contest, principal, body.get("team"), body.get("part"),
                                           body.get("points"), body.get("reason"), device(),
                                           **extra)), 201


operation(f"{P}/audit", "get", "The append-only audit log (filter with ?action=prefix)",
          roles="organisers, the jury head")


@bp.get("/v1/contests/<int:contest_id>/audit")
def get_audit(contest_id: int):
    get_contest(contest_id)
    require(contest_id, "organiser", "judge", head=True)
    prefix = request.args.get("action", "")
    return jsonify({"entries": [dict(to_dict(e), id=e.id) for e in entries(contest_id)
                                if e.action.startswith(prefix)]})
