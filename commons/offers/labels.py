"""The words people read for the kinds, categories and states of offers and needs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from commons.offers.models import ClosedAs, PostCategory, PostKind, PostStatus

KIND_LABELS = {
    PostKind.OFFER.value: _l("Offer"),
    PostKind.NEED.value: _l("Need"),
}

CATEGORY_LABELS = {
    PostCategory.VOLUNTEERS.value: _l("Volunteers"),
    PostCategory.SKILLS.value: _l("Skills"),
    PostCategory.MATERIALS.value: _l("Materials"),
    PostCategory.SPACES.value: _l("Spaces"),
    PostCategory.SMALL_FUNDS.value: _l("Small funds"),
}

STATUS_LABELS = {
    PostStatus.PENDING.value: _l("Waiting for moderation"),
    PostStatus.PUBLISHED.value: _l("Published"),
    PostStatus.CLOSED.value: _l("Closed"),
    PostStatus.REJECTED.value: _l("Not published"),
}

CLOSED_LABELS = {
    ClosedAs.FULFILLED.value: _l("Fulfilled"),
    ClosedAs.WITHDRAWN.value: _l("Withdrawn"),
}


def status_label(post) -> str:
    """The post's state in words; a closed post says how it closed."""
    if post.status == PostStatus.CLOSED and post.closed_as:
        return str(CLOSED_LABELS[post.closed_as])
    return str(STATUS_LABELS[post.status])
