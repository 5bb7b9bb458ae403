import os

import stripe
from flask import Flask

app = Flask(__name__)
app.secret_key = "a9f8b7c6d5e4f3a2b1c0"  # expect: hardcoded_secret
stripe.api_key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"  # expect: hardcoded_secret

DB_PASSWORD = os.environ["DB_PASSWORD"]
SENDGRID_API_KEY = os.getenv("SENDGRID_API_KEY")
ADMIN_PASSWORD = "admin123"  # expect: hardcoded_secret
PASSWORD_MIN_LENGTH = 8
JWT_ALGORITHM = "HS256"
