"""Reading what the user names (a file, `-` for stdin, a FIFO, /dev/zero) up to a cap, then refusing.

`Path.read_bytes()` trusts the file: a 3 GB file took 6.2 GB in `add`, and `/dev/zero` or a FIFO that
never ends grows until the machine gives out. So input is read in chunks up to the cap, and one byte
more is the proof it is too large; memory stays bounded by the cap whatever the source.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

DEFAULT_MAX_MB = 256  # extract refuses documents above this size anyway (parse.py _MAX_DOCUMENT_BYTES)
_CHUNK = 1 << 20


class InputTooLarge(ValueError):
    """The input goes on past the cap."""


def max_input_bytes() -> int:
    """The cap: NIANBAO_MAX_INPUT_MB (a number of MB, fractions allowed), else 256 MB."""
    text = os.environ.get("NIANBAO_MAX_INPUT_MB", "")
    try:
        mb = float(text) if text else DEFAULT_MAX_MB
    except ValueError:
        mb = DEFAULT_MAX_MB
    return max(1, int(mb * 1024 * 1024))


def describe_cap(cap: int) -> str:
    return f"{cap / 2**20:g} MB" if cap >= 2**20 else f"{cap:,} bytes"


def read_limited(stream: BinaryIO, cap: int | None = None) -> bytes:
    """All of stream, or InputTooLarge as soon as it passes `cap` bytes (default: max_input_bytes())."""
    cap = max_input_bytes() if cap is None else cap
    out = bytearray()
    while chunk := stream.read(min(_CHUNK, cap + 1 - len(out))):
        out += chunk
        if len(out) > cap:
            raise InputTooLarge(f"larger than {describe_cap(cap)} (the input limit, NIANBAO_MAX_INPUT_MB): "
                                "far larger than any report; refused")
    return bytes(out)


def read_file_limited(path: str | os.PathLike[str], cap: int | None = None) -> bytes:
    """A file's bytes (regular, device or FIFO) up to the cap; a regular file too large is refused by its size."""
    cap = max_input_bytes() if cap is None else cap
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        if stat.S_ISREG(st.st_mode) and st.st_size > cap:
            raise InputTooLarge(f"{st.st_size / 2**20:,.0f} MB is larger than {describe_cap(cap)} (the input limit, "
                                "NIANBAO_MAX_INPUT_MB): far larger than any report; refused")
        return read_limited(fh, cap)
