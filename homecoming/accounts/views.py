"""Second-factor enrolment and verification, the API token endpoint and the token list."""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, user_login_failed
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from homecoming.accounts import services
from homecoming.accounts.models import ApiToken, profile_of
from homecoming.accounts.permissions import current_user
from homecoming.accounts.signin import (
    check_second_factor,
    confirmed_devices,
    lockout_message,
    needs_second_factor,
    readable_key,
)
from homecoming.accounts.tokens import TokenThrottle


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("dashboard")


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: show its secret, confirm with a first code, give backup codes."""
    user = current_user(request)
    if confirmed_devices(user) and not user.is_verified():  # type: ignore[attr-defined]
        # Enrolling a new device would otherwise bypass the one already there.
        return redirect(f"{reverse('accounts:verify')}?next={reverse('accounts:enrol')}")
    device = services.do_start_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(form.cleaned_data["code"].split())):
            codes = services.do_confirm_enrolment(device)
            otp_login(request, device)
            return render(
                request, "accounts/backup_codes.html", {"codes": codes, "next": _next_url(request)}
            )
        form.add_error("code", _("That code is wrong or expired. Check the phone's clock."))
    uri = device.config_url
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "secret": readable_key(device),
            "uri": uri,
            # segno draws the data as path geometry (no text, script or external image), so
            # the SVG is safe to inline whatever the username in the link.
            "qr": mark_safe(segno.make(uri, error="m").svg_inline(scale=4)),  # nosec B308 B703
            "enrolled": bool(confirmed_devices(user)),
            "next": request.GET.get("next", ""),
        },
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The step after the password: a code from the authenticator, or a backup code."""
    user = current_user(request)
    if not confirmed_devices(user):
        return redirect("accounts:enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = check_second_factor(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if device.name == "backup":
                left = device.token_set.count()
                messages.warning(
                    request,
                    _(
                        "You used a backup code; %(left)d are left. Make new ones on the enrolment page."
                    )
                    % {"left": left},
                )
            return HttpResponseRedirect(_next_url(request))
        form.add_error(
            "code",
            _("That code is wrong or expired. After each wrong code the next try waits longer."),
        )
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_POST
def new_backup_codes(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:verify")
    codes = services.do_new_backup_codes(user)
    return render(
        request, "accounts/backup_codes.html", {"codes": codes, "next": reverse("dashboard")}
    )


def _visible_tokens(request: HttpRequest) -> Any:
    user = current_user(request)
    profile = profile_of(user)
    tokens = ApiToken.objects.select_related("user")
    if profile is not None and profile.is_administrator:
        return tokens
    return tokens.filter(user=user)


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's API tokens (an administrator sees everyone's), with a new-token form."""
    new_token = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        _token, new_token = services.do_issue_token(current_user(request), name)
    profile = profile_of(request.user)
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": _visible_tokens(request),
            "now": timezone.now(),
            "new_token": new_token,
            "everyone": profile is not None and profile.is_administrator,
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(_visible_tokens(request), pk=pk)
    services.do_revoke_token(token)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("accounts:tokens")


class TokenRequest(serializers.Serializer):  # type: ignore[type-arg]
    username = serializers.CharField(max_length=150)  # as the login form: axes stores it
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, max_length=4096
    )
    otp = serializers.CharField(required=False, allow_blank=True, max_length=32)
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ObtainToken(APIView):
    """POST username, password and (for staff with a second factor) `otp`: a new token.

    Every failure counts towards the sign-in lockout; the token is shown once."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=TokenRequest,
        responses={
            200: inline_serializer(
                "IssuedToken",
                {"token": serializers.CharField(), "expires": serializers.DateTimeField()},
            )
        },
    )
    def post(self, request: Request) -> Response:
        given = TokenRequest(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        http = request._request  # axes marks the Django request, which its middleware reads
        user = authenticate(http, username=data["username"], password=data["password"])
        if getattr(http, "axes_locked_out", False):
            return Response({"detail": lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None:
            return Response(
                {"non_field_errors": [_("Unable to log in with the username and password given.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if needs_second_factor(user):
            if not confirmed_devices(user):
                return Response(
                    {
                        "detail": _(
                            "This account needs a second factor: enrol one on the web first."
                        )
                    },
                    status=status.HTTP_403_FORBIDDEN,
                )
            if check_second_factor(user, data.get("otp", "")) is None:
                # A wrong code is a failed sign-in: it counts towards the lockout.
                user_login_failed.send(
                    sender=__name__, credentials={"username": data["username"]}, request=http
                )
                if getattr(http, "axes_locked_out", False):
                    return Response(
                        {"detail": lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS
                    )
                return Response(
                    {"otp": [_("A valid one-time code from the authenticator app is required.")]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        token, raw = services.do_issue_token(user, data.get("name", ""))
        return Response({"token": raw, "expires": token.expires_at})
