"""Signals every app may send and the apps above may follow."""

from django.dispatch import Signal

# Many register rows of these villages changed at once (a bulk import, a bulk create that
# sends no model signals): `village_ids`. Sent inside the transaction that made the change.
register_changed = Signal()


def register_changed_in(village_ids) -> None:
    ids = sorted(set(village_ids) - {None})
    if ids:
        register_changed.send(sender=None, village_ids=ids)
