"""One request budget for the email provider, shared by every worker process through Redis.

A GCRA-style "next free slot" limiter: each caller atomically reserves the next slot, spaced 1/rate
seconds apart, and sleeps until it. Spacing (rather than counting per 1-second bucket, as a fixed
window does) never lets a burst at a bucket boundary exceed the provider's rolling limit. A 429 with
`retry-after` pushes the next slot for everybody.
"""

from __future__ import annotations

import time

import redis

# Requests are spaced a little wider than 1/rate so that network jitter between reserving a slot and
# the request reaching the provider cannot put rate+1 requests in one rolling second.
SAFETY = 1.03

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', math.ceil((slot + interval - now) * 1000) + 60000)
return {tostring(slot - now), tostring(slot)}
"""

_PUSH = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_ = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > current then
  redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 60000)
end
return 1
"""


class ProviderRateLimiter:
    def __init__(self, client: redis.Redis, *, per_second: float, key: str = "clinic:resend:next-slot"):
        self.client = client
        self.interval = SAFETY / per_second
        self.key = key
        self._reserve = client.register_script(_RESERVE)
        self._push = client.register_script(_PUSH)
        self.last_slot: float | None = None  # the Redis-clock instant reserved by the last acquire()

    def acquire(self) -> float:
        """Block until this caller may send one request; returns the seconds waited."""
        wait, slot = (float(x) for x in self._reserve(keys=[self.key], args=[self.interval]))
        self.last_slot = slot
        if wait > 0:
            time.sleep(wait)
        return max(wait, 0.0)

    def back_off(self, seconds: float) -> None:
        """The provider said 429: nobody sends before `seconds` from now."""
        self._push(keys=[self.key], args=[max(seconds, self.interval)])
