"""Languages (Vietnamese by default, English available) and the Vietnamese ways of writing
numbers, money and dates, as template filters."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel, get_locale

from ..core import text


def select_locale() -> str:
    from flask import current_app
    langs = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in langs:
        return chosen
    return current_app.config["LANGUAGE"]


def init_i18n(app: Flask, babel: Babel) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).parent.parent / "translations"))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["LANGUAGE"])
    babel.init_app(app, locale_selector=select_locale)

    @app.before_request
    def _remember_lang():
        lang = request.args.get("lang")
        if lang in app.config["LANGUAGES"]:
            session["lang"] = lang

    app.jinja_env.globals["current_lang"] = lambda: str(get_locale() or app.config["LANGUAGE"])[:2]
    app.jinja_env.filters.update(
        money=text.format_money,
        number=text.format_number,
        vdate=lambda d: text.format_date(d) if d else "",
        longdate=lambda d, place=None: text.format_long_date(d, place) if d else "",
        localtime=lambda t: text.local_time(t, app.config.get("TIMEZONE") or "Asia/Ho_Chi_Minh") if t else "",
    )
