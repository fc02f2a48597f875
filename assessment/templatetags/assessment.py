from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext

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
