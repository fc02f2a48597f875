"""The core's Django admin, one module per area."""

from . import (
    activities,  # noqa: F401
    messages,  # noqa: F401
    offline,  # noqa: F401
    people,  # noqa: F401
    places,  # noqa: F401
    privacy,  # noqa: F401
)
