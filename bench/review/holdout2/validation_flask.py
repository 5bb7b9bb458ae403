from flask import Flask, jsonify, request

from app.models import Comment, db

app = Flask(__name__)


@app.post("/comments")
def add_comment():
    payload = request.json  # expect: missing_input_validation
    comment = Comment(post_id=payload["post_id"], text=payload["text"], author=payload["author"])
    db.session.add(comment)
    db.session.commit()
    return jsonify(id=comment.id), 201


@app.post("/comments/v2")
def add_comment_v2():
    payload = request.get_json(silent=True) or {}
    text = payload.get("text", "")
    if not isinstance(text, str) or not 0 < len(text) <= 2000:
        return jsonify(error="text must be 1-2000 characters"), 422
    comment = Comment(post_id=int(payload.get("post_id", 0)), text=text)
    db.session.add(comment)
    db.session.commit()
    return jsonify(id=comment.id), 201
