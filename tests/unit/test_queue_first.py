"""With a message queue, an emit reaches the other processes before this process's own
sockets (contest.live.queue_first): python-socketio sends locally first, so the other
processes waited for the whole local fan-out."""

from __future__ import annotations

import socketio

from contest.live import queue_first


class _Queue(socketio.PubSubManager):
    """A message-queue manager whose queue is a list (no Redis)."""

    def __init__(self, log: list):
        super().__init__(channel="test")
        self.log = log

    def _publish(self, data):
        self.log.append(("queue", data["event"], dict(data)))

    def _listen(self):  # pragma: no cover - never started
        return iter(())


def test_an_emit_is_published_to_the_queue_before_it_is_sent_here_and_only_once(monkeypatch):
    log: list = []
    local_emit = socketio.Manager.emit

    def emit_here(self, event, data, **kwargs):  # the library's send to this process's sockets
        log.append(("here", event, None))
        return local_emit(self, event, data, **kwargs)
    monkeypatch.setattr(socketio.Manager, "emit", emit_here)
    mgr = _Queue(log)
    mgr.set_server(socketio.Server())

    mgr.emit("standings", {"a": 1}, namespace="/live", room="1:public")
    assert [e[:2] for e in log] == [("here", "standings"), ("queue", "standings")]  # the library
    log.clear()
    queue_first(mgr)
    queue_first(mgr)  # installing twice changes nothing
    mgr.emit("standings", {"a": 2}, namespace="/live", room="1:public")
    assert [e[:2] for e in log] == [("queue", "standings"), ("here", "standings")]
    assert "_live_published" not in log[0][2]  # the marker never travels
    log.clear()
    # a message from another process is sent here and never published again
    mgr._handle_emit({"method": "emit", "event": "stage", "data": [{}], "namespace": "/live",
                      "room": "1:public", "host_id": "someone-else", "callback": None})
    assert [e[:2] for e in log] == [("here", "stage")]
