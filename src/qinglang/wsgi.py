import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinglang.settings")
application = get_wsgi_application()
# Build the URL configuration now rather than in the first request, which for a WeChat callback
# must be answered within five seconds.
get_resolver().url_patterns  # noqa: B018
