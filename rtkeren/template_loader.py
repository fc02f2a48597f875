"""The parts of a page that are the same for everyone, rendered once per process and language.

Every page repeats the same head, navigation links, headings, labels and help texts: dozens of
translations, reversed URLs and static file names, rendered node by node on every request.
When the portal's template loader reads a template, ``fold`` wraps every run of such nodes
(at least one of them more than text) in one node that renders them once per process and
language, then reuses the text. Django's ``{% cache %}`` would ask the shared cache (Redis)
each time, which costs more than rendering.

A run can only be the same for everyone because it can only hold what depends on nothing of the
request: text, ``{% translate %}`` and ``{% blocktranslate %}`` of literals, ``{% url %}`` and
``{% static %}`` of literals, and simple tags marked ``same_for_everyone`` that take no context,
with literal arguments (all without ``as``). Anything else (a variable, ``{% csrf_token %}``,
``{% if %}``, a block, an include) ends the run, and the folding goes on inside it. What the
output then depends on is the key: the active language, the URL prefix and URL configuration (found
once a page, at its first run, and again inside ``{% language %}``), and whether the page escapes.
Settings changed while the process runs (tests) start afresh.

A list's rows are the same for everyone shown the same records, but not for everyone:
``{% include_by_value %}`` (``ByValueIncludeNode``) renders a rows template with the values it is
given and nothing else of the page, and renders it again only for values that hold something
else (``value_key``: every value the records were read with); ``{% include_each_by_value %}``
(``ByValueEachNode``) does so for each row of a list on its own.
"""

import datetime
import decimal

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.db.models import Model
from django.template.base import (
    FilterExpression,
    NodeList,
    TextNode,
    TokenType,
    Variable,
    VariableNode,
)
from django.template.defaulttags import CsrfTokenNode, IfNode, NowNode, URLNode
from django.template.library import SimpleNode
from django.template.loader_tags import IncludeNode
from django.template.loaders import cached
from django.templatetags.i18n import BlockTranslateNode, LanguageNode, TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

_generation = [0]

#: Simple tags whose output depends on their literal arguments and the language alone.
_SAME_FOR_EVERYONE = set()


def _settings_changed(**kwargs):
    _generation[0] += 1


setting_changed.connect(_settings_changed)


def same_for_everyone(function):
    """Mark a simple tag (taking no context) whose output depends on its literal arguments and
    the active language alone, so that a run of constant nodes may hold it."""
    _SAME_FOR_EVERYONE.add(function)
    return function


def _literal(expression) -> bool:
    if not isinstance(expression, FilterExpression) or expression.filters:
        return False
    return not isinstance(expression.var, Variable) or expression.var.lookups is None


def _literal_text(tokens) -> bool:
    return all(token.token_type == TokenType.TEXT for token in tokens)


def depends_on_nothing(node) -> bool:
    """Whether ``node`` renders from literals alone (exact classes: a subclass may do more)."""
    kind = type(node)
    if kind is TextNode:
        return True
    if kind is VariableNode:
        return _literal(node.filter_expression)
    if kind is TranslateNode:
        return (
            node.asvar is None
            and _literal(node.filter_expression)
            and (node.message_context is None or _literal(node.message_context))
        )
    if kind is BlockTranslateNode:
        return (
            node.asvar is None
            and not node.extra_context
            and node.countervar is None
            and not node.plural
            and _literal_text(node.singular)
            and (node.message_context is None or _literal(node.message_context))
        )
    if kind is StaticNode:
        return node.varname is None and _literal(node.path)
    if kind is URLNode:
        return node.asvar is None and all(
            _literal(expression)
            for expression in [node.view_name, *node.args, *node.kwargs.values()]
        )
    if kind is SimpleNode:
        return (
            node.func in _SAME_FOR_EVERYONE
            and not node.takes_context
            and node.target_var is None
            and all(_literal(expression) for expression in [*node.args, *node.kwargs.values()])
        )
    return False


#: Where a context keeps the language, URL prefix and URL configuration it is rendered with,
#: found at its first folded node: a page holds dozens of them, and each of the three is a
#: context-local read.
_PAGE_KEY = "_rtkeren_rendered_once_page_key"


def _page_key(context) -> tuple:
    key = context.__dict__.get(_PAGE_KEY)
    if key is None:
        key = (get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        context.__dict__[_PAGE_KEY] = key
    return key


class _LanguageNode(LanguageNode):
    """``{% language %}``, which renders what it holds in another language with the same
    context: the language is found again inside it, and again after it."""

    def render(self, context):
        context.__dict__.pop(_PAGE_KEY, None)
        try:
            return super().render(context)
        finally:
            context.__dict__.pop(_PAGE_KEY, None)


class _KeptOutputsNode(template.Node):
    """A node that keeps what it rendered, by key, until the settings change."""

    child_nodelists = ()

    def __init__(self):
        self.generation = _generation[0]
        self.rendered: dict[tuple, str] = {}

    def kept(self) -> tuple[dict[tuple, str], int]:
        """The outputs kept under the current settings, and their generation: a render started
        under an older one is not kept."""
        generation = _generation[0]
        if self.generation != generation:
            # Replaced, not cleared: another thread may be reading the old one.
            self.rendered, self.generation = {}, generation
        return self.rendered, generation


def _isolated(context, values=None) -> template.Context:
    """A context of its own, so that nothing of the page's reaches what is rendered with it, with
    the page's escaping and its engine's settings (what an invalid variable renders as)."""
    isolated = template.Context(values, autoescape=context.autoescape)
    isolated.template = context.template
    return isolated


class RenderedOnceNode(_KeptOutputsNode):
    def __init__(self, nodelist):
        super().__init__()
        self.nodelist = nodelist

    def render(self, context):
        rendered, generation = self.kept()
        key = (*_page_key(context), context.autoescape)
        output = rendered.get(key)
        if output is None:
            output = self.nodelist.render(_isolated(context))
            if generation == _generation[0]:
                rendered[key] = output
        return mark_safe(output)


def _child_nodelists(node):
    if isinstance(node, IfNode):
        # Its ``nodelist`` is a new list of every branch's nodes; the branches are the lists.
        return [nodelist for _condition, nodelist in node.conditions_nodelists]
    lists = (getattr(node, name, None) for name in node.child_nodelists)
    return [nodelist for nodelist in lists if isinstance(nodelist, NodeList)]


def fold(nodelist: NodeList) -> None:
    """Wrap, in place, every run of nodes that depend on nothing (one at least more than text)
    in a ``RenderedOnceNode``, in ``nodelist`` and every node list inside it."""
    folded, run = [], []

    def end_run():
        if any(type(node) is not TextNode for node in run):
            folded.append(RenderedOnceNode(NodeList(run)))
        else:
            folded.extend(run)
        run.clear()

    for node in nodelist:
        if depends_on_nothing(node):
            run.append(node)
            continue
        end_run()
        if type(node) is LanguageNode:
            node.__class__ = _LanguageNode
        for inner in _child_nodelists(node):
            fold(inner)
        folded.append(node)
    end_run()
    nodelist[:] = folded


class Loader(cached.Loader):
    """Django's cached loader that folds each template once, when it first reads it."""

    def get_template(self, template_name, skip=None):
        loaded = super().get_template(template_name, skip)
        if not getattr(loaded, "folded", False):
            fold(loaded.nodelist)
            loaded.folded = True
        return loaded


# A list's rows: the same for everyone who is shown the same records.


class NotKeyable(Exception):
    """A value ``value_key`` cannot tell apart from another by what it holds."""


#: Values kept in a key with their type: ``True == 1``, and a safe string renders unescaped.
_SCALARS = (str, int, float, decimal.Decimal, datetime.date, datetime.time, datetime.timedelta)


def _record_key(record: Model) -> tuple:
    # Every attribute the record holds, in the order it was read (its state object aside),
    # then the related records read with it: built in C, as a row costs less to key than to
    # render only if keying it is cheap. A value that is not hashable (a prefetched list) makes
    # the key unusable (``value_key`` hashes it); one hashed by identity makes it never match.
    items = tuple(record.__dict__.items())
    if items and items[0][0] == "_state":
        items = items[1:]
    else:
        items = tuple(item for item in items if item[0] != "_state")
    related = record._state.fields_cache
    if not related:
        return (record.__class__, items)
    return (
        record.__class__,
        items,
        tuple(
            (name, None if each is None else _record_key(each)) for name, each in related.items()
        ),
    )


def _value_key(value):
    if value is None:
        return None
    if isinstance(value, Model):
        return _record_key(value)
    if isinstance(value, (list, tuple)):
        return (value.__class__, *(_value_key(item) for item in value))
    if isinstance(value, _SCALARS):
        return (value.__class__, value)
    raise NotKeyable(value.__class__.__name__)


def value_key(value):
    """What ``value`` holds, as a key: two values with equal keys render alike from a template
    that reads only them. A record gives every value it was read with (its fields and
    annotations) and the related records read with it, a list its items. Raises
    ``NotKeyable`` for anything else."""
    key = _value_key(value)
    try:
        hash(key)
    except TypeError as error:
        raise NotKeyable(str(error)) from error
    return key


#: Tags and filters whose output depends on more than the values a template is given.
_NOT_BY_VALUE_NODES = (CsrfTokenNode, NowNode)
_NOT_BY_VALUE_FILTERS = frozenset({"timesince", "timeuntil", "naturaltime", "naturalday"})


def check_by_value(loaded) -> None:
    """Refuse a template whose output depends on the request or the clock (and the templates
    it includes by name)."""
    for node in loaded.nodelist.get_nodes_by_type(template.Node):
        if isinstance(node, IncludeNode) and _literal(node.template):
            check_by_value(loaded.engine.get_template(node.template.var))
        if isinstance(node, _NOT_BY_VALUE_NODES):
            raise template.TemplateSyntaxError(
                f"{loaded.origin.template_name} renders {type(node).__name__}: not by value."
            )
        filters = {
            getattr(function, "_filter_name", function.__name__)
            for expression in vars(node).values()
            if isinstance(expression, FilterExpression)
            for function, _arguments in expression.filters
        }
        if filters & _NOT_BY_VALUE_FILTERS:
            raise template.TemplateSyntaxError(
                f"{loaded.origin.template_name} filters with the clock: not by value."
            )


class ByValueIncludeNode(_KeptOutputsNode):
    """``{% include_by_value "name" a=... b=... %}``: the template with ``a``, ``b`` and nothing
    else of the page, rendered once per process for the same values (``value_key``), language,
    time zone, URL prefix and escaping. A render that reads the database (a related record not
    read with the rows) is not kept: its output depends on more than the values."""

    #: Outputs kept per include: past this many, they are dropped and kept afresh.
    KEPT = 200

    def __init__(self, template_name, values):
        super().__init__()
        self.template_name = template_name
        self.values = values
        self.checked = None

    def render(self, context):
        loaded = self.loaded(context)
        values = {key: value.resolve(context) for key, value in self.values.items()}
        rendered, generation = self.kept()
        try:
            key = (
                *self.key_start(context, loaded),
                tuple((each, value_key(value)) for each, value in values.items()),
            )
        except NotKeyable:
            key = None
        return mark_safe(self.output(loaded, context, values, key, rendered, generation))

    def loaded(self, context):
        """The template included, checked once that it renders by value."""
        loaded = context.template.engine.get_template(self.template_name.resolve(context))
        if self.checked is not loaded:
            check_by_value(loaded)
            self.checked = loaded
        return loaded

    @staticmethod
    def key_start(context, loaded) -> tuple:
        """What an output depends on besides the values: the template, the language, URL
        prefix and configuration, the escaping and the time zone."""
        return (
            loaded.origin.template_name,
            *_page_key(context),
            context.autoescape,
            timezone.get_current_timezone_name(),
        )

    def output(self, loaded, context, values, key, rendered, generation) -> str:
        """The output kept under ``key``, or ``loaded`` rendered with ``values`` alone (kept
        when it read nothing from the database and the settings did not change meanwhile)."""
        output = None if key is None else rendered.get(key)
        if output is None:
            queries = [0]

            def count(execute, *args):
                queries[0] += 1
                return execute(*args)

            with connection.execute_wrapper(count):
                output = loaded.render(_isolated(context, values))
            if key is not None and not queries[0] and generation == _generation[0]:
                if len(rendered) >= self.KEPT:
                    self.rendered = rendered = {}
                rendered[key] = output
        return output


class ByValueEachNode(ByValueIncludeNode):
    """``{% include_each_by_value "name" item in items %}``: the template once for each of
    ``items``, with ``item`` and nothing else of the page, each output kept for the same
    values of its own record. A record shown to many people, each in a list of their own (an
    RT's proposals beside the kelurahan's), is rendered once for all of those lists."""

    #: Rows kept per include, past which they are dropped and kept afresh: a kelurahan's
    #: records many times over. A row's key holds every value its record was read with: a
    #: proposal of the city data kept with its output takes about 4 KB, so at most about 8 MB
    #: a process.
    KEPT = 2000

    def __init__(self, template_name, name, items):
        super().__init__(template_name, {})
        self.name = name
        self.items = items

    def render(self, context):
        loaded = self.loaded(context)
        rendered, generation = self.kept()
        start = self.key_start(context, loaded)
        outputs = []
        for item in self.items.resolve(context) or ():
            try:
                key = (*start, value_key(item))
            except NotKeyable:
                key = None
            outputs.append(
                self.output(loaded, context, {self.name: item}, key, rendered, generation)
            )
        return mark_safe("".join(outputs))
