import os
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/convert", methods=["POST"])
def convert():
    src = request.form["src"]
    dst = request.form["dst"]
    subprocess.call("ffmpeg -i %s %s" % (src, dst), shell=True)  # expect: command_injection
    return "ok"


@app.route("/convert2", methods=["POST"])
def convert_safe():
    src = request.form["src"]
    dst = request.form["dst"]
    subprocess.call(["ffmpeg", "-i", src, dst])
    return "ok"


@app.get("/whois")
def whois():
    domain = request.args.get("domain")
    return os.popen(f"whois {domain}").read()  # expect: command_injection


def backup():
    os.system("pg_dump app > /backups/app.sql")
