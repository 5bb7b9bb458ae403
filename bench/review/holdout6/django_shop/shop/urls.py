from django.urls import path

from shop import views

urlpatterns = [
    path("orders/", views.order_list),
    path("exports/download/", views.export_download),
    path("exports/preview/", views.export_preview),
    path("exports/preview-safe/", views.export_preview_safe),
    path("exports/archive/", views.archive),
    path("feed/", views.product_feed),
    path("search/", views.product_search),
    path("orders/<int:pk>/invoice/", views.InvoiceView.as_view()),
    path("orders/<int:pk>/refund/", views.RefundView.as_view()),
    path("health/", views.HealthView.as_view()),
]
