"""Console pages of the community (content section: admin, editor): news and its categories."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.community import services
from enishi.community.access import get_news_item, get_report
from enishi.community.forms import CategoryForm, NewsForm, ScheduleForm
from enishi.community.models import NewsCategory, NewsItem
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.lib.richtext import clean_html
from enishi.networks.decorators import console_section


@console_section("content")
def news_list(request: NetworkRequest, network_slug: str) -> HttpResponse:
    items = (
        NewsItem.objects.filter(network=request.network)
        .select_related("category")
        .annotate(read_count=Count("reads"))
        .order_by("-pinned", F("publish_at").desc(nulls_first=True), "-id")  # drafts, then the newest
    )
    return render(request, "community/manage_news.html", {"page": paginate(request, items)})


@console_section("content")
def news_edit(request: NetworkRequest, network_slug: str, news_id: int | None = None) -> HttpResponse:
    network = request.network
    item = get_news_item(network, news_id) if news_id is not None else NewsItem(network=network)
    form = NewsForm(request.POST or None, request.FILES or None, instance=item, network=network)
    schedule = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and schedule.is_valid():
        saved = services.save_news(form.save(commit=False), request.user, form.changed_data, request=request)
        if "publish" in request.POST:
            services.publish_news(saved, request.user, schedule.cleaned_data["publish_at"], request=request)
            if saved.is_scheduled:
                messages.success(request, _("The news is scheduled."))
            else:
                messages.success(request, _("The news is published."))
            return redirect("manage:content", network_slug)
        messages.success(request, _("The draft is saved."))
        return redirect("manage:news_edit", network_slug, saved.pk)
    preview = clean_html(form.data.get("body", "")) if form.is_bound else item.body
    context = {"form": form, "schedule": schedule, "item": item, "preview": preview}
    return render(request, "community/manage_news_form.html", context)


NEWS_ACTIONS = ("withdraw", "pin", "unpin", "delete")


@require_POST
@console_section("content")
def news_action(request: NetworkRequest, network_slug: str, news_id: int, action: str) -> HttpResponse:
    if action not in NEWS_ACTIONS:
        raise Http404
    item = get_news_item(request.network, news_id)
    if action == "withdraw":
        services.withdraw_news(item, request.user, request=request)
        messages.success(request, _("The news is back to draft: nobody sees it any more."))
    elif action in ("pin", "unpin"):
        services.set_pinned(item, request.user, action == "pin", request=request)
        messages.success(request, _("Saved."))
    else:
        services.delete_news(item, request.user, request=request)
        messages.success(request, _("The news is deleted."))
    return redirect("manage:content", network_slug)


@console_section("content")
def categories(request: NetworkRequest, network_slug: str) -> HttpResponse:
    network = request.network
    form = CategoryForm(request.POST or None, instance=NewsCategory(network=network))
    if request.method == "POST" and form.is_valid():
        if NewsCategory.objects.filter(network=network, name_ja=form.cleaned_data["name_ja"]).exists():
            form.add_error("name_ja", _("This category exists already."))
        else:
            form.save()
            messages.success(request, _("The category is added."))
            return redirect("manage:news_categories", network_slug)
    listed = NewsCategory.objects.filter(network=network)
    return render(request, "community/manage_categories.html", {"form": form, "categories": listed})


REPORT_ACTIONS = ("hide", "keep")


@console_section("content")
def moderation(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Open reports, oldest first, each with the post and who reported it why."""
    page = paginate(request, services.open_reports(request.network.pk))
    return render(request, "community/manage_moderation.html", {"page": page})


@require_POST
@console_section("content")
def report_action(request: NetworkRequest, network_slug: str, report_id: int, action: str) -> HttpResponse:
    if action not in REPORT_ACTIONS:
        raise Http404
    report = get_report(request.network, report_id)
    services.decide_report(report, request.user, hide=action == "hide", request=request)
    if action == "hide":
        messages.success(request, _("The post is hidden from everyone."))
    else:
        messages.success(request, _("The post is kept; its reports are closed."))
    return redirect("manage:moderation", network_slug)
