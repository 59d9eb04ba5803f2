"""The WSGI callable gunicorn serves: `bench.peers.drf_shop.wsgi:application`."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peers.drf_shop.settings")
application = get_wsgi_application()
