from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rtkeren.formats import datetime_formatter
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
    return outputs_table_html(
        context.get("outputs") or (),
        labelled_by=context.get("labelled_by", ""),
        obstacles=context.get("obstacles", ""),
        link_outputs=context.get("link_outputs"),
        history_links=context.get("history_links"),
        printed=context.get("printed"),
    )


def outputs_table_html(
    outputs,
    *,
    labelled_by: str = "",
    obstacles: str = "",
    link_outputs=False,
    history_links=False,
    printed=False,
) -> str:
    """The table ``{% outputs_table %}`` writes, for ``outputs`` and the same options."""
    options = {
        "obstacles": obstacles,
        "link_outputs": link_outputs,
        "history_links": history_links,
    }
    if options["link_outputs"]:
        options["update_url"] = conditional_escape(pk_url("delivery:output-update"))
    if options["history_links"]:
        options["history_url"] = conditional_escape(pk_url("output-history"))
    words = {
        "obstacle": conditional_escape(_("Obstacle:")),
        "history": conditional_escape(_("Change history")),
    }
    rows = "".join(_output_row(output, options, words) for output in outputs)
    style = "print-table" if printed else "align-middle"
    return mark_safe(  # noqa: S308 - every value above is escaped
        '<div class="table-responsive" tabindex="0" role="region" aria-labelledby="'
        f'{conditional_escape(labelled_by)}">'
        f'<table class="table table-sm {style}"><thead><tr>'
        f'<th scope="col">{conditional_escape(_("Product"))}</th>'
        f'<th scope="col" class="text-end">{conditional_escape(_("Finished"))}</th>'
        f'<th scope="col">{conditional_escape(_("Status"))}</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )


@register.simple_tag
def public_trainings(activities) -> str:
    """``{% public_trainings activities %}``: each training on the public page with where it
    is, its completion rate and its products' table. Written here rather than through a
    template for the same reason as the table: each training went through an include of its
    own. The markup and the messages are those of the template it replaced
    (``tests/delivery/test_public_trainings.py`` holds the two to the same output)."""
    whole = conditional_escape(_("Whole kelurahan"))
    articles = []
    for activity in activities:
        heading = f"public-outputs-{activity.pk}"
        where = conditional_escape(activity.rt) if activity.rt else whole
        rate = conditional_escape(localize(activity.completion["rate"]))
        table = outputs_table_html(activity.outputs.all(), labelled_by=heading)
        articles.append(
            f'<article class="mb-3"><h3 class="h6" id="{heading}">'
            f"{conditional_escape(activity.title)} "
            f'<span class="fw-normal text-body-secondary">· {where} · {rate}%</span></h3>'
            f"{table}</article>"
        )
    return mark_safe("".join(articles))  # noqa: S308 - every value above is escaped


# The meetings on an activity's page, written here for the same reason: ten a page, each
# through about twenty nodes (its date, times and two counts each localised through a
# template node). The markup and the messages are the template's;
# ``tests/delivery/test_meeting_items.py`` holds the two to the same output.


def _clock(moment) -> str:
    """A time as ``time:"H:i"`` writes it: hours and minutes, two digits each."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


@register.simple_tag(takes_context=True)
def meeting_items(context, meetings) -> str:
    """``{% meeting_items page_obj %}``: each meeting as a list item, with its date, times,
    place, facilitator, who was present and its photos (their first four, for a reader who may
    see them: ``can_view_records``, or a meeting whose photos are public). Every value from a
    record is escaped."""
    esc = conditional_escape
    meeting_url = pk_url("delivery:meeting-detail")
    photo_url = pk_url("delivery:photo-file")
    on_day = datetime_formatter("DATE_FORMAT")
    sees_records = context.get("can_view_records")
    items = []
    for meeting in meetings:
        pk = str(meeting.pk)
        ends = f"–{_clock(meeting.ends_at)}" if meeting.ends_at else ""
        facilitator = f" · {esc(meeting.facilitator)}" if meeting.facilitator else ""
        present = ngettext("%(counter)s present", "%(counter)s present", meeting.attendee_count)
        photos = ngettext("%(counter)s photo", "%(counter)s photos", meeting.photo_count)
        gallery = ""
        if sees_records or meeting.photos_public:
            shown = list(meeting.photos.all())[:4]
            if shown:
                gallery = (
                    '<div class="d-flex flex-wrap gap-1 mt-1">'
                    + "".join(
                        f'<img src="{esc(photo_url.replace(PK_MARKER, str(photo.pk), 1))}" '
                        f'alt="{esc(photo.caption or meeting.title)}" width="72" height="72" '
                        'class="rounded object-fit-cover" loading="lazy">'
                        for photo in shown
                    )
                    + "</div>"
                )
        items.append(
            '<li class="border-bottom py-2">'
            f'<a class="fw-bold" href="{esc(meeting_url.replace(PK_MARKER, pk, 1))}">'
            f"{esc(meeting.title)}</a>"
            f'<div class="small">{esc(on_day(meeting.date))}, {_clock(meeting.starts_at)}{ends}'
            f" · {esc(meeting.place)}{facilitator}</div>"
            '<div class="small text-body-secondary">'
            f"{present % {'counter': localize(meeting.attendee_count)}} · "
            f"{photos % {'counter': localize(meeting.photo_count)}}</div>{gallery}</li>"
        )
    if not items:
        return format_html("<li>{}</li>", _("No meetings planned yet."))
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped
