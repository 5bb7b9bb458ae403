"""The baseline: a blog API written by hand the way the FastAPI and SQLAlchemy docs teach.

ORM models mapped onto the generated project's tables, an ``AsyncSession`` per request
from a dependency, Pydantic response models (``from_attributes``), JWT bearer auth whose
dependency loads the user row, and the same ``{"success", "data", "meta"}`` envelope as
the generated service. Nothing here is tuned: it is the yardstick.

Run: ``DATABASE_URL=... SECRET_KEY=... uvicorn app:app --app-dir bench/speed/baseline``
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Generic, Literal, TypeVar

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import DateTime, ForeignKey, String, Text, Uuid, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ["DATABASE_URL"]
SECRET_KEY = os.environ["SECRET_KEY"]
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 60

engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
password_hasher = PasswordHasher()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login")


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- models -------------------------------------------------------------------------


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(50), default="reader")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(9), default="draft")
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# --- schemas ------------------------------------------------------------------------

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    success: bool = True
    data: T


class PageMeta(BaseModel):
    page: int
    limit: int
    total: int


class Page(BaseModel, Generic[T]):
    success: bool = True
    data: list[T]
    meta: PageMeta


class PostRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    body: str | None
    status: str
    published_at: datetime | None
    owner_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class PostCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    body: str | None = Field(default=None, max_length=20000)
    status: Literal["draft", "published"] = "draft"
    published_at: datetime | None = None


class LoginRequest(BaseModel):
    email: str
    password: str


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


# --- dependencies -------------------------------------------------------------------


async def get_session():
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_current_user(
    token: Annotated[str, Depends(oauth2_scheme)], session: SessionDep
) -> User:
    credentials_exception = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )
    try:
        payload = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
        user_id = uuid.UUID(payload["sub"])
    except (jwt.InvalidTokenError, KeyError, ValueError):
        raise credentials_exception from None
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise credentials_exception
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


# --- routes -------------------------------------------------------------------------

app = FastAPI(title="Blog API (hand-written baseline)")


@app.exception_handler(HTTPException)
async def http_exception_handler(request: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse(
        status_code=exc.status_code,
        content={"success": False, "error": {"code": exc.status_code, "message": exc.detail}},
        headers=exc.headers,
    )


@app.post("/api/v1/auth/login", response_model=Envelope[Token])
async def login(body: LoginRequest, session: SessionDep):
    user = await session.scalar(select(User).where(User.email == body.email.lower()))
    try:
        if user is None:
            raise VerificationError
        password_hasher.verify(user.password_hash, body.password)
    except VerificationError:
        raise HTTPException(status_code=401, detail="Incorrect email or password") from None
    expire = utcnow() + timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES)
    token = jwt.encode({"sub": str(user.id), "exp": expire}, SECRET_KEY, algorithm=ALGORITHM)
    return {"data": Token(access_token=token)}


@app.get("/api/v1/posts", response_model=Page[PostRead])
async def list_posts(
    session: SessionDep,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
):
    visible = Post.deleted_at.is_(None)
    total = await session.scalar(select(func.count()).select_from(Post).where(visible))
    result = await session.scalars(
        select(Post)
        .where(visible)
        .order_by(Post.created_at.desc(), Post.id.desc())
        .offset((page - 1) * limit)
        .limit(limit)
    )
    return {"data": result.all(), "meta": {"page": page, "limit": limit, "total": total}}


@app.get("/api/v1/posts/{post_id}", response_model=Envelope[PostRead])
async def read_post(post_id: uuid.UUID, session: SessionDep):
    post = await session.scalar(select(Post).where(Post.id == post_id, Post.deleted_at.is_(None)))
    if post is None:
        raise HTTPException(status_code=404, detail="Post not found")
    return {"data": post}


@app.post("/api/v1/posts", response_model=Envelope[PostRead], status_code=201)
async def create_post(body: PostCreate, session: SessionDep, current_user: CurrentUser):
    if current_user.role not in ("author", "admin"):
        raise HTTPException(status_code=403, detail="Not enough permissions")
    post = Post(**body.model_dump(), owner_id=current_user.id)
    session.add(post)
    await session.commit()
    await session.refresh(post)
    return {"data": post}
