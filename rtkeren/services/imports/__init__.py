"""Resident import from a spreadsheet: the template, the check (dry run) and the import itself.

An officer uploads an Excel or CSV file for their kelurahan. The check reads every row and says
what would happen to it (created, updated, unchanged or rejected, and why) without writing a
resident; the file waits, encrypted, in an ImportJob. Besides the template, the import reads
OpenSID's resident export (docs/opensid-import.md). On confirmation everything is checked again
and the accepted rows are written through the resident services in one transaction: all of them
land or none does. An OpenSID export imports only when none of its rows is rejected.
"""

from .plan import import_plan
from .read import (
    JOB_MAX_AGE,
    MAX_FILE_BYTES,
    MAX_ROWS,
    import_file_read,
    import_format_of,
    import_template,
)
from .shapes import (
    COLUMNS,
    EXAMPLE_NIK,
    OPENSID_COLUMN_LABELS,
    OPENSID_COLUMNS,
    Action,
    ImportPlan,
    PlannedRow,
    Source,
)
from .write import (
    import_job_apply,
    import_job_check,
    import_job_confirm,
    import_job_create,
    import_job_held_back,
    import_job_is_stale,
    import_job_run,
)

__all__ = [
    "COLUMNS",
    "EXAMPLE_NIK",
    "JOB_MAX_AGE",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "OPENSID_COLUMNS",
    "OPENSID_COLUMN_LABELS",
    "Action",
    "ImportPlan",
    "PlannedRow",
    "Source",
    "import_file_read",
    "import_format_of",
    "import_job_apply",
    "import_job_check",
    "import_job_confirm",
    "import_job_create",
    "import_job_held_back",
    "import_job_is_stale",
    "import_job_run",
    "import_plan",
    "import_template",
]
