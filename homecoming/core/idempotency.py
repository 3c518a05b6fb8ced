"""Idempotency-Key for every POST of the API: one answer per key, replayed on a retry.

A client may send ``Idempotency-Key: <1 to 1024 printable ASCII characters>`` with any POST.
The key is scoped to the caller and the operation (method and path) and stored only as
the SHA-256 of the whole key, beside the SHA-256 of the request (query and body):

- first use: the request runs and its answer (any status below 500) is stored;
- same key, same request: the stored answer is sent again (``Idempotent-Replayed: true``)
  and nothing runs;
- same key, another request: 422, nothing runs;
- same key while the first request still runs: the second waits for the first (the
  unique constraint blocks its insert until the first transaction ends) and then gets
  the stored answer, so the work is done once.

A server error (500) stores nothing: the whole request, key included, is rolled back and
the client may retry with the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from homecoming.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_LENGTH = 1024
#: Printable ASCII, space included: what every HTTP stack carries unchanged in a header.
PATTERN = "^[ -~]{1,1024}$"
DESCRIPTION = gettext_lazy(
    "Send a unique key (1 to 1024 printable ASCII characters) to make this request safe to "
    "retry: a retry with the same key and body gets the first answer again (with the header "
    "Idempotent-Replayed: true) and does nothing; the same key with another body is refused "
    "with 422."
)


def sha256(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def read_key(request: Request) -> str | None:
    """The request's Idempotency-Key, None without one; a malformed key is a 400."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_LENGTH or not all(" " <= c <= "~" for c in key):
        raise serializers.ValidationError(
            {
                HEADER: [
                    _("The %(header)s header must be 1 to %(n)d printable ASCII characters.")
                    % {"header": HEADER, "n": MAX_LENGTH}
                ]
            }
        )
    return key


def _jsonable(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)  # the view reads the file again
        return f"file:{value.name}:{digest.hexdigest()}"
    return str(value)


def request_hash(request: Request) -> str:
    """SHA-256 of what the request asks: method, path, query and the parsed body.

    The body is hashed as parsed data with sorted keys, so a retry that sends the same
    fields in another order or spacing is the same request.
    """
    data = request.data
    if hasattr(data, "lists"):  # a form or multipart QueryDict: keep every value
        data = dict(data.lists())
    body = json.dumps(data, sort_keys=True, default=_jsonable)
    query = request.META.get("QUERY_STRING", "")
    where = f"{request.method} {request.path}" + (f"?{query}" if query else "")
    return sha256(f"{where} {body}")


def _stored_body(response: Response) -> Any:
    data = getattr(response, "data", None)
    if data is None:
        return None
    # What the client received, as JSON: Decimals, dates and lazy strings rendered once.
    return json.loads(JSONRenderer().render(data))


def replay(record: IdempotencyKey) -> Response:
    response = Response(record.body, status=record.status_code)
    response[REPLAYED] = "true"
    return response


def run_once(
    view: APIView, request: Request, key: str, handler: Callable[[], Response]
) -> Response:
    """Run `handler` once for this key; answer a retry from the stored record."""
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # RolePermission has refused anonymous callers
    method = request.method or "POST"
    scope = {
        "user": user,
        "method": method,
        "path_hash": sha256(request.path),
        "key_hash": sha256(key),
    }
    fingerprint = request_hash(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    **scope, path=request.path, request_hash=fingerprint
                )
        except IntegrityError:
            # A retry, or a twin sent at the same time: its insert waited here until the
            # first transaction committed, so the first answer is there to replay.
            record = IdempotencyKey.objects.select_for_update().get(**scope)
            if record.request_hash != fingerprint:
                return Response(
                    {
                        "detail": _(
                            "This Idempotency-Key was already used with another request "
                            "body on this operation; send a new key for a new request."
                        )
                    },
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            return replay(record)
        try:
            # A savepoint: a refused request leaves nothing half done, and the record
            # below can still be written on PostgreSQL after a failed statement.
            with transaction.atomic():
                response = handler()
        except Exception as exc:
            # Turned into the answer the client would have had (400, 404, 409...);
            # anything else is re-raised, a 500 that rolls the key back too.
            response = view.handle_exception(exc)
        if response.status_code >= 500:
            record.delete()
            return response
        record.status_code = response.status_code
        record.body = _stored_body(response)
        record.save(update_fields=["status_code", "body"])
        return response


class IdempotentMixin(APIView):
    """Every POST of the view honours an Idempotency-Key (see the module's docstring)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authenticated and allowed first
        if request.method != "POST":
            return
        key = read_key(request)
        post = getattr(self, "post", None)
        if key is None or post is None:
            return

        # DRF looks the handler up after `initial`: a viewset has just bound `post` to the
        # action (create, accept...), and wrapping it here covers every POST the same way.
        def once(request: Request, *args: Any, **kwargs: Any) -> Response:
            return run_once(self, request, key, lambda: post(request, *args, **kwargs))

        self.post = once
