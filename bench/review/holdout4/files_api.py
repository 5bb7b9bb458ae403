import os
import tarfile
import tempfile
from pathlib import Path

from flask import Blueprint, abort, request, send_file
from flask_login import login_required

files = Blueprint("files", __name__)
ROOT = Path("/srv/files").resolve()


@files.get("/files/<path:relpath>")
@login_required
def get_file(relpath):
    target = (ROOT / relpath).resolve()
    if ROOT not in target.parents:
        abort(404)
    return send_file(target)


@files.post("/files/archive")
@login_required
def archive():
    names = request.get_json().get("names", [])
    tmp = tempfile.mkdtemp()
    out = os.path.join(tmp, "bundle.tar.gz")
    with tarfile.open(out, "w:gz") as tar:
        for name in names:
            tar.add(os.path.join(ROOT, name), arcname=name)  # expect: path_traversal
    return send_file(out)


@files.get("/thumbs/<name>")
def thumb(name):
    return send_file(f"/srv/thumbs/{name}.png")  # expect: path_traversal
