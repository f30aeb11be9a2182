"""What no one else measures: late, missing, copied, contradictory and edited reports, as data.

`archive.findings.run.refresh(conn)` recomputes every finding of the archive into the `flags` and
`coverage` tables (archive/schema.py). One module per kind of finding; `agencies.agency_key` is the one
place that says which reports belong to one agency. Nothing is imported here, so that the schema can
read the codes (model.py) without loading the similarity libraries.
"""
