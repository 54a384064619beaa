"""Gunicorn settings for the web process (Render and local runs)."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Each worker's main loop reads every request whole before one of its threads serves it, so clients that
# send half a request and wait hold no thread (web/server.py; the sync worker gave each one a whole worker).
worker_class = "web.server.BufferingWorker"
threads = int(os.environ.get("WEB_THREADS", "1"))  # 1: served in the worker's loop, the fastest on 2 cores
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
# Long request lines (e.g. a mangled calendar URL) reach the app and get its JSON 404, not an HTML 414.
limit_request_line = 8190
# 0: close after each answer, as the sync worker did. Kept-alive connections stick to one worker and, with
# few of them, load the two unevenly: the same throughput but twice the p99 (bench/README.md, worker).
keepalive = int(os.environ.get("WEB_KEEPALIVE", "0"))
# Recycle workers now and then to bound a slow leak; each restart re-imports the app (about a second of
# CPU here) while the other worker serves alone, a latency spike users feel, so not too often.
max_requests = 50_000
max_requests_jitter = 5_000
accesslog = None  # the app writes its own JSON access log without personal data
errorlog = "-"
# gunicorn 27 puts every instance's control socket at one path; parallel servers (tests, bin/run) would clash.
control_socket_disable = True
# Peers allowed to set X-Forwarded-Proto / SCRIPT_NAME for gunicorn. The app trusts none of it (URLs come from
# PUBLIC_URL; the client address from PROXY_HOPS, web/client_address.py), so only loopback, never "*".
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Freeze what the app allocated at start-up (modules, models, schemas: ~150k objects) into the
    collector's permanent generation: full collections then skip them. Unfrozen, each one took ~90 ms
    (a latency spike) every few thousand requests. See gc.freeze in the Python docs."""
    import gc

    gc.freeze()
