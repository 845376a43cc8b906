"""The client against a tiny local HTTP server that answers as it is told: retries, refusals."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hookwise.errors import AggregatorRefusedError, AggregatorUnreachableError
from hookwise.sync import client
from hookwise.sync.client import backoff, post_json, retry_after


class Script:
    """The answers to give, in order (the last one repeats), and the requests seen."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str], bytes]] = []
        self.seen: list[tuple[str, bytes]] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            script.seen.append((self.headers["Authorization"], body))
            index = min(len(script.seen), len(script.answers)) - 1
            status, headers, answer = script.answers[index]
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/api/v1/summaries", script
    finally:
        httpd.shutdown()
        httpd.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


OK = (200, {}, b'{"summaries": 1, "patterns": 0}')


def test_5xx_then_200_is_retried_with_growing_jittered_waits(
    server: tuple[str, Script],
) -> None:
    url, script = server
    script.answers = [(503, {}, b"busy"), (502, {}, b"gateway"), OK]
    waits: list[float] = []
    answer = post_json(url, "hw_t", b"{}", sleep=waits.append, random=lambda: 0.5)
    assert answer == {"summaries": 1, "patterns": 0}
    assert len(script.seen) == 3
    assert script.seen[0] == ("Bearer hw_t", b"{}")
    assert waits == [0.25, 0.5]  # half of 0.5 s, then half of 1 s


def test_retry_after_is_honoured(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(429, {"Retry-After": "7"}, b""), OK]
    waits: list[float] = []
    post_json(url, "hw_t", b"{}", sleep=waits.append, random=lambda: 0.5)
    assert waits == [7.0]


@pytest.mark.parametrize(
    ("status", "detail", "says"),
    [
        (401, "the token is unknown or revoked", "hookwise serve token create"),
        (403, "this token cannot write repository 'x'", "may not write this repository"),
        (422, "summaries[0].merges must be at least 0", "rejected the payload"),
    ],
)
def test_4xx_is_never_retried(
    server: tuple[str, Script], status: int, detail: str, says: str
) -> None:
    url, script = server
    script.answers = [(status, {}, json.dumps({"detail": detail}).encode()), OK]
    waits: list[float] = []
    with pytest.raises(AggregatorRefusedError) as caught:
        post_json(url, "hw_t", b"{}", sleep=waits.append)
    assert (caught.value.status, len(script.seen), waits) == (status, 1, [])
    message = str(caught.value)
    assert "\n" not in message
    assert f"answered {status}: {detail}" in message and says in message


def test_always_5xx_gives_up_after_every_attempt(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(500, {}, b'{"detail": "database is down"}')]
    waits: list[float] = []
    with pytest.raises(AggregatorUnreachableError) as caught:
        post_json(url, "hw_t", b"{}", sleep=waits.append, random=lambda: 1.0)
    assert len(script.seen) == client.ATTEMPTS
    assert waits == [0.5, 1.0, 2.0]
    assert "answered 500: database is down; tried 4 times" in str(caught.value)


def test_nothing_listening_is_unreachable() -> None:
    url = f"http://127.0.0.1:{free_port()}/api/v1/summaries"
    waits: list[float] = []
    with pytest.raises(AggregatorUnreachableError) as caught:
        post_json(url, "hw_t", b"{}", sleep=waits.append, random=lambda: 0.0)
    assert "connection refused" in str(caught.value)
    assert len(waits) == client.ATTEMPTS - 1


def test_backoff_is_capped() -> None:
    assert [backoff(n, lambda: 1.0) for n in range(7)] == [0.5, 1, 2, 4, 8, 8, 8]


def test_retry_after_forms() -> None:
    assert retry_after(None) is None
    assert retry_after("3") == 3.0
    assert retry_after("86400") == client.MAX_RETRY_AFTER
    assert retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    found = retry_after(later)
    assert found is not None and 25 <= found <= 30
