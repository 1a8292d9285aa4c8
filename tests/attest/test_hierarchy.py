"""Stored reporting paths (attest.hierarchy) stay right when two changes to managers overlap."""

import threading

import pytest
from django.db import connection, transaction

from attest.hierarchy import in_line, line_prefix, reporting_paths_refresh
from attest.models import Employee
from attest.roster import lock_roster
from tests import factories


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (locks across connections)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_overlapping_manager_changes_leave_every_path_right():
    """The first change moves Anna under Bea and is slow to commit; the second puts Carl under
    Anna meanwhile. Without the roster lock the second would compute Carl's path from Anna's old
    one and Carl would be missing from Bea's line."""
    anna = factories.employee("Anna", "Lead", employee_id="A1")
    bea = factories.employee("Bea", "Boss", employee_id="B1")
    carl = factories.employee("Carl", "Clerk", employee_id="C1")
    first_holds_the_lock = threading.Event()
    failures = []

    def change(move, manager, slow):
        try:
            with transaction.atomic():
                lock_roster()
                if slow:
                    first_holds_the_lock.set()
                Employee.objects.filter(pk=move.pk).update(manager=manager)
                reporting_paths_refresh()
                if slow:
                    threading.Event().wait(0.5)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=change, args=(anna, bea, True))
    first.start()
    assert first_holds_the_lock.wait(timeout=30)
    second = threading.Thread(target=change, args=(carl, anna, False))
    second.start()
    first.join(timeout=60)
    second.join(timeout=60)

    assert failures == []
    assert reporting_paths_refresh() == 0, "a path was left stale"
    bea.refresh_from_db()
    assert set(Employee.objects.filter(in_line(line_prefix(bea))).values_list("employee_id", flat=True)) == {"A1", "C1"}
    carl.refresh_from_db()
    assert carl.managers_path == f"/{bea.pk}/{anna.pk}/"
