from collections.abc import Generator
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from fastapi_shop.config import get_settings
from fastapi_shop.db import SessionLocal
from fastapi_shop.models import Customer

bearer = HTTPBearer()


def get_session() -> Generator[Session, None, None]:
    session = SessionLocal()
    try:
        yield session
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_session)]


def current_customer(
    session: DbSession, credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]
) -> Customer:
    settings = get_settings()
    try:
        claims = jwt.decode(
            credentials.credentials, settings.jwt_secret, algorithms=[settings.jwt_algorithm]
        )
    except jwt.PyJWTError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token") from None
    customer = session.get(Customer, int(claims["sub"]))
    if customer is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown customer")
    return customer


AuthedCustomer = Annotated[Customer, Depends(current_customer)]
