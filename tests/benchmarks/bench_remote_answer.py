"""What one huge answer of a remote store costs the web process: `python tests/benchmarks/bench_remote_answer.py [--rows N]`.

A benchmark, not a test: it prints figures and asserts nothing. A store in a process of its own streams
``--rows`` rows of SPARQL JSON (as a store that holds them would answer ``LIMIT 3000000``); the app, as
serve.py makes it over ``RemoteStore``, is asked that query at /sparql in this process. Printed: the status,
the seconds it took, the growth of this process's peak memory, and how much of the answer the store got to
send before it was hung up on.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WEB = "http://letters.test/"
ROW = b'{"s":{"type":"uri","value":"http://letters.test/id/person/p%d"}}'


def serve(rows: int, port: multiprocessing.Value, sent: multiprocessing.Value) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                chunk = [b'{"head":{"vars":["s"]},"results":{"bindings":[']
                for i in range(rows):
                    chunk.append((b"," if i else b"") + ROW % i)
                    if len(chunk) >= 1000:
                        data = b"".join(chunk)
                        self.wfile.write(data)
                        sent.value += len(data)
                        chunk = []
                chunk.append(b"]}}")
                data = b"".join(chunk)
                self.wfile.write(data)
                sent.value += len(data)
            except OSError:
                pass
            self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port.value = server.server_address[1]
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--timeout", type=float, default=120.0, help="--query-timeout of the app")
    args = parser.parse_args()
    port, sent = multiprocessing.Value("i", 0), multiprocessing.Value("q", 0)
    store = multiprocessing.Process(target=serve, args=(args.rows, port, sent), daemon=True)
    store.start()
    while not port.value:
        time.sleep(0.01)

    from flask import Flask  # noqa: F401  (imported before the baseline is taken)

    from lod.config import Settings
    from lod.store import RemoteStore
    from lod.web import create_app

    settings = Settings(base=WEB, query_timeout=args.timeout)
    app = create_app(settings, RemoteStore(f"http://127.0.0.1:{port.value}/sparql", web_base=WEB,
                                           timeout=settings.query_timeout))
    client = app.test_client()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    answer = client.get("/sparql", query_string={"query": f"SELECT ?s WHERE {{ ?s a ?t }} LIMIT {args.rows}"},
                        headers={"Accept": "application/sparql-results+json"})
    took = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    time.sleep(0.5)  # for the store to notice a hang-up
    whole = sum(len(ROW % i) + 1 for i in range(args.rows)) + 50
    print(f"{args.rows} rows ({whole / 2 ** 20:.0f} MiB of JSON): status {answer.status_code}, {took:.1f} s, "
          f"peak memory +{grown:.0f} MiB, the store sent {sent.value / 2 ** 20:.1f} MiB")
    print("  " + answer.get_data(as_text=True).strip().splitlines()[0][:160])
    store.kill()


if __name__ == "__main__":
    main()
