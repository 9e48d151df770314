"""Run as a program against a real database file: issue N draft invoices from N threads at
once and print the numbers they got as JSON (used by test_sending_and_numbers on SQLite)."""

from __future__ import annotations

import json
import os
import sys
import threading


def main(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from vinculo.identity.models import User
    from vinculo.platform import records
    from vinculo.sales import services
    from vinculo.sales.models import Invoice

    user = User.objects.create_user("racer", is_superuser=True)
    ids = [records.create("invoices", {"lines": [{"unit_price": "10", "description": "x"}]},
                          actor=user).pk for _i in range(count)]
    connection.close()
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def issue(index: int, pk: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = services.issue_invoice(Invoice.all_objects.get(pk=pk),
                                                    actor=user).number
        except Exception as exc:  # printed for the test
            results[index] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(i, pk)) for i, pk in enumerate(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    print(json.dumps(results))


if __name__ == "__main__":
    main(int(sys.argv[1]))
