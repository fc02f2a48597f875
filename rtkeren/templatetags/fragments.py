"""``{% rendered_once %}…{% endrendered_once %}``: parts of a page that are the same for everyone.

Every page repeats the same head, navigation links and footer text: a few dozen translations,
reversed URLs and static file names, rendered node by node on every request (about a third of
the privacy notice's time). What this tag holds is rendered once per process and language, then
reused; Django's ``{% cache %}`` would ask the shared cache (Redis) each time, which costs more
than rendering.

It can only be the same for everyone because it can only hold what depends on nothing of the
request: text, ``{% translate %}`` of a literal, ``{% url %}`` and ``{% static %}`` of
literals, and simple tags that take no context, with literal arguments (all without ``as``).
Anything else (a variable, ``{% csrf_token %}``, ``{% if %}``, a block, an include) is refused
when the template is read. What the output then depends on is the key: the active language,
the URL prefix and URL configuration, and whether the page escapes. Settings changed while the
process runs (tests) start afresh.
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.base import FilterExpression, TextNode, Variable, VariableNode
from django.template.defaulttags import URLNode
from django.template.library import SimpleNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

_generation = [0]


def _settings_changed(**kwargs):
    _generation[0] += 1


setting_changed.connect(_settings_changed)


def _literal(expression) -> bool:
    if not isinstance(expression, FilterExpression) or expression.filters:
        return False
    return not isinstance(expression.var, Variable) or expression.var.lookups is None


def _depends_on_nothing(node) -> bool:
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
    if kind is StaticNode:
        return node.varname is None and _literal(node.path)
    if kind is URLNode:
        return node.asvar is None and all(
            _literal(expression)
            for expression in [node.view_name, *node.args, *node.kwargs.values()]
        )
    if kind is SimpleNode:
        return (
            not node.takes_context
            and node.target_var is None
            and all(_literal(expression) for expression in [*node.args, *node.kwargs.values()])
        )
    return False


class RenderedOnceNode(template.Node):
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
        key = (
            get_language(),
            get_script_prefix(),
            get_urlconf() or settings.ROOT_URLCONF,
            context.autoescape,
        )
        output = rendered.get(key)
        if output is None:
            # A context of its own: nothing of the page's reaches the fragment.
            output = self.nodelist.render(template.Context(autoescape=context.autoescape))
            if generation == _generation[0]:
                rendered[key] = output
        return mark_safe(output)


@register.tag
def rendered_once(parser, token):
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("rendered_once takes no arguments")
    nodelist = parser.parse(("endrendered_once",))
    parser.delete_first_token()
    for node in nodelist:
        if not _depends_on_nothing(node):
            raise template.TemplateSyntaxError(
                f"rendered_once can only hold text, and translations, URLs, static files and "
                f"tags without context of literals, not {node!r}"
            )
    return RenderedOnceNode(nodelist)
