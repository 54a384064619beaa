"""Slow clients (half a request, then silence) must not stall the web process (issue 13.6).

Runs the Procfile's own `web` command (gunicorn with gunicorn.conf.py, 2 workers) on a loopback port.
"""

from __future__ import annotations

import socket
import time

import pytest

from tests.ops.test_e2e_web import PRODUCTION_ENV
from tests.support.processes import ProcfileProcesses

pytestmark = pytest.mark.e2e

SLOW_CLIENTS = 50
# Three kinds of half requests: a head cut short, a body shorter than its length, a chunked body unfinished.
HALF_REQUESTS = (
    b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
    b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b'Content-Length: 100\r\n\r\n{"email": ',
    b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b'Transfer-Encoding: chunked\r\n\r\n5\r\n{"ema\r\n',
)


@pytest.fixture(scope="module")
def web(engine, tmp_path_factory):
    # The slow clients outlast the test; kept-alive connections on, to cover the worker's keep-alive and
    # pipelining paths too (off by default).
    env = {**PRODUCTION_ENV, "WEB_REQUEST_READ_TIMEOUT": "30", "WEB_KEEPALIVE": "5"}
    with ProcfileProcesses(["web"], env, tmp_path_factory.mktemp("slow")) as system:
        yield system


def _health_seconds(port: int) -> float:
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    return time.perf_counter() - started


def _one_response(sock: socket.socket) -> bytes:
    """Read one whole response (head and its Content-Length body) from a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(line.split(b":", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def test_health_answers_within_a_second_with_50_slow_clients_connected(web):
    _survives_slow_clients(web)


def test_the_default_configuration_survives_them_too(engine, tmp_path):
    with ProcfileProcesses(["web"], {**PRODUCTION_ENV, "WEB_REQUEST_READ_TIMEOUT": "30"}, tmp_path) as system:
        _survives_slow_clients(system)


def _survives_slow_clients(web) -> None:
    slow = []
    try:
        for i in range(SLOW_CLIENTS):
            sock = socket.create_connection(("127.0.0.1", web.port), timeout=5)
            sock.sendall(HALF_REQUESTS[i % len(HALF_REQUESTS)])
            slow.append(sock)
        time.sleep(0.5)  # let every worker pick its share of them up
        times = [_health_seconds(web.port) for _ in range(10)]
        assert max(times) < 1.0, times
        # The slow ones are still connected, waiting (nothing answered them, nothing closed them).
        slow[0].settimeout(0.2)
        with pytest.raises(TimeoutError):
            slow[0].recv(1)
    finally:
        for sock in slow:
            sock.close()


def test_a_request_sent_in_pieces_is_still_answered(web):
    body = b'{"email": "nobody@example.com", "password": "Wrong-Password-1"}'
    with socket.create_connection(("127.0.0.1", web.port), timeout=5) as sock:
        head = (
            b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        for piece in (head[:20], head[20:], body[:10], body[10:]):
            sock.sendall(piece)
            time.sleep(0.1)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]


def test_a_chunked_request_and_a_kept_alive_connection(web):
    body = b'{"email": "nobody@example.com", "password": "Wrong-Password-1"}'
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:7], body[7:])) + b"0\r\n\r\n"
    with socket.create_connection(("127.0.0.1", web.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + chunked[:12]
        )
        time.sleep(0.2)
        sock.sendall(chunked[12:])
        first = _one_response(sock)
        assert first.startswith(b"HTTP/1.1 401"), first[:200]
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


def test_pipelined_requests_are_all_answered(web):
    ask = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection(("127.0.0.1", web.port), timeout=5) as sock:
        sock.sendall(ask * 200 + b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.count(b"HTTP/1.1 200 OK") == 201


def test_a_client_expecting_100_continue_gets_it_before_sending_its_body(web):
    body = b'{"email": "nobody@example.com", "password": "Wrong-Password-1"}'
    with socket.create_connection(("127.0.0.1", web.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Expect: 100-continue\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        assert sock.recv(65536).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(body)
        answer = b""
        while b"invalid_credentials" not in answer:
            answer += sock.recv(65536)
    assert b"HTTP/1.1 401" in answer


@pytest.mark.parametrize(
    "data, complete",
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\n", False),
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", True),
        (b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab", False),
        (b"POST / HTTP/1.1\r\ncontent-length:4\r\n\r\nabcd", True),
        (b"POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n", True),  # the parser refuses it
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", False),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n", False),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n", True),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nab\r\n0\r\nT: 1\r\n\r\n", True),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", True),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 70_000, True),  # too large a head: the parser answers it
    ],
)
def test_request_complete(data, complete):
    from web.server import request_complete

    assert request_complete(data) is complete
