"""A list's rows rendered once for the same records (``{% include_by_value %}``,
``rtkeren.template_loader.ByValueIncludeNode``): the rows' template sees the values it is given
and nothing else of the page, and what it rendered is used again only for values that hold the
same, in the same language, time zone and URL prefix. Whatever the rows depend on beyond their
values (a record read lazily, the request, the clock) must make it render afresh, or refuse."""

import datetime
import decimal

import pytest
from django.db.models import Value
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone, translation

from rtkeren.models import RT
from rtkeren.template_loader import ByValueEachNode, ByValueIncludeNode, NotKeyable, value_key

ROWS = "{% for rt in rts %}<li>{{ rt }}:{{ rt.rw.number }}:{{ rt.note }}</li>{% endfor %}"


def engine(**templates) -> Engine:
    return Engine(
        loaders=[("django.template.loaders.locmem.Loader", {"rows.html": ROWS, **templates})],
        libraries={"rtkeren": "rtkeren.templatetags.rtkeren", "i18n": "django.templatetags.i18n"},
    )


def page(the_engine: Engine, body: str = '{% include_by_value "rows.html" rts=rts %}'):
    return the_engine.from_string("{% load rtkeren %}" + body)


def node_of(template) -> ByValueIncludeNode:
    (node,) = template.nodelist.get_nodes_by_type(ByValueIncludeNode)
    return node


def read_rts(note: str = "") -> list[RT]:
    """The RTs with their RW and kelurahan, and ``note`` as an annotation of each."""
    return list(
        RT.objects.select_related("rw__kelurahan").annotate(note=Value(note)).order_by("pk")
    )


@pytest.fixture
def two_rts(rt, other_rt):
    return [rt, other_rt]


def test_equal_records_give_equal_keys_and_any_value_read_changes_it(two_rts):
    first, second = read_rts(), read_rts()

    assert first is not second
    assert value_key(first) == value_key(second)
    # A field, an annotation and a related record read with the row each count.
    changed = read_rts()
    changed[0].number += 1
    assert value_key(changed) != value_key(first)
    assert value_key(read_rts(note="x")) != value_key(first)
    renamed = read_rts()
    renamed[1].rw.kelurahan.name = "Lain"
    assert value_key(renamed) != value_key(first)
    assert value_key(first[:1]) != value_key(first)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (True, 1),
        (1, 1.0),
        (decimal.Decimal("1.0"), 1),
        ("1", 1),
        (datetime.date(2026, 1, 1), datetime.datetime(2026, 1, 1)),
        ([1], (1,)),
        (None, ""),
    ],
)
def test_values_that_compare_equal_but_render_apart_are_told_apart(one, other):
    assert value_key(one) != value_key(other)


@pytest.mark.parametrize("value", [object(), {"a": 1}, [{"a": 1}], {1, 2}])
def test_values_it_cannot_read_are_refused(value):
    with pytest.raises(NotKeyable):
        value_key(value)


def test_a_record_holding_what_cannot_be_hashed_is_refused(rt):
    (row,) = read_rts()
    row.extra = {"shown": True}

    with pytest.raises(NotKeyable):
        value_key([row])


def test_the_rows_render_as_a_plain_include_and_are_kept(two_rts, django_assert_num_queries):
    the_engine = engine()
    template = page(the_engine)
    rts = read_rts()
    plain = the_engine.get_template("rows.html").render(Context({"rts": rts}))

    assert page(the_engine).render(Context({"rts": rts})) == plain
    assert template.render(Context({"rts": rts})) == plain
    assert len(node_of(template).rendered) == 1
    # Read again, as the next request does: the same HTML without rendering the rows.
    node_of(template).rendered = dict.fromkeys(node_of(template).rendered, "kept")
    assert template.render(Context({"rts": read_rts()})) == "kept"


def test_a_record_changed_between_requests_renders_afresh(two_rts):
    template = page(engine())
    before = template.render(Context({"rts": read_rts()}))
    RT.objects.filter(pk=two_rts[0].pk).update(number=9)
    after = template.render(Context({"rts": read_rts()}))
    noted = template.render(Context({"rts": read_rts(note="baru")}))

    assert "RT 009" not in before
    assert "RT 009" in after
    assert ":baru</li>" in noted
    assert len(node_of(template).rendered) == 3


def test_nothing_of_the_page_reaches_the_rows(two_rts):
    the_engine = engine(**{"who.html": "[{{ user }}|{{ secret }}|{{ rts|length }}]"})
    template = page(the_engine, '{% include_by_value "who.html" rts=rts %}')

    output = template.render(Context({"rts": read_rts(), "user": "warga1", "secret": "NIK"}))

    assert output == "[||2]"


def test_a_render_that_reads_the_database_is_not_kept(two_rts, django_assert_num_queries):
    template = page(engine())
    # The RW is not read with the rows: the template reads it, which the key cannot know.
    rts = list(RT.objects.order_by("pk"))

    with django_assert_num_queries(2):
        template.render(Context({"rts": rts}))
    assert node_of(template).rendered == {}
    rts = list(RT.objects.order_by("pk"))
    with django_assert_num_queries(2):
        template.render(Context({"rts": rts}))


def test_language_and_time_zone_are_part_of_the_key(rt):
    the_engine = engine(
        **{"when.html": "{% load i18n %}{% translate 'Log in' %} {{ at|time:'H:i' }}"}
    )
    template = page(the_engine, '{% include_by_value "when.html" at=at %}')
    at = datetime.datetime(2026, 12, 1, 1, 0, tzinfo=datetime.UTC)

    with translation.override("id"):
        indonesian = template.render(Context({"at": at}))
    with translation.override("en"):
        english = template.render(Context({"at": at}))
    with timezone.override("Asia/Makassar"), translation.override("en"):
        makassar = template.render(Context({"at": at}))

    assert (indonesian, english, makassar) == ("Masuk 08:00", "Log in 08:00", "Log in 09:00")


def test_values_it_cannot_key_are_rendered_every_time(db):
    template = page(engine(**{"d.html": "{{ d.a }}"}), '{% include_by_value "d.html" d=d %}')

    assert template.render(Context({"d": {"a": 1}})) == "1"
    assert template.render(Context({"d": {"a": 2}})) == "2"
    assert node_of(template).rendered == {}


@pytest.mark.parametrize(
    "rows",
    [
        "{% csrf_token %}",
        "{% now 'Y' %}",
        "{{ at|timesince }}",
        "{{ at|timeuntil }}",
        '{% include "clock.html" %}',
    ],
)
def test_rows_that_depend_on_the_request_or_the_clock_are_refused(db, rows):
    template = page(
        engine(**{"bad.html": rows, "clock.html": "{% now 'H:i' %}"}),
        '{% include_by_value "bad.html" at=at %}',
    )

    with pytest.raises(TemplateSyntaxError):
        template.render(Context({"at": timezone.now()}))


@pytest.mark.parametrize(
    "body",
    [
        '{% include_by_value "rows.html" %}',
        '{% include_by_value "rows.html" rts %}',
        '{% include_by_value "rows.html" rts=rts extra %}',
    ],
)
def test_the_tag_takes_a_name_and_named_values(body):
    with pytest.raises(TemplateSyntaxError):
        page(engine(), body)


def test_past_its_bound_the_kept_outputs_start_afresh(db, monkeypatch):
    monkeypatch.setattr(ByValueIncludeNode, "KEPT", 3)
    template = page(engine(**{"n.html": "{{ n }}"}), '{% include_by_value "n.html" n=n %}')

    for number in range(5):
        assert template.render(Context({"n": number})) == str(number)

    assert len(node_of(template).rendered) <= 3


# Each row of a list on its own (``{% include_each_by_value %}``).

ROW = "<li>{{ rt }}:{{ rt.rw.number }}:{{ rt.note }}</li>"


def each_page(the_engine: Engine, body: str = '{% include_each_by_value "row.html" rt in rts %}'):
    return page(the_engine, body)


def each_node_of(template) -> ByValueEachNode:
    (node,) = template.nodelist.get_nodes_by_type(ByValueEachNode)
    return node


def test_each_row_renders_as_the_plain_rows_and_is_kept_on_its_own(two_rts):
    the_engine = engine(**{"row.html": ROW})
    template = each_page(the_engine)
    rts = read_rts()
    plain = the_engine.get_template("rows.html").render(Context({"rts": rts}))

    assert template.render(Context({"rts": rts})) == plain
    node = each_node_of(template)
    assert len(node.rendered) == 2
    # Another list holding one of the same records (another person's page) takes its row.
    node.rendered = {key: f"kept{index}" for index, key in enumerate(node.rendered)}
    assert template.render(Context({"rts": read_rts()[1:]})) == "kept1"
    assert template.render(Context({"rts": []})) == ""


def test_a_changed_record_renders_its_own_row_afresh(two_rts):
    template = each_page(engine(**{"row.html": ROW}))
    template.render(Context({"rts": read_rts()}))
    node = each_node_of(template)
    node.rendered = dict.fromkeys(node.rendered, "kept")
    RT.objects.filter(pk=two_rts[1].pk).update(number=9)

    output = template.render(Context({"rts": read_rts()}))

    assert output.startswith("kept<li>RT 009")
    assert len(node.rendered) == 3


def test_a_row_gets_its_record_and_nothing_of_the_page(two_rts):
    the_engine = engine(**{"who.html": "[{{ rt.number }}|{{ user }}|{{ rts|length }}]"})
    template = each_page(the_engine, '{% include_each_by_value "who.html" rt in rts %}')

    output = template.render(Context({"rts": read_rts(), "user": "warga1"}))

    assert output == "".join(f"[{rt.number}||0]" for rt in read_rts())


def test_a_row_that_reads_the_database_or_cannot_be_keyed_is_not_kept(
    two_rts, django_assert_num_queries
):
    template = each_page(engine(**{"row.html": ROW}))
    rts = list(RT.objects.order_by("pk"))
    rts[0].extra = {"shown": True}

    with django_assert_num_queries(2):
        output = template.render(Context({"rts": rts}))

    assert output.count("<li>") == 2
    assert each_node_of(template).rendered == {}


def test_each_row_refuses_what_depends_on_the_request(db):
    template = each_page(
        engine(**{"bad.html": "{% csrf_token %}"}),
        '{% include_each_by_value "bad.html" at in ats %}',
    )

    with pytest.raises(TemplateSyntaxError):
        template.render(Context({"ats": [timezone.now()]}))


@pytest.mark.parametrize(
    "body",
    [
        '{% include_each_by_value "row.html" rts %}',
        '{% include_each_by_value "row.html" rt of rts %}',
        '{% include_each_by_value "row.html" rt in rts extra %}',
    ],
)
def test_the_each_tag_takes_a_name_then_item_in_items(body):
    with pytest.raises(TemplateSyntaxError):
        page(engine(), body)
