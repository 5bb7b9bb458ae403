from django.shortcuts import render

from shop.models import Order


def order_list(request):
    orders = Order.objects.filter(user=request.user)[:50]
    rows = []
    for order in orders:
        rows.append({"id": order.id, "customer": order.customer.name, "n": order.items.count()})  # expect: n_plus_one
    return render(request, "orders.html", {"rows": rows})


def order_list_fast(request):
    orders = (
        Order.objects.filter(user=request.user)
        .select_related("customer")
        .prefetch_related("items")[:50]
    )
    rows = [{"id": o.id, "customer": o.customer.name, "n": len(o.items.all())} for o in orders]
    return render(request, "orders.html", {"rows": rows})
