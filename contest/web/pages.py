"""Sign-in pages and the front door: password login for organisers, QR-link sign-in for
devices, and the language switch."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..extensions import db, limiter
from ..models import AccessToken, Contest, User
from .auth import remember_token

bp = Blueprint("pages", __name__)

ROLE_HOME = {"judge": "judging.judge", "mc": "show.mc", "organiser": "organiser.contest",
             "office": "bank.office"}


class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(_l("Nhập tên đăng nhập")), Length(max=80)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Nhập mật khẩu")), Length(max=200)])


@bp.get("/")
def index():
    contests = db.session.scalars(select(Contest).order_by(Contest.date.desc(), Contest.id.desc())).all()
    return render_template("index.html", contests=contests)


def _login_limit():
    from flask import current_app
    return current_app.config["RATELIMIT_LOGIN"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is not None and user.check_password(form.password.data):
            login_user(user, remember=True)
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
                target = url_for("organiser.home")
            return redirect(target)
        form.password.errors.append(_("Tên đăng nhập hoặc mật khẩu không đúng"))
    return render_template("login.html", form=form), (200 if request.method == "GET" or form.errors == {} else 400)


@bp.post("/logout")
def logout():
    logout_user()
    from flask import session
    session.pop("tokens", None)
    return redirect(url_for("pages.index"))


@bp.get("/t/<token>")
@limiter.limit(lambda: "30 per minute")
def token_login(token: str):
    """A QR card's link: remember the device's role for this contest and open its screen."""
    row = db.session.scalar(select(AccessToken).where(AccessToken.token == token)) if len(token) <= 100 else None
    if row is None or row.revoked:
        abort(404)
    remember_token(row)
    endpoint = ROLE_HOME[row.role]
    return redirect(url_for(endpoint, contest_id=row.contest_id))


@bp.get("/favicon.ico")
def favicon():
    from flask import current_app, send_from_directory
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml",
                               max_age=604800)
