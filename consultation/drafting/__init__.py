"""Drafting: the record, draft import and split, periods, review before publication, rounds, uploads."""
