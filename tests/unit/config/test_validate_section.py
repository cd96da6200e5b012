"""``validate:`` sections refuse unknown keys, with a did-you-mean, like ``lint:`` ones."""

from __future__ import annotations

import pytest

from obsctl.config.load import load_config
from obsctl.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("validate:\n  fail_on: warning\n", "did you mean the flag --fail-on?"),
        ("validate:\n  distributon: core\n", "did you mean the flag --distribution?"),
        ("validate:\n  colour: always\n", "takes no settings from the config file"),
    ],
)
def test_unknown_keys_are_refused(text, hint):
    with pytest.raises(ConfigError, match="unknown key") as info:
        load_config(text, source="c.yaml", env={})
    assert "c.yaml:2:3" in info.value.message
    assert hint in (info.value.hint or "")


@pytest.mark.parametrize("text", ["validate:\n", "validate: {}\n", "validate: ~\n"])
def test_an_empty_section_is_fine(text):
    load_config(text, source="c.yaml", env={})


def test_validate_must_be_a_mapping():
    with pytest.raises(ConfigError):
        load_config("validate: [1]\n", source="c.yaml", env={})
