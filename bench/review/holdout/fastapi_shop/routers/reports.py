import csv
import io
import subprocess
from pathlib import Path

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, StreamingResponse
from sqlalchemy import select

from fastapi_shop.deps import DbSession, current_customer
from fastapi_shop.models import Customer, Order

router = APIRouter(tags=["reports"], dependencies=[Depends(current_customer)])
EXPORTS = Path("/var/lib/shop/exports")


@router.get("/customers.csv")
def customers_csv(session: DbSession, limit: int = 1000):
    out = io.StringIO()
    writer = csv.writer(out)
    for customer in session.scalars(select(Customer).limit(limit)):
        writer.writerow([customer.id, customer.email, len(customer.orders)])  # expect: n_plus_one
    out.seek(0)
    return StreamingResponse(out, media_type="text/csv")


@router.get("/exports/{name}")
def download_export(name: str):
    return FileResponse(EXPORTS / name)  # expect: path_traversal


@router.post("/exports/{name}/compress")
def compress(name: str):
    subprocess.run(["gzip", "-k", str(EXPORTS / Path(name).name)], check=True, timeout=60)
    return {"ok": True}


@router.get("/totals")
def totals(session: DbSession, limit: int = 100):
    rows = session.execute(select(Order.customer_id, Order.total).limit(limit)).all()
    return [{"customer": c, "total": float(t)} for c, t in rows]
