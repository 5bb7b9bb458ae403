import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.views.decorators.http import require_http_methods

from accounts.models import ApiKey, Profile

logger = logging.getLogger(__name__)


@login_required
@require_http_methods(["POST"])
def create_api_key(request):
    raw = secrets.token_urlsafe(32)
    ApiKey.objects.create(user=request.user, digest=hashlib.sha256(raw.encode()).hexdigest())
    logger.info("api key created for user %s", request.user.pk)
    return JsonResponse({"key": raw}, status=201)


@login_required
def profile(request):
    p = Profile.objects.select_related("user").get(user=request.user)
    return JsonResponse({"name": p.user.get_full_name(), "bio": p.bio})


@login_required
def activity(request):
    days = request.GET.get("days", "7")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT action, at FROM activity WHERE user_id = %s AND at > now() - interval '" + days + " days'"  # expect: sql_injection
            , [request.user.pk]
        )
        return JsonResponse({"rows": cur.fetchall()})


def password_reset(request):
    email = request.POST.get("email", "")
    token = secrets.token_urlsafe(24)
    logger.info("password reset for %s token=%s", email, token)  # expect: sensitive_data_in_logs
    send_mail("Reset", f"{settings.SITE_URL}/reset/{token}", None, [email])
    return JsonResponse({"ok": True})


@login_required
def after_login(request):
    return HttpResponseRedirect(request.GET.get("next", "/"))  # expect: open_redirect


def public_profile(request, username):
    p = Profile.objects.get(user__username=username, public=True)
    return JsonResponse({"bio": p.bio})
