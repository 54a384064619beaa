"""Command-line entry points: `flask --app web db upgrade`, `create-user`, `seed-demo`."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app

from clinic.errors import DomainError
from clinic.identity import service as accounts
from clinic.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def init_app(app: Flask) -> None:
    @app.cli.group("db")
    def db() -> None:
        """Database schema migrations."""

    @db.command("upgrade")
    @click.argument("revision", default="head")
    def upgrade(revision: str) -> None:
        """Bring the database to the given revision (default: the latest)."""
        command.upgrade(alembic_config(current_app.config["SETTINGS"].database_url), revision)

    @db.command("downgrade")
    @click.argument("revision")
    def downgrade(revision: str) -> None:
        """Step the schema back to REVISION."""
        command.downgrade(alembic_config(current_app.config["SETTINGS"].database_url), revision)

    @db.command("current")
    def current() -> None:
        """Show the schema revision of the database."""
        command.current(alembic_config(current_app.config["SETTINGS"].database_url))

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--password", required=True)
    @click.option("--name", "full_name", required=True)
    @click.option("--role", required=True, type=click.Choice(["patient", "doctor", "receptionist", "admin"]))
    @click.option("--locale", default="es", type=click.Choice(["es", "en"]))
    def create_user(email: str, password: str, full_name: str, role: str, locale: str) -> None:
        """Create a user with any role."""
        try:
            with UnitOfWork(current_app.extensions["db_sessionmaker"]) as uow:
                user = accounts.create_user(
                    uow.session, email=email, password=password, full_name=full_name, role=role, locale=locale
                )
                click.echo(f"created {role} {user.email} (id {user.id})")
        except DomainError as err:
            details = "; ".join(f"{k} {v}" for k, v in err.fields.items())
            raise click.ClickException(f"{err.message} {details}".strip()) from err

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Fill an empty database with a realistic demo and print the logins."""
        from clinic import demo

        with UnitOfWork(current_app.extensions["db_sessionmaker"]) as uow:
            logins = demo.seed(uow.session, settings=current_app.config["SETTINGS"])
        click.echo("Demo data created. Logins (password for all: see below):")
        for line in logins:
            click.echo("  " + line)
