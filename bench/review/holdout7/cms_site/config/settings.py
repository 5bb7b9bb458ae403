import os

SECRET_KEY = os.environ["CMS_SECRET_KEY"]
DEBUG = False
PREVIEW_SIGNING_KEY = "pv-2f7c1e9a4b8d6053e1a2"  # expect: hardcoded_secret
ALLOWED_HOSTS = ["cms.example.org"]
