import requests
from django.contrib.auth.decorators import login_required
from django.utils.decorators import method_decorator
from django.views import View
from django.http import JsonResponse
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.response import Response

from billing.models import Plan, Subscription
from billing.serializers import PlanSerializer, SubscriptionSerializer


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    permission_classes = [IsAuthenticated]


class SubscriptionViewSet(viewsets.ModelViewSet):
    serializer_class = SubscriptionSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return Subscription.objects.filter(user=self.request.user).select_related("plan")

    @action(detail=True, methods=["post"], permission_classes=[IsAdminUser])
    def refund(self, request, pk=None):
        sub = self.get_object()
        resp = requests.post("https://billing.example.com/refunds", json={"id": sub.external_id})  # expect: unhandled_external_call
        return Response({"status": resp.status_code})

    @action(detail=False)
    def summary(self, request):
        subs = self.get_queryset()
        return Response([{"plan": s.plan.name, "price": s.plan.price} for s in subs])


@method_decorator(login_required, name="dispatch")
class ExportView(View):
    def get(self, request):
        return JsonResponse({"plans": list(Plan.objects.values_list("name", flat=True)[:100])})
