"""The core's Django admin, one module per area."""
