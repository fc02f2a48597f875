"""``{% rendered_once %}`` (rtkeren/templatetags/fragments.py): what every page repeats, rendered
once per process and language. It must never carry one person's page into another's, nor keep a
language, a URL prefix or a setting that has changed."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client, override_settings
from django.urls import reverse, set_script_prefix
from django.utils import translation


def fragment(body: str) -> Template:
    return Template(
        "{% load fragments i18n static rtkeren %}{% rendered_once %}"
        + body
        + "{% endrendered_once %}"
    )


@pytest.mark.parametrize(
    "body",
    [
        "{{ user.username }}",
        "{{ 'x'|upper }}",
        "{% csrf_token %}",
        "{% if user.is_staff %}staff{% endif %}",
        "{% translate name %}",
        "{% translate 'Log in' as label %}",
        "{% url 'resident-detail' pk %}",
        "{% url view_name %}",
        "{% static path %}",
        "{% include 'includes/pagination.html' %}",
        "{% offline_account %}",
        "{% page_query 'page' 2 %}",
        "{% block title %}{% endblock %}",
    ],
)
def test_anything_that_could_differ_between_requests_is_refused(body):
    with pytest.raises(TemplateSyntaxError):
        fragment(body)


def test_it_renders_nothing_of_the_page_it_is_on():
    template = Template(
        "{% load fragments %}{{ secret }}|{% rendered_once %}{{ 'literal' }}{% endrendered_once %}"
    )

    assert template.render(Context({"secret": "s3cret"})) == "s3cret|literal"


def test_each_language_gets_its_own_rendering():
    template = fragment("{% translate 'Log in' %} {% url 'login' %}")

    with translation.override("en"):
        english = template.render(Context())
    with translation.override("id"):
        indonesian = template.render(Context())
    with translation.override("en"):
        english_again = template.render(Context())

    assert english == english_again == "Log in /accounts/login/"
    assert indonesian != english
    assert indonesian.endswith(" /accounts/login/")


def test_a_url_prefix_gets_its_own_rendering():
    template = fragment("{% url 'login' %}")

    assert template.render(Context()) == "/accounts/login/"
    set_script_prefix("/portal/")
    try:
        assert template.render(Context()) == "/portal/accounts/login/"
    finally:
        set_script_prefix("/")
    assert template.render(Context()) == "/accounts/login/"


def test_a_changed_setting_is_not_served_stale():
    template = fragment("{% static 'css/rtkeren.css' %}")

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
