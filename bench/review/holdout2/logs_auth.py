import logging

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
logger = logging.getLogger(__name__)


class Login(BaseModel):
    username: str
    password: str


@app.post("/auth/login")
def login(data: Login):
    logger.debug("Login payload: username=%s password=%s", data.username, data.password)  # expect: sensitive_data_in_logs
    token = issue_token(data.username)
    logger.info("Issued token %s", token)  # expect: sensitive_data_in_logs
    logger.info("User %s logged in", data.username)
    return {"access_token": token}


def issue_token(username: str) -> str:
    return "t-" + username
