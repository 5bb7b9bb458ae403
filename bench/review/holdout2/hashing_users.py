import hashlib

import bcrypt
from django.db import models


class Account(models.Model):
    username = models.CharField(max_length=50)
    password = models.CharField(max_length=128)

    def set_password(self, raw_password):
        self.password = hashlib.md5(raw_password.encode()).hexdigest()  # expect: weak_password_hashing

    def check_password(self, raw_password):
        return (self.password == hashlib.md5(raw_password.encode()).hexdigest())  # expect: weak_password_hashing


def hash_pw(pw: str) -> bytes:
    return bcrypt.hashpw(pw.encode(), bcrypt.gensalt())


def file_checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
