"""The RTs side by side: the RTs below threshold first, sortable by each column through a GET
parameter (the header links, with ``aria-sort``), the same figures as the scorecard's, and the
same readers as before."""

import re

import factory
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import Stage
from rtkeren.services.ledger import participation_record
from tests import factories as core

pytestmark = pytest.mark.django_db

KIND_IN = {
    Stage.COMMISSIONING: "forum_attended",
    Stage.DESIGNING: "proposal_commented",
    Stage.DELIVERY: "attended",
    Stage.ASSESSMENT: "evaluation_submitted",
}


def _rt(kelurahan, number, *, adults, takers):
    """RT ``number`` of RW 001 with ``adults`` residents, of whom ``takers[stage]`` (else one)
    took part in each stage, each on their own account."""
    rt = core.RTFactory(rw=core.RWFactory(kelurahan=kelurahan, number=1), number=number)
    residents = [
        core.ResidentFactory(
            rt=rt, birth_date=factory.Faker("date_of_birth", minimum_age=20, maximum_age=80)
        )
        for _ in range(adults)
    ]
    for stage in Stage:
        for resident in residents[: takers.get(stage, 1)]:
            participation_record(resident=resident, kind=KIND_IN[stage], subject=rt)
    return rt


@pytest.fixture
def rts(kelurahan, period):
    """Five RTs, the thresholds at their default of 10%:

    ======  =====  ===================  =============================
    RT      base   rates (%)            below threshold
    ======  =====  ===================  =============================
    001     10     10, 10, 10, 10       none
    002     10     0, 10, 10, 10        1 stage, 10.0 points short
    003     10     0, 0, 10, 10         2 stages, 10.0 points short
    004     20     5, 10, 10, 10        1 stage, 5.0 points short
    005     0      no rate              no resident in the base
    ======  =====  ===================  =============================
    """
    return {
        "001": _rt(kelurahan, 1, adults=10, takers={}),
        "002": _rt(kelurahan, 2, adults=10, takers={Stage.COMMISSIONING: 0}),
        "003": _rt(kelurahan, 3, adults=10, takers={Stage.COMMISSIONING: 0, Stage.DESIGNING: 0}),
        "004": _rt(
            kelurahan,
            4,
            adults=20,
            takers={Stage.COMMISSIONING: 1, Stage.DESIGNING: 2, Stage.DELIVERY: 2}
            | {Stage.ASSESSMENT: 2},
        ),
        "005": _rt(kelurahan, 5, adults=0, takers={}),
    }


def _compare(client, kelurahan, query=""):
    response = client.get(
        reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk]) + "?view=compare" + query
    )
    assert response.status_code == 200
    return response


def _order(response) -> list[str]:
    return [card.scope_name[3:6] for card in response.context["comparison"]]


def _rows(response) -> list[str]:
    """The RT numbers in the order the table shows them."""
    return re.findall(r'<th scope="row"[^>]*><a [^>]*>RT (\d{3})', response.content.decode())


def _sorted_headers(response) -> list[tuple[str, str]]:
    """(aria-sort, the column's label) of each header that says it is sorted."""
    return re.findall(
        r'<th scope="col"[^>]* aria-sort="(\w+)"><a [^>]*>([^<]+)</a>',
        response.content.decode(),
    )


def test_the_rts_below_threshold_come_first_most_stages_and_largest_gap_first(
    client, officer, kelurahan, rts
):
    client.force_login(officer)

    response = _compare(client, kelurahan)

    assert _order(response) == ["003", "002", "004", "001", "005"]
    assert _rows(response) == ["003", "002", "004", "001", "005"]
    assert _sorted_headers(response) == [("descending", "Di bawah ambang batas")]
    content = response.content.decode()
    assert "2 tahap" in content
    assert "kurang hingga 10,0 poin" in content
    assert "kurang hingga 5,0 poin" in content
    assert "tidak ada tahap" in content
    assert "belum ada warga" in content


@pytest.mark.parametrize(
    ("query", "order", "header"),
    [
        ("&sort=shortfall&order=asc", ["001", "004", "002", "003", "005"], "ascending"),
        ("&sort=name", ["001", "002", "003", "004", "005"], "ascending"),
        ("&sort=name&order=desc", ["005", "004", "003", "002", "001"], "descending"),
        ("&sort=base", ["005", "001", "002", "003", "004"], "ascending"),
        ("&sort=commissioning", ["002", "003", "005", "004", "001"], "ascending"),
        ("&sort=commissioning&order=desc", ["001", "004", "002", "003", "005"], "descending"),
        ("&sort=designing", ["003", "005", "001", "002", "004"], "ascending"),
        ("&sort=delivery", ["005", "001", "002", "003", "004"], "ascending"),
        ("&sort=assessment&order=desc", ["001", "002", "003", "004", "005"], "descending"),
    ],
)
def test_each_column_sorts(client, officer, kelurahan, rts, query, order, header):
    client.force_login(officer)

    response = _compare(client, kelurahan, query)

    assert _order(response) == order
    assert _rows(response) == order
    [(aria_sort, _label)] = _sorted_headers(response)
    assert aria_sort == header


def test_a_header_link_sorts_by_its_column_and_again_reverses(
    client, officer, kelurahan, period, rts
):
    client.force_login(officer)

    links = _compare(client, kelurahan).context["sort_links"]
    again = _compare(client, kelurahan, "&sort=designing").context["sort_links"]

    designing = links["stages"][1]
    assert (designing["label"], designing["threshold"]) == ("Perancangan Bersama", 10)
    assert designing["query"] == f"?view=compare&period={period.pk}&sort=designing&order=asc"
    assert designing["aria_sort"] == ""
    assert links["name"]["query"].endswith("sort=name&order=asc")
    assert links["shortfall"]["query"].endswith("sort=shortfall&order=asc")
    assert again["stages"][1]["query"].endswith("sort=designing&order=desc")
    assert again["stages"][1]["aria_sort"] == "ascending"
    assert again["shortfall"]["query"].endswith("sort=shortfall&order=desc")


@pytest.mark.parametrize(
    "query",
    [
        "&sort=password",
        "&sort=",
        "&sort=designing%27%3B--",
        "&sort=name&order=sideways",
        "&sort=unknown&order=asc",
        "&sort[]=name&order[]=asc",
    ],
)
def test_an_unknown_sort_gives_the_default_order(client, officer, kelurahan, rts, query):
    client.force_login(officer)

    response = _compare(client, kelurahan, query)

    if "order=sideways" in query:
        # A known column with an unknown direction sorts in that column's own direction.
        assert _order(response) == ["001", "002", "003", "004", "005"]
    else:
        assert _order(response) == ["003", "002", "004", "001", "005"]


def test_each_row_shows_the_scorecards_own_figures_and_nothing_more(
    client, officer, kelurahan, rts
):
    """The base, each stage's rate (the scorecard's), and the shortfall worked out from what
    the row shows (the threshold less the rate): no count of participants, which the page
    never printed."""
    client.force_login(officer)
    response = _compare(client, kelurahan, "&sort=name")
    card = response.context["comparison"][3]
    row = re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", response.content.decode(), re.DOTALL)[3]

    assert card.scope_name == "RT 004 / RW 001"
    assert [result.rate for result in card.stages] == [5.0, 10.0, 10.0, 10.0]
    assert card.result(Stage.COMMISSIONING).threshold - card.rate("commissioning") == 5.0
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.DOTALL)
    ]
    assert cells == [
        "20",
        "5,0% ✘",
        "10,0% ✔",
        "10,0% ✔",
        "10,0% ✔",
        "1 tahap kurang hingga 5,0 poin",
    ]


def test_the_bars_are_behind_a_toggle(client, officer, kelurahan, rts):
    client.force_login(officer)

    content = _compare(client, kelurahan).content.decode()

    chart = content[content.index('<details class="mb-3 comparison-chart">') :]
    assert "<summary>Tampilkan grafik</summary>" in chart
    assert chart.index("bar-w-") < chart.index("</details>")
    assert content.count("bar-chart") == 1
    assert "style=" not in content
    assert "<script>" not in content.split("</main>")[0]


@pytest.mark.parametrize(
    ("persona", "status", "compares"),
    [
        ("officer", 200, True),
        ("city_viewer", 200, True),
        ("rt_chair", 200, False),
        ("resident_user", 200, False),
        ("outsider", 404, False),
        ("foreign_officer", 404, False),
    ],
)
def test_a_sort_does_not_change_who_may_compare(
    client, request, kelurahan, rts, persona, status, compares
):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk])

    response = client.get(url + "?view=compare&sort=designing&order=desc")

    assert response.status_code == status
    if status == 200:
        assert bool(response.context["comparison"]) == compares
        assert ("Tampilkan grafik" in response.content.decode()) == compares


def test_the_kelurahan_side_by_side_open_with_the_largest_shortfall_first(
    client, city_viewer, kelurahan, rts, foreign_rt
):
    core.ResidentFactory(rt=foreign_rt)
    client.force_login(city_viewer)

    response = client.get(reverse("assessment:scorecard-city") + "?view=compare")

    # Pakunden's one resident took part in nothing: four stages 10 points short. Blitar's 50
    # residents: 2 in co-commissioning (4%, 6 points short), 4 in co-designing (8%), 5 in the
    # others (10%). The kelurahan without residents come last.
    comparison = response.context["comparison"]
    assert [card.scope_name for card in comparison[:2]] == ["Pakunden", "Blitar"]
    assert [card.shortfall for card in comparison[:2]] == [(4, 10.0), (2, 6.0)]
    assert all(card.shortfall is None for card in comparison[2:])


SORTED = {
    "": ("shortfall", True),
    "&sort=designing&order=desc": ("designing", True),
    "&sort=shortfall&order=asc": ("shortfall", False),
    "&sort=x": ("shortfall", True),
}


def _counts(client, url) -> list[int]:
    """The queries of each sort, its figures computed (nothing cached), then cached."""
    counts = []
    for query, (sort, descending) in SORTED.items():
        cache.clear()
        for _reading in ("computed", "cached"):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(f"{url}?view=compare{query}")
            assert (response.context["sort"], response.context["descending"]) == (
                sort,
                descending,
            )
            counts.append(len(captured))
    return counts


def test_sorting_keeps_the_query_count_flat(client, officer, kelurahan, period):
    client.force_login(officer)
    url = reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk])
    _rt(kelurahan, 1, adults=3, takers={Stage.DESIGNING: 0})
    one = _counts(client, url)

    for number in range(2, 26):
        _rt(kelurahan, number, adults=3, takers={Stage.DESIGNING: number % 3})

    assert _counts(client, url) == one


def test_an_rt_with_nobody_in_its_base_shows_no_rate_in_any_stage(client, officer, kelurahan, rts):
    client.force_login(officer)

    response = _compare(client, kelurahan)

    content = response.content.decode()
    empty_row = content[content.index(">RT 005") :]
    empty_row = empty_row[: empty_row.index("</tr>")]
    stage_cells = re.findall(
        r'<td class="text-end comparison-stage"[^>]*>(.*?)</td>', empty_row, re.DOTALL
    )
    assert len(stage_cells) == 4
    for cell in stage_cells:
        assert cell.strip() == "belum ada warga", cell
