from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone, template_localtime
from django.utils.translation import gettext, ngettext, pgettext

from assessment.models import FollowUp, Side
from rtkeren.formats import datetime_formatter, with_breaks
from rtkeren.templatetags.rtkeren import PK_MARKER, pk_url

register = template.Library()


@register.filter
def stage_rate(rate) -> str:
    """A stage's rate as a percentage ("12,5%"), or, where nobody is in the base, that there is
    no one yet to count: never a "0,0%" that reads as nobody taking part."""
    if rate is None:
        return gettext("no residents yet")
    return f"{floatformat(rate, 1)}%"


# A scorecard's card, written here rather than through a template: an RT's scorecard is one of
# the pages read most, and through the template its card went through about two hundred nodes
# (three loops over the four stages, an include per stage, thirty-two numbers localised one
# node at a time): 0,7 ms a card on the city data, a sixth to a fifth of the page's instructions.
# The markup and the messages are the template's; ``tests/assessment/test_scorecard_card.py``
# holds the two to the same output.


@register.simple_tag
def frozen_note(row) -> str:
    """When a scorecard's figures were frozen, or that a closed period's were not; nothing for
    no scorecard (an empty comparison's first row)."""
    if getattr(row, "frozen_at", None):
        note = gettext("Frozen on %(date)s (definition %(version)s)") % {
            "date": conditional_escape(date_format(template_localtime(row.frozen_at))),
            "version": conditional_escape(row.definition),
        }
    elif getattr(row, "unfrozen_closed", False):
        note = conditional_escape(
            gettext(
                "This period is closed, but its scorecard was not stored when it closed: these "
                "figures come from today's records and may differ from those at closing."
            )
        )
    else:
        return ""
    return mark_safe(f'<p class="small text-body-secondary mb-2">{note}</p>')  # noqa: S308


def _stage_bars(result, label: str, rate: str, threshold: str, words: dict) -> str:
    """A stage's rate and threshold as two bars."""
    state = "stage-met" if result.met else "stage-unmet"
    mark = f"✔ {words['fulfilled']}" if result.met else f"✘ {words['not_fulfilled']}"
    return (
        f'<li><div class="fw-semibold small">{label} · {mark}</div>'
        f'<div class="bar-row"><span class="bar-label">{words["rate"]}</span>'
        f'<span class="bar-track"><span class="bar-fill {state} d-block {result.bar}"></span>'
        f'</span><span class="bar-value">{rate}</span></div>'
        f'<div class="bar-row"><span class="bar-label">{words["threshold"]}</span>'
        f'<span class="bar-track"><span class="bar-fill threshold-fill d-block '
        f'{result.threshold_bar}"></span></span><span class="bar-value">{threshold}</span>'
        "</div></li>"
    )


@register.simple_tag
def scorecard_card(card) -> str:
    """A scorecard: how many stages are fulfilled, the card's sentences, each stage's rate
    against its threshold as bars and as a table, and the evaluations of the period."""
    esc = conditional_escape
    words = {
        "fulfilled": esc(gettext("fulfilled")),
        "not_fulfilled": esc(gettext("not fulfilled")),
        "stage": esc(gettext("Stage")),
        "residents": esc(gettext("Residents")),
        "rate": esc(gettext("Rate")),
        "threshold": esc(gettext("Threshold")),
        "result": esc(gettext("Result")),
    }
    if card.base:
        heading = gettext("%(met)s of 4 stages fulfilled") % {"met": localize(card.met_count)}
    else:
        heading = esc(gettext("No residents yet"))
    alert = "alert-success" if card.met_count == 4 else "alert-warning"
    sentences = "".join(f'<p class="mb-1">{esc(sentence)}</p>' for sentence in card.sentences)
    bars, rows = [], []
    for result in card.stages:
        rate = esc(stage_rate(result.rate))
        threshold = f"{localize(result.threshold)}%"
        label = esc(result.stage.label)
        if card.base:
            bars.append(_stage_bars(result, label, rate, threshold, words))
        who = ""
        if result.participants:
            took_part = ngettext(
                "%(count)s resident · %(on_behalf)s recorded by the pengurus on residents' behalf",
                "%(count)s residents · %(on_behalf)s recorded by the pengurus on residents' behalf",
                result.participants,
            ) % {"count": localize(result.participants), "on_behalf": localize(result.on_behalf)}
            who = f'<div class="small text-body-secondary">{took_part}</div>'
        if result.rate is None:
            outcome = "–"
        elif result.met:
            outcome = f"<strong>{words['fulfilled']}</strong>"
        else:
            outcome = words["not_fulfilled"]
        rows.append(
            f'<tr><th scope="row" class="fw-normal">{label}{who}</th>'
            f'<td class="text-end" data-label="{words["residents"]}">'
            f"{localize(result.participants)}</td>"
            f'<td class="text-end" data-label="{words["rate"]}">{rate}</td>'
            f'<td class="text-end" data-label="{words["threshold"]}">{threshold}</td>'
            f'<td data-label="{words["result"]}">{outcome}</td></tr>'
        )
    chart = f'<ul class="bar-chart" aria-hidden="true">{"".join(bars)}</ul>' if card.base else ""
    caption = gettext(
        "Distinct residents who took part in each stage, over the %(base)s residents in the "
        "base: confirmed residents aged 17 or more at the start of the period who lived here "
        "during it."
    ) % {"base": localize(card.base)}
    evaluations = gettext(
        "Evaluations this period: %(community)s from the community side, %(government)s from "
        "the government side."
    ) % {
        "community": localize(card.community_evaluations),
        "government": localize(card.government_evaluations),
    }
    if card.community_on_behalf_evaluations:
        evaluations += " " + ngettext(
            "%(count)s of the community's was recorded by the pengurus on a resident's behalf.",
            "%(count)s of the community's were recorded by the pengurus on residents' behalf.",
            card.community_on_behalf_evaluations,
        ) % {"count": localize(card.community_on_behalf_evaluations)}
    head = "".join(
        f'<th scope="col"{cls}>{words[key]}</th>'
        for key, cls in (
            ("stage", ""),
            ("residents", ' class="text-end"'),
            ("rate", ' class="text-end"'),
            ("threshold", ' class="text-end"'),
            ("result", ""),
        )
    )
    return mark_safe(  # noqa: S308 - every value above is escaped or a number localised
        '<section class="mb-4" aria-labelledby="card-heading">'
        f'<h2 class="h5" id="card-heading">{heading}</h2>{frozen_note(card)}'
        f'<div class="alert {alert}">{sentences}</div>{chart}'
        '<div class="table-responsive" tabindex="0" role="region" '
        'aria-labelledby="card-caption"><table class="table table-sm align-middle table-stack">'
        f'<caption id="card-caption">{caption}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        f'<p class="small text-body-secondary">{evaluations}</p></section>'
    )


# The two sides' averages, written here rather than through a template: the evaluation page is
# one of the detail pages read most, and through the template its five criteria went through
# about a hundred and fifty nodes (each average written twice, each label looked up per row):
# about 1,6 ms of the page's 13 on the city data. The markup and the messages are the
# template's; ``tests/assessment/test_side_by_side_html.py`` holds the two to the same output.


def _average(value) -> str:
    """An average to one decimal ("3,5"), or a dash where no one on that side scored."""
    return "–" if value is None else floatformat(value, 1)


def _side_bar(label: str, side: str, average, written: str) -> str:
    return (
        f'<div class="bar-row"><span class="bar-label">{label}</span><span class="bar-track">'
        f'<span class="bar-fill side-{side} d-block {average.bar}"></span></span>'
        f'<span class="bar-value">{written}</span></div>'
    )


@register.simple_tag
def side_by_side(summary) -> str:
    """The community's and the government's averages per criterion, as bars and as a table,
    with how many evaluated on each side and the criteria on which they differ."""
    esc = conditional_escape
    counts = ngettext(
        "%(counter)s evaluator from the community side",
        "%(counter)s evaluators from the community side",
        summary.community_evaluators,
    ) % {"counter": localize(summary.community_evaluators)}
    if summary.on_behalf:
        counts += " " + ngettext(
            "(of whom %(counter)s recorded on a resident's behalf)",
            "(of whom %(counter)s recorded on residents' behalf)",
            summary.on_behalf,
        ) % {"counter": localize(summary.on_behalf)}
    counts += "; " + ngettext(
        "%(counter)s evaluator from the government side.",
        "%(counter)s evaluators from the government side.",
        summary.government_evaluators,
    ) % {"counter": localize(summary.government_evaluators)}
    head = (
        '<section class="mb-4" aria-labelledby="side-by-side-heading">'
        '<h2 class="h5" id="side-by-side-heading">'
        f"{esc(gettext('Community and government, side by side'))}</h2>"
        f'<p class="mb-2">{counts}</p>'
    )
    if summary.is_empty:
        empty = esc(gettext("No one has evaluated this activity yet."))
        return mark_safe(f'{head}<p class="text-body-secondary">{empty}</p></section>')  # noqa: S308
    community = esc(pgettext("evaluation side", "Community"))
    government = esc(gettext("Government"))
    difference = esc(gettext("Difference"))
    differs = esc(gettext("differs"))
    alert = ""
    if summary.divergent:
        names = ", ".join(esc(row.criterion.name) for row in summary.divergent)
        advice = gettext("These criteria differ by a point or more: worth discussing together.")
        alert = (
            '<div class="alert alert-warning" role="status">'
            f"<strong>{esc(gettext('The two sides differ:'))}</strong> {names}. {esc(advice)}"
            "</div>"
        )
    bars, rows = [], []
    for row in summary.rows:
        name = esc(row.criterion.name)
        ours, theirs = _average(row.community.average), _average(row.government.average)
        badge = f' <span class="badge text-bg-warning">⚠ {differs}</span>' if row.diverges else ""
        bars.append(
            f'<li><div class="fw-semibold small">{name}{badge}</div>'
            f"{_side_bar(community, 'community', row.community, ours)}"
            f"{_side_bar(government, 'government', row.government, theirs)}</li>"
        )
        gap = row.difference
        if gap is None:
            gap_written = "–"
        else:
            gap_written = floatformat(gap, 1)
            if row.diverges:
                gap_written += f" <strong>({differs})</strong>"
        rows.append(
            f'<tr><th scope="row" class="fw-normal">{name}</th>'
            f'<td class="text-end" data-label="{community}">{ours}</td>'
            f'<td class="text-end" data-label="{government}">{theirs}</td>'
            f'<td class="text-end" data-label="{difference}">{gap_written}</td></tr>'
        )
    caption = esc(
        gettext(
            "Average score per criterion (1 to 5) for each side; a dash means no one on that "
            "side scored it."
        )
    )
    return mark_safe(  # noqa: S308 - every value above is escaped or a number localised
        f'{head}{alert}<ul class="bar-chart" aria-hidden="true">{"".join(bars)}</ul>'
        '<div class="table-responsive" tabindex="0" role="region" '
        'aria-labelledby="side-by-side-caption">'
        '<table class="table table-sm align-middle mt-2 table-stack">'
        f'<caption id="side-by-side-caption">{caption}</caption><thead><tr>'
        f'<th scope="col">{esc(gettext("Criterion"))}</th>'
        f'<th scope="col" class="text-end">{community}</th>'
        f'<th scope="col" class="text-end">{government}</th>'
        f'<th scope="col" class="text-end">{difference}</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>"
    )


# The page of obstacles and suggestions, written here for the same reason: up to 25
# evaluations a page, each through about fifteen nodes. With the averages above, a fifth of the
# page's instructions on the city data. The markup and the messages are the template's; the
# test above holds the two to the same output.


@register.simple_tag(takes_context=True)
def evaluation_comments(context, evaluations) -> str:
    """``{% evaluation_comments evaluations %}``: each evaluation's side, date, obstacles,
    suggestions and follow-ups; who gave it for a reader who may see names (``sees_names``),
    and a link to turn its obstacles into a follow-up for one who may (``can_follow_up``).
    Every value from a record is escaped."""
    esc = conditional_escape
    government_side = esc(gettext("Government side"))
    community_side = esc(gettext("Community side"))
    obstacles_label = esc(gettext("Obstacles:"))
    suggestions_label = esc(gettext("Suggestions:"))
    sees_names = context.get("sees_names")
    follow_up_url = follow_up_label = ""
    if context.get("can_follow_up"):
        url = reverse("assessment:followup-create", args=[context["activity"].pk])
        follow_up_url = f"{esc(url)}?evaluation="
        follow_up_label = esc(gettext("Turn into a follow-up"))
    written_on = datetime_formatter("DATE_FORMAT")
    zone = get_current_timezone()
    items = []
    for evaluation in evaluations:
        who = government_side if evaluation.side == Side.GOVERNMENT else community_side
        if sees_names:
            who += f" · {esc(evaluation.person_name)}"
        if evaluation.on_behalf:
            who += " · " + gettext("recorded on the resident's behalf by %(name)s") % {
                "name": esc(evaluation.recorded_by)
            }
        date = esc(written_on(evaluation.created_at.astimezone(zone)))  # ``localtime``
        parts = [
            '<li class="list-group-item"><div class="small text-body-secondary">'
            f"{who} · {date}</div>"
        ]
        if evaluation.obstacles:
            parts.append(
                f'<p class="mb-1"><strong>{obstacles_label}</strong> '
                f"{with_breaks(evaluation.obstacles)}</p>"
            )
        if evaluation.suggestions:
            parts.append(
                f'<p class="mb-1"><strong>{suggestions_label}</strong> '
                f"{with_breaks(evaluation.suggestions)}</p>"
            )
        if evaluation.follow_up_count:
            count = ngettext(
                "%(counter)s follow-up", "%(counter)s follow-ups", evaluation.follow_up_count
            ) % {"counter": localize(evaluation.follow_up_count)}
            parts.append(f'<p class="small mb-1">{count}</p>')
        if follow_up_url and evaluation.obstacles:
            parts.append(
                f'<a class="small" href="{follow_up_url}{evaluation.pk:d}">{follow_up_label}</a>'
            )
        parts.append("</li>")
        items.append("".join(parts))
    return mark_safe(f'<ul class="list-group mb-2">{"".join(items)}</ul>')  # noqa: S308


@register.simple_tag
def followup_status(follow_up) -> str:
    """A follow-up's status as a badge (an overdue one not done is red, whatever its status),
    and whether it is overdue."""
    overdue = follow_up.is_overdue
    if follow_up.status == FollowUp.Status.DONE:
        badge = "text-bg-success"
    elif overdue:
        badge = "text-bg-danger"
    elif follow_up.status == FollowUp.Status.IN_PROGRESS:
        badge = "text-bg-primary"
    else:
        badge = "text-bg-secondary"
    label = conditional_escape(follow_up.get_status_display())
    late = (
        f' <strong class="text-danger">{conditional_escape(gettext("Overdue"))}</strong>'
        if overdue
        else ""
    )
    return mark_safe(f'<span class="badge {badge}">{label}</span>{late}')  # noqa: S308


@register.simple_tag
def public_follow_up_rows(follow_ups) -> str:
    """The rows of a public page's follow-ups: the activity, the action, who is responsible (a
    role, never a name), when it is due and its status. Written here rather than through a
    template for the reason above; ``tests/assessment/test_public_follow_ups.py`` holds the
    two to the same output. Every value from a record is escaped."""
    esc = conditional_escape
    labels = {
        "activity": esc(gettext("Activity")),
        "action": esc(gettext("Action to take")),
        "responsible": esc(gettext("Responsible")),
        "due": esc(gettext("Due on")),
        "status": esc(gettext("Status")),
    }
    due_on = datetime_formatter("j M Y")
    rows = [
        f'<tr><td data-label="{labels["activity"]}">{esc(follow_up.activity.title)}</td>'
        f'<td data-label="{labels["action"]}">{esc(follow_up.action)}</td>'
        f'<td data-label="{labels["responsible"]}">{esc(follow_up.owner_label)}</td>'
        f'<td class="text-nowrap" data-label="{labels["due"]}">{esc(due_on(follow_up.due_on))}'
        f'</td><td data-label="{labels["status"]}">{followup_status(follow_up)}</td></tr>'
        for follow_up in follow_ups
    ]
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


# The unfinished outputs, written here for the same reason: a kelurahan's and the city's
# scorecards list up to 25, each through about twenty nodes (more than half of those pages'
# templates on the city data). The markup and the messages are the template's;
# ``tests/assessment/test_unfinished_outputs_html.py`` holds the two to the same output.

#: An output's follow-up badge by how far following it up has come.
_OUTPUT_FOLLOW_UP_BADGES = {"done": "text-bg-success", "open": "text-bg-primary"}


@register.simple_tag(takes_context=True)
def unfinished_outputs(context) -> str:
    """``{% unfinished_outputs %}``, with the context's ``unfinished_outputs`` (each output and
    its follow-up's status), ``show_activity`` (lists across activities: each output's activity
    linked, its obstacle's kind alone) and ``can_follow_up`` (a button to follow each up).
    Every value from a record is escaped."""
    esc = conditional_escape
    items = context.get("unfinished_outputs")
    if not items:
        return format_html(
            '<p class="text-body-secondary">{}</p>', gettext("Every planned output is finished.")
        )
    show_activity = context.get("show_activity")
    summary_url = esc(pk_url("assessment:evaluation-summary"))
    follow_up_url = esc(pk_url("assessment:followup-create"))
    obstacle_label = esc(gettext("Obstacle:"))
    not_recorded = esc(gettext("not recorded"))
    follow_up_label = esc(gettext("Follow up this output"))
    can_follow_up = context.get("can_follow_up")
    parts = ['<ul class="list-unstyled">']
    for item in items:
        output = item.output
        activity = str(output.activity_id)
        place = ""
        if show_activity:
            place = (
                f'<a href="{summary_url.replace(PK_MARKER, activity, 1)}">'
                f"{esc(output.activity_title)}</a>: "
            )
        finished = gettext("%(finished)s of %(target)s %(unit)s finished") % {
            "finished": esc(localize(output.finished)),
            "target": esc(localize(output.target)),
            "unit": esc(output.unit),
        }
        badge = _OUTPUT_FOLLOW_UP_BADGES.get(item.status, "text-bg-warning")
        obstacle = (output.obstacle if show_activity else output.obstacle_text) or not_recorded
        button = ""
        if can_follow_up:
            button = (
                '<br><a class="btn btn-sm btn-outline-success mt-1" '
                f'href="{follow_up_url.replace(PK_MARKER, activity, 1)}?output='
                f'{output.object_id:d}">{follow_up_label}</a>'
            )
        parts.append(
            f'<li class="border-bottom py-2">{place}<strong>{esc(output.name)}</strong> '
            f'{finished} <span class="badge {badge}">{esc(item.status_label)}</span>'
            f'<br><span class="small">{obstacle_label} {esc(obstacle)}</span>{button}</li>'
        )
    parts.append("</ul>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
