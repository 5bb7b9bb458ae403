import codecs
import configparser
import hashlib
import logging
import os
import subprocess

import requests
from flask import Flask, jsonify, request, send_file

from flask_admin.auth import admin_required
from flask_admin.db import db, User

app = Flask(__name__)
log = logging.getLogger("admin")
config = configparser.ConfigParser()
config.read("admin.ini")
DEBUG = False
REPORT_DIR = "/var/reports"
FEATURE_FLAGS = {"exports": True}


@app.after_request
def add_cors(response):
    origin = request.headers.get("Origin")
    response.headers["Access-Control-Allow-Origin"] = origin  # expect: permissive_cors
    response.headers["Access-Control-Allow-Credentials"] = "true"
    return response


@app.get("/admin/reports/<name>")
@admin_required
def report(name):
    with codecs.open(os.path.join(REPORT_DIR, name), encoding="utf-8") as fh:  # expect: path_traversal
        return fh.read()


@app.get("/admin/reports/safe/<name>")
@admin_required
def report_safe(name):
    path = os.path.realpath(os.path.join(REPORT_DIR, name))
    if not path.startswith(REPORT_DIR + os.sep):
        return "no", 404
    return send_file(path)


@app.get("/admin/exists")
@admin_required
def exists():
    return jsonify(present=os.path.exists(request.args["path"]))  # expect: path_traversal


@app.post("/admin/backup")
@admin_required
def backup():
    settings = {"target": request.form["target"], "tool": "pg_dump"}
    subprocess.run(settings["tool"] + " --file /backups/latest", shell=True, check=True)
    return "", 204


@app.post("/admin/restore")
@admin_required
def restore():
    options = {"target": request.form["target"]}
    subprocess.run("pg_restore " + options["target"], shell=True, check=True)  # expect: command_injection
    return "", 204


@app.post("/admin/ping")
@admin_required
def ping():
    host = request.form["host"]
    if DEBUG:
        os.system("ping -c1 " + host)
    else:
        subprocess.run(["ping", "-c1", host], check=True, timeout=5)
    return "", 204


@app.get("/admin/upstream")
@admin_required
def upstream():
    base = config.get("upstream", "url")
    resp = requests.get(base + "/status", timeout=5)
    resp.raise_for_status()
    return resp.json()


@app.post("/admin/users")
@admin_required
def create_user():
    user = User(email=request.json["email"], password_hash=hashlib.sha256(request.json["password"].encode()).hexdigest())  # expect: weak_password_hashing
    db.session.add(user)
    db.session.commit()
    log.info("created user %s", user)  # expect: sensitive_data_in_logs
    return jsonify(id=user.id), 201


@app.get("/admin/etag/<int:user_id>")
@admin_required
def etag(user_id):
    user = db.session.get(User, user_id)
    return jsonify(etag=hashlib.md5(user.email.encode()).hexdigest())


@app.get("/admin/export")
@admin_required
def export():
    fmt = request.args.get("format", "csv")
    if FEATURE_FLAGS["exports"]:
        return send_file(os.path.join(REPORT_DIR, "export." + fmt))  # expect: path_traversal
    return "", 404
