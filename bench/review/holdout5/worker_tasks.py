import subprocess
import tempfile
from pathlib import Path

import boto3
import requests
import yaml

s3 = boto3.client("s3")
CONFIG = yaml.safe_load(Path("/etc/worker/config.yaml").read_text())


def transcode(job: dict) -> str:
    src = job["input"]
    out = tempfile.mktemp(suffix=".mp4")
    subprocess.run(["ffmpeg", "-y", "-i", src, out], check=True, timeout=3600)
    return out


def thumbnail(job: dict) -> None:
    subprocess.run(f"convert {job['input']} -thumbnail 200x200 {job['output']}", shell=True, check=True)  # expect: command_injection


def notify(job: dict) -> None:
    try:
        requests.post(CONFIG["webhook"], json={"id": job["id"]}, timeout=5)
    except requests.RequestException:
        pass


def fetch_manifest(url: str) -> dict:
    return requests.get(url, verify=False, timeout=5).json()  # expect: tls_verify_disabled, unhandled_external_call
