"""The HTTP adapter: a thin Flask app over the clinic domain."""

from __future__ import annotations

from datetime import timedelta

import redis
from flask import Flask

from clinic import logs
from clinic.observability import init_sentry
from clinic.settings import Settings, parse_networks
from web import access, cli, compression, database, errors, security
from web import request_log
from web.client_address import ClientAddress
from web.extensions import cors, jwt, limiter, spec
from web.feed_fast_path import FeedFastPath
from web.frontend import blueprint as frontend_blueprint
from web.live import LiveHub
from web.routing import BigIntConverter
from web.validation import check_json_body

MAX_BODY_BYTES = 1 * 1024 * 1024


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` may carry SETTINGS (a Settings) and DB_SESSIONMAKER (tests)."""
    config = dict(config or {})
    settings: Settings = config.pop("SETTINGS", None) or Settings.from_env()
    logs.configure()
    if settings.sentry_dsn:
        from sentry_sdk.integrations.flask import FlaskIntegration

        init_sentry(
            settings.sentry_dsn,
            integrations=[FlaskIntegration(transaction_style="url")],
            environment=settings.environment,
        )

    app = Flask(__name__, static_folder=None)
    app.url_map.converters["int"] = BigIntConverter
    app.config.update(_flask_config(settings))
    app.config.update(config)
    # Stored calendar feeds are answered in front of the Flask stack (web/feed_fast_path.py).
    app.wsgi_app = FeedFastPath(
        app.wsgi_app,
        database_url=settings.database_url,
        limit=settings.ratelimit_default,
        key_secret=settings.jwt_secret_key,
        access_log=app.config.get("ACCESS_LOG", True),
        limits_enabled=app.config["RATELIMIT_ENABLED"],
        prepared_statements=settings.database_prepared_statements,
    )
    # The client address that rate limits and audit rows use: X-Forwarded-For only from PROXY_HOPS proxies.
    # Nothing else forwarded is trusted (absolute URLs come from PUBLIC_URL, never from Host headers).
    # Outermost, so that the fast path's rate limit sees the client's address too.
    if settings.proxy_hops:
        app.wsgi_app = ClientAddress(
            app.wsgi_app, hops=settings.proxy_hops, internal=parse_networks(settings.proxy_internal_networks)
        )

    sessionmaker = app.config.pop("DB_SESSIONMAKER", None)
    if sessionmaker is None:
        sessionmaker, autocommit = database.make_factories(
            settings.database_url, prepared_statements=settings.database_prepared_statements
        )
        app.extensions["db_autocommit_sessionmaker"] = autocommit
    app.extensions["db_sessionmaker"] = sessionmaker
    app.extensions["redis"] = redis.Redis.from_url(settings.redis_url, socket_timeout=1, socket_connect_timeout=1)
    # Threads start on the first stream, in the serving process (gunicorn forks before creating the app).
    app.extensions["live_hub"] = LiveHub(settings.redis_url, max_streams=settings.web_max_streams)

    request_log.init_app(app)
    compression.init_app(app)
    database.init_app(app)
    access.init_app(app)
    app.before_request(check_json_body)
    jwt.init_app(app)
    errors.register(app)
    security.init_app(app)
    cors.init_app(
        app,
        resources={r"/api/*": {"origins": [settings.frontend_origin]}},
        supports_credentials=True,
        allow_headers=["Authorization", "Content-Type", "X-CSRF-TOKEN", "X-Request-ID"],
        expose_headers=["Link", "Retry-After", "X-Request-ID"],
        max_age=600,
        always_send=False,
    )  # nothing for calls without an Origin (same-origin pages, servers, curl)
    limiter.init_app(app)
    _register_blueprints(app)
    spec.register(app)
    app.add_url_rule("/api/openapi.json", endpoint="openapi_document", view_func=lambda: spec.spec)
    app.register_blueprint(frontend_blueprint())
    cli.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from web.api import auth, health, users

    for module in (health, auth, users):
        app.register_blueprint(module.bp)
    for module in _domain_blueprints():
        app.register_blueprint(module.bp)


def _domain_blueprints() -> list:
    """Blueprints of the domain areas (scheduling, appointments, calendars, records)."""
    from web.api import appointments, calendars, clinics, doctors, events, manage, patients, records, sms, waitlist

    return [clinics, doctors, appointments, calendars, records, waitlist, manage, events, patients, sms]


def _flask_config(settings: Settings) -> dict:
    return {
        "SETTINGS": settings,
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        "JSON_SORT_KEYS": False,
        "JWT_SECRET_KEY": settings.jwt_secret_key,
        "JWT_ALGORITHM": "HS256",
        "JWT_DECODE_ALGORITHMS": ["HS256"],
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=settings.access_token_minutes),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=settings.refresh_token_days),
        "JWT_TOKEN_LOCATION": ["headers", "cookies"],
        "JWT_COOKIE_SECURE": settings.is_production,
        "JWT_COOKIE_SAMESITE": "Lax",
        "JWT_COOKIE_CSRF_PROTECT": True,
        "JWT_CSRF_CHECK_FORM": False,
        "JWT_ACCESS_COOKIE_PATH": "/api/",
        "JWT_REFRESH_COOKIE_PATH": "/api/auth/",
        "JWT_SESSION_COOKIE": False,
        "RATELIMIT_ENABLED": settings.ratelimit_enabled,
        "RATELIMIT_STORAGE_URI": settings.redis_url,
        "RATELIMIT_DEFAULT": settings.ratelimit_default,
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": "clinic-rl",
    }
