"""Adapters for development and tests: nothing leaves the machine."""

import sys
from itertools import count

#: What the in-memory adapter was given, in order, as tests read it (like ``mail.outbox``).
outbox: list[dict] = []
_ids = count(1)


class ConsoleAdapter:
    """Writes each message to the worker's standard output (``make run``)."""

    def send(self, message) -> str:
        sys.stdout.write(
            f"[{message.get_channel_display()} → {message.address}] "
            f"{message.template or '-'} {message.parameters}\n{message.text}\n\n"
        )
        sys.stdout.flush()
        return ""


class MemoryAdapter:
    """Keeps each message in ``outbox``; the test settings use it for every phone channel."""

    def send(self, message) -> str:
        provider_id = f"memory-{next(_ids)}"
        outbox.append(
            {
                "channel": message.channel,
                "to": message.address,
                "template": message.template,
                "parameters": list(message.parameters),
                "text": message.text,
                "kind": message.kind,
                "provider_id": provider_id,
            }
        )
        return provider_id
