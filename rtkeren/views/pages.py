import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from rtkeren import registry, scopes
from rtkeren.models import Role, RoleAssignment
from rtkeren.permissions import can
from rtkeren.selectors.privacy import has_own_data


def _role_label(assignment: RoleAssignment) -> str:
    """How a role reads on the home page, e.g. "Ketua RT 002 / RW 007, Blitar"."""
    rt = assignment.rt
    rw = assignment.rw or (rt.rw if rt else None)
    kelurahan = assignment.kelurahan or (rw.kelurahan if rw else None)
    names = {
        "rt": f"{rt.number:03d}" if rt else "",
        "rw": f"{rw.number:03d}" if rw else "",
        "kelurahan": kelurahan or "",
        "kota": assignment.kota or "",
        "community": assignment.community or "",
    }
    templates = {
        Role.ADMIN: _("Administrator"),
        Role.CITY_VIEWER: _("City viewer, %(kota)s"),
        Role.OFFICER: _("Officer of Kelurahan %(kelurahan)s"),
        Role.FACILITATOR: _("Facilitator of Kelurahan %(kelurahan)s"),
        Role.RW_CHAIR: _("Chair of RW %(rw)s, %(kelurahan)s"),
        Role.RT_CHAIR: _("Chair of RT %(rt)s / RW %(rw)s, %(kelurahan)s"),
        Role.POKMAS_MEMBER: _("Pokmas member, RT %(rt)s / RW %(rw)s, %(kelurahan)s"),
        Role.COMMUNITY_LEAD: _("Lead of %(community)s"),
        Role.RESIDENT: _("Resident of RT %(rt)s / RW %(rw)s, %(kelurahan)s"),
    }
    return templates[assignment.role] % names


def _role_labels(user) -> list[str]:
    assignments = scopes.current_assignments(user)
    # One query per level still missing, whatever the number of assignments.
    prefetch_related_objects(
        assignments, "rt__rw__kelurahan", "rw__kelurahan", "kelurahan", "kota", "community"
    )
    labels = [_role_label(assignment) for assignment in assignments]
    if user.is_superuser and not any(a.role == Role.ADMIN for a in assignments):
        labels.insert(0, _("Administrator"))
    return labels


def _quick_links(user) -> list[tuple[str, str]]:
    """Links to the pages a person with these roles uses most; pages not built yet are left out."""
    links = [
        (
            "verification-list",
            _("Verify residents"),
            scopes.has_role(user, Role.RT_CHAIR, Role.OFFICER),
        ),
        ("resident-list", _("Residents"), can(user, "rtkeren.list_residents")),
        ("activity-list", _("Activities"), True),
        ("export-list", _("Exports"), can(user, "rtkeren.list_exports")),
        ("audit-nik-reveals", _("Audit"), can(user, "rtkeren.view_audit")),
        (
            "outbound-message-list",
            _("Outgoing messages"),
            can(user, "rtkeren.list_outbound_messages"),
        ),
        ("account-profile", _("My profile"), True),
        ("data-saya", _("My data"), has_own_data(user)),
        ("notification-list", _("Notifications"), True),
        ("password_change", _("Change password"), True),
    ]
    return [
        (label, url)
        for name, label, allowed in links
        if allowed and (url := registry.url_or_empty(name))
    ]


def home(request: HttpRequest):
    """The public introduction, or for a logged-in person what needs their attention."""
    context = {}
    if request.user.is_authenticated:
        context = {
            "attention_items": registry.attention_items(request.user),
            "role_labels": _role_labels(request.user),
            "quick_links": _quick_links(request.user),
        }
    return render(request, "rtkeren/home.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest):
    """200 when the database answers a query, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# How long a client should wait before trying again while the database is away.
DATABASE_RETRY_AFTER_SECONDS = 30


def database_unavailable() -> HttpResponse:
    """The 503 page. Rendered without the request's context processors, which would ask the
    database for the user and their notifications."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest):
    """Django's 500 handler, except that a database that does not answer gets the 503 page:
    the fault is passing, and the next request reconnects by itself."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable()
    return defaults.server_error(request)


@require_POST
def language_set(request: HttpRequest):
    """Store the person's language: on the account when logged in, and in a cookie."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE or 60 * 60 * 24 * 365,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response
