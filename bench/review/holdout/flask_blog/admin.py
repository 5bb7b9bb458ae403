import pickle

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from flask_blog.db import get_db

admin = Blueprint("admin", __name__)


@admin.before_request
def only_admins():
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(403)


@admin.post("/restore")
def restore():
    snapshot = pickle.loads(request.files["snapshot"].read())  # expect: insecure_deserialization
    return jsonify(restored=len(snapshot))


@admin.delete("/posts/<int:post_id>")
def delete_post(post_id):
    db = get_db()
    db.execute("DELETE FROM posts WHERE id = ?", (post_id,))
    db.commit()
    return "", 204
