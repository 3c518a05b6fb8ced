"""Open data: exports in the field's formats and the public statistics (docs/opendata.md)."""
