"""The CSV reader: encoding and delimiter found, one record per line, into DuckDB."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import numpy as np

from pipelines.ingest.raw import (
    FileRefused,
    Opened,
    RawFile,
    RejectedLine,
    Select,
    cell_name,
    checked_headers,
    is_view,
    located,
)

# The CSV scan reads the file this many bytes at a time.
CHUNK = 16 * 1024 * 1024


# A line longer than this is not a record of any export; it is refused as malformed.
MAX_LINE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Scan:
    digest: str
    encoding: str  # utf-8, utf-8-sig or cp1252
    size: int
    lines: int  # physical lines (LF, CR and CRLF end one), a last one without a break included
    last_line_start: int  # offset of the last line when no line break ends the file, else size
    quotes: int  # double quotes: an odd count means a quoted cell may never be closed
    # a byte 0x80-0x9F in a file that is not UTF-8: the only bytes whose Windows-1252
    # meaning (the euro sign, typographic quotes) differs from Latin-1's
    c1_bytes: bool = False
    # more than one of LF, CR and CRLF ends lines: DuckDB reads one kind of line end
    mixed_line_ends: bool = False
    delimiters: int = 0  # the delimiter's count in the file


# The five bytes Windows-1252 does not define: a file holding one (and not UTF-8) is neither.
_CP1252_UNDEFINED_BYTES = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


_CP1252_UNDEFINED = re.compile(b"[\x81\x8d\x8f\x90\x9d]")


# A well-formed multi-byte UTF-8 character. In Windows-1252 text these byte pairs read as
# "Ã¨", "â€™": next to impossible in an Italian export, so they mark lines written in UTF-8.
_UTF8_CHARACTER = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


_NON_ASCII = re.compile(rb"[\x80-\xff]")


# every byte but 0x80-0x9F: what bytes.translate deletes to keep those (several times faster
# than a regular expression's search over a chunk that holds none)
_NOT_C1 = bytes(b for b in range(256) if not 0x80 <= b <= 0x9F)


# A line longer than MAX_LINE_BYTES covers a whole block of half that size: one search per
# block finds it without looking at every line.
_LINE_BLOCK = MAX_LINE_BYTES // 2


def _next_break(chunk: bytes, start: int = 0, end: int | None = None) -> int:
    """The first line break (LF, or CR as old Mac exports end lines) in chunk[start:end], or -1."""
    found = [at for at in (chunk.find(b"\n", start, end), chunk.find(b"\r", start, end))
             if at >= 0]
    return min(found, default=-1)


def _last_break(chunk: bytes, start: int = 0, end: int | None = None) -> int:
    return max(chunk.rfind(b"\n", start, end), chunk.rfind(b"\r", start, end))


def _long_line(chunk: bytes, base: int, line_start: int) -> int | None:
    """Where a line longer than MAX_LINE_BYTES starts, if this chunk shows one.

    `line_start` is the offset of the line the chunk begins inside. A line still open at
    the chunk's end is measured with the next chunk (or at the end of the file).
    """
    first_break = _next_break(chunk)
    if first_break < 0:
        return line_start if base + len(chunk) - line_start > MAX_LINE_BYTES else None
    if base + first_break - line_start > MAX_LINE_BYTES:
        return line_start
    for block in range(first_break + 1, len(chunk) - _LINE_BLOCK + 1, _LINE_BLOCK):
        if _next_break(chunk, block, block + _LINE_BLOCK) >= 0:
            continue
        start = _last_break(chunk, 0, block) + 1
        end = _next_break(chunk, block + _LINE_BLOCK)
        if end < 0:
            return None
        if end - start > MAX_LINE_BYTES:
            return base + start
    return None


def _line_at(path: Path, offset: int) -> int:
    """The number of the line holding a byte (LF, CR and CRLF each end a line)."""
    breaks = 0
    previous = b""
    with path.open("rb") as handle:
        while offset > 0 and (chunk := handle.read(min(CHUNK, offset))):
            offset -= len(chunk)
            breaks += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
            breaks -= previous == b"\r" and chunk[:1] == b"\n"  # a CRLF split by the read
            previous = chunk[-1:]
    return breaks + 1


def _refuse_long_line(path: Path, offset: int) -> FileRefused:
    line = _line_at(path, offset)
    if line == 1:
        return FileRefused("the header line is longer than 1 MB: not an export", line=1)
    return FileRefused("the line is longer than 1 MB: not a record of an export", line=line)


def _utf8_character_at(chunk: bytes | bytearray, valid_utf8: bool, end: int,
                       before: bytes) -> int | None:
    """Where the first multi-byte UTF-8 character ending in chunk[:end] begins (0 for one
    begun in `before`, the bytes ahead of the chunk), None when there is none. In a file
    still valid UTF-8 the bytes after `end` begin a character the next chunk completes."""
    if chunk.isascii():
        return None
    if valid_utf8:
        found = _NON_ASCII.search(chunk, 0, end)
        return found.start() if found else None
    for found in _UTF8_CHARACTER.finditer(before + bytes(chunk[:3])):
        if found.start() < len(before) < found.end():
            return 0  # split between the chunks
    # the lead bytes of Italian accented letters, of the euro sign and of typographic quotes
    if b"\xc3" not in chunk and b"\xc2" not in chunk and b"\xe2" not in chunk:
        return None
    found = _UTF8_CHARACTER.search(chunk)
    return found.start() if found else None


def _delimiter(path: Path) -> str:
    """The header's delimiter: the semicolon, unless the first line holds more commas (both
    are the same byte in UTF-8 and in Windows-1252)."""
    with path.open("rb") as handle:
        head = handle.read(MAX_LINE_BYTES + 1)  # the scan refuses a longer header
    end = _next_break(head)
    first = head if end < 0 else head[:end]
    return ";" if first.count(b";") >= first.count(b",") else ","


# UTF-8 is checked this many bytes at a time: the text decoded is thrown away at once.
DECODE_BYTES = 1024 * 1024


def _not_utf8_at(decoder: codecs.IncrementalDecoder, chunk: bytearray) -> int | None:
    """Where the chunk stops being UTF-8: the offset of the first byte that cannot be
    decoded, below 0 for a character begun in the chunk before; None while it is UTF-8."""
    view = memoryview(chunk)
    for start in range(0, len(chunk), DECODE_BYTES):
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(view[start:start + DECODE_BYTES])
        except UnicodeDecodeError as error:
            return start + error.start - pending
    return None


class _ByteCounter:
    """Counts of one byte value in a full chunk of the scan, by whole-array passes (numpy,
    several times faster than bytes.count, which looks at one byte at a time). numpy is
    imported at the first full chunk: a file smaller than one (a daily export) is counted
    by bytes.count, without the import's 50 ms."""

    def __init__(self, buffer: bytearray):
        self.buffer = buffer
        self.bytes: np.ndarray | None = None
        self.matches: np.ndarray | None = None  # reused: no fresh pages for every count

    def count(self, value: bytes) -> int:
        import numpy as np

        assert len(value) == 1, value  # one byte: a delimiter is `;` or `,`
        if self.bytes is None or self.matches is None:
            self.bytes = np.frombuffer(self.buffer, np.uint8)
            self.matches = np.empty(len(self.buffer), bool)
        np.equal(self.bytes, value[0], out=self.matches)
        return int(np.count_nonzero(self.matches))


def _scan_csv(path: Path, delimiter: str) -> Scan:
    """One pass over the bytes: the content hash, whether they are UTF-8, line lengths, and
    how many quotes and delimiters there are.

    Refuses what no reader should be handed: NUL bytes, a line longer than MAX_LINE_BYTES
    (never held in memory whole), and a file mixing UTF-8 and Windows-1252 lines (read as
    either, some of its accented letters would be garbled).
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    size = newlines = line_start = quotes = carriage_returns = crlf = delimiters = 0
    separator = delimiter.encode()
    first = last = before = b""  # before: the last bytes ahead of the chunk
    not_cp1252: int | None = None  # offset of the first byte Windows-1252 leaves undefined
    utf8_line: int | None = None  # the first line holding a multi-byte UTF-8 character
    not_utf8_line: int | None = None  # the first line that is not UTF-8
    not_utf8_at = 0  # and the offset of its first byte that is not
    c1_bytes = False  # looked for once the bytes are known not to be UTF-8 (the earlier
    # chunks were ASCII, or UTF-8 and the file is refused as mixed)
    buffer = bytearray(CHUNK)  # read into again and again: no fresh pages for every chunk
    counter = _ByteCounter(buffer)
    with path.open("rb") as handle:
        while read := handle.readinto(buffer):
            chunk = buffer if read == CHUNK else buffer[:read]
            base, previous = size, last
            if len(first) < 3:  # the byte order mark, if any
                first = (first + bytes(chunk[:3]))[:3]
            size += len(chunk)
            last = chunk[-1:]
            digest.update(chunk)
            if b"\x00" in chunk:
                raise FileRefused("contains NUL bytes: not a text export")
            if (long_line := _long_line(chunk, base, line_start)) is not None:
                raise _refuse_long_line(path, long_line)
            if (
                not_cp1252 is None
                and not chunk.isascii()
                # five byte searches are many times faster than one regular expression
                and any(undefined in chunk for undefined in _CP1252_UNDEFINED_BYTES)
            ):
                not_cp1252 = base + _CP1252_UNDEFINED.search(chunk).start()
            if utf8 and (at := _not_utf8_at(decoder, chunk)) is not None:
                utf8 = False
                not_utf8_line = newlines + chunk.count(b"\n", 0, max(at, 0)) + 1
                not_utf8_at = base + at
            if not utf8 and not c1_bytes and chunk.translate(None, _NOT_C1):
                c1_bytes = True
            if utf8_line is None:
                complete = len(chunk) - (len(decoder.getstate()[0]) if utf8 else 0)
                if (found := _utf8_character_at(chunk, utf8, complete, before)) is not None:
                    utf8_line = newlines + chunk.count(b"\n", 0, found) + 1
                before = (before + bytes(chunk[-3:]))[-3:]
            count = counter.count if read == CHUNK else chunk.count
            newlines += count(b"\n")
            crlf += previous == b"\r" and chunk[:1] == b"\n"  # a CRLF split by the read
            if b"\r" in chunk:
                carriage_returns += count(b"\r")
                crlf += chunk.count(b"\r\n")
            if b'"' in chunk:
                quotes += count(b'"')
            delimiters += count(separator)
            if (last_break := _last_break(chunk)) >= 0:
                line_start = base + last_break + 1
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
                not_utf8_line, not_utf8_at = newlines + 1, size - 1
    if size == 0:
        raise FileRefused("the file is empty: no header row")
    if size - line_start > MAX_LINE_BYTES:
        raise _refuse_long_line(path, line_start)
    if utf8:
        encoding = "utf-8-sig" if first == codecs.BOM_UTF8 else "utf-8"
    elif first == codecs.BOM_UTF8:
        # read as Windows-1252, the mark would become "ï»¿" in the first header
        raise FileRefused(
            "the file starts with a UTF-8 byte order mark but is not UTF-8 (byte"
            f" {not_utf8_at} is not; Windows-1252 text?): save it as UTF-8, or as Windows-1252"
            " without the mark",
            line=_line_at(path, not_utf8_at),
        )
    elif not_cp1252 is not None:
        raise FileRefused(f"neither UTF-8 nor Windows-1252 (byte {not_cp1252} cannot be decoded)")
    elif utf8_line is not None:
        raise FileRefused(
            f"mixed encodings: line {utf8_line} is UTF-8 but line {not_utf8_line} is not;"
            " save the whole file in one encoding (UTF-8 or Windows-1252)"
        )
    else:
        encoding = "cp1252"
    return Scan(
        digest.hexdigest(), encoding, size,
        newlines + carriage_returns - crlf + (last not in (b"\n", b"\r")), line_start, quotes,
        c1_bytes, sum(n > 0 for n in (crlf, newlines - crlf, carriage_returns - crlf)) > 1,
        delimiters,
    )


@dataclass(frozen=True)
class _Broken:
    """A line quarantined for a quoted cell crossing its end: where it is, and why."""

    line: int
    start: int  # byte offsets of the line's text, its line break excluded
    end: int
    message: str


def _broken_line_pattern(delimiter: str) -> re.Pattern[bytes]:
    """A line break, then a line (up to the next break) whose quotes break it, read the way
    DuckDB reads quotes (one opens a cell only as its first character or after one space,
    spaces may follow the closing one, `""` inside a quoted cell is a quote, a quote inside
    an unquoted cell is text): a cell that opens a quote the line does not close (the
    opening quote is group 1), or a quoted cell followed by text before the next delimiter.
    Possessive and atomic parts keep each line to one linear pass."""
    sep = re.escape(delimiter.encode())
    return re.compile(
        rb"[\r\n](?:" + _cell_pattern(sep) + sep + rb")*+"
        rb'(?: ?(")(?:[^"\r\n]|"")*+|' + _QUOTED + rb"[^ " + sep + rb"\r\n][^\r\n]*+)"
        rb"(?=[\r\n]|\Z)"
    )


# DuckDB opens a quoted cell after one space (two, or a tab, are text) and skips spaces
# after the closing quote; anything else there (a tab, a second quoted part) is text after it
_QUOTED = rb' ?"(?:[^"\r\n]|"")*+" *+'


def _cell_pattern(sep: bytes) -> bytes:
    """A cell whose quotes are in order: quoted whole, or not starting with a quote (nor
    with one space and a quote)."""
    return (rb"(?>" + _QUOTED + rb"(?=" + sep + rb"|[\r\n]|\Z)|(?! \")[^\"" + sep + rb"\r\n]"
            rb"[^" + sep + rb"\r\n]*+|)")


def _wide_line_pattern(delimiter: str, width: int) -> re.Pattern[bytes]:
    """A line break, then a line of more than `width` cells."""
    sep = re.escape(delimiter.encode())
    return re.compile(
        rb"[\r\n](?:" + _cell_pattern(sep) + sep + rb"){" + str(width).encode() + rb"}"
        rb"[^\r\n]*+(?=[\r\n]|\Z)"
    )


# the rest of a quoted cell: text, line breaks and doubled quotes up to the quote closing it
_QUOTED_REST = re.compile(rb'(?:[^"]|"")*+"(?!")')


def _breaks(data: bytes, start: int = 0, end: int | None = None) -> int:
    """Line breaks in data[start:end], LF, CR and CRLF each counting one."""
    return (data.count(b"\n", start, end) + data.count(b"\r", start, end)
            - data.count(b"\r\n", start, end))


def _closing(data: bytes, quote: int, complete: bool) -> tuple[int, int, int] | None:
    """Where the quoted cell opened by the quote at data[quote] closes: (the closing quote,
    the start and the end of its line); (_NEVER, 0, 0) when data reaches the end of the file
    (`complete`) and it does not close, (_TOO_LONG, 0, 0) when it does not close within
    MAX_LINE_BYTES; None when data cannot tell (the file goes on)."""
    limit = min(len(data), quote + 1 + MAX_LINE_BYTES)
    found = _QUOTED_REST.match(data, quote + 1, limit)
    if found is None or found.end() == limit < len(data):
        if limit < len(data):
            return _TOO_LONG, 0, 0
        return (_NEVER, 0, 0) if complete else None
    close = found.end() - 1
    end = _next_break(data, close)
    if end < 0 and not complete:
        return None
    return close, _last_break(data, 0, close) + 1, len(data) if end < 0 else end


_NEVER, _TOO_LONG = -1, -2


def _broken_lines(path: Path, delimiter: str, quotes: bool, width: int | None) -> list[_Broken]:
    """Every line that opens a quoted cell it does not close, every line where such a cell's
    quote would close, and every line with text after a quoted cell (`quotes`: the file has
    some), and every line of more than `width` cells, each with its reason (in line order):
    DuckDB's reader is handed none of them (it records an error per cell too many: a line
    of 50,000 cells took it 14 s).

    One pass over the file: a chunk searches the lines whose text ends in it; its last line
    goes on with the next chunk (the scan refused lines longer than MAX_LINE_BYTES). The
    patterns only look at the lines `_suspect_lines` cannot clear.
    """
    pattern = _broken_line_pattern(delimiter) if quotes else None
    wide = _wide_line_pattern(delimiter, width) if width is not None else None
    broken: dict[int, _Broken] = {}
    pending = b"\n"  # a line is searched from the break before it: line 1 gets one
    offset = -1  # the file offset of pending[0]
    lines_before = 0  # the line breaks before pending, the one given to line 1 included
    with path.open("rb") as handle:
        # a byte order mark is no part of the header's first cell: a quote after it opens one
        if handle.read(3) == codecs.BOM_UTF8:
            offset = 2
        else:
            handle.seek(0)
        while True:
            chunk = handle.read(min(CHUNK, SUSPECT_CHUNK))
            data = pending + chunk
            cut = _last_break(data) if chunk else len(data)
            if chunk and data[cut] == 10 and cut > 0 and data[cut - 1] == 13:
                cut -= 1  # a CRLF stays whole
            quoted, crowded = _suspect_lines(data, cut, delimiter, pattern is not None, width)
            counted, line = 0, lines_before
            for found in _matches(pattern, data, quoted, cut):
                line += _breaks(data, counted, found.start() + 1)
                counted = found.start() + 1
                if found.start(1) < 0:
                    if line == 1:
                        raise FileRefused(f"the header {_TEXT_AFTER_QUOTE}: not an export", line=1)
                    broken[line] = _Broken(line, offset + found.start() + 1, offset + found.end(),
                                           f"malformed_row: {_TEXT_AFTER_QUOTE}")
                    continue
                if line == 1:
                    raise FileRefused(
                        "the header opens a quoted cell it does not close: not an export",
                        line=1,
                    )
                text, quote, base = data, found.start(1), offset
                closing = _closing(data, quote, not chunk)
                if closing is None:  # the cell runs past the chunk: read on from the file
                    resume = handle.tell()
                    handle.seek(offset + quote)
                    text, base = handle.read(2 * MAX_LINE_BYTES + 2), offset + quote
                    handle.seek(resume)
                    quote = 0
                    closing = _closing(text, 0, len(text) < 2 * MAX_LINE_BYTES + 2)
                assert closing is not None  # two lines' worth of bytes always tell
                close, close_start, close_end = closing
                if close < 0:
                    reason = "is never closed" if close == _NEVER else "is not closed within 1 MB"
                    broken[line] = _Broken(line, offset + found.start() + 1,
                                           offset + found.end(), _quote_reason(reason))
                    continue
                close_line = line + _breaks(text, quote, close)
                broken[line] = _Broken(line, offset + found.start() + 1, offset + found.end(),
                                       _quote_reason(f"closes on line {close_line}"))
                broken.setdefault(close_line, _Broken(
                    close_line, base + close_start, base + close_end,
                    f"malformed_row: closes a quoted cell opened on line {line}:"
                    " a cell cannot hold a line break",
                ))
            counted, line = 0, lines_before
            for found in _matches(wide, data, crowded, cut):
                line += _breaks(data, counted, found.start() + 1)
                counted = found.start() + 1
                if line > 1:  # the header is as wide as it is
                    broken.setdefault(line, _Broken(line, offset + found.start() + 1,
                                                    offset + found.end(),
                                                    "malformed_row: too many columns"))
            if not chunk:
                break
            lines_before += _breaks(data, 0, cut)
            pending, offset = data[cut:], offset + cut
    return sorted(broken.values(), key=lambda b: b.line)


# The quote pass reads at most this many bytes at a time: its arrays hold a position (8
# bytes) per quote, delimiter and line break of a chunk.
SUSPECT_CHUNK = 4 * 1024 * 1024

_LF, _CR, _QUOTE = 10, 13, 34


def _suspect_lines(
    data: bytes, cut: int, delimiter: str, quotes: bool, width: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The lines of data[:cut] that the quote and the width patterns must read, as the
    offsets of the line breaks before them (data[0] is one): the others are cleared here,
    in whole-array passes rather than a regular expression over every byte.

    A line is cleared of quote faults when its quotes pair up, each pair a cell quoted
    whole: the opening quote right after a delimiter or the line's start, the closing one
    right before a delimiter or the line's end, no quote between (a doubled quote inside a
    cell leaves the line to the pattern). Such a line has no cell left open and no text
    after a quoted cell. It is cleared of being too wide when its delimiters outside those
    cells are fewer than `width`; a line whose quotes are not cleared is counted with all
    of its delimiters, and left to the pattern if they are too many. A space before or
    after a quoted cell leaves its line to the patterns.
    """
    import numpy as np  # imported where used: most files hold no quote

    none = np.empty(0, np.int64)
    if not quotes and width is None:
        return none, none
    text = np.frombuffer(data, np.uint8, count=cut)
    breaks = np.flatnonzero((text == _LF) | (text == _CR))
    sep = ord(delimiter)
    lines = len(breaks)
    separators = np.flatnonzero(text == sep) if width is not None else none
    paired_cells = np.zeros(lines, np.int64)  # delimiters inside cells quoted whole
    faulty = np.zeros(lines, bool)
    if quotes:
        at = np.flatnonzero(text == _QUOTE)
        line = np.searchsorted(breaks, at, side="right") - 1
        rank = np.arange(len(at)) - np.searchsorted(line, line, side="left")
        opening = rank % 2 == 0
        before = text[at - 1]  # at > 0: data[0] is a line break
        after = np.frombuffer(data + b"\n", np.uint8)[at + 1]  # data[cut] ends the line too
        partner = np.zeros(len(at), bool)
        partner[:-1] = line[1:] == line[:-1]
        cleared = np.where(
            opening,
            partner & ((before == sep) | (before == _LF) | (before == _CR)),
            (after == sep) | (after == _LF) | (after == _CR),
        )
        faulty[line[~cleared]] = True
        if width is not None:
            inside = np.searchsorted(separators, at)
            opened = np.flatnonzero(opening & partner)
            paired_cells = np.bincount(line[opened], inside[opened + 1] - inside[opened],
                                       minlength=lines).astype(np.int64)
    crowded = none
    if width is not None:
        per_line = np.bincount(np.searchsorted(breaks, separators, side="right") - 1,
                               minlength=lines)
        outside = np.where(faulty, per_line, per_line - paired_cells)
        crowded = breaks[outside >= width]
    return breaks[faulty], crowded


def _matches(
    pattern: re.Pattern[bytes] | None, data: bytes, starts: np.ndarray, cut: int
) -> Iterator[re.Match[bytes]]:
    """The pattern's matches at the given line breaks, in order."""
    if pattern is None:
        return
    for start in starts.tolist():
        if (found := pattern.match(data, start, cut)) is not None:
            yield found


_TEXT_AFTER_QUOTE = "has text after a quoted cell, before the next delimiter"


def _quote_reason(what: str) -> str:
    return (f"malformed_row: a quoted cell opened on this line {what}:"
            " a cell cannot hold a line break")


def _header_line(path: Path, encoding: str) -> str:
    with path.open("r", encoding=encoding, newline="", errors="strict") as handle:
        line = handle.readline(MAX_LINE_BYTES + 1)
    if len(line) > MAX_LINE_BYTES:
        raise FileRefused("the header line is longer than 1 MB: not an export", line=1)
    return line.rstrip("\r\n")


def _readable_copy(
    path: Path, encoding: str, broken: list[_Broken], one_line_end: bool
) -> tuple[Path, list[RejectedLine]]:
    """A UTF-8 copy of the file in the temp dir for DuckDB to read, without the text of the
    broken lines (their line breaks kept: every other line keeps its number), and those
    lines as rejected; `one_line_end`: every line break (LF, CR, CRLF) written as LF, for a
    file mixing them (once no quoted cell crosses a line, each one ends a line). A
    Windows-1252 file is transcoded (DuckDB's Latin-1 would misread bytes 0x80-0x9F); its
    bytes are one character each, so a chunk decodes on its own."""
    handle, name = tempfile.mkstemp(prefix="kasko-", suffix=".csv")
    os.close(handle)
    target = Path(name)
    texts = [bytearray() for _ in broken]
    position = index = 0
    carried = b""
    with path.open("rb") as source, target.open("wb") as sink:
        while chunk := source.read(CHUNK):
            chunk_end, at, kept = position + len(chunk), position, []
            while index < len(broken) and broken[index].start < chunk_end:
                line = broken[index]
                start, end = max(line.start, at), min(line.end, chunk_end)
                kept.append(chunk[at - position:start - position])
                texts[index] += chunk[start - position:end - position]
                at = end
                if line.end > chunk_end:
                    break
                index += 1
            kept.append(chunk[at - position:])
            if one_line_end:
                # a CR ending the chunk may be the first half of a CRLF: it goes with the
                # next; pieces are rewritten one by one (a CR before a line taken out and
                # an LF after it are two line breaks, not one CRLF)
                kept[0], carried = carried + kept[0], b""
                if kept[-1].endswith(b"\r"):
                    kept[-1], carried = kept[-1][:-1], b"\r"
                kept = [piece.replace(b"\r\n", b"\n").replace(b"\r", b"\n") for piece in kept]
            data = b"".join(kept)
            sink.write(data.decode("cp1252").encode("utf-8") if encoding == "cp1252" else data)
            position = chunk_end
        sink.write(b"\n" if carried else b"")
    text_encoding = "cp1252" if encoding == "cp1252" else "utf-8"
    rejected = [
        RejectedLine(line.line, text.decode(text_encoding, errors="replace"), line.message)
        for line, text in zip(broken, texts, strict=True)
    ]
    return target, rejected


def open_csv(path: Path) -> Opened:
    delimiter = _delimiter(path)
    scan = _scan_csv(path, delimiter)
    header_text = _header_line(path, scan.encoding)
    if header_text.strip() == "":
        raise FileRefused("the first line is empty: no header row", line=1)
    headers = next(csv.reader(io.StringIO(header_text), delimiter=delimiter))
    headers[0] = headers[0].lstrip("\ufeff")
    headers = checked_headers(headers)
    # a line with more cells than the header has more delimiters: only where the file has
    # more than its lines would hold are lines counted one by one
    wide = scan.delimiters > scan.lines * (len(headers) - 1)
    broken = (_broken_lines(path, delimiter, scan.quotes > 0, len(headers) if wide else None)
              if scan.quotes or wide else [])
    # DuckDB reads UTF-8 and Latin-1: a Windows-1252 file with none of the bytes where the
    # two differ is read as Latin-1 as it is, one with them from a UTF-8 copy; so is a file
    # with broken lines (from a copy without them) or with mixed line ends (DuckDB's reader
    # takes one kind of line end per file)
    readable, rejected = path, []
    if broken or scan.mixed_line_ends or (scan.encoding == "cp1252" and scan.c1_bytes):
        readable, rejected = _readable_copy(path, scan.encoding, broken, scan.mixed_line_ends)
    return Opened(path, "csv", scan.digest, headers, encoding=scan.encoding,
                  delimiter=delimiter, scan=scan, readable=readable, broken=rejected)


def read_csv_into(
    con: duckdb.DuckDBPyConnection, opened: Opened, table: str, select: Select,
    params: dict[str, object], parallel: bool = True,
) -> RawFile:
    path, scan, delimiter, headers = opened.path, opened.scan, opened.delimiter, opened.headers
    readable = opened.readable
    assert scan is not None and delimiter is not None and readable is not None
    quoted = scan.quotes > 0
    # one thread reads the records all of them would only where no quote is: the two
    # readers take a stray quote differently (one rejects the line, one reads on)
    parallel = parallel or quoted
    try:
        rejected = _read_csv_table(con, readable, opened.read_encoding, table, delimiter,
                                   headers, select, params, parallel, quoted)
        [(row_count,)] = con.execute(f"select count(*) from {table}").fetchall()
        starts = None
        if scan.lines != 1 + row_count + len(rejected):
            # Not one record per line (blank lines, line breaks inside quoted cells): DuckDB
            # skips blank lines and counts a record spanning lines once, so find where each
            # record starts in the file.
            encoding = "utf-8-sig" if scan.encoding == "utf-8-sig" else opened.read_encoding
            starts = _record_starts(readable, encoding, delimiter)
    except duckdb.InterruptException:
        raise
    except duckdb.Error as error:
        raise FileRefused(f"cannot be read as CSV: {str(error).splitlines()[0]}") from error

    rejected = _number_lines(con, table, rejected, row_count, starts)
    if scan.last_line_start < scan.size and row_count > 0:
        truncated = _truncated_last_line(con, path, table, scan, delimiter, len(headers))
        if truncated is not None:
            rejected.append(truncated)
            row_count -= 1
    rejected = sorted(rejected + opened.broken, key=lambda r: r.line)
    return RawFile(
        path=path,
        file_format="csv",
        content_hash=scan.digest,
        headers=headers,
        row_count=row_count,
        encoding=scan.encoding,
        delimiter=delimiter,
        rejected=rejected,
    )


def _read_csv_table(
    con: duckdb.DuckDBPyConnection, path: Path, encoding: str, table: str, delimiter: str,
    headers: list[str], select: Select, params: dict[str, object], parallel: bool,
    quoted: bool,
) -> list[RejectedLine]:
    """The rows DuckDB can read, through `select`, into `table` (file order), and the lines
    it rejected; read by all of DuckDB's threads, or (not `parallel`) by one.

    `select` is told whether a cell may hold a line break: only in a `quoted` file (one
    with a quote character). Outside quotes every CR and LF ends a record (a file mixing
    line ends is read from a copy ending all with LF). A quoted cell crossing a line end
    is quarantined with its lines before DuckDB reads the file (_broken_lines); the check
    stays for any quote those patterns and DuckDB might still read apart.
    """
    _, name, temporary = located(table)
    rejects, scans = f"{name}_rejects", f"{name}_scans"  # the connection's own, always
    source = f"""read_csv(
            $path, encoding = $encoding, delim = $delim, header = true, columns = $columns,
            auto_detect = false, quote = '"', escape = '"', null_padding = true,
            store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{scans}',
            max_line_size = {MAX_LINE_BYTES}, parallel = $parallel
        )"""
    statement = (
        f"create or replace {temporary}table {table} as {select(headers, source, False, quoted)}"
    )
    parameters = params | {
        "path": str(path),
        "encoding": encoding,
        "delim": delimiter,
        "columns": {cell_name(i): "VARCHAR" for i in range(len(headers))},
    }
    try:
        con.execute(statement, parameters | {"parallel": parallel})
    except duckdb.Error as error:
        if not parallel or "quoted new lines" not in str(error):
            raise
        # the parallel reader cannot pad short rows once a quoted cell spans lines
        con.execute(statement, parameters | {"parallel": False})
    rejected = [
        # DuckDB keeps the line break before the line in a CRLF file; it is not the row's text
        RejectedLine(int(line), (text or "").strip("\r\n"), f"malformed_row: {error_type.lower()}")
        for line, text, error_type in con.execute(
            f"select distinct on (line) line, csv_line, error_type from {rejects} order by line"
        ).fetchall()
    ]
    con.execute(f"drop table if exists {rejects}; drop table if exists {scans}")
    return rejected


def _record_starts(path: Path, encoding: str, delimiter: str) -> list[int | None]:
    """The line each record starts on, in DuckDB's count of lines (blank lines as None).

    Entry 0 is the header. A record Python's csv module cannot read either (a quoted cell
    never closed swallows the rest of the file) refuses the file, naming its first line.
    """
    starts: list[int | None] = []
    field_limit = csv.field_size_limit(MAX_LINE_BYTES)
    previous_end = 0
    # DuckDB opens a quoted cell after one space too, Python's csv only at a cell's first
    # character: that space is dropped (inside a quoted cell, it changes no quote's meaning)
    one_space = re.compile(f'(^|{re.escape(delimiter)}) "')
    try:
        with path.open("r", encoding=encoding, newline="") as handle:
            lines = (one_space.sub(r'\1"', line) if ' "' in line else line for line in handle)
            reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True)
            for record in reader:
                starts.append(previous_end + 1 if record else None)
                previous_end = reader.line_num
    except csv.Error as error:
        reason = str(error)
        if "field larger than field limit" in reason:
            reason = "a quoted cell opened on this line is never closed (or is longer than 1 MB)"
        raise FileRefused(f"cannot be read as CSV: {reason}", line=previous_end + 1) from error
    finally:
        csv.field_size_limit(field_limit)
    return starts


def _truncated_last_line(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, scan: Scan, delimiter: str,
    width: int,
) -> RejectedLine | None:
    """The last row, when it has fewer cells than the header and no line break ends the file.

    That is a file cut short (a transfer stopped mid-line): the row is taken out of `table`
    and returned as rejected rather than loaded with its last cells missing.
    """
    with path.open("rb") as handle:
        handle.seek(scan.last_line_start)
        tail = handle.read(MAX_LINE_BYTES + 1)  # the scan refused longer lines
    text = tail.decode("cp1252" if scan.encoding == "cp1252" else "utf-8")
    if "\r" in text or not text.strip(f"{delimiter} \t"):
        return None  # a carriage return ends lines too; a line with no value is no record
    [(last_line,)] = con.execute(f"select max(line) from {table}").fetchall()
    if last_line != scan.lines:
        return None  # the last record starts higher up (a quoted line break), or was rejected
    try:
        [cells] = csv.reader([text], delimiter=delimiter, quotechar='"', doublequote=True)
    except (csv.Error, ValueError):
        return None  # not one record: left as read
    if len(cells) >= width:
        return None
    if is_view(con, table):
        con.execute(
            f"delete from {table}_cells where rowid = (select max(rowid) from {table}_cells)"
        )
    else:
        con.execute(f"delete from {table} where line = $line", {"line": last_line})
    return RejectedLine(
        last_line, text,
        f"malformed_row: truncated: {len(cells)} of {width} cells and no line break"
        " at the end of the file",
    )


def _number_lines(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rejected: list[RejectedLine],
    row_count: int,
    starts: list[int | None] | None,
) -> list[RejectedLine]:
    """Give each row its line in the file; returns the rejected lines, numbered the same way."""
    _, name, temporary = located(table)
    if starts is not None:
        rejected_lines = {r.line for r in rejected}
        good = [
            start
            for line, start in enumerate(starts[1:], start=2)
            if start is not None and line not in rejected_lines
        ]
        if len(good) != row_count or any(r.line > len(starts) for r in rejected):
            raise FileRefused(
                f"cannot be read as CSV: {row_count + len(rejected)} records read, but"
                f" {sum(start is not None for start in starts[1:])} found line by line;"
                " check the quotes"
            )
        import pyarrow as pa  # imported where used: most loads never need it

        lines = pa.table({"line": pa.array(good, pa.int64())})
        con.register(f"{name}_lines", lines)
        con.execute(
            f"""
            create or replace {temporary}table {table} as
            select lines.line, rows.* exclude (row_position)
            from (select rowid - min(rowid) over () as row_position, * from {table}) as rows
            join (select line, row_number() over (order by line) - 1 as row_position
                  from {name}_lines) as lines using (row_position)
            order by lines.line
            """
        )
        con.unregister(f"{name}_lines")
        return [
            RejectedLine(starts[r.line - 1] or r.line, r.text, r.message) for r in rejected
        ]
    if not rejected:
        # rowids follow file order: line = rowid + 2, a view over the cells as read; numbering
        # rows by copying them would write the whole file a second time
        [(first_rowid,)] = con.execute(f"select min(rowid) from {table}").fetchall()
        offset = 2 - int(first_rowid or 0)
        con.execute(f"alter table {table} rename to {name}_cells")
        con.execute(
            f"create {temporary}view {table} as"
            f" select rowid + {offset} as line, * from {table}_cells"
        )
        return rejected
    con.execute(
        f"""
        create or replace {temporary}table {table} as
        with
        good_lines as (
            select line, row_number() over (order by line) - 1 as position
            from (select range + 2 as line from range((select count(*) from {table}) + $n))
            where line not in (select unnest($lines))
        )
        select good_lines.line, rows.* exclude (row_position)
        from (select rowid - min(rowid) over () as row_position, * from {table}) as rows
        join good_lines on good_lines.position = rows.row_position
        order by good_lines.line
        """,
        {"n": len(rejected), "lines": [r.line for r in rejected]},
    )
    return rejected
