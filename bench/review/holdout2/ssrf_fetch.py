import httpx
from fastapi import FastAPI, HTTPException

app = FastAPI()


@app.get("/fetch")
async def fetch(url: str):
    async with httpx.AsyncClient() as client:
        try:
            r = await client.get(url, timeout=10)  # expect: ssrf
        except httpx.HTTPError:
            raise HTTPException(502) from None
    return {"status": r.status_code, "body": r.text[:1000]}


@app.get("/users/{username}/repos")
async def repos(username: str):
    async with httpx.AsyncClient() as client:
        try:
            r = await client.get(f"https://api.github.com/users/{username}/repos", timeout=10)
        except httpx.HTTPError:
            raise HTTPException(502) from None
    return r.json()
