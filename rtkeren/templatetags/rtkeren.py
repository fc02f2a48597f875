import json
from html import escape as escape_text
from urllib.parse import quote

from django import template
from django.template.base import token_kwargs
from django.template.defaulttags import querystring
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from rtkeren import permissions
from rtkeren.forms.rendering import filter_fields as _filter_fields
from rtkeren.offline import account_tag
from rtkeren.phone import masked_phone as _masked_phone
from rtkeren.registry import links_for_origin, participation_kind_label
from rtkeren.template_loader import ByValueEachNode, ByValueIncludeNode, same_for_everyone

register = template.Library()

#: Stands for an object's id in a URL (or markup) written once for a whole list: no row has
#: this id. ``pk_url`` and ``with_pk`` use it; so does markup written in Python once a page.
PK_MARKER = "2147483647"


@register.simple_tag
def pk_url(viewname, *args):
    """``{% pk_url "app:name" as url %}`` then ``{{ url|with_pk:row.pk }}`` in the loop: a list's
    per-row links with one reverse a page instead of one a row. ``args`` come before the row's
    id (``{% pk_url "app:name" parent.pk as url %}``)."""
    return reverse(viewname, args=[*args, int(PK_MARKER)])


@register.filter
def with_pk(url, pk):
    return url.replace(PK_MARKER, str(pk), 1)


#: The colour of an activity's status badge: done or agreed green, stopped red, waiting on
#: someone blue, the rest grey.
_STATUS_BADGES = {
    "approved": "text-bg-success",
    "delivered": "text-bg-success",
    "evaluated": "text-bg-success",
    "rejected": "text-bg-danger",
    "cancelled": "text-bg-danger",
    "proposed": "text-bg-primary",
    "in_delivery": "text-bg-primary",
}


@register.filter
def status_badge_class(status: str) -> str:
    return _STATUS_BADGES.get(str(status), "text-bg-secondary")


@register.filter
def activity_place(activity) -> str:
    """Where an activity is: its RT, or the whole of its kelurahan."""
    if activity.rt_id:
        return str(activity.rt)
    return _("Whole Kelurahan %(kelurahan)s") % {"kelurahan": activity.kelurahan}


@register.simple_tag
def can(permission, user, obj=None):
    """``{% can "app.permission" user obj as name %}``: the portal's table of who may do what,
    asked as views and services ask it (``rtkeren.permissions``), not Django's ``perms``."""
    return permissions.can(user, permission, obj)


@register.simple_tag(takes_context=True)
def offline_account(context) -> str:
    """The tag of the account a page is for: a form kept on the phone carries it, so that it is
    only ever sent as the account that filled it in (``rtkeren.offline``)."""
    return account_tag(context["request"].user)


@register.simple_tag
@same_for_everyone
def offline_queue_strings() -> str:
    """What static/js/offline-queue.js says, in the person's language, as JSON for its script
    element's ``data-strings`` (escaped there like any attribute)."""
    return json.dumps(
        {
            "waiting": _("Waiting to be sent"),
            "conflict": _("Not accepted"),
            "saved_on_phone": _(
                "No signal: saved on this phone and waiting to be sent. It is sent by itself when "
                "the signal is back."
            ),
            "open_queue": _("See what is waiting"),
            "open_form": _("Open the form"),
            "remove": _("Remove"),
            "confirm_remove": _(
                "Remove this from the phone? It has not reached the portal and will be lost."
            ),
            "confirm_logout": _(
                "Some forms saved on this phone have not been sent yet. Logging out removes them "
                "from the phone. Log out anyway?"
            ),
            "incomplete": _("Choose a score from 1 to 5."),
            "login": _("Log in again to send this."),
            "server": _("The portal could not take this now. It will be sent again later."),
            "sending": _("Sending…"),
            "sent": _("Sent. What the portal did not accept stays here with its reason."),
            "offline_now": _("No signal yet. It will be sent when the signal is back."),
        }
    )


@register.filter
def rupiah(value) -> str:
    """Whole rupiah the Indonesian way: 50000000 -> "Rp50.000.000"."""
    if value is None or value == "":
        return ""
    amount = int(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


@register.simple_tag
def public_activity_rows(activities) -> str:
    """The rows of a public page's activities: each one's title and kind, where it is, its
    status and its budget. Written here rather than through a template: a page of 25 went
    through about three hundred nodes (each label looked up a row), a sixth of the public
    page's templates. The markup and the messages are those of the template it replaced
    (``tests/core/test_public_activity_rows.py`` holds the two to the same output)."""
    labels = {
        "activity": escape(_("Activity")),
        "where": escape(_("Where")),
        "status": escape(_("Status")),
        "budget": escape(_("Budget")),
    }
    whole = escape(_("Whole kelurahan"))
    # Each kind, status and place once a table: a page names a few of each, on every row.
    written: dict[tuple[str, object], str] = {}

    def once(kind: str, key, text) -> str:
        found = written.get((kind, key))
        if found is None:
            found = written[(kind, key)] = escape(text())
        return found

    rows = []
    for activity in activities:
        kind = once("kind", activity.kind, activity.get_kind_display)
        where = once("rt", activity.rt_id, lambda a=activity: a.rt) if activity.rt_id else whole
        status = once("status", activity.status, activity.get_status_display)
        rows.append(
            f'<tr><td data-label="{labels["activity"]}">{escape_text(activity.title)}'
            f'<div class="small text-body-secondary">{kind}</div>'
            f'</td><td data-label="{labels["where"]}">{where}</td>'
            f'<td data-label="{labels["status"]}">{status}</td>'
            f'<td class="text-end text-nowrap" data-label="{labels["budget"]}">'
            f"{rupiah(activity.budget_total or 0)}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.filter
def resident_name(resident, name_shown: bool) -> str:
    """The resident's name where they agreed to it being shown (or the viewer works with it);
    otherwise only their neighbourhood, "Warga RT 002 / RW 007": initials in an RT of a few
    dozen households would still say who it is."""
    if name_shown:
        return resident.name
    return _("Resident of %(rt)s") % {"rt": resident.rt}


@register.filter
def masked_phone(number) -> str:
    """A phone number with most of its digits hidden (``rtkeren.phone.masked_phone``)."""
    return _masked_phone(number)


@register.filter
def padded(number, width: int = 3) -> str:
    """RT and RW numbers as printed on letters: 2 -> "002"."""
    if number is None or number == "":
        return ""
    return f"{int(number):0{int(width)}d}"


@register.simple_tag(takes_context=True)
def whatsapp_share_url(context, *parts) -> str:
    """A wa.me link that opens WhatsApp with ``parts`` (public facts only: a title, a date, a
    place) joined on one line, and the absolute address of the page being viewed."""
    request = context["request"]
    text = " · ".join(str(part) for part in parts if part not in (None, ""))
    return "https://wa.me/?text=" + quote(
        f"{text}\n{request.build_absolute_uri(request.path)}", safe=""
    )


@register.filter
def participation_kind(kind: str) -> str:
    """A ledger row's kind as people read it: "Voted in a round", not "vote_cast"."""
    return participation_kind_label(kind)


@register.filter
def origin_links(record, user) -> list[tuple[str, str]]:
    """``{% for label, url in item|origin_links:user %}``: where another stage takes it on."""
    return links_for_origin(record, user)


@register.filter
def filter_fields(form):
    """``{{ filter_form|filter_fields }}``: a list's filter form without crispy's cost
    (``rtkeren.forms.rendering``)."""
    return _filter_fields(form)


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number, anchor: str = "") -> str:
    """The current query string with ``param`` set to page ``number`` (the other parameters
    kept), and ``#anchor`` after it: for a page holding several paginated lists."""
    query = context["request"].GET.copy()
    query[param] = str(number)
    return f"?{query.urlencode()}" + (f"#{anchor}" if anchor else "")


@register.simple_tag(takes_context=True)
def pagination(context) -> str:
    """``{% pagination %}`` (``includes/pagination.html``): links to the previous and next page of
    ``page_obj`` and which page it is, nothing when there is one page; ``pages_of`` names the
    list in the label, ``page_param`` (and ``page_anchor``) the parameter of a page holding
    several lists (``page_query``), else ``page``. Written here rather than in the include's
    template: every list page and the discussion render it, and its nodes cost about a quarter
    of a millisecond a page; the markup and the messages are the template's
    (``tests/core/test_pagination.py`` holds the two to the same output)."""
    page = context.get("page_obj")
    has_other_pages = getattr(page, "has_other_pages", None)
    if has_other_pages is None or not has_other_pages():
        return ""
    param, anchor = context.get("page_param"), context.get("page_anchor") or ""

    def link(number: int, rel: str, label: str) -> str:
        query = (
            page_query(context, param, number, anchor)
            if param
            else querystring(context, page=number)
        )
        return (
            f'<li class="page-item"><a class="page-link" href="{escape(query)}" rel="{rel}">'
            f"{escape(label)}</a></li>"
        )

    label, pages_of = _("Pages"), context.get("pages_of")
    if pages_of:
        label = f"{label}: {pages_of}"
    parts = [
        f'<nav aria-label="{escape(label)}" class="no-print"><ul class="pagination flex-wrap">'
    ]
    if page.has_previous():
        parts.append(link(page.previous_page_number(), "prev", _("Previous")))
    current = _("Page %(number)s of %(total)s") % {
        "number": escape(localize(page.number)),
        "total": escape(localize(page.paginator.num_pages)),
    }
    parts.append(
        f'<li class="page-item active" aria-current="page"><span class="page-link">{current}'
        "</span></li>"
    )
    if page.has_next():
        parts.append(link(page.next_page_number(), "next", _("Next")))
    parts.append("</ul></nav>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


@register.tag
def include_by_value(parser, token):
    """``{% include_by_value "app/includes/rows.html" rows=page.object_list %}``: the template
    with those values alone, its output kept for the same values
    (``rtkeren.template_loader.ByValueIncludeNode``)."""
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a template name and its values.")
    rest = bits[2:]
    values = token_kwargs(rest, parser, support_legacy=False)
    if rest or not values:
        raise template.TemplateSyntaxError(f"{bits[0]} takes its values as name=value only.")
    return ByValueIncludeNode(parser.compile_filter(bits[1]), values)


@register.tag
def include_each_by_value(parser, token):
    """``{% include_each_by_value "app/includes/row.html" item in items %}``: the template once
    for each of ``items``, with ``item`` alone, each row's output kept for the same values of
    its record (``rtkeren.template_loader.ByValueEachNode``)."""
    bits = token.split_contents()
    if len(bits) != 5 or bits[3] != "in":
        raise template.TemplateSyntaxError(f"{bits[0]} takes a template name, then: item in items.")
    return ByValueEachNode(parser.compile_filter(bits[1]), bits[2], parser.compile_filter(bits[4]))
