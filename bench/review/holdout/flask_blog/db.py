import sqlite3

from flask import g


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect("/srv/blog/blog.db")
        g.db.row_factory = sqlite3.Row
    return g.db


def fetch_posts(tag=None, order="created"):
    query = "SELECT id, title, author_id FROM posts"
    params = []
    if tag:
        query += " WHERE tag = ?"
        params.append(tag)
    query += " ORDER BY " + order  # the caller passes user input
    return get_db().execute(query, params).fetchall()  # expect: sql_injection


def author_name(author_id):
    row = get_db().execute("SELECT name FROM authors WHERE id = ?", (author_id,)).fetchone()
    return row["name"] if row else None
