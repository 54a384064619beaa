"""The web process's gunicorn worker: a threaded worker whose threads never wait for a client.

gunicorn's `sync` worker gives the whole process to each connection until its request has arrived, so three
clients that send half a request and wait stalled the web process (2 workers). Its `gthread` worker waits
for the first bytes in the main loop but then hands the connection to a thread that blocks reading the
rest: a slow client still holds a thread. `BufferingWorker` reads each request (head and body) into memory
in the main loop, without blocking, and gives it to a thread only once it is complete: the buffering a
front proxy such as nginx does, inside the worker. A request that is not complete within
`REQUEST_READ_SECONDS` of its first byte (or of the connection, if nothing came) is dropped. A thread's
socket also gets a timeout, so a client that stops reading the answer cannot hold one for longer either.

With `threads = 1` (the default, `WEB_THREADS`) the complete request is served in the loop itself, like
the sync worker but never waiting for a client's bytes; with more, by a pool of threads. Either way each
thread serves one request at a time, so what `web/database.py` and the feed fast path keep per thread
(their held connections) stays per thread.
"""

from __future__ import annotations

import errno
import os
import re
import selectors
import time
from concurrent.futures import Future
from functools import partial

from gunicorn.http import wsgi
from gunicorn.workers.gthread import TConn, ThreadWorker

# A complete request must arrive within this time; it also bounds a thread's blocking socket calls.
REQUEST_READ_SECONDS = float(os.environ.get("WEB_REQUEST_READ_TIMEOUT", "10"))
MAX_HEAD_BYTES = 64 * 1024  # larger heads go to the parser as they are, which refuses them
MAX_BUFFERED_BODY = 1024 * 1024 + 64 * 1024  # a little over MAX_BODY_BYTES: larger bodies get the app's 413
RECV_BYTES = 64 * 1024
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
# The live stream (web/api/events.py names the same three).
STREAM_PATH = "/api/events"
STREAM_HANDOVER = "clinic.live.handover"
STREAM_ATTACH = "clinic.live.attach"

_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*(\d+)[ \t]*(?=\r\n)")
_CHUNKED = re.compile(rb"\r\ntransfer-encoding[ \t]*:[^\r\n]*chunked")
_EXPECT_CONTINUE = re.compile(rb"\r\nexpect[ \t]*:[ \t]*100-continue")


def request_complete(buf: bytes | bytearray) -> bool:
    """Whether `buf` holds a whole HTTP/1.x request (or something the parser must refuse anyway)."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return len(buf) > MAX_HEAD_BYTES
    head = bytes(buf[: head_end + 2]).lower()
    body_start = head_end + 4
    if _CHUNKED.search(head):
        return _chunked_complete(buf, body_start)
    lengths = _CONTENT_LENGTH.findall(head)
    if len(lengths) != 1:
        return True  # no body, or several lengths (the parser refuses those)
    length = int(lengths[0])
    return length > MAX_BUFFERED_BODY or len(buf) - body_start >= length


def _chunked_complete(buf: bytes | bytearray, pos: int) -> bool:
    """Walk the chunk sizes; complete once the last chunk and the trailers' blank line are in."""
    while True:
        line_end = buf.find(b"\r\n", pos)
        if line_end < 0:
            return len(buf) - pos > MAX_HEAD_BYTES
        try:
            size = int(bytes(buf[pos:line_end]).split(b";", 1)[0].strip(), 16)
        except ValueError:
            return True  # malformed: the parser answers it
        if size == 0:
            trailers = line_end + 2
            return buf.startswith(b"\r\n", trailers) or buf.find(b"\r\n\r\n", trailers) >= 0
        pos = line_end + 2 + size + 2
        if pos - line_end > MAX_BUFFERED_BODY:
            return True
        if pos > len(buf):
            return False


class BufferedConn(TConn):
    """A connection whose request the main loop buffers; its blocking calls in a thread time out."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pending = bytearray()
        self.read_deadline = 0.0
        self.sent_continue = False

    def init(self) -> None:
        super().init()
        self.sock.settimeout(REQUEST_READ_SECONDS)  # after gthread's setblocking(True), every time


class BufferingWorker(ThreadWorker):
    """gthread, except that a connection reaches a thread only with a complete request in memory."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reading: dict[BufferedConn, None] = {}  # insertion order is deadline order

    def accept(self, listener) -> None:
        try:
            client_sock, client_addr = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self._read(BufferedConn(self.cfg, client_sock, client_addr, listener.getsockname()), eager=True)

    def enqueue_req(self, conn) -> None:
        """With one thread (the default), serve the complete request right here in the loop, as the sync
        worker would, without the hand-over to a pool thread and back (a third of the throughput of a
        small request on two cores). Reading stays in the loop, so no client can stall it."""
        if self.cfg.threads > 1:
            super().enqueue_req(conn)
            return
        done: Future = Future()
        try:
            done.set_result(self.handle(conn))
        except BaseException as err:  # handle() catches what a request raises; this is the worker's own
            done.set_exception(err)
        self.finish_request(conn, done)

    def on_client_socket_readable(self, conn, client) -> None:
        """A kept-alive connection is sending its next request: buffer it too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._read(conn, eager=True)

    def finish_request(self, conn, fs) -> None:
        if getattr(conn, "handed_over", False):
            # Close only this descriptor: a graceful close would shut the shared connection down (FIN).
            self.nr_conns -= 1
            try:
                conn.sock.close()
            except OSError:
                pass
            return
        # A pipelined request read ahead of the one just answered: buffer its rest in the loop as well.
        if (
            self.alive
            and not fs.cancelled()
            and fs.exception() is None
            and fs.result() is True
            and conn.parser is not None
            and conn.parser.unreader.buf.getvalue()
        ):
            self._read(conn, conn.parser.unreader.take_buffered())
            return
        super().finish_request(conn, fs)

    def handle(self, conn):
        request = bytes(conn.pending)
        conn.pending = bytearray()
        conn.sock.setblocking(True)
        conn.init()
        conn.parser.unreader.unread(request)
        return super().handle(conn)

    def handle_request(self, req, conn):
        """`GET /api/events` (a live stream) is answered by the app like any request, then, if the app left a
        receiver for it in the environ, the socket is handed to that receiver (web/live.py: one thread holds
        every open stream of the process) and this loop is free again at once."""
        if req.path != STREAM_PATH or req.method != "GET":
            return super().handle_request(req, conn)
        resp, environ = wsgi.create(req, conn.sock, conn.client, conn.server, self.cfg)
        environ["wsgi.multithread"] = True
        environ[STREAM_HANDOVER] = True
        self.nr += 1
        resp.force_close()
        respiter = self.wsgi(environ, resp.start_response)
        try:
            attach = environ.get(STREAM_ATTACH)
            if attach is not None and resp.status_code == 200:
                # The body runs until either side closes: no length, no chunk framing.
                resp.headers = [(k, v) for k, v in resp.headers if k.lower() != "content-length"]
                resp.response_length = None
                resp.chunked = False
                resp.send_headers()
                # The receiver keeps a duplicate; the loop closes its own descriptor as after any answer.
                attach(conn.sock.dup())
                conn.handed_over = True
            else:
                for item in respiter:
                    resp.write(item)
                resp.close()
        finally:
            if hasattr(respiter, "close"):
                respiter.close()
        return False

    def _read(self, conn: BufferedConn, initial: bytes = b"", *, eager: bool = False) -> None:
        """Start buffering a request. `eager`: called from the loop for a socket that probably holds data
        already (just accepted, or a kept-alive one that became readable): try it before polling."""
        conn.sock.setblocking(False)
        conn.pending = bytearray(initial)
        conn.sent_continue = False
        conn.data_ready = True  # gthread must not wait for data in a thread: it is all here
        conn.read_deadline = time.monotonic() + REQUEST_READ_SECONDS
        if initial and request_complete(conn.pending):
            # Next time round the loop, not from here: served inline, a long pipeline would recurse.
            self.method_queue.defer(self.enqueue_req, conn)
            return
        if eager:
            complete = self._pull(conn)
            if complete is None:
                self._drop(conn)
                return
            if complete:
                self.enqueue_req(conn)
                return
        self.reading[conn] = None
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn: BufferedConn, client) -> None:
        complete = self._pull(conn)
        if complete is None:
            self._drop(conn)
        elif complete:
            self.poller.unregister(client)
            del self.reading[conn]
            self.enqueue_req(conn)

    def _pull(self, conn: BufferedConn) -> bool | None:
        """Take what the client sent so far: True once the request is complete, None if the client left."""
        try:
            data = conn.sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return None
        if not data:  # the client went away before finishing its request
            return None
        conn.pending += data
        if request_complete(conn.pending):
            return True
        if not conn.sent_continue and _EXPECT_CONTINUE.search(bytes(conn.pending[:MAX_HEAD_BYTES]).lower()):
            conn.sent_continue = True  # the client waits for it before sending the body
            try:
                conn.sock.send(CONTINUE)
            except OSError:
                return None
        return False

    def _drop(self, conn: BufferedConn) -> None:
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        self.reading.pop(conn, None)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        """Also drop connections whose request did not arrive in time (called by the loop every second)."""
        super().murder_pending()
        now = time.monotonic()
        for conn in list(self.reading):
            if conn.read_deadline > now:
                break
            self._drop(conn)
