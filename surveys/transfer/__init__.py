"""Files in and out: XLSForm import and export, response exports (.xlsx, CSV, .sav)."""
