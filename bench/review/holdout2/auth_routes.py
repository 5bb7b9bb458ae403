from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordBearer

router = APIRouter()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def get_current_user(token: str = Depends(oauth2_scheme)):
    return {"token": token}


@router.get("/accounts/me")
def read_me(user=Depends(get_current_user)):
    return user


@router.get("/accounts/{account_id}")
def read_account(account_id: int, user=Depends(get_current_user)):
    return {"id": account_id}


@router.put("/accounts/{account_id}")
def update_account(account_id: int, payload: dict):  # expect: missing_auth, missing_input_validation
    return {"id": account_id, **payload}


@router.get("/accounts/{account_id}/transactions")
def transactions(account_id: int):  # expect: missing_auth
    return []


@router.get("/status")
def status():
    return {"ok": True}
