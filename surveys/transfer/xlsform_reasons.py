"""Why an XLSForm row was refused or changed, as English msgids translated where the report is made (the editor's
language on the page, the default locale in the CLI)."""

from __future__ import annotations

from flask_babel import gettext


def N_(message: str) -> str:
    """Marks a msgid for extraction; gettext() translates it when a row is refused."""
    return message


REFUSED_TYPES = {
    "hidden": N_("hidden fields are not supported"),
    "geopoint": N_("locations are not supported"),
    "geotrace": N_("locations are not supported"),
    "geoshape": N_("locations are not supported"),
    "image": N_("uploads are not supported"),
    "audio": N_("uploads are not supported"),
    "video": N_("uploads are not supported"),
    "file": N_("uploads are not supported"),
    "background-audio": N_("recordings are not supported"),
    "barcode": N_("barcodes are not supported"),
    "time": N_("times of day are not supported"),
    "datetime": N_("date and time answers are not supported"),
    "acknowledge": N_("acknowledge questions are not supported"),
    "trigger": N_("acknowledge questions are not supported"),
    "select_one_from_file": N_("choices from an external file are not supported"),
    "select_multiple_from_file": N_("choices from an external file are not supported"),
    "select_one_external": N_("choices from an external list are not supported"),
    "osm": N_("OSM questions are not supported"),
    "xml-external": N_("external data is not supported"),
    "csv-external": N_("external data is not supported"),
}
REFUSED_SHEETS = {
    "external_choices": N_("choices from an external list are not supported"),
    "entities": N_("ODK entities are not supported"),
    "osm": N_("OSM tags are not supported"),
}
# Filled in by the phone or the server in ODK, never asked: listed once in the report, not row by row.
METADATA = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "instanceid",
    "start-geopoint",
}


def reason(msgid: str, **params: object) -> str:
    """The msgid in the current language, filled in."""
    return gettext(msgid, **params)
