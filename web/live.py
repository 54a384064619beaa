"""The live streams of one web process: many open `GET /api/events` sockets held by ONE thread.

A server-sent-event stream lasts as long as the tab; one per request thread would take the web process
away from everyone else (a gunicorn worker here serves one request at a time). So the view only
authenticates and answers the head; the worker (web/server.py, `BufferingWorker.handle_request`) then hands
a duplicate of the socket to this hub and frees its loop at once. The hub's thread multiplexes every
open stream with one selector: it writes events without blocking (a client that stops reading is dropped
once `MAX_BUFFERED` bytes wait for it), sends a comment every `HEARTBEAT_SECONDS` so that proxies keep the
connection open, notices a client that left (readable + EOF), and ends a stream when the access token
it was opened with expires (the browser reconnects with a fresh one; a revoked session stops at the
latest then). One Redis subscriber thread per process feeds it (clinic/live/events.py: the channel and
who sees what).
"""

from __future__ import annotations

import json
import logging
import queue
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field

import redis

from clinic.live.events import Audience, channel, public

log = logging.getLogger("web.live")

HEARTBEAT_SECONDS = 15.0
MAX_BUFFERED = 256 * 1024
RETRY_MS = 2000
PRELUDE = f"retry: {RETRY_MS}\n: connected\n\n".encode()


@dataclass(eq=False)
class Stream:
    sock: socket.socket
    audience: Audience
    expires_at: float
    out: bytearray = field(default_factory=bytearray)
    last_write: float = field(default_factory=time.monotonic)
    closed: bool = False


def frame(kind: str, data: dict | None = None, event_id: int | None = None) -> bytes:
    lines = [f"event: {kind}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data if data is not None else {}, separators=(",", ":")))
    return ("\n".join(lines) + "\n\n").encode()


class LiveHub:
    """Holds this process's streams (one selector thread) and its Redis subscription (one thread)."""

    def __init__(self, redis_url: str, *, max_streams: int) -> None:
        self.redis_url = redis_url
        self.max_streams = max_streams
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._streams: dict[socket.socket, Stream] = {}
        self._count = 0
        self._count_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._subscribed = threading.Event()
        self._started = False
        self._sequence = 0

    # -- called from request handling -------------------------------------------------------------------
    @property
    def open_streams(self) -> int:
        return self._count

    def full(self) -> bool:
        return self._count >= self.max_streams

    def ensure_started(self, wait: float = 2.0) -> bool:
        """Start the threads once per process; True once the Redis subscription is confirmed."""
        with self._start_lock:
            if not self._started:
                self._started = True
                threading.Thread(target=self._subscribe_forever, name="live-subscriber", daemon=True).start()
                threading.Thread(target=self._serve_forever, name="live-streams", daemon=True).start()
        return self._subscribed.wait(wait)

    def attach(self, sock: socket.socket, *, audience: Audience, expires_at: float) -> None:
        """Take over `sock`, whose answer head was already sent: it now belongs to the hub's thread."""
        with self._count_lock:  # counted at once, so the cap holds between here and the hub's thread
            self._count += 1
        self._inbox.put(("attach", Stream(sock, audience, expires_at)))
        self._wake()

    # -- the subscriber thread --------------------------------------------------------------------------
    def _subscribe_forever(self) -> None:
        client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=2, health_check_interval=30)
        name = channel(int(client.connection_pool.connection_kwargs.get("db", 0)))
        first = True
        while True:
            pubsub = client.pubsub(ignore_subscribe_messages=False)
            try:
                pubsub.subscribe(name)
                for message in pubsub.listen():
                    if message["type"] == "subscribe":
                        self._subscribed.set()
                        if not first:  # events published while we were away are lost: tell clients to refetch
                            self._inbox.put(("resync", None))
                            self._wake()
                        first = False
                    elif message["type"] == "message":
                        self._inbox.put(("event", message["data"]))
                        self._wake()
            except (redis.RedisError, OSError):
                log.warning("live subscription lost; resubscribing")
                self._subscribed.clear()
                time.sleep(1)
            finally:
                try:
                    pubsub.close()
                except (redis.RedisError, OSError):
                    pass

    # -- the streams thread -----------------------------------------------------------------------------
    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # a wake-up is already pending

    def _serve_forever(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        while True:
            try:
                self._turn()
            except Exception:  # noqa: BLE001 — the thread must outlive one bad socket; each stream is independent
                log.exception("live hub turn failed")
                time.sleep(0.1)

    def _turn(self) -> None:
        for key, mask in self._selector.select(timeout=1.0):
            if key.fileobj is self._wake_r:
                self._drain_wake()
                continue
            stream = self._streams.get(key.fileobj)
            if stream is None:
                continue
            if mask & selectors.EVENT_READ and not self._client_still_there(stream):
                self._close(stream)
                continue
            if mask & selectors.EVENT_WRITE:
                self._flush(stream)
        self._handle_inbox()
        now_mono, now = time.monotonic(), time.time()
        for stream in list(self._streams.values()):
            if stream.expires_at <= now:
                self._close(stream)
            elif now_mono - stream.last_write >= HEARTBEAT_SECONDS:
                self._send(stream, b": keep-alive\n\n")

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def _handle_inbox(self) -> None:
        while True:
            try:
                kind, payload = self._inbox.get_nowait()
            except queue.Empty:
                return
            if kind == "attach":
                self._add(payload)
            elif kind == "event":
                self._broadcast(json.loads(payload))
            elif kind == "resync":
                for stream in list(self._streams.values()):
                    self._send(stream, frame("resync"))

    def _add(self, stream: Stream) -> None:
        try:
            stream.sock.setblocking(False)
            self._streams[stream.sock] = stream
            self._selector.register(stream.sock, selectors.EVENT_READ)
        except (OSError, ValueError):
            self._close(stream)
            return
        self._send(stream, PRELUDE)

    def _broadcast(self, event: dict) -> None:
        self._sequence += 1
        data = None
        for stream in list(self._streams.values()):
            if stream.audience.sees(event):
                data = data or frame("appointment", public(event), self._sequence)
                self._send(stream, data)

    def _send(self, stream: Stream, data: bytes) -> None:
        stream.out += data
        if len(stream.out) > MAX_BUFFERED:  # the client stopped reading: it will reconnect and refetch
            self._close(stream)
            return
        self._flush(stream)

    def _flush(self, stream: Stream) -> None:
        if stream.sock not in self._streams:
            return
        try:
            sent = stream.sock.send(stream.out)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._close(stream)
            return
        del stream.out[:sent]
        stream.last_write = time.monotonic()
        wanted = selectors.EVENT_READ | (selectors.EVENT_WRITE if stream.out else 0)
        if self._selector.get_key(stream.sock).events != wanted:
            self._selector.modify(stream.sock, wanted)

    @staticmethod
    def _client_still_there(stream: Stream) -> bool:
        """A stream's client sends nothing after its request: readable means it closed (or misbehaves)."""
        try:
            return bool(stream.sock.recv(4096))
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            return False

    def _close(self, stream: Stream) -> None:
        if stream.closed:
            return
        stream.closed = True
        if self._streams.pop(stream.sock, None) is not None:
            try:
                self._selector.unregister(stream.sock)
            except (KeyError, ValueError, OSError):
                pass
        try:
            stream.sock.close()
        except OSError:
            pass
        with self._count_lock:
            self._count -= 1
