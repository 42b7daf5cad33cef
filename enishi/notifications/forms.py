"""The alumnus's notification settings: one choice per topic, the digest frequency, news categories."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from enishi.networks.models import Membership
from enishi.notifications import services
from enishi.notifications.topics import DIGEST_TOPIC, ON_OFF_TOPICS, Delivery, DigestFrequency, Topic

FULL_CHOICES = [
    (Delivery.EMAIL.value, Delivery.EMAIL.label),
    (Delivery.DIGEST.value, Delivery.DIGEST.label),
    (Delivery.APP.value, Delivery.APP.label),
    (Delivery.OFF.value, Delivery.OFF.label),
]
ON_OFF_CHOICES = [(Delivery.ON.value, Delivery.ON.label), (Delivery.OFF.value, Delivery.OFF.label)]


def topic_field_name(topic: str) -> str:
    return f"topic_{topic}"


class NotificationSettingsForm(forms.Form):
    digest_frequency = forms.ChoiceField(
        label=_("Digest email"),
        choices=DigestFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_("One email with what waited for it, at most once a week or once a month."),
    )
    news_categories = forms.MultipleChoiceField(
        label=_("News categories I want to hear about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A category you untick no longer appears in your notifications, by email or in the app."),
    )

    def __init__(self, *args: Any, membership: Membership, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        self.membership = membership
        current = services.preferences_of(membership)
        initial: dict[str, Any] = {topic_field_name(topic): value for topic, value in current.topics.items()}
        initial["digest_frequency"] = current.digest_frequency
        initial["news_categories"] = [key for key, _label in categories if key not in current.news_off]
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        topic_fields = {}
        for topic in Topic:
            topic_fields[topic_field_name(topic.value)] = forms.ChoiceField(
                label=topic.label,
                choices=ON_OFF_CHOICES if topic in ON_OFF_TOPICS else FULL_CHOICES,
                widget=forms.RadioSelect,
            )
        # Topics first, in their order, then the digest and the categories.
        self.fields = {**topic_fields, **self.fields}
        self.categories = categories
        if categories:
            field = self.fields["news_categories"]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = categories
        else:
            del self.fields["news_categories"]

    def topic_fields(self) -> list[forms.BoundField]:
        return [self[topic_field_name(topic.value)] for topic in Topic]

    def save(self) -> bool:
        """Store what differs from the defaults; returns whether anything changed."""
        data = self.cleaned_data
        changed = False
        for topic in Topic:
            changed |= services.set_preference(self.membership, topic.value, data[topic_field_name(topic.value)])
        changed |= services.set_preference(self.membership, DIGEST_TOPIC, data["digest_frequency"])
        if self.categories:
            wanted = set(data.get("news_categories") or [])
            for key, _label in self.categories:
                value = Delivery.ON if key in wanted else Delivery.OFF
                changed |= services.set_preference(self.membership, Topic.NEWS.value, value, subtopic=key)
        return changed
