import asyncio
import json
import logging
import traceback

import aiohttp
from aiohttp import web

log = logging.getLogger("gateway")
UPSTREAMS = {"billing": "http://billing.internal:8080", "users": "http://users.internal:8080"}


def auth_required(handler):
    async def wrapped(request):
        if request.headers.get("X-Api-Key") != request.app["api_key"]:
            return web.json_response({"error": "unauthorized"}, status=401)
        return await handler(request)

    return wrapped


@auth_required
async def forward(request):
    service = request.match_info["service"]
    base = UPSTREAMS.get(service)
    if base is None:
        raise web.HTTPNotFound()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as client:
        async with client.get(base + "/" + request.match_info["tail"]) as resp:
            return web.Response(body=await resp.read(), status=resp.status)


@auth_required
async def fetch_any(request):
    target = request.query.get("target", "")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as client:
        async with client.get(target) as resp:  # expect: ssrf
            return web.Response(body=await resp.read())


async def purge_cache(request):  # expect: missing_auth
    request.app["cache"].clear()
    return web.json_response({"purged": True})


@auth_required
async def run_report(request):
    name = request.query["name"]
    proc = await asyncio.create_subprocess_shell(f"/opt/reports/run {name}")  # expect: command_injection
    await proc.wait()
    return web.json_response({"rc": proc.returncode})


@auth_required
async def decode(request):
    try:
        payload = json.loads(await request.text())
    except ValueError:
        return web.json_response({"error": traceback.format_exc()}, status=400)  # expect: error_detail_leak
    log.info("login attempt %s password=%s", payload.get("user"), payload.get("password"))  # expect: sensitive_data_in_logs
    return web.json_response({"ok": True})


async def health(request):
    return web.json_response({"ok": True})


def build():
    app = web.Application()
    app.router.add_get("/proxy/{service}/{tail:.*}", forward)
    app.router.add_get("/fetch", fetch_any)
    app.router.add_post("/cache/purge", purge_cache)
    app.router.add_post("/reports", run_report)
    app.router.add_post("/decode", decode)
    app.router.add_get("/health", health)
    return app


if __name__ == "__main__":
    web.run_app(build(), host="127.0.0.1", port=8080)
