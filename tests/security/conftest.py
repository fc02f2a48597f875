import os

from hypothesis import settings

# Reproducible by default (the same examples on every run and in CI, no example database in the
# tree); HYPOTHESIS_PROFILE=explore draws new examples and remembers the failing ones.
settings.register_profile("ci", max_examples=15, deadline=None, derandomize=True, database=None)
settings.register_profile("explore", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
