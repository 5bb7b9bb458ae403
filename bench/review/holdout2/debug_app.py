from flask import Flask

app = Flask(__name__)
app.debug = True  # expect: debug_mode


@app.get("/")
def home():
    return "hi"
