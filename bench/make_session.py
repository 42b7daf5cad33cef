"""Print a JSON map email → session key of a new signed-in session for each email given.

Run by the harness in a subprocess with the server's environment, so the session lands in the
database the server reads. Creating the session directly (what django.contrib.auth.login stores)
avoids the login form's rate limits and CSRF dance, which are not what a page benchmark measures.
"""

from __future__ import annotations

import json
import sys
from importlib import import_module


def main(emails: list[str]) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    keys = {}
    for email in emails:
        user = get_user_model().objects.get(email=email)
        session = store_class()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys[email] = session.session_key
    print(json.dumps(keys))


if __name__ == "__main__":
    main(sys.argv[1:])
