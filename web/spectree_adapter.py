"""SpecTree, adapted: the two places this app reaches past SpecTree's public API, kept in one module.

- `FlaskRequests`, a backend plugin (SpecTree's documented extension point), skips the copies of every
  header and cookie that the Flask plugin makes per request, states the id range of integer path
  parameters, and sends a body a schema's own serialiser wrote (`web.schemas.common.Serialised`) as it is.
- `LazySpecTree` overrides SpecTree's private `_add_model`, `_generate_spec` and `models`, so that model
  schemas are built when the OpenAPI document is first asked for, not when each view is decorated: a worker
  that only answers requests never builds them (about a third of its start-up, paid again at every gunicorn
  worker recycle). tests/web/test_library_adapters.py fails if SpecTree stops calling these as relied on.
"""

from __future__ import annotations

from spectree import SpecTree
from spectree.plugins.base import Context
from spectree.plugins.flask_plugin import FlaskPlugin
from spectree.utils import get_multidict_items

from web import openapi
from web.routing import id_parameter
from web.schemas.common import ErrorOut, Serialised
from web.validation import json_payload


class FlaskRequests(FlaskPlugin):
    """SpecTree's Flask plugin without the copies of every request header and cookie it makes for each
    request, needed only by views that declare a header or cookie model (none here does)."""

    def request_validation(self, request, query, json, form, headers, cookies):
        if headers or cookies or form:
            return super().request_validation(request, query, json, form, headers, cookies)
        use_json = json and request.method not in ("GET", "DELETE") and request.mimetype not in self.FORM_MIMETYPE
        request.context = Context(
            self.model_adapter.validate_obj(query, get_multidict_items(request.args, query)) if query else None,
            self.model_adapter.validate_obj(json, json_payload(json)) if use_json else None,
            None,
            None,
            None,
        )

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        """A view's answer written by a schema's own serialiser (`Serialised`, status 200) leaves as it is: that
        serialiser is tested against the schema, and validating a month of slots again would cost more than
        writing them."""
        if isinstance(resp, Serialised):
            return self.get_current_app().response_class(resp.body, mimetype="application/json"), None
        return super().validate_response(resp, resp_model, skip_validation, force_resp_serialize)

    def parse_path(self, route, path_parameter_descriptions):
        """Integer path parameters are ids: 1..2^63-1 (anything else names no resource: 404)."""
        path, parameters = super().parse_path(route, path_parameter_descriptions)
        for parameter in parameters:
            if parameter["schema"].get("type") == "integer":
                parameter["schema"] = id_parameter()
        return path, parameters


class LazySpecTree(SpecTree):
    """Builds each model's JSON schema when the OpenAPI document first needs it, not when a view is
    decorated: a worker that only answers requests never builds them (about a third of its start-up,
    paid again at every gunicorn worker recycle)."""

    def __init__(self, *args, **kwargs):
        self._pending: list[tuple] = []
        self.model_classes: dict[str, type] = {}
        super().__init__(*args, **kwargs)

    def _add_model(self, model, mode="validation") -> str:
        self._pending.append((model, mode))
        key = self.naming_strategy(model)
        self.model_classes[key] = model
        return key

    def _generate_spec(self) -> dict:
        operations = []
        for route in self.backend.find_routes():
            for method, view in self.backend.parse_func(route):
                if not (self.backend.bypass(view, method) or self.bypass(view)):
                    metadata = self.get_function_metadata(view)
                    body = self.model_classes.get(metadata.json) if metadata.json else None
                    operations.append((self.backend.parse_path(route, None)[0], method.lower(), view, body))
        error_ref = "#/components/schemas/" + self._add_model(ErrorOut, "serialization")
        return openapi.complete(super()._generate_spec(), operations, error_ref)

    @property
    def models(self) -> dict:
        pending, self._pending = self._pending, []
        for model, mode in pending:
            super()._add_model(model, mode)
        return self._models

    @models.setter
    def models(self, value: dict) -> None:
        self._models = value
