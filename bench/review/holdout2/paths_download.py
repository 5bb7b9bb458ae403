import os

from django.conf import settings
from django.http import FileResponse, Http404


def download(request):
    filename = request.GET.get("file")
    path = os.path.join(settings.MEDIA_ROOT, filename)
    return FileResponse(open(path, "rb"))  # expect: path_traversal


def download_safe(request):
    filename = os.path.basename(request.GET.get("file", ""))
    path = os.path.join(settings.MEDIA_ROOT, filename)
    if not os.path.isfile(path):
        raise Http404
    return FileResponse(open(path, "rb"))


def read_template(name):
    with open(os.path.join(settings.BASE_DIR, "templates", "emails", "welcome.txt")) as fh:
        return fh.read()
