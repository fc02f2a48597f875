"""Filter forms written in Python rather than through a template per field and per option.

A list page's filter form is rendered on every request of the page. Through crispy forms each
field goes through a dozen nested templates and each option of a select through one more: for
the potentials list (five selects, one of them every RT of the kelurahan) that was about a third
of the page's rendering. ``filter_fields`` writes the same Bootstrap markup (a label, the
control, its errors and help) with ``format_html``; the widgets keep deciding their attributes
and which options are selected.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def _select(field: forms.BoundField, attrs: dict) -> SafeString:
    widget = field.field.widget
    context = widget.get_context(field.html_name, field.value(), field.build_widget_attrs(attrs))
    parts = [
        format_html("<select{}>", flatatt({"name": field.html_name, **context["widget"]["attrs"]}))
    ]
    for group, options, _index in context["widget"]["optgroups"]:
        if group:
            parts.append(format_html('<optgroup label="{}">', group))
        parts.extend(
            format_html(
                "<option{}>{}</option>",
                flatatt({"value": option["value"], **option["attrs"]}),
                option["label"],
            )
            for option in options
        )
        if group:
            parts.append("</optgroup>")
    parts.append("</select>")
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
        parts.append(
            format_html(
                '<div id="div_{}" class="mb-3"><label for="{}" class="form-label">{}</label>'
                "{}{}{}</div>",
                field.auto_id,
                field.id_for_label,
                field.label,
                control,
                # The ids the control's aria-describedby names (Django's own convention).
                format_html(
                    '<div id="{}_error" class="invalid-feedback d-block">{}</div>',
                    field.auto_id,
                    format_html_join("", '<p class="mb-0">{}</p>', ((e,) for e in field.errors)),
                )
                if field.errors
                else "",
                format_html(
                    '<div id="{}_helptext" class="form-text">{}</div>',
                    field.auto_id,
                    field.help_text,
                )
                if field.help_text
                else "",
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped
