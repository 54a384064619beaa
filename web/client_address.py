"""The client's address, as the proxies we trust recorded it in `X-Forwarded-For`.

Each proxy appends the address it received the request from, so only the rightmost entries were written
by our own proxies; anything to their left is whatever the client sent. With `PROXY_HOPS=n`, the n-th
entry from the right is the client (0, the default: the header is ignored and the socket peer is the
client). Entries inside `PROXY_INTERNAL_NETWORKS` are the hosting platform's internal proxies (never a
client reaching us over the internet) and are skipped before counting, so a request that crossed one more
internal hop (Render's static site rewriting `/api/*`) still counts right. A header with fewer entries
than hops did not come through our proxies: the socket peer stays the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_from(forwarded_for: str, hops: int, internal: Iterable[Network] = ()) -> str | None:
    """The address `hops` trusted entries from the right of an X-Forwarded-For value, or None."""
    entries = [entry.strip() for entry in forwarded_for.split(",")]
    internal = tuple(internal)
    counted = []
    for entry in entries:
        try:
            address = ipaddress.ip_address(entry)
        except ValueError:
            counted.append(None)  # garbage still takes its place: it cannot shift the count
            continue
        if not any(address in net for net in internal):
            counted.append(str(address))
    if hops < 1 or len(counted) < hops:
        return None
    return counted[-hops]


class ClientAddress:
    """WSGI middleware: REMOTE_ADDR becomes the client's address when `hops` trusted proxies are in front."""

    def __init__(self, app, *, hops: int, internal: Iterable[Network] = ()) -> None:
        self.app = app
        self.hops = hops
        self.internal = tuple(internal)

    def __call__(self, environ, start_response):
        forwarded = environ.get("HTTP_X_FORWARDED_FOR")
        if forwarded:
            client = client_from(forwarded, self.hops, self.internal)
            if client is not None:
                environ["REMOTE_ADDR"] = client
        return self.app(environ, start_response)
