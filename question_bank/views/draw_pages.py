"""Sealing and revealing the lots from the review page, and the public verify page where
anyone can check a revealed seal against its commitment."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from contest.core.errors import ContestError
from contest.web.auth import require

from .. import services
from . import bp
from .forms import actor
from .review_page import render_review


@bp.post("/c/<int:contest_id>/questions/seal")
def seal(contest_id: int):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    kind = request.form.get("kind", "questions")
    try:
        if kind == "order":
            result = services.seal_performance_order(contest, actor(principal))
            flash(_("Đã bốc và niêm phong thứ tự thi của %(n)s đội. Mã cam kết: %(commitment)s",
                    n=result['lots'], commitment=result['commitment']), "success")
        else:
            result = services.seal_questions(contest, actor(principal))
            flash(_("Đã niêm phong %(n)s lá thăm. Mã cam kết: %(commitment)s", n=result['lots'],
                    commitment=result['commitment']), "success")
    except ContestError as exc:
        return render_review(contest, errors={"seal": exc.message}, status=exc.status)
    return redirect(url_for("bank.review", contest_id=contest_id) + "#draw")


@bp.post("/c/<int:contest_id>/questions/reveal")
def reveal(contest_id: int):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    try:
        services.reveal_lots(contest, actor(principal))
    except ContestError as exc:
        return render_review(contest, errors={"seal": exc.message}, status=exc.status)
    flash(_("Đã công bố mã bí mật và nội dung các lá thăm. Ai cũng có thể kiểm tra ở trang "
            "“Kiểm chứng”."), "success")
    return redirect(url_for("bank.review", contest_id=contest_id) + "#draw")


@bp.get("/c/<int:contest_id>/verify")
def verify(contest_id: int):
    contest = services.get_contest(contest_id)
    seals = []
    for kind, title, what in (("questions", _("Lá thăm câu hỏi"), _("câu hỏi")),
                              ("order", _("Thứ tự thi"), _("đội"))):
        state = services.draws_state(contest) if kind == "questions" else \
            services.order_state(contest, staff=False)
        if not state["commitment"]:
            continue
        reveal_data = state["reveal"]
        seals.append({"kind": kind, "title": title, "what": what, "commitment": state["commitment"],
                      "count": state["lots"] if kind == "questions" else state["teams"],
                      "reveal": reveal_data,
                      "reveal_json": json.dumps(reveal_data["lots"], ensure_ascii=False, indent=1)
                      if reveal_data else "",
                      "drawn": state.get("drawn", [])})
    names = services.key_names(contest.id)
    return render_template("bank/verify.html", contest=contest, seals=seals, names=names)
