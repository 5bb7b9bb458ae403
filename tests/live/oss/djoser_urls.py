"""The URLs of the djoser site: its user and token routes, and the OpenAPI document."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("openapi.json", SpectacularAPIView.as_view(), name="schema"),
    path("auth/", include("djoser.urls")),
    path("auth/", include("djoser.urls.authtoken")),
]
