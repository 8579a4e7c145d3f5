"""Helpers for the API tests: tokens for users, and JSON requests with them."""

from __future__ import annotations

from commons.api.operations import create_token
from commons.extensions import db


def token_for(user, name: str = "tests") -> str:
    """A fresh token's secret for ``user``, as the account page would show it."""
    _token, secret = create_token(user, name=name)
    db.session.commit()
    return secret


def auth(secret: str | None) -> dict:
    return {"Authorization": f"Bearer {secret}"} if secret else {}


class Caller:
    """Requests to /api/v1 as one person (or anonymously with ``secret=None``)."""

    def __init__(self, client, secret: str | None):
        self.client, self.headers = client, auth(secret)

    def get(self, path: str, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self.headers, **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.client.post(f"/api/v1{path}", json=json, headers=self.headers, **kwargs)

    def patch(self, path: str, json=None, **kwargs):
        return self.client.patch(f"/api/v1{path}", json=json, headers=self.headers, **kwargs)

    def fire(self, proposal_id: int, trigger: str, version: int | None = None, **data):
        body = {"data": data}
        if version is not None:
            body["expected_version"] = version
        return self.post(f"/proposals/{proposal_id}/transitions/{trigger}", json=body)
