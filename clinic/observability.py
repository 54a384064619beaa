"""Optional Sentry, on only when SENTRY_DSN is set, and never with personal or clinical data."""

from __future__ import annotations

# Database drivers put row values in their messages ("Key (email)=(…) already exists").
_REDACTED_MODULES = ("sqlalchemy", "psycopg")


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Keep only what helps debugging: the route template, never the raw path, query string or bodies.

    Paths hold secrets (calendar subscription tokens) and query strings may hold personal data.
    """
    request = event.get("request")
    if isinstance(request, dict):
        route = event.get("transaction")
        event["request"] = {"method": request.get("method"), **({"url": route} if route else {})}
    for exc in (event.get("exception") or {}).get("values") or []:
        if str(exc.get("module") or "").startswith(_REDACTED_MODULES):
            exc["value"] = "<redacted: database error details may hold personal data>"
    event.pop("user", None)
    return event


def init_sentry(
    dsn: str | None, *, integrations: list | None = None, environment: str = "production", **options
) -> bool:
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        integrations=integrations or [],
        before_send=scrub_event,
        **options,
    )
    return True
