import codecs
import hashlib
import logging
import os
import subprocess
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI, Header, HTTPException

from fastapi_media.auth import get_user

app = FastAPI()
log = logging.getLogger(__name__)
MEDIA = Path("/srv/media")
FORMATS = {"small": "-resize 200x200", "large": "-resize 1200x1200"}
USE_FFMPEG = True


def transcode(src: str, fmt: str) -> None:
    subprocess.run(f"ffmpeg -i {src} -f {fmt} /tmp/out", shell=True, check=True)


def probe(url: str) -> int:
    try:
        return httpx.head(url, timeout=5).status_code
    except httpx.HTTPError:
        return 0


def media_path(name: str) -> Path:
    return MEDIA / name


@app.post("/transcode")
def start_transcode(src: str, fmt: str, user=Depends(get_user)):
    transcode(src, fmt)  # expect: command_injection
    return {"ok": True}


@app.post("/transcode/default")
def start_default(user=Depends(get_user)):
    transcode("/srv/media/intro.mp4", "webm")
    return {"ok": True}


@app.get("/probe")
def probe_url(url: str, user=Depends(get_user)):
    return {"status": probe(url)}  # expect: ssrf


@app.get("/thumb/{size}")
def thumb(size: str, user=Depends(get_user)):
    options = FORMATS.get(size, FORMATS["small"])
    subprocess.run("convert /srv/media/in.png " + options + " /tmp/t.png", shell=True, check=True)
    return {"ok": True}


@app.get("/captions/{name}")
def captions(name: str, user=Depends(get_user)):
    with codecs.open(str(media_path(name)), encoding="utf-8") as fh:  # expect: path_traversal
        return {"text": fh.read()}


@app.get("/media/{name}/size")
def size(name: str, user=Depends(get_user)):
    return {"bytes": os.path.getsize(MEDIA / name)}  # expect: path_traversal


@app.post("/media/{name}")
def upload(name: str, data: bytes, user=Depends(get_user)):
    Path(MEDIA, Path(name).name).write_bytes(data)
    return {"ok": True}


@app.get("/gravatar")
def gravatar(email: str):
    return {"url": "https://gravatar.com/avatar/" + hashlib.md5(email.encode()).hexdigest()}


@app.get("/admin/stats")
def stats(x_admin: str = Header("")):  # expect: missing_auth
    if USE_FFMPEG:
        return {"jobs": 3}
    return {"jobs": 0}


@app.delete("/media/{name}")
def delete(name: str, user=Depends(get_user)):
    try:
        os.remove(media_path(os.path.basename(name)))
    except OSError as exc:
        raise HTTPException(500, detail=str(exc))  # expect: error_detail_leak
    return {"ok": True}
