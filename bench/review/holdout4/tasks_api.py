from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from todo.db import get_db
from todo.models import Project, Task
from todo.security import get_current_user

router = APIRouter(prefix="/tasks", dependencies=[Depends(get_current_user)])


@router.get("/")
def list_tasks(db: Session = Depends(get_db), page: int = 1, size: int = 50):
    stmt = select(Task).order_by(Task.id).offset((page - 1) * size).limit(size)
    return db.scalars(stmt).all()


@router.get("/export")
def export_tasks(db: Session = Depends(get_db)):
    tasks = db.scalars(select(Task)).all()  # expect: missing_pagination
    return [{"id": t.id, "project": t.project.name} for t in tasks]  # expect: n_plus_one


@router.post("/bulk")
def bulk_create(items: list[dict[str, Any]] = Body(...), db: Session = Depends(get_db)):  # expect: missing_input_validation
    for item in items:
        db.add(Task(**item))
    db.commit()
    return {"created": len(items)}


@router.post("/{task_id}/done")
async def mark_done(task_id: int, request: Request, db: Session = Depends(get_db)):
    note = (await request.json()).get("note", "")[:500]
    task = db.get(Task, task_id)
    if task is None:
        raise HTTPException(404)
    task.done_at = datetime.utcnow()
    task.note = note
    db.commit()
    return {"ok": True}


@router.get("/projects")
def projects(db: Session = Depends(get_db), limit: int = 20):
    rows = db.scalars(select(Project).options(selectinload(Project.tasks)).limit(limit)).all()
    return [{"name": p.name, "open": sum(1 for t in p.tasks if not t.done_at)} for p in rows]
