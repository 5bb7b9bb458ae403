from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer

oauth2 = OAuth2PasswordBearer(tokenUrl="/token")


def current_user(token: str = Depends(oauth2)):
    if not token:
        raise HTTPException(401)
    return {"sub": token}


def require_admin(user=Depends(current_user)):
    return user
