# Copy to settings_local.py and fill in your own values.
SECRET_KEY = "change-me"
DATABASE_PASSWORD = "postgres"
