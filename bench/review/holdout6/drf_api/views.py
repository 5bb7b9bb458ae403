import subprocess

import jwt
from django.conf import settings
from rest_framework import viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.response import Response

from drf_api.models import Ticket
from drf_api.serializers import TicketSerializer


class TicketViewSet(viewsets.ModelViewSet):
    queryset = Ticket.objects.all()  # expect: n_plus_one
    serializer_class = TicketSerializer


class FastTicketViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Ticket.objects.select_related("team", "assignee")
    serializer_class = TicketSerializer


class PublicTicketViewSet(viewsets.ModelViewSet):
    queryset = Ticket.objects.select_related("team", "assignee")
    serializer_class = TicketSerializer
    permission_classes = [AllowAny]  # expect: missing_auth


@api_view(["GET"])
@permission_classes([AllowAny])
def status(request):
    return Response({"ok": True})


@api_view(["POST"])
@permission_classes([IsAdminUser])
def reindex(request):
    index = request.data.get("index", "tickets")
    subprocess.run(["sh", "-c", f"reindex --name {index}"], check=True)  # expect: command_injection
    return Response(status=204)


@api_view(["POST"])
@permission_classes([IsAdminUser])
def reindex_safe(request):
    index = request.data.get("index", "tickets")
    subprocess.run(["reindex", "--name", index], check=True)
    return Response(status=204)


@api_view(["GET"])
def whoami(request):
    token = request.headers.get("X-Token", "")
    claims = jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"], options={"verify_signature": False})  # expect: missing_auth
    return Response({"sub": claims["sub"]})


@api_view(["GET"])
def whoami_checked(request):
    token = request.headers.get("X-Token", "")
    claims = jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"])
    return Response({"sub": claims["sub"]})
