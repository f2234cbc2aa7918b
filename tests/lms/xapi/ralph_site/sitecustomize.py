"""Loaded by the Ralph processes the tests start (PYTHONPATH): Ralph 5.1's file-system LRS backend writes
each request with operation ``create`` to the same ``fs_lrs.jsonl``, so every write after the first fails
("already exists … create or index") and the LRS answers 500. Appending is that backend's own ``append``
operation; the test LRS uses it. (Production LRSs use Ralph's database backends, which index as usual.)"""

try:
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend
except ImportError:  # not the Ralph virtualenv
    pass
else:
    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
