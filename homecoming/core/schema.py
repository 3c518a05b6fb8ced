"""The OpenAPI schema tells the truth about errors too.

drf-spectacular documents only the success answer of each operation. Every operation can
also be refused: a malformed request (400), no permission (403), an unknown object or page
(404), and a write the records refuse (409). They are declared here once for all viewsets,
so clients and the fuzzer (`test_api_fuzz`) can rely on the published status codes.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent

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
