"""The OpenAPI schema's additions shared by every API view (drf-spectacular)."""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter

from homecoming.core import idempotency


class AutoSchema(openapi.AutoSchema):
    """Declares the Idempotency-Key header, its 422 and the replay header on every POST."""

    def _idempotent(self) -> bool:
        return self.method == "POST" and isinstance(self.view, idempotency.IdempotentMixin)

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._idempotent():
            parameters.append(
                OpenApiParameter(
                    idempotency.HEADER,
                    type={
                        "type": "string",
                        "minLength": 1,
                        "maxLength": idempotency.MAX_LENGTH,
                        "pattern": idempotency.PATTERN,
                    },
                    location=OpenApiParameter.HEADER,
                    required=False,
                    description=str(idempotency.DESCRIPTION),
                )
            )
        return parameters

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None or not self._idempotent():
            return operation
        responses = operation.setdefault("responses", {})
        for code, response in responses.items():
            if code.startswith("2"):
                response.setdefault("headers", {})[idempotency.REPLAYED] = {
                    "description": "true when this is the stored answer to an earlier "
                    "request with the same Idempotency-Key",
                    "schema": {"type": "string", "enum": ["true"]},
                }
        detail = {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        }
        responses.setdefault(
            "422",
            {
                "description": "The Idempotency-Key was already used with another request body",
                "content": {"application/json": {"schema": detail}},
            },
        )
        return operation
