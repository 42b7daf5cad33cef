"""Pages of intake that people outside the network open: personal invitations, channel links, the
public join page with its registration, and the referral page where alumni invite former colleagues."""

from __future__ import annotations

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.accounts.invitations import forget_invitation, remember_invitation, remember_join
from enishi.intake import registration as registering
from enishi.intake import services
from enishi.intake.access import intake_settings
from enishi.intake.join_forms import InvitationCodeForm, RegistrationForm
from enishi.intake.models import AlumniInvitation, JoinChannel, Registration
from enishi.lib.errors import ActionRefused
from enishi.lib.http import NetworkRequest
from enishi.lib.qr import qr_svg
from enishi.networks.decorators import allows_anonymous
from enishi.networks.models import Membership, Network
from enishi.networks.roles import ALUMNI_ROLES, MembershipState
from enishi.privacy.notices import current_notice

CHANNEL_SESSION_KEY = "enishi_join_channel"  # {network id: channel id} of the link that brought the visitor


@allows_anonymous
def join(request: NetworkRequest, network_slug: str, token: str) -> HttpResponse:
    """A leaver's personal invitation (emailed link, or the QR code of a flyer).

    A visitor creates an account (the invitation is accepted as the account is created, see
    accounts.signals) or logs in, then joins in one tap.
    """
    network = request.network
    invitation = AlumniInvitation.objects.filter(network=network, token=token).select_related("record").first()
    signed_in = request.user.is_authenticated
    emailed_to_other = signed_in and invitation is not None and invitation.email
    if invitation is None or (emailed_to_other and invitation.email.lower() != request.user.email.lower()):
        raise Http404
    if signed_in and invitation.accepted_at is not None and _is_member(network, request):
        return redirect("network:home", network_slug)
    if invitation.opened_at is None:
        AlumniInvitation.objects.filter(pk=invitation.pk).update(opened_at=timezone.now())
    status = 200 if invitation.is_open else 410
    if not signed_in:
        if invitation.is_open:
            remember_invitation(request, invitation)
        return render(request, "intake/join.html", {"invitation": invitation}, status=status)
    if request.method == "POST":
        try:
            services.accept_alumni_invitation(invitation, request.user, request=request)
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("network:join", network_slug, token)
        forget_invitation(request)
        messages.success(request, _("Welcome to %(network)s.") % {"network": network.name})
        return redirect("network:home", network_slug)
    return render(request, "intake/join.html", {"invitation": invitation}, status=status)


def _is_member(network: Network, request: NetworkRequest) -> bool:
    return Membership.objects.filter(network=network, user=request.user, state=MembershipState.ACTIVE).exists()


@allows_anonymous
def channel(request: NetworkRequest, network_slug: str, token: str) -> HttpResponse:
    """A shared join link (homepage, press release, event, flyer stack, an alumnus's referral):
    count the visit once per browser, remember where the person came from, open the join page."""
    network = request.network
    link = JoinChannel.objects.filter(network=network, token=token).first()
    if link is None:
        raise Http404
    if not link.is_open:
        return render(request, "intake/channel_closed.html", status=410)
    seen = request.session.get(CHANNEL_SESSION_KEY, {})
    if seen.get(str(network.pk)) != link.pk:
        JoinChannel.objects.filter(pk=link.pk).update(visits=F("visits") + 1)
        request.session[CHANNEL_SESSION_KEY] = {**seen, str(network.pk): link.pk}
    return redirect("network:public_join", network_slug)


def _channel_of_session(request: HttpRequest, network: Network) -> JoinChannel | None:
    channel_id = request.session.get(CHANNEL_SESSION_KEY, {}).get(str(network.pk))
    if channel_id is None:
        return None
    link = JoinChannel.objects.filter(network=network, pk=channel_id).first()
    return link if link is not None and link.is_open else None


@allows_anonymous
def public_join(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The network's join page. Screen 1 (visitor): create an account; screen 2 is allauth's code
    check; screen 3 (signed in): who you were at the company, the notice and consents. Afterwards
    the same address shows where the request stands."""
    network = request.network
    rules = intake_settings(network)
    code_form = InvitationCodeForm()
    if not request.user.is_authenticated:
        if rules.public_join:
            remember_join(request, network, _channel_of_session(request, network))
        return render(request, "intake/public_join.html", {"rules": rules, "code_form": code_form})

    membership = Membership.objects.filter(network=network, user=request.user).first()
    if membership is not None and membership.state == MembershipState.ACTIVE:
        return redirect("network:home", network_slug)
    registration = registering.registration_for(network, request.user, _channel_of_session(request, network))
    waiting = (Registration.Status.PENDING, Registration.Status.APPROVED, Registration.Status.REJECTED)
    if registration.status in waiting:
        return render(request, "intake/registration_status.html", {"registration": registration})
    if not rules.public_join and registration.pk is None:
        return render(request, "intake/public_join.html", {"rules": rules, "code_form": code_form})

    notice = current_notice(network)
    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(data, instance=registration, network=network, rules=rules, notice=notice)
    if request.method == "POST":
        valid = form.is_valid()
        if "save_draft" in request.POST or not valid:
            if form.has_content:  # what the person typed is kept, to be resumed later
                registering.save_draft(form.keep_draft())
            if "save_draft" in request.POST:
                messages.success(request, _("Saved. Log in again at any time to continue where you left off."))
                return redirect("network:public_join", network_slug)
        else:
            accepted = notice if form.cleaned_data.get("accept_notice") else None
            try:
                registering.submit(rules, form.save(commit=False), form.cleaned_data["consents"], accepted, request)
            except ActionRefused as refusal:
                messages.error(request, str(refusal))
                return redirect("network:public_join", network_slug)
            forget_invitation(request)
            if registration.status == Registration.Status.APPROVED:
                messages.success(request, _("Welcome to %(network)s.") % {"network": network.name})
                return redirect("network:home", network_slug)
            return redirect("network:public_join", network_slug)
    context = {"form": form, "notice": notice, "registration": registration, "rules": rules}
    return render(request, "intake/register.html", context, status=400 if form.errors else 200)


public_join.skips_notice_gate = True  # type: ignore[attr-defined]


@allows_anonymous
@require_POST
def join_code(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The short code printed on a flyer, typed on the join page: opens that personal invitation."""
    if not ratelimit.consume(request, action="invitation_code"):
        messages.error(request, _("Too many attempts. Please wait a few minutes and try again."))
        return redirect("network:public_join", network_slug)
    form = InvitationCodeForm(request.POST)
    invitation = None
    if form.is_valid():
        invitation = AlumniInvitation.objects.filter(
            network=request.network, short_code=form.cleaned_data["code"]
        ).first()
    if invitation is None or not invitation.is_open:
        messages.error(request, _("This code is unknown or no longer valid. Check it, or ask the secretariat."))
        return redirect("network:public_join", network_slug)
    return redirect("network:join", network_slug, invitation.token)


def referral(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """An alumnus's own link to share with former colleagues; who registers through it is counted."""
    membership = request.membership
    if membership.role not in ALUMNI_ROLES:
        raise Http404
    link = registering.referral_link_for(membership)
    url = settings.SITE_URL + reverse("network:channel", args=[network_slug, link.token])
    registered = link.registrations.filter(status=Registration.Status.APPROVED).count()
    context = {"link": link, "url": url, "qr": qr_svg(url, title=_("QR code of your invitation link")),
               "registered": registered}  # fmt: skip
    return render(request, "intake/referral.html", context)
