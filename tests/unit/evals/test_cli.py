"""``nexus eval`` refuses bad input with a clear message before loading any model."""

from __future__ import annotations

from typer.testing import CliRunner

from cli import app


def test_unknown_suite_exits_2_with_the_known_ones() -> None:
    result = CliRunner().invoke(app, ["eval", "--suite", "nope"])
    assert result.exit_code == 2
    assert "no suite 'nope'" in result.output and "safety" in result.output


def test_trials_must_be_positive() -> None:
    assert CliRunner().invoke(app, ["eval", "--trials", "0"]).exit_code == 2


def test_eval_is_a_registered_command() -> None:
    result = CliRunner().invoke(app, ["eval", "--help"])
    assert result.exit_code == 0 and "--compare" in result.output and "--model" in result.output
