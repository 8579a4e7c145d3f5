"""Operations of the online application that are not the draft's own
(``commons.proposals.operations`` saves the draft): they flush, the view commits."""

from __future__ import annotations

from flask_babel import gettext as _

from commons.errors import DomainError
from commons.groups import operations as group_ops


def proposing_group(representative, *, choice: str, new_name: str | None, new_kind: str | None):
    """The group ``representative`` chose on step 1 (``choice``: its id), or, for "new", a new
    group named ``new_name`` that they represent."""
    if choice == "new":
        if not new_name:
            raise DomainError(
                _("Enter the name of the new group (your own name if you propose alone)."),
                field="new_group_name",
            )
        return group_ops.new_group(
            representative=representative,
            name=new_name,
            kind=new_kind or "individual",
        )
    group = next((g for g in group_ops.represented_by(representative) if str(g.id) == choice), None)
    if group is None:
        raise DomainError(_("Choose a group you represent."), field="group")
    return group
