from typing import Any

from django.http import HttpRequest

from homecoming.accounts.models import profile_of


def role(request: HttpRequest) -> dict[str, Any]:
    return {"profile": profile_of(request.user)}
