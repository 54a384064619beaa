"""Configuration read from the environment, shared by every process."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

REQUIRED = ("DATABASE_URL", "REDIS_URL", "JWT_SECRET_KEY", "FRONTEND_ORIGIN", "RESEND_API_KEY", "EMAIL_FROM")

# Development and test runs get safe local defaults; production must name every value.
LOCAL_DEFAULTS = {
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/clinic",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "JWT_SECRET_KEY": "dev-only-secret-change-me-0123456789abcdef",
    "FRONTEND_ORIGIN": "http://localhost:5173",
    "RESEND_API_KEY": "re_dev_placeholder",
    "EMAIL_FROM": "Clínica <citas@clinic.local>",
}


SMTP_SCHEMES = ("smtp", "smtps")


class ConfigError(RuntimeError):
    pass


def _smtp_url(env: dict, environment: str) -> str:
    """Where invitation emails go. Production defaults to Resend's SMTP relay (implicit TLS, the API key
    as password). Development and test have no default: without SMTP_URL their invitations go through
    the HTTP API with the invite attached (clinic.notifications.render), so that a local run never reaches
    the real relay with a placeholder key. `bin/run` points SMTP_URL at its dev mailbox."""
    url = (env.get("SMTP_URL") or "").strip()
    if not url and environment == "production":
        url = f"smtps://resend:{quote(env['RESEND_API_KEY'], safe='')}@smtp.resend.com:465"
    if url:
        parts = urlsplit(url)
        if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
            raise ConfigError("SMTP_URL must look like smtp://user:password@host:port or smtps://...")
        try:
            _ = parts.port  # urlsplit checks the port only when asked
        except ValueError as exc:
            raise ConfigError("SMTP_URL has an invalid port") from exc
    return url


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _float(env: dict, name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _bool(env: dict, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() not in ("0", "false", "no", "off")


def _int_list(env: dict, name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ConfigError(f"{name} must be a comma-separated list of integers, got {raw!r}") from exc


def _networks(env: dict, name: str) -> str:
    raw = env.get(name) or ""
    try:
        parse_networks(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be comma-separated networks (e.g. 10.0.0.0/8), got {raw!r}") from exc
    return raw


def parse_networks(text: str) -> tuple:
    """`10.0.0.0/8, fd00::/8` → networks (ValueError on a bad one)."""
    import ipaddress

    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    jwt_secret_key: str
    frontend_origin: str
    resend_api_key: str
    email_from: str
    sentry_dsn: str | None = None
    environment: str = "production"
    public_url: str = ""
    # Scheduling rules
    min_notice_minutes: int = 120
    horizon_days: int = 365
    patient_change_cutoff_hours: int = 24
    max_slots_range_days: int = 62
    # Background work
    reminder_offsets_minutes: tuple[int, ...] = (1440, 120)
    noshow_grace_minutes: int = 30
    agenda_hour: int = 6
    waitlist_hold_minutes: int = 30
    sweep_interval_seconds: int = 60
    resend_requests_per_second: float = 2.0
    # Medical records: how long a break-glass grant lasts
    break_glass_minutes: int = 60
    # Auth
    access_token_minutes: int = 15
    refresh_token_days: int = 14
    refresh_absolute_days: int = 30
    # A sign-in left alone this long ends on the server too (0: no idle limit); see web.api.auth.
    refresh_idle_minutes: int = 30
    # HTTP
    ratelimit_enabled: bool = True
    ratelimit_default: str = "600 per minute"
    ratelimit_auth: str = "10 per minute"
    # Manage links (no sign-in): per client address, and per token whatever the address.
    ratelimit_manage: str = "30 per minute"
    ratelimit_manage_token: str = "20 per minute"
    # Open live streams (GET /api/events) one web process holds (web/live.py); beyond it 503.
    web_max_streams: int = 2000
    # Proxies in front whose X-Forwarded-For entries are trusted (0: run directly, the header is ignored),
    # and the platform's internal proxy networks, skipped before counting (web/client_address.py).
    proxy_hops: int = 0
    proxy_internal_networks: str = ""
    # Calendar feed URLs are HMAC(secret, nonce); defaults to JWT_SECRET_KEY. Changing it changes every URL.
    calendar_token_secret: str = ""
    # Invitation emails (iMIP) over SMTP; "" sends them through the HTTP API instead (development/test only).
    smtp_url: str = ""
    # Named server-side prepared statements on the hot paths; off (0) behind a transaction-pooling PgBouncer
    # older than 1.21 or without max_prepared_statements (docs/SCALING.md).
    database_prepared_statements: bool = True
    # SMS/WhatsApp through Twilio's REST API; without the three credentials the SMS channel is off.
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from: str = ""
    twilio_api_url: str = "https://api.twilio.com"
    extra: dict = field(default_factory=dict)

    @property
    def sms_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Settings":
        env = dict(os.environ if environ is None else environ)
        environment = env.get("APP_ENV", "production").strip().lower()
        if environment != "production":
            for name, value in LOCAL_DEFAULTS.items():
                env.setdefault(name, value)
        missing = [name for name in REQUIRED if not env.get(name)]
        if missing:
            raise ConfigError("missing required environment variable(s): " + ", ".join(missing))
        frontend_origin = env["FRONTEND_ORIGIN"].rstrip("/")
        return cls(
            database_url=env["DATABASE_URL"],
            redis_url=env["REDIS_URL"],
            jwt_secret_key=env["JWT_SECRET_KEY"],
            frontend_origin=frontend_origin,
            resend_api_key=env["RESEND_API_KEY"],
            email_from=env["EMAIL_FROM"],
            sentry_dsn=env.get("SENTRY_DSN") or None,
            environment=environment,
            public_url=(env.get("PUBLIC_URL") or frontend_origin).rstrip("/"),
            min_notice_minutes=_int(env, "MIN_NOTICE_MINUTES", 120),
            horizon_days=_int(env, "BOOKING_HORIZON_DAYS", 365),
            patient_change_cutoff_hours=_int(env, "PATIENT_CHANGE_CUTOFF_HOURS", 24),
            reminder_offsets_minutes=_int_list(env, "REMINDER_OFFSETS_MINUTES", (1440, 120)),
            noshow_grace_minutes=_int(env, "NOSHOW_GRACE_MINUTES", 30),
            agenda_hour=_int(env, "AGENDA_HOUR", 6),
            waitlist_hold_minutes=_int(env, "WAITLIST_HOLD_MINUTES", 30),
            sweep_interval_seconds=_int(env, "SCHEDULER_SWEEP_SECONDS", 60),
            resend_requests_per_second=_float(env, "RESEND_REQUESTS_PER_SECOND", 2.0),
            break_glass_minutes=_int(env, "BREAK_GLASS_MINUTES", 60),
            access_token_minutes=_int(env, "ACCESS_TOKEN_MINUTES", 15),
            refresh_token_days=_int(env, "REFRESH_TOKEN_DAYS", 14),
            refresh_absolute_days=_int(env, "REFRESH_ABSOLUTE_DAYS", 30),
            refresh_idle_minutes=_int(env, "REFRESH_IDLE_MINUTES", 30),
            web_max_streams=_int(env, "WEB_MAX_STREAMS", 2000),
            ratelimit_enabled=_bool(env, "RATELIMIT_ENABLED", True),
            ratelimit_default=env.get("RATELIMIT_DEFAULT") or "600 per minute",
            ratelimit_auth=env.get("RATELIMIT_AUTH") or "10 per minute",
            ratelimit_manage=env.get("RATELIMIT_MANAGE") or "30 per minute",
            ratelimit_manage_token=env.get("RATELIMIT_MANAGE_TOKEN") or "20 per minute",
            proxy_hops=_int(env, "PROXY_HOPS", 0),
            proxy_internal_networks=_networks(env, "PROXY_INTERNAL_NETWORKS"),
            calendar_token_secret=env.get("CALENDAR_TOKEN_SECRET") or env["JWT_SECRET_KEY"],
            smtp_url=_smtp_url(env, environment),
            database_prepared_statements=_bool(env, "DATABASE_PREPARED_STATEMENTS", True),
            twilio_account_sid=(env.get("TWILIO_ACCOUNT_SID") or "").strip(),
            twilio_auth_token=(env.get("TWILIO_AUTH_TOKEN") or "").strip(),
            twilio_from=(env.get("TWILIO_FROM") or "").strip(),
            twilio_api_url=(env.get("TWILIO_API_URL") or "https://api.twilio.com").strip().rstrip("/"),
        )
