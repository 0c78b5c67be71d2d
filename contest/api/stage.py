"""The live stage (CONTRACT section 4): read it (anyone; answers only for staff) and act on
it (the MC and the organisers)."""

from __future__ import annotations

from flask import jsonify, request

from ..services import stage as stage_service
from ..web.auth import current_principal, require
from . import bp, json_body
from .contests import get_contest
from .spec import operation

TIMER = {"type": ["object", "null"], "properties": {
    "part": {"type": ["string", "null"]}, "phase": {"type": ["string", "null"]},
    "state": {"enum": ["running", "paused", "stopped"]}, "remaining_ms": {"type": "integer"},
    "deadline_ms": {"type": ["integer", "null"]}, "server_ms": {"type": "integer"}}}
STAGE = {"type": "object", "required": ["version", "step", "timer", "results_mode"], "properties": {
    "version": {"type": "integer", "description": "the stage version; send it back with a press"},
    "step": {"type": "object"}, "next": {"type": ["object", "null"]}, "timer": TIMER,
    "results_mode": {"enum": ["hidden", "live", "frozen"]}, "auto_advance": {"type": "boolean"},
    "question": {"type": ["object", "null"],
                 "description": "the drawn question; its answer and follow-ups only for staff"},
    "award": {"type": ["object", "null"]}, "cue": {"type": "string", "description": "staff only"}}}
ACT = {"type": "object", "required": ["action"], "properties": {
    "action": {"enum": ["next", "previous", "jump", "start", "pause", "resume", "reset", "extend",
                        "results", "auto_advance"]},
    "seconds": {"type": "integer", "minimum": 1, "maximum": 3600},
    "mode": {"enum": ["hidden", "live", "frozen"]}, "step": {"type": "integer", "minimum": 0},
    "version": {"type": "integer", "description": "the stage version the console saw (409 if stale)"},
    "auto_advance": {"type": "boolean"}}}

operation("/v1/contests/{id}/stage", "get", "The current stage state (answers only for staff; "
          "?steps=1 adds the whole list of steps for the MC)", response=STAGE, errors=(401, 404))


@bp.get("/v1/contests/<int:contest_id>/stage")
def read_stage(contest_id: int):
    contest = get_contest(contest_id)
    stage_service.ensure_ticker()
    return jsonify(stage_service.stage_view(contest, current_principal(contest_id),
                                            include_steps=request.args.get("steps") == "1"))


operation("/v1/contests/{id}/stage", "post", "A press of the MC: move, run the timer, results mode",
          roles="the MC, organisers", body=ACT, response=STAGE, errors=(400, 401, 403, 404, 409))


@bp.post("/v1/contests/<int:contest_id>/stage")
def act_stage(contest_id: int):
    contest = get_contest(contest_id)
    principal = require(contest_id, "mc", "organiser")
    return jsonify(stage_service.act(contest, principal, json_body()))
