"""Units, teams, members and judges: tables with an add form, an edit page per row, and
delete buttons that ask once."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from ...core.errors import NotFound
from ...core.text import name_sort_key
from ...extensions import db
from ...models import Judge, Member, Team, Unit
from ...services import setup_edit as svc
from ..auth import roles_required
from . import bp
from .common import actor, get_contest, run
from .forms import ActionForm, JudgeForm, MemberForm, TeamForm, UnitForm


def _action_form(contest) -> ActionForm:
    return ActionForm(formdata=None, data={"revision": contest.revision})


def _name_ranks(names: list[str]) -> dict[str, int]:
    """Each name's place in Vietnamese order (given name first): the tables sort by it."""
    return {n: i for i, n in enumerate(sorted(set(names), key=name_sort_key))}


def _get(model, contest_id: int, row_id: int, what: str):
    row = db.session.get(model, row_id)
    if row is None or row.contest_id != contest_id:
        raise NotFound(f"Không tìm thấy {what}")
    return row


# --------------------------------------------------------------------------- units and teams


def _unit_choices(contest) -> list[tuple[str, str]]:
    return [("", gettext("— chưa gắn đơn vị —"))] + [(str(u.id), u.name) for u in contest.units]


def _new_unit_form(contest) -> UnitForm:
    return UnitForm(formdata=None, data={"revision": contest.revision})


def _new_team_form(contest) -> TeamForm:
    form = TeamForm(formdata=None, data={"revision": contest.revision})
    form.unit.choices = _unit_choices(contest)
    return form


def _render_teams(contest, unit_form=None, team_form=None, errors=(), status=200, focus=None):
    limits = contest.rules.team
    teams = []
    for t in contest.teams:
        members = sum(1 for m in t.members if m.kind == "member")
        guests = sum(1 for m in t.members if m.kind == "guest")
        teams.append({"team": t, "members": members, "guests": guests,
                      "full": members >= limits.max_members, "empty": members == 0})
    unit_teams = {u.id: [t.name for t in contest.teams if t.unit_id == u.id] for u in contest.units}
    return render_template(
        "organiser/teams.html", contest=contest, active="teams", limits=limits, teams=teams,
        units=[{"unit": u, "teams": ", ".join(unit_teams[u.id])} for u in contest.units],
        unit_form=unit_form or _new_unit_form(contest), team_form=team_form or _new_team_form(contest),
        action_form=_action_form(contest), errors=errors, focus=focus), status


@bp.get("/c/<int:contest_id>/setup/teams")
@roles_required("organiser")
def teams(contest_id: int):
    return _render_teams(get_contest(contest_id))


@bp.post("/c/<int:contest_id>/setup/units")
@roles_required("organiser")
def add_unit(contest_id: int):
    contest = get_contest(contest_id)
    form = UnitForm()
    unit, errors, status = run(form, lambda: svc.save_unit(contest_id, form.revision_value, form.data, actor()))
    if status != 200:
        return _render_teams(contest, unit_form=form, errors=errors, status=status, focus="unit")
    flash(gettext("Đã thêm đơn vị “%(name)s”.", name=unit.name), "success")
    return redirect(url_for("organiser.teams", contest_id=contest_id) + "#units")


@bp.route("/c/<int:contest_id>/setup/units/<int:unit_id>", methods=["GET", "POST"])
@roles_required("organiser")
def unit(contest_id: int, unit_id: int):
    contest = get_contest(contest_id)
    row = _get(Unit, contest_id, unit_id, "đơn vị")
    if request.method == "GET":
        form = UnitForm(formdata=None, obj=row, data={"revision": contest.revision})
        return render_template("organiser/unit.html", contest=contest, active="teams", form=form, unit=row,
                               errors=[])
    form = UnitForm()
    _, errors, status = run(form, lambda: svc.save_unit(contest_id, form.revision_value, form.data, actor(),
                                                        unit_id))
    if status != 200:
        return render_template("organiser/unit.html", contest=contest, active="teams", form=form, unit=row,
                               errors=errors), status
    flash(gettext("Đã lưu đơn vị."), "success")
    return redirect(url_for("organiser.teams", contest_id=contest_id) + "#units")


@bp.post("/c/<int:contest_id>/setup/units/<int:unit_id>/delete")
@roles_required("organiser")
def delete_unit(contest_id: int, unit_id: int):
    contest = get_contest(contest_id)
    form = ActionForm()
    _, errors, status = run(form, lambda: svc.delete_unit(contest_id, form.revision_value, unit_id, actor()))
    if status != 200:
        return _render_teams(contest, errors=errors, status=status)
    flash(gettext("Đã xóa đơn vị."), "success")
    return redirect(url_for("organiser.teams", contest_id=contest_id) + "#units")


@bp.post("/c/<int:contest_id>/setup/teams")
@roles_required("organiser")
def add_team(contest_id: int):
    contest = get_contest(contest_id)
    form = TeamForm()
    form.unit.choices = _unit_choices(contest)
    team, errors, status = run(form, lambda: svc.save_team(contest_id, form.revision_value, form.data, actor()))
    if status != 200:
        return _render_teams(contest, team_form=form, errors=errors, status=status, focus="team")
    flash(gettext("Đã thêm đội “%(name)s”; hãy thêm thành viên.", name=team.name), "success")
    return redirect(url_for("organiser.team", contest_id=contest_id, team_id=team.id))


@bp.post("/c/<int:contest_id>/setup/teams/<int:team_id>/delete")
@roles_required("organiser")
def delete_team(contest_id: int, team_id: int):
    contest = get_contest(contest_id)
    form = ActionForm()
    _, errors, status = run(form, lambda: svc.delete_team(contest_id, form.revision_value, team_id, actor()))
    if status != 200:
        return _render_teams(contest, errors=errors, status=status)
    flash(gettext("Đã xóa đội."), "success")
    return redirect(url_for("organiser.teams", contest_id=contest_id))


# --------------------------------------------------------------------------- one team and its members


def _member_form(contest, member: Member | None = None, form: MemberForm | None = None) -> MemberForm:
    if form is None:
        data = {"revision": contest.revision, "kind": "member"}
        if member is not None:
            data.update(name=member.name, position=member.position_title, workplace=member.workplace,
                        kind=member.kind, roles=list(member.roles or []), key=member.key)
        form = MemberForm(formdata=None, data=data)
    form.roles.choices = [(p.key, p.name) for p in contest.rules.parts]
    return form


def _render_team(contest, team: Team, team_form=None, member_form=None, errors=(), status=200, focus=None):
    limits = contest.rules.team
    parts = {p.key: p.name for p in contest.rules.parts}
    ranks = _name_ranks([m.name for m in team.members])
    members = [{"member": m, "rank": ranks[m.name], "kind": svc.KIND_LABELS.get(m.kind, m.kind),
                "roles": ", ".join(parts.get(r, r) for r in m.roles or [])} for m in team.members]
    n_members = sum(1 for m in team.members if m.kind == "member")
    n_guests = sum(1 for m in team.members if m.kind == "guest")
    if team_form is None:
        team_form = TeamForm(formdata=None, data={"revision": contest.revision, "name": team.name,
                                                  "key": team.key, "unit": str(team.unit_id or "")})
        team_form.unit.choices = _unit_choices(contest)
    return render_template(
        "organiser/team.html", contest=contest, active="teams", team=team, members=members,
        n_members=n_members, n_guests=n_guests, limits=limits,
        team_form=team_form, member_form=member_form or _member_form(contest),
        action_form=_action_form(contest), errors=errors, focus=focus), status


@bp.route("/c/<int:contest_id>/setup/teams/<int:team_id>", methods=["GET", "POST"])
@roles_required("organiser")
def team(contest_id: int, team_id: int):
    contest = get_contest(contest_id)
    row = _get(Team, contest_id, team_id, "đội")
    if request.method == "GET":
        return _render_team(contest, row)
    form = TeamForm()
    form.unit.choices = _unit_choices(contest)
    _, errors, status = run(form, lambda: svc.save_team(contest_id, form.revision_value, form.data, actor(),
                                                        team_id))
    if status != 200:
        return _render_team(contest, row, team_form=form, errors=errors, status=status, focus="team")
    flash(gettext("Đã lưu thông tin đội."), "success")
    return redirect(url_for("organiser.team", contest_id=contest_id, team_id=team_id))


@bp.post("/c/<int:contest_id>/setup/teams/<int:team_id>/members")
@roles_required("organiser")
def add_member(contest_id: int, team_id: int):
    contest = get_contest(contest_id)
    row = _get(Team, contest_id, team_id, "đội")
    form = _member_form(contest, form=MemberForm())
    member, errors, status = run(form, lambda: svc.save_member(contest_id, form.revision_value, team_id,
                                                               form.data, actor()))
    if status != 200:
        return _render_team(contest, row, member_form=form, errors=errors, status=status, focus="member")
    flash(gettext("Đã thêm %(name)s vào %(team)s.", name=member.name, team=row.name), "success")
    return redirect(url_for("organiser.team", contest_id=contest_id, team_id=team_id) + "#member-form")


@bp.route("/c/<int:contest_id>/setup/teams/<int:team_id>/members/<int:member_id>", methods=["GET", "POST"])
@roles_required("organiser")
def member(contest_id: int, team_id: int, member_id: int):
    contest = get_contest(contest_id)
    team_row = _get(Team, contest_id, team_id, "đội")
    row = _get(Member, contest_id, member_id, "thành viên")
    if row.team_id != team_row.id:
        raise NotFound("Không tìm thấy thành viên trong đội này")
    if request.method == "GET":
        return render_template("organiser/member.html", contest=contest, active="teams", team=team_row,
                               member=row, form=_member_form(contest, row), errors=[])
    form = _member_form(contest, form=MemberForm())
    _, errors, status = run(form, lambda: svc.save_member(contest_id, form.revision_value, team_id, form.data,
                                                          actor(), member_id))
    if status != 200:
        return render_template("organiser/member.html", contest=contest, active="teams", team=team_row,
                               member=row, form=form, errors=errors), status
    flash(gettext("Đã lưu %(name)s.", name=form.name.data), "success")
    return redirect(url_for("organiser.team", contest_id=contest_id, team_id=team_id))


@bp.post("/c/<int:contest_id>/setup/teams/<int:team_id>/members/<int:member_id>/delete")
@roles_required("organiser")
def delete_member(contest_id: int, team_id: int, member_id: int):
    contest = get_contest(contest_id)
    team_row = _get(Team, contest_id, team_id, "đội")
    form = ActionForm()
    _, errors, status = run(form, lambda: svc.delete_member(contest_id, form.revision_value, member_id,
                                                            actor()))
    if status != 200:
        return _render_team(contest, team_row, errors=errors, status=status)
    flash(gettext("Đã xóa thành viên."), "success")
    return redirect(url_for("organiser.team", contest_id=contest_id, team_id=team_id))


# --------------------------------------------------------------------------- judges


def _render_judges(contest, form=None, errors=(), status=200):
    ranks = _name_ranks([j.name for j in contest.judges])
    return render_template(
        "organiser/judges.html", contest=contest, active="judges",
        judges=[{"judge": j, "rank": ranks[j.name]} for j in contest.judges],
        has_head=any(j.head for j in contest.judges),
        form=form or JudgeForm(formdata=None, data={"revision": contest.revision}),
        action_form=_action_form(contest), errors=errors), status


@bp.route("/c/<int:contest_id>/setup/judges", methods=["GET", "POST"])
@roles_required("organiser")
def judges(contest_id: int):
    contest = get_contest(contest_id)
    if request.method == "GET":
        return _render_judges(contest)
    form = JudgeForm()
    result, errors, status = run(form, lambda: svc.save_judge(contest_id, form.revision_value, form.data,
                                                              actor()))
    if status != 200:
        return _render_judges(contest, form, errors, status)
    judge, notice = result
    flash(gettext("Đã thêm giám khảo %(name)s; thẻ QR của giám khảo đã sẵn sàng.", name=judge.name), "success")
    if notice:
        flash(notice, "info")
    return redirect(url_for("organiser.judges", contest_id=contest_id))


@bp.route("/c/<int:contest_id>/setup/judges/<int:judge_id>", methods=["GET", "POST"])
@roles_required("organiser")
def judge(contest_id: int, judge_id: int):
    contest = get_contest(contest_id)
    row = _get(Judge, contest_id, judge_id, "giám khảo")
    if request.method == "GET":
        form = JudgeForm(formdata=None, obj=row, data={"revision": contest.revision})
        return render_template("organiser/judge.html", contest=contest, active="judges", judge=row, form=form,
                               errors=[])
    form = JudgeForm()
    result, errors, status = run(form, lambda: svc.save_judge(contest_id, form.revision_value, form.data,
                                                              actor(), judge_id))
    if status != 200:
        return render_template("organiser/judge.html", contest=contest, active="judges", judge=row, form=form,
                               errors=errors), status
    flash(gettext("Đã lưu giám khảo %(name)s.", name=result[0].name), "success")
    if result[1]:
        flash(result[1], "info")
    return redirect(url_for("organiser.judges", contest_id=contest_id))


@bp.post("/c/<int:contest_id>/setup/judges/<int:judge_id>/delete")
@roles_required("organiser")
def delete_judge(contest_id: int, judge_id: int):
    contest = get_contest(contest_id)
    form = ActionForm()
    _, errors, status = run(form, lambda: svc.delete_judge(contest_id, form.revision_value, judge_id, actor()))
    if status != 200:
        return _render_judges(contest, errors=errors, status=status)
    flash(gettext("Đã xóa giám khảo; đường dẫn của giám khảo này không còn dùng được."), "success")
    return redirect(url_for("organiser.judges", contest_id=contest_id))
