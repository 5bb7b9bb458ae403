"""Flask-AppBuilder with its security REST API, on SQLite.

FAB serves users, roles and permissions as CRUD REST resources with JWT login and
its own OpenAPI document at /api/v1/_openapi; only the configuration is here.
``OSS_DATA`` names the folder of the database; the first admin is made at start.
"""

from __future__ import annotations

import os

from flask import Flask
from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.base import SQLA

app = Flask(__name__)
app.config.update(
    SECRET_KEY="audit-target-secret-not-for-production-use",
    SQLALCHEMY_DATABASE_URI=f"sqlite:///{os.environ['OSS_DATA']}/app.db",
    FAB_ADD_SECURITY_API=True,
    FAB_API_SWAGGER_UI=True,
)
with app.app_context():
    db = SQLA(app)
    appbuilder = AppBuilder(app, db.session)
    security = appbuilder.sm
    if security.find_user(username="admin") is None:
        security.add_user(
            "admin", "Ada", "Admin", "admin@example.org", security.find_role("Admin"),
            password="admin-password",
        )  # fmt: skip
