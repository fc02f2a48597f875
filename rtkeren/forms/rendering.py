"""Filter forms written in Python rather than through a template per field and per option.

A list page's filter form is rendered on every request of the page. Through crispy forms each
field goes through a dozen nested templates and each option of a select through one more: for
the potentials list (five selects, one of them every RT of the kelurahan) that was about a third
of the page's rendering. ``filter_fields`` writes the same Bootstrap markup (a label, the
control, its errors and help) with ``format_html``; the widgets keep deciding their attributes
and which options are selected.

The options of a model select whose rows are public records (periods, kelurahan, RTs) are the
same for everyone who asks with the same query: they are kept in the cache under the public
records' version (``_shared_options``), not read from the database on every request.
"""

import datetime
import hashlib
from collections.abc import Iterator
from html import escape as _html_escape

from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Lookup
from django.db.models.expressions import Col
from django.db.models.sql.where import WhereNode
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from rtkeren.scopecache import cached_public_value
from rtkeren.signals import private_tables, public_tables


def _options(choices, chosen: set[str]) -> Iterator[str]:
    """Each choice as an ``<option>`` (a group's as an ``<optgroup>``), the first whose value is
    in ``chosen`` selected, as ``Select.optgroups`` decides: Django's widget builds a dictionary
    and an attribute map for every option first, the bulk of a long select's cost."""
    tags = _option_tags(choices)
    if tags is not None:
        for text, plain, selected in tags:
            if text in chosen:
                chosen.clear()
                yield selected
            else:
                yield plain
        return
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            yield format_html('<optgroup label="{}">', value)
            yield from _options(label, chosen)
            yield "</optgroup>"
            continue
        text = "" if value is None else str(value)
        selected = text in chosen
        if selected:
            chosen.clear()
        yield _option_tag(text, label, selected=selected)


def _option_tag(text: str, label, *, selected: bool) -> str:
    return '<option value="{}"{}>{}</option>'.format(
        escape(text), " selected" if selected else "", conditional_escape(label)
    )


#: The options of selects rendered before, by their choices and the language (``_option_tags``).
_rendered_options: dict = {}
#: Option lists kept per process; past it they are all forgotten and rendered again as asked.
RENDERED_OPTIONS_KEPT = 500


def _option_tags(choices) -> tuple | None:
    """Each choice's value as text with its ``<option>``, plain and selected: rendered once per
    process for the same choices in the same language (a list page's filter form renders the
    same few selects for everyone, every request). None for choices this does not keep: a
    group, or a value other than text, a number or None (a model choice's own value object)."""
    parts = []
    for value, label in choices:
        if not (value is None or type(value) is str or type(value) is int):
            return None
        if type(label) is str:
            parts.append((value, label))
        elif isinstance(label, Promise):
            # A translatable label, by identity: its entry holds it, so the identity is never
            # another label's while the entry is kept.
            parts.append((value, id(label)))
        else:
            return None
    key = (get_language(), tuple(parts))
    found = _rendered_options.get(key)
    if found is None:
        tags = []
        for value, label in choices:
            text = "" if value is None else str(value)
            tags.append(
                (
                    text,
                    _option_tag(text, label, selected=False),
                    _option_tag(text, label, selected=True),
                )
            )
        found = (list(choices), tuple(tags))
        if len(_rendered_options) >= RENDERED_OPTIONS_KEPT:
            _rendered_options.clear()
        _rendered_options[key] = found
    return found[1]


def _choices(widget: forms.Select):
    """The widget's choices. A model choice field's are read as a plain query: Django's own
    iterator reads them through ``QuerySet.iterator()``, which on PostgreSQL opens a server-side
    cursor, three round trips (declare, fetch, close) for a handful of rows."""
    choices = widget.choices
    if not isinstance(choices, forms.models.ModelChoiceIterator):
        return choices
    empty = choices.field.empty_label
    return [
        *([("", empty)] if empty is not None else []),
        *(choices.choice(instance) for instance in choices.queryset.all()),
    ]


def _labeller(function) -> str:
    """Where the function that labels a model select's options is written: part of the options'
    key, since two fields may label the same rows differently."""
    code = getattr(function, "__code__", None)
    if code is None:
        return f"{function.__module__}.{function.__qualname__}"
    return f"{code.co_filename}:{code.co_firstlineno}"


#: Values a filter may compare with and still be written into a query's fingerprint as they
#: are: anything else (a subquery, an expression) leaves the query to be compiled.
_PLAIN_VALUES = (str, int, float, bool, type(None), datetime.date, datetime.time)


def _plain(value) -> bool:
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(isinstance(item, _PLAIN_VALUES) for item in value)
    return isinstance(value, _PLAIN_VALUES)


def _conditions(node) -> str | None:
    """The WHERE of a query as text, when each condition compares a column with plain values
    (the text then names every table, column, lookup and value); else None."""
    for child in node.children:
        if isinstance(child, WhereNode):
            if _conditions(child) is None:
                return None
        elif not (isinstance(child, Lookup) and isinstance(child.lhs, Col) and _plain(child.rhs)):
            return None
    return str(node)


def _fingerprint(query) -> tuple | None:
    """What decides a plain model query's SQL and parameters, read off the query without
    compiling it (a compile costs 0,1 to 0,3 ms; this a hundredth of that): its model, joins,
    conditions, order, related rows and slice. None for anything more (annotations, extra SQL,
    subqueries, a combination, chosen columns), which is compiled instead."""
    if (
        query.annotations
        or query.extra
        or query.extra_tables
        or query.extra_order_by
        or query.combinator
        or query.distinct_fields
        or query.values_select
        or query.deferred_loading != (frozenset(), True)
        or query.select_for_update
        or query.group_by is not None
        or not query.default_cols
        or not all(isinstance(term, str) for term in query.order_by)
    ):
        return None
    conditions = _conditions(query.where)
    joins = tuple(
        # A join's ON clause: the columns it joins on (the first table has none).
        (
            alias,
            join.table_name,
            getattr(join, "join_type", None),
            getattr(join, "parent_alias", None),
            getattr(join, "join_cols", None),
        )
        for alias, join in query.alias_map.items()
    )
    if conditions is None or any(
        getattr(join, "filtered_relation", None) is not None for join in query.alias_map.values()
    ):
        return None
    return (
        query.model._meta.label,
        joins,
        conditions,
        query.order_by,
        query.default_ordering,
        query.standard_ordering,
        repr(query.select_related),
        query.distinct,
        query.low_mark,
        query.high_mark,
    )


def _query_key(query, db: str) -> tuple | None:
    """What tells ``query``'s options from another's: its fingerprint, or its SQL and
    parameters when it has none; None when it selects nothing."""
    fingerprint = _fingerprint(query)
    if fingerprint is not None:
        return fingerprint
    try:
        # On a copy: compiling adds the related rows' joins to the query.
        sql, params = query.clone().get_compiler(db).as_sql()
    except EmptyResultSet:
        return None
    # A subquery's tables are not among the joins: only a single SELECT is known to read them.
    if sql.upper().count("SELECT") != 1:
        return None
    return (sql, params)


def _shared_options(field: forms.BoundField):
    """The options of a model select, as (value, label) text, from the cache when every table
    its query reads holds public records (then the options depend on nothing but those records,
    the query and the language); else None, and they are read as the widget's choices."""
    choices = field.field.widget.choices
    if not isinstance(choices, forms.models.ModelChoiceIterator):
        return None
    query = choices.queryset.query
    # The model's tables (a query not yet filtered has no joins at all) and those it filters
    # on; those of its related rows (``select_related``) and of its labels are checked as they
    # are read (``watch``).
    meta = query.get_meta()
    tables = {
        meta.db_table,
        *(parent._meta.db_table for parent in meta.get_parent_list()),
        *(join.table_name for join in query.alias_map.values()),
    }
    if not tables <= public_tables():
        return None
    query_key = _query_key(query, choices.queryset.db)
    if query_key is None:
        return None
    model_field = field.field
    key = repr(
        (
            type(field.form).__qualname__,
            field.name,
            query_key,
            _labeller(model_field.label_from_instance),
            str(model_field.empty_label),
            get_language(),
        )
    )

    private = []

    def watch(execute, sql, params, many, context):
        # The query's related rows, or a label, may read more than the query filters on (an
        # RT's kelurahan, say): options that read a table of records no public page shows are
        # not kept, for no version follows it.
        private.extend(table for table in private_tables() if f'"{table}"' in sql)
        return execute(sql, params, many, context)

    def read() -> list[tuple[str, str]]:
        with connections[choices.queryset.db].execute_wrapper(watch):
            return [
                (str(value), label if isinstance(label, str) else str(label))
                for value, label in _choices(model_field.widget)
            ]

    name = hashlib.sha256(key.encode()).hexdigest()[:32]
    return cached_public_value(f"options:{name}", read, keep=lambda _options: not private)


def _escaped(value) -> str:
    """``conditional_escape(value)`` as text, without the check for lazy arguments each call of
    Django's escaping functions makes (a filter form calls them dozens of times a request)."""
    html = getattr(value, "__html__", None)
    return html() if html is not None else _html_escape(str(value))


def _attributes(attrs: dict) -> str:
    """What ``flatatt(attrs)`` writes, in its order: ``key="value"`` pairs sorted, then the
    keys whose value is True, sorted; False and None left out."""
    pairs, keys = [], []
    for key, value in attrs.items():
        if isinstance(value, bool):
            if value:
                keys.append(key)
        elif value is not None:
            pairs.append((key, value))
    return "".join(
        [
            *(f' {_escaped(key)}="{_escaped(value)}"' for key, value in sorted(pairs)),
            *(f" {_escaped(key)}" for key in sorted(keys)),
        ]
    )


def _select(field: forms.BoundField, attrs: dict) -> SafeString:
    widget = field.field.widget
    options = _shared_options(field)
    attributes = {
        "name": field.html_name,
        **widget.build_attrs(widget.attrs, field.build_widget_attrs(attrs)),
    }
    parts = [
        f"<select{_attributes(attributes)}>",
        *_options(
            _choices(widget) if options is None else options,
            set(widget.format_value(field.value())),
        ),
        "</select>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped


def filter_fields(form: forms.Form) -> SafeString:
    """The fields of ``form`` as Bootstrap form groups: selects written here, other widgets by
    their own (one template each)."""
    parts = []
    for field in form:
        if field.is_hidden:
            parts.append(str(field))
            continue
        widget = field.field.widget
        single_select = isinstance(widget, forms.Select) and not widget.allow_multiple_selected
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        attrs = {"class": f"{css} is-invalid" if field.errors else css, "id": field.auto_id}
        control = _select(field, attrs) if single_select else field.as_widget(attrs=attrs)
        auto_id = _escaped(field.auto_id)
        errors = "".join(f'<p class="mb-0">{_escaped(error)}</p>' for error in field.errors)
        parts.append(
            f'<div id="div_{auto_id}" class="mb-3"><label for="{_escaped(field.id_for_label)}" '
            f'class="form-label">{_escaped(field.label)}</label>{control}'
            # The ids the control's aria-describedby names (Django's own convention).
            + (
                f'<div id="{auto_id}_error" class="invalid-feedback d-block">{errors}</div>'
                if field.errors
                else ""
            )
            + (
                f'<div id="{auto_id}_helptext" class="form-text">{_escaped(field.help_text)}</div>'
                if field.help_text
                else ""
            )
            + "</div>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped
