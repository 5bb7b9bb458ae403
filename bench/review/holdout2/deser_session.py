import json
import pickle

import yaml
from flask import Flask, request

app = Flask(__name__)


@app.post("/state")
def load_state():
    state = pickle.loads(request.data)  # expect: insecure_deserialization
    return {"keys": list(state)}


@app.post("/config")
def load_config():
    cfg = yaml.load(request.data)  # expect: insecure_deserialization
    return {"keys": list(cfg)}


@app.post("/config-safe")
def load_config_safe():
    cfg = yaml.safe_load(request.data)
    return {"keys": list(cfg)}


@app.post("/state-json")
def load_state_json():
    return {"keys": list(json.loads(request.data))}
