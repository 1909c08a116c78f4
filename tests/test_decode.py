"""Messages that name the file's real problem: UTF-16 is text, a few control characters are removed with a warning,
Big5 is refused by name; and the texts read exactly like their UTF-8 original."""
import random

import pandas as pd
import pytest

from helpers.__main__ import main
from helpers.config import RAW_DIR
from helpers.errors import DocumentError
from helpers.ingest.manifest import load_manifest
from helpers.ingest.raw_text import decode
from helpers.pipeline.document import process_document

DOC = "zhaoyuan_2024"
TEXT = (RAW_DIR / f"{DOC}.txt").read_text(encoding="utf-8")
COMPARED = ["budget_lines", "economic_lines", "projects", "indicators", "findings", "spending_profile", "unparsed"]
# 收支总表 of a Taipei bureau, in traditional characters as Big5 holds them
TRADITIONAL = "2024年臺北市醫療保障局部門預算\n一、收支總表\n單位：萬元\n項目\t本年預算\n醫療保障管理事務\t234.50\n"


@pytest.fixture(scope="module")
def original():
    return process_document(DOC, RAW_DIR / f"{DOC}.txt", load_manifest(RAW_DIR))


def _same_tables(path, original) -> list[str]:
    result = process_document(DOC, path, load_manifest(RAW_DIR))
    for name in COMPARED:
        pd.testing.assert_frame_equal(result.frames[name], original.frames[name], obj=name)
    return [p.message for p in result.problems]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_text_reads_like_its_utf8_original(tmp_path, original, encoding):
    path = tmp_path / f"{DOC}.txt"
    path.write_bytes(TEXT.encode(encoding))  # utf-16 and utf-32 with a byte-order mark, -le and -be without
    assert _same_tables(path, original) == []


def test_a_few_bel_characters_are_removed_with_a_warning_not_encoding_not_recognised(tmp_path, original):
    lines = TEXT.split("\n")
    for n in range(200, 235):
        lines[n] += "\a"
    path = tmp_path / f"{DOC}.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert _same_tables(path, original) == ["35 control character(s) removed (U+0007; the first on line 201)"]


def test_big5_is_refused_by_name_not_read_as_gb18030():
    data = TRADITIONAL.encode("big5")
    assert data.decode("gb18030")  # it would decode: as garbage
    with pytest.raises(DocumentError, match=r"^text looks like Big5 \(traditional Chinese\), which is not read"):
        decode(data)


def test_gb18030_text_is_still_read():
    assert decode(TEXT.encode("gb18030")) == (TEXT, "gb18030", ())


@pytest.mark.parametrize("data, message", [
    (b"\x00\x01PK\x03\x04" * 50, "file is binary (contains NUL bytes), not extracted text"),
    (bytes(range(128, 256)) * 40, "encoding not recognised (tried UTF-8, UTF-16, GB18030 and Big5)"),
    ("合计\x01\x02\x03\x04\x05\x06\n".encode() * 50, "file is binary (300 control characters in 450), not extracted text"),
    (" \n".encode("utf-16"), "file is empty"),
])
def test_what_is_not_text_is_named(data, message):
    with pytest.raises(DocumentError) as caught:
        decode(data)
    assert str(caught.value) == message


def test_a_utf16_document_is_processed_by_the_command(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / f"{DOC}.txt").write_bytes(TEXT.encode("utf-16"))
    assert main(["process", "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out")]) == 0
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert docs["encoding"].tolist() == ["utf-16"]
    assert "binary" not in capsys.readouterr().err


def test_random_bytes_never_pass_for_gb18030():
    rng = random.Random(3)  # seeded: a failure reproduces
    for _ in range(20):
        data = bytes(rng.randrange(1, 256) for _ in range(4000))
        with pytest.raises(DocumentError, match="encoding not recognised|binary|Big5"):
            decode(data)
