import hashlib
import os

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, EmailStr
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fastapi_shop.deps import AuthedCustomer, DbSession
from fastapi_shop.models import Customer

router = APIRouter(tags=["users"])


class SignUp(BaseModel):
    email: EmailStr
    password: str


def _hash(password: str, salt: bytes) -> str:
    return hashlib.sha1(salt + password.encode()).hexdigest()  # expect: weak_password_hashing


@router.post("/signup", status_code=201)
def signup(body: SignUp, session: DbSession):
    salt = os.urandom(16)
    customer = Customer(
        email=body.email, password_hash=salt.hex() + ":" + _hash(body.password, salt)
    )
    session.add(customer)
    try:
        session.commit()
    except IntegrityError as err:
        session.rollback()
        raise HTTPException(409, detail=f"could not create customer: {err}")  # expect: error_detail_leak
    return {"id": customer.id}


@router.get("/me")
def me(customer: AuthedCustomer):
    return {"id": customer.id, "email": customer.email}


@router.get("/lookup")
def lookup(email: str, session: DbSession, customer: AuthedCustomer):
    found = session.scalars(select(Customer).where(Customer.email == email)).first()
    return {"exists": found is not None}


@router.delete("/{customer_id}")
def remove(customer_id: int, session: DbSession):  # expect: missing_auth
    session.delete(session.get(Customer, customer_id))
    session.commit()
