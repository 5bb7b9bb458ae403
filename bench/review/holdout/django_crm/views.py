import logging
import subprocess

from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse

from crm.models import Contact, Note

logger = logging.getLogger(__name__)


def login_view(request):
    user = authenticate(
        request, username=request.POST["username"], password=request.POST["password"]
    )
    if user is None:
        logger.warning("failed login for %s", request.POST["username"])
        return JsonResponse({"ok": False}, status=401)
    login(request, user)
    return JsonResponse({"ok": True})


@login_required
def add_note(request, contact_id):
    contact = Contact.objects.get(pk=contact_id, owner=request.user)
    Note.objects.create(contact=contact, body=request.POST["body"])  # expect: missing_input_validation
    return JsonResponse({"ok": True})


@login_required
def export_contacts(request):
    fmt = request.GET.get("format", "csv")
    out = subprocess.check_output(f"crm-export --format {fmt} --owner {request.user.id}", shell=True)  # expect: command_injection
    return HttpResponse(out)


def contact_card(request, contact_id):  # expect: missing_auth
    contact = Contact.objects.get(pk=contact_id)
    return JsonResponse({"name": contact.name, "email": contact.email})
