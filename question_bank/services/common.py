"""What every step of the question bank shares: the actor for the command line, the contest
a request names, and the one way out to the live channel. Nothing here touches questions."""

from __future__ import annotations

from contest.core.errors import NotFound
from contest.extensions import db
from contest.models import Contest
from contest.models.contest import contest_id_of  # noqa: F401  (the question bank's import)
from contest.services.audit import Actor


def cli_actor() -> Actor:
    return Actor.cli()


def get_contest(contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise NotFound(f"Không có hội thi số {contest_id}")
    return contest


def publish(contest_id: int, kind: str, payload: dict, staff_payload: dict | None = None) -> None:
    """After commit: every bank event goes out through :func:`contest.live.publish`."""
    from contest import live
    live.publish(contest_id, kind, payload, staff_payload=staff_payload)
