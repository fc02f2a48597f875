"""Django's template language against Jinja2, on the busiest page of the real traffic.

    .venv/bin/python benchmarks/jinja_measure.py [--renders 300] [--rounds 5] [--account warga]

Needs the databases ``benchmarks/bench.py`` builds (run ``make bench`` once). The proposal list
(ordered by fit, as the demo resident ``warga`` sees it on the city data, with the production
settings and Redis) is built once by its own view; its list is read from the database first, so
that no query runs while it renders. The same context is then rendered ``--renders`` times by
the page's Django templates and by a Jinja2 port of them (``benchmarks/jinja/``: the base page
and the list, the same markup), in ``--rounds`` alternated rounds; the median time a render of
each, and the two pages compared with their whitespace collapsed (they must be the same).

Both engines get the same context processors (the bell's count, the messages, the CSRF token)
and call the same Python helpers (the filter form, the badges, the amounts). The Django pages
keep what they do in production: the parts the same for everyone are rendered once per process
and language (folded as the template is read, ``rtkeren.template_loader``); the Jinja2 port
renders everything each time.
"""

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "rtkeren.context_processors.notifications",
]


def environment(**options):
    """The Jinja2 environment of the port: Django's translations, URLs, static files and the
    portal's own filters, as the Django templates load them."""
    import jinja2
    from django.conf import settings
    from django.templatetags.static import static
    from django.urls import reverse
    from django.utils import translation

    from designing.templatetags.designing import comment_text, fit_badge
    from rtkeren.permissions import can
    from rtkeren.templatetags.rtkeren import (
        activity_place,
        filter_fields,
        offline_queue_strings,
        pk_url,
        rupiah,
        status_badge_class,
        with_pk,
    )

    def querystring(request, **changes):
        params = request.GET.copy()
        for key, value in changes.items():
            params[key] = str(value)
        return f"?{params.urlencode()}"

    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=True)
    env.globals.update(
        url=lambda name, *args: reverse(name, args=args),
        static=static,
        can=can,
        pk_url=pk_url,
        offline_queue_strings=offline_queue_strings,
        querystring=querystring,
        get_language=translation.get_language,
        LANGUAGES=settings.LANGUAGES,
    )
    env.filters.update(
        activity_place=activity_place,
        comment_text=comment_text,
        filter_fields=filter_fields,
        fit_badge=fit_badge,
        rupiah=rupiah,
        status_badge_class=status_badge_class,
        with_pk=with_pk,
    )
    return env


def collapsed(html: str) -> str:
    """``html`` with its whitespace collapsed, the two engines' ways of writing a quote made
    one, and the CSRF tokens (masked anew for each use) blanked."""
    html = html.replace("&#34;", "&quot;")
    html = re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")\w+', r"\1", html)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def measure(renders: int, rounds: int, account: str) -> dict:
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template import engines
    from django.template.backends.jinja2 import Jinja2
    from django.test import RequestFactory
    from django.urls import reverse
    from django.utils import translation

    from designing.views import ProposalListView
    from rtkeren.models import User

    translation.activate(settings.LANGUAGE_CODE)
    request = RequestFactory().get(
        reverse("designing:proposal-list") + "?order=fit", HTTP_X_FORWARDED_PROTO="https"
    )
    request.user = User.objects.get(username=account)
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request._messages = FallbackStorage(request)
    response = ProposalListView.as_view()(request)
    context = dict(response.context_data)
    context["page_obj"].object_list = list(context["page_obj"].object_list)
    context["proposals"] = context["page_obj"].object_list
    context["object_list"] = context["page_obj"].object_list
    context["paginator"].count  # noqa: B018 - read once, as the page does

    django_template = engines["django"].get_template("designing/proposal_list.html")
    jinja = Jinja2(
        {
            "NAME": "jinja2",
            "DIRS": [str(HERE / "jinja")],
            "APP_DIRS": False,
            "OPTIONS": {
                "environment": "jinja_measure.environment",
                "context_processors": CONTEXT_PROCESSORS,
            },
        }
    )
    jinja_template = jinja.get_template("proposal_list.html")
    pages = {
        "django": lambda: django_template.render(context, request),
        "jinja2": lambda: jinja_template.render(context, request),
    }
    html = {name: render() for name, render in pages.items()}
    times = {name: [] for name in pages}
    for _round in range(rounds):
        for name, render in pages.items():
            started = time.process_time()
            for _ in range(renders):
                render()
            times[name].append((time.process_time() - started) / renders * 1000)
    if "--diff" in sys.argv:
        import difflib

        a, b = (collapsed(html[name]).replace("><", ">\n<").splitlines() for name in html)
        sys.stderr.write("\n".join(difflib.unified_diff(a, b, lineterm="", n=0)))
    return {
        "rows": len(context["proposals"]),
        "bytes": {name: len(page) for name, page in html.items()},
        "same": collapsed(html["django"]) == collapsed(html["jinja2"]),
        "ms": {name: round(statistics.median(values), 3) for name, values in times.items()},
        "rounds": {name: [round(v, 3) for v in values] for name, values in times.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--account", default="warga")
    parser.add_argument("--diff", action="store_true", help="Print how the two pages differ.")
    arguments, result = bench.measured_inside_city(
        __file__, parser, lambda given: measure(given.renders, given.rounds, given.account)
    )
    print(
        f"The proposal list by fit as {arguments.account}, {result['rows']} rows, "
        f"CPU ms a render (median of {arguments.rounds} rounds of {arguments.renders})\n"
    )
    print("| engine | ms a render | rounds | bytes |")
    print("|---|---:|---|---:|")
    for name in ("django", "jinja2"):
        rounds = " ".join(f"{value:.2f}" for value in result["rounds"][name])
        print(f"| {name} | {result['ms'][name]:.2f} | {rounds} | {result['bytes'][name]} |")
    print(f"\nthe same page, whitespace aside: {'yes' if result['same'] else 'NO'}")


if __name__ == "__main__":
    main()
