from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from rtkeren.templatetags.rtkeren import PK_MARKER, pk_url

register = template.Library()

# The table of an activity's products, written here rather than through a template: the public
# page shows one for each of its trainings, the activity page one with its obstacles, and
# through the template each product went through about twenty nodes. The markup and the
# messages are the template's; ``tests/delivery/test_outputs_table.py`` holds the two to the
# same output.


def _output_row(output, options: dict, words: dict) -> str:
    esc = conditional_escape
    pk = str(output.pk)
    name = esc(output.name)
    if options["link_outputs"]:
        name = f'<a href="{options["update_url"].replace(PK_MARKER, pk, 1)}">{name}</a>'
    obstacle = ""
    if options["obstacles"] == "full" and output.obstacle:
        note = f": {esc(output.obstacle_note)}" if output.obstacle_note else ""
        obstacle = (
            f'<div class="small text-body-secondary">{words["obstacle"]} '
            f"{esc(output.get_obstacle_display())}{note}</div>"
        )
    history = ""
    if options["history_links"]:
        history = (
            f'<a class="small d-block" href="{options["history_url"].replace(PK_MARKER, pk, 1)}">'
            f"{words['history']}</a>"
        )
    status = esc(output.get_status_display())
    if options["obstacles"] == "brief" and output.obstacle:
        status += f" · {esc(output.get_obstacle_display())}"
    return (
        f"<tr><td>{name}{obstacle}{history}</td>"
        f'<td class="text-end text-nowrap">{esc(localize(output.finished_quantity))} / '
        f"{esc(localize(output.target_quantity))} {esc(output.unit)}</td>"
        f"<td>{status}</td></tr>"
    )


@register.simple_tag(takes_context=True)
def outputs_table(context) -> str:
    """``{% outputs_table %}``, with the context's ``outputs`` and ``labelled_by`` (the id of the
    heading that names the table), and ``obstacles`` ("": none, "brief": the kind, "full": with
    the note), ``link_outputs`` (names link to their form), ``printed`` (the paper report's
    style) and ``history_links`` (each product links to its change history). Every value from
    a record is escaped."""
    options = {
        "obstacles": context.get("obstacles", ""),
        "link_outputs": context.get("link_outputs"),
        "history_links": context.get("history_links"),
    }
    if options["link_outputs"]:
        options["update_url"] = conditional_escape(pk_url("delivery:output-update"))
    if options["history_links"]:
        options["history_url"] = conditional_escape(pk_url("output-history"))
    words = {
        "obstacle": conditional_escape(_("Obstacle:")),
        "history": conditional_escape(_("Change history")),
    }
    rows = "".join(_output_row(output, options, words) for output in context.get("outputs") or ())
    style = "print-table" if context.get("printed") else "align-middle"
    return mark_safe(  # noqa: S308 - every value above is escaped
        '<div class="table-responsive" tabindex="0" role="region" aria-labelledby="'
        f'{conditional_escape(context.get("labelled_by", ""))}">'
        f'<table class="table table-sm {style}"><thead><tr>'
        f'<th scope="col">{conditional_escape(_("Product"))}</th>'
        f'<th scope="col" class="text-end">{conditional_escape(_("Finished"))}</th>'
        f'<th scope="col">{conditional_escape(_("Status"))}</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )
