import logging

import requests
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import select, text

from fastapi_shop.config import get_settings
from fastapi_shop.deps import AuthedCustomer, DbSession
from fastapi_shop.models import Order, OrderItem

router = APIRouter(tags=["orders"])
log = logging.getLogger(__name__)


class ItemIn(BaseModel):
    sku: str = Field(max_length=32)
    quantity: int = Field(gt=0, le=50)


class CheckoutIn(BaseModel):
    items: list[ItemIn]
    card_token: str


@router.get("")
def my_orders(customer: AuthedCustomer, session: DbSession):
    return session.scalars(select(Order).where(Order.customer_id == customer.id)).all()  # expect: missing_pagination


@router.get("/search")
def search_orders(customer: AuthedCustomer, session: DbSession, sku: str, limit: int = 20):
    rows = session.execute(
        text(
            "SELECT o.id FROM orders o JOIN order_items i ON i.order_id = o.id "
            f"WHERE o.customer_id = {customer.id} AND i.sku = '{sku}' LIMIT {limit}"  # expect: sql_injection
        )
    )
    return [r.id for r in rows]


@router.get("/by-sku")
def orders_by_sku(customer: AuthedCustomer, session: DbSession, sku: str, limit: int = 20):
    stmt = text(
        "SELECT o.id FROM orders o JOIN order_items i ON i.order_id = o.id WHERE i.sku = :sku LIMIT :n"
    )
    return [r.id for r in session.execute(stmt, {"sku": sku, "n": limit})]


@router.post("/checkout")
def checkout(body: CheckoutIn, customer: AuthedCustomer, session: DbSession):
    settings = get_settings()
    log.info("checkout for %s with card token %s", customer.email, body.card_token)  # expect: sensitive_data_in_logs
    order = Order(customer_id=customer.id, total=0)
    session.add(order)
    session.flush()
    for item in body.items:
        session.add(OrderItem(order_id=order.id, sku=item.sku, quantity=item.quantity))
    charge = requests.post(  # expect: unhandled_external_call
        f"{settings.payments_base_url}/charges",
        json={"token": body.card_token, "order": order.id},
        headers={"Authorization": f"Bearer {settings.payments_api_key}"},
    )
    if charge.status_code != 201:
        session.rollback()
        raise HTTPException(402, "payment declined")
    session.commit()
    return {"order": order.id}


@router.get("/{order_id}")
def get_order(order_id: int, session: DbSession):  # expect: missing_auth
    order = session.get(Order, order_id)
    if order is None:
        raise HTTPException(404)
    return {"id": order.id, "items": [{"sku": i.sku, "qty": i.quantity} for i in order.items]}
