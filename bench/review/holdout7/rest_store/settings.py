REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],  # expect: missing_auth
    "PAGE_SIZE": 20,
}
