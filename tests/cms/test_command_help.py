"""Every management command of the product answers ``--help`` (exit 0) with its description."""

import pytest
from django.core.management import execute_from_command_line, get_commands

PRODUCT_APPS = ("attest", "cms", "training")
pytestmark = pytest.mark.django_db  # the suite's session fixtures need the test database

COMMANDS = sorted(name for name, app in get_commands().items() if app in PRODUCT_APPS)


def test_the_product_has_its_documented_commands():
    assert {"compliance_report", "import_roster", "send_reminders", "verify_attestations", "load_demo"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_help_exits_zero(name, capsys):
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", name, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: manage.py {name}" in out


def test_compliance_report_help_describes_the_columns(capsys):
    with pytest.raises(SystemExit):
        execute_from_command_line(["manage.py", "compliance_report", "--help"])
    assert "Export one row per assignment" in capsys.readouterr().out
