"""The OpenAPI schema tells the truth about errors too.

drf-spectacular documents only the success answer of each operation. Every operation can
also be refused: a malformed request (400), no permission (403), an unknown object or page
(404), and a write the records refuse (409). They are declared here once for all viewsets,
so clients and the fuzzer (`test_api_fuzz`) can rely on the published status codes.
Every POST also declares the Idempotency-Key header, its 422 and the replay header.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter

from homecoming.core import idempotency

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# Field name -> messages, `non_field_errors` for the whole object, or `detail`.
VALIDATION_ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": {},
}
WRITES = {"POST", "PUT", "PATCH"}


class AutoSchema(openapi.AutoSchema):
    def _component(self, name: str, schema: dict[str, Any]) -> dict[str, str]:
        component = ResolvedComponent(  # type: ignore[no-untyped-call]
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _error(self, description: Any, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "description": str(description),
            "content": {"application/json": {"schema": self._component(name, schema)}},
        }

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = {
            "400": self._error(
                _("The request is malformed: invalid fields, filters or characters."),
                "ValidationError",
                VALIDATION_ERROR,
            ),
            "403": self._error(_("Not logged in, or the role may not do this."), "Error", ERROR),
        }
        has_path_parameter = "{" in self.path
        if has_path_parameter or (self.method == "GET" and self._is_list_view()):
            errors["404"] = self._error(_("No such object or page."), "Error", ERROR)
        if self.method in WRITES:
            errors["409"] = self._error(
                _("Refused by the current state of the records (the reason is given)."),
                "Error",
                ERROR,
            )
        for code, body in errors.items():
            responses.setdefault(code, body)
        return responses

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
