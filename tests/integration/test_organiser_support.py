"""Helpers for the organiser screens' tests (no tests here): read a page's form as the browser
would send it, post it back with changes, and take a snapshot of everything in the database
that belongs to a contest so that a refused change can be shown to write nothing."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": []})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((name, a.get("value", "y")))
                return
            fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
            fields.append((name, None))
        elif tag == "option" and self._select is not None:
            if "selected" in a or fields[-1][1] is None:
                value = a.get("value", "")
                if "selected" in a or fields[-1][1] is None:
                    fields[-1] = (self._select, value)
        elif tag == "textarea" and name:
            self._textarea = name
            fields.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            name, value = self.forms[-1]["fields"][-1]
            self.forms[-1]["fields"][-1] = (name, value + data)


def forms_of(page: str) -> list[dict]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def read_form(client, path: str, *, action: str | None = None, has: str | None = None) -> dict:
    """The fields of a form on ``path`` (the one posting to ``action``, or containing field
    ``has``, or the last one) as a dict of name → value (lists for repeated names)."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    forms = forms_of(page.get_data(as_text=True))
    chosen = None
    for form in forms:
        names = {n for n, _ in form["fields"]}
        if action is not None and form["action"].split("#")[0] == action:
            chosen = form
        elif has is not None and has in names:
            chosen = form
    chosen = chosen or forms[-1]
    data: dict = {}
    for name, value in chosen["fields"]:
        if name in data:
            data[name] = data[name] if isinstance(data[name], list) else [data[name]]
            data[name].append(value)
        else:
            data[name] = value
    return data


def errors_in(page: str) -> list[str]:
    """Every error message on a page: next to fields and at the top."""
    found = re.findall(r'class="field-error"[^>]*>(.*?)</div>', page, re.S)
    found += re.findall(r'class="flash flash-error"[^>]*>(.*?)</(?:div|p)>', page, re.S)
    return [html.unescape(" ".join(f.split())) for f in found]


def snapshot(app, contest_id: int | None = None) -> str:
    """Every row of a contest's setup tables (contest, units, teams, members, judges, tokens,
    audit log), or the list of contests: equal snapshots mean nothing was written."""
    from sqlalchemy import select

    from contest.extensions import db
    with app.app_context():
        tables = db.metadata.tables
        with db.engine.connect() as conn:
            if contest_id is None:
                return json.dumps(sorted(r[0] for r in conn.execute(select(tables["contest"].c.id))))
            rows = [list(conn.execute(select(tables["contest"]).where(tables["contest"].c.id == contest_id)))]
            for name in ("unit", "team", "member", "judge", "access_token", "audit_entry"):
                t = tables[name]
                rows.append(sorted(map(tuple, conn.execute(select(t).where(t.c.contest_id == contest_id)))))
        return json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str)


def contest_value(app, contest_id: int, attribute: str):
    """One column of the contest as the database has it now (not a cached object)."""
    from contest.extensions import db
    from contest.models import Contest
    with app.app_context():
        db.session.expire_all()
        value = getattr(db.session.get(Contest, contest_id), attribute)
        db.session.rollback()
        return value


def revision(app, contest_id: int) -> int:
    return contest_value(app, contest_id, "revision")


def row_id(app, model_name: str, contest_id: int, **where) -> int:
    from sqlalchemy import select

    from contest import models
    from contest.extensions import db
    model = getattr(models, model_name)
    with app.app_context():
        query = select(model.id).where(model.contest_id == contest_id)
        for k, v in where.items():
            query = query.where(getattr(model, k) == v)
        value = db.session.scalar(query)
        db.session.rollback()
        return value


def refused(client, app, contest_id, path: str, data: dict, message: str, status: int = 400) -> str:
    """Post ``data``; the answer must be ``status``, show ``message`` and change nothing."""
    before = snapshot(app, contest_id)
    response = client.post(path, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == status, (response.status_code, errors_in(page) or page[:800])
    found = errors_in(page)
    assert any(message.lower() in e.lower() for e in found), (message, found)
    assert snapshot(app, contest_id) == before, f"{path} wrote something"
    return page
