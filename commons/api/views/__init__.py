"""The JSON API, /api/v1: thin views over the same operations, engine and ``can()`` as the pages.

Each view: authenticate by token (never the session cookie) -> load the object (404) ->
``can()`` (401 for anonymous, 403 otherwise) -> one operation -> JSON.

One module per resource, all on the blueprint of :mod:`commons.api.views.base`. Importing a
module registers its endpoints; the order below is the order of the OpenAPI document.
"""

from __future__ import annotations

from commons.api.views.base import api_bp, api_transaction

# isort: off
from commons.api.views import account  # noqa: F401  (/me)
from commons.api.views import registry  # noqa: F401  (/commons)
from commons.api.views import proposals  # noqa: F401  (/proposals, their transitions)
from commons.api.views import pact_versions  # noqa: F401
from commons.api.views import documents  # noqa: F401
from commons.api.views import reports  # noqa: F401
from commons.api.views import audit  # noqa: F401  (/audit/events, /exports)
from commons.api.views import calls  # noqa: F401  (/calls, applications, scores, results)
# isort: on

__all__ = ["api_bp", "api_transaction"]
