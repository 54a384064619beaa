"""gzip for the API's larger JSON answers (a doctor's 62 days of slots is ~120 kB of JSON, ~10 kB gzipped: on a
phone's 1.6 Mbit/s that is half a second less before the times show).

Only GET answers of 200 with a JSON body of at least `MIN_BYTES`, when the request's `Accept-Encoding` accepts
gzip (a `q=0` refuses it), and never a body already encoded or streamed (live events, exports, feeds). Reads
carry no secret next to reflected input, so compressing them does not open a BREACH-style oracle; writes and
the token-bearing sign-in answers are left as they are.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

MIN_BYTES = 1024
LEVEL = 5  # ~1 ms for 120 kB; 9 saves a few hundred bytes more for several times the CPU


def accepts_gzip() -> bool:
    named = {value.lower(): quality for value, quality in request.accept_encodings}
    if "gzip" in named:
        return named["gzip"] > 0
    return named.get("*", 0) > 0


def compress(response: Response) -> Response:
    if (
        request.method != "GET"
        or response.status_code != 200
        or response.mimetype != "application/json"
        or response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
    ):
        return response
    response.vary.add("Accept-Encoding")
    if not accepts_gzip():
        return response
    body = response.get_data()
    if len(body) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    if response.headers.get("ETag"):  # a strong ETag names one representation: the gzipped one gets its own
        etag, weak = response.get_etag()
        response.set_etag(f"{etag}-gzip", weak=weak)
    return response


def init_app(app: Flask) -> None:
    # Registered early, so it runs after the other after-request steps have set the final body and headers.
    app.after_request(compress)
