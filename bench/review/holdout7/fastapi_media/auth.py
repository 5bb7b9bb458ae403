from fastapi import Header, HTTPException


def get_user(authorization: str = Header("")):
    if not authorization.startswith("Bearer "):
        raise HTTPException(401)
    return {"token": authorization[7:]}
