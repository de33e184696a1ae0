import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanban.settings")
django.setup(set_prefix=False)  # what django.core.wsgi.get_wsgi_application does first

from vanban.web.handlers import ByPath  # noqa: E402 - needs the apps loaded

# Pages through the whole middleware stack, the hub API through the header middleware only.
application = ByPath()
