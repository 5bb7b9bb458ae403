import http.client
import os
import pickle
import shutil
import socket
import subprocess
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

DATA = "/var/lib/agent"
TOKEN = "agent-7d1e4c9b2a8f6e30"  # expect: hardcoded_secret


class AgentHandler(BaseHTTPRequestHandler):
    def params(self):
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def reply(self, code, text):
        self.send_response(code)
        self.end_headers()
        self.wfile.write(text.encode())

    def do_GET(self):
        q = self.params()
        if self.path.startswith("/cat"):
            with open(os.path.join(DATA, q["file"])) as fh:  # expect: path_traversal
                self.reply(200, fh.read())
        elif self.path.startswith("/exists"):
            self.reply(200, str(os.path.isfile(os.path.join(DATA, q["file"]))))  # expect: path_traversal
        elif self.path.startswith("/check"):
            conn = http.client.HTTPConnection(q["host"], timeout=5)  # expect: ssrf
            conn.request("GET", "/")
            self.reply(200, str(conn.getresponse().status))
        elif self.path.startswith("/du"):
            out = subprocess.check_output(f"du -sh {DATA}/{q['dir']}", shell=True, timeout=10)  # expect: command_injection
            self.reply(200, out.decode())
        elif self.path.startswith("/version"):
            self.reply(200, "1.4.2")
        else:
            self.reply(404, "not found")

    def do_POST(self):
        if self.headers.get("X-Token") != TOKEN:
            self.reply(401, "no")
            return
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/state":
            state = pickle.loads(body)  # expect: insecure_deserialization
            self.reply(200, str(len(state)))
        elif self.path == "/copy":
            src, dst = body.decode().split("\n", 1)
            shutil.copyfile(src, os.path.join(DATA, "copies", os.path.basename(dst)))  # expect: path_traversal
            self.reply(204, "")
        elif self.path == "/relay":
            host, port = body.decode().split(":")
            with socket.create_connection((host, int(port)), timeout=5) as s:  # expect: ssrf
                s.sendall(b"PING\r\n")
            self.reply(204, "")


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", 9100), AgentHandler).serve_forever()
