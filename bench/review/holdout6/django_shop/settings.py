import os

DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
SIGNING_SALT = "shop.orders.v2-9f1c2e"  # expect: hardcoded_secret
WEBHOOK_KEY = b"whk_71b2c3d4e5f60718293a4b5c"  # expect: hardcoded_secret
SESSION_COOKIE_NAME = "shop_session"
INSTALLED_APPS = ["django.contrib.auth", "shop"]
MEDIA_ROOT = "/srv/media"
