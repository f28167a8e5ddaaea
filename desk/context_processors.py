"""Template context of staff pages: the number of screenings waiting in the review queue, for the staff navigation.

Lazy (a callable the template calls), so pages without the staff navigation run no query; on desk pages the scope
the view already read is reused, so the count costs one query."""

from intake.selectors import VIEW_PERMISSION, review_queue

from . import selectors


def staff_nav(request):
    def review_count() -> int | str:
        staff = getattr(request, "_desk_staff", None)
        if staff is not None:
            return selectors.reviews_waiting(staff)
        user = request.user
        if not (user.is_authenticated and user.is_staff and user.has_perm(VIEW_PERMISSION)):
            return ""
        return review_queue(user).count()

    return {"staff_review_count": review_count}
