"""What every page renders alike (``rtkeren.template_loader``): folded into nodes rendered once per
process and language when a template is read. It must never carry one person's page into
another's, nor keep a language, a URL prefix or a setting that has changed."""

import pytest
from django.template import Context, Engine, Library, Template
from django.template.loader import get_template
from django.test import Client, override_settings
from django.urls import reverse, set_script_prefix
from django.utils import translation

from rtkeren.template_loader import RenderedOnceNode, fold, same_for_everyone


def folded(body: str) -> Template:
    template = Template("{% load i18n static rtkeren %}" + body)
    fold(template.nodelist)
    return template


def runs(template: Template) -> list[RenderedOnceNode]:
    return template.nodelist.get_nodes_by_type(RenderedOnceNode)


@pytest.mark.parametrize(
    "body",
    [
        "{{ user.username }}",
        "{{ 'x'|upper }}",
        "{% csrf_token %}",
        "{% translate name %}",
        "{% translate 'Log in' as label %}",
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}",
        "{% blocktranslate count counter=3 %}one{% plural %}many{% endblocktranslate %}",
        "{% url 'resident-detail' pk %}",
        "{% url view_name %}",
        "{% static path %}",
        "{% include 'includes/pagination.html' %}",
        "{% offline_account %}",
        "{% page_query 'page' 2 %}",
        "{% pk_url 'resident-detail' %}",
        "{% block title %}{% endblock %}",
    ],
)
def test_anything_that_could_differ_between_requests_is_left_to_each_request(body):
    template = folded(f"<p>{body}</p>")

    assert runs(template) == []


def test_runs_are_folded_inside_conditions_loops_and_blocks():
    template = folded(
        "<p>{% translate 'Log in' %}</p>{{ name }}"
        "{% if shown %}<b>{% url 'login' %}</b>{% else %}{% translate 'Register' %}!{% endif %}"
        "{% for item in items %}<i>{% static 'css/rtkeren.css' %}</i>{{ item }}{% endfor %}"
        "{% block body %}<em>{% blocktranslate %}Log in{% endblocktranslate %}</em>{% endblock %}"
    )

    assert len(runs(template)) == 5
    with translation.override("en"):
        assert template.render(Context({"name": "Sri", "shown": True, "items": [1, 2]})) == (
            "<p>Log in</p>Sri<b>/accounts/login/</b>"
            "<i>/static/css/rtkeren.css</i>1<i>/static/css/rtkeren.css</i>2<em>Log in</em>"
        )
        assert template.render(Context({"name": "Ani", "shown": False, "items": []})) == (
            "<p>Log in</p>AniRegister!<em>Log in</em>"
        )


def test_it_renders_nothing_of_the_page_it_is_on():
    template = folded("{{ secret }}|{{ 'literal' }}{% translate 'Log in' %}")

    assert template.render(Context({"secret": "s3cret"})) == "s3cret|literalMasuk"
    assert template.render(Context({"secret": "other"})) == "other|literalMasuk"


#: Tags of this module's own (``marks``), for the test below.
register = Library()


@register.simple_tag
@same_for_everyone
def marked():
    return "marked"


@register.simple_tag
def unmarked():
    return "unmarked"


def test_only_simple_tags_marked_as_the_same_for_everyone_are_folded():
    engine = Engine(libraries={"marks": __name__})
    template = engine.from_string("{% load marks %}x{% marked %}y{% unmarked %}z")
    fold(template.nodelist)

    assert [len(run.nodelist) for run in runs(template)] == [3]
    assert template.render(Context()) == "xmarkedyunmarkedz"


def test_the_portals_templates_are_folded_as_they_are_read():
    assert len(runs(get_template("base.html").template)) >= 10


def test_each_language_gets_its_own_rendering():
    template = folded("{% translate 'Log in' %} {% url 'login' %}")

    with translation.override("en"):
        english = template.render(Context())
    with translation.override("id"):
        indonesian = template.render(Context())
    with translation.override("en"):
        english_again = template.render(Context())

    assert english == english_again == "Log in /accounts/login/"
    assert indonesian != english
    assert indonesian.endswith(" /accounts/login/")


def test_a_language_block_renders_its_runs_in_its_language_and_the_rest_in_the_pages():
    """The language is found once a page (at its first run) but again inside and after a
    ``{% language %}`` block, which renders the same context in another language."""
    template = folded(
        "{% translate 'Log in' %}|{% language lang %}{% translate 'Log in' %}{% endlanguage %}|"
        "{% translate 'Log in' %}"
    )

    with translation.override("id"):
        in_english = template.render(Context({"lang": "en"})).split("|")
        in_indonesian = template.render(Context({"lang": "id"})).split("|")

    assert in_english == ["Masuk", "Log in", "Masuk"]
    assert in_indonesian == ["Masuk", "Masuk", "Masuk"]


def test_a_context_rendered_in_another_language_after_its_first_run_is_not_mixed_up():
    """Each context keeps the language of its own page: two pages in two languages, rendered
    one after the other, each get theirs."""
    template = folded("{% translate 'Log in' %}")
    with translation.override("id"):
        first = template.render(Context())
    with translation.override("en"):
        second = template.render(Context())

    assert (first, second) == ("Masuk", "Log in")


def test_a_url_prefix_gets_its_own_rendering():
    template = folded("{% url 'login' %}")

    assert template.render(Context()) == "/accounts/login/"
    set_script_prefix("/portal/")
    try:
        assert template.render(Context()) == "/portal/accounts/login/"
    finally:
        set_script_prefix("/")
    assert template.render(Context()) == "/accounts/login/"


def test_a_changed_setting_is_not_served_stale():
    template = folded("{% static 'css/rtkeren.css' %}")

    assert template.render(Context()) == "/static/css/rtkeren.css"
    with override_settings(STATIC_URL="/assets/"):
        assert template.render(Context()) == "/assets/css/rtkeren.css"
    assert template.render(Context()) == "/static/css/rtkeren.css"


@pytest.mark.django_db
def test_the_page_of_each_person_stays_their_own(officer, resident_user):
    """The same process renders the base template for a staff officer, a resident and a
    visitor in turn: what differs between them (the admin and residents links, the form's CSRF
    token, the log in links) is each one's own, whoever came first."""
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    pages = {}
    for round_ in range(2):
        for name, user in (("officer", officer), ("resident", resident_user), ("visitor", None)):
            client = Client()
            if user is not None:
                client.force_login(user)
            response = client.get(reverse("privacy-notice"))
            pages[name, round_] = (response.text, client.cookies["csrftoken"].value)

    for name in ("officer", "resident", "visitor"):
        text, _token = pages[name, 1]
        assert (reverse("admin:index") in text) is (name == "officer")
        assert (reverse("resident-list") in text) is (name == "officer")
        assert (reverse("logout") in text) is (name != "visitor")
        assert (reverse("login") + '"' in text) is (name == "visitor")
        assert ("offline-queue.js" in text) is (name != "visitor")
    tokens = {pages[key][0].split('name="csrfmiddlewaretoken" value="')[1][:64] for key in pages}
    assert len(tokens) == len(pages)
