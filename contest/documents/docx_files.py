"""The Word documents: roster, results minutes, draft award decision, report.

Each is a docxtpl template (contest/documents/templates/, made by
scripts/make_doc_templates.py) filled with view data. An organiser-edited copy with the same
file name in ``templates_dir`` (the instance folder's templates) wins over the packaged one.
Values are XML-escaped, so a name such as ``<script>`` prints as text.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx.oxml.ns import qn
from docx.shared import Cm, Emu
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined

from contest.core.errors import ContestError
from contest.core.text import format_money

from . import views
from .context import ContestView, clean, recipient_lines, upper

PACKAGED = Path(__file__).resolve().parent / "templates"
PROVISIONAL_NOTE = ("Chưa đủ phiếu chấm của tất cả giám khảo; kết quả chưa chính thức, chưa dùng "
                    "để công nhận và trao giải.")


def template_path(name: str, templates_dir: Path | None = None) -> Path:
    """The template to use: the organisers' copy in ``templates_dir`` first."""
    if templates_dir is not None:
        own = Path(templates_dir) / name
        if own.is_file():
            return own
    return PACKAGED / name


def render(name: str, context: dict, templates_dir: Path | None = None) -> bytes:
    path = template_path(name, templates_dir)
    tpl = DocxTemplate(str(path))
    env = Environment(autoescape=True, undefined=StrictUndefined)
    try:
        tpl.render(context, jinja_env=env)
    except Exception as exc:  # a broken organiser template is a user error, not a bug
        if path.parent == PACKAGED:
            raise
        raise ContestError(f"Mẫu văn bản {path} không dùng được: {exc}", field=name) from exc
    _fit_tables(tpl.docx)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def _fit_tables(document) -> None:
    """Make tables that column loops widened fit the text area, and make every table's grid
    agree with its first row (Word and LibreOffice read different ones). Narrow columns
    (numbers, up to 1.5 cm) keep their width; the wider ones share what is left."""
    sec = document.sections[0]
    available = int(Emu(sec.page_width - sec.left_margin - sec.right_margin).twips)
    narrow = int(Cm(1.5).twips)
    for tbl in document.element.body.iter(qn("w:tbl")):
        rows = tbl.findall(qn("w:tr"))
        if not rows:
            continue
        widths = [_width(tc) for tc in rows[0].findall(qn("w:tc"))]
        if not widths or 0 in widths:
            continue
        fixed = sum(w for w in widths if w <= narrow)
        flexible = sum(widths) - fixed
        if sum(widths) <= available:
            new = widths
        elif flexible and available - fixed > flexible * 0.4:
            k = (available - fixed) / flexible
            new = [w if w <= narrow else int(w * k) for w in widths]
        else:
            new = [int(w * available / sum(widths)) for w in widths]
        grid = tbl.find(qn("w:tblGrid"))
        if grid is not None:
            for col in grid.findall(qn("w:gridCol")):
                grid.remove(col)
            for w in new:
                grid.append(grid.makeelement(qn("w:gridCol"), {qn("w:w"): str(w)}))
        if new != widths and all(len(tr.findall(qn("w:tc"))) == len(widths) for tr in rows):
            for tr in rows:
                for tc, w in zip(tr.findall(qn("w:tc")), new):
                    tcw = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
                    if tcw is not None:
                        tcw.set(qn("w:w"), str(w))
                        tcw.set(qn("w:type"), "dxa")


def _width(tc) -> int:
    w = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
    try:
        return int(w.get(qn("w:w"))) if w is not None else 0
    except (TypeError, ValueError):
        return 0


# --------------------------------------------------------------------------- contexts
def _common(cv: ContestView) -> dict:
    return {
        "contest": {"name": cv.name, "date": cv.long_date,
                    "venue": clean(cv.data.get("venue")) or "…………",
                    "organizer": clean(cv.data.get("organizer"))},
        "recipients": [], "draft": False, "draft_note": "",
    }


def _award_notes(cv: ContestView, allocation: dict) -> list[str]:
    return views.pending_prize_notes(cv, allocation) + views.unawarded_notes(cv, allocation)


def roster_context(cv: ContestView) -> dict:
    s = cv.settings
    teams = views.roster_view(cv)
    c = views.counts(cv)
    return {**_common(cv), "header": cv.header(body=s["committee"]), "teams": teams,
            "totals": c, "sign": cv.sign(lines=[f"TM. {s['committee'].replace(' HỘI THI', '')}",
                                                "TRƯỞNG BAN"], name="")}


def minutes_context(cv: ContestView, standings: dict, allocation: dict) -> dict:
    s = cv.settings
    provisional = not standings.get("complete")
    notes = (views.rank_tie_notes(cv, standings) + views.resolved_tie_notes(cv, allocation)
             + [f"Chưa giải quyết: {n}" for n in views.pending_tie_notes(cv, allocation)])
    head = next((j for j in cv.judges if j.get("head")), None)
    return {
        **_common(cv), "header": cv.header(body=s["jury"]),
        "provisional": provisional, "provisional_note": PROVISIONAL_NOTE,
        "judges": views.judges_view(cv), "totals": views.counts(cv),
        "matrix": views.judge_matrix(cv, standings),
        "aggregation": views.aggregation_text(cv), "judge_legend": views.judge_legend(cv),
        "parts": [{"name": clean(p.name)} for p in cv.rules.parts],
        "ranking": views.ranking_rows(cv, standings),
        "tie_notes": notes or ["Không có trường hợp bằng điểm hoặc đồng hạng."],
        "awards": views.award_rows(cv, allocation),
        "awards_suffix": " (TẠM THỜI)" if provisional else "",
        "award_notes": _award_notes(cv, allocation),
        "secretary": "…………………………", "head": clean(head["name"]) if head else "…………………………",
    }


def decision_context(cv: ContestView, allocation: dict) -> dict:
    s = cv.settings
    awards = views.award_rows(cv, allocation)
    pending = len(allocation.get("ties") or [])
    note = "DỰ THẢO" + (f" (còn {pending} trường hợp đồng hạng chờ Trưởng ban Giám khảo "
                        "quyết định)" if pending else "")
    return {
        **_common(cv), "header": cv.header(number=s["number_symbol"]),
        "draft": bool(s["draft"]) or bool(pending), "draft_note": note,
        "authority": s["awarder"], "bases": [clean(b) for b in s["bases"]],
        "proposer": s["proposer"], "awards": awards,
        "n_collective": len({a["key"] for a in awards["collective"]}),
        "n_individual": len({a["key"] for a in awards["individual"]}),
        "funding": s["funding"], "executors": s["executors"],
        "recipients": _recipients(s["recipients"]), "sign": cv.sign(),
    }


def report_context(cv: ContestView, standings: dict, allocation: dict) -> dict:
    s = cv.settings
    c = views.counts(cv)
    awards = views.award_rows(cv, allocation)
    head = (f", do {c['head']}" + (f", {c['head_title']}" if c["head_title"] else "")
            + " làm Trưởng ban") if c["head"] else ""
    offices = (f" do {c['n_offices']} cơ quan soạn thảo ({c['offices']})"
               if c["n_offices"] else "")
    provisional = not standings.get("complete")
    organizer = clean(cv.data.get("organizer"))
    return {
        **_common(cv), "header": cv.header(number=s["report_number_symbol"]),
        "report_to": s["report_to"],
        "issuer_title": organizer if upper(organizer) == s["issuer"] else s["issuer"],
        "totals": c, "head_text": head, "offices_text": offices,
        "parts": views.parts_view(cv), "provisional": provisional,
        "provisional_note": "KẾT QUẢ TẠM THỜI: " + PROVISIONAL_NOTE,
        "ranking": views.ranking_rows(cv, standings), "awards": awards,
        "n_collective": len(awards["collective"]), "n_individual": len(awards["individual"]),
        "award_notes": _award_notes(cv, allocation),
        "budget_planned": format_money(cv.rules.prizes.budget),
        "funding": s["funding"][:1].upper() + s["funding"][1:],
        "recipients": _recipients(s["report_recipients"]), "sign": cv.sign(),
    }


def _recipients(items) -> list[str]:
    return recipient_lines(items or [])
