"""The jury's screens: the judge's tablet, the jury head's board, the audit log (view and
export) and the secretary's paper-sheet entry. Views are thin: the work is in
:mod:`contest.services.scoring`."""

from __future__ import annotations

import io
import json
import uuid

from flask import (Blueprint, Response, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from ..api.contests import get_contest
from ..api.scoring import device
from ..core.errors import ContestError
from ..core.text import format_number, local_time
from ..services import scoring
from ..services.audit import entries, to_dict
from .auth import current_principal, require

bp = Blueprint("judging", __name__)

ACTIONS = {
    "sheet.create": "Nộp phiếu chấm",
    "sheet.replace": "Thay phiếu chấm",
    "nomination.set": "Đề cử giải cá nhân",
    "part.lock": "Khoá phần thi",
    "part.unlock": "Mở khoá phần thi",
    "tie.decide": "Quyết định đồng hạng",
    "penalty.confirm": "Xác nhận điểm trừ",
    "contest.import": "Tạo hội thi",
}


@bp.get("/c/<int:contest_id>/judge")
def judge(contest_id: int):
    contest = get_contest(contest_id)
    if current_principal(contest_id).role == "organiser":
        return redirect(url_for("judging.jury", contest_id=contest_id))
    principal = require(contest_id, "judge")
    return render_template("judging/judge.html", contest=contest, principal=principal,
                           data=scoring.tablet_data(contest, principal))


@bp.get("/c/<int:contest_id>/judge/session")
def judge_session(contest_id: int):
    """A fresh CSRF token for the tablet's outbox (and a check that the sign-in still holds)."""
    get_contest(contest_id)
    principal = require(contest_id, "judge")
    return jsonify({"csrf": generate_csrf(), "judge": principal.subject})


@bp.get("/c/<int:contest_id>/jury")
def jury(contest_id: int):
    contest = get_contest(contest_id)
    principal = require(contest_id, "organiser", "judge", head=True)
    from ..services.stage import stage_view
    return render_template("judging/jury.html", contest=contest, principal=principal,
                           question=stage_view(contest, principal)["question"],
                           data={"contest": contest_id, "head": principal.role == "judge",
                                 "matrix": scoring.matrix_dict(contest),
                                 "prizes": scoring.prizes_dict(contest),
                                 "penalties": scoring.penalties_dict(contest),
                                 "standings": scoring.standings_dict(contest)})


# --------------------------------------------------------------------------- audit


def _audit_rows(contest_id: int) -> list[dict]:
    prefix = request.args.get("action", "")
    return [dict(to_dict(e), id=e.id, label=ACTIONS.get(e.action, e.action))
            for e in entries(contest_id) if e.action.startswith(prefix)]


def _brief(value) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _readable(value) -> str:
    """old/new of an audit entry for people: "content 8 · delivery 7,5 · tổng 15,5 · máy tính bảng"."""
    def one(v) -> str:
        if isinstance(v, bool):
            return _("có") if v else _("không")
        if isinstance(v, (int, float)):
            return format_number(v)
        if isinstance(v, list):
            return ", ".join(one(x) for x in v)
        if isinstance(v, dict):
            return ", ".join(f"{k} {one(x)}" for k, x in v.items())
        return str(v)

    if value is None:
        return ""
    if not isinstance(value, dict):
        return one(value)
    parts = []
    for k, v in value.items():
        if k == "id" or v in ("", None, [], {}):
            continue
        if k == "criteria":
            parts.append(one(v))
        elif k == "total":
            parts.append(_("tổng %(total)s", total=one(v)))
        elif k == "source":
            parts.append(_("phiếu giấy") if v == "paper" else _("máy tính bảng"))
        elif k == "locked":
            parts.append(_("đã khoá") if v else _("mở"))
        else:
            parts.append(f"{k}: {one(v)}")
    return " · ".join(parts)


@bp.get("/c/<int:contest_id>/audit")
def audit(contest_id: int):
    contest = get_contest(contest_id)
    require(contest_id, "organiser", "judge", head=True)
    rows = list(reversed(_audit_rows(contest_id)))
    for r in rows:
        r["old_text"], r["new_text"] = _readable(r["old"]), _readable(r["new"])
    return render_template("judging/audit.html", contest=contest, rows=rows, actions=ACTIONS,
                           current=request.args.get("action", ""))


@bp.get("/c/<int:contest_id>/audit.json")
def audit_json(contest_id: int):
    get_contest(contest_id)
    require(contest_id, "organiser", "judge", head=True)
    body = json.dumps({"contest": contest_id, "entries": _audit_rows(contest_id)},
                      ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename=nhat-ky-hoi-thi-{contest_id}.json"})


@bp.get("/c/<int:contest_id>/audit.xlsx")
def audit_xlsx(contest_id: int):
    get_contest(contest_id)
    require(contest_id, "organiser", "judge", head=True)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from question_bank.core.fields import escape_cell  # text never runs as a formula
    wb = Workbook()
    ws = wb.active
    ws.title = "Nhật ký"
    zone = current_app.config.get("TIMEZONE") or "Asia/Ho_Chi_Minh"
    ws.append(["STT", "Thời điểm", "Người thực hiện", "Thiết bị", "Thao tác", "Mã thao tác",
               "Đối tượng", "Cũ", "Mới", "Lý do"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in _audit_rows(contest_id):
        ws.append([escape_cell(v) if isinstance(v, str) else v for v in (
            r["id"], local_time(r["at"], zone), r["actor"], r["device"], r["label"], r["action"], r["target"],
            _brief(r["old"]), _brief(r["new"]), r["reason"])])
    for col, width in zip("ABCDEFGHIJ", (6, 24, 22, 30, 24, 16, 26, 40, 40, 30)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return Response(buf.getvalue(), mimetype="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet", headers={
                        "Content-Disposition":
                            f"attachment; filename=nhat-ky-hoi-thi-{contest_id}.xlsx"})


# --------------------------------------------------------------------------- paper sheets


def _paper_view(contest, values: dict, errors: dict, status: int = 200, *, fresh: bool = True):
    rules = contest.rules
    ros = scoring.roster(contest.id)
    part = rules.part(values.get("part") or "") or rules.parts[0]
    values.setdefault("id", uuid.uuid4().hex)
    if fresh or not values.get("seen"):
        # what the form shows: a sheet sent meanwhile makes the POST a 409, never a silent replace
        values["seen"] = json.dumps(scoring.seen_sheets(contest, part.key), separators=(",", ":"))
    matrix = scoring.matrix_dict(contest)
    have = {(r["team"], r["part"]): r["sheets"] for r in matrix["rows"]}
    judge_key = values.get("judge") or next(iter(ros.judges), "")
    status_rows = [{"team": t, "name": t.name,
                    "cells": [{"judge": j.key, "name": j.name,
                               "sheet": have.get((t.key, part.key), {}).get(j.key)}
                              for j in ros.judges.values()]}
                   for t in ros.teams.values()]
    prizes = [{"key": p.key, "name": p.name, "part": p.part,
               "members": [m for m in ros.members.values() if p.part in (m.roles or ())]}
              for p in rules.prizes.individual]
    return render_template("judging/paper.html", contest=contest, part=part, parts=rules.parts,
                           judges=list(ros.judges.values()), teams=list(ros.teams.values()),
                           values=values, errors=errors, status_rows=status_rows,
                           judge_key=judge_key, prizes=prizes, step=rules.score_step,
                           locks=matrix["locks"]), status


@bp.get("/c/<int:contest_id>/paper")
def paper(contest_id: int):
    contest = get_contest(contest_id)
    require(contest_id, "organiser")
    values = {k: request.args.get(k, "") for k in ("judge", "team", "part")}
    return _paper_view(contest, values, {})


@bp.post("/c/<int:contest_id>/paper")
def paper_post(contest_id: int):
    contest = get_contest(contest_id)
    principal = require(contest_id, "organiser")
    form = request.form
    values = {k: form.get(k, "").strip() for k in ("judge", "team", "part", "id", "comment", "seen")}
    part = contest.rules.part(values["part"])
    try:
        seen = json.loads(values["seen"]) if values["seen"] else None
    except ValueError:
        seen = None
    expected = (seen.get(f"{values['judge']}/{values['team']}") if isinstance(seen, dict)
                else scoring._MISSING)
    criteria = {}
    if part is not None:
        for c in part.criteria:
            raw = form.get(f"criteria.{c.key}", "").strip()
            values[f"criteria.{c.key}"] = raw
            criteria[c.key] = raw if raw else None
    body = {"judge": values["judge"], "team": values["team"], "part": values["part"],
            "criteria": {k: v for k, v in criteria.items() if v is not None},
            "id": values["id"], "comment": values["comment"]}
    try:
        answer = scoring.enter_paper_sheet(contest, principal, body, device(), expected=expected)
    except ContestError as exc:
        stale = exc.code == "stale"
        return _paper_view(contest, values, {"form" if stale else (exc.field or "form"): exc.message},
                           exc.status, fresh=stale)
    ros = scoring.roster(contest_id)
    judge_obj, team_obj = ros.judges[values["judge"]], ros.teams[values["team"]]
    flash(_("Đã lưu phiếu giấy: %(judge)s — %(team)s — %(part)s: %(total)s điểm", judge=judge_obj.name,
            team=team_obj.name, part=part.name, total=format_number(answer['total'])), "success")
    keys = list(ros.teams)
    nxt = keys[(keys.index(team_obj.key) + 1) % len(keys)]
    return redirect(url_for("judging.paper", contest_id=contest_id, judge=judge_obj.key,
                            part=part.key, team=nxt))


@bp.post("/c/<int:contest_id>/paper/nomination")
def paper_nomination(contest_id: int):
    contest = get_contest(contest_id)
    principal = require(contest_id, "organiser")
    form = request.form
    values = {k: form.get(k, "").strip() for k in ("judge", "prize", "member")}
    try:
        scoring.nominate(contest, principal, dict(values, paper=True), device())
    except ContestError as exc:
        field = exc.field if exc.field in ("judge", "prize", "member") else "prize"
        return _paper_view(contest, {"judge": values["judge"], "nom_prize": values["prize"],
                                     "nom_member": values["member"]},
                           {f"nom.{field}": exc.message}, exc.status)
    flash(_("Đã lưu đề cử từ phiếu giấy"), "success")
    return redirect(url_for("judging.paper", contest_id=contest_id, judge=values["judge"]))
