"""The web layer: blueprints, error handling, security headers. Views stay thin: they parse
input, call one service function and render or answer JSON."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..core.errors import ContestError

log = logging.getLogger("hoithi")

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; font-src 'self'; media-src 'self' data:; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def error_response(status: int, code: str, message: str, field: str | None = None):
    if wants_json():
        return jsonify({"error": {"code": code, "message": message, "field": field}}), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    from ..extensions import db, login_manager
    from ..models import User

    login_manager.login_view = "pages.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."

    @login_manager.user_loader
    def load_user(user_id: str):
        if not user_id.startswith("user:"):
            return None
        try:
            return db.session.get(User, int(user_id[5:]))
        except ValueError:
            return None

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import redirect, url_for
        if wants_json():
            return error_response(401, "unauthorized", "Cần đăng nhập")
        return redirect(url_for("pages.login", next=request.full_path))

    @app.errorhandler(ContestError)
    def contest_error(exc: ContestError):
        db.session.rollback()
        return error_response(exc.status, exc.code, exc.message, exc.field)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, "csrf", _("Phiên làm việc đã hết hạn hoặc thiếu mã CSRF; hãy tải lại trang."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        messages = {404: _("Không tìm thấy trang hoặc dữ liệu yêu cầu."),
                    405: _("Phương thức không được hỗ trợ."),
                    413: _("Tệp tải lên quá lớn."),
                    429: _("Quá nhiều lần thử; vui lòng đợi một lát rồi thử lại.")}
        return error_response(exc.code or 500, exc.name.lower().replace(" ", "_"),
                              messages.get(exc.code, exc.description or exc.name))

    @app.errorhandler(Exception)
    def bug(exc: Exception):
        db.session.rollback()
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500, "server_error", _("Lỗi máy chủ; thao tác chưa được lưu."))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.path.startswith("/static/vendor/") or request.path.startswith("/static/fonts/"):
            response.headers["Cache-Control"] = "public, max-age=604800"
        return response

    from .compress import init_compression
    init_compression(app)
    from .security import init_security
    init_security(app)

    from . import pages
    app.register_blueprint(pages.bp)
    from .organiser import bp as organiser_bp
    app.register_blueprint(organiser_bp)
    from . import judging, paperwork, show
    app.register_blueprint(show.bp)
    app.register_blueprint(paperwork.bp)
    app.register_blueprint(judging.bp)
    from question_bank import views as bank_views
    app.register_blueprint(bank_views.bp)
    from ..api import bp as api_bp
    app.register_blueprint(api_bp)
    from .. import live
    live.register(app)
