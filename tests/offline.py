"""Sending what a phone kept without a signal, as static/js/offline-queue.js does."""

import json
import uuid

from rtkeren.offline import account_tag


def submission(user, **content) -> dict:
    """A body as the phone sends it: a fresh key, the account tag of the page, the content."""
    return {"key": str(uuid.uuid4()), "account": account_tag(user), **content}


def send(client, url: str, body):
    """POST ``body`` (a dict as JSON, or raw text) the way the phone does."""
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json")
