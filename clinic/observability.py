"""Optional Sentry, on only when SENTRY_DSN is set, and never with personal data."""
from __future__ import annotations


def init_sentry(dsn: str | None, *, integrations: list | None = None, environment: str = "production") -> bool:
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(dsn=dsn, environment=environment, send_default_pii=False, include_local_variables=False,
                    max_request_body_size="never", traces_sample_rate=0.0, integrations=integrations or [])
    return True
