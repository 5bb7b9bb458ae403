"""djoser (Django REST framework user endpoints) with drf-spectacular, on SQLite.

Settings and URLs as the two packages' documentation wires them; every view and
serializer is theirs. ``OSS_DATA`` names the folder of the database.
"""

from __future__ import annotations

import os

SECRET_KEY = "audit-target-secret-not-for-production-use"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.live.oss.djoser_urls"
USE_TZ = True
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(os.environ["OSS_DATA"], "db.sqlite3"),
    }
}
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "djoser",
]
MIDDLEWARE = [  # as `django-admin startproject` lists them, less sessions and CSRF (a token API)
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
# A fast hasher, as Django advises for tests: sign-ups and logins are not the subject here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
