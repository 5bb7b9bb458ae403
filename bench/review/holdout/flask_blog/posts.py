import logging
import os

import requests
from flask import Blueprint, abort, current_app, jsonify, redirect, request, send_from_directory
from flask_login import current_user, login_required
from werkzeug.utils import secure_filename

from flask_blog.db import author_name, fetch_posts, get_db

posts = Blueprint("posts", __name__)
log = logging.getLogger(__name__)


@posts.get("/posts")
def list_posts():
    rows = fetch_posts(request.args.get("tag"), request.args.get("order", "created"))
    return jsonify([{"title": r["title"], "author": author_name(r["author_id"])} for r in rows])  # expect: n_plus_one


@posts.post("/posts")
@login_required
def create_post():
    data = request.get_json()  # expect: missing_input_validation
    db = get_db()
    db.execute(
        "INSERT INTO posts (title, body, tag, author_id) VALUES (?, ?, ?, ?)",
        (data["title"], data["body"], data.get("tag"), current_user.id),
    )
    db.commit()
    return jsonify(ok=True), 201


@posts.post("/posts/<int:post_id>/image")
@login_required
def upload_image(post_id):
    image = request.files["image"]
    name = secure_filename(image.filename)
    image.save(os.path.join(current_app.config["UPLOAD_FOLDER"], name))
    return jsonify(file=name)


@posts.get("/uploads/<path:name>")
def uploaded(name):
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], name)


@posts.get("/go")
def go():
    return redirect(request.args["url"])  # expect: open_redirect


@posts.post("/posts/<int:post_id>/embed")
@login_required
def embed(post_id):
    url = request.form["url"]
    try:
        resp = requests.get(url, timeout=4)  # expect: ssrf
    except requests.RequestException:
        abort(502)
    return jsonify(html=resp.text[:500])


@posts.get("/posts/<int:post_id>/share")
def share(post_id):
    log.info("share requested by %s (session %s)", request.remote_addr, request.cookies.get("session"))  # expect: sensitive_data_in_logs
    return jsonify(url=f"https://blog.example.com/p/{post_id}")
