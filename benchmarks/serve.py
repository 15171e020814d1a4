"""Row 12: a credentials request answered by `roleswitch serve` from its held credentials.

The baseline is the least an HTTP answer on loopback can cost: a bare
`http.server` handler that writes a fixed body of the same size, asked the same
way (a new connection per request, as botocore's container fetcher does). Both
servers and the client run in this process, alternating, so both pay the same.
"""

from __future__ import annotations

import http.client
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TARGET_SECONDS = 0.002


def run(bench) -> None:
    from benchmarks.__main__ import ms, p95
    from roleswitch.core.model import Credentials
    from roleswitch.serve.refresher import Refresher
    from roleswitch.serve.server import PATH, CredentialServer

    print("12. credential server: a request answered from held credentials", flush=True)
    credentials = Credentials(
        "ASIABENCHMARKSERVE01",
        "bench-secret/" + "s" * 27,
        "bench-token/" + "t" * 600,
        datetime.now(UTC) + timedelta(hours=1),
    )
    refresher = Refresher(lambda: credentials)
    refresher.prime(credentials)
    served = CredentialServer(refresher.get).start()
    body = b"x" * 800  # about the size of the credentials JSON

    class Fixed(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    baseline = ThreadingHTTPServer(("127.0.0.1", 0), Fixed)
    baseline.daemon_threads = True
    threading.Thread(target=baseline.serve_forever, daemon=True).start()
    sides = {
        "baseline": (baseline.server_address[1], {}),
        "serve": (served.port, {"Authorization": served.token}),
    }
    times: dict[str, list[float]] = {name: [] for name in sides}
    try:
        for round_number in range(bench.runs(2000, 400) + 50):
            for name, (port, headers) in sides.items():
                began = time.perf_counter()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", PATH, headers=headers)
                answer = connection.getresponse()
                answer.read()
                connection.close()
                if answer.status != 200:
                    raise SystemExit(f"benchmark request to {name} answered {answer.status}")
                if round_number >= 50:  # the first 50 warm both up
                    times[name].append(time.perf_counter() - began)
    finally:
        served.stop()
        baseline.shutdown()
        baseline.server_close()
    base, ours = p95(times["baseline"]), p95(times["serve"])
    bench.record(
        12,
        "credential server request answered from held credentials, p95",
        f"{ms(ours)} vs a loopback HTTP round trip {ms(base)}",
        ours / base,
        "<= 2 ms p95",
        ours <= TARGET_SECONDS,
        requests=len(times["serve"]),
    )
