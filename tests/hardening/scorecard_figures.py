"""Print every scorecard of a database as JSON: the city, each kelurahan and each RT, for each
period. Run as ``python -m tests.hardening.scorecard_figures`` with DATABASE_URL set; the backup
test compares its output before a dump and after the restore."""

import json
import os

import django


def figures() -> list[dict]:
    from assessment.scorecard import Scope, scorecard
    from rtkeren.models import RT, Kelurahan, Period

    scopes = [Scope()]
    scopes += [Scope(kelurahan=kelurahan) for kelurahan in Kelurahan.objects.order_by("code")]
    scopes += [
        Scope(rt=rt)
        for rt in RT.objects.select_related("rw__kelurahan").order_by(
            "rw__kelurahan__code", "rw__number", "number"
        )
    ]
    cards = []
    for period in Period.objects.order_by("year"):
        for scope in scopes:
            card = scorecard(scope=scope, period=period)
            cards.append(
                {
                    "scope": card.scope_name,
                    "period": period.year,
                    "base": card.base,
                    "stages": {
                        str(result.stage): [result.participants, result.threshold, result.met]
                        for result in card.stages
                    },
                    "community_evaluations": card.community_evaluations,
                    "government_evaluations": card.government_evaluations,
                    "sentences": card.sentences,
                }
            )
    return cards


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rtkeren.settings.production")
    django.setup()
    print(json.dumps(figures(), ensure_ascii=False, indent=1))
