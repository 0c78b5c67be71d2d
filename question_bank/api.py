"""The question bank's JSON API: questions (organisers and offices), offices, the seal and
reveal (organisers), and the draw (CONTRACT.md section 4: GET/POST .../draws).

Each view checks who is asking and calls one function of :mod:`question_bank.services`.
An office sees and changes only its own questions; another office's question is "not found".
"""

from __future__ import annotations

from flask import jsonify, request

from contest.api import bp, json_body
from contest.api.spec import operation
from contest.core.errors import ContestError
from contest.web.auth import current_principal, require

from . import services

P = "/v1/contests/{id}"
STR = {"type": "string"}
NUM = {"type": ["number", "null"]}
FOLLOW_UP = {"type": "object", "required": ["text", "answer"], "properties": {
    "text": STR, "answer": STR, "points": NUM}}
QUESTION_BODY = {"type": "object", "required": ["text", "answer"], "properties": {
    "kind": {"enum": ["open", "choice"]}, "text": STR, "choices": {"type": "array", "items": STR},
    "answer": STR, "field": STR, "office": STR, "basis": STR, "points": NUM,
    "follow_ups": {"type": "array", "items": FOLLOW_UP}, "status": {"enum": ["submitted", "approved"]}}}
QUESTION = {"type": "object", "properties": {
    "key": STR, "kind": STR, "text": STR, "choices": {"type": "array", "items": STR},
    "answer": STR, "field": STR, "office": STR, "basis": STR, "points": NUM,
    "follow_ups": {"type": "array", "items": FOLLOW_UP},
    "status": {"enum": ["submitted", "approved", "rejected", "used"]}, "reject_reason": STR}}
PUBLIC_QUESTION = {"type": "object", "properties": {
    "key": STR, "kind": STR, "text": STR, "choices": {"type": "array", "items": STR}, "points": NUM}}
IMPORT_ANSWER = {"type": "object", "required": ["imported", "rejected"], "properties": {
    "imported": {"type": "integer"},
    "rejected": {"type": "array", "items": {"type": "object", "properties": {
        "row": {"type": "integer"}, "reason": STR}}},
    "duplicates": {"type": "array", "items": {"type": "object", "properties": {
        "row": {"type": "integer"}, "of": STR, "similarity": {"type": "number"}}}}}}
SEAL_ANSWER = {"type": "object", "required": ["commitment", "lots"], "properties": {
    "commitment": STR, "lots": {"type": "integer"}}}
REVEAL = {"type": ["object", "null"], "properties": {
    "salt": STR, "lots": {"type": "object", "additionalProperties": STR}}}
DRAWS = {"type": "object", "required": ["commitment", "lots", "drawn", "reveal"], "properties": {
    "commitment": {"type": ["string", "null"]}, "lots": {"type": "integer"},
    "drawn": {"type": "array", "items": {"type": "object", "properties": {
        "lot": {"type": "integer"}, "team": STR, "question": STR}}},
    "reveal": REVEAL}}
DRAW_ANSWER = {"type": "object", "required": ["lot", "team", "question"], "properties": {
    "lot": {"type": "integer"}, "team": STR, "question": PUBLIC_QUESTION, "answer": STR,
    "follow_ups": {"type": "array", "items": FOLLOW_UP}}}
OFFICE = {"type": "object", "properties": {"key": STR, "name": STR, "url": STR, "token": STR}}


def _actor(principal):
    parts = [request.headers.get("X-Hoithi-Device", "")[:40], request.remote_addr or "",
             request.headers.get("User-Agent", "")[:200]]
    return principal.actor(" · ".join(p for p in parts if p))


def _staff_or_office(contest_id: int):
    """(principal, office or None): organisers see the whole bank, an office only its own."""
    principal = require(contest_id, "organiser", "office")
    return principal, services.office_of(principal, contest_id)


# ---- questions -------------------------------------------------------------------------------

operation(f"{P}/questions", "get", "The bank's questions (an office: only its own), filtered "
          "by ?office=&field=&status=&kind=&q= (q ignores case and diacritics)",
          roles="organisers, an office", response={"type": "object", "properties": {
              "questions": {"type": "array", "items": QUESTION}}})


@bp.get("/v1/contests/<int:contest_id>/questions")
def list_questions(contest_id: int):
    services.get_contest(contest_id)
    _, office = _staff_or_office(contest_id)
    rows = services.list_questions(contest_id, services.Filters.from_args(request.args), office=office)
    return jsonify({"questions": [services.question_dict(q) for q in rows]})


operation(f"{P}/questions", "post", "Add a question (an office's is always its own and "
          "'submitted')", roles="organisers, an office", body=QUESTION_BODY, response=QUESTION,
          status=201)


@bp.post("/v1/contests/<int:contest_id>/questions")
def create_question(contest_id: int):
    contest = services.get_contest(contest_id)
    principal, office = _staff_or_office(contest_id)
    q = services.create_question(contest, json_body(), _actor(principal), office=office)
    return jsonify(services.question_dict(q)), 201


operation(f"{P}/questions/{{key}}", "get", "One question", roles="organisers, its office",
          response=QUESTION)


@bp.get("/v1/contests/<int:contest_id>/questions/<key>")
def get_question(contest_id: int, key: str):
    services.get_contest(contest_id)
    _, office = _staff_or_office(contest_id)
    return jsonify(services.question_dict(services.get_question(contest_id, key, office=office)))


operation(f"{P}/questions/{{key}}", "patch", "Edit a question (fields left out keep their "
          "value); an office only while 'submitted'", roles="organisers, its office",
          body={"type": "object"}, response=QUESTION, errors=(400, 401, 403, 404, 409))


@bp.patch("/v1/contests/<int:contest_id>/questions/<key>")
def update_question(contest_id: int, key: str):
    contest = services.get_contest(contest_id)
    principal, office = _staff_or_office(contest_id)
    q = services.update_question(contest, key, json_body(), _actor(principal), office=office)
    return jsonify(services.question_dict(q))


operation(f"{P}/questions/{{key}}", "delete", "Delete a question (not once sealed or drawn; "
          "an office only while 'submitted')", roles="organisers, its office",
          response={"type": "object"}, errors=(401, 403, 404, 409))


@bp.delete("/v1/contests/<int:contest_id>/questions/<key>")
def delete_question(contest_id: int, key: str):
    contest = services.get_contest(contest_id)
    principal, office = _staff_or_office(contest_id)
    services.delete_question(contest, key, _actor(principal), office=office)
    return jsonify({"deleted": key})


operation(f"{P}/questions/{{key}}/approve", "post", "Approve a question", roles="organisers",
          response=QUESTION, errors=(401, 403, 404, 409))


@bp.post("/v1/contests/<int:contest_id>/questions/<key>/approve")
def approve_question(contest_id: int, key: str):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    return jsonify(services.question_dict(services.approve_question(contest, key, _actor(principal))))


operation(f"{P}/questions/{{key}}/reject", "post", "Reject a question with a reason the office "
          "reads", roles="organisers", body={"type": "object", "required": ["reason"],
                                             "properties": {"reason": STR}},
          response=QUESTION, errors=(400, 401, 403, 404, 409))


@bp.post("/v1/contests/<int:contest_id>/questions/<key>/reject")
def reject_question(contest_id: int, key: str):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    body = json_body()
    q = services.reject_question(contest, key, body.get("reason"), _actor(principal))
    return jsonify(services.question_dict(q))


operation(f"{P}/questions/import", "post", "Import a file (.xlsx, .docx, .json) sent as "
          "multipart field 'file'; 'partial=1' keeps the good rows of a file with bad ones",
          roles="organisers, an office", body={"type": "object"}, response=IMPORT_ANSWER,
          errors=(400, 401, 403, 413))


@bp.post("/v1/contests/<int:contest_id>/questions/import")
def import_questions(contest_id: int):
    contest = services.get_contest(contest_id)
    principal, office = _staff_or_office(contest_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ContestError("Tệp (file): hãy chọn tệp .xlsx, .docx hoặc .json", field="file")
    partial = request.form.get("partial", "").lower() in ("1", "true", "yes", "on")
    result = services.import_questions(contest, upload.filename, upload.read(), partial=partial,
                                       office=office, actor=_actor(principal))
    if result["rejected"] and not result["imported"]:
        first = result["rejected"][0]["reason"]
        message = (f"Tệp có {len(result['rejected'])} dòng bị loại; chưa nhập gì ({first}). "
                   "Gửi partial=1 để nhập các dòng hợp lệ." if not partial else
                   f"Không có dòng nào nhập được ({first})")
        return jsonify({"error": {"code": "rejected_rows", "message": message, "field": "file"},
                        **result}), 400
    return jsonify(result)


operation(f"{P}/coverage", "get", "Approved questions per field and office against the need "
          "(one per team plus ?reserves=N)", roles="organisers")


@bp.get("/v1/contests/<int:contest_id>/coverage")
def coverage(contest_id: int):
    contest = services.get_contest(contest_id)
    require(contest_id, "organiser")
    return jsonify(services.coverage(contest, _reserves(request.args.get("reserves"))))


def _reserves(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        n = int(value)
    except ValueError:
        raise ContestError("Số câu dự phòng (reserves) phải là số nguyên", field="reserves") from None
    if not 0 <= n <= 1000:
        raise ContestError("Số câu dự phòng (reserves) phải từ 0 đến 1000", field="reserves")
    return n


# ---- offices --------------------------------------------------------------------------------

operation(f"{P}/offices", "get", "Contributing offices with their submission links",
          roles="organisers", response={"type": "object", "properties": {
              "offices": {"type": "array", "items": OFFICE}}})


@bp.get("/v1/contests/<int:contest_id>/offices")
def list_offices(contest_id: int):
    services.get_contest(contest_id)
    require(contest_id, "organiser")
    return jsonify({"offices": _offices(contest_id)})


def _offices(contest_id: int) -> list[dict]:
    links = services.office_links(contest_id, request.host_url.rstrip("/"))
    return [{"key": o.key, "name": o.name, **{k: links.get(o.key, {}).get(k) for k in ("url", "token")}}
            for o in services.offices(contest_id)]


operation(f"{P}/offices", "post", "Add a contributing office (its link is issued at once)",
          roles="organisers", body={"type": "object", "required": ["name"],
                                    "properties": {"name": STR}}, response=OFFICE, status=201,
          errors=(400, 401, 403, 409))


@bp.post("/v1/contests/<int:contest_id>/offices")
def add_office(contest_id: int):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    office = services.add_office(contest, json_body().get("name"), _actor(principal))
    return jsonify(next(o for o in _offices(contest_id) if o["key"] == office.key)), 201


operation(f"{P}/offices/{{key}}", "patch", "Rename an office (its questions follow)",
          roles="organisers", body={"type": "object", "required": ["name"],
                                    "properties": {"name": STR}}, response=OFFICE,
          errors=(400, 401, 403, 404, 409))


@bp.patch("/v1/contests/<int:contest_id>/offices/<key>")
def rename_office(contest_id: int, key: str):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    services.rename_office(contest, key, json_body().get("name"), _actor(principal))
    return jsonify(next(o for o in _offices(contest_id) if o["key"] == key))


# ---- seal, reveal, draws ----------------------------------------------------------------------

operation(f"{P}/seal", "post", "Seal the approved questions into lots (kind 'questions', the "
          "default) or the performance order (kind 'order'); refused once a lot is drawn",
          roles="organisers", body={"type": "object", "properties": {
              "kind": {"enum": ["questions", "order"]}}}, response=SEAL_ANSWER,
          errors=(400, 401, 403, 409))


@bp.post("/v1/contests/<int:contest_id>/seal")
def seal(contest_id: int):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    body = request.get_json(silent=True) or {}
    kind = body.get("kind", "questions") if isinstance(body, dict) else "questions"
    if kind == "questions":
        return jsonify(services.seal_questions(contest, _actor(principal)))
    if kind == "order":
        return jsonify(services.seal_performance_order(contest, _actor(principal)))
    raise ContestError("Loại niêm phong (kind) phải là 'questions' hoặc 'order'", field="kind")


operation(f"{P}/reveal", "post", "Publish the salt and the lots (after the contest)",
          roles="organisers", response={"type": "object", "properties": {
              "commitment": STR, "salt": STR, "lots": {"type": "object"}}},
          errors=(401, 403, 409))


@bp.post("/v1/contests/<int:contest_id>/reveal")
def reveal(contest_id: int):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    return jsonify(services.reveal_lots(contest, _actor(principal)))


operation(f"{P}/draws", "get", "The sealed lots: commitment, count, what was drawn, and the "
          "reveal once published", response=DRAWS, errors=(404,))


@bp.get("/v1/contests/<int:contest_id>/draws")
def get_draws(contest_id: int):
    return jsonify(services.draws_state(services.get_contest(contest_id)))


operation(f"{P}/draws", "post", "Record the lot a team's representative picked; answers the "
          "question behind it with its answer (a lot already drawn: 409)",
          roles="the MC, organisers", body={"type": "object", "required": ["team", "lot"],
                                            "properties": {"team": STR, "lot": {"type": "integer"}}},
          response=DRAW_ANSWER, status=201, errors=(400, 401, 403, 404, 409))


@bp.post("/v1/contests/<int:contest_id>/draws")
def post_draw(contest_id: int):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "mc", "organiser")
    body = json_body()
    answer = services.record_draw(contest, body.get("team"), body.get("lot"), _actor(principal))
    return jsonify(answer), 201


operation(f"{P}/order", "get", "The sealed performance order: commitment and count; the order "
          "itself for the staff, and for everyone once revealed", errors=(404,),
          response={"type": "object", "properties": {
              "commitment": {"type": ["string", "null"]}, "teams": {"type": "integer"},
              "order": {"type": ["array", "null"], "items": STR}, "reveal": REVEAL}})


@bp.get("/v1/contests/<int:contest_id>/order")
def get_order(contest_id: int):
    contest = services.get_contest(contest_id)
    return jsonify(services.order_state(contest, staff=current_principal(contest_id).is_staff))
