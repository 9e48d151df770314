"""Workflows run in process here (the immediate task backend, on-commit callbacks executed);
test_worker.py runs them through real `vinculo worker` processes."""

import pytest


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the on-commit work of a block (events → workflow runs) as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
