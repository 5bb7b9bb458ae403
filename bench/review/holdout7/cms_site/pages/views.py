import logging
import os
from pathlib import Path

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic import DetailView, ListView

from pages.models import Page, Revision

log = logging.getLogger(__name__)
TEMPLATE_DIR = Path("/srv/cms/templates")


class EditorView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "pages.change_page"


class PageEditView(EditorView):
    def post(self, request, pk):
        page = Page.objects.get(pk=pk)
        page.body = request.POST["body"]
        page.save()
        return JsonResponse({"ok": True})


class TemplateSourceView(EditorView):
    def get(self, request):
        name = request.GET["template"]
        return HttpResponse((TEMPLATE_DIR / name).read_text())  # expect: path_traversal


class TemplateSourceSafeView(EditorView):
    def get(self, request):
        name = os.path.basename(request.GET["template"])
        return HttpResponse((TEMPLATE_DIR / name).read_text())


class PageListView(ListView):
    model = Page
    paginate_by = 25


class PageDetailView(DetailView):
    model = Page


class RevisionFeed(View):
    def get(self, request):
        return JsonResponse(list(Revision.objects.values("id", "page_id", "created")), safe=False)  # expect: missing_pagination


class RevisionFeedLimited(View):
    def get(self, request):
        rows = Revision.objects.order_by("-created").values("id", "page_id")[:100]
        return JsonResponse(list(rows), safe=False)


def preview(request, pk):
    page = Page.objects.filter(pk=pk, published=True).first()
    if page is None:
        raise Http404
    return HttpResponse(page.body)


def go(request):
    return redirect(request.GET.get("to", "/"))  # expect: open_redirect


def publish(request, pk):
    Page.objects.filter(pk=pk).update(published=True)
    return JsonResponse({"ok": True})


def unpublish_all(request):
    Page.objects.update(published=False)
    return JsonResponse({"ok": True})
