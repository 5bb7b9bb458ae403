import logging
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.security import APIKeyHeader, SecurityScopes

app = FastAPI()
log = logging.getLogger("api")
api_key_header = APIKeyHeader(name="X-API-Key")


def verify_key(key: str = Security(api_key_header)) -> str:
    if key != "expected-from-env":
        raise HTTPException(status_code=403)
    return key


def require_scopes(scopes: SecurityScopes, key: Annotated[str, Depends(verify_key)]) -> str:
    return key


@app.get("/reports/daily", dependencies=[Security(require_scopes, scopes=["reports"])])
def daily_report():
    return {"rows": []}


@app.post("/reports/rebuild")
def rebuild(key: Annotated[str, Depends(verify_key)]):
    log.info("rebuild requested with key %s", key)  # expect: sensitive_data_in_logs
    return {"queued": True}


@app.post("/reports/purge")
def purge():  # expect: missing_auth
    return {"purged": True}


@app.get("/healthz")
def healthz():
    return {"ok": True}
