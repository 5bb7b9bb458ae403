from flask import Flask, jsonify, request

from app.models import Product

app = Flask(__name__)


@app.get("/api/products")
def products():
    items = Product.query.order_by(Product.name).all()  # expect: missing_pagination
    return jsonify([p.to_dict() for p in items])


@app.get("/api/products/paged")
def products_paged():
    page = int(request.args.get("page", 1))
    size = min(int(request.args.get("size", 20)), 100)
    items = Product.query.order_by(Product.name).offset((page - 1) * size).limit(size).all()
    return jsonify([p.to_dict() for p in items])
