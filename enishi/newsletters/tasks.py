from __future__ import annotations

from django_tasks import task

from enishi.newsletters.sending import send_newsletter_now


@task(queue_name="email")
def send_newsletter(newsletter_id: int) -> str:
    """Send a newsletter's queued deliveries. Idempotent: running it twice, or in two workers at
    once, sends each delivery once (every delivery is claimed before it is sent; see sending.py)."""
    return send_newsletter_now(newsletter_id)
