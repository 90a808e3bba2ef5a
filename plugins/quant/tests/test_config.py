"""The plugin's settings are checked at start-up; mistakes name the setting."""

from __future__ import annotations

import pytest

from conftest import demo_config_dict
from core.config import parse_config
from core.plugins import PluginHost
from core.yamlsource import ConfigError
from plugins.quant.config import DEFAULT_SIGNING_ENV, DEFAULT_TOKEN_ENV


def _host(quant_settings):
    raw = demo_config_dict()
    raw["projects"][0]["plugins"]["quant"] = quant_settings
    return PluginHost(parse_config(raw))


def test_defaults_write_to_the_outbox():
    settings = _host({}).plugin_settings("ELV", "quant")
    assert settings["webhook_url"] is None and settings["allow_bearer"] is False
    assert settings["token_env"] == DEFAULT_TOKEN_ENV
    assert settings["signing_secret_env"] == DEFAULT_SIGNING_ENV
    assert settings["signing_secret_previous_env"] is None
    assert settings["timeout_seconds"] > 0 and settings["retries"] >= 0
    assert settings["contract"] == "v1"


def test_settings_are_loaded():
    settings = _host({"validation_url": "http://quant.local:8080/validate",
                      "token_env": "QUANT_ELV", "timeout_seconds": 3,
                      "retries": 1}).plugin_settings("ELV", "quant")
    assert (settings["webhook_url"], settings["token_env"], settings["timeout_seconds"],
            settings["retries"]) == ("http://quant.local:8080/validate", "QUANT_ELV", 3.0, 1)
    newer = _host({"webhook_url": "http://quant.local/hook"}).plugin_settings("ELV", "quant")
    assert newer["webhook_url"] == "http://quant.local/hook" and "validation_url" not in newer


@pytest.mark.parametrize("bad, where", [
    ({"validation_url": "ftp://quant/x"}, "validation_url"),
    ({"token_env": "not a name"}, "token_env"),
    ({"timeout_seconds": 0}, "timeout_seconds"),
    ({"secret": "in yaml"}, "secret"),
    ({"signing_secret_env": "whsec_abc="}, "signing_secret_env"),
    ({"contract": "nosuch.module:Adapter"}, "contract"),
])
def test_mistakes_are_start_up_errors(bad, where):
    with pytest.raises(ConfigError) as err:
        _host(bad)
    assert "quant" in str(err.value) and where in str(err.value)
