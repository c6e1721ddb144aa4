"""
WSGI config for luckygas project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

from luckygas import envfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luckygas.settings")
# What the app writes holds customer data: for its own user only.
os.umask(0o077)
envfile.load()

application = get_wsgi_application()
