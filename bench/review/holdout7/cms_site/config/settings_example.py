"""Example settings: copy to local_settings.py and replace every value."""

SECRET_KEY = "replace-me-with-a-long-random-string"
EMAIL_HOST_PASSWORD = "your-smtp-password"
