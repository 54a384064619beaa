"""render.yaml: every start command names a real entry point, and every process gets the settings it needs."""

from __future__ import annotations

import importlib
import importlib.util
import re
import shlex
from pathlib import Path

import pytest
import yaml

from clinic.settings import REQUIRED

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = yaml.safe_load((ROOT / "render.yaml").read_text())
SERVICES = {s["name"]: s for s in BLUEPRINT["services"]}
PYTHON = [s for s in BLUEPRINT["services"] if s.get("runtime") == "python"]
GROUPS = {g["name"]: g for g in BLUEPRINT.get("envVarGroups", [])}
DATABASES = {d["name"] for d in BLUEPRINT.get("databases", [])}
PROCFILE = dict(re.findall(r"^([\w-]+):\s*(.+)$", (ROOT / "Procfile").read_text(), re.M))


def env_vars(service: dict) -> dict[str, dict]:
    """The service's env vars by key, with env groups expanded."""
    out = {}
    for item in service.get("envVars", []):
        if "fromGroup" in item:
            assert item["fromGroup"] in GROUPS, f"unknown env group {item['fromGroup']}"
            out.update({v["key"]: v for v in GROUPS[item["fromGroup"]]["envVars"]})
        else:
            out[item["key"]] = item
    return out


def check_entry_point(command: str) -> None:
    """Fail unless the command's program and module/app exist in this checkout."""
    argv = shlex.split(command)
    if argv[0] == "gunicorn":
        config = argv[argv.index("--config") + 1]
        assert (ROOT / config).is_file(), f"gunicorn config {config} missing"
        module, call = argv[-1].split(":")
        factory = getattr(importlib.import_module(module), call.removesuffix("()"))
        assert callable(factory)
    elif argv[:2] == ["dramatiq", "workers.main:boot"] or argv[0] == "dramatiq":
        modules = [a for a in argv[1:] if not a.startswith("-") and not a.isdigit() and not a.startswith("$")]
        assert modules, command
        for module in modules:
            assert importlib.util.find_spec(module.split(":")[0]) is not None, f"no module {module}"
    elif argv[:2] == ["python", "-m"]:
        assert importlib.util.find_spec(argv[2] + ".__main__") is not None, f"`python -m {argv[2]}` has no __main__"
    elif argv[:3] == ["flask", "--app", "web"]:
        from web import create_app
        from tests.conftest import make_settings

        cli = create_app({"SETTINGS": make_settings()}).cli
        group = cli.get_command(None, argv[3])
        assert group is not None, f"no flask command {argv[3]}"
        if len(argv) > 4:
            assert group.get_command(None, argv[4]) is not None, f"no flask command {argv[3]} {argv[4]}"
    else:
        pytest.fail(f"unrecognised command {command!r}")


def test_python_services_are_web_worker_and_scheduler():
    kinds = sorted((s["type"], s["startCommand"].split()[0]) for s in PYTHON)
    assert kinds == [("web", "gunicorn"), ("worker", "dramatiq"), ("worker", "python")]


@pytest.mark.parametrize("service", PYTHON, ids=lambda s: s["name"])
def test_start_commands_name_real_entry_points(service):
    check_entry_point(service["startCommand"])
    if "preDeployCommand" in service:
        check_entry_point(service["preDeployCommand"])


def test_web_service_migrates_before_start_and_is_health_checked():
    web = next(s for s in PYTHON if s["type"] == "web")
    assert web["preDeployCommand"] == "flask --app web db upgrade"
    assert web["healthCheckPath"] == "/api/health"
    assert "gunicorn.conf.py" in web["startCommand"] and "web:create_app()" in web["startCommand"]


def test_procfile_uses_the_same_entry_points():
    by_program = {s["startCommand"].split()[0]: s["startCommand"] for s in PYTHON}
    assert PROCFILE["web"] == by_program["gunicorn"]
    assert (
        shlex.split(PROCFILE["worker"])[:2]
        == shlex.split(by_program["dramatiq"])[:2]
        == ["dramatiq", "workers.main:boot"]
    )
    assert PROCFILE["scheduler"] == by_program["python"] == "python -m scheduler"
    for command in PROCFILE.values():
        check_entry_point(command)


@pytest.mark.parametrize("service", PYTHON, ids=lambda s: s["name"])
def test_every_required_setting_is_wired(service):
    env = env_vars(service)
    missing = [name for name in REQUIRED if name not in env]
    assert not missing, f"{service['name']} lacks {missing}"
    assert env["APP_ENV"]["value"] == "production"
    assert env["DATABASE_URL"]["fromDatabase"] == {
        "name": env["DATABASE_URL"]["fromDatabase"]["name"],
        "property": "connectionString",
    }
    assert env["DATABASE_URL"]["fromDatabase"]["name"] in DATABASES
    redis_ref = env["REDIS_URL"]["fromService"]
    assert redis_ref["type"] == "keyvalue" and redis_ref["property"] == "connectionString"
    assert SERVICES[redis_ref["name"]]["type"] == "keyvalue"
    assert env["JWT_SECRET_KEY"].get("generateValue") is True
    for secret in ("RESEND_API_KEY", "SENTRY_DSN"):
        assert env[secret].get("sync") is False, f"{secret} must be a secret set in the dashboard"
        assert "value" not in env[secret]


def test_jwt_secret_is_shared_through_one_group():
    """generateValue on each service would give each process its own secret; a group generates one."""
    holders = {g for g, group in GROUPS.items() if any(v["key"] == "JWT_SECRET_KEY" for v in group["envVars"])}
    assert len(holders) == 1
    (group,) = holders
    for service in PYTHON:
        assert {"fromGroup": group} in service["envVars"]


def test_env_var_names_are_ones_the_code_reads():
    known = set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', (ROOT / "clinic" / "settings.py").read_text()))
    known |= set(re.findall(r"""['"]([A-Z][A-Z0-9_]{2,})['"]""", (ROOT / "gunicorn.conf.py").read_text()))
    known |= {"APP_ENV", "PYTHON_VERSION", "RESEND_API_KEY"}
    for service in PYTHON:
        unknown = set(env_vars(service)) - known
        assert not unknown, f"{service['name']} sets variables nothing reads: {unknown}"


def test_key_value_store_never_evicts():
    kv = [s for s in BLUEPRINT["services"] if s["type"] == "keyvalue"]
    assert len(kv) == 1 and kv[0]["maxmemoryPolicy"] == "noeviction"


def test_static_site_serves_the_built_frontend_as_an_spa():
    site = next(s for s in BLUEPRINT["services"] if s.get("runtime") == "static")
    assert site["staticPublishPath"] == "frontend/dist"
    assert "npm ci" in site["buildCommand"] and "npm run build" in site["buildCommand"]
    assert {"type": "rewrite", "source": "/*", "destination": "/index.html"} in site["routes"]
    web = next(s for s in PYTHON if s["type"] == "web")
    origin = env_vars(web)["FRONTEND_ORIGIN"]["value"]
    assert origin.startswith("https://") and site["name"] in origin
