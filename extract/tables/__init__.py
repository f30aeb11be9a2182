"""The three statistical tables, read by their printed labels, never by position.

* `values` — a printed value → number, keeping blank, `0`, `/` and `—` apart.
* `labels` — printed row and column labels → the contract's codes (exact, then fuzzy).
* `slots` — report text → a stream of cells (label, value or empty), whatever the text layout.
* `text` — the tables read from those slots, aligned by the labels in the header and on each row.
* `grids` — the tables read from grids (HTML, DOCX, PDF, OFD, sheets, scans), where every value
  already sits under its header cells and beside its row labels.
"""
