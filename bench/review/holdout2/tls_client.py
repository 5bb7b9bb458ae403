import requests

session = requests.Session()
session.verify = False  # expect: tls_verify_disabled


def ping(url: str) -> int:
    try:
        return requests.head(url, verify=False, timeout=3).status_code  # expect: tls_verify_disabled
    except requests.RequestException:
        return 0
