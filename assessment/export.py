"""The scorecard as an Excel workbook, written row by row (openpyxl's write-only mode keeps
memory small whatever the number of places)."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from rtkeren.exports import sheet_write

from .scorecard import Scorecard


def _header() -> list[str]:
    return [
        _("Scope"),
        _("Period"),
        _("Stage"),
        _("Participating residents"),
        _("Residents in the base"),
        _("Rate (%)"),
        _("Threshold (%)"),
        _("Result"),
    ]


def _rows(card: Scorecard):
    for result in card.stages:
        yield [
            card.scope_name,
            str(card.period),
            str(result.stage.label),
            result.participants,
            result.base,
            result.rate,
            result.threshold,
            _("fulfilled") if result.met else _("not fulfilled"),
        ]


def scorecard_workbook(
    *, card: Scorecard | None, comparison: list[Scorecard], trend: list[Scorecard]
) -> bytes:
    """The view shown on the page: the scorecard, the places side by side, or the periods."""
    workbook = Workbook(write_only=True)
    sheets = [
        (_("Scorecard"), [card] if card else []),
        (_("Comparison"), comparison),
        (_("Across periods"), trend),
    ]
    for title, cards in sheets:
        if cards:
            rows = (row for each in cards for row in _rows(each))
            sheet_write(workbook, title=title, columns=_header(), rows=rows)
    sentences = (
        [each.scope_name, sentence]
        for each in ([card] if card else [*comparison, *trend])
        for sentence in each.sentences
    )
    sheet_write(
        workbook, title=_("What it means"), columns=[_("Scope"), _("What it means")], rows=sentences
    )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
