"""A real HTTP server on 127.0.0.1 standing in for the portal's catalogue and the hh.ru API, with faults.

Files are served with ETag, Last-Modified, Range and If-Range like a static web server;
directories as HTML listings of ``<a href="...">`` links like the portal's. ``faults`` maps a
path to the faults its next requests meet, one per request: ``429``, ``500``, ``captcha``
(403 with a captcha_url, as hh answers), ``cut`` (headers for the whole body, half of it,
then the connection closes), ``replace`` (half the body, a cut, and the file changes on the
server: new bytes, new ETag). ``broken`` holds bodies served instead of the real file
(a truncated gzip) until removed. ``routes`` answers API paths with JSON from a function.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class Loopback:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.mtime: dict[str, float] = {}
        self.faults: dict[str, list[str]] = {}
        self.broken: dict[str, bytes] = {}
        self.replacements: dict[str, bytes] = {}
        self.routes: dict[str, Callable[[dict, dict], tuple[int, object]]] = {}
        self.log: list[tuple[str, str, int]] = []
        self.delay = 0.0  # seconds per 16 KB sent (slows downloads for kill tests)
        self.lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def put(self, path: str, body: bytes) -> None:
        with self.lock:
            self.files[path] = body
            self.mtime[path] = time.time()

    def etag(self, path: str) -> str:
        return '"' + hashlib.sha1(self.files[path]).hexdigest()[:16] + '"'

    def start(self) -> Loopback:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def requests(self, path: str) -> int:
        return sum(1 for _, p, _ in self.log if p == path)

    def _handler(self):
        lb = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in separate writes: with Nagle on, each answer on a kept-alive
            # connection waited for the client's delayed ACK (40 ms a request, 6 of CI's minutes)
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                path = parsed.path
                with lb.lock:
                    queue = lb.faults.get(path)
                    fault = queue.pop(0) if queue else None
                lb.log.append(("GET", path, 0))
                if fault == "429":
                    return self._send(
                        429, b'{"errors":[{"type":"too_many_requests"}]}', "application/json", {"Retry-After": "0"}
                    )
                if fault == "500":
                    return self._send(500, b"internal error", "text/plain")
                if fault == "captcha":
                    body = json.dumps(
                        {
                            "errors": [
                                {
                                    "type": "captcha_required",
                                    "value": "captcha_required",
                                    "captcha_url": f"{lb.url}/captcha",
                                }
                            ]
                        }
                    ).encode()
                    return self._send(403, body, "application/json")
                route = lb.routes.get(path) or next(
                    (fn for prefix, fn in lb.routes.items() if prefix.endswith("/") and path.startswith(prefix)), None
                )
                if route is not None:
                    status, payload = route({**parse_qs(parsed.query), "_path": [path]}, dict(self.headers))
                    return self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")
                if path.endswith("/") and any(p.startswith(path) and p != path for p in lb.files):
                    names = sorted({p[len(path) :].split("/")[0] for p in lb.files if p.startswith(path)})
                    links = "".join(f'<a href="{n}">{n}</a>\n' for n in names)
                    return self._send(200, f"<html><body><pre>{links}</pre></body></html>".encode(), "text/html")
                if path not in lb.files:
                    return self._send(404, b"not found", "text/plain")
                self._file(path, fault)

            def _file(self, path: str, fault: str | None) -> None:
                body = lb.broken.get(path, lb.files[path])
                etag = lb.etag(path)
                start = 0
                rng = self.headers.get("Range")
                if_range = self.headers.get("If-Range")
                if rng and (if_range is None or if_range == etag):
                    start = int(rng.split("=")[1].split("-")[0])
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                part = body[start:]
                self.send_response(206 if start else 200)
                self.send_header("Content-Type", "application/gzip")
                self.send_header("Content-Length", str(len(part)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", formatdate(lb.mtime[path], usegmt=True))
                self.send_header("Accept-Ranges", "bytes")
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.end_headers()
                limit = len(part) // 2 if fault in ("cut", "replace") else len(part)
                sent = 0
                while sent < limit:
                    chunk = part[sent : min(limit, sent + 16384)]
                    try:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError):
                        return
                    sent += len(chunk)
                    if lb.delay:
                        time.sleep(lb.delay)
                if fault == "replace":
                    lb.put(path, lb.replacements[path])
                if sent < len(part):
                    self.close_connection = True
                    try:
                        self.connection.shutdown(2)
                    except OSError:
                        pass

        return Handler
