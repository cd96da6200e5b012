"""XXH64 against the published reference vectors, one per code path of the algorithm."""

from __future__ import annotations

import pytest

from obsctl.analysis.engine.xxhash import labels_hash, xxh64


@pytest.mark.parametrize(
    ("data", "digest"),
    [
        (b"", 0xEF46DB3751D8E999),
        (b"a", 0xD24EC4F1A98C6E5B),  # the 1-byte tail
        (b"abc", 0x44BC2CF5AD770999),
        (b"message digest", 0x066ED728FCEEB3BE),  # 8-byte lane, 4-byte and 1-byte tails
        (b"abcdefghijklmnopqrstuvwxyz", 0xCFE1F278FA89835C),  # three 8-byte lanes
        (
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            0xAAA46907D3047814,
        ),  # one 32-byte stripe and the tails
        (b"1234567890" * 8, 0xE04A477F19EE145D),  # two stripes, two lanes
        (b"Nobody inspects the spammish repetition", 0xFBCEA83C8A378BF1),
        # computed with the xxhash package 4.1.0 (the reference C implementation)
        (b"abcd", 0xDE0327B0D25D92CC),  # exactly the 4-byte tail
        (b"abcdefghijkl", 0x4B09B7D3A233D4B3),  # one lane and the 4-byte tail
        (b"0123456789abcdefghijklmnopqrstuv", 0xBF7C9DBE16B5C6E2),  # exactly one stripe
        (b"0123456789abcdefghijklmnopqrstuv" * 2, 0xF97DE1E3F512EFA0),  # exactly two
    ],
)
def test_xxh64_reference_vectors(data: bytes, digest: int) -> None:
    assert xxh64(data) == digest


def test_labels_hash_is_xxh64_of_each_name_and_value_followed_by_0xff() -> None:
    lbls = (("__name__", "up"), ("job", "é"))
    assert labels_hash(lbls) == xxh64(b"__name__\xffup\xffjob\xff\xc3\xa9\xff")
    assert labels_hash(()) == 0xEF46DB3751D8E999


def test_labels_hash_keeps_invalid_utf8_bytes_escaped_in_label_values() -> None:
    # Label values read from files with invalid UTF-8 carry the bytes as surrogate escapes.
    assert labels_hash((("a", "\udcff"),)) == xxh64(b"a\xff\xff\xff")


def test_labels_hash_keeps_invalid_utf8_bytes_escaped_in_label_names() -> None:
    assert labels_hash((("\udcff", "a"),)) == 0xA5181C63BB9D2DCE  # xxh64(b"\xff\xffa\xff")
