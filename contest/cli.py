"""The ``hoithi`` command (CONTRACT.md section 2).

Every command takes ``--db URL`` (or ``HOITHI_DATABASE_URL``) and prints machine-readable
output with ``--json``. Exit 0 on success; 2 on bad input with one line on stderr naming the
file, row or field, and nothing written.
"""

from __future__ import annotations

import os
import sys

if len(sys.argv) > 1 and sys.argv[1] == "serve" and os.environ.get("HOITHI_ASYNC_MODE", "gevent") == "gevent":
    from gevent import monkey  # noqa: E402  (must run before anything opens a socket)

    monkey.patch_all()

import json  # noqa: E402
from functools import wraps  # noqa: E402
from pathlib import Path  # noqa: E402

import click  # noqa: E402

DEMO_DOCUMENT = Path(__file__).with_name("demo") / "kon-ray-2023.json"


def _app(db: str | None, **extra):
    from contest import create_app
    overrides = dict(extra)
    if db:
        overrides["DATABASE_URL"] = db
    if "ASYNC_MODE" not in overrides and (len(sys.argv) < 2 or sys.argv[1] != "serve"):
        overrides["ASYNC_MODE"] = "threading"
    return create_app(None, **overrides)


def _out(data, as_json: bool, text: str | None = None) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))
    else:
        click.echo(text if text is not None else json.dumps(data, ensure_ascii=False, indent=1, default=str))


def _fail(message: str, field: str | None = None) -> None:
    """Exit 2 with one line naming the place (the document path or the field) when known."""
    if field and field not in message:
        message = f"{field}: {message}"
    click.echo(f"hoithi: {message}", err=True)
    sys.exit(2)


def command(fn):
    """Run the command inside an app context; a ContestError becomes exit 2."""
    @wraps(fn)
    def wrapper(*args, db=None, **kwargs):
        from contest.core.errors import ContestError
        try:
            app = _app(db)
        except ContestError as exc:
            _fail(exc.message)
        except Exception as exc:  # a bad --db URL, an unreachable server
            _fail(f"--db: không mở được cơ sở dữ liệu: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
        with app.app_context():
            try:
                return fn(*args, **kwargs)
            except ContestError as exc:
                _fail(exc.message, getattr(exc, "field", None))
    wrapper = click.option("--db", "db", default=None, envvar="HOITHI_DATABASE_URL",
                           help="SQLAlchemy database URL (default: the instance folder's SQLite file)")(wrapper)
    return wrapper


def json_option(fn):
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable output")(fn)


def _read(path: str) -> bytes:
    from contest.core.errors import ContestError
    p = Path(path)
    if not p.is_file():
        raise ContestError(f"{path}: không tìm thấy tệp", field="file")
    return p.read_bytes()


def _contest(contest_id: int):
    from contest.api.contests import get_contest
    return get_contest(contest_id)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Hội thi: run an administrative-reform contest from the question bank to the award decision."""


@main.command()
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Load the Kon Rẫy 2023 demo contest (into instance/demo.sqlite unless --db)")
@click.option("--db", "db", default=None, envvar="HOITHI_DATABASE_URL")
@click.option("--no-qr", is_flag=True, help="Print the links without QR codes")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes sharing the port (websocket only; needs HOITHI_MESSAGE_QUEUE "
                   "when more than 1). See docs/scaling.md")
@click.option("--worker-fd", type=int, default=None, hidden=True)
@click.option("--worker-index", type=int, default=0, hidden=True)
def serve(host: str, port: int, demo: bool, db: str | None, no_qr: bool, workers: int,
          worker_fd: int | None, worker_index: int):
    """The web server with websockets."""
    from contest.core.errors import ContestError
    from contest.extensions import socketio
    from contest.serving import handler_class, raise_open_files, supervise, tune_gc
    from contest.services import setup

    raise_open_files()
    if worker_fd is not None:
        return _serve_worker(db, worker_fd, worker_index, workers)
    if demo and not db:
        from config import default_instance_path
        default_instance_path().mkdir(parents=True, exist_ok=True)
        db = f"sqlite:///{default_instance_path() / 'demo.sqlite'}"
    app = _app(db)
    if workers > 1 and not app.config.get("MESSAGE_QUEUE"):
        _fail("--workers: cần HOITHI_MESSAGE_QUEUE (Redis, ví dụ redis://127.0.0.1:6379/0) "
              "để các tiến trình chia sẻ sự kiện trực tiếp")
    with app.app_context():
        try:
            password = setup.ensure_organiser()
            contest_id = setup.load_demo(DEMO_DOCUMENT) if demo else None
        except ContestError as exc:
            _fail(exc.message)
        from contest.services.links import base_url, links
        base = base_url(app.config, None if host in ("0.0.0.0", "::") else host, port)
        if password:
            click.echo(f"Tài khoản Ban Tổ chức: admin / {password}  (chỉ hiện một lần; đổi bằng 'hoithi user')")
        click.echo(f"Hội thi đang chạy: {base}/  (Ctrl+C để dừng)")
        from contest.models import Contest
        from contest.extensions import db as _db
        from sqlalchemy import select
        ids = [contest_id] if contest_id else list(_db.session.scalars(select(Contest.id)))
        for cid in ids:
            _print_links(links(cid, base), qr=not no_qr)
    if workers > 1:
        with app.app_context():
            from contest.extensions import db as _db
            _db.engine.dispose()
        return supervise(host, port, db, workers)
    from contest.services.backup import automatic_backups
    automatic_backups(app)
    kwargs = ({"backlog": 4096, "handler_class": handler_class()}
              if socketio.server.eio.async_mode == "gevent" else {})
    tune_gc()
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False, **kwargs)


def _serve_worker(db: str | None, fd: int, index: int, workers: int) -> None:
    """One of ``--workers`` processes: the gevent server on the inherited listening socket."""
    import socket as _socket

    from contest.extensions import socketio
    app = _app(db)
    if workers > 1:
        # Any process may get any request: no long-polling session can follow its client, so
        # sockets are websocket-only (live.js opens with a websocket). Behind a proxy with
        # sticky sessions, run single-process instances instead (docs/scaling.md).
        socketio.server.eio.transports = ["websocket"]
    if index == 0:
        from contest.services.backup import automatic_backups
        automatic_backups(app)
    listener = _socket.socket(fileno=fd)
    if socketio.server.eio.async_mode != "gevent":
        _fail("--workers: cần HOITHI_ASYNC_MODE=gevent")
    from gevent import pywsgi

    from contest.serving import handler_class, tune_gc
    server = pywsgi.WSGIServer(listener, app, log=None, handler_class=handler_class())
    tune_gc()
    server.serve_forever()


def _print_links(data: dict, qr: bool) -> None:
    rows = [("Khán giả (điện thoại)", data["audience"]), ("Màn chiếu", data["projector"])]
    if "mc" in data:
        rows.append(("Người dẫn chương trình", data["mc"]["url"]))
    if "organiser" in data:
        rows.append(("Ban Tổ chức", data["organiser"]["url"]))
    rows += [(f"Giám khảo {v['name']}", v["url"]) for v in data["judges"].values()]
    rows += [(f"Cơ quan soạn câu hỏi ({v['name']})", v["url"]) for v in (data.get("offices") or {}).values()]
    click.echo(f"\n== Hội thi số {data['contest']} ==")
    for label, url in rows:
        click.echo(f"{label}: {url}")
        if qr:
            import io

            import qrcode
            code = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_L)
            code.add_data(url)
            buf = io.StringIO()
            code.print_ascii(out=buf, invert=True)
            click.echo(buf.getvalue())


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@command
def import_(file: str, as_json: bool):
    """Create a contest from a contest document (.json or .xlsx)."""
    from contest.document import load_document
    from contest.services.document import import_contest
    contest = import_contest(load_document(file, _read(file)))
    _out({"contest": contest.id}, as_json, f"Đã tạo hội thi số {contest.id}: {contest.name}")


@main.command()
@click.argument("contest_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@command
def export(contest_id: int, file: str, as_json: bool):
    """The whole contest as a contest document (.json or .xlsx)."""
    from contest.document import dump_document
    from contest.services.document import export_contest
    data = dump_document(file, export_contest(_contest(contest_id)))
    Path(file).write_bytes(data)
    _out({"contest": contest_id, "file": file, "bytes": len(data)}, as_json, f"Đã ghi {file}")


@main.command()
@click.argument("contest_id", type=int)
@json_option
@command
def tokens(contest_id: int, as_json: bool):
    """The link of every screen (with the tokens of the private ones)."""
    from flask import current_app

    from contest.services.links import base_url, links
    _contest(contest_id)
    data = links(contest_id, base_url(current_app.config))
    if as_json:
        _out(data, True)
    else:
        _print_links(data, qr=False)


@main.command()
@click.argument("contest_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@command
def scores(contest_id: int, file: str, as_json: bool):
    """Enter score sheets and nominations in bulk (the paper fallback), all or nothing."""
    from contest.document import parse_json
    from contest.services.scoring import apply_bulk
    result = apply_bulk(_contest(contest_id), parse_json(_read(file), file))
    _out(result, as_json, f"Đã nhập {result['sheets']} phiếu chấm và {result['nominations']} đề cử")


@main.command()
@click.argument("contest_id", type=int)
@json_option
@command
def standings(contest_id: int, as_json: bool):
    """The standings."""
    from contest.services.scoring import standings_dict
    data = standings_dict(_contest(contest_id))
    lines = [f"{t['rank']:>3}  {t['team']:<24} {t['total']}" for t in data["teams"]]
    lines.append("Hoàn tất" if data["complete"] else "Tạm thời (còn thiếu phiếu chấm)")
    _out(data, as_json, "\n".join(lines))


@main.command()
@click.argument("contest_id", type=int)
@json_option
@command
def prizes(contest_id: int, as_json: bool):
    """The prize allocation, with ties that need the jury head listed."""
    from contest.services.scoring import prizes_dict
    data = prizes_dict(_contest(contest_id))
    _out(data, as_json)


@main.command()
@click.argument("contest_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--partial", is_flag=True, help="Keep the good rows of a file that has bad ones")
@json_option
@command
def questions(contest_id: int, file: str, partial: bool, as_json: bool):
    """Add questions to the bank from .xlsx, .docx or .json."""
    from question_bank.services import import_questions
    result = import_questions(_contest(contest_id), Path(file).name, _read(file), partial=partial)
    text = f"Đã nhập {result['imported']} câu hỏi"
    if result["rejected"]:
        text += "; bị loại:\n" + "\n".join(f"  dòng {r['row']}: {r['reason']}" for r in result["rejected"])
    if result["rejected"] and not partial:
        if as_json:
            _out(result, True)
        click.echo(f"hoithi: {file}: {len(result['rejected'])} dòng không đọc được; không nhập gì "
                   f"(dòng {result['rejected'][0]['row']}: {result['rejected'][0]['reason']}). "
                   "Dùng --partial để nhập các dòng hợp lệ.", err=True)
        sys.exit(2)
    _out(result, as_json, text)


@main.command()
@click.argument("contest_id", type=int)
@json_option
@command
def seal(contest_id: int, as_json: bool):
    """Seal the approved questions into numbered lots."""
    from question_bank.services import seal_questions
    result = seal_questions(_contest(contest_id))
    _out(result, as_json, f"Đã niêm phong {result['lots']} lá thăm. Mã cam kết: {result['commitment']}")


@main.command()
@click.argument("contest_id", type=int)
@json_option
@command
def reveal(contest_id: int, as_json: bool):
    """Publish the salt and the lots so anyone can verify the commitment."""
    from question_bank.services import reveal_lots
    result = reveal_lots(_contest(contest_id))
    _out(result, as_json)


@main.command()
@click.argument("contest_id", type=int)
@click.argument("directory", type=click.Path(file_okay=False))
@json_option
@command
def documents(contest_id: int, directory: str, as_json: bool):
    """Write every document (rosters, score sheets, minutes, decision, certificates, report)."""
    from contest.services.paperwork import write_all
    paths = write_all(_contest(contest_id), Path(directory))
    _out({"files": [str(p) for p in paths]}, as_json, "\n".join(str(p) for p in paths))


@main.command()
@click.argument("contest_id", type=int)
@json_option
@command
def backup(contest_id: int, as_json: bool):
    """A consistent backup now (SQLite online backup + the contest document)."""
    from contest.extensions import db as _db
    from contest.services.backup import backup_contest, backup_sqlite
    contest = _contest(contest_id)
    files = {"database": str(backup_sqlite()) if _db.engine.dialect.name == "sqlite" else None,
             "document": str(backup_contest(contest))}
    _out(files, as_json, "\n".join(f for f in files.values() if f))


@main.command()
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@command
def user(username: str, password: str):
    """Create an organiser account, or set its password."""
    from contest.services.setup import set_password
    set_password(username, password)
    click.echo(f"Đã lưu tài khoản {username}")


if __name__ == "__main__":  # pragma: no cover
    main()
