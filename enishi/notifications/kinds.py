"""The sentence shown for each kind of notification.

A notification stores its kind and params, never a rendered sentence: the sentence is rendered in
the viewer's language when the bell, the list, an email or the digest shows it. Placeholders:
%(actor)s (the actor's name, looked up at display time), %(title)s, %(group)s (from params).
Add an entry here when your app starts sending a new kind.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

KINDS: dict[str, Promise] = {
    "comment": _("%(actor)s commented on your post"),
    "comment_thread": _("%(actor)s also commented on a post you commented on"),
    "mention": _("%(actor)s mentioned you"),
    "message": _("%(actor)s sent you a message"),
    "secretariat_message": _("The secretariat replied to your message"),
    "news": _("New: %(title)s"),
    "group_post": _("%(actor)s posted in %(group)s"),
    "newsletter": _("%(title)s"),
    "event_promoted": _("A seat opened up: you are confirmed for %(title)s"),
    "event_changed": _("Changed: %(title)s"),
    "event_cancelled": _("Cancelled: %(title)s"),
    "event_reminder": _("Reminder: %(title)s"),
    "event_thanks": _("Thank you for coming to %(title)s"),
    "event_new": _("New event: %(title)s"),
    "event_proposed": _("%(actor)s proposed an event: %(title)s"),
    "event_approved": _("Your event is published: %(title)s"),
    "event_declined": _("Your proposed event was declined: %(title)s"),
    "opportunity_stage": _("%(title)s: you are now at %(stage)s"),
    "opportunity_interest": _("%(actor)s would like to hear more about %(title)s"),
    "opportunity_application": _("%(actor)s applied for %(title)s"),
    "opportunity_new": _("New opening: %(title)s"),
    "opportunity_invitation": _("The secretariat thinks %(title)s may suit you"),
    "survey_open": _("New survey: %(title)s"),
    "survey_reminder": _("Reminder: %(title)s is waiting for your answer"),
    "feedback_reply": _("The secretariat replied to your feedback"),
    "feedback_acted_on": _("Your feedback led to a change: %(title)s"),
}
