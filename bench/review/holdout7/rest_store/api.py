import jwt
import requests
from django.conf import settings
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from rest_store.models import Item


class ItemSerializer(serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name")
    category_label = serializers.CharField(source="category.label")

    class Meta:
        model = Item
        fields = ["id", "name", "vendor_name", "category_label"]


class ItemList(generics.ListAPIView):
    queryset = Item.objects.all()  # expect: n_plus_one
    serializer_class = ItemSerializer
    permission_classes = [IsAuthenticated]


class ItemListJoined(generics.ListAPIView):
    queryset = Item.objects.select_related("vendor", "category")
    serializer_class = ItemSerializer
    permission_classes = [IsAuthenticated]


class PartnerSync(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        callback = request.data["callback"]
        resp = requests.post(callback, json={"ok": True}, timeout=5)  # expect: ssrf
        return Response({"status": resp.status_code})


class TokenInfo(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        raw = request.META.get("HTTP_X_PARTNER_TOKEN", "")
        data = jwt.decode(raw, options={"verify_signature": False})  # expect: missing_auth
        return Response(data)
