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


def snapshot_db(app) -> dict:
    """Every row of every table, as sorted tuples of strings (timestamps included)."""
    from sqlalchemy import MetaData, select
    from contest.extensions import db
    with app.app_context():
        meta = MetaData()
        meta.reflect(bind=db.engine)
        out = {}
        with db.engine.connect() as conn:
            for name, table in sorted(meta.tables.items()):
                if name == "alembic_version":
                    continue
                rows = conn.execute(select(table)).all()
                out[name] = sorted(tuple(repr(v) for v in row) for row in rows)
        return out


def db_diff(before: dict, after: dict) -> dict:
    """Tables whose rows changed, with how many rows each side has."""
    return {t: (len(before.get(t, [])), len(after.get(t, [])))
            for t in set(before) | set(after) if before.get(t) != after.get(t)}


TOKEN_RE = re.compile(r"[A-Za-z0-9_\-]{40,}")
