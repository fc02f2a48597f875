"""The list pages' filter forms written in Python: the same controls, options and selection as
Django's own widgets, escaped, with errors shown."""

import re

from django import forms

from rtkeren.forms.rendering import filter_fields


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
