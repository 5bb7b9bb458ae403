import requests


def get_weather(city: str) -> dict:
    r = requests.get("https://api.weather.example.com/v1", params={"city": city})  # expect: unhandled_external_call
    return r.json()


def get_weather_safe(city: str) -> dict:
    try:
        r = requests.get("https://api.weather.example.com/v1", params={"city": city}, timeout=5)
        r.raise_for_status()
        return r.json()
    except requests.RequestException:
        return {}
