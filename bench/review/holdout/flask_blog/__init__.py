import os

from flask import Flask

from flask_blog.admin import admin
from flask_blog.posts import posts


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ.get("BLOG_SECRET", "s3cr3t-blog-key-2023")  # expect: hardcoded_secret
    app.config["UPLOAD_FOLDER"] = "/srv/blog/uploads"
    app.register_blueprint(posts)
    app.register_blueprint(admin, url_prefix="/admin")
    return app


if __name__ == "__main__":
    create_app().run(debug=True)  # expect: debug_mode
