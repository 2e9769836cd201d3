"""The test harness's nginx, running the production site file deploy/nginx/lianjian.conf:
HTTP reaches the upstreams, a browser sticks to one upstream by its cookie, the static
files are gzipped, a WebSocket passes through (to the same upstream as the page), and a
stopped upstream's users move to the other one.

The upstreams are tiny servers of the ``websockets`` package (which Streamlit requires):
plain HTTP answers from ``process_request``, a WebSocket echo otherwise.
"""
import gzip
import http.client
import json
import threading
import uuid

import pytest
from websockets.datastructures import Headers
from websockets.http11 import Response
from websockets.sync.client import connect
from websockets.sync.server import serve

from tests.nginx_proxy import ROUTE_COOKIE, UPSTREAM_HEADER, start_nginx

SCRIPT = ("// the dashboard's bundle, in miniature\n"
          + "".join(f"export function f{i}(x) {{ return x * {i} + 1; }}\n" for i in range(800)))
STYLE = "".join(f".c{i} {{ color: #c8102e; margin: {i}px; }}\n" for i in range(300))
DATA = json.dumps([{"village": f"村{i}", "income": i * 1.5} for i in range(300)],
                  ensure_ascii=False)


class Upstream:
    """One upstream server on a free port of 127.0.0.1, in a thread."""

    def __init__(self, name: str):
        self.name = name
        self.seen_headers = []
        self.server = serve(self._echo, "127.0.0.1", 0, process_request=self._http,
                            compression=None)
        self.port = self.server.socket.getsockname()[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _http(self, connection, request):
        """Plain HTTP answers; None (go on with the handshake) for the WebSocket."""
        self.seen_headers.append(dict(request.headers.raw_items()))
        if request.path == "/ws":
            return None
        content = {"/static/app.js": ("text/javascript", SCRIPT),
                   "/static/style.css": ("text/css", STYLE),
                   "/data.json": ("application/json", DATA),
                   "/headers": ("application/json",
                                json.dumps(dict(request.headers.raw_items())))}
        kind, text = content.get(request.path, ("text/plain; charset=utf-8", self.name))
        body = text.encode()
        return Response(200, "OK", Headers([("Content-Type", kind),
                                            ("Content-Length", str(len(body))),
                                            ("Connection", "close")]), body)

    def _echo(self, websocket):
        for message in websocket:
            websocket.send(f"{self.name}:{message}")

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=10)


def get(proxy, path, headers=None):
    """(status, headers (lower-case names), body bytes as sent) of a GET through nginx."""
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


@pytest.fixture(scope="module")
def upstreams():
    servers = [Upstream("A"), Upstream("B")]
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def proxy(upstreams, tmp_path_factory):
    running = start_nginx(tmp_path_factory.mktemp("nginx"), [u.port for u in upstreams])
    yield running
    running.stop()


def test_http_is_proxied_with_the_forwarded_headers(proxy, upstreams):
    status, headers, body = get(proxy, "/headers", {"X-Forwarded-For": "203.0.113.9",
                                                   "X-Real-IP": "203.0.113.9"})
    assert status == 200
    seen = {k.lower(): v for k, v in json.loads(body).items()}
    assert seen["host"] == f"127.0.0.1:{proxy.port}"        # with the port: Origin check
    assert seen["x-forwarded-for"] == "127.0.0.1"         # the browser's own is replaced
    assert seen["x-real-ip"] == "127.0.0.1"
    assert seen["x-forwarded-proto"] == "http"
    assert "upgrade" not in seen and "connection" not in seen   # keep-alive to upstreams
    assert headers[UPSTREAM_HEADER.lower()].split(":")[-1] in {str(u.port) for u in upstreams}


def test_a_browser_sticks_to_one_upstream_by_its_cookie(proxy, upstreams):
    status, headers, body = get(proxy, "/")
    assert status == 200
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"{ROUTE_COOKIE}=") and "HttpOnly" in cookie
    assert "Path=/" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    first = body.decode()
    for _ in range(15):
        status, headers, body = get(proxy, "/", {"Cookie": f"{ROUTE_COOKIE}={value}"})
        assert body.decode() == first
        assert "set-cookie" not in headers          # the cookie is set once
    # other browsers are spread over both upstreams
    names = {get(proxy, "/", {"Cookie": f"{ROUTE_COOKIE}={uuid.uuid4().hex}"})[2].decode()
             for _ in range(40)}
    assert names == {"A", "B"}
    # and a test can pick the upstream it wants
    for upstream in upstreams:
        chosen = proxy.route_cookie(upstream.port)
        assert get(proxy, "/", {"Cookie": f"{ROUTE_COOKIE}={chosen}"})[2].decode() \
            == upstream.name


@pytest.mark.parametrize("path, text", [("/static/app.js", SCRIPT),
                                        ("/static/style.css", STYLE),
                                        ("/data.json", DATA)])
def test_static_files_are_gzipped(proxy, path, text):
    status, headers, body = get(proxy, path, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("content-encoding") == "gzip"
    assert "Accept-Encoding" in headers.get("vary", "")
    assert gzip.decompress(body) == text.encode()
    assert len(body) < len(text.encode()) / 3
    # a client that does not accept gzip gets the bytes as they are
    status, headers, body = get(proxy, path)
    assert "content-encoding" not in headers and body == text.encode()


def test_small_answers_are_not_compressed(proxy):
    status, headers, body = get(proxy, "/", {"Accept-Encoding": "gzip"})
    assert "content-encoding" not in headers and body.decode() in {"A", "B"}


def test_websocket_passes_through_to_the_page_upstream(proxy, upstreams):
    for upstream in upstreams:
        cookie = proxy.route_cookie(upstream.port)
        headers = {"Cookie": f"{ROUTE_COOKIE}={cookie}"}
        assert get(proxy, "/", headers)[2].decode() == upstream.name
        with connect(f"{proxy.ws_url}/ws", additional_headers=headers, proxy=None,
                     open_timeout=10) as websocket:
            for message in ("你好", "x" * 200_000):
                websocket.send(message)
                assert websocket.recv(timeout=10) == f"{upstream.name}:{message}"
        handshake = upstream.seen_headers[-1]
        lower = {k.lower(): v for k, v in handshake.items()}
        assert lower["upgrade"].lower() == "websocket"
        assert lower["connection"].lower() == "upgrade"


def test_a_stopped_upstream_moves_its_users(tmp_path):
    first, second = Upstream("A"), Upstream("B")
    proxy = start_nginx(tmp_path, [first.port, second.port])
    try:
        cookie = {"Cookie": f"{ROUTE_COOKIE}={proxy.route_cookie(second.port)}"}
        assert get(proxy, "/", cookie)[2].decode() == "B"
        second.stop()
        status, _, body = get(proxy, "/", cookie)
        assert (status, body.decode()) == (200, "A")
    finally:
        proxy.stop()
        first.stop()
    assert not proxy.alive() and not proxy.folder.exists()
    proxy.stop()                                   # a second call does nothing


def test_missing_nginx_names_the_package(monkeypatch, tmp_path):
    from tests import nginx_proxy
    monkeypatch.setattr(nginx_proxy, "NGINX", tmp_path / "nginx")
    with pytest.raises(nginx_proxy.ProxyError, match="apt-get install -y nginx"):
        start_nginx(tmp_path, [1])
