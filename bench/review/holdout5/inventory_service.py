import json
import logging
import os
import pickle
from typing import Annotated

import redis
import requests
from fastapi import Depends, FastAPI, Header, HTTPException, Query, UploadFile
from sqlalchemy import text
from sqlalchemy.orm import Session

from inventory.db import get_session
from inventory.models import Item, Supplier

app = FastAPI(title="inventory")
log = logging.getLogger("inventory")
cache = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
API_TOKEN = os.environ["INVENTORY_API_TOKEN"]


def require_token(x_token: Annotated[str, Header()]) -> None:
    if x_token != API_TOKEN:
        raise HTTPException(status_code=401, detail="bad token")


Auth = Depends(require_token)
DB = Annotated[Session, Depends(get_session)]


@app.get("/items", dependencies=[Auth])
def items(db: DB, offset: int = 0, limit: int = Query(50, le=500)):
    return db.query(Item).order_by(Item.id).offset(offset).limit(limit).all()


@app.get("/items/search", dependencies=[Auth])
def search(db: DB, q: str, sort: str = "name"):
    if sort not in {"name", "price", "stock"}:
        raise HTTPException(400, "bad sort")
    sql = text(f"SELECT id, name FROM items WHERE name ILIKE :q ORDER BY {sort} LIMIT 100")
    return [dict(r._mapping) for r in db.execute(sql, {"q": f"%{q}%"})]


@app.get("/items/{item_id}/history", dependencies=[Auth])
def history(item_id: int, db: DB):
    cached = cache.get(f"history:{item_id}")
    if cached:
        return pickle.loads(cached)  # expect: insecure_deserialization
    rows = db.execute(text("SELECT * FROM stock_moves WHERE item_id = :i ORDER BY at DESC LIMIT 200"), {"i": item_id}).all()
    cache.set(f"history:{item_id}", pickle.dumps(rows))
    return rows


@app.post("/items/import", dependencies=[Auth])
async def import_items(file: UploadFile, db: DB):
    rows = json.loads(await file.read())
    for row in rows:
        db.add(Item(**row))  # expect: missing_input_validation
    db.commit()
    return {"imported": len(rows)}


@app.post("/suppliers/{supplier_id}/sync", dependencies=[Auth])
def sync_supplier(supplier_id: int, db: DB):
    supplier = db.get(Supplier, supplier_id)
    resp = requests.get(f"{supplier.api_url}/catalog", timeout=10)  # expect: unhandled_external_call
    for entry in resp.json():
        db.merge(Item(sku=entry["sku"], name=entry["name"], supplier_id=supplier_id))
    db.commit()
    return {"ok": True}


@app.delete("/items/{item_id}")
def delete_item(item_id: int, db: DB):  # expect: missing_auth
    db.query(Item).filter(Item.id == item_id).delete()
    db.commit()
    return {"deleted": item_id}


@app.get("/suppliers", dependencies=[Auth])
def suppliers(db: DB):
    rows = db.query(Supplier).limit(100).all()
    return [{"name": s.name, "items": len(s.items)} for s in rows]  # expect: n_plus_one
