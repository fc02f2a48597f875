"""The list pages' filter forms written in Python: the same controls, options and selection as
Django's own widgets, escaped, with errors shown."""

import re

import pytest
from django import forms
from django.db import connection
from django.forms.utils import flatatt
from django.test.utils import CaptureQueriesContext
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from rtkeren.forms import rendering
from rtkeren.forms.rendering import filter_fields
from rtkeren.models import RT
from tests import factories


class _Filters(forms.Form):
    order = forms.ChoiceField(
        label="Urutan",
        required=False,
        choices=[("newest", "Terbaru"), ("fit", "Paling <cocok> & sesuai")],
        help_text="Pilih urutan.",
    )
    grouped = forms.ChoiceField(
        label="Wilayah", required=False, choices=[("RW 007", [("2", "RT 002"), ("3", "RT 003")])]
    )
    name = forms.CharField(label="Nama", required=False, max_length=10)
    page = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _options(html: str) -> list[tuple[str, bool, str]]:
    return [
        (value, " selected" in attrs, label)
        for value, attrs, label in re.findall(
            r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', html
        )
    ]


def test_selects_have_djangos_options_and_selection_escaped():
    form = _Filters({"order": "fit", "grouped": "3", "name": "Sri", "page": "2"})
    form.is_valid()

    html = filter_fields(form)

    assert _options(html) == _options(str(form["order"]) + str(form["grouped"]))
    assert ("fit", True, "Paling &lt;cocok&gt; &amp; sesuai") in _options(html)
    assert '<optgroup label="RW 007">' in html
    assert (
        '<select aria-describedby="id_order_helptext" class="form-select" id="id_order" '
        'name="order">'
    ) in html
    assert '<label for="id_order" class="form-label">Urutan</label>' in html
    assert '<div id="id_order_helptext" class="form-text">Pilih urutan.</div>' in html
    assert '<input type="text" name="name" value="Sri" maxlength="10" class="form-control"' in html
    assert '<input type="hidden" name="page" value="2" id="id_page">' in html


def test_a_field_in_error_is_marked_and_says_why():
    form = _Filters({"order": "bogus", "name": "x" * 11})
    form.is_valid()

    html = filter_fields(form)

    assert (
        '<select aria-describedby="id_order_helptext id_order_error" aria-invalid="true" '
        'class="form-select is-invalid" id="id_order" name="order">'
    ) in html
    assert '<div id="id_order_error" class="invalid-feedback d-block">' in html
    assert '<div id="id_name_error" class="invalid-feedback d-block">' in html
    assert "bogus" in html  # Django's own message names the refused choice


class _PlaceFilters(forms.Form):
    rt = forms.ModelChoiceField(label="RT", queryset=None, required=False, empty_label="Semua RT")

    def __init__(self, *args, rts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rt"].queryset = rts
        self.fields["rt"].label_from_instance = lambda rt: f"{rt} <{rt.pk}>"


@pytest.mark.django_db
@pytest.mark.parametrize("chosen", ["", "second", None])
def test_a_model_select_has_the_options_and_selection_of_djangos_widget(chosen):
    rts = [factories.RTFactory(), factories.RTFactory()]
    queryset = RT.objects.filter(pk__in=[rt.pk for rt in rts]).order_by("pk")
    data = None if chosen is None else {"rt": str(rts[1].pk) if chosen else ""}
    form = _PlaceFilters(data, rts=queryset)
    form.is_valid()

    html = filter_fields(form)

    assert _options(html) == _options(str(form["rt"]))
    assert len(_options(html)) == 3
    assert [selected for _value, selected, _label in _options(html)] == (
        [False, False, True] if chosen else [True, False, False]
    )


@pytest.mark.django_db
def test_a_model_select_reads_its_options_in_one_plain_query():
    rts = [factories.RTFactory(), factories.RTFactory()]
    form = _PlaceFilters(None, rts=RT.objects.filter(pk__in=[rt.pk for rt in rts]))

    with CaptureQueriesContext(connection) as captured:
        html = filter_fields(form)

    assert len(_options(html)) == 3
    # Not through QuerySet.iterator(), which opens a server-side cursor on PostgreSQL: three
    # round trips instead of one. (The labels read each RT's places after it.)
    assert captured[0]["sql"].startswith('SELECT "rtkeren_rt"."id"')
    assert not [query for query in captured if query["sql"].startswith("DECLARE")]


# The options of public records (periods, places) come from the cache, under the public
# records' version.


def _queries_of(table: str, render) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        html = render()
    return html, sum(f'FROM "{table}"' in query["sql"] for query in captured)


@pytest.mark.django_db
def test_a_select_of_public_records_reads_them_once_then_from_the_cache():
    rts = [factories.RTFactory(), factories.RTFactory()]
    queryset = RT.objects.filter(pk__in=[rt.pk for rt in rts]).order_by("pk")

    first, read_first = _queries_of(
        "rtkeren_rt", lambda: filter_fields(_PlaceFilters(rts=queryset))
    )
    again, read_again = _queries_of(
        "rtkeren_rt", lambda: filter_fields(_PlaceFilters(rts=queryset))
    )

    assert (read_first, read_again) == (1, 0)
    assert again == first
    chosen = _PlaceFilters({"rt": str(rts[1].pk)}, rts=queryset)
    chosen.is_valid()
    assert _options(filter_fields(chosen)) == _options(str(chosen["rt"]))


@pytest.mark.django_db
def test_a_select_of_every_row_of_a_public_table_reads_them_once_then_from_the_cache():
    """A queryset not filtered at all (every period) has no joins until it is compiled: its
    table is still known, and its options are kept."""
    from designing.forms import ProposalFilterForm

    factories.PeriodFactory()

    first, read_first = _queries_of("rtkeren_period", lambda: filter_fields(ProposalFilterForm()))
    again, read_again = _queries_of("rtkeren_period", lambda: filter_fields(ProposalFilterForm()))

    assert (read_first, read_again) == (1, 0)
    assert again == first


@pytest.mark.django_db
def test_a_public_record_saved_shows_in_the_options_at_once():
    rt = factories.RTFactory()
    queryset = RT.objects.filter(rw=rt.rw).order_by("pk")
    assert len(_options(filter_fields(_PlaceFilters(rts=queryset)))) == 2

    added = factories.RTFactory(rw=rt.rw)
    rt.number = 99
    rt.save()

    options = _options(filter_fields(_PlaceFilters(rts=queryset)))
    assert len(options) == 3
    assert (str(added.pk), False, f"{added} &lt;{added.pk}&gt;") in options
    assert (str(rt.pk), False, f"{rt} &lt;{rt.pk}&gt;") in options


@pytest.mark.django_db
def test_each_query_has_its_own_options():
    """Two people whose selects read different rows (each their own kelurahan's RTs) each get
    theirs: the query is part of what the options are kept under."""
    mine, theirs = factories.RTFactory(), factories.RTFactory()

    for rt in (mine, theirs, mine):
        html = filter_fields(_PlaceFilters(rts=RT.objects.filter(pk=rt.pk)))
        assert [value for value, _selected, _label in _options(html)] == ["", str(rt.pk)]


@pytest.mark.django_db
def test_the_options_are_kept_per_language():
    from django.utils import translation

    from designing.forms import ProposalFilterForm

    factories.PeriodFactory(year=2031, name="")
    labels = {}
    for language in ("id", "en", "id"):
        with translation.override(language):
            labels.setdefault(language, set()).add(
                next(
                    label
                    for _value, _selected, label in _options(filter_fields(ProposalFilterForm()))
                    if "2031" in label
                )
            )

    assert labels == {"id": {"Tahun anggaran 2031"}, "en": {"Budget year 2031"}}


class _AccountFilters(forms.Form):
    account = forms.ModelChoiceField(label="Akun", queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from rtkeren.models import User

        self.fields["account"].queryset = User.objects.order_by("pk")


@pytest.mark.django_db
def test_a_select_of_records_no_public_page_shows_is_read_each_time():
    factories.UserFactory()

    _html, first = _queries_of("rtkeren_user", lambda: filter_fields(_AccountFilters()))
    _html, again = _queries_of("rtkeren_user", lambda: filter_fields(_AccountFilters()))

    assert (first, again) == (1, 1)


class _LabelledByAccounts(_PlaceFilters):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from rtkeren.models import User

        self.fields["rt"].label_from_instance = lambda rt: f"{rt} ({User.objects.count()})"


@pytest.mark.django_db
def test_options_whose_labels_read_records_no_public_page_shows_are_read_each_time():
    rt = factories.RTFactory()
    queryset = RT.objects.filter(pk=rt.pk)

    def render():
        return filter_fields(_LabelledByAccounts(rts=queryset))

    _html, first = _queries_of("rtkeren_rt", render)
    factories.UserFactory()  # no public record changes
    html, again = _queries_of("rtkeren_rt", render)

    assert (first, again) == (1, 1)
    assert f"{rt} (1)" in html


# The query's key: read off the query where it is a plain filter of columns by values, without
# compiling it; compiled where it is more.


def _compiles(render) -> tuple[str, int]:
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql):
        html = render()
        return html, SQLCompiler.as_sql.call_count


def _plain_query(rt):
    return RT.objects.filter(rw__kelurahan=rt.rw.kelurahan).select_related("rw__kelurahan")


def _annotated_query(rt):
    from django.db.models import Count

    return RT.objects.annotate(rows=Count("pk")).filter(pk=rt.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query_of", "compiles"),
    # A plain query's cached options are found without compiling it; one with more than plain
    # conditions is compiled for its key.
    [(_plain_query, 0), (_annotated_query, 1)],
)
def test_a_querys_cached_options_are_found_compiling_it_only_when_it_is_more_than_plain(
    query_of, compiles
):
    queryset = query_of(factories.RTFactory())
    first = filter_fields(_PlaceFilters(rts=queryset))

    again, compiled = _compiles(lambda: filter_fields(_PlaceFilters(rts=queryset)))

    assert compiled == compiles
    assert again == first


@pytest.mark.django_db
def test_queries_alike_but_for_a_join_or_a_condition_each_have_their_own_options():
    rt = factories.RTFactory()
    number = rt.rw.number
    same_number = factories.RTFactory(number=number)
    factories.RTFactory()
    by_rw = RT.objects.filter(rw__number=number).order_by("pk")
    by_rt = RT.objects.filter(number=number).order_by("pk")
    excluded = RT.objects.exclude(number=number).order_by("pk")
    expected = [
        [str(pk) for pk in q.values_list("pk", flat=True)] for q in (by_rw, by_rt, excluded)
    ]
    assert str(same_number.pk) in expected[1]
    assert len({tuple(pks) for pks in expected}) == 3

    for _round in range(2):
        for queryset, pks in zip((by_rw, by_rt, excluded), expected, strict=True):
            html = filter_fields(_PlaceFilters(rts=queryset))
            assert [value for value, _selected, _label in _options(html)][1:] == pks


@pytest.mark.django_db
def test_options_whose_related_rows_are_records_no_public_page_shows_are_read_each_time():
    from rtkeren.models import Activity

    factories.ActivityFactory()
    with_authors = Activity.objects.select_related("author")

    def render():
        return filter_fields(_PlaceFilters(rts=with_authors))

    _html, first = _queries_of("rtkeren_activity", render)
    _html, again = _queries_of("rtkeren_activity", render)

    assert (first, again) == (1, 1)


class _Ordered(forms.Form):
    order = forms.ChoiceField(
        label="Urutan",
        required=False,
        choices=[("", gettext_lazy("Newest first")), ("fit", "Paling <cocok> & sesuai"), (3, "3")],
    )


@pytest.mark.parametrize("chosen", ["", "fit", "3", "bogus"])
def test_options_rendered_before_keep_djangos_options_selection_and_escaping(chosen):
    """The second render of the same choices takes the options kept from the first, and still
    selects what this form holds."""
    for _ in range(2):
        form = _Ordered({"order": chosen})
        form.is_valid()
        html = filter_fields(form)
        assert _options(html) == _options(str(form["order"]))
    assert [selected for _value, selected, _label in _options(html)].count(True) == (
        0 if chosen == "bogus" else 1
    )
    assert ("fit", chosen == "fit", "Paling &lt;cocok&gt; &amp; sesuai") in _options(html)


def test_options_rendered_before_are_kept_per_language_and_per_choices(monkeypatch):
    from django.utils import translation

    monkeypatch.setattr(rendering, "_rendered_options", {})
    labels = {}
    for language in ("id", "en", "id", "en"):
        with translation.override(language):
            labels.setdefault(language, set()).add(_options(filter_fields(_Ordered()))[0][2])
    # Other choices with the same first label: their own options.
    form = _Ordered()
    form.fields["order"].choices = [("", "Semua"), ("x", "X")]

    assert labels == {"id": {"Terbaru dahulu"}, "en": {"Newest first"}}
    assert [value for value, _selected, _label in _options(filter_fields(form))] == ["", "x"]
    assert len(rendering._rendered_options) == 3


def test_the_options_rendered_before_are_bounded(monkeypatch):
    monkeypatch.setattr(rendering, "RENDERED_OPTIONS_KEPT", 2)
    monkeypatch.setattr(rendering, "_rendered_options", {})
    form = _Ordered()
    for index in range(5):
        form.fields["order"].choices = [(str(index), f"Pilihan {index}")]
        assert _options(filter_fields(form)) == [(str(index), False, f"Pilihan {index}")]
        assert len(rendering._rendered_options) <= 2


@pytest.mark.parametrize(
    "attrs",
    [
        {"name": "rt", "class": "form-select", "id": "id_rt"},
        {"name": 'a"b', "id": "<x>", "required": True, "disabled": False, "title": None},
        {"z": "1", "a": gettext_lazy("Newest first"), "multiple": True, "autofocus": True},
        {"data-x": mark_safe("<b>&amp;</b>"), "aria-describedby": "id_x_helptext"},
    ],
)
def test_a_selects_attributes_are_written_as_django_writes_them(attrs):
    assert rendering._attributes(attrs) == flatatt(attrs)


def test_labels_help_and_errors_are_escaped_as_django_escapes_them():
    class _Escaped(forms.Form):
        order = forms.ChoiceField(
            label=mark_safe("Urutan <em>baru</em>"),
            required=True,
            choices=[("a", "A")],
            help_text='Pilih <satu> & "hanya" satu.',
        )
        name = forms.CharField(label="Nama <orang>", max_length=2)

    form = _Escaped({"order": "", "name": "abc"})
    form.is_valid()

    html = filter_fields(form)

    assert '<label for="id_order" class="form-label">Urutan <em>baru</em></label>' in html
    assert '<label for="id_name" class="form-label">Nama &lt;orang&gt;</label>' in html
    assert (
        '<div id="id_order_helptext" class="form-text">'
        "Pilih &lt;satu&gt; &amp; &quot;hanya&quot; satu.</div>"
    ) in html
    for error in form["name"].errors:
        assert f'<p class="mb-0">{conditional_escape(error)}</p>' in html
    assert html.count('class="invalid-feedback d-block"') == 2
