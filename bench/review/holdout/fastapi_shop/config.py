from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")

    database_url: str = "postgresql+psycopg://shop:shop@localhost/shop"  # expect: hardcoded_secret
    jwt_secret: str = "dev-only-4f1c2b9a7e"  # expect: hardcoded_secret
    jwt_algorithm: str = "HS256"
    payments_base_url: str = "https://api.payments.example.com"
    payments_api_key: str = ""
    allowed_origins: list[str] = ["https://shop.example.com"]


@lru_cache
def get_settings() -> Settings:
    return Settings()
