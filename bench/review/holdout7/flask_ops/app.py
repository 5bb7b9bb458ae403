import json
import pathlib
import shutil
import subprocess

from flask import Flask, abort, request, session

app = Flask(__name__)
app.config["SECRET_KEY"] = b"\x8f\x11ops-static-key\x02\x99"  # expect: hardcoded_secret
SPOOL = pathlib.Path("/var/spool/ops")
ALLOWED_ORIGINS = {"https://ops.example.com"}


def login_required(view):
    def wrapper(*args, **kwargs):
        if "user" not in session:
            abort(401)
        return view(*args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


@app.after_request
def cors(response):
    origin = request.headers.get("Origin", "")
    if origin in ALLOWED_ORIGINS:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


@app.get("/spool/<name>")
@login_required
def spool_file(name):
    return (SPOOL / name).read_bytes()  # expect: path_traversal


@app.post("/spool/move")
@login_required
def spool_move():
    shutil.move(request.form["src"], SPOOL / "archive")  # expect: path_traversal
    return "", 204


@app.post("/git/pull")
@login_required
def git_pull():
    branch = request.form["branch"]
    subprocess.run(["bash", "-c", "cd /srv/app && git pull origin " + branch], check=True)  # expect: command_injection
    return "", 204


@app.post("/git/pull-safe")
@login_required
def git_pull_safe():
    branch = request.form["branch"]
    subprocess.run(["git", "-C", "/srv/app", "pull", "origin", "--", branch], check=True)
    return "", 204


@app.get("/spool")
@login_required
def spool_list():
    names = sorted(p.name for p in SPOOL.iterdir())[:200]
    return json.dumps(names)


@app.get("/status")
def status():
    return {"ok": True}


@app.post("/spool/clear")
def spool_clear():  # expect: missing_auth
    for p in SPOOL.iterdir():
        p.unlink()
    return "", 204
