"""Helpers shared by the reliability tests (imported as ``from reliability_support import ...``;
this folder has no conftest on purpose: fixtures come from tests/conftest.py).

- :func:`signed_in` gives a test client per role, signed in the way that role really signs in
  (organisers with a password, every device through its QR link), plus its bearer token.
- :func:`snapshot_db` reads every table of the database into plain Python, to prove that a
  refused request wrote nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conftest import csrf_token, make_organiser, tokens_of

# The six people of the matrix, in the order the matrix lists them.
ROLES = ("anonymous", "office", "judge", "head", "mc", "organiser")
# The office whose questions the "office" role owns in the demo (q1, q2, q5, q7, q8).
OFFICE = "phong-noi-vu"
OFFICE_QUESTION = "q1"


@dataclass
class Person:
    role: str
    client: object  # flask.testing.FlaskClient with the role's session cookie
    token: str | None  # the bearer token of the role's link (None: anonymous; organisers: the link)
    csrf: str | None

    def headers(self, bearer: bool) -> dict:
        if bearer:
            return {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {"X-CSRFToken": self.csrf} if self.csrf else {}


def role_token(links: dict, role: str) -> str | None:
    return {"anonymous": None, "office": (links.get("offices", {}).get(OFFICE) or {}).get("token"),
            "judge": links["judges"]["j2"]["token"], "head": links["judges"]["j1"]["token"],
            "mc": links["mc"]["token"], "organiser": links["organiser"]["token"]}[role]


def signed_in(app, contest_id: int, role: str, links: dict | None = None) -> Person:
    """A client signed in as ``role`` for ``contest_id`` (organisers: the password account)."""
    links = links or tokens_of(app, contest_id)
    client = app.test_client()
    token = role_token(links, role)
    if role == "organiser":
        make_organiser(app)
        csrf = csrf_token(client, "/login")
        r = client.post("/login", data={"username": "thuky", "password": "mat-khau-1", "csrf_token": csrf})
        assert r.status_code == 302, r.status_code
    elif token:
        r = client.get(f"/t/{token}")
        assert r.status_code == 302, (role, r.status_code)
    csrf = csrf_token(client, "/login")
    return Person(role=role, client=client, token=token, csrf=csrf)


_tables: dict = {}


def snapshot_db(app) -> dict:
    """Every row of every table, as a sorted list of row reprs per table."""
    from sqlalchemy import MetaData, text
    from contest.extensions import db
    with app.app_context():
        engine = db.engine
        names = _tables.get(id(engine))
        if names is None:
            meta = MetaData()
            meta.reflect(bind=engine)
            names = _tables[id(engine)] = sorted(n for n in meta.tables if n != "alembic_version")
        out = {}
        with engine.connect() as conn:
            for name in names:
                out[name] = sorted(repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{name}"')))
        return out


def db_diff(before: dict, after: dict) -> dict:
    """Tables whose rows changed, with how many rows each side has."""
    return {t: (len(before.get(t, [])), len(after.get(t, [])))
            for t in set(before) | set(after) if before.get(t) != after.get(t)}


TOKEN_RE = re.compile(r"[A-Za-z0-9_\-]{40,}")


# --------------------------------------------------------------------------- HTML forms

def form_fields(html: str, action: str) -> dict:
    """The values a browser would send for the POST form whose action ends with ``action``
    (``action=""``: the first form that posts to its own page):
    inputs (checked boxes only), selected options, textareas. Repeated names become lists."""
    from html.parser import HTMLParser

    class P(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.inside = False
            self.found = False
            self.fields: list[tuple[str, str]] = []
            self.select: str | None = None
            self.select_first: str | None = None
            self.select_chosen = False
            self.textarea: str | None = None
            self.text = ""

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                target = (a.get("action") or "").split("#")[0]
                hit = target == "" if action == "" else target.endswith(action)
                self.inside = hit and (a.get("method") or "").lower() == "post" and not self.found
                self.found = self.found or self.inside
            if not self.inside:
                return
            if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
                if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                    return
                self.fields.append((a["name"], a.get("value") or ("y" if a.get("type") == "checkbox" else "")))
            elif tag == "select" and a.get("name"):
                self.select, self.select_first, self.select_chosen = a["name"], None, False
            elif tag == "option" and self.select:
                if self.select_first is None:
                    self.select_first = a.get("value", "")
                if "selected" in a:
                    self.fields.append((self.select, a.get("value", "")))
                    self.select_chosen = True
            elif tag == "textarea" and a.get("name"):
                self.textarea, self.text = a["name"], ""

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            if tag == "select" and self.select:
                if not self.select_chosen and self.select_first is not None:
                    self.fields.append((self.select, self.select_first))
                self.select = None
            if tag == "textarea" and self.textarea:
                self.fields.append((self.textarea, self.text))
                self.textarea = None

        def handle_data(self, data):
            if self.textarea:
                self.text += data

    p = P()
    p.feed(html)
    assert p.found, f"no form posting to {action}"
    out: dict = {}
    for name, value in p.fields:
        if name in out:
            out[name] = out[name] if isinstance(out[name], list) else [out[name]]
            out[name].append(value)
        else:
            out[name] = value
    return out


def secured_app(tmp_path, **overrides):
    """The app on SQLite; create_app installs :func:`contest.web.security.init_security`."""
    from conftest import make_app
    return make_app(tmp_path, "sqlite", **overrides)


def dispose(app) -> None:
    from contest.extensions import db
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
