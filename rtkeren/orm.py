"""A column's identity, computed directly.

Django compares and hashes query expressions by their ``identity``: the class and the arguments
its constructor was given, found by binding them to the constructor's signature with
``inspect``. The compiler hashes every selected column of an ordered query (to order by a
column's position), so a list page's query computes the identity of each column it has not met
before: about 10 µs each through ``inspect``, a tenth of compiling a plain ordered query and
about 2% of the function calls of a request.

``Col`` (a table's column under an alias) is by far the most common expression, and its
constructor takes three arguments. ``install`` gives it an identity built from them directly,
equal to the one Django would compute (``tests/core/test_orm.py`` compares them). Should a
later Django change the constructor, ``install`` leaves Django's own in place.
"""

import inspect

from django.db.models.expressions import Col, Expression
from django.utils.functional import cached_property

#: The constructor ``_col_identity`` is written for.
COL_PARAMETERS = ("self", "alias", "target", "output_field")


def _col_identity(col: Col) -> tuple:
    """What ``Expression.identity`` gives for ``col``: its class, then each constructor
    argument's name and hashable value, the default filled in. A subclass, whose constructor
    may differ, gets Django's."""
    if type(col) is not Col:
        return Expression.identity.func(col)
    args, kwargs = col._constructor_args
    # Fewer arguments than parameters when the output field is left out.
    values = dict(zip(COL_PARAMETERS[1:], args, strict=False), **kwargs)
    return (
        Col,
        ("alias", Expression._identity(values["alias"])),
        ("target", Expression._identity(values["target"])),
        ("output_field", Expression._identity(values.get("output_field"))),
    )


def col_constructor_known() -> bool:
    parameters = inspect.signature(Col.__init__).parameters
    return tuple(parameters) == COL_PARAMETERS and parameters["output_field"].default is None


def install() -> bool:
    """Give ``Col`` its direct identity, if its constructor is the one it is written for
    (``True`` when installed)."""
    if not col_constructor_known():
        return False
    if "identity" not in Col.__dict__:
        identity = cached_property(_col_identity)
        identity.__set_name__(Col, "identity")
        Col.identity = identity
    return True
