from fastapi import FastAPI, Query
from sqlalchemy import create_engine, text

app = FastAPI()
engine = create_engine("sqlite:///./app.db")


@app.get("/items")
def items(category: str = Query(...), max_price: float = 100.0):
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT * FROM items WHERE category = :c AND price <= :p LIMIT 100"),
            {"c": category, "p": max_price},
        )
        return [dict(r._mapping) for r in rows]


@app.get("/items/raw")
def items_raw(category: str):
    with engine.connect() as conn:
        query = "SELECT * FROM items WHERE category = '{}' LIMIT 100".format(category)
        rows = conn.execute(text(query))  # expect: sql_injection
        return [dict(r._mapping) for r in rows]
