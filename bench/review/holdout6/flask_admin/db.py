from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(200), unique=True)
    password_hash = db.Column(db.String(200))

    def __repr__(self):
        return f"<User {self.email} {self.password_hash}>"
