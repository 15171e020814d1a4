"""A transparent HTTP relay in front of moto's server that counts STS actions.

Tests point AWS_ENDPOINT_URL_STS at it to prove how many calls reached STS
(a cache hit is a call that never arrives). Bytes pass through unchanged.
"""

from __future__ import annotations

import collections
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StsCounter:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.calls: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        counter = self

        class Relay(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", ["?"])[0]
                with counter._lock:
                    counter.calls[action] += 1
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                }
                request = urllib.request.Request(
                    counter.upstream + self.path, data=body, method="POST", headers=headers
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as answer:
                        status, reply, reply_headers = answer.status, answer.read(), answer.headers
                except urllib.error.HTTPError as error:
                    status, reply, reply_headers = error.code, error.read(), error.headers
                self.send_response(status)
                for key in ("Content-Type", "x-amzn-RequestId"):
                    if reply_headers.get(key):
                        self.send_header(key, reply_headers[key])
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Relay)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # Polling every 50 ms, not the default 500 ms: shutdown() in close() waits for the
        # next poll, which cost every test using the relay up to half a second.
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def __getitem__(self, action: str) -> int:
        with self._lock:
            return self.calls[action]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
