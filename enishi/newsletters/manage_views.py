"""Console pages of newsletters (content section: admin, editor)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.lib.richtext import clean_html
from enishi.networks.decorators import console_section
from enishi.newsletters import sending, services
from enishi.newsletters.access import get_newsletter
from enishi.newsletters.forms import NewsletterForm, ScheduleForm, TestSendForm
from enishi.newsletters.models import Delivery, Newsletter
from enishi.privacy.services import audit


@console_section("content")
def newsletter_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    status = Delivery.Status
    items = (
        Newsletter.objects.filter(network=request.network)
        .annotate(
            recipients=Count("deliveries", filter=~Q(deliveries__status=status.SKIPPED)),
            done=Count("deliveries", filter=Q(deliveries__status__in=(status.SENT, status.FAILED, status.BOUNCED))),
            opened=Count("deliveries", filter=Q(deliveries__opened_at__isnull=False)),
        )
        .order_by("-id")
    )
    return render(request, "newsletters/manage_list.html", {"page": paginate(request, items)})


@console_section("content")
def newsletter_edit(request: NetworkRequest, network_slug: str, newsletter_id: int | None = None) -> HttpResponse:
    network = request.network
    if newsletter_id is None:
        newsletter = Newsletter(network=network)
    else:
        newsletter = get_newsletter(network, newsletter_id)
        if not newsletter.is_editable:
            return redirect("manage:newsletter_report", network_slug, newsletter.pk)
    form = NewsletterForm(request.POST or None, instance=newsletter, network=network)
    if request.method == "POST" and form.is_valid():
        saved = services.save_newsletter(form.save(commit=False), request.user, form.changed_data, request=request)
        messages.success(request, _("The newsletter is saved."))
        return redirect("manage:newsletter_detail", network_slug, saved.pk)
    return render(request, "newsletters/manage_form.html", {"form": form, "newsletter": newsletter})


@console_section("content")
def newsletter_detail(request: NetworkRequest, network_slug: str, newsletter_id: int) -> HttpResponse:
    """The preview (both languages, as sanitised), the audience, and the send / schedule / test forms."""
    newsletter = get_newsletter(request.network, newsletter_id)
    if not newsletter.is_editable:
        return redirect("manage:newsletter_report", network_slug, newsletter.pk)
    recipients, unsubscribed = services.audience_size(newsletter)
    context = {
        "newsletter": newsletter,
        "preview_ja": clean_html(newsletter.body_ja),
        "preview_en": clean_html(newsletter.body_en) if newsletter.has_english else "",
        "recipients": recipients,
        "unsubscribed": unsubscribed,
        "schedule_form": ScheduleForm(initial={"send_at": newsletter.send_at}),
        "test_form": TestSendForm(initial={"to": request.user.email, "language": "ja"}),
    }
    return render(request, "newsletters/manage_detail.html", context)


@require_POST
@console_section("content")
def newsletter_test(request: NetworkRequest, network_slug: str, newsletter_id: int) -> HttpResponse:
    newsletter = get_newsletter(request.network, newsletter_id)
    form = TestSendForm(request.POST)
    if form.is_valid():
        language = sending.newsletter_language(newsletter, form.cleaned_data["language"])
        services.test_send(newsletter, request.user, form.cleaned_data["to"], language)
        audit(request.network, request.user, "newsletter.test_sent", newsletter, request=request, language=language)
        messages.success(request, _("A test was sent to %(email)s.") % {"email": form.cleaned_data["to"]})
    else:
        messages.error(request, _("Enter a valid email address for the test."))
    return redirect("manage:newsletter_detail", network_slug, newsletter.pk)


@require_POST
@console_section("content")
def newsletter_schedule(request: NetworkRequest, network_slug: str, newsletter_id: int) -> HttpResponse:
    newsletter = get_newsletter(request.network, newsletter_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors.get("send_at", [])) or _("Choose a time."))
    elif services.schedule(newsletter, request.user, form.cleaned_data["send_at"], request=request):
        messages.success(request, _("The newsletter is scheduled."))
    else:
        messages.error(request, _("This newsletter can no longer be scheduled."))
    return redirect("manage:newsletter_detail", network_slug, newsletter.pk)


NEWSLETTER_ACTIONS = ("send", "unschedule", "pause", "resume", "cancel", "delete")


@require_POST
@console_section("content")
def newsletter_action(request: NetworkRequest, network_slug: str, newsletter_id: int, action: str) -> HttpResponse:
    if action not in NEWSLETTER_ACTIONS:
        raise Http404
    newsletter = get_newsletter(request.network, newsletter_id)
    user = request.user
    if action == "delete":
        if services.delete_draft(newsletter, user, request=request):
            messages.success(request, _("The draft is deleted."))
            return redirect("manage:newsletters", network_slug)
        messages.error(request, _("Only a draft can be deleted."))
    elif action == "unschedule":
        done = services.unschedule(newsletter, user, request=request)
        _say(request, done, _("The schedule is cancelled: the newsletter is a draft again."))
        return redirect("manage:newsletter_detail", network_slug, newsletter.pk)
    elif action == "send":
        _say(request, services.start_sending(newsletter, user, request=request), _("Sending has started."))
    elif action == "pause":
        _say(request, services.pause(newsletter, user, request=request),
             _("Sending is paused. Messages already handed to a connection are finished."))  # fmt: skip
    elif action == "resume":
        _say(request, services.resume(newsletter, user, request=request), _("Sending resumes."))
    else:
        _say(request, services.cancel(newsletter, user, request=request),
             _("The newsletter is cancelled: nothing more will be sent."))  # fmt: skip
    return redirect("manage:newsletter_report", network_slug, newsletter.pk)


def _say(request: NetworkRequest, done: bool, success: str) -> None:
    if done:
        messages.success(request, success)
    else:
        messages.error(request, _("This newsletter is not in a state that allows this any more."))


@console_section("content")
def newsletter_report(request: NetworkRequest, network_slug: str, newsletter_id: int) -> HttpResponse:
    newsletter = get_newsletter(request.network, newsletter_id)
    context = {"newsletter": newsletter, "report": services.report(newsletter)}
    return render(request, "newsletters/manage_report.html", context)


@console_section("content")
def newsletter_progress(request: NetworkRequest, network_slug: str, newsletter_id: int) -> HttpResponse:
    """The progress panel, polled by htmx every few seconds while the newsletter is sending."""
    newsletter = get_newsletter(request.network, newsletter_id)
    context = {"newsletter": newsletter, "report": services.report(newsletter)}
    response = render(request, "newsletters/_progress.html", context)
    if newsletter.status != Newsletter.Status.SENDING and request.htmx:
        response["HX-Refresh"] = "true"  # the final figures with the whole report
    return response
