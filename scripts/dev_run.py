"""The second half of `bin/run`: services, configuration, migrations, demo data, then honcho.

bin/run has already built .venv and the frontend. This finds or starts PostgreSQL and Redis
(scripts/services.py), starts the dev mailbox unless RESEND_API_KEY is set, migrates, seeds the demo,
runs web + worker + scheduler (+ mailbox) under honcho, prints the URL and the demo logins, and on exit
stops whatever it started itself.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib import request as urlrequest
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts import services  # noqa: E402

ROOT = services.ROOT
VAR = services.VAR
BIN = Path(sys.executable).parent


def jwt_secret() -> str:
    path = VAR / "jwt_secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def procfile_dev(with_mailbox: bool) -> Path:
    """var/Procfile.dev: the project's Procfile (web first, so honcho gives it $PORT) plus the mailbox."""
    lines = [ln for ln in (ROOT / "Procfile").read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    lines.sort(key=lambda ln: not ln.startswith("web:"))
    if with_mailbox:
        lines.append(
            f"mailbox: {BIN / 'python'} scripts/dev_mailbox.py --port $MAILBOX_PORT "
            "--smtp-port $MAILBOX_SMTP_PORT --dir var/mail"
        )
    path = VAR / "Procfile.dev"
    path.write_text("\n".join(lines) + "\n")
    return path


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "flask"), "--app", "web", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def wait_and_announce(url: str, logins: list[str], mailbox: str | None, honcho: subprocess.Popen) -> None:
    end = time.time() + 90
    while time.time() < end and honcho.poll() is None:
        try:
            with urlrequest.urlopen(url + "/api/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        print("[run] the web process did not answer /api/health within 90 s; see the log above", flush=True)
        return
    lines = ["", "=" * 64, f"  Clinic is running at {url}/", f"  API: {url}/api  (OpenAPI: {url}/api/openapi.json)"]
    if mailbox:
        lines.append(f"  Emails and SMS sent by the demo (and SMS replies): {mailbox}/")
    lines.append("  Demo logins:")
    lines += [f"    {ln.strip()}" for ln in logins if "@" in ln] or ["    (seed-demo printed no logins)"]
    lines += ["  Stop with Ctrl-C.", "=" * 64, ""]
    print("\n".join(lines), flush=True)


def main() -> int:
    VAR.mkdir(exist_ok=True)
    (VAR / "mail").mkdir(exist_ok=True)
    env = dict(os.environ)
    embedded = services.Embedded()
    try:
        env.update(services.resolve(env, embedded, force_embedded=env.get("EMBEDDED_SERVICES") == "1"))
        port = env.setdefault("PORT", "8000")
        url = f"http://localhost:{port}"
        if services.port_open("127.0.0.1", int(port)):
            print(f"[run] port {port} is already in use: stop what runs there or choose another with PORT=...")
            return 1
        env.setdefault("APP_ENV", "development")
        env.setdefault("FRONTEND_ORIGIN", url)
        env.setdefault("PUBLIC_URL", url)
        env.setdefault("EMAIL_FROM", "Clínica Demo <citas@demo.clinic>")
        env.setdefault("JWT_SECRET_KEY", jwt_secret())
        env.setdefault("PYTHONUNBUFFERED", "1")
        mailbox = None
        if not env.get("RESEND_API_KEY"):
            env["MAILBOX_PORT"] = env.get("MAILBOX_PORT") or str(services.free_port())
            mailbox = f"http://127.0.0.1:{env['MAILBOX_PORT']}"
            env["RESEND_API_KEY"] = "re_dev_mailbox"
            env["RESEND_API_URL"] = mailbox
            env["MAILBOX_SMTP_PORT"] = env.get("MAILBOX_SMTP_PORT") or str(services.free_port())
            env.setdefault("SMTP_URL", f"smtp://dev:dev@127.0.0.1:{env['MAILBOX_SMTP_PORT']}")
            if not env.get("TWILIO_ACCOUNT_SID"):  # texts go to the mailbox too, which can answer them
                env.update(
                    TWILIO_ACCOUNT_SID="AC" + "0" * 32,
                    TWILIO_AUTH_TOKEN=secrets.token_hex(16),
                    TWILIO_FROM=env.get("TWILIO_FROM") or "+34900000000",
                    TWILIO_API_URL=mailbox,
                )
        else:  # a real key: invitations go through Resend's SMTP relay, as in production
            env.setdefault("SMTP_URL", f"smtps://resend:{quote(env['RESEND_API_KEY'], safe='')}@smtp.resend.com:465")
        env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(BIN.parent)

        print("[run] migrating the database", flush=True)
        r = flask(env, "db", "upgrade")
        if r.returncode != 0:
            print(r.stdout + r.stderr)
            print("[run] `flask --app web db upgrade` failed")
            return 1
        r = flask(env, "seed-demo")
        if r.returncode != 0:
            print(r.stdout + r.stderr)
            print("[run] `flask --app web seed-demo` failed (starting anyway)")
        logins = r.stdout.splitlines()

        honcho = subprocess.Popen(
            [str(BIN / "honcho"), "start", "-f", str(procfile_dev(mailbox is not None)), "-d", str(ROOT)],
            cwd=ROOT,
            env=env,
        )
        # Ctrl-C reaches honcho through the terminal; SIGTERM (e.g. from a supervisor) is forwarded.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: honcho.poll() is None and honcho.send_signal(signal.SIGTERM))
        threading.Thread(target=wait_and_announce, args=(url, logins, mailbox, honcho), daemon=True).start()
        return honcho.wait()
    finally:
        embedded.stop()


if __name__ == "__main__":
    sys.exit(main())
