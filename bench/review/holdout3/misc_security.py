import hashlib
import logging
import random
import string

import requests
import yaml
from flask import Flask, jsonify, make_response, request

app = Flask(__name__)
logger = logging.getLogger(__name__)


def make_reset_token() -> str:
    return "".join(random.choice(string.ascii_letters) for _ in range(32))


def store_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@app.post("/import-yaml")
def import_yaml():
    data = yaml.load(request.files["file"].read(), Loader=yaml.UnsafeLoader)  # expect: insecure_deserialization
    return jsonify(count=len(data))


@app.get("/avatar")
def avatar():
    url = request.args.get("src", "")
    if not url.startswith("https://avatars.example.com/"):
        return jsonify(error="bad url"), 400
    try:
        r = requests.get(url, timeout=3)
    except requests.RequestException:
        return jsonify(error="unavailable"), 502
    resp = make_response(r.content)
    resp.headers["Access-Control-Allow-Origin"] = "*"  # expect: permissive_cors
    return resp


@app.errorhandler(Exception)
def handle_error(err):
    logger.exception("request failed")
    return jsonify(error="internal error"), 500
