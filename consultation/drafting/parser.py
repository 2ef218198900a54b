"""The draft splitter's public names, kept here for the modules and commands that import them from this path.
The rules live in consultation/drafting/split/."""

from consultation.drafting.split import (
    HEADING_KINDS,
    MAX_CHARACTERS,
    MAX_DOCX_XML_BYTES,
    MAX_PARAGRAPHS,
    MAX_UNITS,
    NOT_COMMENTABLE,
    UNIT_KINDS,
    DraftFormatError,
    DraftUnit,
    cn_numeral_to_int,
    docx_to_text,
    split_document,
    split_text,
    units_to_json,
)

__all__ = [
    "HEADING_KINDS",
    "MAX_CHARACTERS",
    "MAX_DOCX_XML_BYTES",
    "MAX_PARAGRAPHS",
    "MAX_UNITS",
    "NOT_COMMENTABLE",
    "UNIT_KINDS",
    "DraftFormatError",
    "DraftUnit",
    "cn_numeral_to_int",
    "docx_to_text",
    "split_document",
    "split_text",
    "units_to_json",
]
