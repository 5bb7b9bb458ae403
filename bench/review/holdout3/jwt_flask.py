from flask import Flask, jsonify, request
from flask.views import MethodView
from flask_jwt_extended import JWTManager, create_access_token, get_jwt_identity, jwt_required

from app.models import Invoice, User, db

app = Flask(__name__)
app.config["JWT_SECRET_KEY"] = "jwt-6b1f0e9a2c8d4e7f"  # expect: hardcoded_secret
jwt = JWTManager(app)


@app.post("/token")
def token():
    body = request.get_json()
    user = User.query.filter_by(email=body.get("email")).first()
    if user is None or not user.check_password(body.get("password", "")):
        return jsonify(msg="bad credentials"), 401
    return jsonify(access_token=create_access_token(identity=user.id))


@app.get("/invoices")
@jwt_required()
def invoices():
    page = request.args.get("page", 1, type=int)
    rows = Invoice.query.filter_by(user_id=get_jwt_identity()).paginate(page=page, per_page=20)
    return jsonify([i.to_dict() for i in rows.items])


@app.get("/invoices/<int:invoice_id>")
@jwt_required()
def invoice(invoice_id):
    return jsonify(
        Invoice.query.filter_by(id=invoice_id, user_id=get_jwt_identity()).first_or_404().to_dict()
    )


@app.get("/invoices/<int:invoice_id>/pdf")
def invoice_pdf(invoice_id):  # expect: missing_auth
    return Invoice.query.get_or_404(invoice_id).pdf_bytes


class UserAPI(MethodView):
    decorators = [jwt_required()]

    def get(self, user_id):
        return jsonify(User.query.get_or_404(user_id).to_dict())

    def delete(self, user_id):
        db.session.delete(User.query.get_or_404(user_id))
        db.session.commit()
        return "", 204


app.add_url_rule("/users/<int:user_id>", view_func=UserAPI.as_view("user_api"))
