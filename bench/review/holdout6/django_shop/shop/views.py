import logging
import pathlib
import shutil

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import FileResponse, HttpResponse, JsonResponse
from django.views import View

from shop.models import Order, Product

logger = logging.getLogger(__name__)
EXPORT_ROOT = pathlib.Path(settings.MEDIA_ROOT) / "exports"


@login_required
def order_list(request):
    orders = Order.objects.filter(user=request.user).order_by("-id")[:50]
    return JsonResponse({"orders": [o.pk for o in orders]})


@login_required
def export_download(request):
    name = request.GET["file"]
    return FileResponse(open(EXPORT_ROOT / name, "rb"))  # expect: path_traversal


@login_required
def export_preview(request):
    name = request.GET.get("file", "")
    return HttpResponse(pathlib.Path(settings.MEDIA_ROOT, name).read_text())  # expect: path_traversal


@login_required
def export_preview_safe(request):
    name = pathlib.Path(request.GET.get("file", "")).name
    target = (EXPORT_ROOT / name).resolve()
    if not target.is_relative_to(EXPORT_ROOT.resolve()):
        return HttpResponse(status=404)
    return HttpResponse(target.read_text())


@login_required
def archive(request):
    shutil.copy(request.POST["source"], EXPORT_ROOT)  # expect: path_traversal
    return HttpResponse(status=204)


def product_feed(request):  # expect: missing_auth
    return JsonResponse(list(Product.objects.values("id", "name", "price")), safe=False)  # expect: missing_pagination


@login_required
def product_search(request):
    term = request.GET.get("q", "")
    with connection.cursor() as cur:
        cur.execute("SELECT id, name FROM shop_product WHERE name LIKE %s LIMIT 50", ["%" + term + "%"])
        return JsonResponse({"rows": cur.fetchall()})


class InvoiceView(LoginRequiredMixin, View):
    def get(self, request, pk):
        order = Order.objects.get(pk=pk, user=request.user)
        return JsonResponse({"total": str(order.total)})


class RefundView(View):  # expect: missing_auth
    def post(self, request, pk):
        Order.objects.filter(pk=pk).update(status="refunded")
        return JsonResponse({"ok": True})


class HealthView(View):
    def get(self, request):
        return JsonResponse({"ok": True})
