"""Alumni pages of the community: the news list and one news item."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enishi.community import mentions, services
from enishi.community.access import (
    get_group,
    get_group_member,
    get_live_news_item,
    get_own_comment,
    get_own_post,
    get_post,
)
from enishi.community.forms import CommentForm, GroupForm, PostForm, ReportForm
from enishi.community.models import Group, GroupMember
from enishi.community.tasks import news_reference
from enishi.lib.http import NetworkRequest
from enishi.lib.pages import paginate
from enishi.lib.richtext import plain_excerpt
from enishi.notifications.services import mark_read_about

NEWS_PAGE_SIZE = 20
EXCERPT_LENGTH = 80


def news(request: NetworkRequest, network_slug: str) -> HttpResponse:
    page = paginate(request, services.news_for(request.membership), per_page=NEWS_PAGE_SIZE)
    items = list(page.object_list)
    for item in items:
        item.excerpt = plain_excerpt(item.body, EXCERPT_LENGTH)
    unread = services.unread_ids(request.membership, items)
    return render(request, "community/news.html", {"page": page, "items": items, "unread": unread})


def news_detail(request: NetworkRequest, network_slug: str, news_id: int) -> HttpResponse:
    item = get_live_news_item(request.membership, news_id)
    services.mark_read(item, request.membership)
    mark_read_about(request.membership, news_reference(item.pk))
    return render(request, "community/news_detail.html", {"item": item})


POSTS_PAGE_SIZE = 20
# A feed is read from the top: counting more than this many pages would cost a scan of every post
# (seconds at millions of posts, see docs/PERFORMANCE.md "Home feed"), for a page nobody opens.
FEED_MAX_PAGES = 50
COMMENTS_PAGE_SIZE = 50
POST_ACTIONS = ("like", "delete", "hide")


def _offer_mentions(form: PostForm | CommentForm | None, network_slug: str) -> None:
    """Let the text box suggest people to mention (app.js reads the data-mentions address)."""
    if form is not None:
        form.fields["text"].widget.attrs["data-mentions"] = reverse("network:mention_suggestions", args=[network_slug])


MENTION_SUGGESTIONS = 8


def mention_suggestions(request: NetworkRequest, network_slug: str) -> JsonResponse:
    """People listed in the directory whose name fits what follows the "@" (for the text boxes)."""
    query = request.GET.get("q", "")[:40].strip()
    people = mentions.suggestions(request.membership, query, MENTION_SUGGESTIONS) if query else []
    return JsonResponse({"people": people})


def posts(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """The alumni's posts, newest first, with the form to write one."""
    membership = request.membership
    form = PostForm(request.POST or None, request.FILES or None) if services.can_post(membership) else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            services.save_post(form.save(commit=False), membership, images=form.cleaned_data["images"])
            messages.success(request, _("Your post is up."))
            return redirect("network:posts", network_slug)
    _offer_mentions(form, network_slug)
    page = paginate(request, services.visible_posts(membership), per_page=POSTS_PAGE_SIZE, max_pages=FEED_MAX_PAGES)
    context = {"page": page, "form": form, "can_moderate": membership.role in services.MODERATOR_ROLES}
    return render(request, "community/posts.html", context)


def post_detail(request: NetworkRequest, network_slug: str, post_id: int) -> HttpResponse:
    membership = request.membership
    post = get_post(membership, post_id)
    if request.method == "GET":
        mark_read_about(membership, services.post_reference(post.pk))
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_comment(post, membership, form.cleaned_data["text"])
        return redirect("network:post_detail", network_slug, post.pk)
    _offer_mentions(form, network_slug)
    comments = Paginator(services.visible_comments(post), COMMENTS_PAGE_SIZE)
    # The latest comments first come into view: with no page asked for, the last page.
    comments_page = comments.get_page(request.GET.get("page") or comments.num_pages)
    context = {"post": post, "comments": comments_page.object_list, "comments_page": comments_page, "form": form,
               "can_moderate": membership.role in services.MODERATOR_ROLES}  # fmt: skip
    return render(request, "community/post_detail.html", context)


def post_edit(request: NetworkRequest, network_slug: str, post_id: int) -> HttpResponse:
    post = get_own_post(request.membership, post_id)
    form = PostForm(request.POST or None, request.FILES or None, instance=post)
    if request.method == "POST" and form.is_valid():
        services.save_post(form.save(commit=False), request.membership, images=form.cleaned_data["images"],
                           remove_images=form.cleaned_data.get("remove_images", False))  # fmt: skip
        messages.success(request, _("Your post is updated."))
        return redirect("network:post_detail", network_slug, post.pk)
    _offer_mentions(form, network_slug)
    return render(request, "community/post_form.html", {"form": form, "post": post})


@require_POST
def post_action(request: NetworkRequest, network_slug: str, post_id: int, action: str) -> HttpResponse:
    membership = request.membership
    if action not in POST_ACTIONS:
        raise Http404
    if action == "like":
        services.toggle_reaction(get_post(membership, post_id), membership)
        if request.POST.get("back") == "detail":
            return redirect("network:post_detail", network_slug, post_id)
        return redirect("network:posts", network_slug)
    if action == "delete":
        services.delete_post(get_own_post(membership, post_id))
        messages.success(request, _("Your post is deleted."))
    else:
        if membership.role not in services.MODERATOR_ROLES:
            raise Http404
        services.hide_post(get_post(membership, post_id), membership, request=request)
        messages.success(request, _("The post is hidden from everyone."))
    return redirect("network:posts", network_slug)


@require_POST
def comment_delete(request: NetworkRequest, network_slug: str, post_id: int, comment_id: int) -> HttpResponse:
    post = get_post(request.membership, post_id)
    services.delete_comment(get_own_comment(request.membership, post, comment_id))
    return redirect("network:post_detail", network_slug, post.pk)


def post_report(request: NetworkRequest, network_slug: str, post_id: int) -> HttpResponse:
    """Report a post to the moderators, with a reason (anyone who can see it)."""
    post = get_post(request.membership, post_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_post(post, request.membership, form.cleaned_data["reason"], form.cleaned_data["note"])
        messages.success(request, _("Thank you. The moderators will look at this post."))
        return redirect("network:posts", network_slug)
    return render(request, "community/post_report.html", {"post": post, "form": form})


# --- Groups -------------------------------------------------------------------------------------

GROUP_ACTIONS = ("join", "leave")
MEMBER_ACTIONS = ("approve", "decline")


def groups(request: NetworkRequest, network_slug: str) -> HttpResponse:
    membership = request.membership
    listed = services.groups_for(membership)
    return render(request, "community/groups.html",
                  {"groups": listed, "can_create": membership.role in services.MODERATOR_ROLES})  # fmt: skip


def group_new(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Supporters and staff start groups."""
    if request.membership.role not in services.MODERATOR_ROLES:
        raise Http404
    form = GroupForm(request.POST or None, instance=Group(network=request.network))
    if request.method == "POST" and form.is_valid():
        if Group.objects.filter(network=request.network, name=form.cleaned_data["name"]).exists():
            form.add_error("name", _("A group of this name exists already."))
        else:
            group = services.create_group(form.save(commit=False), request.membership)
            messages.success(request, _("The group is open."))
            return redirect("network:group_detail", network_slug, group.pk)
    return render(request, "community/group_form.html", {"form": form})


def group_detail(request: NetworkRequest, network_slug: str, group_id: int) -> HttpResponse:
    """The group's page: what it is about, joining, and its feed for those who may read it."""
    membership = request.membership
    group = get_group(request.network, group_id)
    member = services.status_in(group, membership)
    is_member = member is not None and member.status == GroupMember.Status.MEMBER
    form = PostForm(request.POST or None) if is_member else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            post = form.save(commit=False)
            post.group = group
            services.save_post(post, membership)
            return redirect("network:group_detail", network_slug, group.pk)
    readable = services.can_read(group, membership, member)
    page = (
        paginate(request, services.visible_posts(membership, group), per_page=POSTS_PAGE_SIZE, max_pages=FEED_MAX_PAGES)
        if readable
        else None
    )
    organiser = services.can_organise(membership, member)
    pending = services.pending_requests(group) if organiser else []
    context = {"group": group, "member": member, "is_member": is_member, "form": form, "page": page,
               "pending": pending, "can_moderate": membership.role in services.MODERATOR_ROLES}  # fmt: skip
    return render(request, "community/group_detail.html", context)


@require_POST
def group_action(request: NetworkRequest, network_slug: str, group_id: int, action: str) -> HttpResponse:
    if action not in GROUP_ACTIONS:
        raise Http404
    group = get_group(request.network, group_id)
    if action == "join":
        member = services.join_group(group, request.membership)
        if member.status == GroupMember.Status.PENDING:
            messages.success(request, _("Your request is sent to the organisers."))
        else:
            messages.success(request, _("You joined the group."))
    else:
        services.leave_group(group, request.membership)
        messages.success(request, _("You left the group."))
    return redirect("network:group_detail", network_slug, group.pk)


@require_POST
def group_member_action(
    request: NetworkRequest, network_slug: str, group_id: int, member_id: int, action: str
) -> HttpResponse:
    """An organiser (or staff) approves or declines a request to join."""
    if action not in MEMBER_ACTIONS:
        raise Http404
    group = get_group(request.network, group_id)
    if not services.can_organise(request.membership, services.status_in(group, request.membership)):
        raise Http404
    services.decide_member(get_group_member(group, member_id), approve=action == "approve")
    return redirect("network:group_detail", network_slug, group.pk)
