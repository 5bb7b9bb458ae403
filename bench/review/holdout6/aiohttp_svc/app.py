import functools
import logging
import pickle
from urllib.request import urlopen

import aiohttp
from aiohttp import web

log = logging.getLogger(__name__)
API_TOKEN = "tok_4f9a8b7c6d5e4f3a2b1c0d9e"  # expect: hardcoded_secret


def require_token(handler):
    @functools.wraps(handler)
    async def wrapper(request):
        if request.headers.get("Authorization") != f"Bearer {request.app['token']}":
            raise web.HTTPUnauthorized()
        return await handler(request)

    return wrapper


routes = web.RouteTableDef()


@routes.get("/jobs")
@require_token
async def list_jobs(request):
    rows = await request.app["db"].fetch("SELECT id, state FROM jobs ORDER BY id DESC LIMIT 100")
    return web.json_response([dict(r) for r in rows])


@routes.get("/jobs/{job_id}")
@require_token
async def get_job(request):
    job_id = request.match_info["job_id"]
    row = await request.app["db"].fetchrow(f"SELECT * FROM jobs WHERE id = {job_id}")  # expect: sql_injection
    return web.json_response(dict(row))


@routes.delete("/jobs/{job_id}")
async def delete_job(request):  # expect: missing_auth
    await request.app["db"].execute("DELETE FROM jobs WHERE id = $1", int(request.match_info["job_id"]))
    return web.Response(status=204)


@routes.post("/jobs/import")
@require_token
async def import_jobs(request):
    body = await request.read()
    jobs = pickle.loads(body)  # expect: insecure_deserialization
    return web.json_response({"count": len(jobs)})


@routes.post("/webhooks/test")
@require_token
async def test_webhook(request):
    data = await request.json()
    async with aiohttp.ClientSession() as session:
        async with session.post(data["url"], json={"ping": True}, timeout=aiohttp.ClientTimeout(total=5)) as resp:  # expect: ssrf
            return web.json_response({"status": resp.status})


@routes.get("/preview")
@require_token
async def preview(request):
    with urlopen(request.query["url"], timeout=5) as fh:  # expect: ssrf
        return web.Response(body=fh.read(200))


@routes.get("/report")
@require_token
async def report(request):
    try:
        rows = await request.app["db"].fetch("SELECT * FROM report LIMIT 10")
    except Exception as exc:
        return web.json_response({"error": repr(exc)}, status=500)  # expect: error_detail_leak
    return web.json_response([dict(r) for r in rows])


@routes.get("/health")
async def health(request):
    return web.json_response({"ok": True})


def make_app():
    app = web.Application(debug=True)  # expect: debug_mode
    app.add_routes(routes)
    return app
