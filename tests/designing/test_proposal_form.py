"""The proposal form's budget lines: adding and removing rows by posting the form back (what
the page does without JavaScript, and with htmx for the budget part only), and their total
against what is left of the RT's RT Keren ceiling."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from designing.services import MAX_BUDGET_LINES
from rtkeren.models import Activity, ActivityStatus, BudgetLine
from tests import factories as core

from .factories import proposal as make_proposal

pytestmark = pytest.mark.django_db

CREATE = reverse("designing:proposal-create")


def _management(total: int, initial: int = 0) -> dict:
    return {
        "budget-TOTAL_FORMS": str(total),
        "budget-INITIAL_FORMS": str(initial),
        "budget-MIN_NUM_FORMS": "0",
        "budget-MAX_NUM_FORMS": str(MAX_BUDGET_LINES),
    }


def _line(index: int, item: str, quantity: str, unit: str, price: str) -> dict:
    return {
        f"budget-{index}-item": item,
        f"budget-{index}-quantity": quantity,
        f"budget-{index}-unit": unit,
        f"budget-{index}-unit_price": price,
    }


def _proposal_data(rt, period, **changes) -> dict:
    data = {
        "scope": f"rt:{rt.pk}",
        "period": str(period.pk),
        "title": "Kelas membatik remaja",
        "description": "Enam pertemuan.",
        "kind": "pelatihan",
        "nature": "nonfisik",
        "bidang": "pembangunan_manusia",
        "funding_source": "rt_keren",
        **_management(2),
        **_line(0, "Kain mori", "20", "lembar", "Rp35.000"),
        **_line(1, "Malam batik", "4", "kg", "60000"),
    }
    data.update(changes)
    return data


def _approved(rt, period, unit_price: int) -> Activity:
    """An approved RT Keren activity of the RT: money committed under its ceiling."""
    activity = core.ActivityFactory(
        rt=rt,
        period=period,
        status=ActivityStatus.APPROVED,
        funding_source=Activity.Funding.RT_KEREN,
    )
    core.BudgetLineFactory(activity=activity, quantity=1, unit_price=unit_price)
    return activity


def _value(page: str, name: str) -> str:
    """The value attribute of the input called ``name`` in ``page``."""
    start = page.index(f'name="{name}"')
    tag = page[page.rindex("<", 0, start) : page.index(">", start)]
    marker = 'value="'
    if marker not in tag:
        return ""
    value_start = tag.index(marker) + len(marker)
    return tag[value_start : tag.index('"', value_start)]


# Adding and removing rows without saving.


def test_adding_a_row_keeps_what_was_typed_and_saves_nothing(client, rt_chair, rt, period):
    client.force_login(rt_chair)

    response = client.post(CREATE, {**_proposal_data(rt, period), "budget_add": "1"})

    assert response.status_code == 200
    page = response.content.decode()
    assert _value(page, "budget-TOTAL_FORMS") == "3"
    assert _value(page, "budget-0-item") == "Kain mori"
    assert _value(page, "budget-0-unit_price") == "Rp35.000"
    assert _value(page, "budget-1-item") == "Malam batik"
    assert _value(page, "budget-2-item") == ""
    assert _value(page, "title") == "Kelas membatik remaja"
    # Nothing is checked yet: the empty new row and the rest raise no error.
    assert "is-invalid" not in page
    assert not Activity.objects.exists()


def test_a_half_typed_row_is_not_marked_wrong_when_a_row_is_added(client, rt_chair, rt, period):
    client.force_login(rt_chair)
    data = {
        **_proposal_data(rt, period, title=""),
        **_line(1, "Malam batik", "", "", ""),
        "budget_add": "1",
    }

    response = client.post(CREATE, data)

    page = response.content.decode()
    assert _value(page, "budget-1-item") == "Malam batik"
    assert "is-invalid" not in page


def test_removing_a_row_keeps_the_others(client, rt_chair, rt, period):
    client.force_login(rt_chair)

    response = client.post(CREATE, {**_proposal_data(rt, period), "budget_remove": "0"})

    page = response.content.decode()
    assert _value(page, "budget-TOTAL_FORMS") == "1"
    assert _value(page, "budget-0-item") == "Malam batik"
    assert "Kain mori" not in page
    assert response.context["budget_total"] == 240_000
    assert not Activity.objects.exists()


def test_removing_the_last_row_leaves_an_empty_one(client, rt_chair, rt, period):
    client.force_login(rt_chair)
    data = {**_proposal_data(rt, period), **_management(1), "budget_remove": "0"}
    del data["budget-1-item"]

    response = client.post(CREATE, data)

    page = response.content.decode()
    assert _value(page, "budget-TOTAL_FORMS") == "1"
    assert _value(page, "budget-0-item") == ""


def test_no_more_rows_than_a_proposal_may_have(client, rt_chair, rt, period):
    client.force_login(rt_chair)
    data = {**_proposal_data(rt, period), **_management(MAX_BUDGET_LINES), "budget_add": "1"}

    response = client.post(CREATE, data)

    page = response.content.decode()
    assert _value(page, "budget-TOTAL_FORMS") == str(MAX_BUDGET_LINES)
    assert 'name="budget_add"' not in page


def test_adding_a_row_while_editing_changes_nothing_saved(client, rt, neighbour, period):
    draft = make_proposal(rt=rt, author=neighbour, period=period, status=ActivityStatus.DRAFT)
    url = reverse("designing:proposal-update", args=[draft.pk])
    client.force_login(neighbour)
    page = client.get(url).content.decode()
    version = _value(page, "version")
    before = list(BudgetLine.objects.values_list("activity", "item", "quantity", "unit_price"))
    data = {
        **_proposal_data(rt, period, title="Judul baru", version=version),
        **_management(2, initial=1),
        "budget_add": "1",
    }

    response = client.post(url, data)

    assert response.status_code == 200
    assert _value(response.content.decode(), "budget-TOTAL_FORMS") == "3"
    draft.refresh_from_db()
    assert draft.title != "Judul baru"
    assert list(BudgetLine.objects.values_list("activity", "item", "quantity", "unit_price")) == (
        before
    )

    # The rows come back as typed and are saved as shown.
    data.pop("budget_add")
    data.update({**_management(3, initial=3), **_line(2, "Canting", "10", "buah", "15.000")})
    assert client.post(url, data).status_code == 302
    lines = draft.budget_lines.order_by("pk").values_list("item", "quantity", "unit_price")
    assert list(lines) == [
        ("Kain mori", 20, 35_000),
        ("Malam batik", 4, 60_000),
        ("Canting", 10, 15_000),
    ]


def test_htmx_gets_the_budget_part_only(client, rt_chair, rt, period):
    client.force_login(rt_chair)

    response = client.post(
        CREATE, {**_proposal_data(rt, period), "budget_add": "1"}, headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert page.lstrip().startswith('<fieldset class="mb-3 budget-lines" id="budget-lines">')
    assert "<html" not in page
    assert _value(page, "budget-TOTAL_FORMS") == "3"
    assert _value(page, "budget-1-item") == "Malam batik"


# The total against the ceiling.


def test_the_total_and_what_is_left_of_the_ceiling(client, rt_chair, rt, period):
    period.rt_ceiling = 50_000_000
    period.save()
    _approved(rt, period, 49_500_000)
    client.force_login(rt_chair)

    response = client.post(CREATE, {**_proposal_data(rt, period), "budget_refresh": "1"})

    assert response.context["budget_total"] == 700_000 + 240_000
    assert response.context["ceiling"].available == 500_000
    assert response.context["ceiling"].excess == 440_000
    page = response.content.decode()
    assert "Rp940.000" in page
    assert "Rp500.000" in page
    assert 'data-remaining="500000"' in page
    warning = page[page.index("data-budget-over") - 40 : page.index("data-budget-over") + 500]
    assert " hidden" not in warning.split(">")[0]
    assert "data-budget-excess>Rp440.000</span> lebih dari sisa pagu RT" in " ".join(page.split())


def test_the_warning_is_hidden_under_the_ceiling_and_a_draft_above_it_still_saves(
    client, rt_chair, rt, period
):
    period.rt_ceiling = 50_000_000
    period.save()
    client.force_login(rt_chair)
    response = client.post(CREATE, {**_proposal_data(rt, period), "budget_refresh": "1"})
    page = response.content.decode()
    tag = page[
        page.rindex("<", 0, page.index("data-budget-over")) : page.index("data-budget-over") + 200
    ]
    assert " hidden>" in tag

    _approved(rt, period, 49_500_000)
    assert client.post(CREATE, _proposal_data(rt, period)).status_code == 302
    assert Activity.objects.filter(status=ActivityStatus.DRAFT).count() == 1


def test_editing_leaves_the_proposal_itself_out_of_what_is_committed(client, rt, neighbour, period):
    period.rt_ceiling = 10_000_000
    period.save()
    _approved(rt, period, 1_000_000)
    draft = make_proposal(rt=rt, author=neighbour, period=period, status=ActivityStatus.DRAFT)
    client.force_login(neighbour)

    response = client.get(reverse("designing:proposal-update", args=[draft.pk]))

    assert response.context["budget_total"] == 700_000
    assert response.context["ceiling"].available == 9_000_000
    assert _value(response.content.decode(), "budget-TOTAL_FORMS") == "1"


def test_a_new_proposal_starts_with_one_empty_row(client, rt_chair, period):
    client.force_login(rt_chair)

    response = client.get(CREATE)

    page = response.content.decode()
    assert _value(page, "budget-TOTAL_FORMS") == "1"
    assert response.context["budget_total"] == 0
    # One place to choose from: its ceiling is shown at once.
    assert response.context["ceiling"].available == period.rt_ceiling


@pytest.mark.parametrize(
    ("changes", "note"),
    [
        ({"funding_source": "swadaya"}, "pagu RT tidak berlaku"),
        ({"scope": ""}, "Pilih tempat dan periode"),
    ],
)
def test_no_ceiling_where_none_applies(client, rt_chair, rt, period, changes, note):
    client.force_login(rt_chair)

    response = client.post(CREATE, {**_proposal_data(rt, period, **changes), "budget_refresh": "1"})

    assert response.context["ceiling"] is None
    assert "data-remaining" not in response.content.decode()
    assert note in response.content.decode()


def test_the_ceiling_of_an_rt_not_offered_is_never_shown(client, rt_chair, rt, other_rt, period):
    client.force_login(rt_chair)

    response = client.post(
        CREATE,
        {**_proposal_data(rt, period, scope=f"rt:{other_rt.pk}"), "budget_refresh": "1"},
    )

    assert response.context["ceiling"] is None


# Who may post the form back.


def test_who_may_post_back_a_proposal_being_edited(
    client, rt, neighbour, period, other_rt_chair, resident_user, rt_chair
):
    draft = make_proposal(rt=rt, author=neighbour, period=period, status=ActivityStatus.DRAFT)
    url = reverse("designing:proposal-update", args=[draft.pk])
    data = {**_proposal_data(rt, period), "budget_add": "1"}

    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # Another RT's chair changing the id, and a resident of the RT, do not see the draft;
    # the RT's chair sees it but only its author edits it.
    for user, expected in ((other_rt_chair, 404), (resident_user, 404), (rt_chair, 403)):
        client.force_login(user)
        assert client.post(url, data).status_code == expected
        assert client.post(url, data, headers={"HX-Request": "true"}).status_code == expected
    client.force_login(neighbour)
    response = client.post(url, data)
    assert response.status_code == 200
    assert _value(response.content.decode(), "budget-TOTAL_FORMS") == "3"


def test_who_may_post_back_a_new_proposal(client, officer, city_viewer, resident_user, rt, period):
    data = {**_proposal_data(rt, period), "budget_add": "1"}
    assert client.post(CREATE, data).status_code == 302
    for user in (officer, city_viewer):
        client.force_login(user)
        assert client.post(CREATE, data).status_code == 403
    client.force_login(resident_user)
    assert client.post(CREATE, data).status_code == 200
    assert not Activity.objects.exists()


# Queries.


def _queries(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    # The summary, with what is left of the RT's ceiling, is part of what is counted.
    assert response.context["ceiling"] is not None
    return len(captured)


def test_the_form_of_a_proposal_with_many_lines(client, rt, neighbour, period):
    draft = make_proposal(rt=rt, author=neighbour, period=period, status=ActivityStatus.DRAFT)
    _approved(rt, period, 1_000_000)
    url = reverse("designing:proposal-update", args=[draft.pk])
    client.force_login(neighbour)
    one = _queries(client, "get", url)

    core.BudgetLineFactory.create_batch(12, activity=draft)
    for _ in range(5):
        _approved(rt, period, 1_000_000)

    assert _queries(client, "get", url) == one


def test_adding_a_row_to_many(client, rt_chair, rt, period):
    client.force_login(rt_chair)
    one = _queries(client, "post", CREATE, {**_proposal_data(rt, period), "budget_add": "1"})

    many = {**_proposal_data(rt, period), **_management(20), "budget_add": "1"}
    for index in range(2, 20):
        many.update(_line(index, f"Barang {index}", "2", "buah", "1000"))

    assert _queries(client, "post", CREATE, many) == one
