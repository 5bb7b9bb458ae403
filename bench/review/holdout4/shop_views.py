import json
import logging

from django.contrib.admin.views.decorators import staff_member_required
from django.db import IntegrityError
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from shop.models import Coupon, Product

logger = logging.getLogger(__name__)


@staff_member_required
@require_POST
def create_coupon(request):
    data = json.loads(request.body)
    try:
        coupon = Coupon.objects.create(code=data["code"], percent=int(data["percent"]))
    except (KeyError, ValueError):
        return JsonResponse({"error": "code and percent are required"}, status=400)
    except IntegrityError as exc:
        logger.warning("duplicate coupon: %s", exc)
        return JsonResponse({"error": "coupon exists"}, status=409)
    return JsonResponse({"id": coupon.id}, status=201)


@require_POST
def apply_coupon(request):
    code = request.POST.get("code", "")
    try:
        coupon = Coupon.objects.get(code=code)
    except Coupon.DoesNotExist:
        return JsonResponse({"error": "unknown coupon"}, status=404)
    except Exception as exc:
        return JsonResponse({"error": f"lookup failed: {exc}"}, status=500)  # expect: error_detail_leak
    return JsonResponse({"percent": coupon.percent})


def product_feed(request):
    products = Product.objects.filter(active=True).order_by("-id")  # expect: missing_pagination
    return JsonResponse({"items": [{"sku": p.sku, "cat": p.category.name} for p in products]})  # expect: n_plus_one


def product_search(request):
    q = request.GET.get("q", "")
    rows = Product.objects.raw("SELECT * FROM shop_product WHERE name LIKE %s LIMIT 50", [f"%{q}%"])
    return JsonResponse({"items": [p.sku for p in rows]})
