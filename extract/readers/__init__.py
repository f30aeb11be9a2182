"""The format readers: a document's bytes → narrative text, table grids, metadata (`document.ReadDocument`).

In the order a document meets them:

* `decode` — the cheap sniff of what the bytes are (`magic_format`), and bytes → text for pages
  and plain text (BOM, meta charset, GBK/GB18030 before lxml).
* `formats` — which reader a binary document goes to, decided from its bytes, never its name.
* `html` — a portal page: content container, metadata block, narrative, tables with spans expanded.
* `pdf`, `ofd`, `ocr` — fixed-layout documents (text layer, OFD's XML, scans) → words and ruling
  lines → `fixed_layout`, which turns them into lines and grids.
* `docx`, `office` (DOC/WPS through LibreOffice into `docx`), `sheets` (XLS/XLSX).
* `document` (what every reader returns), `safezip` (untrusted ZIP members), `limits` (the caps a
  document may make a reader spend, set per worker process).

Readers know nothing of reports: they return what the document holds, and `extract.parse` reads it.
"""
