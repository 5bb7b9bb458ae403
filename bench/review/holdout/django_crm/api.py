import httpx
from django.db import connection
from rest_framework import generics, serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from crm.models import Company, Contact


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "email", "company"]


class ContactViewSet(viewsets.ModelViewSet):  # expect: missing_pagination
    serializer_class = ContactSerializer

    def get_queryset(self):
        return Contact.objects.filter(owner=self.request.user).select_related("company")


class CompanyList(generics.ListAPIView):  # expect: missing_pagination
    queryset = Company.objects.all()
    serializer_class = serializers.Serializer
    permission_classes = [AllowAny]


@api_view(["GET"])
def company_report(request):
    data = []
    for company in Company.objects.all()[:50]:
        data.append({"name": company.name, "contacts": company.contacts.count()})  # expect: n_plus_one
    return Response(data)


@api_view(["GET"])
def search_contacts(request):
    term = request.query_params.get("q", "")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, name FROM crm_contact WHERE name ILIKE %s LIMIT 50", [f"%{term}%"]
        )
        return Response(cursor.fetchall())


@api_view(["POST"])
def enrich(request):
    domain = request.data.get("domain", "")
    resp = httpx.get(f"https://enrich.example.com/v1/companies?domain={domain}", timeout=5)  # expect: unhandled_external_call
    return Response(resp.json())
