"""Registry imports: read a file, validate every row, then write in one transaction.

Three shapes come in (docs/registry-intake.md has the columns):

- ``csv``: a households file and a persons file (``household`` = the family's reg_number);
- ``xlsx``: a workbook with a ``households`` and a ``persons`` sheet (or the first two), or a
  households workbook and a persons file;
- ``odk``: a submission export of our XLSForm (``xlsform/household_registration.xlsx``):
  ODK Central's CSV zip (``form.csv`` + ``form-members.csv`` joined by ``KEY``/``PARENT_KEY``,
  group paths as ``household-origin``), the two CSV files unzipped, or KoBoToolbox's XLSX (a
  sheet per repeat group joined by ``_index``/``_parent_index`` or ``_uuid``/
  ``_submission__uuid``, group paths as ``household/origin``).

Reading and validation never write. :func:`validate` returns a :class:`Plan`: the rows to
create and every bad row as ``(file, row, field, message)``, row numbers as a spreadsheet
shows them (the header is row 1). :func:`run_import` writes the plan through
:func:`homecoming.registry.services.do_write_import` only if there is no bad row, or if the
user asked for the good rows (``partial``); a family is written whole or not at all.

Split by what they do, each name re-exported here:

- :mod:`.readers`: file formats, encodings, ZIP and XLSX, column names, the ODK join;
- :mod:`.checks`: one cell's checks (yes/no, sex, dates) and the row's error reporter;
- :mod:`.validation`: the rows against the model and the registry, the :class:`Plan`;
- :mod:`.run`: the import's record, its files, the job, the outcome.
"""

from homecoming.registry.importers.readers import (
    ALIASES,
    HOUSEHOLD_FIELDS,
    PERSON_FIELDS,
    ImportFileError,
    RowError,
    Table,
    canonical,
    detect_format,
    join_odk,
    read_any,
    read_csv,
    read_file,
    read_xlsx,
    split_tables,
)
from homecoming.registry.importers.run import (
    MAX_STORED_ERRORS,
    create_import,
    file_digest,
    load_tables,
    run_import,
    run_import_job,
    save_upload,
    summary,
)
from homecoming.registry.importers.validation import (
    REQUIRED_HOUSEHOLD,
    REQUIRED_PERSON,
    Lookups,
    NewHousehold,
    NewPerson,
    Plan,
    Progress,
    keep_whole_families,
    validate,
)

__all__ = [
    "ALIASES",
    "HOUSEHOLD_FIELDS",
    "MAX_STORED_ERRORS",
    "PERSON_FIELDS",
    "REQUIRED_HOUSEHOLD",
    "REQUIRED_PERSON",
    "ImportFileError",
    "Lookups",
    "NewHousehold",
    "NewPerson",
    "Plan",
    "Progress",
    "RowError",
    "Table",
    "canonical",
    "create_import",
    "detect_format",
    "file_digest",
    "join_odk",
    "keep_whole_families",
    "load_tables",
    "read_any",
    "read_csv",
    "read_file",
    "read_xlsx",
    "run_import",
    "run_import_job",
    "save_upload",
    "split_tables",
    "summary",
    "validate",
]
