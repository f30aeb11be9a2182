"""Reading members of an untrusted ZIP container (DOCX, XLSX, OFD) without letting it blow up.

A zip bomb declares small sizes and inflates to gigabytes, or packs thousands of members; a
crafted header can lie about the uncompressed size. So members are inflated in chunks and the
reading stops at a hard cap, whatever the header says.
"""

from __future__ import annotations

import io
import zipfile

from ..model import ParseError

MAX_MEMBER = 64 * 1024 * 1024  # one XML part of a report is at most a few MB
MAX_TOTAL = 160 * 1024 * 1024
MAX_MEMBERS = 5000
_CHUNK = 1024 * 1024


class SafeZip:
    """A ZIP archive whose members are read with size caps; every failure is a ParseError."""

    def __init__(self, data: bytes, kind: str) -> None:
        self.kind = kind
        self._read = 0
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise ParseError(f"damaged {kind}, not readable as a ZIP container ({e})") from e
        if len(infos) > MAX_MEMBERS:
            raise ParseError(f"{kind} with {len(infos):,} parts is not a document (a zip bomb?); refused")
        if any(i.flag_bits & 0x1 for i in infos):
            raise ParseError(f"encrypted {kind}: it needs a password to open")
        self.names = [i.filename for i in infos]

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """One member's bytes; ParseError if it is missing, damaged or inflates past the caps."""
        out = bytearray()
        try:
            with self._zip.open(name) as f:
                while chunk := f.read(_CHUNK):
                    out += chunk
                    self._read += len(chunk)
                    if len(out) > MAX_MEMBER or self._read > MAX_TOTAL:
                        raise ParseError(f"{self.kind} part {name} inflates past "
                                         f"{MAX_MEMBER // 2**20} MB (a zip bomb?); refused")
        except KeyError as e:
            raise ParseError(f"damaged {self.kind}: part {name} is missing") from e
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
            raise ParseError(f"damaged {self.kind}: part {name} is not readable ({e})") from e
        return bytes(out)

