import os

SECRET_KEY = os.environ["CRM_SECRET_KEY"]
DEBUG = os.environ.get("CRM_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["crm.example.com"]
INSTALLED_APPS = ["django.contrib.auth", "rest_framework", "corsheaders", "crm"]
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
]
CORS_ORIGIN_ALLOW_ALL = True  # expect: permissive_cors
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
EMAIL_HOST_PASSWORD = "mailgun-8d2f1e9c3b"  # expect: hardcoded_secret
