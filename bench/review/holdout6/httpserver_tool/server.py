import json
import os
import socket
import subprocess
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from urllib.request import urlopen

ROOT = "/srv/share"


class Handler(BaseHTTPRequestHandler):
    def _query(self):
        return parse_qs(urlparse(self.path).query)

    def _send(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/file"):
            name = self._query()["name"][0]
            with open(os.path.join(ROOT, name), "rb") as fh:  # expect: path_traversal
                data = fh.read()
            self.send_response(200)
            self.end_headers()
            self.wfile.write(data)
        elif self.path.startswith("/proxy"):
            target = self._query()["url"][0]
            with urlopen(target, timeout=5) as resp:  # expect: ssrf
                self._send(200, {"status": resp.status})
        elif self.path.startswith("/probe"):
            raw = self.path.split("?", 1)[1]
            host = dict(pair.split("=", 1) for pair in raw.split("&"))["host"]
            sock = socket.create_connection((host, 80), timeout=3)  # expect: ssrf
            sock.close()
            self._send(200, {"open": True})
        elif self.path.startswith("/ping"):
            host = self._query()["host"][0]
            out = subprocess.run("ping -c1 " + host, shell=True, capture_output=True, timeout=5)  # expect: command_injection
            self._send(200, {"rc": out.returncode})
        elif self.path.startswith("/uptime"):
            out = subprocess.run(["uptime"], capture_output=True, timeout=5)
            self._send(200, {"out": out.stdout.decode()})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        payload = json.loads(self.rfile.read(length))
        try:
            os.remove(os.path.join(ROOT, payload["name"]))  # expect: path_traversal
        except OSError as exc:
            self._send(500, {"error": str(exc)})  # expect: error_detail_leak
            return
        self._send(204, {})


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", 8000), Handler).serve_forever()
