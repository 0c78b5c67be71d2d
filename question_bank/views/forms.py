"""The question form both pages share (what the form sends, what it shows), and the actor a
page's request stands for."""

from __future__ import annotations

from flask import request

from .. import services
from ..core.model import LETTERS


def actor(principal):
    parts = [request.remote_addr or "", request.headers.get("User-Agent", "")[:200]]
    return principal.actor(" · ".join(p for p in parts if p))


def form_body(form, *, with_office: bool) -> dict:
    """The service's question body from the form's fields (blank trailing rows dropped)."""
    kind = form.get("kind", "open")
    choices = [c for c in form.getlist("choices")]
    while choices and not choices[-1].strip():
        choices.pop()
    follow_ups = []
    for text, answer, points in zip(form.getlist("fu_text"), form.getlist("fu_answer"),
                                    form.getlist("fu_points")):
        if text.strip() or answer.strip() or points.strip():
            follow_ups.append({"text": text, "answer": answer, "points": points or None})
    answer = form.get("answer_letter", "") if kind == "choice" else form.get("answer", "")
    body = {"kind": kind, "text": form.get("text", ""), "answer": answer,
            "choices": choices if kind == "choice" else [], "field": form.get("field", ""),
            "basis": form.get("basis", ""), "points": form.get("points") or None,
            "follow_ups": follow_ups}
    if with_office:
        body["office"] = form.get("office", "")
    return body


def form_values(q=None, body: dict | None = None) -> dict:
    """What the form shows: a stored question, or what was typed (kept when it fails)."""
    if body is not None:
        v = dict(body)
    elif q is not None:
        v = services.question_dict(q)
    else:
        v = {"kind": "open", "text": "", "answer": "", "choices": [], "field": "", "basis": "",
             "points": 20, "follow_ups": [], "office": ""}
    choices = list(v.get("choices") or [])
    v["choice_rows"] = [(LETTERS[i], choices[i] if i < len(choices) else "")
                        for i in range(max(4, len(choices)))]
    follow_ups = list(v.get("follow_ups") or [])
    v["follow_up_rows"] = follow_ups + [{"text": "", "answer": "", "points": ""}] * (
        max(1, len(follow_ups) + (1 if follow_ups else 0)) - len(follow_ups))
    if v.get("points") is None:
        v["points"] = ""
    return v
