"""Settings: booleans and numbers read strictly, and every refusal names the variable."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from invoicegraph.cli import main
from invoicegraph.settings import Settings, SettingsError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
    ],
)
def test_booleans_read_every_usual_spelling(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("INVOICEGRAPH_DEMO", raw)
    assert Settings().demo is expected


@pytest.mark.parametrize("raw", ["maybe", "", "2", "tru"])
def test_a_boolean_that_is_none_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("INVOICEGRAPH_PLAYGROUND", raw)
    with pytest.raises(SettingsError, match=f"INVOICEGRAPH_PLAYGROUND={raw!r}"):
        Settings()


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("PORT", "80a"),
        ("WORKERS", "0"),
        ("PORT", ""),
        ("WEBHOOKS_RETRY_BASE_SECONDS", "0"),
        ("WEBHOOKS_TIMEOUT_SECONDS", "soon"),
    ],
)
def test_a_bad_number_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, raw: str
) -> None:
    monkeypatch.setenv(f"INVOICEGRAPH_{variable}", raw)
    with pytest.raises(SettingsError, match=f"INVOICEGRAPH_{variable}={raw!r}"):
        Settings()


def test_sqlite_is_durable_by_default_and_relaxed_only_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().sqlite_synchronous == "FULL"
    monkeypatch.setenv("INVOICEGRAPH_SQLITE_SYNCHRONOUS", "normal")
    assert Settings().synchronous_mode() == "NORMAL"
    monkeypatch.setenv("INVOICEGRAPH_SQLITE_SYNCHRONOUS", "OFF")
    with pytest.raises(SettingsError, match="INVOICEGRAPH_SQLITE_SYNCHRONOUS='OFF'"):
        Settings()


def test_workers_read_back_their_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = Settings().replace(
        plain_execution=False,
        sqlite_synchronous="NORMAL",
        port=9001,
        webhooks_allow_private=True,
        webhooks_retry_base_seconds=0.05,
        webhooks_secret_key="a key",
    )
    for name, value in settings.environment().items():
        monkeypatch.setenv(name, value)
    assert Settings() == settings


def test_the_command_line_answers_a_bad_setting_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INVOICEGRAPH_PORT", "eighty")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 1
    assert result.output == "Error: INVOICEGRAPH_PORT='eighty' is not a whole number\n"


def test_every_variable_is_in_the_readme_and_in_serve_help() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Architecture")]
    help_text = " ".join(CliRunner().invoke(main, ["serve", "--help"]).output.split())
    for variable in Settings.variables():
        assert f"`{variable}`" in table, variable
        assert variable in help_text, variable
