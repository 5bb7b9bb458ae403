from fastapi import FastAPI, HTTPException
from sqlalchemy.exc import SQLAlchemyError

from app.db import SessionLocal
from app.models import Item

app = FastAPI()


@app.post("/items")
def create_item(name: str):
    db = SessionLocal()
    try:
        db.add(Item(name=name))
        db.commit()
    except SQLAlchemyError as e:
        db.rollback()
        raise HTTPException(status_code=500, detail=str(e))  # expect: error_detail_leak
    finally:
        db.close()
    return {"ok": True}


@app.post("/items/v2")
def create_item_v2(name: str):
    db = SessionLocal()
    try:
        db.add(Item(name=name))
        db.commit()
    except SQLAlchemyError:
        db.rollback()
        raise HTTPException(status_code=500, detail="could not save item") from None
    finally:
        db.close()
    return {"ok": True}
