"""Decoding never guesses data away: legacy encodings right, the undecodable refused."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postconv.errors import PostconvError
from postconv.io.decode import decode_post

CHINESE = "---\ntitle: 中国联通\n---\n<p>今年的政府工作报告中指出，要“推动消费持续恢复”。</p>\n"
TRADITIONAL = "---\ntitle: 中國聯通\n---\n<p>今年的政府工作報告中指出，要推動消費持續恢復。</p>\n"
WESTERN = [
    "---\ntitle: café\n---\n<p>Voilà, c'est très bien déjà.</p>\n",
    "---\ntitle: Über\n---\n<p>Schöne Grüße aus München, Straße.</p>\n",
    "<p>El niño comió piña en España.</p>\n",
    "<p>Prix : 5 € – « très » cher…</p>\n",
]


@pytest.mark.parametrize(("text", "encoding"), [(CHINESE, "gb18030"), (TRADITIONAL, "big5")])
def test_legacy_chinese_encodings(text: str, encoding: str) -> None:
    assert decode_post(text.encode(encoding)).text == text


@pytest.mark.parametrize("text", WESTERN)
def test_legacy_western_text_is_not_mojibake(text: str) -> None:
    """The detector alone reads these as cp1250 / mac_turkish ("Voilŕ", "GrĂĽĂźe")."""
    assert decode_post(text.encode("cp1252")).text == text


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8])
def test_utf8_bom_dropped(bom: bytes) -> None:
    assert decode_post(bom + CHINESE.encode()).text == CHINESE


def test_utf16_with_bom() -> None:
    assert decode_post(CHINESE.encode("utf-16")).text == CHINESE


@pytest.mark.parametrize(
    "data",
    [
        CHINESE.encode()[:40] + b"\xff" + CHINESE.encode()[40:],  # one stray byte in UTF-8
        CHINESE.encode()[:41] + CHINESE.encode()[42:],  # a UTF-8 sequence cut short
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"<p>" + bytes(range(1, 9)) + b"</p>",
    ],
    ids=["stray-byte", "cut-sequence", "png", "control-characters"],
)
def test_undecodable_refused(data: bytes) -> None:
    with pytest.raises(PostconvError):
        decode_post(data)


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_utf8_text_round_trips_or_is_refused(text: str) -> None:
    """Valid UTF-8 is taken as UTF-8, never re-guessed; control characters are dropped
    (and counted) when stray, refused when they are more than two and 1 % of the text."""
    controls = [c for c in text if (ord(c) < 32 and c not in "\t\n\r\x0c") or c == "\x7f"]
    try:
        decoded = decode_post(text.encode("utf-8"))
    except PostconvError as error:
        assert len(controls) > 2 or str(error).startswith("binary data (")
        return
    kept = "".join(c for c in text if c not in controls)
    assert (decoded.text, decoded.dropped) == (kept.removeprefix("\ufeff"), len(controls))


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("---\ntitle: 开站大吉\n---\n\n祝贺开站\n", "gb18030"),  # the shortest corpus post
        ("---\ntitle: 開站大吉\n---\n\n祝賀開站，歡迎光臨。\n", "big5"),
        ("---\ntitle: 测试\n---\n\n明白消费“3·15”活动。\n", "gb18030"),
    ],
)
def test_short_chinese_posts_are_not_taken_for_japanese_or_korean(text: str, encoding: str) -> None:
    assert decode_post(text.encode(encoding)).text == text
