"""Forms of the core: validation only, no writes."""
