"""The built frontend goes out precompressed (brotli, else gzip, by Accept-Encoding, with Vary), hashed assets
cached for a year as immutable, index.html revalidated; and the real build writes those twins."""
from __future__ import annotations

import gzip
import json
import shutil
import subprocess

import pytest

from tests.conftest import make_settings


def fake_brotli(data: bytes) -> bytes:
    """The server never decodes: a marked copy proves which twin it picked."""
    return b"BR:" + data


def unbrotli(data: bytes) -> bytes:
    assert data.startswith(b"BR:")
    return data[3:]


@pytest.fixture()
def client(engine, redis_client, tmp_path, monkeypatch):
    import web.frontend
    from web import create_app

    (tmp_path / "assets").mkdir()
    html = b"<!doctype html><title>app</title>" + b" " * 2000
    script = b"console.log('hello');" * 200
    (tmp_path / "index.html").write_bytes(html)
    (tmp_path / "index.html.br").write_bytes(fake_brotli(html))
    (tmp_path / "index.html.gz").write_bytes(gzip.compress(html))
    (tmp_path / "assets" / "app-Ab12.js").write_bytes(script)
    (tmp_path / "assets" / "app-Ab12.js.br").write_bytes(fake_brotli(script))
    (tmp_path / "assets" / "app-Ab12.js.gz").write_bytes(gzip.compress(script))
    (tmp_path / "assets" / "logo-Cd34.png").write_bytes(b"\x89PNG fake")
    monkeypatch.setattr(web.frontend, "DIST", tmp_path)
    app = create_app({"SETTINGS": make_settings(), "ACCESS_LOG": False})
    app.raw = {"html": html, "script": script}
    return app.test_client(), app.raw


def test_hashed_assets_come_precompressed_by_accept_encoding_and_immutable(client):
    client, raw = client
    cases = {"br, gzip, deflate": "br", "gzip, deflate": "gzip", "br;q=0, gzip": "gzip", "identity": None,
             "": None, "*": "br", "gzip;q=0, *;q=0": None}
    for accept, expected in cases.items():
        r = client.get("/assets/app-Ab12.js", headers={"Accept-Encoding": accept})
        assert r.status_code == 200, accept
        assert r.headers.get("Content-Encoding") == expected, accept
        assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "Accept-Encoding" in r.headers["Vary"]
        assert r.mimetype in ("text/javascript", "application/javascript"), r.mimetype
        body = {"br": unbrotli, "gzip": gzip.decompress, None: bytes}[expected](r.data)
        assert body == raw["script"], accept
    png = client.get("/assets/logo-Cd34.png", headers={"Accept-Encoding": "br, gzip"})
    assert png.headers.get("Content-Encoding") is None and "Accept-Encoding" not in png.headers.get("Vary", "")
    assert png.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_index_html_is_compressed_but_never_cached_as_immutable(client):
    client, raw = client
    for path in ("/", "/book", "/appointments/12", "/index.html"):
        r = client.get(path, headers={"Accept-Encoding": "gzip, br"})
        assert r.status_code == 200, path
        assert r.headers["Content-Encoding"] == "br" and unbrotli(r.data) == raw["html"], path
        assert r.headers["Cache-Control"] == "no-cache" and "Accept-Encoding" in r.headers["Vary"], path
        assert r.mimetype == "text/html"
    assert client.get("/assets/missing.js", headers={"Accept-Encoding": "br"}).status_code == 404


def test_the_build_writes_brotli_and_gzip_twins_of_every_script():
    from tests.e2e.conftest import FRONTEND, _build_frontend

    _build_frontend()
    scripts = list((FRONTEND / "dist" / "assets").glob("*.js"))
    assert scripts
    node = shutil.which("node")
    assert node, "node builds the frontend; it decodes the brotli twins here too"
    paths = [str(p) for p in scripts + [FRONTEND / "dist" / "index.html"]]
    # Node's zlib decodes brotli (Python's standard library does not).
    check = subprocess.run([node, "-e", (
        "const fs=require('fs'),z=require('zlib');const bad=[];"
        "for(const p of JSON.parse(process.argv[1])){"
        "if(!z.brotliDecompressSync(fs.readFileSync(p+'.br')).equals(fs.readFileSync(p)))bad.push(p);}"
        "console.log(JSON.stringify(bad));"), json.dumps(paths)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0 and json.loads(check.stdout) == [], check.stderr or check.stdout
    for path in paths:
        raw = open(path, "rb").read()
        assert gzip.decompress(open(path + ".gz", "rb").read()) == raw, path
        assert len(open(path + ".br", "rb").read()) < len(raw) or len(raw) < 200, path
