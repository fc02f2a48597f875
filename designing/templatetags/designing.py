from html import escape as escape_text

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rtkeren.formats import datetime_formatter, paragraphs
from rtkeren.templatetags.rtkeren import PK_MARKER as _MARK
from rtkeren.templatetags.rtkeren import pk_url

register = template.Library()

# The words of a proposal row, as a function call a row rather than a ``blocktranslate`` (the
# same messages, so the same translations).


@register.filter
def fit_badge(fit: int | None) -> str:
    """How many residents' interests a proposal fits, as a badge; nothing when not counted."""
    if fit is None:
        return ""
    return format_html(
        '<span class="badge text-bg-light border fit-badge">{}</span>',
        ngettext(
            "fits the interests of %(counter)s resident",
            "fits the interests of %(counter)s residents",
            fit,
        )
        % {"counter": localize(fit)},
    )


@register.filter
def comment_text(count: int) -> str:
    return ngettext("%(counter)s comment", "%(counter)s comments", count) % {
        "counter": localize(count)
    }


# A proposal's discussion: written here rather than through a template per comment. A page of
# the discussion shows up to 25 threads and their replies; through ``{% include %}`` each
# comment went through about thirty template nodes, about 0,3 ms a comment on the city data:
# for a discussed proposal, half of its page's CPU. The markup is the same. What every comment
# repeats (labels, URLs, the CSRF field, the forms) is written once a page, with the mark
# ``pk_url`` reverses URLs with (``PK_MARKER``) where each comment's id goes.


class _Discussion:
    """The page's threads written out for one reader: what they may do (reply, moderate) and
    who they are (a hidden comment's author still reads it) decide, as the page decided."""

    def __init__(self, context, page: int):
        activity = context["activity"]
        self.proposer_id = activity.author_id
        self.reader = context["user"].pk
        self.can_moderate = bool(context.get("can_moderate"))
        token = context.get("csrf_token")
        csrf = (
            format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
            if token and token != "NOTPROVIDED"
            else ""
        )
        self.proposer = format_html(
            ' <span class="badge text-bg-light border">{}</span>', _("Proposer")
        )
        self.only_you = format_html(
            '<p class="small mb-0">{}</p>', _("Only you and the officers still see your text.")
        )
        self.hidden_by = _("Hidden by an officer. Reason: %(reason)s")
        self.written_at = datetime_formatter()
        self.zone = timezone.get_current_timezone()
        self.restore_form = self.hide_form = self.reply_box = ""
        if self.can_moderate:
            self.restore_form = format_html(
                '<form method="post" action="{}">{}'
                '<button type="submit" class="btn btn-link btn-sm p-0">{}</button></form>',
                pk_url("designing:comment-restore"),
                csrf,
                _("Show again"),
            )
            self.hide_form = format_html(
                '<details class="small"><summary>{}</summary>'
                '<form method="post" action="{}" class="mt-1">{}'
                '<label class="form-label" for="hide-{}">{}</label>'
                '<input class="form-control form-control-sm mb-1" id="hide-{}" name="reason" '
                'maxlength="255" required>'
                '<button type="submit" class="btn btn-outline-danger btn-sm">{}</button>'
                "</form></details>",
                _("Hide this comment"),
                pk_url("designing:comment-hide"),
                csrf,
                _MARK,
                _("Reason for hiding"),
                _MARK,
                _("Hide"),
            )
        if context.get("can_comment"):
            create_url = reverse("designing:comment-create", args=[activity.pk])
            self.reply_box = format_html(
                '<details class="ms-3 mt-1 reply-box"><summary class="small">{}</summary>'
                '<form method="post" action="{}" class="comment-form mb-3" data-hx-post="{}" '
                'data-hx-target="#discussion" data-hx-swap="outerHTML">{}'
                '<label class="form-label visually-hidden" for="reply-{}">{}</label>'
                '<textarea class="form-control mb-2" id="reply-{}" name="body" rows="2" '
                'maxlength="2000" required></textarea>'
                '<input type="hidden" name="parent" value="{}">'
                '<input type="hidden" name="page" value="{}">'
                '<button type="submit" class="btn btn-success btn-sm">{}</button>'
                '<span class="htmx-indicator small text-body-secondary">{}</span>'
                "</form></details>",
                _("Reply"),
                create_url,
                create_url,
                csrf,
                _MARK,
                _("Your reply"),
                _MARK,
                _MARK,
                page,
                _("Send reply"),
                _("Sending…"),
            )

    def threads(self, threads) -> str:
        parts = ['<ol class="list-unstyled comment-list">']
        for comment in threads:
            parts += ['<li class="comment-thread mb-3">', self.card(comment)]
            replies = comment.reply_list
            if replies:
                parts.append('<ol class="list-unstyled ms-3 ps-2 border-start comment-replies">')
                parts += [f"<li>{self.card(reply)}</li>" for reply in replies]
                parts.append("</ol>")
            parts += [self.reply_box.replace(_MARK, str(comment.pk)), "</li>"]
        parts.append("</ol>")
        return "".join(parts)

    def card(self, comment) -> str:
        pk = str(comment.pk)
        written = comment.created_at.astimezone(self.zone)  # ``timezone.localtime``
        hidden, own = comment.is_hidden, comment.author_id == self.reader
        parts = [
            '<div class="comment card card-body p-2 mb-1',
            " comment-hidden bg-body-tertiary" if hidden else "",
            f'" id="comment-{pk}"><p class="small mb-1">'
            f"<strong>{escape_text(str(comment.author))}</strong>",
            self.proposer if comment.author_id == self.proposer_id else "",
            ' <span class="text-body-secondary">· <time datetime="',
            written.strftime("%Y-%m-%dT%H:%M:%S%z"),
            f'">{escape_text(self.written_at(written))}</time></span></p>',
        ]
        if hidden:
            reason = self.hidden_by % {"reason": escape_text(comment.hidden_reason)}
            parts.append(f'<p class="small fst-italic mb-1">{reason}</p>')
            if own or self.can_moderate:
                parts.append(
                    '<div class="comment-body text-body-secondary">'
                    f"{paragraphs(comment.body)}</div>"
                )
            if own:
                parts.append(self.only_you)
            parts.append(self.restore_form.replace(_MARK, pk))
        else:
            parts += [
                f'<div class="comment-body">{paragraphs(comment.body)}</div>',
                self.hide_form.replace(_MARK, pk),
            ]
        parts.append("</div>")
        return "".join(parts)


@register.simple_tag(takes_context=True)
def discussion_threads(context) -> str:
    """``{% discussion_threads %}``: the page's threads (``threads``), each with its replies and,
    for a reader who may comment, a reply form; for one who may moderate, the forms that hide
    a comment or show it again. Every value from a record is escaped."""
    threads = context["threads"]
    return mark_safe(_Discussion(context, threads.number).threads(threads))  # noqa: S308


# The voting results of a kelurahan's public page, written here rather than through a template:
# a page of five rounds and their proposals went through about two hundred nodes. The markup
# and the messages are the template's; ``tests/designing/test_public_rounds.py`` holds the two
# to the same output.


def _voters(voting_round) -> str:
    if voting_round.voters_shown is None:
        return escape(_("Fewer than 5 residents voted."))
    return ngettext(
        "%(counter)s resident voted.", "%(counter)s residents voted.", voting_round.voters_shown
    ) % {"counter": localize(voting_round.voters_shown)}


def _approved(proposal, reason_label: str) -> str:
    if proposal.votes_shown is None:
        votes = escape(_("fewer than 5 votes"))
    else:
        votes = ngettext("%(counter)s vote", "%(counter)s votes", proposal.votes_shown) % {
            "counter": localize(proposal.votes_shown)
        }
    reason = ""
    if proposal.decision_reason:
        reason = (
            f'<div class="small text-body-secondary">{reason_label} '
            f"{escape(proposal.decision_reason)}</div>"
        )
    return (
        '<li class="list-group-item"><div class="d-flex justify-content-between gap-2">'
        f'<span>{escape(proposal.title)}</span><span class="text-nowrap">{votes}</span></div>'
        f"{reason}</li>"
    )


@register.simple_tag
def public_rounds(rounds) -> str:
    """``{% public_rounds rounds %}``: each closed round with where it was held, when it
    closed, how many voted (a small count withheld), its approved proposals with their votes
    and its rejected ones, each with the officer's reason. Every value from a record is
    escaped."""
    if not rounds:
        return format_html("<p>{}</p>", _("No voting round has closed this year yet."))
    whole = escape(_("Whole kelurahan"))
    closed_on = datetime_formatter("j M Y")
    approval_label = escape(_("Reason for approval:"))
    reason_label = escape(_("Reason:"))
    none_approved = escape(_("None of this round's proposals has been approved yet."))
    rejected_heading = escape(_("Rejected"))
    articles = []
    for voting_round in rounds:
        where = escape(voting_round.rt) if voting_round.rt else whole
        day = escape(closed_on(timezone.localtime(voting_round.closes_at)))
        closed = _("closed on %(day)s") % {"day": day}
        parts = [
            f'<article class="mb-3"><h3 class="h6">{escape(voting_round.title)} '
            f'<span class="fw-normal text-body-secondary">· {where} · {closed}</span></h3>'
            f'<p class="small mb-1">{_voters(voting_round)}</p>'
        ]
        if voting_round.approved:
            items = "".join(_approved(p, approval_label) for p in voting_round.approved)
            parts.append(f'<ul class="list-group">{items}</ul>')
        else:
            parts.append(f'<p class="small">{none_approved}</p>')
        if voting_round.rejected:
            items = "".join(
                f"<li>{escape(proposal.title)}"
                + (
                    f": {reason_label} {escape(proposal.decision_reason)}"
                    if proposal.decision_reason
                    else ""
                )
                + "</li>"
                for proposal in voting_round.rejected
            )
            parts.append(
                f'<h4 class="h6 mt-2">{rejected_heading}</h4><ul class="small">{items}</ul>'
            )
        parts.append("</article>")
        articles.append("".join(parts))
    return mark_safe("".join(articles))  # noqa: S308 - every value above is escaped
