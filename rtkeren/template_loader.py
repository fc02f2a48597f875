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
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.base import (
    FilterExpression,
    NodeList,
    TextNode,
    TokenType,
    Variable,
    VariableNode,
)
from django.template.defaulttags import IfNode, URLNode
from django.template.library import SimpleNode
from django.template.loaders import cached
from django.templatetags.i18n import BlockTranslateNode, LanguageNode, TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
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


class RenderedOnceNode(template.Node):
    child_nodelists = ()

    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.generation = _generation[0]
        self.rendered: dict[tuple, str] = {}

    def render(self, context):
        generation = _generation[0]
        if self.generation != generation:
            # Replaced, not cleared: another thread may be reading the old one.
            self.rendered, self.generation = {}, generation
        rendered = self.rendered
        key = (*_page_key(context), context.autoescape)
        output = rendered.get(key)
        if output is None:
            # A context of its own: nothing of the page's reaches the run.
            isolated = template.Context(autoescape=context.autoescape)
            # Its engine's settings (what an invalid variable renders as) are the page's.
            isolated.template = context.template
            output = self.nodelist.render(isolated)
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
