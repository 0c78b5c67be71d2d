"""The rules editor: general rules, parts with phases and criteria, prizes, the programme.

Every save rebuilds the rules object from the form and hands it to the service, which
validates it as a whole; an error naming a rules path is put back next to the field that
path came from (``paths`` below)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from ...core.show import default_draw_parts
from ...core.text import format_number
from ...services import setup_edit as svc
from ..auth import roles_required
from . import bp
from .common import actor, get_contest, run
from .forms import ActionForm, GeneralRulesForm, PartForm, PrizesForm, ProgrammeForm

BLANK_ROWS = 1


def _part_choices(rules: dict) -> list[tuple[str, str]]:
    return [(p["key"], p["name"]) for p in rules.get("parts", [])]


def _parts_view(rules: dict, drawn: tuple[str, ...]) -> list[dict]:
    """The parts table: prepared here so the template holds no arithmetic."""
    out = []
    for i, p in enumerate(rules.get("parts", [])):
        total = sum(float(c["max"]) for c in p.get("criteria", []))
        seconds = sum(int(ph["seconds"]) for ph in p.get("phases", []))
        penalty = p.get("overtime_penalty")
        out.append({
            "index": i, "key": p["key"], "name": p["name"], "max": format_number(total),
            "drawn": p["key"] in drawn,
            "phases": ", ".join(f"{ph['name']} {int(ph['seconds']) // 60}:{int(ph['seconds']) % 60:02d}"
                                for ph in p.get("phases", [])) or "—",
            "duration": f"{seconds // 60}:{seconds % 60:02d}",
            "criteria": ", ".join(f"{c['name']} ({format_number(c['max'])})" for c in p.get("criteria", [])),
            "penalty": (gettext("−%(points)s điểm mỗi %(seconds)s giây", points=format_number(penalty['points']),
                                seconds=penalty['per_seconds'])
                        if penalty and penalty.get("points") else gettext("Không trừ")),
        })
    return out


# --------------------------------------------------------------------------- general rules


def _general_form(contest, form: GeneralRulesForm | None = None) -> GeneralRulesForm:
    rules = contest.rules_data
    choices = [("", "—")] + _part_choices(rules)
    if form is None:
        form = GeneralRulesForm(formdata=None, data={
            "revision": contest.revision,
            "max_members": rules["team"]["max_members"],
            "max_guests": rules["team"].get("max_guests", 0),
            "aggregation": rules.get("aggregation", "mean"),
            "decimals": str(rules.get("decimals", 2)),
            "score_step": contest.rules.score_step,
        })
        order = list(rules.get("tie_break", []))
        for i in range(len(rules.get("parts", []))):
            form.tie_break.append_entry(order[i] if i < len(order) else "")
    for i, entry in enumerate(form.tie_break.entries):
        entry.choices = choices
        entry.label.text = gettext("Ưu tiên %(n)s", n=i + 1)
    return form


def _render_rules(contest, form, errors=(), status=200):
    return render_template("organiser/rules.html", contest=contest, active="rules", form=form,
                           errors=errors, parts=_parts_view(contest.rules_data, default_draw_parts(contest.rules)),
                           prizes=contest.rules.prizes,
                           delete_form=ActionForm(formdata=None, data={"revision": contest.revision})), status


@bp.route("/c/<int:contest_id>/setup/rules", methods=["GET", "POST"])
@roles_required("organiser")
def rules(contest_id: int):
    contest = get_contest(contest_id)
    if request.method == "GET":
        return _render_rules(contest, _general_form(contest))
    form = _general_form(contest, GeneralRulesForm())
    paths = {"rules.team.max_members": form.max_members, "rules.team.max_guests": form.max_guests,
             "rules.aggregation": form.aggregation, "rules.decimals": form.decimals,
             "rules.score_step": form.score_step}
    picked = []
    for entry in form.tie_break.entries:
        if entry.data:
            paths[f"rules.tie_break[{len(picked)}]"] = entry
            picked.append(entry.data)
    if form.tie_break.entries:
        paths["rules.tie_break"] = form.tie_break.entries[0]

    def save():
        decimals = form.decimals.data
        return svc.save_general(contest_id, form.revision_value, {
            "max_members": form.max_members.data, "max_guests": form.max_guests.data,
            "aggregation": form.aggregation.data,
            "decimals": int(decimals) if str(decimals).isdigit() else decimals,
            "score_step": form.score_step.data, "tie_break": picked}, actor())

    _, errors, status = run(form, save, paths=paths, rules=contest.rules_data)
    if status != 200:
        return _render_rules(contest, form, errors, status)
    flash(gettext("Đã lưu quy định chung của thể lệ."), "success")
    return redirect(url_for("organiser.rules", contest_id=contest_id))


# --------------------------------------------------------------------------- parts


def _part_form(contest, index: int | None) -> PartForm:
    form = PartForm(formdata=None, data={"revision": contest.revision})
    if index is not None:
        part = contest.rules_data["parts"][index]
        form.key.data, form.name.data = part["key"], part["name"]
        form.drawn.data = part["key"] in default_draw_parts(contest.rules)
        penalty = part.get("overtime_penalty")
        if penalty:
            form.penalty_points.data = penalty.get("points")
            form.penalty_seconds.data = penalty.get("per_seconds")
        for ph in part.get("phases", []):
            form.phases.append_entry({"key": ph["key"], "name": ph["name"], "seconds": ph["seconds"]})
        for c in part.get("criteria", []):
            form.criteria.append_entry({"key": c["key"], "name": c["name"], "max": c["max"]})
    for _ in range(BLANK_ROWS):
        form.phases.append_entry()
        form.criteria.append_entry()
    return form


def _part_data(form: PartForm, at: int) -> tuple[dict, dict]:
    prefix = f"rules.parts[{at}]"
    paths = {f"{prefix}.name": form.name, f"{prefix}.key": form.key,
             f"{prefix}.overtime_penalty.points": form.penalty_points,
             f"{prefix}.overtime_penalty.per_seconds": form.penalty_seconds,
             f"{prefix}.drawn": form.drawn}
    phases, criteria = [], []
    for entry in form.phases.entries:
        row = entry.form
        if row.delete.data or row.blank:
            continue
        p = f"{prefix}.phases[{len(phases)}]"
        paths.update({f"{p}.key": row.key, f"{p}.name": row.name, f"{p}.seconds": row.seconds})
        phases.append({"key": row.key.data or "", "name": row.name.data or "", "seconds": row.seconds.data})
    for entry in form.criteria.entries:
        row = entry.form
        if row.delete.data or row.blank:
            continue
        p = f"{prefix}.criteria[{len(criteria)}]"
        paths.update({f"{p}.key": row.key, f"{p}.name": row.name, f"{p}.max": row.max})
        criteria.append({"key": row.key.data or "", "name": row.name.data or "",
                         "max": str(row.max.data) if row.max.data is not None else None})
    paths[f"{prefix}.criteria"] = form.criteria.entries[0].form.name if form.criteria.entries else form.name
    data = {"key": form.key.data, "name": form.name.data, "phases": phases, "criteria": criteria,
            "overtime_penalty": None, "drawn": bool(form.drawn.data)}
    if form.penalty_points.data is not None or form.penalty_seconds.data is not None:
        data["overtime_penalty"] = {"points": str(form.penalty_points.data or 0),
                                    "per_seconds": form.penalty_seconds.data or 30}
    return data, paths


def _render_part(contest, form, index, errors=(), status=200):
    part = contest.rules_data["parts"][index] if index is not None else None
    return render_template("organiser/part.html", contest=contest, active="rules", form=form, index=index,
                           part=part, errors=errors), status


@bp.route("/c/<int:contest_id>/setup/rules/parts/new", methods=["GET", "POST"])
@bp.route("/c/<int:contest_id>/setup/rules/parts/<int:index>", methods=["GET", "POST"])
@roles_required("organiser")
def part(contest_id: int, index: int | None = None):
    contest = get_contest(contest_id)
    parts = contest.rules_data.get("parts", [])
    if index is not None and not 0 <= index < len(parts):
        from ...core.errors import NotFound
        raise NotFound("Không tìm thấy phần thi")
    if request.method == "GET":
        return _render_part(contest, _part_form(contest, index), index)
    form = PartForm()
    if index is not None:
        form.key.data = parts[index]["key"]  # a part's key never changes
    if "add_phase" in request.form or "add_criterion" in request.form:
        (form.phases if "add_phase" in request.form else form.criteria).append_entry()
        return _render_part(contest, form, index)
    at = index if index is not None else len(parts)
    data, paths = _part_data(form, at)
    saved, errors, status = run(form, lambda: svc.save_part(contest_id, form.revision_value, data, actor(),
                                                            index), paths=paths, rules=contest.rules_data)
    if status != 200:
        return _render_part(contest, form, index, errors, status)
    flash(gettext("Đã lưu phần thi “%(name)s”.", name=form.name.data), "success")
    return redirect(url_for("organiser.rules", contest_id=contest_id))


@bp.post("/c/<int:contest_id>/setup/rules/parts/<key>/delete")
@roles_required("organiser")
def delete_part(contest_id: int, key: str):
    contest = get_contest(contest_id)
    form = ActionForm()
    _, errors, status = run(form, lambda: svc.delete_part(contest_id, form.revision_value, key, actor()))
    if status != 200:
        return _render_rules(contest, _general_form(contest), errors, status)
    flash(gettext("Đã xóa phần thi."), "success")
    return redirect(url_for("organiser.rules", contest_id=contest_id))


# --------------------------------------------------------------------------- prizes

GROUPS = ("collective", "special", "individual")


def _prizes_form(contest, form: PrizesForm | None = None) -> PrizesForm:
    rules = contest.rules_data
    if form is None:
        form = PrizesForm(formdata=None, data={"revision": contest.revision})
        prizes = rules.get("prizes", {})
        for group in GROUPS:
            for p in prizes.get(group, []):
                getattr(form, group).append_entry(p)
            for _ in range(BLANK_ROWS):
                getattr(form, group).append_entry()
    choices = [("", gettext("— chọn phần thi —"))] + _part_choices(rules)
    for group in ("special", "individual"):
        for entry in getattr(form, group).entries:
            entry.form.part.choices = choices
    return form


def _prizes_data(form: PrizesForm) -> tuple[dict, dict]:
    data: dict = {g: [] for g in GROUPS}
    paths: dict = {}
    for group in GROUPS:
        for entry in getattr(form, group).entries:
            row = entry.form
            if row.delete.data or row.blank:
                continue
            p = f"rules.prizes.{group}[{len(data[group])}]"
            item = {"key": row.key.data or "", "name": row.name.data or "", "amount": row.amount.data or 0}
            paths.update({f"{p}.key": row.key, f"{p}.name": row.name, f"{p}.amount": row.amount})
            if group != "individual":
                item["count"] = row.count.data
                paths[f"{p}.count"] = row.count
            if group != "collective":
                item["part"] = row.part.data or ""
                paths[f"{p}.part"] = row.part
            data[group].append(item)
    return data, paths


def _render_prizes(contest, form, errors=(), status=200):
    return render_template("organiser/prizes.html", contest=contest, active="rules", form=form,
                           errors=errors, budget=contest.rules.prizes.budget), status


@bp.route("/c/<int:contest_id>/setup/rules/prizes", methods=["GET", "POST"])
@roles_required("organiser")
def prizes(contest_id: int):
    contest = get_contest(contest_id)
    if request.method == "GET":
        return _render_prizes(contest, _prizes_form(contest))
    form = _prizes_form(contest, PrizesForm())
    for group in GROUPS:
        if f"add_{group}" in request.form:
            getattr(form, group).append_entry()
            return _render_prizes(contest, _prizes_form(contest, form))
    data, paths = _prizes_data(form)
    _, errors, status = run(form, lambda: svc.save_prizes(contest_id, form.revision_value, data, actor()),
                            paths=paths, rules=contest.rules_data)
    if status != 200:
        return _render_prizes(contest, form, errors, status)
    flash(gettext("Đã lưu cơ cấu giải thưởng."), "success")
    return redirect(url_for("organiser.prizes", contest_id=contest_id))


# --------------------------------------------------------------------------- programme


def _programme_form(contest) -> ProgrammeForm:
    form = ProgrammeForm(formdata=None, data={"revision": contest.revision})
    for item in contest.programme or []:
        key = item.get("key", "")
        kind = item.get("kind") or (key if key in ("contest", "results") else "plain")  # as the show reads it
        form.items.append_entry({"key": key, "name": item.get("name", ""), "kind": kind})
    for _ in range(BLANK_ROWS):
        form.items.append_entry()
    return form


def _render_programme(contest, form, errors=(), status=200, moved=False):
    return render_template("organiser/programme.html", contest=contest, active="programme", form=form,
                           errors=errors, moved=moved), status


def _move(form: ProgrammeForm, how: str) -> bool:
    """Swap a row with its neighbour (``"3:up"``) in the posted form, without saving."""
    index, _, direction = how.partition(":")
    if not index.isdigit():
        return False
    i = int(index)
    j = i - 1 if direction == "up" else i + 1
    entries = form.items.entries
    if not (0 <= i < len(entries) and 0 <= j < len(entries)):
        return False
    a, b = entries[i].form, entries[j].form
    for name in ("key", "name", "kind", "delete"):
        fa, fb = a[name], b[name]
        fa.data, fb.data = fb.data, fa.data
        if hasattr(fa, "raw_data"):
            fa.raw_data, fb.raw_data = fb.raw_data, fa.raw_data
    return True


@bp.route("/c/<int:contest_id>/setup/programme", methods=["GET", "POST"])
@roles_required("organiser")
def programme(contest_id: int):
    contest = get_contest(contest_id)
    if request.method == "GET":
        return _render_programme(contest, _programme_form(contest))
    form = ProgrammeForm()
    if "move" in request.form:
        return _render_programme(contest, form, moved=_move(form, request.form["move"]))
    if "add_item" in request.form:
        form.items.append_entry()
        return _render_programme(contest, form)
    items, paths = [], {}
    for entry in form.items.entries:
        row = entry.form
        if row.delete.data or row.blank:
            continue
        p = f"programme[{len(items)}]"
        paths.update({f"{p}.key": row.key, f"{p}.name": row.name, f"{p}.kind": row.kind})
        items.append({"key": row.key.data or "", "name": row.name.data or "", "kind": row.kind.data or ""})
    _, errors, status = run(form, lambda: svc.save_programme(contest_id, form.revision_value, items, actor()),
                            paths=paths)
    if status != 200:
        return _render_programme(contest, form, errors, status)
    flash(gettext("Đã lưu chương trình."), "success")
    return redirect(url_for("organiser.programme", contest_id=contest_id))
