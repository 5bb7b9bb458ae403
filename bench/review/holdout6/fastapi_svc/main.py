import hashlib
import logging
import os
import subprocess
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel

from fastapi_svc.security import current_user, require_admin

app = FastAPI()
log = logging.getLogger(__name__)
DEBUG = False
UPLOADS = Path("/srv/uploads")
COMMANDS = {"disk": "df -h", "load": "uptime"}


class ThumbRequest(BaseModel):
    name: str
    width: int = 128


def convert(source: str, width: int) -> None:
    subprocess.run(f"convert {source} -resize {width} /tmp/thumb.png", shell=True, check=True)


def convert_fixed(width: int) -> None:
    subprocess.run(f"convert /srv/logo.png -resize {width} /tmp/logo.png", shell=True, check=True)


@app.post("/thumbs")
def make_thumb(body: ThumbRequest, user=Depends(current_user)):
    convert(body.name, body.width)  # expect: command_injection
    return {"ok": True}


@app.post("/logo")
def make_logo(width: int, user=Depends(current_user)):
    convert_fixed(width)
    return {"ok": True}


@app.get("/diagnostics/{name}")
def diagnostics(name: str, user=Depends(require_admin)):
    if name not in COMMANDS:
        raise HTTPException(404)
    return {"out": subprocess.run(COMMANDS[name], shell=True, capture_output=True, text=True, timeout=10).stdout}


@app.get("/files/{name}")
def read_file(name: str, user=Depends(current_user)):
    return {"text": (UPLOADS / name).read_text()}  # expect: path_traversal


@app.put("/files/{name}")
def write_file(name: str, text: str, user=Depends(current_user)):
    Path(UPLOADS, name).write_text(text)  # expect: path_traversal
    return {"ok": True}


@app.get("/debug/env")
def env(key: str, user=Depends(require_admin)):
    if DEBUG:
        return {"value": eval(key)}
    return {"value": os.environ.get(key, "")[:0]}


@app.get("/fetch")
async def fetch(url: str, user=Depends(current_user)):
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.get(url)  # expect: ssrf
        return {"status": resp.status_code}


@app.get("/fetch/partner")
async def fetch_partner(path: str, user=Depends(current_user)):
    target = {"base": "https://partner.example.com", "path": path}
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.get(target["base"] + "/v1/status")
        return {"status": resp.status_code}


@app.get("/avatar-hash")
def avatar_hash(email: str):
    return {"hash": hashlib.md5(email.strip().lower().encode()).hexdigest()}


@app.delete("/cache")
def clear_cache():  # expect: missing_auth
    subprocess.run(["rm", "-rf", "/tmp/cache"], check=True)
    return {"ok": True}
