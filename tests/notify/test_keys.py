"""The keyring answers a DKIM lookup from the key of that selector alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from kenzen.notify.keys import Keyring


def test_each_selector_answers_with_its_own_record(tmp_path: Path) -> None:
    keyring = Keyring(tmp_path / "keys")
    keys = [
        keyring.generate_dkim("mail.example", algorithm, None) for algorithm in ("rsa", "ed25519")
    ]
    for key in keys:
        assert keyring.public_record("mail.example", key.selector) == key.txt_value
    assert {key.selector for key in keyring.dkim_keys("mail.example")} == {k.selector for k in keys}


@pytest.mark.parametrize("selector", ["unknown", "", "../mail.example/kz", "kz-rsa-*"])
def test_a_selector_without_a_key_has_no_record(tmp_path: Path, selector: str) -> None:
    keyring = Keyring(tmp_path / "keys")
    keyring.generate_dkim("mail.example", "ed25519", "kz")
    assert keyring.public_record("mail.example", selector) is None
    assert keyring.public_record("other.example", "kz") is None
