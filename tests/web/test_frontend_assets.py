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
    cases = {
        "br, gzip, deflate": "br",
        "gzip, deflate": "gzip",
        "br;q=0, gzip": "gzip",
        "identity": None,
        "": None,
        "*": "br",
        "gzip;q=0, *;q=0": None,
    }
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
    check = subprocess.run(
        [
            node,
            "-e",
            (
                "const fs=require('fs'),z=require('zlib');const bad=[];"
                "for(const p of JSON.parse(process.argv[1])){"
                "if(!z.brotliDecompressSync(fs.readFileSync(p+'.br')).equals(fs.readFileSync(p)))bad.push(p);}"
                "console.log(JSON.stringify(bad));"
            ),
            json.dumps(paths),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0 and json.loads(check.stdout) == [], check.stderr or check.stdout
    for path in paths:
        raw = open(path, "rb").read()
        assert gzip.decompress(open(path + ".gz", "rb").read()) == raw, path
        assert len(open(path + ".br", "rb").read()) < len(raw) or len(raw) < 200, path


def test_a_route_page_announces_its_code_and_data_and_the_session_only_with_its_cookie(client, tmp_path):
    client, _ = client
    (tmp_path / "preloads.json").write_text(
        json.dumps(
            {
                "entry": {"scripts": ["/assets/index-A.js"], "styles": ["/assets/index-A.css"]},
                "routes": [
                    {
                        "pattern": "^/book/?$",
                        "scripts": ["/assets/Book-B.js"],
                        "styles": [],
                        "data": ["/api/clinics", "/api/doctors"],
                    }
                ],
                "signed_in": {"cookie": "csrf_access_token", "data": ["/api/me"]},
            }
        )
    )
    links = client.get("/book").headers["Link"].split(", ")
    assert links == [
        "</assets/index-A.js>; rel=modulepreload",
        "</assets/index-A.css>; rel=preload; as=style; crossorigin",
        "</assets/Book-B.js>; rel=modulepreload",
        "</api/clinics>; rel=preload; as=fetch; crossorigin",
        "</api/doctors>; rel=preload; as=fetch; crossorigin",
    ]
    assert "Cookie" in client.get("/book").headers["Vary"]
    # Another route gets the entry only; the session's first request only when the browser holds its cookie.
    assert client.get("/login").headers["Link"].split(", ") == links[:2]
    client.set_cookie("csrf_access_token", "x")
    assert client.get("/login").headers["Link"].split(", ") == [
        *links[:2],
        "</api/me>; rel=preload; as=fetch; crossorigin",
    ]
    # Never on the assets or the API.
    assert "Link" not in client.get("/assets/app-Ab12.js").headers
    (tmp_path / "preloads.json").write_text("{not json")
    assert "Link" not in client.get("/book").headers  # a broken file: no hints, the page still served


def test_larger_json_reads_are_gzipped_when_accepted(client):
    client, _ = client
    big = client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip, br"})
    assert big.status_code == 200 and big.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in big.headers["Vary"]
    plain = client.get("/api/openapi.json")
    assert plain.headers.get("Content-Encoding") is None
    assert json.loads(gzip.decompress(big.data)) == plain.get_json()
    assert (
        client.get("/api/openapi.json", headers={"Accept-Encoding": "gzip;q=0"}).headers.get("Content-Encoding") is None
    )
    small = client.get("/api/health", headers={"Accept-Encoding": "gzip"})  # under 1 kB: not worth it
    assert small.headers.get("Content-Encoding") is None
